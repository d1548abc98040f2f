"""The contract between generated modules and cherryc.runtime."""

from __future__ import annotations

import ast
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import cherryc.runtime
from cherryc.compiler import compile_source
from cherryc.compiler.loader import Options

TEMPLATE = Path(cherryc.compiler.__file__).parent / "templates" / "server_module.py.j2"


def _runtime_imports(text: str) -> set[str]:
    names = set()
    for found in re.finditer(r"^from cherryc\.runtime import (.+)$", text, re.MULTILINE):
        for part in found.group(1).split(","):
            names.add(part.split(" as ")[0].strip())
    return names


def test_the_module_template_imports_only_public_runtime_names() -> None:
    imported = _runtime_imports(TEMPLATE.read_text())
    assert imported and imported <= set(cherryc.runtime.__all__)
    assert not any(name.startswith("_") for name in cherryc.runtime.__all__)


def test_a_generated_module_imports_only_public_runtime_names() -> None:
    text = compile_source("CherryClass Root:\nmask:\n    def index(self):\n"
                          "        <py-for=\"x in 'ab'\"><py-eval=\"_index\"></py-for>\n",
                          options=Options(autoescape=True))
    tree = ast.parse(text)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cherryc"):
            assert node.module == "cherryc.runtime"
            assert {alias.name for alias in node.names} <= set(cherryc.runtime.__all__)


def test_every_public_runtime_name_exists() -> None:
    for name in cherryc.runtime.__all__:
        assert hasattr(cherryc.runtime, name), name


def test_the_runtime_never_imports_the_compiler() -> None:
    root = Path(cherryc.runtime.__file__).parent
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert "compiler" not in (node.module or ""), path
            if isinstance(node, ast.Import):
                assert not any("compiler" in a.name for a in node.names), path
    code = ("import sys, cherryc.runtime\n"
            "assert not any(m.startswith('cherryc.compiler') for m in sys.modules), sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_module_opens_with_a_one_line_docstring() -> None:
    for package in (cherryc.compiler, cherryc.runtime):
        for path in Path(package.__path__[0]).rglob("*.py"):
            doc = ast.get_docstring(ast.parse(path.read_text()))
            assert doc, f"{path} has no module docstring"
            assert doc.splitlines()[0].endswith("."), f"{path}: {doc.splitlines()[0]!r}"


def test_packages_are_namespaced() -> None:
    names = {m.name for m in pkgutil.iter_modules(cherryc.__path__)}
    assert {"compiler", "runtime", "stdlib"} <= names
