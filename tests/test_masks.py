"""Mask lexer and parser: CGTL tags and CHTL attributes give the same nodes (spec §10)."""

from __future__ import annotations

import pytest

from cherryc.compiler.errors import MaskSyntaxError, PythonSyntaxError
from cherryc.compiler.maskparser import parse_mask
from cherryc.compiler.masklexer import tokenize_mask
from cherryc.compiler.masktext import MaskText
from cherryc.compiler.nodes import Code, CodeLine, Debug, Eval, Exec, For, If, Text
from cherryc.compiler.reader import source_from_text

TEMPLATES = {
    "head.html": "<head>\n  # kept\n\n</head>\n",
    "outer.html": "[<py-include=\"inner.html\">]",
    "inner.html": "<py-eval=\"1\">",
    "loop1.html": "<py-include=\"loop2.html\">",
    "loop2.html": "<py-include=\"loop1.html\">",
    "bad.html": "ok\n<py-if=\"1\">\n",
}


def resolve(name, pos, including):
    if name not in TEMPLATES:
        raise AssertionError(name)
    return source_from_text(TEMPLATES[name], "/t/" + name, name, strip=False)


def mask_text(body: str) -> MaskText:
    lines = source_from_text(
        "".join("        " + line + "\n" for line in body.split("\n")), "/t/m.cpy", "m.cpy"
    ).lines
    return MaskText.from_lines(list(lines), 8, (("/t/m.cpy", None),))


def tokens(body: str) -> list[tuple[str, str]]:
    return [(t.kind, t.value) for t in tokenize_mask(mask_text(body), resolve)]


def nodes(body: str):
    return parse_mask(tokenize_mask(mask_text(body), resolve), None).body  # type: ignore[arg-type]


def test_plain_text_gets_a_newline_per_line() -> None:
    assert nodes("a\n    b") == (Text("a\n    b\n"),)


def test_eval_in_both_notations() -> None:
    assert nodes('<py-eval="x">') == (Eval("x"), Text("\n"))
    assert nodes('<py-eval="x"/>|<py-eval="y" />') == (Eval("x"), Text("|"), Eval("y"), Text("\n"))
    assert nodes('<td class="a" py-eval="x">dummy</td>') == (
        Text('<td class="a">'), Eval("x"), Text("</td>\n"))
    assert nodes('<div py-eval="x">any<div>thing</div></div>!') == (Eval("x"), Text("!\n"))


def test_eval_attribute_content_is_dropped_up_to_the_next_tag() -> None:
    assert nodes('<u py-eval="x">old <b>bold</b></u>') == (
        Text("<u>"), Eval("x"), Text("<b>bold</b></u>\n"))


def test_attr_fills_the_next_attribute() -> None:
    assert nodes('<td py-attr="c" bgColor="">x</td>') == (
        Text('<td bgColor="'), Eval("c", attr=True), Text('">x</td>\n'))
    assert nodes("<a py-attr=\"h\" href='old'>") == (
        Text("<a href='"), Eval("h", attr=True), Text("'>\n"))


def test_escaped_quotes_stay_in_the_python() -> None:
    assert nodes('<py-exec="a = \'1 \\"2\\"\'">') == (Exec("a = '1 \\\"2\\\"'"), Text("\n"))


def test_if_else_swallows_whitespace_between_them() -> None:
    assert nodes('<py-if="c">A</py-if>  \n  <py-else>B</py-else>') == (
        If("c", (Text("A"),), (Text("B"),), True), Text("\n"))
    assert nodes('<div py-if="c">A</div>\n<div py-else>B</div>') == (
        If("c", (Text("A"),), (Text("B"),), True), Text("\n"))


def test_if_without_else_keeps_the_following_whitespace() -> None:
    assert nodes('<py-if="c">A</py-if>\n  x') == (If("c", (Text("A"),)), Text("\n  x\n"))


def test_div_blocks_match_nested_divs() -> None:
    assert nodes('<div py-for="i in l"><div>x</div></div>') == (
        For("i", "l", (Text("<div>x</div>"),)), Text("\n"))


def test_exec_code_and_debug() -> None:
    assert nodes('<div py-exec="a = 1"></div>') == (Exec("a = 1"), Text("\n"))
    assert nodes('<py-code="\n    if a:\n        b()\n">') == (
        Code((CodeLine("if a:"), CodeLine("    b()"))), Text("\n"))
    assert nodes('<py-debug="x">|<div py-debug="y">gone</div>') == (
        Debug("x"), Text("|"), Debug("y"), Text("\n"))


def test_for_splits_at_the_first_in() -> None:
    assert nodes('<py-for="k, v in d.items()"></py-for>') == (
        For("k, v", "d.items()", ()), Text("\n"))


def test_bare_tuples_and_comments_are_made_safe() -> None:
    assert nodes('<py-eval="a, b">') == (Eval("(a, b)"), Text("\n"))
    assert nodes('<py-eval="a  # note">') == (Eval("a"), Text("\n"))


def test_includes_are_expanded_first_and_keep_blank_and_comment_lines() -> None:
    assert nodes('a<py-include="head.html">b') == (Text("a<head>\n  # kept\n\n</head>\nb\n"),)
    assert nodes('<div py-include="outer.html">placeholder</div>') == (
        Text("["), Eval("1"), Text("\n]\n\n"))


def test_token_kinds() -> None:
    assert tokens('<py-if="a">x</py-if><py-else>y</py-else>') == [
        ("IF", "a"), ("TEXT", "x"), ("END", "if"), ("ELSE", ""), ("TEXT", "y"),
        ("END", "else"), ("TEXT", "\n"),
    ]


@pytest.mark.parametrize(
    ("body", "message", "col"),
    [
        ("<py-eval 2>", "Tag 'py-eval' should be followed by '=\"'", 10),
        ("the py-if word", "Tag 'py-if' should be followed", 13),
        ('<py-if="1">x', "No matching '</py-if>' tag for '<py-if=\"1\">'", 9),
        ('<div py-for="i in l">x', "No matching '</div>'", 9),
        ("x</py-for>", "Too many closing tags", 10),
        ("<py-else>x</py-else>", "py-else' found without corresponding 'py-if'", 9),
        ('<py-if="1">a</py-if>b<py-else>c</py-else>', "without corresponding", 30),
        ('<py-if="1">a</py-for>', "closes py-for, but the innermost open block is the py-if", 21),
        ('<py-code="x">', "must be followed by a newline", 19),
        ('<py-code="\n  x = 1\n', "No closing '\">' for the 'py-code' block", 9),
        ('<div py-exec="a=1">x</div>', "must be followed immediately by '</div>' (found 'x</div>')", 28),
        ('<tr py-if="1">x</tr>', "not of a <tr>", 13),
        ('<py-for="x">a</py-for>', "py-for string 'x' is not correct", 9),
        ('<py-eval="x', "No closing '\"'", 10),
        ('<py-eval="x" class="y">', "No closing '\">'", 20),
        ('<td py-eval="x" class="y">', "py-eval must be the last attribute of <td>: move class=\"y\"", 25),
        ("<py-attr=\"x\">", "py-attr is an attribute", 10),
        ('<td py-attr="x">', "must be followed by the attribute it fills", 13),
        ("</py-eval>", "is not a closing tag", 9),
        ('<b py-include="x">', "'py-include' tag can be used either as", 12),
        ('<py-include="loop1.html">', "Infinite loop in 'py-include': loop1.html -> loop2.html -> loop1.html", 1),
    ],
)
def test_mask_errors(body: str, message: str, col: int) -> None:
    with pytest.raises(MaskSyntaxError) as caught:
        nodes(body)
    assert message in caught.value.message
    assert caught.value.pos.col == col


def test_errors_in_included_templates_name_the_template_and_the_include() -> None:
    with pytest.raises(MaskSyntaxError) as caught:
        nodes('x\n<py-include="bad.html">')
    error = caught.value
    assert (error.pos.file, error.pos.line, error.pos.col) == ("bad.html", 2, 1)
    assert [(m, p.file, p.line) for m, p in error.notes] == [("included from here", "m.cpy", 2)]


@pytest.mark.parametrize(
    ("body", "col"),
    [('<py-eval="1 +* 2">', 22), ('<py-if="a b">x</py-if>', 19), ('<py-for="1 in x"></py-for>', 18),
     ('<py-exec="a = = 1">', 23), ('<td py-attr="a)" x="">', 23)],
)
def test_python_errors_point_into_the_tag_value(body: str, col: int) -> None:
    with pytest.raises(PythonSyntaxError) as caught:
        nodes(body)
    assert caught.value.pos.col == col


def test_python_errors_in_code_blocks_name_their_line() -> None:
    with pytest.raises(PythonSyntaxError) as caught:
        nodes('<py-code="\n    a = 1\n    b = = 2\n">')
    assert (caught.value.pos.line, caught.value.pos.col) == (3, 17)
