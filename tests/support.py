"""Helpers shared by the tests: golden cases, importing generated modules, rendering."""

from __future__ import annotations

import difflib
import importlib.util
import itertools
import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from cherryc.runtime import request, response

GOLDEN = Path(__file__).parent / "golden"
_counter = itertools.count()


@dataclass(frozen=True)
class Case:
    """One golden case: `inputs/NNN-name.cpy`, or a folder `inputs/NNN-name/` with site.cpy.

    Leading comment lines of the main file may hold directives:
    `# options: --autoescape -W 2` (compiler options) and `# render: root.index()`
    (expressions rendered into the .html output; several lines allowed).
    """

    kind: str
    name: str
    directory: Path  # where the compiler runs
    main: str  # the main .cpy file, relative to `directory`

    @property
    def number(self) -> str:
        return self.name.split("-", 1)[0]

    def output(self, extension: str) -> Path:
        return GOLDEN / self.kind / "outputs" / f"{self.number}.{extension}"

    @property
    def source(self) -> str:
        return (self.directory / self.main).read_text(encoding="utf-8", errors="replace")

    def directives(self, key: str) -> list[str]:
        found = []
        for line in self.source.splitlines():
            if not line.startswith("#"):
                break
            head, _, value = line[1:].strip().partition(":")
            if head.strip() == key:
                found.append(value.strip())
        return found

    @property
    def options(self) -> list[str]:
        return [word for line in self.directives("options") for word in shlex.split(line)]


def cases(kind: str) -> list[Case]:
    """All cases of a kind, in number order."""
    found = []
    for entry in sorted((GOLDEN / kind / "inputs").iterdir()):
        if entry.is_dir():
            found.append(Case(kind, entry.name, entry, "site.cpy"))
        elif entry.suffix == ".cpy":
            found.append(Case(kind, entry.stem, entry.parent, entry.name))
    return found


def numbered(text: str) -> str:
    """Text with line numbers, for failure messages."""
    return "\n".join(f"{n:4} | {line}" for n, line in enumerate(text.splitlines(), 1))


def compare(expected_path: Path, actual: str, update: bool, context: str) -> None:
    """Compare with a golden file (or rewrite it); on a difference fail with a diff."""
    if update:
        expected_path.write_text(actual, encoding="utf-8")
        return
    if not expected_path.exists():
        raise AssertionError(f"missing golden output {expected_path} (run pytest "
                             f"--update-golden to create it)\n\n{context}")
    expected = expected_path.read_text(encoding="utf-8")
    if expected != actual:
        diff = "".join(difflib.unified_diff(
            expected.splitlines(True), actual.splitlines(True),
            str(expected_path), "actual"))
        raise AssertionError(f"{expected_path.name} differs:\n{diff}\n\n{context}")


def import_module_file(path: str | Path) -> ModuleType:
    """Import a generated module from its file under a fresh, unique module name."""
    name = f"_cpy_test_module_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def start_site(module: ModuleType) -> None:
    """Create the instances and run initServer, as the server does at start-up."""
    module._cpy_site.start()


def fake_request(**overrides: object) -> None:
    """Give this thread request/response objects, as the server does per request."""
    attributes = {"base": "http://127.0.0.1:8000", "path": "", "paramMap": {},
                  "headerMap": {}, "method": "GET"}
    attributes.update(overrides)
    request.reset(**attributes)
    response.reset(headerMap={"status": "200 OK", "content-type": "text/html"}, body="")


def render_calls(module: ModuleType, expressions: list[str]) -> str:
    """Evaluate each expression in the module's globals; the golden .html text."""
    parts = []
    for expression in expressions:
        fake_request()
        value = eval(expression, vars(module))  # noqa: S307 (test input)
        parts.append(f"==== {expression}\n{value}\n==== (end)\n")
    return "".join(parts)


class chdir:
    """Context manager: run with another working directory."""

    def __init__(self, path: str | Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        self.old = os.getcwd()
        os.chdir(self.path)

    def __exit__(self, *exc: object) -> None:
        os.chdir(self.old)
