"""Server modes in real processes (DESIGN.md §3, spec §13, §21–§23).

Thread pools, the growing pool, pre-forked workers, Unix sockets, keep-alive, clean
shutdown and the access log, each checked against `python siteServer.py -C test.cfg`.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

import pytest

from cherryc.runtime.config import DEFAULT_POOL_SIZE
from servers import Reply, ServerProcess, compile_site, free_port, write_config

SITE = """\
import os
import threading

WORKER = {}
GATE = threading.Barrier(12, timeout=20)


def _mark(text):
    with open("marks.txt", "a", encoding="utf-8") as handle:
        handle.write(text + " " + str(os.getpid()) + "\\n")


def initServer():
    _mark("initServer")

def initAfterBind():
    _mark("initAfterBind")

def initProcess(processIndex):
    WORKER["index"] = processIndex
    _mark("initProcess " + str(processIndex))

def initThread(threadIndex):
    request.threadIndex = threadIndex

CherryClass Root:
view:
    def hello(self, name="world"):
        return "Hello, " + name + "!"

    def echo(self, value):
        request.value = value
        time.sleep(0.05)
        return request.value + " " + threading.current_thread().name

    def who(self):
        time.sleep(0.02)
        return str(os.getpid()) + " " + str(WORKER.get("index"))

    def gate(self):
        GATE.wait()
        return threading.current_thread().name

    def threadindex(self):
        time.sleep(0.02)
        return str(request.threadIndex) + " " + threading.current_thread().name

    def slow(self):
        _mark("slow-started")
        time.sleep(1)
        return "slow done"
"""

#: Longest wait for anything the tests poll for (servers starting, workers appearing...).
PATIENCE = 20

def access_line(path: str, status: int) -> str:
    """A regex for the access-log line of `GET path` (spec §23), one whole line."""
    return (r"^\[\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}\] 127\.0\.0\.1 - "
            rf"\"GET {re.escape(path)} HTTP/1\.1\" {status}$")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    compile_site(tmp_path, SITE)
    return tmp_path


def fetch_all(server: ServerProcess, paths: list[str], clients: int,
              timeout: float = 30) -> list[Reply]:
    """GET every path, `clients` at a time; the replies in the order of `paths`."""
    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(lambda path: server.get(path, timeout=timeout), paths))


def wait_for(condition: Callable[[], object], what: str, timeout: float = PATIENCE) -> object:
    """Poll `condition` until it gives something true; fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def running(pid: int) -> bool:
    """Whether process `pid` exists and has not exited (a zombie has exited)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def children(pid: int) -> set[int]:
    """The live child processes of `pid` (from /proc)."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry))
    return found


def wait_for_workers(parent: int, count: int) -> set[int]:
    """The pids of the `count` live children of `parent`, once there are that many."""
    def workers() -> set[int] | None:
        found = children(parent)
        return found if len(found) == count else None

    return wait_for(workers, f"{count} worker processes of {parent}")  # type: ignore[return-value]


def marks(folder: Path) -> list[tuple[str, int]]:
    """What the special functions wrote to marks.txt: (text, pid) in order."""
    path = folder / "marks.txt"
    if not path.exists():
        return []
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        text, _, pid = line.rpartition(" ")
        found.append((text, int(pid)))
    return found


class QuietServerProcess(ServerProcess):
    """A ServerProcess that is ready when its port answers (nothing is printed with
    logToScreen = 0, so the harness cannot wait for the "Serving" line)."""

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:  # type: ignore[union-attr]
                raise AssertionError(f"the server exited at start-up:\n{self.log()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise AssertionError("the server did not start")


def run_expecting_failure(folder: Path, server: dict[str, object]) -> subprocess.CompletedProcess:
    """Start `python siteServer.py -C bad.cfg`, which must refuse to start."""
    config = folder / "bad.cfg"
    write_config(config, server)
    return subprocess.run([sys.executable, "siteServer.py", "-C", str(config)], cwd=folder,
                          capture_output=True, text=True, timeout=PATIENCE)


# ---- thread pools --------------------------------------------------------------------------


@pytest.mark.parametrize(("settings", "most_threads"), [
    pytest.param({}, DEFAULT_POOL_SIZE, id="default-pool"),  # README: the default pool
    pytest.param({"threadPool": 8}, 8, id="threadPool=8"),
    pytest.param({"threadPool": 1}, 1, id="threadPool=1"),
])
def test_concurrent_requests_get_their_own_data(site: Path, settings: dict, most_threads: int) -> None:
    """50 clients at once: each reply carries its own parameter, read back from `request`
    after a sleep, so that threads sharing `request` would mix them up."""
    paths = [f"/echo?value=client{i}" for i in range(50)]
    with ServerProcess(site, server=settings) as server:
        replies = fetch_all(server, paths, clients=50)
    names = set()
    for i, reply in enumerate(replies):
        assert reply.status == 200, reply.text
        value, _, name = reply.text.partition(" ")
        assert value == f"client{i}"
        assert name.strip()
        names.add(name)
    if most_threads == 1:
        assert len(names) == 1, names
    else:
        # several workers served the burst, and never more than the pool has
        assert min(2, most_threads) <= len(names) <= most_threads, names


def test_init_thread_runs_once_per_worker_and_its_request_attributes_stay(site: Path) -> None:
    """Spec §13: initThread(threadIndex) runs in each worker thread, typically to keep
    something per thread on `request` (e.g. a database connection); the thread's
    requests see it."""
    paths = ["/threadindex"] * 30
    with ServerProcess(site, server={"threadPool": 3}) as server:
        replies = fetch_all(server, paths, clients=10)
    index_of: dict[str, str] = {}
    for reply in replies:
        assert reply.status == 200, reply.text
        index, _, name = reply.text.partition(" ")
        assert index_of.setdefault(name, index) == index  # one index per thread
    assert len(index_of) <= 3
    assert set(index_of.values()) <= {"0", "1", "2"}
    assert len(set(index_of.values())) == len(index_of)  # distinct per thread


def test_growing_pool_adds_threads_while_requests_wait(site: Path) -> None:
    """`threading = 1`: 12 requests that can only finish when all 12 are in progress at
    once (a barrier) all succeed, so the pool grew past its initial size."""
    assert DEFAULT_POOL_SIZE < 12
    with ServerProcess(site, server={"threading": 1}) as server:
        replies = fetch_all(server, ["/gate"] * 12, clients=12, timeout=40)
    assert [reply.status for reply in replies] == [200] * 12, [r.text for r in replies]
    names = {reply.text for reply in replies}
    assert len(names) == 12 > DEFAULT_POOL_SIZE


# ---- pre-forked processes ------------------------------------------------------------------


def _workers_in_log(log: str) -> int:
    found = re.search(r"Serving HTTP on 127\.0\.0\.1:\d+ with (\d+) processes", log)
    assert found, log
    return int(found.group(1))


def _collect_workers(server: ServerProcess, expected: set[int]) -> dict[int, int]:
    """Send bursts of requests until every pid of `expected` answered; pid -> index."""
    seen: dict[int, int] = {}

    def all_answered() -> bool:
        for reply in fetch_all(server, ["/who"] * (2 * len(expected) + 4), clients=8):
            assert reply.status == 200, reply.text
            pid, index = reply.text.split()
            assert seen.setdefault(int(pid), int(index)) == int(index)
        return set(seen) >= expected

    wait_for(all_answered, f"answers from all workers {sorted(expected)}")
    assert set(seen) == expected  # nobody else answered
    return seen


@pytest.mark.parametrize("settings", [{"processPool": 3}, {"forking": 1}],
                         ids=["processPool=3", "forking=1"])
def test_preforked_workers_share_the_socket_and_stop_with_the_parent(site: Path,
                                                                     settings: dict) -> None:
    server = ServerProcess(site, server=settings).start()
    try:
        parent = server.process.pid  # type: ignore[union-attr]
        count = _workers_in_log(server.log())
        if "processPool" in settings:
            assert count == 3
        else:
            assert count >= 2  # README: forking = 1 gives one process per CPU
        workers = wait_for_workers(parent, count)
        assert parent not in workers
        seen = _collect_workers(server, workers)
        assert sorted(seen.values()) == list(range(count))  # initProcess(processIndex) per worker
    finally:
        status = server.stop()
    assert status == 0, server.log()
    left = [pid for pid in workers if running(pid)]
    assert left == [], f"workers still running after the parent stopped: {left}"
    # initServer and initAfterBind ran once, in the parent; initProcess once per worker
    recorded = marks(site)
    assert [m for m in recorded if not m[0].startswith("initProcess")] == [
        ("initServer", parent), ("initAfterBind", parent)]
    assert sorted(m for m in recorded if m[0].startswith("initProcess")) == sorted(
        (f"initProcess {index}", pid) for pid, index in seen.items())


def test_a_killed_worker_is_replaced_and_the_site_keeps_answering(site: Path) -> None:
    server = ServerProcess(site, server={"processPool": 3}).start()
    try:
        parent = server.process.pid  # type: ignore[union-attr]
        workers = wait_for_workers(parent, 3)
        seen = _collect_workers(server, workers)
        victim = min(seen)
        os.kill(victim, signal.SIGKILL)

        def replaced() -> set[int] | None:
            # the site answers all along (from the other workers)
            for reply in fetch_all(server, ["/who"] * 4, clients=4):
                assert reply.status == 200, reply.text
            found = children(parent)
            return found if len(found) == 3 and victim not in found else None

        now = wait_for(replaced, "a new worker in place of the killed one")
        newcomer = (now - workers).pop()
        assert now == (workers - {victim}) | {newcomer}
        answered = _collect_workers(server, now)
        assert answered[newcomer] == seen[victim]  # it took the dead worker's index
        assert "starting another" in server.log()
    finally:
        status = server.stop()
    assert status == 0, server.log()
    assert [pid for pid in now if running(pid)] == []
    assert not running(victim)
    assert [m for m in marks(site) if m[0] == "initServer"] == [("initServer", parent)]


def test_sigterm_while_a_dead_worker_is_being_replaced_stops_everything(site: Path) -> None:
    """The parent waits a moment before replacing a dead worker; a SIGTERM arriving then
    must still stop every worker (no replacement started after the stop) and the parent."""
    server = ServerProcess(site, server={"processPool": 3}).start()
    process = server.process
    assert process is not None
    parent = process.pid
    known: set[int] = set()
    try:
        workers = wait_for_workers(parent, 3)
        known |= workers
        os.kill(min(workers), signal.SIGKILL)
        wait_for(lambda: "starting another" in server.log(), "the parent to notice the death")
        process.send_signal(signal.SIGTERM)
        try:
            status = process.wait(10)
        except subprocess.TimeoutExpired:
            status = None
            known |= children(parent)
        assert status == 0, f"the parent did not stop (status {status}):\n{server.log()}"
        assert [pid for pid in known if running(pid)] == []
    finally:
        for pid in known | children(parent):
            if running(pid):
                os.kill(pid, signal.SIGKILL)
        if process.poll() is None:
            process.kill()
            process.wait()


# ---- Unix socket ---------------------------------------------------------------------------


def _unix_get(path: str, target: str) -> bytes:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.settimeout(10)
        client.connect(path)
        client.sendall(f"GET {target} HTTP/1.0\r\nHost: localhost\r\n\r\n".encode())
        chunks = []
        while True:
            chunk = client.recv(65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


def test_socket_file_serves_and_is_removed_at_exit(site: Path) -> None:
    path = str(site / "site.sock")
    assert len(path) < 100, "the Unix socket path is too long for this test's tmp_path"
    server = ServerProcess(site, server={"socketFile": path}).start()
    try:
        wait_for(lambda: os.path.exists(path), "the socket file")
        mode = os.stat(path).st_mode
        assert stat.S_ISSOCK(mode)
        assert stat.S_IMODE(mode) == 0o777  # spec §21: chmod 0777
        answer = _unix_get(path, "/hello?name=unix")
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.0 200 "), answer
        assert body == b"Hello, unix!"
        assert f"Serving HTTP on socket file {path}" in server.log()
    finally:
        status = server.stop()
    assert status == 0, server.log()
    assert not os.path.exists(path)


def test_socket_port_and_socket_file_together_are_a_config_error(site: Path) -> None:
    path = site / "site.sock"
    result = run_expecting_failure(site, {"socketPort": free_port(), "socketFile": path})
    message = result.stdout + result.stderr
    assert "error" in message and "socketPort" in message and "socketFile" in message, message
    assert "Traceback" not in message
    assert "Serving" not in message
    assert not path.exists()
    assert result.returncode != 0, "a configuration error must give a non-zero exit status"


def test_a_port_in_use_is_a_start_up_error(site: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = run_expecting_failure(site, {"socketHost": "127.0.0.1", "socketPort": port})
    message = result.stdout + result.stderr
    assert "cannot listen" in message and "in use" in message, message
    assert "Serving" not in message
    assert result.returncode != 0, "a start-up error must give a non-zero exit status"


# ---- keep-alive and the status line --------------------------------------------------------


def test_http11_keeps_the_connection_alive(site: Path) -> None:
    with ServerProcess(site, server={"protocolVersion": "HTTP/1.1"}) as server:
        conn = server.connection()
        try:
            first = None
            for i in range(5):
                conn.request("GET", f"/hello?name=n{i}")
                answer = conn.getresponse()
                body = answer.read()
                assert (answer.status, answer.version, body) == (200, 11, f"Hello, n{i}!".encode())
                assert (answer.getheader("Connection") or "").lower() != "close"
                assert conn.sock is not None, "the server closed the connection"
                first = first or conn.sock
                assert conn.sock is first, "a new connection was opened"
        finally:
            conn.close()
        raw = server.raw(b"GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        assert raw.startswith(b"HTTP/1.1 200 "), raw
        assert raw.endswith(b"\r\n\r\nHello, world!")


def test_default_protocol_is_http10(site: Path) -> None:
    with ServerProcess(site) as server:
        reply = server.get("/hello")
        assert (reply.status, reply.version, reply.text) == (200, 10, "Hello, world!")
        raw = server.raw(b"GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert raw.startswith(b"HTTP/1.0 200 "), raw
        assert raw.endswith(b"\r\n\r\nHello, world!")


# ---- shutdown and logging ------------------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_stops_the_server_with_status_0(site: Path, sig: int) -> None:
    server = ServerProcess(site).start()
    try:
        assert server.get("/hello").status == 200
    finally:
        status = server.stop(sig)
    assert status == 0, server.log()
    with pytest.raises(OSError):
        socket.create_connection((server.host, server.port), timeout=2).close()


@pytest.mark.parametrize("settings", [{}, {"processPool": 2}], ids=["single", "processPool=2"])
def test_a_request_in_progress_completes_on_sigterm(site: Path, settings: dict) -> None:
    server = ServerProcess(site, server=settings).start()
    try:
        with ThreadPoolExecutor(1) as pool:
            pending = pool.submit(server.get, "/slow", timeout=30)
            wait_for(lambda: any(m[0] == "slow-started" for m in marks(site)),
                     "the slow view to start")
            server.process.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
            reply = pending.result()
        assert (reply.status, reply.text) == (200, "slow done")
        status = server.process.wait(PATIENCE)  # type: ignore[union-attr]
    finally:
        server.stop()
    assert status == 0, server.log()
    assert re.search(access_line("/slow", 200), server.log(), re.M), server.log()


def test_access_log_goes_to_the_screen_and_to_log_file(site: Path) -> None:
    with ServerProcess(site, server={"logFile": "access.log"}) as server:
        assert server.get("/hello?name=log").status == 200
        assert server.get("/nothing/here").status == 404
    screen = server.log()
    written = (site / "access.log").read_text(encoding="utf-8")
    for text in (screen, written):
        assert re.search(access_line("/hello?name=log", 200),
                         text, re.M), text
        assert re.search(access_line("/nothing/here", 404), text, re.M), text
        assert "Serving HTTP on 127.0.0.1:" in text
    # one line per request, on each side
    for text in (screen, written):
        assert len(re.findall(r' - "GET ', text)) == 2, text


def test_log_to_screen_0_keeps_the_screen_quiet(site: Path) -> None:
    server = QuietServerProcess(site, server={"logToScreen": 0, "logFile": "quiet.log"}).start()
    try:
        assert server.get("/hello?name=quiet").status == 200
    finally:
        status = server.stop()
    assert status == 0
    assert server.log() == ""
    written = (site / "quiet.log").read_text(encoding="utf-8")
    assert "Serving HTTP on 127.0.0.1:" in written
    assert re.search(access_line("/hello?name=quiet", 200),
                     written, re.M), written


def test_start_up_line_lists_changed_options_but_never_the_site_key(tmp_path) -> None:
    compile_site(tmp_path, "CherryClass Root:\nmask:\n    def index(self):\n        ok\n")
    with ServerProcess(tmp_path, server={"siteKey": "very-secret-value", "threadPool": 3}) as server:
        assert server.get("/").status == 200
    log = server.log()
    assert "threadPool=3" in log and "siteKey=(secret)" in log
    assert "very-secret-value" not in log
