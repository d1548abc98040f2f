"""Turns the checked tree into the blocks of Python that make up the generated module."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from .checker import AppliedAspect, Analysis, ClassInfo
from .loader import Options
from .nodes import (
    Code, Debug, Eval, Exec, For, If, Mask, MaskNode, Method, Node, Program, PyBlock, Text,
)  # fmt: skip
from .pywriter import PyWriter
from .reader import SourceLine

#: A loop keeps `_index`/`_end` only when code in its body mentions them.
LOOP_VARIABLES = re.compile(r"\b_(?:index|end)\b")
#: User code that rebinds `_page` (`_page = [...]`): the appender must follow it.
REBINDS_PAGE = re.compile(r"(?<![\w.])_page\s*(?:=(?!=)|:)")
_BIND_APPEND = "_cpy_w = _page.append"
RETURN = re.compile(r"\breturn\b")
#: Values that can stand bare in an f-string: names, attributes, subscripts by literal.
SIMPLE_VALUE = re.compile(r"[A-Za-z_][\w.]*(\[(\d+|'[^'\\\]]*'|\"[^\"\\\]]*\")\])*\Z")


@dataclass
class Blocks:
    """The generated pieces, in the order the module template arranges them."""

    future: PyWriter
    init_program: PyWriter
    imports: PyWriter
    toplevel: PyWriter
    classes: PyWriter
    specials: PyWriter
    setup: PyWriter


def generate(program: Program, analysis: Analysis, options: Options) -> Blocks:
    """Generate every block of the module."""
    return CodeGenerator(program, analysis, options).generate()


class CodeGenerator:
    """Writes the blocks; masks are written by one `visit_<Node>` per mask node type."""

    def __init__(self, program: Program, analysis: Analysis, options: Options) -> None:
        self.program = program
        self.analysis = analysis
        self.options = options
        self.w = PyWriter()
        self.loop_depth = 0

    def generate(self) -> Blocks:
        future, imports = self.imports()
        return Blocks(
            future=future,
            init_program=self.init_program(),
            imports=imports,
            toplevel=self.toplevel(),
            classes=self.classes(),
            specials=self.specials(),
            setup=self.setup(),
        )

    # ---- module level ------------------------------------------------------------------

    def imports(self) -> tuple[PyWriter, PyWriter]:
        """Column-0 imports of every module, in parse order, each statement once."""
        future, imports = PyWriter(), PyWriter()
        seen: set[str] = set()
        several = sum(1 for m in self.program.modules if m.imports) > 1
        for module in self.program.modules:
            labelled = False
            for block in module.imports:
                if block.code in seen:
                    continue
                seen.add(block.code)
                target = future if block.code.startswith("from __future__") else imports
                if several and target is imports and not labelled:
                    imports.write(f"# {module.file}")
                    labelled = True
                for line in block.lines:
                    target.copy(line, "")
        return future, imports

    def init_program(self) -> PyWriter:
        """`initProgram` bodies, at module level: they run first when the module loads."""
        w = PyWriter()
        for piece in self.analysis.specials.get("initProgram", []):
            w.write(f"# ---- {piece.pos.file}:{piece.pos.line}  initProgram")
            _copy_block(w, piece.body, "")
        return w

    def toplevel(self) -> PyWriter:
        """Other top-level Python (cloud functions, helpers, constants), in source order."""
        w = PyWriter()
        for module in self.program.modules:
            for block in module.toplevel:
                w.blank(2)
                w.write(f"# ---- {block.pos.file}:{block.pos.line}  top-level code")
                for line in block.lines:
                    w.copy(line, "")
        return w

    def specials(self) -> PyWriter:
        """One function per special function, bodies concatenated in parse order."""
        w = PyWriter()
        for name, pieces in self.analysis.specials.items():
            if name == "initProgram":
                continue
            w.blank(2)
            where = ", ".join(f"{p.pos.file}:{p.pos.line}" for p in pieces)
            w.write(f"# ---- {where}  special function {name}")
            w.write(f"def {name}({pieces[0].params}):", pieces[0].pos)
            with w.indented():
                hoisted = _global_lines(pieces) if len(pieces) > 1 else {}
                names = list(dict.fromkeys(n for names in hoisted.values() for n in names))
                if names:
                    # Python 3 rejects `global x` after x was used, as joining bodies may do.
                    w.write(f"global {', '.join(names)}  # declared in the pieces below")
                for piece in pieces:
                    if len(pieces) > 1:
                        w.write(f"# from {piece.pos.file}:{piece.pos.line}")
                    _copy_block(w, piece.body, w.prefix, hoisted)
                if not any(piece.body.lines for piece in pieces):
                    w.write("pass")
        return w

    def setup(self) -> PyWriter:
        """The call that hands classes and URL tables to the runtime."""
        w = PyWriter()
        instances = [c for c in self.analysis.classes if not c.node.abstract]
        w.write("_cpy_site.setup(")
        with w.indented():
            w.write("classes={" if instances else "classes={},")
            if instances:
                with w.indented():
                    for info in instances:
                        w.write(f"{info.node.instance_name!r}: {info.name},")
                w.write("},")
            for label, table in (("urls", self.analysis.urls),
                                 ("xmlrpc_urls", self.analysis.xmlrpc_urls)):
                entries = {name: methods for name, methods in table.items() if methods}
                if not entries:
                    w.write(f"{label}={{}},")
                    continue
                w.write(f"{label}={{")
                with w.indented():
                    for name, methods in entries.items():
                        w.write(f"{name!r}: {methods!r},")
                w.write("},")
        w.write(")")
        return w

    # ---- classes -----------------------------------------------------------------------

    def classes(self) -> PyWriter:
        self.w = PyWriter()
        for info in self.analysis.classes:
            self.w.blank(2)
            self.cherry_class(info)
        return self.w

    def cherry_class(self, info: ClassInfo) -> None:
        node = info.node
        w = self.w
        flags = [f for f in ("xmlrpc", "hidden", "abstract") if getattr(node, f)]
        label = f" ({', '.join(flags)})" if flags else ""
        w.write(f"# ---- {node.pos.file}:{node.pos.line}  CherryClass {node.name}{label}")
        bases = list(node.parents)
        if not info.parents:
            bases.append("CherryClass")
        w.write(f"class {node.name}({', '.join(bases)}):", node.pos)
        with w.indented():
            if not node.variables and not node.methods:
                w.write("pass")
            for block in node.variables:
                w.write(f"# ---- {block.pos.file}:{block.pos.line}  variables")
                for line in block.lines:
                    w.copy(line, "")
            for n, method in enumerate(info.layout()):
                if n or node.variables:
                    w.blank()
                self.method(info, method)

    def method(self, info: ClassInfo, method: Method) -> None:
        w = self.w
        modifier = " hidden" if method.hidden else " xmlrpc" if method.xmlrpc else ""
        w.write(f"# ---- {method.pos.file}:{method.pos.line}  {method.kind} {method.name}{modifier}")
        starts, ends = self.analysis.aspects.get((info.name, method.name), ([], []))
        body = method.body
        if isinstance(body, Mask) and self.options.autoescape and _may_return_early(body, starts + ends):
            w.write("@_cpy_markup_result  # code in this mask may return a plain string")
        for line in method.header:
            w.copy(line, "")
        if isinstance(body, Mask):
            with w.indented():
                self.mask(body, starts, ends)
            return
        indent = " " * (body.lines[0].indent if body.lines else 8)
        self.aspects(starts, indent)
        for line in body.lines:
            w.copy(line, "")
        self.aspects(ends, indent)

    def aspects(self, applied: list[AppliedAspect], indent: str) -> None:
        """Copy aspect blocks into a method body at `indent`."""
        for item in applied:
            aspect = item.aspect
            self.w.write(f"# aspect of {item.owner} ({aspect.pos.file}:{aspect.pos.line}): "
                         f"{aspect.condition} {aspect.when}", indent=indent)
            _copy_block(self.w, aspect.body, indent)

    # ---- masks -------------------------------------------------------------------------

    def mask(self, mask: Mask, starts: list[AppliedAspect], ends: list[AppliedAspect]) -> None:
        w = self.w
        w.write("_page = []")
        self.aspects(starts, w.prefix)
        w.write(_BIND_APPEND)
        self.nodes(mask.body)
        self.aspects(ends, w.prefix)
        if self.options.autoescape:
            w.write("return _cpy_Markup(''.join(_page))")
        else:
            w.write("return ''.join(_page)")

    def visit(self, node: Node) -> None:
        visitor = getattr(self, f"visit_{type(node).__name__}", None)
        if visitor is None:
            raise NotImplementedError(f"no code generation for {type(node).__name__}")
        visitor(node)

    def body(self, nodes: tuple[MaskNode, ...]) -> None:
        """The nodes of a block, indented; `pass` if they generate nothing."""
        with self.w.indented():
            written = len(self.w.lines)
            self.nodes(nodes)
            if len(self.w.lines) == written:
                self.w.write("pass")

    def nodes(self, nodes: tuple[MaskNode, ...]) -> None:
        """Visit nodes; text and values of one source line become one f-string append."""
        run: list[Text | Eval] = []
        for node in nodes:
            if isinstance(node, Text) or (isinstance(node, Eval) and _fstring_safe(node.expr)):
                if not _joins(run, node):
                    self.output(run)
                    run = []
                run.append(node)
                continue
            self.output(run)
            run = []
            self.visit(node)
        self.output(run)

    def output(self, run: list[Text | Eval]) -> None:
        """Write a run of text and values: one append, an f-string when it holds values."""
        if len(run) == 1 or not any(isinstance(node, Eval) for node in run):
            for node in run:
                self.visit(node)
            return
        quote = '"' if not any('"' in n.expr for n in run if isinstance(n, Eval)) else "'"
        parts = [self._fstring_value(node.expr) if isinstance(node, Eval)
                 else _fstring_text(node.text, quote) for node in run]
        where = next(node.pos for node in run if isinstance(node, Eval))
        self.w.write(f"_cpy_w(f{quote}{''.join(parts)}{quote})", where, marker=True)

    def _fstring_value(self, expr: str) -> str:
        """A value inside an f-string: `{_cpy_escape(x)}`, or `{x!s}` (exactly `str(x)`)."""
        if self.options.autoescape:
            return f"{{_cpy_escape({expr})}}"
        return f"{{{expr}!s}}" if SIMPLE_VALUE.match(expr) else f"{{({expr})!s}}"

    def visit_Text(self, node: Text) -> None:
        self.w.write(f"_cpy_w({node.text!r})", node.pos, marker=True)

    def visit_Eval(self, node: Eval) -> None:
        convert = "_cpy_escape" if self.options.autoescape else "str"
        self.w.write(f"_cpy_w({convert}({node.expr}))", node.pos, marker=True)

    def visit_Exec(self, node: Exec) -> None:
        self.w.write(node.code, node.pos)
        if REBINDS_PAGE.search(node.code):
            self.w.write(_BIND_APPEND)

    def visit_Code(self, node: Code) -> None:
        for line in node.lines:
            self.w.write(line.text, line.pos)
        if any(REBINDS_PAGE.search(line.text) for line in node.lines):
            self.w.write(_BIND_APPEND)  # after the whole block: any branch may rebind

    def visit_Debug(self, node: Debug) -> None:
        if self.options.debug:
            self.w.write(f"debug({node.expr})", node.pos, marker=True)

    def visit_If(self, node: If) -> None:
        self.w.write(f"if {node.test}:", node.pos, marker=True)
        self.body(node.body)
        if node.has_else:
            self.w.write("else:", node.pos)
            self.body(node.orelse)

    def visit_For(self, node: For) -> None:
        w = self.w
        if not _mentions_loop_variables(node.body):
            w.write(f"for {node.target} in {node.iterable}:", node.pos, marker=True)
            self.body(node.body)
            return
        depth = self.loop_depth + 1
        nested = self.loop_depth > 0
        if nested:  # save the enclosing loop's _index and _end
            w.write(f"_cpy_outer{depth} = _index, _end", node.pos)
        w.write(f"_cpy_items{depth} = {node.iterable}", node.pos, marker=True)
        w.write(f"_end = _cpy_last_index(_cpy_items{depth})", node.pos)
        w.write(f"for _index, {_target(node.target)} in enumerate(_cpy_items{depth}):",
                node.pos, marker=True)
        self.loop_depth = depth
        self.body(node.body)
        self.loop_depth = depth - 1
        if nested:
            w.write(f"_index, _end = _cpy_outer{depth}", node.pos)


def _fstring_safe(expr: str) -> bool:
    """Whether a value can sit in an f-string: before Python 3.12 an f-string refuses a
    backslash or a `#` in a value, and one value cannot hold both kinds of quotes."""
    return not ("\\" in expr or "#" in expr or ('"' in expr and "'" in expr))


def _joins(run: list, node: Text | Eval) -> bool:
    """Whether `node` can go into the same f-string as `run`.

    All values of one f-string come from one source line (so that a traceback names its
    line exactly) and must leave one kind of quote free to delimit the f-string.
    """
    if isinstance(node, Text):
        return True
    values = [n for n in run if isinstance(n, Eval)]
    if values and (values[0].pos.file, values[0].pos.line) != (node.pos.file, node.pos.line):
        return False
    quotes = {q for n in values + [node] for q in "'\"" if q in n.expr}
    return len(quotes) < 2


def _fstring_text(text: str, quote: str) -> str:
    """Static text inside an f-string delimited by `quote`: escaped, braces doubled."""
    literal = repr(text)[1:-1] if repr(text)[0] == quote else _requote(text, quote)
    return literal.replace("{", "{{").replace("}", "}}")


def _requote(text: str, quote: str) -> str:
    """The inside of a string literal delimited by `quote` (repr chose the other quote)."""
    inner = repr(text)[1:-1]
    other = "'" if quote == '"' else '"'
    inner = inner.replace("\\" + other, other)  # repr escaped the quote it delimited with
    return inner.replace(quote, "\\" + quote)


def _copy_block(
    w: PyWriter, block: PyBlock, indent: str, hoisted: dict[int, list[str]] | None = None
) -> None:
    """Copy a block of user lines re-indented: its first line's indentation becomes `indent`.

    Lines in `hoisted` (by id) are `global` statements already declared at the top of
    the function; they become `pass` so that the block keeps its shape.
    """
    lines: tuple[SourceLine, ...] = block.lines
    if not lines:
        return
    common = lines[0].indent
    for line in lines:
        strip = min(common, line.indent)
        if hoisted and id(line) in hoisted:
            w.copy(line.replace(" " * line.indent + "pass  # " + line.text.strip()), indent, strip)
        else:
            w.copy(line, indent, strip)


def _global_lines(pieces: list) -> dict[int, list[str]]:
    """The one-line `global` statements of special-function pieces: id(line) -> names."""
    found: dict[int, list[str]] = {}
    for piece in pieces:
        lines = piece.body.lines
        if not lines:
            continue
        common = lines[0].indent
        code = "\n".join(line.text[min(common, line.indent):] for line in lines)
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue  # reported by the final compile() with its .cpy position
        for node in ast.walk(tree):
            if isinstance(node, ast.Global) and node.lineno == node.end_lineno:
                line = lines[node.lineno - 1]
                if line.text.strip().startswith("global") and ";" not in line.text:
                    found[id(line)] = node.names
    return found


def _target(target: str) -> str:
    """The loop target, parenthesised if it is a tuple, to follow `_index, ` in a for."""
    loop = ast.parse(f"for _index, {target} in _: pass").body[0]
    elements = loop.target.elts  # type: ignore[attr-defined]
    return target if len(elements) == 2 else f"({target})"


def _may_return_early(mask: Mask, aspects: list[AppliedAspect]) -> bool:
    """Whether user code in a mask (py-exec, py-code, aspects) contains a `return`."""
    texts = [a.aspect.body.code for a in aspects]
    stack = list(mask.body)
    while stack:
        node = stack.pop()
        if isinstance(node, Exec):
            texts.append(node.code)
        elif isinstance(node, Code):
            texts.extend(line.text for line in node.lines)
        elif isinstance(node, (If, For)):
            stack.extend(node.body)
            stack.extend(getattr(node, "orelse", ()))
    return any(RETURN.search(text) for text in texts)


def _mentions_loop_variables(nodes: tuple[MaskNode, ...]) -> bool:
    """Whether any code in `nodes` (nested blocks included) mentions `_index` or `_end`."""
    for node in nodes:
        if isinstance(node, (Eval, Debug)) and LOOP_VARIABLES.search(node.expr):
            return True
        if isinstance(node, Exec) and LOOP_VARIABLES.search(node.code):
            return True
        if isinstance(node, Code) and any(LOOP_VARIABLES.search(l.text) for l in node.lines):
            return True
        if isinstance(node, If) and (
            LOOP_VARIABLES.search(node.test)
            or _mentions_loop_variables(node.body)
            or _mentions_loop_variables(node.orelse)
        ):
            return True
        if isinstance(node, For) and (
            LOOP_VARIABLES.search(node.iterable + " " + node.target)
            or _mentions_loop_variables(node.body)
        ):
            return True
    return False
