"""Reader: indentation normalisation (-W, tabs), newlines, UTF-8, positions."""

from __future__ import annotations

import pytest

from cherryc.compiler.errors import CpyError
from cherryc.compiler.reader import display_name, normalise_indent, read_file, source_from_text


@pytest.mark.parametrize(
    ("line", "unit", "expected"),
    [
        ("    x", 4, "    x"),
        ("\tx", 4, "    x"),
        ("\t\tx", 4, "        x"),
        ("  x", 2, "    x"),
        ("    x", 2, "        x"),
        ("   x", 2, "     x"),  # one unit and one stray space
        ("      x", 3, "        x"),
        ("\t     x", 5, "        x"),  # tab + 5 spaces with -W 5: two levels
        ("        x", 8, "    x"),
        ("x  y", 2, "x  y"),  # only leading whitespace changes
        ("   ", 2, "   "),  # whitespace-only lines are left alone
        ("  \tx", 4, "      x"),
    ],
)
def test_normalise_indent(line: str, unit: int, expected: str) -> None:
    assert normalise_indent(line, unit) == expected


def test_lines_are_split_on_newlines_only_and_trailing_space_is_stripped() -> None:
    source = source_from_text("a  \r\nb\rc\x0cd\n\n", "f.cpy", "f.cpy")
    assert [line.text for line in source.lines] == ["a", "b", "c\x0cd", ""]
    assert [line.number for line in source.lines] == [1, 2, 3, 4]


def test_templates_keep_trailing_whitespace() -> None:
    source = source_from_text("a  \n", "t.html", "t.html", strip=False)
    assert source.lines[0].text == "a  "


def test_blank_and_comment_lines_are_recognised() -> None:
    source = source_from_text("   \n  # c\nx # not a comment line\n", "f", "f")
    assert [line.is_blank_or_comment for line in source.lines] == [True, True, False]


def test_positions_refer_to_the_raw_line() -> None:
    line = source_from_text("\t\tab", "f.cpy", "f.cpy").lines[0]
    assert line.text == "        ab"
    pos = line.pos(9)  # the "b" in the normalised text
    assert (pos.line, pos.col, pos.text) == (1, 4, "\t\tab")
    assert line.pos(0).col == 1


def test_invalid_utf8_names_the_line(tmp_path) -> None:
    path = tmp_path / "bad.cpy"
    path.write_bytes(b"CherryClass Root:\nmask:\n    def index(self):\n        caf\xe9\n")
    with pytest.raises(CpyError) as caught:
        read_file(str(path), "bad.cpy")
    assert str(caught.value).startswith("bad.cpy:4:12: error: the file is not valid UTF-8")


def test_bom_is_dropped() -> None:
    from cherryc.compiler.reader import decode

    assert decode("\ufeffx".encode("utf-8"), "f") == "x"


def test_display_names(tmp_path, monkeypatch) -> None:
    from cherryc.compiler.loader import STDLIB_DIR

    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    assert display_name("sub/a.cpy", STDLIB_DIR) == "sub/a.cpy"
    assert display_name(str(tmp_path / "sub" / "a.cpy"), STDLIB_DIR) == "sub/a.cpy"
    assert display_name(STDLIB_DIR + "/Form.cpy", STDLIB_DIR) == "cherryc/stdlib/Form.cpy"
    assert display_name("/etc/x.cpy", STDLIB_DIR) == "/etc/x.cpy"
