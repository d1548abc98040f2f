"""`cherryc serve site.cpy [--reload] -C file.cfg` (DESIGN.md §2, §3; README)."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import pytest

from servers import free_port, write_config

#: Longest wait for a server to start or a change to be served.
PATIENCE = 30

SITE = """\
import os

CherryClass Root:
view:
    def pid(self):
        return str(os.getpid())
mask:
    def index(self):
        <p>site {version}</p>
        <py-include="part.html">
"""


def site_source(version: str) -> str:
    return SITE.replace("{version}", version)


def edit(path: Path, text: str) -> None:
    """Replace a file's content at once, its modification time moving forward."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
    if path.stat().st_mtime_ns <= before:  # a coarse clock: make the change visible
        later = before + 1_000_000_000
        os.utime(path, ns=(later, later))


class ServeCommand:
    """`python -m cherryc serve [--reload] site.cpy -C test.cfg` in `folder`."""

    def __init__(self, folder: Path, reload: bool) -> None:
        self.folder = folder
        self.port = free_port()
        write_config(folder / "test.cfg",
                     {"socketHost": "127.0.0.1", "socketPort": self.port, "logToScreen": 1})
        self.output = folder / "serve-output.txt"
        command = [sys.executable, "-m", "cherryc", "serve", *(["--reload"] if reload else []),
                   "site.cpy", "-C", "test.cfg"]
        with open(self.output, "wb") as out:
            self.process = subprocess.Popen(command, cwd=folder, stdout=out,
                                            stderr=subprocess.STDOUT)

    def log(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")

    def get(self, path: str) -> tuple[int, str] | None:
        """(status, text) of GET path, or None when nothing answers (yet)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path)
            answer = conn.getresponse()
            return answer.status, answer.read().decode("utf-8")
        except (OSError, http.client.HTTPException):
            return None
        finally:
            conn.close()

    def wait_for(self, condition: Callable[[], object], what: str) -> object:
        deadline = time.monotonic() + PATIENCE
        while True:
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; output:\n{self.log()}")
            if self.process.poll() is not None:
                raise AssertionError(f"cherryc serve exited ({self.process.returncode}) "
                                     f"while waiting for {what}; output:\n{self.log()}")
            time.sleep(0.05)

    def wait_for_page(self, path: str, expected: str) -> None:
        self.wait_for(lambda: (self.get(path) or (0, ""))[1] == expected,
                      f"{expected!r} at {path}")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(PATIENCE)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"cherryc serve did not stop; output:\n{self.log()}") from None


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def page(version: str, part: str) -> str:
    """The index mask: its line, then the included file's line, then the mask's newline."""
    return f"<p>site {version}</p>\n<b>{part}</b>\n\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "site.cpy").write_text(site_source("one"), encoding="utf-8")
    (tmp_path / "part.html").write_text("<b>part one</b>\n", encoding="utf-8")
    return tmp_path


def test_serve_compiles_and_serves(folder: Path) -> None:
    serve = ServeCommand(folder, reload=False)
    try:
        serve.wait_for_page("/", page("one", "part one"))
        assert (folder / "siteServer.py").is_file()
        assert f"Serving HTTP on 127.0.0.1:{serve.port}" in serve.log()
    finally:
        status = serve.stop()
    assert status == 0, serve.log()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", serve.port), timeout=2).close()


def test_serve_reports_a_compile_error_and_serves_nothing(folder: Path) -> None:
    edit(folder / "site.cpy", "CherryClass root:\nview:\n    def x(self):\n        return 'x'\n")
    serve = ServeCommand(folder, reload=False)
    try:
        status = serve.process.wait(PATIENCE)
    finally:
        serve.stop()
    assert status == 1
    assert re.search(r"^site\.cpy:1:\d+: error: ", serve.log(), re.M), serve.log()
    assert "Traceback" not in serve.log()
    assert not (folder / "siteServer.py").exists()


def test_reload_recompiles_and_restarts_on_changes(folder: Path) -> None:
    serve = ServeCommand(folder, reload=True)
    try:
        serve.wait_for_page("/", page("one", "part one"))
        first_pid = int(serve.get("/pid")[1])  # type: ignore[index]

        edit(folder / "site.cpy", site_source("two"))  # the .cpy file changes
        serve.wait_for_page("/", page("two", "part one"))
        edit(folder / "part.html", "<b>part two</b>\n")  # an included template changes
        serve.wait_for_page("/", page("two", "part two"))
        good_pid = int(serve.get("/pid")[1])  # type: ignore[index]
        assert good_pid != first_pid  # restarted, not reloaded in place
        assert not running(first_pid)

        # a compile error is printed; the last good server keeps answering
        edit(folder / "site.cpy", site_source("three").replace("CherryClass Root:",
                                                               "CherryClass root:"))
        serve.wait_for(lambda: re.search(r"^site\.cpy:\d+:\d+: error: ", serve.log(), re.M),
                       "the compile error to be printed")
        assert serve.get("/") == (200, page("two", "part two"))
        assert serve.get("/pid") == (200, str(good_pid))

        # fixed again: served again
        edit(folder / "site.cpy", site_source("four"))
        serve.wait_for_page("/", page("four", "part two"))
        last_pid = int(serve.get("/pid")[1])  # type: ignore[index]
        assert last_pid != good_pid
    finally:
        status = serve.stop()
    # SIGTERM to `cherryc serve` stops its server too
    assert status == 0, serve.log()
    assert not running(last_pid)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", serve.port), timeout=2).close()
