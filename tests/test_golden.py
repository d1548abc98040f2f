"""Golden files: .cpy in -> generated Python and rendered pages out; errors -> diagnostics."""

from __future__ import annotations

import contextlib
import io

import pytest

from cherryc.compiler.cli import main

from support import (
    Case, cases, chdir, compare, import_module_file, numbered, render_calls, start_site,
)  # fmt: skip


def _compile(case: Case, tmp_path) -> str:
    """Compile a case with its options through the CLI; return the module text."""
    output = tmp_path / "out.py"
    with chdir(case.directory):
        status, err = _run_cli(["compile", *case.options, "-O", str(output), case.main])
    assert status == 0, f"compile failed:\n{err}\n\n{numbered(case.source)}"
    return output.read_text(encoding="utf-8")


def _run_cli(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        status = main(argv)
    return status, err.getvalue()


def _normalise(text: str, case: Case, tmp_path) -> str:
    """The module as the golden file stores it: -O path and its base name made stable."""
    return text.replace(str(tmp_path / "out.py"), "out.py")


@pytest.mark.parametrize("case", cases("compile"), ids=lambda c: c.name)
def test_compile(case: Case, tmp_path, update_golden: bool) -> None:
    text = _normalise(_compile(case, tmp_path), case, tmp_path)
    compare(case.output("py"), text, update_golden,
            f"source {case.main}:\n{numbered(case.source)}")


@pytest.mark.parametrize("case", [c for c in cases("compile") if c.directives("render")],
                         ids=lambda c: c.name)
def test_render(case: Case, tmp_path, update_golden: bool) -> None:
    text = _compile(case, tmp_path)
    with chdir(tmp_path):  # files the site writes (e.g. out.dbg) land in the temporary folder
        module = import_module_file(tmp_path / "out.py")
        start_site(module)
        rendered = render_calls(module, case.directives("render"))
    compare(case.output("html"), rendered, update_golden,
            f"source {case.main}:\n{numbered(case.source)}\n\ngenerated:\n{numbered(text)}")


@pytest.mark.parametrize("case", cases("compile"), ids=lambda c: c.name)
def test_compile_is_deterministic(case: Case, tmp_path) -> None:
    assert _compile(case, tmp_path) == _compile(case, tmp_path)


@pytest.mark.parametrize("case", cases("errors"), ids=lambda c: c.name)
def test_error(case: Case, update_golden: bool, tmp_path) -> None:
    with chdir(case.directory):
        status, err = _run_cli(["check", *case.options, case.main])
    compare(case.output("txt"), f"{err}exit status: {status}\n", update_golden,
            f"source {case.main}:\n{numbered(case.source)}")
    assert status == (0 if "error:" not in err else 1)


def test_every_case_has_its_outputs() -> None:
    """A case without an expected output is a failure, not a skip."""
    missing = [c.name for c in cases("compile") if not c.output("py").exists()]
    missing += [c.name for c in cases("compile") if c.directives("render") and not c.output("html").exists()]
    missing += [c.name for c in cases("errors") if not c.output("txt").exists()]
    assert not missing, f"golden cases without outputs: {missing}"

