"""The configuration file (spec §22, DESIGN.md §3): lookup, every option, validation.

- lookup: `-C file`, else `siteServer.cfg` in the working directory, else beside the
  module, else defaults;
- every option of spec §22 and `[server] maxRequestBodySize` is read (checked on the
  started site and, where it shows, over HTTP) and validated: a bad value, a conflict or
  an unknown option in [server]/[session]/[cache] stops start-up with exit status 1 and a
  message naming the file, the line, the section and the option;
- `configFile` gives the site's own sections to masks and `initServer`;
- the WSGI `application` works under wsgiref with nothing started explicitly.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import textwrap
import threading
import time
import xmlrpc.client
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from servers import ServerProcess, compile_site, free_port
from support import import_module_file

SITE = """\
import json

def initServer():
    global DB_AT_START
    DB_AT_START = configFile.get("database", "host", fallback="(no database section)")

def initProcess(processIndex):
    marker = open("process-%d-%d" % (processIndex, os.getpid()), "w")
    marker.close()

CherryClass Root:
mask:
    def database(self):
        <py-eval="configFile.get('database', 'host')">|<py-eval="DB_AT_START">|<py-eval="configFile.get('database', 'PORT')">
view:
    def index(self):
        return "ok"
    def which(self):
        return configFile.get("which", "name", fallback="none")
    def sections(self):
        return json.dumps(configFile.sections())
    def remote(self):
        return request.headerMap["remote-host"]
    def echo(self, **kw):
        return json.dumps(kw)
    def count(self):
        request.sessionMap["count"] = request.sessionMap.get("count", 0) + 1
        return json.dumps([request.sessionMap["_sessionId"], request.sessionMap["count"]])
    def double(self, x) xmlrpc:
        return 2 * x
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("config")
    compile_site(folder, SITE)
    return folder


def _copy_module(site: Path, folder: Path) -> Path:
    """The compiled module copied into `folder` (made if needed); its new path."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "siteServer.py"
    target.write_bytes((site / "siteServer.py").read_bytes())
    return target


def _write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


class _Process(ServerProcess):
    """A server started with any command line and working directory.

    Ready when the port answers (so it also works with logToScreen=0); `argv` and `cwd`
    are set before `start()`.
    """

    argv: list[str]
    cwd: Path

    def start(self) -> "_Process":
        with open(self.output, "wb") as out:
            self.process = subprocess.Popen([sys.executable, *self.argv], cwd=self.cwd,
                                            stdout=out, stderr=subprocess.STDOUT)
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited at start-up:\n{self.log()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise AssertionError(f"the server did not start:\n{self.log()}")


def _process(folder: Path, argv: list[str], cwd: Path, port: int | None = None) -> _Process:
    process = _Process(folder)
    if port is not None:
        process.port = port
    process.argv = argv
    process.cwd = cwd
    return process


def _start_up_failure(folder: Path, config_text: str, name: str = "bad.cfg") -> tuple[int, str, Path]:
    """Run `python siteServer.py -C <name>` with this config; (exit status, output, path)."""
    config = _write(folder / name, config_text)
    try:
        result = subprocess.run([sys.executable, "siteServer.py", "-C", str(config)], cwd=folder,
                                capture_output=True, text=True, timeout=15)
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"the server started with a bad configuration:\n{exc.stdout}"
                             f"{exc.stderr}") from None
    return result.returncode, result.stdout + result.stderr, config


def _line_of(path: Path, option: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if re.match(rf"\s*{option}\s*[=:]", line, re.IGNORECASE):
            return number
    raise AssertionError(f"{option} not in {path}")


def _assert_names(message: str, config: Path, section: str, options: list[str]) -> None:
    """The message names the file, a line of one of `options`, the section and the options."""
    lines = {_line_of(config, option) for option in options}
    found = [int(n) for n in re.findall(rf"{re.escape(str(config))}:(\d+)", message)]
    assert found and set(found) <= lines, (
        f"expected {config}:<line of {' or '.join(options)}> in:\n{message}")
    assert f"[{section}]" in message, message
    for option in options:
        assert option.lower() in message.lower(), (option, message)


# ---- where the configuration comes from ---------------------------------------------------------


def test_minus_c_wins_over_the_other_files(site) -> None:
    folder = site / "explicit"
    _copy_module(site, folder)
    _write(folder / "siteServer.cfg", "[server]\nsocketPort = not-read\n[which]\nname = cwd\n")
    with ServerProcess(folder, extra="[which]\nname = explicit\n") as server:
        assert server.get("/which").text == "explicit"


def test_config_in_the_working_directory(site) -> None:
    folder = site / "lookup-cwd"
    module = _copy_module(site, folder / "app")
    _write(module.parent / "siteServer.cfg", "[server]\nsocketPort = not-read\n")
    port = free_port()
    (folder / "run").mkdir()
    _write(folder / "run" / "siteServer.cfg", f"""\
        [server]
        socketHost = 127.0.0.1
        socketPort = {port}
        [which]
        name = cwd
        """)
    with _process(folder, [str(module)], cwd=folder / "run", port=port) as server:
        assert server.get("/which").text == "cwd"


def test_config_beside_the_module(site) -> None:
    folder = site / "lookup-beside"
    module = _copy_module(site, folder / "app")
    port = free_port()
    _write(module.parent / "siteServer.cfg", f"""\
        [server]
        socketHost = 127.0.0.1
        socketPort = {port}
        [which]
        name = beside
        """)
    (folder / "elsewhere").mkdir()
    with _process(folder, [str(module)], cwd=folder / "elsewhere", port=port) as server:
        assert server.get("/which").text == "beside"


def test_no_config_file_gives_the_defaults(site, tmp_path, monkeypatch) -> None:
    module_path = _copy_module(site, tmp_path / "app")
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path / "empty")
    module = import_module_file(module_path)
    module._cpy_site.start()
    config = module._cpy_site.config
    assert module.configFile.sections() == []
    assert (config.port, config.protocol_version, config.socket_queue_size) == (8000, "HTTP/1.0", 128)
    assert (config.log_to_screen, config.log_file, config.session_storage) == (True, "", "")
    assert config.max_request_body_size == 100 * 1024 * 1024
    assert config.type_of_requests == ("web",)


def test_missing_minus_c_file_stops_start_up(site) -> None:
    missing = site / "no-such.cfg"
    result = subprocess.run([sys.executable, "siteServer.py", "-C", str(missing)], cwd=site,
                            capture_output=True, text=True, timeout=15)
    assert str(missing) in result.stderr
    assert result.returncode == 1


# ---- options over HTTP, and configFile (the site's own sections) -------------------------------


@pytest.fixture(scope="module")
def configured(site, tmp_path_factory):
    """One server with many options set, for the tests of what they do over HTTP."""
    folder = tmp_path_factory.mktemp("configured")
    _copy_module(site, folder)
    (folder / "files").mkdir()
    (folder / "files" / "note.txt").write_text("a static note\n")
    server = _process(folder, ["siteServer.py", "-C", "test.cfg"], cwd=folder)
    _write(folder / "test.cfg", f"""\
        [server]
        socketHost = 127.0.0.1
        socketPort = {server.port}
        logToScreen = 0
        logFile = access.log
        protocolVersion = HTTP/1.1
        reverseDNS = 1
        maxRequestBodySize = 400
        typeOfRequests = web, xmlRpc
        threadPool = 3
        socketQueueSize = 16

        [session]
        storageType = file
        storageFileDir = sessions
        cookieName = MySession
        timeout = 5

        [cache]
        flushCacheDelay = 1

        [staticContent]
        static = files

        [database]
        host = db.example.org
        Port = 5432
        """)
    with server:
        yield server


def test_config_file_user_section_in_masks_and_init_server(configured) -> None:
    reply = configured.get("/database")
    assert reply.status == 200, reply.body
    assert reply.text.strip() == "db.example.org|db.example.org|5432"


@pytest.fixture(scope="module")
def plain(site, tmp_path_factory):
    """A server with few options (ServerProcess's own) and one user section."""
    folder = tmp_path_factory.mktemp("plain")
    _copy_module(site, folder)
    with ServerProcess(folder, extra="[other]\nkey = value\n") as server:
        yield server


def test_config_file_has_the_sections_of_the_file(plain) -> None:
    assert json.loads(plain.get("/sections").text) == ["server", "other"]
    assert plain.get("/database").status == 500  # no [database] section


def test_protocol_version_http11_and_keep_alive(configured) -> None:
    connection = configured.connection()
    try:
        for _ in range(2):
            connection.request("GET", "/index")
            answer = connection.getresponse()
            assert (answer.version, answer.status, answer.read()) == (11, 200, b"ok")
    finally:
        connection.close()


def test_default_protocol_version_is_http10(plain) -> None:
    assert plain.get("/index").version == 10


def test_max_request_body_size(configured) -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    small = "a=" + "x" * 398
    assert configured.request("POST", "/echo", body=small, headers=form).status == 200
    reply = configured.request("POST", "/echo", body=small + "y", headers=form)
    assert reply.status == 413


def test_reverse_dns(configured) -> None:
    try:
        expected = socket.gethostbyaddr("127.0.0.1")[0]
    except OSError:
        expected = "127.0.0.1"
    assert configured.get("/remote").text == expected


def test_log_file_and_log_to_screen(configured) -> None:
    configured.get("/index?logged=yes")
    log = (configured.folder / "access.log").read_text()
    assert re.search(r'127\.0\.0\.1 - "GET /index\?logged=yes HTTP/1\.1"', log), log
    assert "logged=yes" not in configured.log()  # logToScreen = 0: nothing on the screen


def test_type_of_requests_web_and_xmlrpc(configured) -> None:
    with xmlrpc.client.ServerProxy(configured.url + "/") as proxy:
        assert proxy.double(4) == 8
    assert configured.get("/index").text == "ok"


def test_type_of_requests_xmlrpc_only(site) -> None:
    folder = site / "xmlrpc-only"
    _copy_module(site, folder)
    with ServerProcess(folder, server={"typeOfRequests": "xmlRpc"}) as server:
        assert server.get("/index").status == 404
        with xmlrpc.client.ServerProxy(server.url + "/") as proxy:
            assert proxy.double(5) == 10


def test_session_options(configured) -> None:
    reply = configured.get("/count")
    session_id, count = json.loads(reply.text)
    assert count == 1
    cookie = reply.header("set-cookie")
    assert cookie.startswith(f"MySession={session_id};")
    assert (configured.folder / "sessions" / session_id).is_file()
    again = configured.get("/count", headers={"Cookie": f"MySession={session_id}"})
    assert json.loads(again.text) == [session_id, 2]


def test_static_content(configured) -> None:
    reply = configured.get("/static/note.txt")
    assert (reply.status, reply.text) == (200, "a static note\n")


def test_socket_file(site, tmp_path_factory) -> None:
    folder = tmp_path_factory.mktemp("sock")
    _copy_module(site, folder)
    path = folder / "site.sock"
    with ServerProcess(folder, server={"socketFile": str(path)}):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(10)
            sock.connect(str(path))
            sock.sendall(b"GET /which HTTP/1.0\r\nHost: localhost\r\n\r\n")
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
    assert answer.startswith(b"HTTP/1.0 200 ")
    assert answer.endswith(b"\r\n\r\nnone")


def test_process_pool_runs_init_process_in_each_child(site, tmp_path_factory) -> None:
    folder = tmp_path_factory.mktemp("processes")
    _copy_module(site, folder)
    with ServerProcess(folder, server={"processPool": 2}) as server:
        deadline = time.monotonic() + 15
        markers: list[Path] = []
        while time.monotonic() < deadline:
            markers = sorted(folder.glob("process-*"))
            if len(markers) >= 2:
                break
            time.sleep(0.05)
        assert server.get("/index").text == "ok"
        parent = server.process.pid
    found = [tuple(int(part) for part in marker.name.split("-")[1:]) for marker in markers]
    indexes = sorted(index for index, _ in found)
    pids = {pid for _, pid in found}
    assert indexes == [0, 1]
    assert len(pids) == 2 and parent not in pids


# ---- every option is read -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate and its key (files)."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import datetime

    folder = tmp_path_factory.mktemp("certificate")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    key_path, cert_path = folder / "key.pem", folder / "cert.pem"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


def _started(site: Path, folder: Path, config_text: str, monkeypatch):
    """Import a fresh copy of the module and start it (no serving) with this config."""
    module_path = _copy_module(site, folder)
    config = _write(folder / "site.cfg", config_text)
    monkeypatch.chdir(folder)
    module = import_module_file(module_path)
    module._cpy_site.start(str(config))
    return module._cpy_site.config, config


VALID = [
    ("server", "logToScreen = 0", "log_to_screen", False),
    ("server", "logFile = server.log", "log_file", "server.log"),
    ("server", "socketHost = 127.0.0.1", "socket_host", "127.0.0.1"),
    ("server", "socketPort = 8123", "port", 8123),
    ("server", "SOCKETPORT = 8124", "port", 8124),  # option names in any case
    ("server", "socketFile = /tmp/cherryc-test.sock", "socket_file", "/tmp/cherryc-test.sock"),
    ("server", "reverseDNS = 1", "reverse_dns", True),
    ("server", "reverseDNS = 0", "reverse_dns", False),
    ("server", "socketQueueSize = 7", "socket_queue_size", 7),
    ("server", "protocolVersion = HTTP/1.1", "protocol_version", "HTTP/1.1"),
    ("server", "processPool = 3", "processes", 3),
    ("server", "threadPool = 5", "threads", (5, 5)),
    ("server", "threading = 1", "threading", True),
    ("server", "forking = 1", "forking", True),
    ("server", "sslVerifyDepth = 3", "ssl_verify_depth", 3),
    ("server", "typeOfRequests = xmlRpc,web", "type_of_requests", ("xmlRpc", "web")),
    ("server", "typeOfRequests = xmlRpc", "xmlrpc", True),
    ("server", "siteKey = a-site-key", "site_key", "a-site-key"),
    ("server", "maxRequestBodySize = 1024", "max_request_body_size", 1024),
    ("session", "storageType = ram", "session_storage", "ram"),
    ("session", "storageType = cookie", "session_storage", "cookie"),
    ("session", "storageType = custom", "session_storage", "custom"),
    ("session", "timeout = 2.5", "session_timeout", 2.5),
    ("session", "cleanUpDelay = 0.5", "session_clean_up_delay", 0.5),
    ("session", "cookieName = MySession", "session_cookie_name", "MySession"),
    ("cache", "flushCacheDelay = 1.5", "flush_cache_delay", 1.5),
    ("staticContent", "images = pictures", "static_content", (("images", "pictures"),)),
    ("session", "storageType = database", "session_storage", "database"),
    ("storage", "url = sqlite:///objects.db", "storage_url", "sqlite:///objects.db"),
    ("storage", "url = postgresql://postgres@127.0.0.1/test", "storage_url",
     "postgresql://postgres@127.0.0.1/test"),
    ("storage", "indexes = Todo.title, _User.city", "storage_indexes",
     (("Todo", "title"), ("_User", "city"))),
]


@pytest.mark.parametrize("section, line, field, expected", VALID,
                         ids=[f"{s}-{l.split()[0]}-{l.split()[-1]}" for s, l, _, _ in VALID])
def test_option_is_read(site, tmp_path, monkeypatch, section, line, field, expected) -> None:
    config, _ = _started(site, tmp_path, f"[{section}]\n{line}\n", monkeypatch)
    assert getattr(config, field) == expected


def test_file_session_options_are_read(site, tmp_path, monkeypatch) -> None:
    config, _ = _started(site, tmp_path, "[session]\nstorageType = file\nstorageFileDir = s\n",
                         monkeypatch)
    assert (config.session_storage, config.session_file_dir) == ("file", "s")


def test_ssl_options_are_read(site, tmp_path, monkeypatch, certificate) -> None:
    key, cert = certificate
    config, _ = _started(site, tmp_path, f"""\
        [server]
        sslKeyFile = {key}
        sslCertificateFile = {cert}
        sslClientCertificateVerification = 1
        sslCACertificateFile = {cert}
        sslVerifyDepth = 2
        """, monkeypatch)
    assert (config.ssl_key_file, config.ssl_certificate_file) == (str(key), str(cert))
    assert (config.ssl_client_verification, config.ssl_ca_certificate_file) == (True, str(cert))
    assert config.ssl_verify_depth == 2


# ---- every option is validated ----------------------------------------------------------------------

BAD = [
    ("server", "logToScreen", "maybe"),
    ("server", "socketPort", "abc"),
    ("server", "socketPort", "70000"),
    ("server", "socketPort", "-1"),
    ("server", "reverseDNS", "2"),
    ("server", "socketQueueSize", "many"),
    ("server", "protocolVersion", "HTTP/2"),
    ("server", "processPool", "two"),
    ("server", "processPool", "0"),
    ("server", "threadPool", "x"),
    ("server", "threadPool", "0"),
    ("server", "threading", "2"),
    ("server", "forking", "2"),
    ("server", "sslClientCertificateVerification", "2"),
    ("server", "sslVerifyDepth", "deep"),
    ("server", "typeOfRequests", "web,soap"),
    ("server", "maxRequestBodySize", "big"),
    ("server", "maxRequestBodySize", "-1"),
    ("session", "storageType", "disk"),
    ("session", "timeout", "soon"),
    ("session", "timeout", "-5"),
    ("session", "cleanUpDelay", "x"),
    ("session", "cookieName", "bad name;"),
    ("cache", "flushCacheDelay", "never"),
    ("storage", "url", "mysql://localhost/db"),
    ("storage", "url", "sqlite:///"),
    ("storage", "url", "sqlite://relative.db"),
    ("storage", "indexes", "Todo"),
    ("storage", "indexes", "Todo.title, Todo.some field"),
]


@pytest.mark.parametrize("section, option, value", BAD,
                         ids=[f"{s}-{o}-{v}" for s, o, v in BAD])
def test_bad_value_is_refused(site, tmp_path, monkeypatch, section, option, value) -> None:
    from cherryc.runtime.config import ConfigError

    text = f"[server]\nsocketHost = 127.0.0.1\n\n[{section}]\n{option} = {value}\n"
    if section == "server":
        text = f"[server]\nsocketHost = 127.0.0.1\n{option} = {value}\n"
    with pytest.raises(ConfigError) as caught:
        _started(site, tmp_path, text, monkeypatch)
    _assert_names(str(caught.value), tmp_path / "site.cfg", section, [option])


CONFLICTS = [
    ("two-modes", "server", "threadPool = 2\nthreading = 1\n", ["threadPool", "threading"]),
    ("process-and-thread-pools", "server", "processPool = 2\nthreadPool = 3\n",
     ["processPool", "threadPool"]),
    ("port-and-file", "server", "socketPort = 8123\nsocketFile = /tmp/x.sock\n",
     ["socketPort", "socketFile"]),
    ("key-without-certificate", "server", "sslKeyFile = {key}\n", ["sslKeyFile"]),
    ("file-sessions-without-dir", "session", "storageType = file\n", ["storageType"]),
    ("dir-without-file-sessions", "session", "storageType = ram\nstorageFileDir = s\n",
     ["storageFileDir"]),
    ("database-in-a-missing-folder", "storage", "url = sqlite:///no/such/folder/site.db\n", ["url"]),
]


@pytest.mark.parametrize("section, text, options", [c[1:] for c in CONFLICTS],
                         ids=[c[0] for c in CONFLICTS])
def test_conflicting_options_are_refused(site, tmp_path, monkeypatch, certificate, section,
                                         text, options) -> None:
    from cherryc.runtime.config import ConfigError

    text = f"[{section}]\n" + text.format(key=certificate[0])
    with pytest.raises(ConfigError) as caught:
        _started(site, tmp_path, text, monkeypatch)
    _assert_names(str(caught.value), tmp_path / "site.cfg", section, options)


@pytest.mark.parametrize("section", ["server", "session", "cache", "storage"])
def test_unknown_option_stops_start_up(site, tmp_path, section) -> None:
    _copy_module(site, tmp_path)
    text = f"[server]\nsocketHost = 127.0.0.1\nsocketPort = {free_port()}\n"
    text += "colour = blue\n" if section == "server" else f"\n[{section}]\ncolour = blue\n"
    status, output, config = _start_up_failure(tmp_path, text)
    _assert_names(output, config, section, ["colour"])
    assert "unknown" in output
    assert status == 1


START_UP_FAILURES = [
    ("socketPort-abc", "[server]\nsocketHost = 127.0.0.1\nsocketPort = abc\n", "server",
     ["socketPort"]),
    ("reverseDNS-2", "[server]\nsocketPort = {port}\nreverseDNS = 2\n", "server", ["reverseDNS"]),
    ("protocolVersion-HTTP2", "[server]\nsocketPort = {port}\nprotocolVersion = HTTP/2\n",
     "server", ["protocolVersion"]),
    ("storageType-disk", "[server]\nsocketPort = {port}\n[session]\nstorageType = disk\n",
     "session", ["storageType"]),
    ("two-server-modes", "[server]\nsocketPort = {port}\nthreadPool = 4\nprocessPool = 2\n",
     "server", ["threadPool", "processPool"]),
    ("socketPort-and-socketFile", "[server]\nsocketPort = {port}\nsocketFile = x.sock\n",
     "server", ["socketPort", "socketFile"]),
    ("file-without-dir", "[server]\nsocketPort = {port}\n[session]\nstorageType = file\n",
     "session", ["storageType"]),
    ("key-without-certificate", "[server]\nsocketPort = {port}\nsslKeyFile = {key}\n",
     "server", ["sslKeyFile"]),
]


@pytest.mark.parametrize("text, section, options", [c[1:] for c in START_UP_FAILURES],
                         ids=[c[0] for c in START_UP_FAILURES])
def test_bad_config_stops_the_server_with_status_1(site, tmp_path, certificate, text, section,
                                                    options) -> None:
    _copy_module(site, tmp_path)
    status, output, config = _start_up_failure(
        tmp_path, text.format(port=free_port(), key=certificate[0]))
    assert "Traceback" not in output
    _assert_names(output, config, section, options)
    assert status == 1, f"exit status {status}, output:\n{output}"


def test_storage_url_with_a_password_is_never_shown(site, tmp_path, monkeypatch) -> None:
    from cherryc.runtime.config import ConfigError

    with pytest.raises(ConfigError) as caught:
        _started(site, tmp_path, "[storage]\nurl = mysql://admin:hunter2@db/site\n", monkeypatch)
    _assert_names(str(caught.value), tmp_path / "site.cfg", "storage", ["url"])
    assert "hunter2" not in str(caught.value)


# ---- WSGI ----------------------------------------------------------------------------------------

WSGIREF_DRIVER = """\
import http.client, importlib.util, json, sys, threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

spec = importlib.util.spec_from_file_location("siteServer", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
result = {"started_before": "root" in vars(module)}

class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass

httpd = make_server("127.0.0.1", 0, module.application, handler_class=Quiet)
thread = threading.Thread(target=httpd.serve_forever, daemon=True)
thread.start()

def ask(method, path, body=None, headers={}):
    connection = http.client.HTTPConnection("127.0.0.1", httpd.server_address[1], timeout=10)
    connection.request(method, path, body=body, headers=headers)
    answer = connection.getresponse()
    reply = [answer.status, answer.read().decode("utf-8"), answer.getheader("content-type")]
    connection.close()
    return reply

result["index"] = ask("GET", "/")
result["echo"] = ask("GET", "/echo?a=1&b=%C3%A9")
result["post"] = ask("POST", "/echo", "x=1&x=2",
                     {"Content-Type": "application/x-www-form-urlencoded"})
result["missing"] = ask("GET", "/missing")[0]
result["sections"] = ask("GET", "/sections")[1]
result["database"] = ask("GET", "/database")[0]
result["started_after"] = "root" in vars(module)
httpd.shutdown()
httpd.server_close()
print(json.dumps(result))
"""


@pytest.fixture(scope="module")
def under_wsgiref(site, tmp_path_factory):
    """Run WSGIREF_DRIVER in a fresh process, in a folder without configuration."""
    folder = tmp_path_factory.mktemp("wsgiref")
    module = _copy_module(site, folder / "app")
    driver = folder / "driver.py"
    driver.write_text(WSGIREF_DRIVER)
    (folder / "empty").mkdir()
    result = subprocess.run([sys.executable, str(driver), str(module)], cwd=folder / "empty",
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout), result.stderr


def test_wsgi_application_under_wsgiref(under_wsgiref) -> None:
    answers, screen = under_wsgiref
    assert answers["started_before"] is False  # importing the module starts nothing
    assert answers["started_after"] is True  # the first request did
    assert answers["index"] == [200, "ok", "text/html; charset=utf-8"]
    assert json.loads(answers["echo"][1]) == {"a": "1", "b": "é"}
    assert json.loads(answers["post"][1]) == {"x": ["1", "2"]}
    assert answers["missing"] == 404
    assert answers["sections"] == "[]"  # no configuration file: the defaults
    assert answers["database"] == 500  # configFile has no [database] section
    assert '"GET /echo' in screen  # logToScreen defaults to 1


def test_wsgi_access_log_line_is_the_request_line(under_wsgiref) -> None:
    """Spec §23: `<remote-addr> - <request line>`, query string included, under any server."""
    _, screen = under_wsgiref
    assert '127.0.0.1 - "GET /echo?a=1&b=%C3%A9 HTTP/1.1"' in screen, screen


def test_site_imported_after_another_started_still_works(site, tmp_path, monkeypatch) -> None:
    """Two sites in one process (a WSGI container, the test harness): the second works too."""
    monkeypatch.chdir(tmp_path)
    first = import_module_file(_copy_module(site, tmp_path / "first"))
    first._cpy_site.start()  # loads the whole runtime
    second = import_module_file(_copy_module(site, tmp_path / "second"))

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    httpd = make_server("127.0.0.1", 0, second.application, handler_class=Quiet)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        import http.client

        connection = http.client.HTTPConnection("127.0.0.1", httpd.server_address[1], timeout=10)
        connection.request("GET", "/remote")  # uses request.headerMap
        answer = connection.getresponse()
        status, body = answer.status, answer.read()
        connection.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(10)
    assert (status, body) == (200, b"127.0.0.1")
