"""Checks embedded Python snippets and reports their errors at .cpy positions."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from typing import Callable

from .errors import CompileError, Position, PythonSyntaxError

#: Prefix of every name cherryc generates; user code may not use it.
RESERVED_PREFIX = "_cpy_"
_RESERVED = re.compile(r"\b_cpy_\w*")

#: Maps (1-based line, 1-based column) inside a snippet to a source position.
Locator = Callable[[int, int], Position]


def shifted(pos: Position, columns: int) -> Position:
    """`pos` moved right by `columns` on the same line."""
    return Position(pos.file, pos.line, pos.col + columns, pos.text)


def single_line(pos: Position) -> Locator:
    """Locator for a one-line snippet that starts at `pos`."""
    return lambda line, col: shifted(pos, col - 1)


def syntax_error(exc: SyntaxError, where: str, locate: Locator, source: str) -> PythonSyntaxError:
    """Turn a SyntaxError raised for a snippet into an error at its .cpy position."""
    line = exc.lineno or 1
    lines = source.split("\n")
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    # CPython gives no offset (or 0) for errors at the end of the input: point there.
    col = exc.offset if exc.offset and exc.offset > 0 else len(text) + 1
    col = min(col, len(text) + 1)
    message = f"invalid Python in {where}: {exc.msg}"
    if '\\"' in source:
        message += (
            ' (inside a tag value, \\" is only valid within a Python string;'
            " write other strings with single quotes)"
        )
    return PythonSyntaxError(message, locate(line, col))


def parse(source: str, mode: str, where: str, locate: Locator) -> ast.AST:
    """ast.parse `source`, reporting a syntax error at its .cpy position."""
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as exc:
        raise syntax_error(exc, where, locate, source) from None
    check_reserved(tree, source, locate)
    return tree


def check_reserved(tree: ast.AST, source: str, locate: Locator) -> None:
    """Reject user identifiers that start with the reserved `_cpy_` prefix."""
    if RESERVED_PREFIX not in source:
        return
    for node in ast.walk(tree):
        name = None
        if isinstance(node, ast.Name):
            name = node.id
        elif isinstance(node, ast.Attribute):
            name = node.attr
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            name = node.name
        elif isinstance(node, ast.arg):
            name = node.arg
        elif isinstance(node, ast.alias):
            name = node.asname or node.name
        if name and name.startswith(RESERVED_PREFIX):
            line = getattr(node, "lineno", 1)
            col = getattr(node, "col_offset", 0) + 1
            raise CompileError(reserved_message(name), locate(line, col))


def reserved_message(name: str) -> str:
    return (
        f"the name {name!r} is reserved: names starting with {RESERVED_PREFIX!r} "
        "belong to the code cherryc generates; rename it"
    )


def find_reserved(code: str) -> tuple[int, int, str] | None:
    """Find a reserved identifier in verbatim code: (1-based line, 1-based col, name).

    A quick regex first; tokenize confirms that the match is a name, not text inside
    a string or a comment.
    """
    if not _RESERVED.search(code):
        return None
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            if tok.type == tokenize.NAME and tok.string.startswith(RESERVED_PREFIX):
                return tok.start[0], tok.start[1] + 1, tok.string
    except (tokenize.TokenError, IndentationError, SyntaxError):
        # Broken code: compile() of the whole module reports it with a better message.
        return None
    return None


def strip_comment(source: str) -> str:
    """Remove a trailing `# comment` from a one-line expression, if there is one."""
    if "#" not in source:
        return source
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return source
    for tok in tokens:
        if tok.type == tokenize.COMMENT:
            return source[: tok.start[1]].rstrip()
    return source


def expression(source: str, where: str, pos: Position) -> str:
    """Check a one-line expression; return it ready to embed in a generated line.

    A trailing comment is dropped (it would swallow the rest of the generated line) and
    a bare tuple `a, b` is parenthesised, so `str(a, b)` can never be generated.
    """
    source = strip_comment(source.strip())
    locate = single_line(pos)
    if not source:
        raise PythonSyntaxError(f"empty Python expression in {where}", pos)
    parse(source, "eval", where, locate)
    call = ast.parse(f"f({source})", mode="eval").body
    if len(call.args) != 1 or call.keywords:  # type: ignore[attr-defined]
        return f"({source})"
    return source


def statements(source: str, where: str, locate: Locator) -> None:
    """Check one or more statements (a `py-exec` or a `py-code` block)."""
    if not source.strip():
        return
    parse(source, "exec", where, locate)
