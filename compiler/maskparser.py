"""Builds the mask tree from mask tokens; both notations give the same nodes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from . import pycheck
from .errors import MaskSyntaxError, Position, PythonSyntaxError
from .masklexer import (
    ATTR, CODE, DEBUG, ELSE, END, EVAL, EXEC, FOR, IF, TAG, TEXT, MaskToken,
)  # fmt: skip
from .nodes import Code, CodeLine, Debug, Eval, Exec, For, If, Mask, MaskNode, Text


@dataclass
class _Open:
    """A block being built: the token that opened it and the nodes collected so far."""

    kind: str  # "if" | "else" | "for"
    token: MaskToken
    body: list[MaskNode] = field(default_factory=list)
    test: str = ""  # py-if: the checked condition
    loop: tuple[str, str] = ("", "")  # py-for: the checked target and iterable


def _error(message: str, token: MaskToken) -> MaskSyntaxError:
    return MaskSyntaxError(message, token.pos, token.notes)


def parse_mask(tokens: list[MaskToken], pos: Position) -> Mask:
    """Parse the tokens of one mask into a Mask node."""
    root: list[MaskNode] = []
    stack: list[_Open] = []
    just_closed_if: tuple[_Open, list[MaskNode]] | None = None

    def current() -> list[MaskNode]:
        return stack[-1].body if stack else root

    for token in tokens:
        closed_if, just_closed_if = just_closed_if, None
        kind = token.kind
        if kind == TEXT:
            body = current()
            if body and isinstance(body[-1], Text):
                body[-1] = Text(body[-1].text + token.value, pos=body[-1].pos)
            else:
                body.append(Text(token.value, pos=token.pos))
        elif kind in (EVAL, ATTR):
            where = "py-attr" if kind == ATTR else "py-eval"
            expr = pycheck.expression(token.value, where, _value_pos(token))
            current().append(Eval(expr, attr=kind == ATTR, pos=token.pos))
        elif kind == DEBUG:
            expr = pycheck.expression(token.value, "py-debug", _value_pos(token))
            current().append(Debug(expr, pos=token.pos))
        elif kind == EXEC:
            pycheck.statements(token.value, "py-exec", pycheck.single_line(_value_pos(token)))
            current().append(Exec(token.value.strip(), pos=token.pos))
        elif kind == CODE:
            current().append(_code(token))
        elif kind == IF:
            test = pycheck.expression(token.value, "py-if", _value_pos(token))
            stack.append(_Open("if", token, test=test))
        elif kind == FOR:
            stack.append(_Open("for", token, loop=_loop(token)))
        elif kind == ELSE:
            if closed_if is None:
                raise _error("Tag 'py-else' found without corresponding 'py-if' "
                             "(py-else must follow the end of a py-if, with only "
                             "whitespace between)", token)
            stack.append(_Open("else", token))
        elif kind == END:
            just_closed_if = _close(token, stack, current)
    if stack:
        block = stack[-1]
        closing = "</div>" if block.token.source.startswith("<div") else f"</py-{block.kind}>"
        raise _error(f"No matching '{closing}' tag for '{_shorten(block.token.source)}'",
                     block.token)
    return Mask(tuple(root), pos=pos)


def _close(
    token: MaskToken, stack: list[_Open], current: Callable[[], list[MaskNode]]
) -> tuple[_Open, list[MaskNode]] | None:
    """Close the innermost block with an END token; return it when it was a py-if."""
    if not stack:
        raise _error(f"Too many closing tags: '{token.source}' closes no open "
                     f"py-{token.value}", token)
    block = stack[-1]
    if block.kind != token.value:
        opened = block.token.pos
        raise _error(f"'{token.source}' closes py-{token.value}, but the innermost open "
                     f"block is the py-{block.kind} opened at line {opened.line}", token)
    stack.pop()
    body = current()
    if block.kind == "if":
        body.append(If(block.test, tuple(block.body), pos=block.token.pos))
        return block, body
    if block.kind == "else":
        last = body[-1]
        assert isinstance(last, If)
        body[-1] = If(last.test, last.body, tuple(block.body), True, pos=last.pos)
        return None
    target, iterable = block.loop
    body.append(For(target, iterable, tuple(block.body), pos=block.token.pos))
    return None


def _loop(token: MaskToken) -> tuple[str, str]:
    """Split and check `py-for="target in iterable"`."""
    value = token.value
    if " in " not in value:
        raise _error(f"py-for string '{value}' is not correct: write "
                     "py-for=\"name in iterable\"", token)
    target, iterable = value.split(" in ", 1)
    start = _value_pos(token)
    target_pos = pycheck.shifted(start, len(target) - len(target.lstrip()))
    iterable_pos = pycheck.shifted(start, len(target) + 4)
    target = target.strip()
    if not target:
        raise _error(f"py-for string '{value}' is not correct: the loop variable is missing",
                     token)
    pycheck.parse(f"for {target} in _: pass", "exec", "py-for",
                  lambda line, col: pycheck.shifted(target_pos, col - 5))
    return target, pycheck.expression(iterable, "py-for", iterable_pos)


def _code(token: MaskToken) -> Code:
    lines = tuple(CodeLine(text, pos=pos) for text, pos in token.lines)
    source = "\n".join(line.text for line in lines)

    def locate(line: int, col: int) -> Position:
        return pycheck.shifted(lines[min(line, len(lines)) - 1].pos, col - 1)

    try:
        pycheck.statements(source, "py-code", locate)
    except PythonSyntaxError:
        swallowed = next((line for line in lines if TAG.search(line.text)), None)
        if swallowed is None:
            raise
        raise _error(f"this py-code block is not closed with '\">' before the tag at line "
                     f"{swallowed.pos.line} ({swallowed.text.strip()[:30]}): close the block "
                     "with '\">' on a line of its own", token) from None
    return Code(lines, pos=token.pos)


def _value_pos(token: MaskToken) -> Position:
    return token.value_pos or token.pos


def _shorten(source: str) -> str:
    first = source.split("\n")[0]
    return first if len(first) <= 60 else first[:57] + "..."
