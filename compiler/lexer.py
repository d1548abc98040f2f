"""Classifies the lines of a .cpy file: use, CherryClass, section, special def, code, body."""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass

from .reader import LEVEL, SourceFile, SourceLine

#: Special functions and their exact parameter lists (spec §13).
SPECIAL_FUNCTIONS: dict[str, str] = {
    "initProgram": "",
    "initServer": "",
    "initAfterBind": "",
    "initProcess": "processIndex",
    "initThread": "threadIndex",
    "initRequestBeforeParse": "",
    "initRequest": "",
    "initNonStaticRequest": "",
    "initResponse": "",
    "initNonStaticResponse": "",
    "onError": "",
    "logMessage": "message, level=0",
    "saveSessionData": "sessionId, sessionData, expirationTime",
    "loadSessionData": "sessionId",
    "cleanUpOldSessions": "",
    "hotReloadInitServer": "",
}

SECTIONS = ("variable", "function", "view", "mask", "aspect")

_SPECIAL_DEF = re.compile(r"def\s+(\w+)\s*\(")
_SECTION = re.compile(r"([A-Za-z_]\w*)\s*:\s*$")
_USE = re.compile(r"use(\s+(?![=(.\[:])|$)")


@dataclass(frozen=True)
class Token:
    """A classified line. `level` counts 4-space units of indentation (INDENTED only)."""

    kind: str
    line: SourceLine
    level: int = 0

    def __str__(self) -> str:
        level = f" level={self.level}" if self.kind == INDENTED else ""
        return f"{self.line.file}:{self.line.number}: {self.kind}{level} {self.line.text!r}"


USE = "USE"  # `use A, B` at column 0
CLASS = "CLASS"  # `CherryClass ...` at column 0
SECTION = "SECTION"  # `name:` at column 0 (known or not; the parser judges)
SPECIAL = "SPECIAL"  # `def <special function name>(` at column 0
CODE = "CODE"  # any other column-0 line: top-level Python (imports included)
INDENTED = "INDENTED"  # an indented line
SKIP = "SKIP"  # blank line or comment line


def classify(line: SourceLine) -> Token:
    """Classify one line by its leading structure only."""
    text = line.text
    if line.is_blank_or_comment:
        return Token(SKIP, line)
    if text[0] == " ":
        return Token(INDENTED, line, line.indent // LEVEL)
    if _USE.match(text):
        return Token(USE, line)
    if text.startswith("CherryClass ") or text == "CherryClass":
        return Token(CLASS, line)
    special = _SPECIAL_DEF.match(text)
    if special and special.group(1) in SPECIAL_FUNCTIONS:
        return Token(SPECIAL, line)
    section = _SECTION.match(text)
    if section and not keyword.iskeyword(section.group(1)):
        return Token(SECTION, line)
    return Token(CODE, line)


def tokenize(source: SourceFile) -> list[Token]:
    """Classify every line of a file."""
    return [classify(line) for line in source.lines]
