"""Finds modules (`use`) and templates (`py-include`) on the include path; orders modules."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import cherryc.stdlib

from typing import Callable

from .errors import CompileError, CpyWarning, Position
from .masklexer import MaskToken
from .nodes import Module, Program
from .parser import parse_source
from .reader import LEVEL, SourceFile, display_name, read_file, source_from_text

STDLIB_DIR = os.path.dirname(os.path.abspath(cherryc.stdlib.__file__))


@dataclass(frozen=True)
class Options:
    """Compiler options that affect what is read and generated."""

    debug: bool = False
    whitespace: int = LEVEL
    include_dirs: tuple[str, ...] = ()
    autoescape: bool = False
    shebang: str = ""


class IncludePath:
    """The directories searched for modules and templates.

    Order: the working directory, the directory of the file that asks, the `-I`
    directories (the last given first), then the standard library (DESIGN.md §2; the
    including file's directory is an addition, so that a site compiles from anywhere).
    """

    def __init__(self, include_dirs: tuple[str, ...]) -> None:
        self.include_dirs = include_dirs

    def dirs(self, near: str | None) -> list[str]:
        candidates = ["."]
        if near:
            candidates.append(os.path.dirname(near) or ".")
        candidates.extend(reversed(self.include_dirs))
        candidates.append(STDLIB_DIR)
        seen: set[str] = set()
        unique = []
        for directory in candidates:
            real = os.path.realpath(directory)
            if real not in seen:
                seen.add(real)
                unique.append(directory)
        return unique

    def find(
        self, name: str, near: str | None, exists: Callable[[str], bool] = os.path.isfile
    ) -> str | None:
        if os.path.isabs(name):
            return name if exists(name) else None
        for directory in self.dirs(near):
            candidate = os.path.join(directory, name)
            if exists(candidate):
                return os.path.normpath(candidate)
        return None

    def describe(self, near: str | None) -> str:
        return ", ".join(display_name(d, STDLIB_DIR) if d != STDLIB_DIR else "cherryc/stdlib"
                         for d in self.dirs(near))


@dataclass
class Loader:
    """Reads and parses every module of a program once; reads templates once."""

    options: Options
    warnings: list[CpyWarning] = field(default_factory=list)
    #: When set, the tokens of every mask: (module file, "Class.method", tokens).
    mask_tokens: list[tuple[str, str, list[MaskToken]]] | None = None

    def __post_init__(self) -> None:
        self.path = IncludePath(self.options.include_dirs)
        self._modules: dict[str, Module] = {}
        self._templates: dict[str, SourceFile] = {}
        self._texts: dict[str, tuple[str, str]] = {}

    @property
    def files_read(self) -> tuple[str, ...]:
        """Every module and template read so far (real paths), for watching changes."""
        return tuple(self._modules) + tuple(self._templates)

    def add_source(self, name: str, text: str) -> None:
        """Provide the contents of a module that is not (or not yet) on disk."""
        self._texts[os.path.realpath(name)] = (name, text)

    def read(self, path: str, strip: bool) -> SourceFile:
        """Read a file; `-W` applies to the user's files, not to the standard library."""
        in_stdlib = os.path.dirname(os.path.realpath(path)) == os.path.realpath(STDLIB_DIR)
        unit = LEVEL if in_stdlib else self.options.whitespace
        return read_file(path, display_name(path, STDLIB_DIR), unit, strip)

    def resolve_include(self, name: str, pos: Position, including: str) -> SourceFile:
        """Find and read the template named by a `py-include`."""
        path = self.path.find(name, including)
        if path is None:
            raise CompileError(f"Cannot find file '{name}' (searched: "
                               f"{self.path.describe(including)})", pos)
        real = os.path.realpath(path)
        if real not in self._templates:
            source = self.read(path, strip=False)
            self._templates[real] = SourceFile(real, source.display, source.lines)
        return self._templates[real]

    def load_module(self, path: str) -> Module:
        real = os.path.realpath(path)
        if real not in self._modules:
            if real in self._texts:
                name, text = self._texts[real]
                source = source_from_text(text, real, display_name(name, STDLIB_DIR),
                                          self.options.whitespace)
            else:
                source = self.read(path, strip=True)
            source = SourceFile(real, source.display, source.lines)
            hook = None
            if self.mask_tokens is not None:
                tokens_of = self.mask_tokens
                hook = lambda label, tokens: tokens_of.append((source.display, label, tokens))  # noqa: E731
            module, warnings = parse_source(source, self.resolve_include, hook)
            self._modules[real] = module
            self.warnings.extend(warnings)
        return self._modules[real]

    def module_path(self, name: str, pos: Position, near: str) -> str:
        """The file of `use <name>` (`.cpy` is added unless given)."""
        filename = name if name.endswith(".cpy") else name + ".cpy"
        path = self.path.find(
            filename, near, lambda p: os.path.realpath(p) in self._texts or os.path.isfile(p))
        if path is None:
            raise CompileError(f"Cannot find module '{name}' ({filename}; searched: "
                               f"{self.path.describe(near)})", pos)
        return path

    def load_program(self, files: list[str]) -> Program:
        """Load the given files and everything they use, dependencies first."""
        order: list[Module] = []
        done: set[str] = set()
        visiting: list[str] = []
        used_from: list[Position | None] = []

        def visit(path: str, used_at: Position | None) -> None:
            real = os.path.realpath(path)
            if real in done:
                return
            if real in visiting:
                start = visiting.index(real)
                cycle = [self._modules[p].file for p in visiting[start:]]
                names = " -> ".join(cycle + [self._modules[real].file])
                error = CompileError(f"Infinite loop in modules dependency: {names}", used_at)
                for pos in used_from[start + 1 :]:
                    if pos is not None:
                        error.with_note("used from here", pos)
                raise error
            module = self.load_module(path)
            visiting.append(real)
            used_from.append(used_at)
            for use in module.uses:
                for name, pos in zip(use.names, use.name_positions):
                    visit(self.module_path(name, pos, module.path), pos)
            visiting.pop()
            used_from.pop()
            done.add(real)
            order.append(module)

        for path in files:
            if os.path.realpath(path) not in self._texts and not os.path.isfile(path):
                raise CompileError(f"cannot read {path!r}: no such file")
            visit(path, None)
        return Program(tuple(order))
