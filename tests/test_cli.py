"""The `cherryc` command, run as a real process: naming, options, exit codes, no partial files."""

from __future__ import annotations

import contextlib
import io
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import cherryc
from cherryc.compiler import cli

HELLO = "CherryClass Root:\nmask:\n    def index(self):\n        Hello\n"
BROKEN = "CherryClass Root:\nmask:\n    def index(self):\n        <py-if=\"1\">\n"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cherryc", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60)


def files(directory: Path) -> set[str]:
    return {str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    ("source", "output"),
    [("site.cpy", "siteServer.py"), ("web/Root.cpy", "web/RootServer.py"),
     ("./site.cpy", "siteServer.py"), ("my.site.cpy", "myServer.py")],
)
def test_output_name(source: str, output: str, tmp_path: Path) -> None:
    (tmp_path / source).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / source).write_text(HELLO)
    result = run("compile", source, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (result.stdout, result.stderr) == ("", "")
    assert (tmp_path / output).is_file()


def test_console_script_and_version(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("cherryc")
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert result.stdout.strip() == f"cherryc {cherryc.__version__}"
    assert run("--version", cwd=tmp_path).stdout.strip() == f"cherryc {cherryc.__version__}"


def test_output_option_names_config_base(tmp_path: Path) -> None:
    (tmp_path / "site.cpy").write_text(HELLO)
    result = run("compile", "-O", "out.py", "site.cpy", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "base='out'" in (tmp_path / "out.py").read_text()
    assert files(tmp_path) == {"site.cpy", "out.py"}


def test_shebang_makes_the_module_executable(tmp_path: Path) -> None:
    (tmp_path / "site.cpy").write_text(HELLO)
    run("compile", "-S", "#!/usr/bin/env python3", "site.cpy", cwd=tmp_path)
    module = tmp_path / "siteServer.py"
    assert module.read_text().startswith("#!/usr/bin/env python3\n# siteServer.py: generated")
    assert module.stat().st_mode & stat.S_IXUSR


def test_several_files_make_one_module(tmp_path: Path) -> None:
    (tmp_path / "a.cpy").write_text(HELLO)
    (tmp_path / "b.cpy").write_text("CherryClass Other:\nview:\n    def v(self):\n        return ''\n")
    assert run("compile", "a.cpy", "b.cpy", cwd=tmp_path).returncode == 0
    text = (tmp_path / "aServer.py").read_text()
    assert "class Root(CherryClass):" in text and "class Other(CherryClass):" in text
    assert "from a.cpy, b.cpy." in text


def test_an_error_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "site.cpy").write_text(BROKEN)
    result = run("compile", "site.cpy", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        "site.cpy:4:9: error: No matching '</py-if>' tag for '<py-if=\"1\">'\n"
        "    4 |         <py-if=\"1\">\n"
        "      |         ^\n")
    assert files(tmp_path) == {"site.cpy"}


def test_an_error_leaves_the_previous_module_untouched(tmp_path: Path) -> None:
    (tmp_path / "site.cpy").write_text(HELLO)
    run("compile", "site.cpy", cwd=tmp_path)
    before = (tmp_path / "siteServer.py").read_bytes()
    (tmp_path / "site.cpy").write_text(BROKEN)
    assert run("compile", "site.cpy", cwd=tmp_path).returncode == 1
    assert (tmp_path / "siteServer.py").read_bytes() == before
    assert files(tmp_path) == {"site.cpy", "siteServer.py"}  # no temporary file left


def test_a_python_error_in_a_view_is_reported_at_its_cpy_line(tmp_path: Path) -> None:
    (tmp_path / "site.cpy").write_text(
        "CherryClass Root:\nview:\n    def index(self):\n        return 'a' +\n")
    result = run("compile", "site.cpy", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("site.cpy:4:")
    assert "invalid Python" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [["check"], ["dump", "tokens"], ["dump", "ast"], ["dump", "py"]])
def test_check_and_dump_write_nothing(command: list[str], tmp_path: Path) -> None:
    (tmp_path / "site.cpy").write_text(HELLO)
    result = run(*command, "site.cpy", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert files(tmp_path) == {"site.cpy"}


def test_dump_outputs(tmp_path: Path) -> None:
    (tmp_path / "site.cpy").write_text(HELLO.replace("Hello", 'Hello <py-eval="1">'))
    tokens = run("dump", "tokens", "site.cpy", cwd=tmp_path).stdout
    assert "site.cpy:1: CLASS 'CherryClass Root:'" in tokens
    assert "---- mask Root.index" in tokens and "EVAL '1'" in tokens
    ast = run("dump", "ast", "site.cpy", cwd=tmp_path).stdout
    assert "CherryClass(name='Root'" in ast and "Eval(expr='1', attr=False)  @site.cpy:4:15" in ast
    assert run("dump", "py", "site.cpy", cwd=tmp_path).stdout.startswith("# siteServer.py")


def test_check_prints_warnings_and_succeeds(tmp_path: Path) -> None:
    (tmp_path / "site.cpy").write_text(
        "CherryClass Root:\naspect:\n    * start:\n        pass\naspect:\n    * end:\n        pass\n")
    result = run("check", "site.cpy", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr.startswith("site.cpy:5:1: warning: a second aspect: section")


@pytest.mark.parametrize("unit", ["0", "21", "x"])
def test_bad_whitespace_unit(unit: str, tmp_path: Path) -> None:
    result = run("compile", "-W", unit, "site.cpy", cwd=tmp_path)
    assert result.returncode == 2
    assert "whiteSpace must be between 1 and 20" in result.stderr


def test_missing_file(tmp_path: Path) -> None:
    result = run("compile", "nope.cpy", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (1, "cherryc: error: cannot read 'nope.cpy': no such file\n")


def test_an_internal_error_exits_70_with_a_traceback(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "site.cpy").write_text(HELLO)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("cherryc.compiler.generate", broken)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        status = cli.main(["compile", "site.cpy"])
    assert status == cli.EX_SOFTWARE == 70
    assert "Traceback" in err.getvalue() and "internal error" in err.getvalue()
    assert not os.path.exists("siteServer.py")
