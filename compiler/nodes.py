"""The syntax tree of a .cpy program: frozen dataclasses, positions left out of equality."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Iterator, Union

from .errors import Position
from .reader import SourceLine

_NOWHERE = Position("<none>", 0)


def _pos() -> Position:
    return field(default=_NOWHERE, compare=False, repr=False)


class Node:
    """Base of every node: a generic child walk for visitors and dumps."""

    pos: Position

    def children(self) -> Iterator["Node"]:
        """Yield the nodes held directly by this one, in field order."""
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            items = value if isinstance(value, tuple) else (value,)
            for item in items:
                if isinstance(item, Node):
                    yield item


# ---- Python code copied from the source -------------------------------------------------


@dataclass(frozen=True)
class PyBlock(Node):
    """Lines of Python copied verbatim (normalised indentation), each with its origin."""

    lines: tuple[SourceLine, ...]
    pos: Position = _pos()

    @property
    def code(self) -> str:
        return "\n".join(line.text for line in self.lines)


# ---- masks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text(Node):
    """Static mask text, emitted as it is."""

    text: str
    pos: Position = _pos()


@dataclass(frozen=True)
class Eval(Node):
    """`py-eval`: the value of `expr`; `attr` marks a `py-attr` attribute value."""

    expr: str
    attr: bool = False
    pos: Position = _pos()


@dataclass(frozen=True)
class Exec(Node):
    """`py-exec`: one Python statement."""

    code: str
    pos: Position = _pos()


@dataclass(frozen=True)
class CodeLine(Node):
    """One line of a `py-code` block, indentation relative to the block."""

    text: str
    pos: Position = _pos()


@dataclass(frozen=True)
class Code(Node):
    """`py-code`: a block of Python statements."""

    lines: tuple[CodeLine, ...]
    pos: Position = _pos()


@dataclass(frozen=True)
class If(Node):
    """`py-if` with its body and the body of a following `py-else` (may be empty)."""

    test: str
    body: tuple["MaskNode", ...]
    orelse: tuple["MaskNode", ...] = ()
    has_else: bool = False
    pos: Position = _pos()


@dataclass(frozen=True)
class For(Node):
    """`py-for="target in iterable"`; `_index`/`_end` are kept when the body uses them."""

    target: str
    iterable: str
    body: tuple["MaskNode", ...]
    pos: Position = _pos()


@dataclass(frozen=True)
class Debug(Node):
    """`py-debug`: `debug(expr)` in a -D build, nothing otherwise."""

    expr: str
    pos: Position = _pos()


MaskNode = Union[Text, Eval, Exec, Code, If, For, Debug]


@dataclass(frozen=True)
class Mask(Node):
    """The body of a mask method."""

    body: tuple[MaskNode, ...]
    pos: Position = _pos()


# ---- .cpy structure ---------------------------------------------------------------------


@dataclass(frozen=True)
class Use(Node):
    """A `use A, B` line."""

    names: tuple[str, ...]
    name_positions: tuple[Position, ...] = field(default=(), compare=False, repr=False)
    pos: Position = _pos()


@dataclass(frozen=True)
class SpecialFunction(Node):
    """One file's definition of a special function (`initRequest`, `onError`, ...)."""

    name: str
    params: str
    body: PyBlock
    pos: Position = _pos()


@dataclass(frozen=True)
class Method(Node):
    """A method of a `function:`, `view:` or `mask:` section.

    `header` holds the `def` line(s) as written; `signature` is the text between `def `
    and the final colon, without the `hidden`/`xmlrpc` modifier.
    """

    kind: str  # "function" | "view" | "mask"
    name: str
    signature: str
    body: Union[PyBlock, Mask]
    hidden: bool = False
    xmlrpc: bool = False
    header: tuple[SourceLine, ...] = field(default=(), compare=False, repr=False)
    pos: Position = _pos()


@dataclass(frozen=True)
class Aspect(Node):
    """One `(condition) start:` or `(condition) end:` block of an `aspect:` section."""

    condition: str
    when: str  # "start" | "end"
    body: PyBlock
    pos: Position = _pos()


@dataclass(frozen=True)
class CherryClass(Node):
    """A `CherryClass Name(Parents) [xmlrpc] [hidden] [abstract]:` declaration."""

    name: str
    parents: tuple[str, ...] = ()
    xmlrpc: bool = False
    hidden: bool = False
    abstract: bool = False
    variables: tuple[PyBlock, ...] = ()
    methods: tuple[Method, ...] = ()
    aspects: tuple[Aspect, ...] = ()
    pos: Position = _pos()

    @property
    def instance_name(self) -> str:
        """The global instance: the class name with its first letter lower-cased."""
        return self.name[0].lower() + self.name[1:]


@dataclass(frozen=True)
class Module(Node):
    """One .cpy file, parsed.

    `imports` are the column-0 import statements (hoisted to the top of the generated
    module); `toplevel` holds the other top-level Python, in source order.
    """

    file: str
    path: str
    uses: tuple[Use, ...] = ()
    imports: tuple[PyBlock, ...] = ()
    toplevel: tuple[PyBlock, ...] = ()
    specials: tuple[SpecialFunction, ...] = ()
    classes: tuple[CherryClass, ...] = ()
    pos: Position = _pos()


@dataclass(frozen=True)
class Program(Node):
    """Every module of a compilation, dependencies before the modules that use them."""

    modules: tuple[Module, ...]
    pos: Position = _pos()


def dump(node: Node, indent: str = "") -> str:
    """A readable multi-line dump of a tree, with the position of every node."""
    name = type(node).__name__
    scalars = []
    for f in fields(node):  # type: ignore[arg-type]
        if f.name == "pos" or not f.compare:
            continue
        value = getattr(node, f.name)
        if isinstance(value, Node) or (
            isinstance(value, tuple) and value and isinstance(value[0], (Node, SourceLine))
        ):
            continue
        scalars.append(f"{f.name}={value!r}")
    where = f"  @{node.pos}" if node.pos is not _NOWHERE else ""
    out = [f"{indent}{name}({', '.join(scalars)}){where}"]
    if isinstance(node, PyBlock):
        out.extend(f"{indent}  | {line.text}" for line in node.lines)
    for child in node.children():
        out.append(dump(child, indent + "  "))
    return "\n".join(out)
