"""The README's tutorial, step by step: its files written as shown, its commands run as
written (`cd`, `cherryc compile ...`, `python siteServer.py`; the server on a free
loopback port instead of 8000), and what each step says checked over HTTP."""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Callable, Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent))
from servers import free_port  # noqa: E402

README = Path(__file__).resolve().parent.parent / "README.md"
_BLOCK = re.compile(r"^```(\w+)(?: file=(\S+))?\n(.*?)^```\n", re.M | re.S)


def tutorial_steps() -> list[tuple[str, list[tuple[str, str | None, str]]]]:
    """(title, [(language, file name or None, text)]) of each `###` step of the tutorial."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Tutorial", 1)[1].split("\n## ", 1)[0]
    steps = []
    for part in section.split("\n### ")[1:]:
        title = part.splitlines()[0]
        steps.append((title, [(m.group(1), m.group(2), m.group(3)) for m in _BLOCK.finditer(part)]))
    return steps


class Browser:
    """A client that keeps cookies and follows redirects, as a browser does."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def open(self, path: str, form: dict[str, str] | None = None) -> str:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(self.base + path, data, timeout=10) as reply:
                return reply.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            raise AssertionError(f"{path}: {error.code}\n{error.read().decode()}") from None


def run_command(command: str, cwd: Path, serve: Callable[[Path], None]) -> Path:
    """Run one command of the tutorial in `cwd`; return the folder it leaves us in."""
    words = shlex.split(command)
    if words[0] == "cd":
        return cwd / words[1]
    if words == ["python", "siteServer.py"]:
        serve(cwd)
        return cwd
    assert words[0] == "cherryc", f"the tutorial runs an unexpected command: {command}"
    bin_folder = Path(sys.executable).parent
    result = subprocess.run([str(bin_folder / "cherryc"), *words[1:]], cwd=cwd, capture_output=True,
                            text=True, env=dict(os.environ, PATH=f"{bin_folder}{os.pathsep}{os.environ['PATH']}"))
    assert result.returncode == 0, result.stderr
    return cwd


@contextlib.contextmanager
def served(folder: Path) -> Iterator[str]:
    """`python siteServer.py` in `folder`, on a free port (added to its siteServer.cfg)."""
    port = free_port()
    config = folder / "siteServer.cfg"
    own = config.read_text(encoding="utf-8") if config.exists() else ""
    config.write_text(f"[server]\nsocketHost = 127.0.0.1\nsocketPort = {port}\n\n{own}", encoding="utf-8")
    output = folder.parent / "server-output.txt"
    with open(output, "wb") as log:
        process = subprocess.Popen([sys.executable, "siteServer.py"], cwd=folder, stdout=log,
                                   stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, output.read_text(encoding="utf-8")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the tutorial's server did not start"
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # Ctrl-C
            process.wait(20)
        config.write_text(own, encoding="utf-8")
        if not own:
            config.unlink()


def check_hello(base: str) -> None:
    browser = Browser(base)
    assert "<h1>Hello, world!</h1>" in browser.open("/")
    assert "<h1>Hello, Ann!</h1>" in browser.open("/?name=Ann")
    assert "<h1>Hello, &lt;b&gt;Ann&lt;/b&gt;!</h1>" in browser.open("/?name=%3Cb%3EAnn%3C/b%3E")


def check_form(base: str) -> None:
    browser = Browser(base)
    assert 'href="/contact"' in browser.open("/")
    form = browser.open("/contact")
    assert "<h1>Write to us</h1>" in form and 'name="message"' in form
    empty = browser.open("/contact/postForm", {"name": "", "message": "", "send": "Send"})
    assert empty.count("Missing") == 2
    thanks = browser.open("/contact/postForm", {"name": "Ann", "message": "Hi!", "send": "Send"})
    assert "<h1>Thanks, Ann!</h1>" in thanks


def check_login(base: str) -> None:
    check_form(base)
    browser = Browser(base)
    assert "<h1>Log in</h1>" in browser.open("/members")
    wrong = browser.open("/members/doLogin", {"login": "ann", "password": "wrong", "fromPage": "/members"})
    assert "Wrong login or password." in wrong
    members = browser.open("/members/doLogin", {"login": "ann", "password": "correct horse", "fromPage": "/members"})
    assert "<h1>Members area</h1>" in members and "Welcome, ann." in members
    assert "<h1>Members area</h1>" in browser.open("/members")
    assert "<h1>Log in</h1>" in browser.open("/members/doLogout", {})
    assert "<h1>Log in</h1>" in browser.open("/members")


CHECKS = {"1. Hello": check_hello, "2. A form": check_form, "3. A members area with login": check_login}


def test_the_tutorial_runs_as_written(tmp_path: Path) -> None:
    steps = tutorial_steps()
    assert [title for title, _ in steps] == list(CHECKS)
    cwd = tmp_path
    (tmp_path / "mysite").mkdir()
    for title, blocks in steps:
        ran_server = []

        def serve(folder: Path) -> None:
            with served(folder) as base:
                CHECKS[title](base)
                ran_server.append(title)

        for language, name, text in blocks:
            if name:
                (tmp_path / "mysite" / name).write_text(text, encoding="utf-8")
            elif language == "sh":
                for command in text.splitlines():
                    cwd = run_command(command, cwd, serve)
        assert ran_server == [title], f"step {title!r} never serves the site"
