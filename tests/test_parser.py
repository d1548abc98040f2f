"""Parser: .cpy structure into nodes; trees compared with == (positions left out)."""

from __future__ import annotations

import pytest

from cherryc.compiler.errors import CpyError, CpySyntaxError, PythonSyntaxError
from cherryc.compiler.nodes import (
    Aspect, CherryClass, Eval, Mask, Method, Module, PyBlock, SpecialFunction, Text, Use,
)  # fmt: skip
from cherryc.compiler.parser import parse_source
from cherryc.compiler.reader import SourceLine, source_from_text


def parse(text: str) -> Module:
    def no_includes(name, pos, including):
        raise AssertionError("no include expected")

    module, _ = parse_source(source_from_text(text, "t.cpy", "t.cpy"), no_includes)
    return module


def block(*texts: str) -> PyBlock:
    return PyBlock(tuple(SourceLine(t, "t.cpy", 0, t) for t in texts))


def test_empty_file() -> None:
    assert parse("") == Module("t.cpy", "t.cpy")


def test_use_lines_may_follow_comments_and_blank_lines() -> None:
    module = parse("# my site\n\nuse Tools, Form.cpy\nuse MaskTools\n")
    assert module.uses == (Use(("Tools", "Form.cpy")), Use(("MaskTools",)))
    assert module.uses[0].name_positions[1].col == 12


def test_use_after_other_lines_is_an_error() -> None:
    with pytest.raises(CpySyntaxError, match="'use' lines must come first"):
        parse("import os\nuse Tools\n")


def test_class_header_modifiers_and_parents() -> None:
    module = parse("CherryClass A:\nCherryClass B(A, mod.C) xmlrpc hidden abstract:\n"
                   "CherryClass C hidden xmlrpc:\n")
    assert module.classes == (
        CherryClass("A"),
        CherryClass("B", ("A", "mod.C"), xmlrpc=True, hidden=True, abstract=True),
        CherryClass("C", (), xmlrpc=True, hidden=True),
    )
    assert module.classes[2].instance_name == "c"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("CherryClass Root", "doesn't end with ':'"),
        ("CherryClass Root(A:", "doesn't end with '\\)'"),
        ("CherryClass root:", "name is invalid"),
        ("CherryClass Ro-ot:", "name is invalid"),
        ("CherryClass Root hidden hidden:", "written twice"),
        ("CherryClass Root(1x):", "invalid parent"),
    ],
)
def test_bad_class_headers(header: str, message: str) -> None:
    with pytest.raises(CpySyntaxError, match=message):
        parse(header + "\n")


def test_sections_repeat_and_methods_keep_source_order() -> None:
    module = parse(
        "CherryClass Root:\n"
        "variable:\n    a = 1\n"
        "mask:\n    def index(self):\n        <py-eval=\"self.a\">!\n"
        "variable:\n    b = a + 1\n"
        "function:\n    def f(self, x=')'):\n        return x\n"
        "view:\n    def v(self) hidden:\n        return 'v'\n"
        "    def w(self) xmlrpc:\n        return 'w'\n"
    )
    root = module.classes[0]
    assert root.variables == (block("    a = 1"), block("    b = a + 1"))
    assert root.methods == (
        Method("mask", "index", "index(self)", Mask((Eval("self.a"), Text("!\n")))),
        Method("function", "f", "f(self, x=')')", block("        return x")),
        Method("view", "v", "v(self)", block("        return 'v'"), hidden=True),
        Method("view", "w", "w(self)", block("        return 'w'"), xmlrpc=True),
    )


def test_def_header_may_span_lines_and_hold_a_one_line_body() -> None:
    module = parse("CherryClass Root:\nview:\n    def v(self,\n          a=1) -> str: return a\n")
    method = module.classes[0].methods[0]
    assert method.signature == "v(self,\n          a=1) -> str"
    assert method.body == block("        return a")
    assert [line.text for line in method.header] == ["    def v(self,", "          a=1) -> str:"]


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("CherryClass R:\n    x = 1\n", CpySyntaxError, "Line should be inside a section"),
        ("CherryClass R:\nmak:\n", CpySyntaxError, "Not a valid section: 'mak:'"),
        ("mask:\n", CpySyntaxError, "outside a CherryClass"),
        ("CherryClass R:\nmask:\n    def index():\n        x\n", CpySyntaxError, "'self' first"),
        ("CherryClass R:\nmask:\n    def index(x):\n        x\n", CpySyntaxError, "'self' first"),
        ("CherryClass R:\nfunction:\n    def f(self) hidden:\n        return 1\n",
         CpySyntaxError, "Only views and masks can be hidden"),
        ("CherryClass R:\nmask:\n    text\n", CpySyntaxError, "Not a valid line"),
        ("CherryClass R:\nmask:\n    def index(self): text\n", CpySyntaxError,
         "mask text starts on the line after the def"),
        ("CherryClass R:\nmask:\n    def index(self, a=(:\n        x\n", CpySyntaxError,
         "not closed"),
        ("CherryClass R:\naspect:\n    (1) middle:\n        x\n", CpySyntaxError,
         "Wrong aspect header"),
        ("CherryClass R:\naspect:\n        x = 1\n", CpySyntaxError, "must follow an aspect header"),
        ("CherryClass R:\naspect:\n    (1 +) start:\n        x\n", PythonSyntaxError,
         "aspect condition"),
        ("def initThread(i):\n    pass\n", CpySyntaxError, "def initThread\\(threadIndex\\)"),
        ("x = (\n", PythonSyntaxError, "invalid Python in top-level code"),
        ("    x = 1\n", CpySyntaxError, "unexpected indented line"),
    ],
)
def test_structural_errors(text: str, error: type[CpyError], message: str) -> None:
    with pytest.raises(error, match=message):
        parse(text)


def test_special_functions_and_their_bodies() -> None:
    module = parse("def initServer():\n    global n\n\n    n = 0\n"
                   "def logMessage(message,level = 0):\n    pass\n"
                   "def initRequest(): pass\n")
    assert module.specials == (
        SpecialFunction("initServer", "", block("    global n", "    n = 0")),
        SpecialFunction("logMessage", "message,level = 0", block("    pass")),
        SpecialFunction("initRequest", "", block("    pass")),
    )


def test_toplevel_code_keeps_blank_lines_and_imports_are_split_off() -> None:
    module = parse("import os\n@engine.define\ndef hello():\n\n    return 'hi'\n"
                   "from x import (a,\n    b)\nLIMIT = 3\n\n# trailing comment\n"
                   "CherryClass Root:\n")
    assert module.imports == (block("import os"), block("from x import (a,", "    b)"))
    assert module.toplevel == (
        block("@engine.define", "def hello():", "", "    return 'hi'"),
        block("LIMIT = 3"),
    )
    assert module.classes == (CherryClass("Root"),)


def test_code_after_a_class_ends_the_class() -> None:
    module = parse("CherryClass A:\nmask:\n    def index(self):\n        a\n"
                   "HELPER = 1\nCherryClass B:\n")
    assert [c.name for c in module.classes] == ["A", "B"]
    assert module.toplevel == (block("HELPER = 1"),)


def test_aspects_and_the_star_condition() -> None:
    module = parse("CherryClass A:\naspect:\n    (method.type == 'mask') start:\n"
                   "        _page.append('<')\n    * end:\n        pass\n    (*) end:\n")
    assert module.classes[0].aspects == (
        Aspect("(method.type == 'mask')", "start", block("        _page.append('<')")),
        Aspect("*", "end", block("        pass")),
        Aspect("*", "end", block()),
    )


def test_a_second_aspect_section_replaces_the_first_with_a_warning() -> None:
    source = source_from_text("CherryClass A:\naspect:\n    * start:\n        a = 1\n"
                              "aspect:\n    * end:\n        b = 1\n", "t.cpy", "t.cpy")
    module, warnings = parse_source(source, lambda *a: None)  # type: ignore[arg-type,return-value]
    assert [a.when for a in module.classes[0].aspects] == ["end"]
    assert "replaces the first" in warnings[0].message
    assert warnings[0].pos is not None and warnings[0].pos.line == 5
