"""Real generated servers for tests: compiled into a temporary folder, run on free ports.

- `compile_site(folder, source, files=..., options=...)` writes `site.cpy` (and any
  other files) and runs `cherryc compile`, giving `siteServer.py`.
- `ServerProcess(folder, server={...}, extra="...")` runs `python siteServer.py -C
  test.cfg` on a free loopback port, waits until it answers, and stops it with SIGTERM.
- `ThreadServer(folder, ...)` serves the same module on cheroot in a thread of the test
  process (faster; for tests that do not need signals or processes).

Both offer `request(method, path, headers=None, body=None)` returning a `Reply`.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from support import import_module_file


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def compile_site(folder: Path, source: str, files: dict[str, str | bytes] | None = None,
                 options: tuple[str, ...] = ("--autoescape",)) -> Path:
    """Write site.cpy (and `files`) into `folder` and compile it; return the module path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "site.cpy").write_text(source, encoding="utf-8")
    for name, content in (files or {}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "cherryc", "compile", *options, "site.cpy"],
                            cwd=folder, capture_output=True, text=True)
    if result.returncode:
        raise AssertionError(f"compile failed:\n{result.stderr}")
    return folder / "siteServer.py"


def write_config(path: Path, server: dict[str, Any], extra: str = "") -> None:
    """A .cfg with a [server] section from `server`, then `extra` sections as text."""
    lines = ["[server]"] + [f"{key} = {value}" for key, value in server.items()]
    path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")


@dataclass
class Reply:
    status: int
    reason: str
    headers: http.client.HTTPMessage
    body: bytes
    version: int = 11

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


class _Client:
    host = "127.0.0.1"
    port = 0
    scheme = "http"
    ssl_context: Any = None

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def connection(self, timeout: float = 10) -> http.client.HTTPConnection:
        if self.scheme == "https":
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout,
                                               context=self.ssl_context)
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def request(self, method: str, path: str, headers: dict[str, str] | None = None,
                body: bytes | str | None = None, timeout: float = 10) -> Reply:
        conn = self.connection(timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            answer = conn.getresponse()
            return Reply(answer.status, answer.reason, answer.headers, answer.read(),
                         answer.version)
        finally:
            conn.close()

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def raw(self, data: bytes, timeout: float = 10) -> bytes:
        """Send raw bytes, return everything the server answers until it closes."""
        with socket.create_connection((self.host, self.port), timeout=timeout) as sock:
            sock.sendall(data)
            chunks = []
            try:
                while True:
                    chunk = sock.recv(65536)
                    if not chunk:
                        break
                    chunks.append(chunk)
            except socket.timeout:
                pass
            return b"".join(chunks)


@dataclass
class ServerProcess(_Client):
    """`python siteServer.py -C test.cfg` in a subprocess, on a free port."""

    folder: Path
    server: dict[str, Any] = field(default_factory=dict)
    extra: str = ""
    module: str = "siteServer.py"
    env: dict[str, str] | None = None
    startup_timeout: float = 20

    def __post_init__(self) -> None:
        self.port = free_port()
        settings = {"socketHost": "127.0.0.1", "socketPort": self.port, "logToScreen": 1}
        settings.update(self.server)
        if "socketFile" in settings:
            settings.pop("socketPort")
        self.config = self.folder / "test.cfg"
        write_config(self.config, settings, self.extra)
        self.output = self.folder / "server-output.txt"
        self.process: subprocess.Popen | None = None

    def start(self) -> "ServerProcess":
        env = dict(os.environ, **(self.env or {}))
        with open(self.output, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, self.module, "-C", str(self.config)], cwd=self.folder,
                stdout=out, stderr=subprocess.STDOUT, env=env)
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:  # type: ignore[union-attr]
                raise AssertionError(f"the server exited at start-up:\n{self.log()}")
            if "Serving" in self.log():
                if "socketFile" in self.server:
                    return
                try:
                    with socket.create_connection((self.host, self.port), timeout=1):
                        return
                except OSError:
                    pass
            time.sleep(0.05)
        self.stop()
        raise AssertionError(f"the server did not start:\n{self.log()}")

    def log(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace") if self.output.exists() else ""

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> int:
        """Stop the server with `sig`; return its exit status."""
        process = self.process
        if process is None or process.poll() is not None:
            return process.returncode if process else 0
        process.send_signal(sig)
        try:
            return process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise AssertionError(f"the server did not stop on signal {sig}:\n{self.log()}")

    def __enter__(self) -> "ServerProcess":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class ThreadServer(_Client):
    """The generated module imported here and served by cheroot in a thread."""

    def __init__(self, folder: Path, server: dict[str, Any] | None = None, extra: str = "",
                 module: str = "siteServer.py") -> None:
        self.folder = folder
        self.config = folder / "test.cfg"
        write_config(self.config, {"logToScreen": 0, **(server or {})}, extra)
        self.module_path = folder / module

    def __enter__(self) -> "ThreadServer":
        from cherryc.runtime.server import make_server

        self._cwd = os.getcwd()
        os.chdir(self.folder)
        self.module = import_module_file(self.module_path)
        site = self.module._cpy_site
        site.start(str(self.config))
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        self.port = sock.getsockname()[1]
        self.server = make_server(site, site.config, sock)
        self.server.prepare()
        self.thread = threading.Thread(target=self.server.serve, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()
        self.thread.join(10)
        os.chdir(self._cwd)


EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def example_server(name: str, folder: Path, changes: dict[str, dict[str, Any]] | None = None,
                   options: tuple[str, ...] = ("--autoescape",)) -> ServerProcess:
    """examples/<name> copied into `folder` (which must not exist), compiled, and ready to
    `start()` on a free loopback port with its own siteServer.cfg, `changes` applied
    ({section: {option: value}}); ServerProcess writes the result as test.cfg."""
    import configparser
    import shutil

    shutil.copytree(EXAMPLES / name, folder, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("*Server.py", "*.db", "*.db-*", "__pycache__"))
    result = subprocess.run([sys.executable, "-m", "cherryc", "compile", *options, "site.cpy"],
                            cwd=folder, capture_output=True, text=True)
    if result.returncode:
        raise AssertionError(f"examples/{name} does not compile:\n{result.stderr}")
    config = configparser.ConfigParser(interpolation=None)
    config.optionxform = str  # type: ignore[assignment]
    config.read(folder / "siteServer.cfg", encoding="utf-8")
    config.read_dict({section: {key: str(value) for key, value in options_.items()}
                      for section, options_ in (changes or {}).items()})
    server = {key: value for key, value in config["server"].items()
              if key not in ("socketHost", "socketPort")} if config.has_section("server") else {}
    extra = "".join(f"[{section}]\n" + "".join(f"{key} = {value}\n" for key, value in config[section].items())
                    for section in config.sections() if section != "server")
    return ServerProcess(folder, server=server, extra=extra)
