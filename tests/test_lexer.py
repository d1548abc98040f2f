"""Line lexer: each line of a .cpy file is classified by its leading structure."""

from __future__ import annotations

import pytest

from cherryc.compiler.lexer import (
    CLASS, CODE, INDENTED, SECTION, SKIP, SPECIAL, USE, classify, tokenize,
)  # fmt: skip
from cherryc.compiler.reader import source_from_text


def kind(text: str) -> str:
    return classify(source_from_text(text + "\n", "f", "f").lines[0]).kind


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("use Tools, Form", USE),
        ("use", USE),
        ("use = 3", CODE),
        ("user = 1", CODE),
        ("use.x()", CODE),
        ("CherryClass Root:", CLASS),
        ("CherryClassic = 1", CODE),
        ("mask:", SECTION),
        ("aspect :", SECTION),
        ("foo:", SECTION),  # unknown sections are the parser's to report
        ("else:", CODE),  # Python keywords are top-level code, not sections
        ("try:", CODE),
        ("def initServer():", SPECIAL),
        ("def initThread(i):", SPECIAL),  # a wrong signature is the parser's to report
        ("def helper():", CODE),
        ("import os", CODE),
        ("@engine.define", CODE),
        ("    x = 1", INDENTED),
        ("", SKIP),
        ("   ", SKIP),
        ("# comment", SKIP),
        ("        # indented comment", SKIP),
    ],
)
def test_classify(text: str, expected: str) -> None:
    assert kind(text) == expected


def test_levels_count_four_space_units() -> None:
    tokens = tokenize(source_from_text("    a\n      b\n        c\n\tt\n", "f", "f"))
    assert [(t.kind, t.level) for t in tokens] == [
        (INDENTED, 1), (INDENTED, 1), (INDENTED, 2), (INDENTED, 1)
    ]


def test_token_str_names_file_and_line() -> None:
    token = tokenize(source_from_text("CherryClass A:\n", "a.cpy", "a.cpy"))[0]
    assert str(token) == "a.cpy:1: CLASS 'CherryClass A:'"
