"""Reads .cpy files and templates into lines with normalised indentation and positions."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .errors import CompileError, CpySyntaxError, Position

#: Every indentation level is four spaces once a file has been read (spec §3).
LEVEL = 4


@dataclass(frozen=True)
class SourceLine:
    """One line of a source file.

    `text` is what the compiler works on: the leading whitespace rewritten to 4-space
    levels (`-W` units and tabs) and, for .cpy files, trailing whitespace stripped.
    `raw` is the line as written, used for error excerpts. Equality compares `text` only.
    """

    text: str
    file: str = field(compare=False)
    number: int = field(compare=False)
    raw: str = field(compare=False, repr=False)

    @property
    def indent(self) -> int:
        """Number of leading spaces of the normalised text."""
        return len(self.text) - len(self.text.lstrip(" "))

    @property
    def is_blank_or_comment(self) -> bool:
        """True for the lines that 0.10 drops everywhere in a .cpy file (spec §3)."""
        stripped = self.text.strip()
        return not stripped or stripped.startswith("#")

    def pos(self, col: int = 0) -> Position:
        """Position of the 0-based column `col` of `text`, as a column of the raw line."""
        raw_indent = len(self.raw) - len(self.raw.lstrip(" \t"))
        if col >= self.indent:
            col = col - self.indent + raw_indent
        else:
            col = min(col, raw_indent)
        return Position(self.file, self.number, col + 1, self.raw)

    def raw_pos(self, col: int) -> Position:
        """Position of the 0-based column `col` of the raw line."""
        return Position(self.file, self.number, col + 1, self.raw)

    def replace(self, text: str) -> "SourceLine":
        """The same source line with other normalised text (for synthesised lines)."""
        return SourceLine(text, self.file, self.number, self.raw)


@dataclass(frozen=True)
class SourceFile:
    """A file as read: its real path, its display name and its lines."""

    path: str
    display: str
    lines: tuple[SourceLine, ...]


def normalise_indent(line: str, unit: int) -> str:
    """Rewrite the leading whitespace of `line`: `unit` spaces and tabs become 4 spaces.

    Whitespace-only lines are left as they are (spec §3).
    """
    content = line.lstrip(" \t")
    if not content:
        return line
    lead = line[: len(line) - len(content)]
    if unit != LEVEL:
        lead = lead.replace(" " * unit, " " * LEVEL)
    return lead.replace("\t", " " * LEVEL) + content


def decode(data: bytes, display: str) -> str:
    """Decode UTF-8 (an optional BOM is dropped), reporting the line of a bad byte."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line_end = data.find(b"\n", exc.start)
        raw = data[line_start : line_end if line_end >= 0 else len(data)]
        prefix = data[line_start : exc.start].decode("utf-8", "replace")
        raise CpySyntaxError(
            f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x}); "
            "save it as UTF-8",
            Position(display, data.count(b"\n", 0, exc.start) + 1, len(prefix) + 1,
                     raw.decode("utf-8", "replace").rstrip("\r")),
        ) from None
    return text


def split_lines(text: str) -> list[str]:
    """Split on newlines only (not on the other characters str.splitlines knows)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def read_file(path: str, display: str, unit: int = LEVEL, strip: bool = True) -> SourceFile:
    """Read `path` into a SourceFile; `strip` removes trailing whitespace (.cpy files)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise CompileError(f"cannot read {display!r}: {exc.strerror}") from None
    return source_from_text(decode(data, display), path, display, unit, strip)


def source_from_text(
    text: str, path: str, display: str, unit: int = LEVEL, strip: bool = True
) -> SourceFile:
    """Build a SourceFile from text already in memory (used by tests and `read_file`)."""
    lines = []
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for number, raw in enumerate(split_lines(text), 1):
        normalised = normalise_indent(raw, unit)
        if strip:
            normalised = normalised.rstrip()
        lines.append(SourceLine(normalised, display, number, raw))
    return SourceFile(path, display, tuple(lines))


def display_name(path: str, stdlib_dir: str) -> str:
    """How a file is named in diagnostics, banners and the source map.

    Standard-library modules are `cherryc/stdlib/<name>` whatever the install location,
    files under the working directory are relative to it, others absolute.
    """
    absolute = os.path.abspath(path)
    if os.path.dirname(os.path.realpath(path)) == os.path.realpath(stdlib_dir):
        return "cherryc/stdlib/" + os.path.basename(absolute)
    relative = os.path.relpath(absolute)
    if relative.startswith(os.pardir + os.sep) or relative == os.pardir:
        return absolute
    return relative
