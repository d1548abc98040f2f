"""Real generated servers for tests: compiled into a temporary folder, run on free ports.

- `compile_site(folder, source, files=..., options=...)` writes `site.cpy` (and any
  other files) and runs `cherryc compile`, giving `siteServer.py`.
- `ServerProcess(folder, server={...}, extra="...")` runs `python siteServer.py -C
  test.cfg` on a free loopback port, waits until it answers, and stops it with SIGTERM.
- `ThreadServer(folder, ...)` serves the same module on cheroot in a thread of the test
  process (faster; for tests that do not need signals or processes).
- `site_server(folder, source, build)` compiles a site as one of BUILDS (with and without
  --autoescape) and gives its ServerProcess; `example_server(name, folder)` does the same
  for a copy of examples/<name> with its own siteServer.cfg.

Both servers offer `request(method, path, headers=None, body=None)` returning a `Reply`,
`get(path)` and `post(path, form)`. `Browser(server)` is one visitor: it keeps the cookies
the server sets (and can follow redirects); `is_login_screen`, `basic_auth`,
`in_parallel` and `self_signed_certificate` serve the authentication tests.
"""

from __future__ import annotations

import base64
import configparser
import datetime
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Union
from urllib.parse import urlencode

import pytest

from support import import_module_file


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


#: A form's fields: a dict, or (name, value) pairs when a name comes more than once.
Form = Union[Mapping[str, str], Iterable[tuple[str, str]]]
URLENCODED = {"Content-Type": "application/x-www-form-urlencoded"}


def _compile(folder: Path, options: tuple[str, ...], what: str) -> None:
    """`cherryc compile <options> site.cpy` in `folder`; an AssertionError naming `what`
    if it fails."""
    result = subprocess.run([sys.executable, "-m", "cherryc", "compile", *options, "site.cpy"],
                            cwd=folder, capture_output=True, text=True)
    if result.returncode:
        raise AssertionError(f"{what} does not compile:\n{result.stderr}")


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
    _compile(folder, options, "the site")
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

    def sign_up(self, headers: dict[str, str], username: str, password: str = "a-password") -> str:
        """Sign a user up through the site's object store (POST /1.1/users, with the app
        credentials in `headers`); return its session token."""
        reply = self.request("POST", "/1.1/users", body=json.dumps({"username": username, "password": password}),
                             headers={**headers, "Content-Type": "application/json"})
        assert reply.status == 201, reply.text
        return json.loads(reply.text)["sessionToken"]

    def post(self, path: str, form: Form, headers: dict[str, str] | None = None,
             **kwargs: Any) -> Reply:
        """POST `form` url-encoded, as an HTML form does."""
        return self.request("POST", path, headers={**URLENCODED, **(headers or {})},
                            body=urlencode(form).encode("ascii"), **kwargs)

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


#: The two ways the tests build a site, by name (a fixture's params): the options of each.
BUILDS: dict[str, tuple[str, ...]] = {"--autoescape": ("--autoescape",), "plain": ()}


def site_server(folder: Path, source: str, build: str = "--autoescape",
                server: dict[str, Any] | None = None, extra: str = "") -> ServerProcess:
    """`source` compiled in `folder` as `build` (a name of BUILDS), ready to `start()` (or to
    use in a `with`) on a free loopback port with `server` settings and `extra` sections."""
    compile_site(folder, source, options=BUILDS[build])
    return ServerProcess(folder, server=server or {}, extra=extra)


EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def example_config(name: str) -> configparser.ConfigParser:
    """The siteServer.cfg of examples/<name>, its option names in their own case."""
    config = configparser.ConfigParser(interpolation=None)
    config.optionxform = str  # type: ignore[assignment,method-assign]
    config.read(EXAMPLES / name / "siteServer.cfg", encoding="utf-8")
    return config


def example_server(name: str, folder: Path, changes: dict[str, dict[str, Any]] | None = None,
                   options: tuple[str, ...] = ("--autoescape",)) -> ServerProcess:
    """examples/<name> copied into `folder` (which must not exist), compiled, and ready to
    `start()` on a free loopback port with its own siteServer.cfg, `changes` applied
    ({section: {option: value}}); ServerProcess writes the result as test.cfg."""
    import shutil

    shutil.copytree(EXAMPLES / name, folder, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("*Server.py", "*.db", "*.db-*", "__pycache__"))
    _compile(folder, options, f"examples/{name}")
    config = example_config(name)
    config.read_dict({section: {key: str(value) for key, value in options_.items()}
                      for section, options_ in (changes or {}).items()})
    server = {key: value for key, value in config["server"].items()
              if key not in ("socketHost", "socketPort")} if config.has_section("server") else {}
    extra = "".join(f"[{section}]\n" + "".join(f"{key} = {value}\n" for key, value in config[section].items())
                    for section in config.sections() if section != "server")
    return ServerProcess(folder, server=server, extra=extra)


# ---- visitors ----------------------------------------------------------------------------


def set_cookies(reply: Reply) -> dict[str, list[str]]:
    """The Set-Cookie headers of a reply: name -> [value, attribute, ...]."""
    found = {}
    for header in reply.headers.get_all("Set-Cookie") or []:
        first, *attributes = [part.strip() for part in header.split(";")]
        name, _, value = first.partition("=")
        found[name] = [value, *attributes]
    return found


class Browser:
    """One visitor of a served site: an HTTP client that keeps the cookies the server sets.

    Each request sends the cookies kept so far; a Set-Cookie with Max-Age=0 forgets one.
    Forms are posted url-encoded. Redirects are returned as they are, for the tests that
    check them; with `follow_redirects`, a 301, 302 or 303 is followed with a GET, as
    browsers do, and its Location must stay on the site.
    """

    REDIRECTS = (301, 302, 303)
    MAX_REDIRECTS = 10

    def __init__(self, server: _Client, follow_redirects: bool = False) -> None:
        self.server = server
        self.follow_redirects = follow_redirects
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: Form | None = None) -> Reply:
        """`method` on `path` with the kept cookies (and `form`, url-encoded, as the body)."""
        reply = self._send(method, path, form)
        hops = 0
        while self.follow_redirects and reply.status in self.REDIRECTS:
            hops += 1
            assert hops <= self.MAX_REDIRECTS, f"too many redirects from {path}"
            reply = self._send("GET", self._path_on_site(reply.header("Location")))
        return reply

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, form: Form) -> Reply:
        return self.request("POST", path, form)

    def log_in(self, area: str, login: str, password: str, fromPage: str = "") -> Reply:
        """Send the login screen of `area` (the URL of a CherryClass deriving from
        CookieAuthenticate or CookieSessionAuthenticate) to its doLogin; `fromPage`, where
        to go next, is the area itself unless given."""
        return self.post(f"{area}/doLogin", {"login": login, "password": password,
                                             "fromPage": fromPage or area})

    def _send(self, method: str, path: str, form: Form | None = None) -> Reply:
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}"
                                          for name, value in self.cookies.items())
        body = None
        if form is not None:
            headers.update(URLENCODED)
            body = urlencode(form).encode("ascii")
        reply = self.server.request(method, path, headers=headers, body=body)
        for name, (value, *attributes) in set_cookies(reply).items():
            if "max-age=0" in [attribute.lower() for attribute in attributes]:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return reply

    def _path_on_site(self, location: str | None) -> str:
        """The path a redirect leads to, which must be on this site (a path, or a URL
        of the server)."""
        assert location, "a redirect without a Location"
        if location.startswith(self.server.url + "/"):
            location = location[len(self.server.url):]
        assert location.startswith("/") and not location.startswith("//"), location
        return location


def replace_fields(pairs: Iterable[tuple[str, str]],
                   **changes: str | list[str]) -> list[tuple[str, str]]:
    """A form's (name, value) `pairs` with the named fields replaced, put at the end: a list
    gives the field once for each item, so [] leaves it out."""
    kept = [pair for pair in pairs if pair[0] not in changes]
    for name, value in changes.items():
        kept += [(name, item) for item in (value if isinstance(value, list) else [value])]
    return kept


def is_login_screen(reply: Reply, message: str) -> bool:
    """Whether `reply` is the login screen of CookieAuthenticate or CookieSessionAuthenticate
    (a 200 page), showing `message`."""
    return reply.status == 200 and "<h1>Log in</h1>" in reply.text and message in reply.text


def basic_auth(login: str, password: str, encoding: str = "utf-8") -> dict[str, str]:
    """The Authorization header of HTTP Basic authentication (credentials in `encoding`)."""
    token = base64.b64encode(f"{login}:{password}".encode(encoding)).decode("ascii")
    return {"Authorization": f"Basic {token}"}


def in_parallel(names: Iterable[str], call: Callable[[str], Any], times: int = 10,
                timeout: float = 60) -> dict[str, list[Any]]:
    """`call(name)` `times` times for each name, each name in a thread of its own, all
    threads at once; return what the calls returned, by name. A thread that fails or hangs
    leaves its list short."""
    results: dict[str, list[Any]] = {name: [] for name in names}

    def run(name: str) -> None:
        for _ in range(times):
            results[name].append(call(name))

    threads = [threading.Thread(target=run, args=(name,)) for name in results]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return results


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A key and a self-signed certificate for 127.0.0.1, as key.pem and cert.pem in
    `folder` (made with `cryptography`, the test extra: the test is skipped without it)."""
    x509 = pytest.importorskip("cryptography.x509")
    import ipaddress

    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = folder / "key.pem", folder / "cert.pem"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path
