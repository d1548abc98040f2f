"""Semantic pass: inheritance, instances, aspects per method, URL tables, special functions."""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field

from . import pycheck
from .errors import CompileError, CpySyntaxError, CpyWarning
from .lexer import SPECIAL_FUNCTIONS
from .nodes import Aspect, CherryClass, Method, Module, Program, PyBlock, SpecialFunction

#: Names the generated module defines for .cpy code; an instance must not hide them.
MODULE_GLOBALS = (
    "os", "sys", "time", "threading", "request", "response", "configFile", "debug",
    "logMessage", "engine", "Engine", "LeanEngineError", "cloudfunc", "CherryClass",
)  # fmt: skip

#: Class layout order of 0.10: functions, then views, then masks (spec §6).
_LAYOUT = {"function": 0, "view": 1, "mask": 2}


@dataclass(frozen=True)
class AppliedAspect:
    """An aspect block applied to a method, with the class that declared it."""

    owner: str
    aspect: Aspect


@dataclass
class ClassInfo:
    """A CherryClass with its CherryClass parents resolved."""

    node: CherryClass
    module: Module
    parents: list["ClassInfo"]
    mro: list["ClassInfo"] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.node.name

    def layout(self) -> list[Method]:
        """Methods in the order they are written into the class body."""
        return sorted(self.node.methods, key=lambda m: _LAYOUT[m.kind])

    def own_methods(self) -> dict[str, Method]:
        """The method each name ends up bound to in this class body (later wins)."""
        return {method.name: method for method in self.layout()}


@dataclass
class Analysis:
    """What code generation needs beyond the tree."""

    classes: list[ClassInfo]
    aspects: dict[tuple[str, str], tuple[list[AppliedAspect], list[AppliedAspect]]]
    urls: dict[str, tuple[str, ...]]
    xmlrpc_urls: dict[str, tuple[str, ...]]
    specials: dict[str, list[SpecialFunction]]
    warnings: list[CpyWarning]

    def info(self, name: str) -> ClassInfo:
        return next(c for c in self.classes if c.name == name)


def analyse(program: Program) -> Analysis:
    """Check the program as a whole and compute the semantic model."""
    warnings: list[CpyWarning] = []
    classes = _resolve_classes(program, warnings)
    for info in classes:
        info.mro = _linearise(info)
    _check_reserved_names(program)
    return Analysis(
        classes=classes,
        aspects=_apply_aspects(classes),
        urls={c.node.instance_name: _url_names(c, xmlrpc=False) for c in classes if _reachable(c)},
        xmlrpc_urls={c.node.instance_name: _url_names(c, xmlrpc=True) for c in classes if _reachable(c)},
        specials=_merge_specials(program, warnings),
        warnings=warnings,
    )


# ---- classes ----------------------------------------------------------------------------


def _resolve_classes(program: Program, warnings: list[CpyWarning]) -> list[ClassInfo]:
    known: dict[str, ClassInfo] = {}
    declared_later = {c.name: c for m in program.modules for c in m.classes}
    order: list[ClassInfo] = []
    for module in program.modules:
        for node in module.classes:
            if node.name in known:
                first = known[node.name].node.pos
                raise CompileError(f"CherryClass '{node.name}' is already defined at {first}",
                                   node.pos)
            parents = []
            for parent in node.parents:
                if parent == node.name:
                    raise CompileError(f"CherryClass '{node.name}' cannot inherit from itself",
                                       node.pos)
                if parent in known:
                    parents.append(known[parent])
                elif parent in declared_later:
                    raise CompileError(
                        f"CherryClass '{node.name}' inherits from '{parent}', which is "
                        f"defined later (at {declared_later[parent].pos}): define the parent "
                        "first, or 'use' the module that defines it", node.pos)
            info = ClassInfo(node, module, parents)
            known[node.name] = info
            order.append(info)
            _check_class(info, warnings)
    return order


def _check_class(info: ClassInfo, warnings: list[CpyWarning]) -> None:
    node = info.node
    if not node.abstract and node.instance_name in MODULE_GLOBALS:
        warnings.append(CpyWarning(
            f"the instance '{node.instance_name}' of CherryClass {node.name} hides the "
            f"global '{node.instance_name}' of the generated module; rename the class",
            node.pos))
    seen: dict[str, Method] = {}
    for method in node.methods:
        if method.name in seen:
            warnings.append(CpyWarning(
                f"{method.kind} '{method.name}' of CherryClass {node.name} replaces the "
                f"{seen[method.name].kind} of the same name defined at line "
                f"{seen[method.name].pos.line}", method.pos))
        seen[method.name] = method
        if method.kind != "mask" and not method.body.lines:  # type: ignore[union-attr]
            raise CpySyntaxError(f"{method.kind} '{method.name}' has no body: indent its "
                                 "code under the def", method.pos)


def _linearise(info: ClassInfo) -> list[ClassInfo]:
    """C3 method resolution order over the CherryClass parents (as Python computes it)."""
    sequences = [list(p.mro) for p in info.parents] + [list(info.parents)]
    result = [info]
    while any(sequences):
        for seq in sequences:
            if not seq:
                continue
            head = seq[0]
            if not any(head in other[1:] for other in sequences):
                break
        else:
            raise CompileError(f"cannot order the parents of CherryClass '{info.name}' "
                               "consistently (Python's MRO rules); reorder them", info.node.pos)
        result.append(head)
        for seq in sequences:
            if seq and seq[0] is head:
                del seq[0]
    return result


def _reachable(info: ClassInfo) -> bool:
    """Only instances of non-hidden classes have URLs; abstract classes have no instance."""
    return not info.node.abstract and not info.node.hidden


def _url_names(info: ClassInfo, xmlrpc: bool) -> tuple[str, ...]:
    """Masks and views reachable on the instance of `info`, by web or by XML-RPC.

    A name is reachable when the method it resolves to (method resolution order) is a
    mask or view that is not hidden and is defined in a class that is not hidden
    (spec §14: hidden parents pass on no URL names).
    """
    names: list[str] = []
    seen: set[str] = set()
    for owner in info.mro:
        for name, method in owner.own_methods().items():
            if name in seen:
                continue
            seen.add(name)
            if method.kind == "function" or method.hidden or owner.node.hidden:
                continue
            is_xmlrpc = method.xmlrpc or owner.node.xmlrpc or info.node.xmlrpc
            if is_xmlrpc == xmlrpc:
                names.append(name)
    return tuple(names)


# ---- aspects ----------------------------------------------------------------------------


def _apply_aspects(
    classes: list[ClassInfo],
) -> dict[tuple[str, str], tuple[list[AppliedAspect], list[AppliedAspect]]]:
    """Evaluate every aspect condition for every method of the classes below it.

    For class C: for each parent P, left to right, the aspects P inherited (by the same
    rule), then P's own. `start` blocks go in that order, `end` blocks reversed.
    """
    inherited: dict[str, list[AppliedAspect]] = {}
    result = {}
    for info in classes:
        collected: list[AppliedAspect] = []
        for parent in info.parents:
            collected.extend(inherited[parent.name])
            collected.extend(AppliedAspect(parent.name, a) for a in parent.node.aspects)
        inherited[info.name] = collected
        if not collected:
            continue
        for method in info.node.methods:
            context = AspectMethod(
                name=method.name, className=info.name, type=method.kind,
                isHidden=int(info.node.hidden or method.hidden),
                isXmlrpc=int(info.node.xmlrpc or method.xmlrpc),
            )
            chosen = [a for a in collected if _condition_holds(a, context)]
            starts = [a for a in chosen if a.aspect.when == "start"]
            ends = [a for a in reversed(chosen) if a.aspect.when == "end"]
            result[(info.name, method.name)] = (starts, ends)
    return result


class AspectMethod:
    """The `method` an aspect condition sees: name, className, type, isHidden, isXmlrpc."""

    __slots__ = ("name", "className", "type", "isHidden", "isXmlrpc")

    def __init__(self, **values: object) -> None:
        for key, value in values.items():
            setattr(self, key, value)

    def __getattr__(self, name: str) -> object:
        raise AttributeError(f"method has no attribute {name!r}")


_CONDITIONS: dict[str, object] = {}


def _condition_holds(applied: AppliedAspect, method: AspectMethod) -> bool:
    aspect = applied.aspect
    if aspect.condition == "*":
        return True
    code = _CONDITIONS.get(aspect.condition)
    if code is None:
        code = _CONDITIONS[aspect.condition] = compile(aspect.condition, "<aspect>", "eval")
    try:
        return bool(eval(code, {"__builtins__": builtins}, {"method": method}))  # noqa: S307
    except Exception as exc:  # a user's condition may raise anything
        raise CompileError(
            f"the aspect condition {aspect.condition} raised {type(exc).__name__}: {exc} "
            f"(for {method.type} {method.className}.{method.name}; conditions may use "
            "method.name, className, type, isHidden and isXmlrpc)", aspect.pos) from None


# ---- special functions and reserved names -----------------------------------------------


def _merge_specials(program: Program, warnings: list[CpyWarning]) -> dict[str, list[SpecialFunction]]:
    """Special-function pieces by name, in SPECIAL_FUNCTIONS order, pieces in parse order."""
    pieces: dict[str, list[SpecialFunction]] = {name: [] for name in SPECIAL_FUNCTIONS}
    for module in program.modules:
        for special in module.specials:
            pieces[special.name].append(special)
    for special in pieces["hotReloadInitServer"]:
        warnings.append(CpyWarning(
            "hotReloadInitServer is never called: cherryc has no HOTRELOAD request; "
            "use 'cherryc serve --reload' instead", special.pos))
    return {name: found for name, found in pieces.items() if found}


def _check_reserved_names(program: Program) -> None:
    """No verbatim Python block may use a `_cpy_` name (mask snippets are checked earlier)."""
    for module in program.modules:
        blocks: list[PyBlock] = [*module.imports, *module.toplevel]
        blocks.extend(s.body for s in module.specials)
        for node in module.classes:
            blocks.extend(node.variables)
            blocks.extend(a.body for a in node.aspects)
            blocks.extend(m.body for m in node.methods if isinstance(m.body, PyBlock))
        for block in blocks:
            found = pycheck.find_reserved(block.code)
            if found:
                line, col, name = found
                source = block.lines[line - 1]
                raise CompileError(pycheck.reserved_message(name), source.pos(col - 1))
