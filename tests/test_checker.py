"""Checker: inheritance, aspect order per method, URL tables, special functions."""

from __future__ import annotations

import pytest

from cherryc.compiler import load
from cherryc.compiler.checker import Analysis, analyse
from cherryc.compiler.errors import CompileError, CpyError
from cherryc.compiler.loader import Options


def analysis_of(text: str, tmp_path, monkeypatch) -> Analysis:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "site.cpy").write_text(text)
    program, _ = load(["site.cpy"], Options())
    return analyse(program)


def aspect_names(analysis: Analysis, cls: str, method: str) -> tuple[list[str], list[str]]:
    starts, ends = analysis.aspects.get((cls, method), ([], []))
    code = lambda a: a.aspect.body.lines[0].text.strip()  # noqa: E731
    return [code(a) for a in starts], [code(a) for a in ends]


ASPECTS = """\
CherryClass Aspect_A:
aspect:
    (1) start:
        a_start()
    (1) end:
        a_end()
CherryClass Aspect_B:
aspect:
    (method.name != 'skip') start:
        b_start()
    (method.name != 'skip') end:
        b_end()
CherryClass A(Aspect_A):
aspect:
    (method.type == 'view') start:
        own_a()
view:
    def v(self):
        return 'a'
CherryClass B(A, Aspect_B):
view:
    def v(self):
        return 'b'
    def skip(self):
        return 's'
mask:
    def m(self):
        x
"""


def test_aspect_order_follows_parents_and_ends_are_reversed(tmp_path, monkeypatch) -> None:
    analysis = analysis_of(ASPECTS, tmp_path, monkeypatch)
    # A's own method sees only what A inherited (never A's own aspects).
    assert aspect_names(analysis, "A", "v") == (["a_start()"], ["a_end()"])
    # B(A, Aspect_B): A's inherited, A's own, then Aspect_B's; ends reversed.
    assert aspect_names(analysis, "B", "v") == (
        ["a_start()", "own_a()", "b_start()"], ["b_end()", "a_end()"])
    assert aspect_names(analysis, "B", "skip") == (["a_start()", "own_a()"], ["a_end()"])
    assert aspect_names(analysis, "B", "m") == (["a_start()", "b_start()"], ["b_end()", "a_end()"])


def test_aspect_conditions_see_the_method(tmp_path, monkeypatch) -> None:
    analysis = analysis_of(
        "CherryClass P:\naspect:\n"
        "    (method.isHidden and method.className == 'C') start:\n        hidden()\n"
        "    (method.isXmlrpc) start:\n        rpc()\n"
        "CherryClass C(P):\nview:\n    def h(self) hidden:\n        return ''\n"
        "    def x(self) xmlrpc:\n        return ''\n", tmp_path, monkeypatch)
    assert aspect_names(analysis, "C", "h") == (["hidden()"], [])
    assert aspect_names(analysis, "C", "x") == (["rpc()"], [])


def test_a_failing_aspect_condition_is_reported_at_the_aspect(tmp_path, monkeypatch) -> None:
    with pytest.raises(CompileError, match="raised NameError") as caught:
        analysis_of("CherryClass P:\naspect:\n    (nope) start:\n        x\n"
                    "CherryClass C(P):\nview:\n    def v(self):\n        return ''\n",
                    tmp_path, monkeypatch)
    assert caught.value.pos.line == 3


URLS = """\
CherryClass Base abstract:
mask:
    def index(self):
        base
    def secret(self) hidden:
        s
function:
    def helper(self):
        return 1
CherryClass Hidden hidden:
view:
    def h(self):
        return 'h'
CherryClass Root(Base, Hidden):
view:
    def about(self):
        return 'about'
    def call(self) xmlrpc:
        return 1
CherryClass Xml_rpc xmlrpc:
view:
    def reverse(self, s):
        return s[::-1]
CherryClass Over(Base):
function:
    def index(self):
        return 'not a page'
"""


def test_url_tables(tmp_path, monkeypatch) -> None:
    analysis = analysis_of(URLS, tmp_path, monkeypatch)
    assert analysis.urls == {"root": ("about", "index"), "xml_rpc": (), "over": ()}
    assert analysis.xmlrpc_urls == {"root": ("call",), "xml_rpc": ("reverse",), "over": ()}
    assert [c.name for c in analysis.info("Root").mro] == ["Root", "Base", "Hidden"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("CherryClass A:\nCherryClass A:\n", "already defined at site.cpy:1"),
        ("CherryClass B(A):\nCherryClass A:\n", "which is defined later"),
        ("CherryClass A(A):\n", "cannot inherit from itself"),
        ("CherryClass A:\nCherryClass B(A):\nCherryClass C(A, B):\n", "cannot order the parents"),
        ("CherryClass A:\nview:\n    def v(self):\n", "has no body"),
        ("_cpy_x = 1\n", "the name '_cpy_x' is reserved"),
        ("CherryClass A:\nmask:\n    def m(self):\n        <py-eval=\"_cpy_w\">\n", "reserved"),
    ],
)
def test_semantic_errors(text: str, message: str, tmp_path, monkeypatch) -> None:
    with pytest.raises(CpyError, match=message):
        analysis_of(text, tmp_path, monkeypatch)


def test_special_functions_are_merged_in_parse_order(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Lib.cpy").write_text("def initServer():\n    lib()\n")
    (tmp_path / "site.cpy").write_text("use Lib\ndef initServer():\n    site()\n")
    program, _ = load(["site.cpy"], Options())
    pieces = analyse(program).specials["initServer"]
    assert [p.pos.file for p in pieces] == ["Lib.cpy", "site.cpy"]


def test_warnings(tmp_path, monkeypatch) -> None:
    analysis = analysis_of(
        "CherryClass Time:\nview:\n    def v(self):\n        return ''\n"
        "    def v(self):\n        return ''\n"
        "def hotReloadInitServer():\n    pass\n", tmp_path, monkeypatch)
    messages = [w.message for w in analysis.warnings]
    assert any("hides the global 'time'" in m for m in messages)
    assert any("replaces the view of the same name" in m for m in messages)
    assert any("hotReloadInitServer is never called" in m for m in messages)
