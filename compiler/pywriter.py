"""Writes generated Python line by line: owns indentation, records each line's source."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from .errors import Position
from .reader import SourceLine

INDENT = "    "


@dataclass(frozen=True)
class Origin:
    """Where a generated line comes from.

    For a line copied from the source, `source` is that line and `shift` how many
    columns the copy moved it right (negative: left), so that a column reported by
    compile() can be mapped back exactly.
    """

    file: str
    line: int
    source: SourceLine | None = None
    shift: int = 0
    pos: Position | None = None


class PyWriter:
    """Collects lines at the current indentation.

    Lines that cherryc writes itself may carry a trailing `# file:line` marker; lines
    copied from the user's code never do (they may sit inside a string or end with a
    backslash).
    """

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.origins: list[Origin | None] = []
        self.level = 0

    @contextmanager
    def indented(self) -> Iterator[None]:
        self.level += 1
        try:
            yield
        finally:
            self.level -= 1

    @property
    def prefix(self) -> str:
        return INDENT * self.level

    def write(
        self, text: str, pos: Position | None = None, marker: bool = False,
        indent: str | None = None,
    ) -> None:
        """Write a line cherryc generates, mapped to `pos` (with a marker if asked).

        The line goes at the current indentation unless `indent` is given.
        """
        line = (self.prefix if indent is None else indent) + text if text else ""
        if pos is not None and marker:
            line += f"  # {pos.file}:{pos.line}"
        self.lines.append(line)
        self.origins.append(Origin(pos.file, pos.line, pos=pos) if pos is not None else None)

    def copy(self, source: SourceLine, indent: str, strip: int = 0) -> None:
        """Copy a user's line: drop its first `strip` columns and put `indent` before it."""
        text = source.text[strip:]
        self.lines.append(indent + text if text.strip() else "")
        self.origins.append(Origin(source.file, source.number, source, len(indent) - strip))

    def blank(self, count: int = 1) -> None:
        """End with `count` empty lines (none at the very start of a block)."""
        if not self.lines:
            return
        while self.lines[-count:] != [""] * count:
            self.lines.append("")
            self.origins.append(None)

    def extend(self, other: "PyWriter") -> None:
        self.lines.extend(other.lines)
        self.origins.extend(other.origins)

    def text(self) -> str:
        return "\n".join(self.lines)
