"""The source map of a generated module: its one format, how to build, embed and read it.

A generated module ends with

    _cpy_source_map = ('site.cpy', 'header.html'), '12:0:4+3;20:1:1*2;...'

The tuple names the source files; the string lists runs separated by `;`. A run
`G:F:S` says generated line G comes from line S of file number F; `G:F:S+N` adds that the
N following generated lines come from the N following source lines, and `G:F:S*N` that
the N following generated lines come from the same source line S. Generated lines that
are in no run (the scaffolding cherryc writes) have no source.
"""

from __future__ import annotations

import linecache
import os
import traceback
from bisect import bisect_right
from types import TracebackType
from typing import Iterable

#: The global every generated module defines; tracebacks are translated through it.
GLOBAL_NAME = "_cpy_source_map"


def encode(entries: Iterable[tuple[int, str, int]]) -> tuple[tuple[str, ...], str]:
    """Encode (generated line, file, source line) triples, in increasing generated line."""
    files: dict[str, int] = {}
    runs: list[list[int]] = []  # [generated, file index, source, count, step]
    for generated, file, line in entries:
        index = files.setdefault(file, len(files))
        if runs:
            run = runs[-1]
            g, f, s, count, step = run
            if generated == g + count + 1 and f == index:
                delta = line - (s + count * step)
                if count == 0 and delta in (0, 1):
                    run[3], run[4] = 1, delta
                    continue
                if count and delta == step:
                    run[3] += 1
                    continue
        runs.append([generated, index, line, 0, 1])
    text = ";".join(
        f"{g}:{f}:{s}" + (f"{'+' if step else '*'}{count}" if count else "")
        for g, f, s, count, step in runs
    )
    return tuple(files), text


class SourceMap:
    """A decoded source map: `lookup(generated line)` gives (file, line) or None."""

    def __init__(self, files: tuple[str, ...], runs: str) -> None:
        self.files = files
        self._starts: list[int] = []
        self._runs: list[tuple[int, int, int, int]] = []  # (file, source, count, step)
        for run in filter(None, runs.split(";")):
            head, _, tail = run.partition("+") if "+" in run else run.partition("*")
            step = 1 if "+" in run else 0
            generated, file, source = (int(x) for x in head.split(":"))
            self._starts.append(generated)
            self._runs.append((file, source, int(tail or 0), step))

    @classmethod
    def from_value(cls, value: object) -> "SourceMap | None":
        """Build from the value of a module's `_cpy_source_map` global, if it is one."""
        if (
            isinstance(value, tuple)
            and len(value) == 2
            and isinstance(value[0], tuple)
            and isinstance(value[1], str)
        ):
            return cls(value[0], value[1])
        return None

    def lookup(self, generated: int) -> tuple[str, int] | None:
        i = bisect_right(self._starts, generated) - 1
        if i < 0:
            return None
        file, source, count, step = self._runs[i]
        offset = generated - self._starts[i]
        if offset > count:
            return None
        return self.files[file], source + offset * step

    def entries(self) -> list[tuple[int, str, int]]:
        """Every (generated line, file, source line) triple (for tests and tools)."""
        out = []
        for start, (file, source, count, step) in zip(self._starts, self._runs):
            for offset in range(count + 1):
                out.append((start + offset, self.files[file], source + offset * step))
        return out


_cache: dict[int, SourceMap | None] = {}


def map_for_globals(namespace: dict) -> SourceMap | None:
    """The SourceMap of the module whose globals are `namespace`, if it was generated."""
    value = namespace.get(GLOBAL_NAME)
    if value is None:
        return None
    key = id(value)
    if key not in _cache:
        _cache[key] = SourceMap.from_value(value)
    return _cache[key]


def source_path(name: str, module_file: str | None) -> str | None:
    """The file a source-map name stands for, as an absolute path (None if not found).

    Names are as the compiler showed them: relative to where it ran (usually the folder
    of the generated module), absolute, or `cherryc/stdlib/<name>`.
    """
    if name.startswith("cherryc/stdlib/"):
        import cherryc.stdlib

        return os.path.join(os.path.dirname(cherryc.stdlib.__file__), name.rsplit("/", 1)[1])
    if os.path.isabs(name):
        return name
    folders = [os.path.dirname(os.path.abspath(module_file))] if module_file else []
    for folder in folders + [os.getcwd()]:
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate):
            return candidate
    return None


def translate(tb: TracebackType | None) -> list[traceback.FrameSummary]:
    """The frames of a traceback, with frames of generated code moved to their source.

    A frame inside a generated module names the .cpy file (or template) and line that
    produced the executing line; the source line is shown when the file can be read.
    """
    frames = []
    for frame, lineno in traceback.walk_tb(tb):
        code = frame.f_code
        summary = traceback.FrameSummary(code.co_filename, lineno, code.co_name, lookup_line=False)
        source_map = map_for_globals(frame.f_globals)
        found = source_map.lookup(lineno) if source_map else None
        if found:
            file, line = found
            path = source_path(file, frame.f_globals.get("__file__"))
            text = linecache.getline(path, line).strip() if path else ""
            summary = traceback.FrameSummary(file, line, code.co_name, lookup_line=False,
                                             line=text or None)
        elif not summary.line:
            summary = traceback.FrameSummary(code.co_filename, lineno, code.co_name)
        frames.append(summary)
    return frames


def format_exception(exc: BaseException) -> str:
    """Format an exception like Python does, with generated frames translated."""
    lines = ["Traceback (most recent call last):\n"]
    lines.extend(traceback.StackSummary.from_list(translate(exc.__traceback__)).format())
    lines.extend(traceback.format_exception_only(type(exc), exc))
    return "".join(lines)
