"""Source positions and the compile-error hierarchy, with the one diagnostic format."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Position:
    """A place in a source file: display name, 1-based line and 1-based column.

    `text` is the source line as written in the file (for the caret excerpt); it is
    left out of equality so that tests can compare positions by location only.
    """

    file: str
    line: int
    col: int = 1
    text: str = field(default="", compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


def excerpt(pos: Position) -> str:
    """Return the source line of `pos` and a caret under its column, gcc style."""
    if not pos.text:
        return ""
    gutter = f"{pos.line:>5} | "
    # Keep tabs in the padding so that the caret lines up with the source line.
    pad = "".join(c if c == "\t" else " " for c in pos.text[: max(pos.col - 1, 0)])
    return f"{gutter}{pos.text}\n{' ' * (len(gutter) - 2)}| {pad}^"


def diagnostic(severity: str, message: str, pos: Position | None) -> str:
    """Format one diagnostic: `file:LINE:COL: severity: message`, then the excerpt."""
    if pos is None:
        return f"cherryc: {severity}: {message}"
    lines = [f"{pos}: {severity}: {message}"]
    shown = excerpt(pos)
    if shown:
        lines.append(shown)
    return "\n".join(lines)


class CpyError(Exception):
    """A mistake in a .cpy file or template, reported at a source position.

    `notes` are extra (message, position) pairs printed after the error, such as
    "included from here" for an error inside an included template.
    """

    def __init__(
        self,
        message: str,
        pos: Position | None = None,
        notes: tuple[tuple[str, Position], ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos
        self.notes = tuple(notes)

    def with_note(self, message: str, pos: Position) -> "CpyError":
        """Return the same error with one more note appended."""
        self.notes = self.notes + ((message, pos),)
        return self

    def __str__(self) -> str:
        parts = [diagnostic("error", self.message, self.pos)]
        parts.extend(diagnostic("note", message, pos) for message, pos in self.notes)
        return "\n".join(parts)


class CpySyntaxError(CpyError):
    """The structure of a .cpy file is wrong (class lines, sections, defs, `use`)."""


class MaskSyntaxError(CpySyntaxError):
    """A mask (CGTL tags or CHTL attributes) is malformed."""


class PythonSyntaxError(CpyError):
    """Embedded Python code does not compile; reported at its .cpy position."""


class CompileError(CpyError):
    """A semantic problem: unknown module, include loop, bad inheritance, ..."""


@dataclass(frozen=True)
class CpyWarning:
    """Something legal but probably unintended; printed, never fatal."""

    message: str
    pos: Position | None = None

    def __str__(self) -> str:
        return diagnostic("warning", self.message, self.pos)
