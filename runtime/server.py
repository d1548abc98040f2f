"""Serving on cheroot: bind, thread pools, pre-forked processes, SSL, clean shutdown.

The socket is bound here first, so that `initAfterBind` runs between binding and serving
(e.g. to drop root privileges) and pre-forked workers can share it; cheroot then serves
on that socket. SIGTERM and SIGINT stop the server: requests in progress finish, and
the parent of pre-forked workers stops its workers too.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import ssl
import stat
import sys
import threading
import time
from typing import Any

from cheroot import wsgi
from cheroot.server import HeaderReader, HTTPConnection, HTTPRequest, comma_separated_headers
from cheroot.ssl.builtin import BuiltinSSLAdapter

#: Longest request line plus headers accepted (bigger: cheroot answers 413).
MAX_HEADER_BYTES = 64 * 1024
#: Seconds that requests in progress get to finish when the server stops.
SHUTDOWN_TIMEOUT = 10


_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_DIGITS = re.compile(rb"[0-9]+\Z")


class _StrictHeaderReader(HeaderReader):
    """cheroot's header reader made strict (RFC 9112 §5, §6.3): a field name is a token
    (no spaces, no control bytes), obs-fold is refused, and Host or Content-Length given
    twice is an error. Each problem is a ValueError, which cheroot answers with 400."""

    def __call__(self, rfile: Any, hdict: dict | None = None) -> dict:
        hdict = {} if hdict is None else hdict
        while True:
            line = rfile.readline()
            if not line:
                raise ValueError("Illegal end of headers.")
            if line == b"\r\n":
                return hdict
            if not line.endswith(b"\r\n"):
                raise ValueError("HTTP requires CRLF terminators")
            name, colon, value = line[:-2].partition(b":")
            if not colon or not _TOKEN.match(name):
                raise ValueError("Illegal header line.")
            key, value = name.title(), value.strip(b" \t")
            if key in hdict:
                if key in (b"Host", b"Content-Length"):
                    raise ValueError(f"More than one {key.decode()} header.")
                if key in comma_separated_headers:
                    value = hdict[key] + b", " + value
            hdict[key] = value


class _Request(HTTPRequest):
    """cheroot's request with the checks RFC 9112 asks of a server (400 otherwise)."""

    header_reader = _StrictHeaderReader()

    def read_request_line(self) -> bool:
        if not super().read_request_line():
            return False
        if not _TOKEN.match(self.method):
            self.simple_response("400 Bad Request", "Malformed method name.")
            return False
        return True

    def read_request_headers(self) -> bool:
        if not super().read_request_headers():
            return False
        headers = self.inheaders
        length = headers.get(b"Content-Length")
        coding = headers.get(b"Transfer-Encoding")
        problem = None
        if self.request_protocol == b"HTTP/1.1" and not headers.get(b"Host"):
            problem = "An HTTP/1.1 request needs a Host header."
        elif length is not None and not _DIGITS.match(length):
            problem = "Malformed Content-Length Header."
        elif length is not None and coding is not None:
            problem = "Content-Length and Transfer-Encoding together."
        elif coding is not None and not self.chunked_read:
            # cheroot reads chunked bodies only when it answers in HTTP/1.1; read them
            # under protocolVersion=HTTP/1.0 too (the connection closes afterwards).
            if [c.strip().lower() for c in coding.split(b",")] != [b"chunked"]:
                problem = "Unsupported Transfer-Encoding."
            else:
                self.chunked_read = True
        if problem:
            self.simple_response("400 Bad Request", problem)
            return False
        return True


class _Connection(HTTPConnection):
    RequestHandlerClass = _Request


class _Server(wsgi.Server):
    """A cheroot WSGI server that serves on a socket bound beforehand."""

    ConnectionClass = _Connection

    def __init__(self, sock: socket.socket, app: Any, **options: Any) -> None:
        address = sock.getsockname()
        super().__init__(address if isinstance(address, str) else address[:2], app, **options)
        self._bound = sock

    def bind(self, family: int, type: int, proto: int = 0) -> socket.socket:  # noqa: A002
        self.socket = self._bound
        self.bind_addr = self.resolve_real_bind_addr(self._bound)
        return self._bound

    def bind_unix_socket(self, bind_addr: Any) -> socket.socket:
        return self.bind(socket.AF_UNIX, socket.SOCK_STREAM)


def bind(config: Any) -> tuple[socket.socket, str]:
    """Bind and listen on `socketFile`, or `socketHost:socketPort` (spec §21)."""
    if config.socket_file:
        try:
            if not stat.S_ISSOCK(os.lstat(config.socket_file).st_mode):
                raise OSError(errno.EEXIST, f"{config.socket_file} exists and is not a socket")
            os.unlink(config.socket_file)  # a stale socket of an earlier run
        except FileNotFoundError:
            pass
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(config.socket_file)
        os.chmod(config.socket_file, 0o777)
        where = f"socket file {config.socket_file}"
    else:
        host = config.socket_host or "0.0.0.0"
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, config.port))
        bound_host, port = sock.getsockname()[:2]
        where = f"{bound_host}:{port}" if family == socket.AF_INET else f"[{bound_host}]:{port}"
    sock.listen(config.socket_queue_size)
    return sock, where


def make_server(site: Any, config: Any, sock: socket.socket) -> _Server:
    """A cheroot server for the site on `sock`, with the configured pool and SSL."""
    low, high = config.threads
    server = _Server(
        sock, site.application, numthreads=low, max=high,
        request_queue_size=config.socket_queue_size, shutdown_timeout=SHUTDOWN_TIMEOUT,
        server_name=socket.gethostname(),
    )
    server.protocol = config.protocol_version
    # cheroot answers 413 itself for a Content-Length over the limit, before the
    # application runs; a chunked body over it is refused while the application reads it.
    server.max_request_body_size = config.max_request_body_size
    server.max_request_header_size = MAX_HEADER_BYTES
    if config.ssl:
        adapter = BuiltinSSLAdapter(config.ssl_certificate_file, config.ssl_key_file)
        if config.ssl_client_verification:
            adapter.context.load_verify_locations(cafile=config.ssl_ca_certificate_file)
            adapter.context.verify_mode = ssl.CERT_REQUIRED
        server.ssl_adapter = adapter
    return server


def _grow_when_busy(server: _Server, stopped: threading.Event) -> None:
    """`threading=1`: add a worker whenever connections wait and no worker is idle."""
    while not stopped.wait(0.05):
        pool = server.requests
        if server.ready and pool.qsize > 0 and pool.idle == 0:
            pool.grow(1)


def run(site: Any, config: Any, sock: socket.socket) -> int:
    """Serve in this process until SIGTERM or SIGINT; requests in progress finish."""
    server = make_server(site, config, sock)
    stopped = threading.Event()

    def stop(signum: int, frame: Any) -> None:
        stopped.set()  # never raise here: a handler may interrupt any code, even a __del__

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.prepare()
    serving = threading.Thread(target=server.serve, name="cherryc accept loop", daemon=True)
    serving.start()
    if config.threading:
        threading.Thread(target=_grow_when_busy, args=(server, stopped), daemon=True).start()
    try:
        while not stopped.wait(0.5) and serving.is_alive():
            pass
    finally:
        stopped.set()
        server.stop()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
    return 0


STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}
#: A worker that dies sooner than this after starting is restarted ever more slowly.
QUICK_DEATH_SECONDS = 5.0


def prefork(site: Any, config: Any, sock: socket.socket, processes: int) -> int:
    """Fork `processes` workers that serve on the same socket; restart any that dies."""
    workers: dict[int, tuple[int, float]] = {}  # pid -> (index, start time)
    stopping = False
    delay = 0.5

    def spawn(index: int) -> None:
        # No stop signal may arrive between fork and the worker's own handlers.
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        pid = os.fork()
        if pid == 0:  # the worker
            status = 1
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
                site.special("initProcess")(index)
                status = run(site, config, sock)
            except BaseException as exc:  # noqa: BLE001 - report and leave the worker
                site.log(f"worker {index} failed: {exc!r}")
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(status)
        workers[pid] = (index, time.monotonic())
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(workers):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for index in range(processes):
        if not stopping:
            spawn(index)
    while workers:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        index, started = workers.pop(pid, (None, 0.0))
        if index is None or stopping:
            continue
        delay = min(delay * 2, 30.0) if time.monotonic() - started < QUICK_DEATH_SECONDS else 0.5
        site.log(f"worker {index} (pid {pid}) exited with status {status}; starting another "
                 f"in {delay:g} s")
        time.sleep(delay)
        if not stopping:
            spawn(index)
    return 0


def describe_changes(config: Any) -> str:
    """The options whose value is not the default, for the start-up line (spec §22)."""
    from .config import OPTIONS, SECRET_OPTIONS, ServerConfig

    default = ServerConfig()
    changed = [f"{o.name}={'(secret)' if o.name in SECRET_OPTIONS else getattr(config, o.field)}"
               for o in OPTIONS if getattr(config, o.field) != getattr(default, o.field)]
    changed += [f"{prefix or '/'}={folder}" for prefix, folder in config.static_content]
    return f" ({', '.join(changed)})" if changed else " (all defaults)"


def serve(site: Any, config: Any) -> int:
    """Bind, run `initAfterBind`, then serve (pre-forked when configured)."""
    try:
        sock, where = bind(config)
    except OSError as exc:
        address = config.socket_file or f"{config.socket_host or '0.0.0.0'}:{config.port}"
        message = f"cannot listen on {address}: {exc.strerror or exc}"
        site.log(message)
        print(f"{site.base}: {message}", file=sys.stderr)
        return 1
    scheme = "HTTPS" if config.ssl else "HTTP"
    site.log(f"configuration: {config.source}{describe_changes(config)}")
    processes = config.processes
    if processes > 1 and config.session_storage == "ram":
        site.log("warning: ram sessions are not shared between the pre-forked processes; "
                 "use file, cookie or database sessions")
    site.special("initAfterBind")()
    site.log(f"Serving {scheme} on {where}" + (f" with {processes} processes" if processes > 1 else ""))
    try:
        if processes > 1:
            return prefork(site, config, sock, processes)
        return run(site, config, sock)
    finally:
        sock.close()
        if config.socket_file:
            try:
                os.unlink(config.socket_file)
            except OSError:
                pass
