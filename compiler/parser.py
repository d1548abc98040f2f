"""Parses the classified lines of one .cpy file into a Module node (spec §4-§9)."""

from __future__ import annotations

import ast
import re
from typing import Callable

from . import pycheck
from .errors import CompileError, CpySyntaxError, CpyWarning, Position
from .lexer import (
    CLASS, CODE, INDENTED, SECTION, SECTIONS, SKIP, SPECIAL, SPECIAL_FUNCTIONS, USE,
    Token, tokenize,
)  # fmt: skip
from .maskparser import parse_mask
from .masklexer import IncludeResolver, MaskLexer, MaskToken
from .masktext import MaskText
from .nodes import Aspect, CherryClass, Mask, Method, Module, PyBlock, SpecialFunction, Use
from .reader import LEVEL, SourceFile, SourceLine

_CLASS_NAME = re.compile(r"[A-Z][A-Za-z0-9_]*$")
_PARENT_NAME = re.compile(r"[A-Za-z_][\w.]*$")
_MODULE_NAME = re.compile(r"[\w.\-/]+$")
_DEF = re.compile(r"def\s+([A-Za-z_]\w*)\s*\(")
_AFTER_PARAMS = re.compile(
    r"\s*(?:->\s*(?P<annotation>.+?))?(?P<modifiers>(?:\s+(?:hidden|xmlrpc)\b)*)\s*:"
    r"(?P<trailing>.*)$",
    re.DOTALL,
)
_CLASS_MODIFIERS = ("abstract", "hidden", "xmlrpc")
_BODY = 2 * LEVEL  # method bodies sit two levels deep in a section

#: Receives the tokens of each mask as it is parsed ("Class.method", tokens).
MaskTokensHook = Callable[[str, list[MaskToken]], None]


class Parser:
    """Parses one file. `parse()` returns the Module; `warnings` collects warnings."""

    def __init__(
        self,
        source: SourceFile,
        resolve_include: IncludeResolver,
        on_mask_tokens: MaskTokensHook | None = None,
    ) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.i = 0
        self.resolve_include = resolve_include
        self.on_mask_tokens = on_mask_tokens
        self.warnings: list[CpyWarning] = []

    # ---- helpers -----------------------------------------------------------------------

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def indented_lines(self, min_level: int) -> list[SourceLine]:
        """Consume the following indented lines of at least `min_level` (comments dropped)."""
        lines = []
        while (token := self.peek()) is not None:
            if token.kind == SKIP:
                self.i += 1
            elif token.kind == INDENTED and token.level >= min_level:
                lines.append(token.line)
                self.i += 1
            else:
                break
        return lines

    @staticmethod
    def error(message: str, line: SourceLine, col: int = 0) -> CpySyntaxError:
        return CpySyntaxError(message, line.pos(col))

    # ---- the file ----------------------------------------------------------------------

    def parse(self) -> Module:
        uses = self.parse_uses()
        imports: list[PyBlock] = []
        toplevel: list[PyBlock] = []
        specials: list[SpecialFunction] = []
        classes: list[CherryClass] = []
        while (token := self.peek()) is not None:
            line = token.line
            if token.kind == SKIP:
                self.i += 1
            elif token.kind == USE:
                raise self.error(
                    "'use' lines must come first in the file, before any other line", line)
            elif token.kind == CLASS:
                classes.append(self.parse_class())
            elif token.kind == SPECIAL:
                specials.append(self.parse_special())
            elif token.kind == CODE:
                more_imports, code = self.parse_toplevel()
                imports.extend(more_imports)
                toplevel.extend(code)
            elif token.kind == SECTION:
                name = line.text.rstrip(": ")
                if name in SECTIONS:
                    raise self.error(f"section '{name}:' outside a CherryClass: add a "
                                     "'CherryClass Name:' line above it", line)
                raise self.error(f"Not a valid line: '{line.text}'", line)
            else:
                raise self.error(
                    "unexpected indented line: it belongs to no CherryClass section, "
                    "special function or top-level statement", line, line.indent)
        return Module(
            file=self.source.display, path=self.source.path, uses=tuple(uses),
            imports=tuple(imports), toplevel=tuple(toplevel), specials=tuple(specials),
            classes=tuple(classes), pos=Position(self.source.display, 1, 1),
        )

    def parse_uses(self) -> list[Use]:
        """The leading `use A, B` lines (blank and comment lines may come between)."""
        uses = []
        while (token := self.peek()) is not None and token.kind in (USE, SKIP):
            self.i += 1
            if token.kind == SKIP:
                continue
            line = token.line
            names, positions = [], []
            col = 3
            for piece in line.text[3:].split(","):
                name = piece.strip()
                name_col = col + len(piece) - len(piece.lstrip())
                if not name or not _MODULE_NAME.match(name):
                    raise self.error(f"invalid module name {name!r} in 'use' line: write "
                                     "'use Module1, Module2'", line, name_col)
                names.append(name)
                positions.append(line.pos(name_col))
                col += len(piece) + 1
            uses.append(Use(tuple(names), tuple(positions), pos=line.pos(0)))
        return uses

    def parse_toplevel(self) -> tuple[list[PyBlock], list[PyBlock]]:
        """Top-level Python up to the next CherryClass, special function or section line.

        Column-0 import statements are split off (they go to the top of the generated
        module); the rest stays in source order, blank and comment lines included.
        """
        start = self.i
        while (token := self.peek()) is not None and token.kind in (CODE, INDENTED, SKIP):
            self.i += 1
        end = self.i
        while self.tokens[end - 1].kind == SKIP:
            end -= 1
        lines = [token.line for token in self.tokens[start:end]]
        code = "\n".join(line.text for line in lines)

        def locate(line: int, col: int) -> Position:
            return lines[min(line, len(lines)) - 1].pos(col - 1)

        tree = pycheck.parse(code, "exec", "top-level code", locate)
        is_import = [False] * len(lines)
        for statement in tree.body:  # type: ignore[attr-defined]
            if isinstance(statement, (ast.Import, ast.ImportFrom)):
                for n in range(statement.lineno - 1, statement.end_lineno):
                    is_import[n] = True
        imports: list[PyBlock] = []
        toplevel: list[PyBlock] = []
        run: list[SourceLine] = []
        for n, line in enumerate(lines):
            if n and is_import[n] != is_import[n - 1]:
                self._close_run(run, imports if is_import[n - 1] else toplevel)
                run = []
            run.append(line)
        self._close_run(run, imports if is_import[-1] else toplevel)
        return imports, toplevel

    @staticmethod
    def _close_run(run: list[SourceLine], blocks: list[PyBlock]) -> None:
        while run and not run[0].text.strip():
            run.pop(0)
        while run and run[-1].is_blank_or_comment:
            run.pop()
        if run:
            blocks.append(PyBlock(tuple(run), pos=run[0].pos(0)))

    # ---- def headers -------------------------------------------------------------------

    def parse_def(self, col: int) -> tuple[str, str, str, list[SourceLine], str, ast.arguments]:
        """Read a `def` header starting at column `col` of the current line.

        Returns (name, parameters, modifier, header lines, trailing code, parsed
        parameters). The header
        may continue on further lines while its parentheses are open. The header lines
        come back rewritten to end at the colon, without the modifier.
        """
        first = self.tokens[self.i].line
        found = _DEF.match(first.text, col)
        if not found:
            raise self.error(
                f"Expected function definition 'def func(self ...' instead of "
                f"'{first.text.strip()}'", first, col)
        lines = [first]
        self.i += 1
        text = first.text
        close = _matching_paren(text, found.end() - 1)
        while close < 0 and (token := self.peek()) is not None and token.kind in (INDENTED, SKIP):
            lines.append(token.line)
            self.i += 1
            text += "\n" + token.line.text
            close = _matching_paren(text, found.end() - 1)
        if close < 0:
            raise self.error("the parameter list of this def is not closed with ')'",
                             first, found.end() - 1)
        after = _AFTER_PARAMS.match(text, close + 1)
        if not after:
            raise self.error("expected ':' at the end of this def line", lines[-1],
                             len(lines[-1].text))
        params = text[found.end() : close]
        modifiers = after.group("modifiers").split()
        last = lines[-1]
        if len(modifiers) > 1:
            col = last.text.rfind(modifiers[-1])
            raise self.error("a method takes one modifier, 'hidden' or 'xmlrpc', not both",
                             last, col)
        header = text[: close + 1]
        if after.group("annotation"):
            header += " -> " + after.group("annotation").strip()
        header += ":"
        header_lines = header.split("\n")
        rewritten = [line.replace(h) for line, h in zip(lines, header_lines)]
        name = found.group(1)
        if name.startswith(pycheck.RESERVED_PREFIX):
            raise CompileError(pycheck.reserved_message(name), first.pos(found.start(1)))
        args = self._check_params(name, params, first, found.end())
        modifier = modifiers[0] if modifiers else ""
        return name, params, modifier, rewritten, after.group("trailing"), args

    @staticmethod
    def _check_params(name: str, params: str, line: SourceLine, col: int) -> ast.arguments:
        def locate(_line: int, c: int) -> Position:
            return line.pos(col + c - 1 - len("def f("))

        tree = pycheck.parse(f"def f({params}): pass", "exec", f"the parameters of {name}",
                             locate)
        return tree.body[0].args  # type: ignore[attr-defined]

    # ---- special functions ---------------------------------------------------------------

    def parse_special(self) -> SpecialFunction:
        line = self.tokens[self.i].line
        name, params, modifier, _, trailing, _ = self.parse_def(0)
        expected = SPECIAL_FUNCTIONS[name]
        if modifier or _signature(params) != _signature(expected):
            raise self.error(f"special function '{name}' must be declared exactly "
                             f"'def {name}({expected}):'", line)
        body = self._trailing_line(trailing, line, LEVEL) + self.indented_lines(1)
        return SpecialFunction(name, params.strip(), PyBlock(tuple(body), pos=line.pos(0)),
                               pos=line.pos(0))

    @staticmethod
    def _trailing_line(trailing: str, line: SourceLine, indent: int) -> list[SourceLine]:
        """Code written after the colon of a def, as a body line of its own."""
        code = trailing.strip()
        if not code or code.startswith("#"):
            return []
        return [line.replace(" " * indent + code)]

    # ---- CherryClass ---------------------------------------------------------------------

    def parse_class(self) -> CherryClass:
        line = self.tokens[self.i].line
        self.i += 1
        name, parents, flags = self.parse_class_header(line)
        variables: list[PyBlock] = []
        methods: list[Method] = []
        aspects: list[Aspect] | None = None
        section = None
        while (token := self.peek()) is not None:
            if token.kind == SKIP:
                self.i += 1
            elif token.kind == SECTION:
                section = token.line.text.rstrip(": ")
                if section not in SECTIONS:
                    raise self.error(
                        f"Not a valid section: '{section}:' (sections are variable:, "
                        "function:, view:, mask: and aspect:)", token.line)
                self.i += 1
                if section == "aspect":
                    if aspects is not None:
                        self.warnings.append(CpyWarning(
                            f"a second aspect: section in CherryClass {name} replaces the "
                            "first one (as in CherryPy 0.10); merge them into one",
                            token.line.pos(0)))
                    aspects = self.parse_aspects()
            elif token.kind == INDENTED:
                if section is None:
                    raise self.error("Line should be inside a section (variable:, function:, "
                                     "view:, mask: or aspect:)", token.line, token.line.indent)
                if section == "variable":
                    block = self.indented_lines(1)
                    variables.append(PyBlock(tuple(block), pos=block[0].pos(0)))
                else:
                    methods.append(self.parse_method(section, name))
            else:
                break
        return CherryClass(
            name, tuple(parents), flags["xmlrpc"], flags["hidden"], flags["abstract"],
            tuple(variables), tuple(methods), tuple(aspects or ()), pos=line.pos(0),
        )

    def parse_class_header(self, line: SourceLine) -> tuple[str, list[str], dict[str, bool]]:
        text = line.text
        if not text.endswith(":"):
            raise self.error("CherryClass declaration line doesn't end with ':'", line, len(text))
        rest = text[len("CherryClass") : -1].strip()
        start = len(text) - len(text[len("CherryClass") :].lstrip())  # column of `rest`
        flags = dict.fromkeys(_CLASS_MODIFIERS, False)
        while True:
            head, _, last = rest.rpartition(" ")
            if last not in flags or not head.strip():
                break
            if flags[last]:
                raise self.error(f"'{last}' is written twice in this CherryClass line",
                                 line, start + len(head) + 1)
            flags[last] = True
            rest = head.strip()
        parents: list[str] = []
        if "(" in rest:
            if not rest.endswith(")"):
                raise self.error(
                    "CherryClass declaration doesn't end with ')' (write "
                    "'CherryClass Name(Parent1, Parent2) xmlrpc hidden abstract:')", line,
                    len(text) - 1)
            rest, parent_text = rest[:-1].split("(", 1)
            offset = text.index("(") + 1
            for piece in parent_text.split(","):
                parent = piece.strip()
                col = offset + len(piece) - len(piece.lstrip())
                if not parent and parent_text.strip():
                    raise self.error("empty parent class name in the parent list", line, col)
                if parent and not _PARENT_NAME.match(parent):
                    raise self.error(f"invalid parent class {parent!r}", line, col)
                if parent:
                    parents.append(parent)
                offset += len(piece) + 1
        name = rest.strip()
        if not _CLASS_NAME.match(name):
            raise self.error(
                f"CherryClass '{name}' name is invalid. Name must start with an upper case "
                "character and consist only of letters, numbers and underscores.",
                line, max(text.find(name), 0) if name else len("CherryClass "))
        return name, parents, flags

    def parse_method(self, section: str, class_name: str) -> Method:
        token = self.tokens[self.i]
        line = token.line
        if token.level != 1 or not line.text[LEVEL:].startswith("def"):
            where = "mask text" if section == "mask" else "the body of a method"
            raise self.error(
                f"Not a valid line: expected 'def name(self, ...):' at this indentation in "
                f"a {section}: section ({where} goes 8 spaces deep, under its def)",
                line, line.indent)
        name, _, modifier, header, trailing, args = self.parse_def(LEVEL)
        first = (args.posonlyargs + args.args)[:1]
        if not first or first[0].arg != "self":
            raise self.error(
                f"Expected function definition 'def func(self ...' instead of "
                f"'{line.text.strip()}': methods take 'self' first", line, LEVEL)
        if modifier and section == "function":
            last = header[-1]
            raise CpySyntaxError(f"Only views and masks can be {modifier}: remove "
                                 f"'{modifier}', or move the method to a view: or mask: "
                                 "section", last.raw_pos(last.raw.rfind(modifier)))
        pos = line.pos(LEVEL)
        if section == "mask":
            if self._trailing_line(trailing, line, _BODY):
                col = len(header[-1].text) + len(trailing) - len(trailing.lstrip())
                raise self.error("mask text starts on the line after the def", line, col)
            body: PyBlock | Mask = self.parse_mask_body(
                self.indented_lines(2), pos, f"{class_name}.{name}")
        else:
            lines = self._trailing_line(trailing, line, _BODY) + self.indented_lines(2)
            body = PyBlock(tuple(lines), pos=pos)
        signature = "\n".join(h.text for h in header).strip()[len("def") :].strip()[:-1]
        return Method(section, name, signature, body, modifier == "hidden",
                      modifier == "xmlrpc", tuple(header), pos=pos)

    def parse_mask_body(self, lines: list[SourceLine], pos: Position, label: str) -> Mask:
        lexer = MaskLexer(MaskText.from_lines(lines, _BODY, ((self.source.path, None),)),
                          self.resolve_include)
        tokens = lexer.tokens()
        self.warnings.extend(lexer.warnings)
        if self.on_mask_tokens:
            self.on_mask_tokens(label, tokens)
        return parse_mask(tokens, pos)

    def parse_aspects(self) -> list[Aspect]:
        aspects: list[Aspect] = []
        while (token := self.peek()) is not None and token.kind in (INDENTED, SKIP):
            if token.kind == SKIP:
                self.i += 1
                continue
            line = token.line
            if token.level >= 2:
                raise self.error("aspect code must follow an aspect header such as "
                                 "'(method.type == \"mask\") start:'", line, line.indent)
            self.i += 1
            head = line.text[LEVEL:]
            condition, _, when = head[:-1].strip().rpartition(" ") if head.endswith(":") else ("", "", "")
            condition = condition.strip()
            if when not in ("start", "end") or not condition:
                raise self.error(f"Wrong aspect header: '{head}' (write '(condition) start:' "
                                 "or '(condition) end:')", line, LEVEL)
            if condition in ("*", "(*)"):
                condition = "*"
            else:
                pycheck.expression(condition, "an aspect condition", line.pos(LEVEL))
            body = self.indented_lines(2)
            aspects.append(Aspect(condition, when, PyBlock(tuple(body), pos=line.pos(LEVEL)),
                                  pos=line.pos(LEVEL)))
        return aspects


def _matching_paren(text: str, open_index: int) -> int:
    """Index of the `)` matching the `(` at `open_index`, skipping strings; -1 if none."""
    depth = 0
    quote = ""
    i = open_index
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _signature(params: str) -> str:
    """A spelling-independent form of a parameter list, for comparing special functions."""
    try:
        tree = ast.parse(f"def f({params}): pass")
    except SyntaxError:
        return "<invalid>"
    return ast.dump(tree.body[0].args)  # type: ignore[attr-defined]


def parse_source(
    source: SourceFile,
    resolve_include: IncludeResolver,
    on_mask_tokens: MaskTokensHook | None = None,
) -> tuple[Module, list[CpyWarning]]:
    """Parse one file; return its Module and the warnings found."""
    parser = Parser(source, resolve_include, on_mask_tokens)
    return parser.parse(), parser.warnings

