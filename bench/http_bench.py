"""HTTP throughput: a generated cherryc server against raw cheroot, CherryPy 18 and Flask.

Run it with the project's interpreter, from the repository root::

    apt-get install -y wrk                    # once (Debian package `wrk`)
    .venv/bin/pip install -e '.[bench]'       # once: CherryPy 18 and Flask
    .venv/bin/python bench/http_bench.py      # about 8 minutes
    .venv/bin/python bench/http_bench.py --rounds 3 --sweep ''     # quicker, noisier
    .venv/bin/python bench/http_bench.py --profile --py-spy /tmp/pyspy/bin/py-spy
                                              # also profile the servers (3 more minutes)

Three pages are served by every contender with the same bytes: a hello page, a 20-row
table (about 2 KB of HTML) and a static file (about 2 KB). The contenders run in their
own processes on loopback, with the same number of pool threads, HTTP/1.1 keep-alive
and no access log: the server `cherryc compile` generates (without `--autoescape`, 0.x's
default, as the ceiling does not escape either), run as `python siteServer.py -C
file.cfg`; the same site compiled with `--autoescape`, to show what escaping costs (no
goal on it); the ceiling, a plain WSGI function on `cheroot.wsgi.Server`, which builds
the table without escaping (its data needs none); CherryPy 18 on its own server (which is
cheroot); Flask on `cheroot.wsgi.Server`; a second process of the ceiling, as a control
of the noise. The cherryc server (default compile) also runs with other pool sizes (1, 2
and 10 by default). wrk drives one
(server, page) at a time; every round starts fresh server processes, the order rotates
from round to round, medians are reported, and ratios to the ceiling are taken round by
round. The profile of the cherryc server is printed by itself when it misses 0.85x the
ceiling on hello or table.
"""

from __future__ import annotations


import argparse
import cProfile
import http.client
import importlib.util
import io
import os
import pstats
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import _harness

from cherryc.runtime.config import DEFAULT_POOL_SIZE

HERE = Path(__file__).resolve().parent

#: The pages: name -> URL path.
PAGES = {"hello": "/hello", "table": "/table", "static": "/static/style.css"}
#: Pages the throughput goal applies to.
GOAL_PAGES = ("hello", "table")
GOAL_RATIO = 0.85

CEILING = "raw cheroot"
#: A second process of the ceiling: its ratio to the ceiling shows the noise between processes.
CONTROL = "raw cheroot, 2nd process"
#: The goal contender: the site compiled without --autoescape (0.x's default), like the ceiling.
CHERRYC = "cherryc"
#: The same site compiled with --autoescape: no goal, it shows what escaping costs.
CHERRYC_ESCAPED = "cherryc --autoescape"
#: Where the --autoescape build goes (a subfolder of the site's folder).
ESCAPED_DIR = "autoescape"
CHERRYPY = "cherrypy 18"
FLASK = "flask + cheroot"

HELLO = "Hello, world!\n"

#: The site. The table data is the same list comprehension as `make_rows` below.
CPY_SOURCE = """\
CherryClass Root:
variable:
    rows = [{'id': n, 'name': 'Item number %d' % n, 'category': ('hardware', 'garden', 'kitchen')[n % 3], 'price': '%.2f' % (n * 1.25), 'stock': n * 7} for n in range(1, 21)]
mask:
    def hello(self):
        Hello, world!
    def table(self):
        <!DOCTYPE html>
        <html><head><title>Stock</title></head><body>
        <table>
        <tr><th>id</th><th>name</th><th>category</th><th>price</th><th>stock</th></tr>
        <py-for="row in self.rows"><tr><td><py-eval="row['id']"></td><td><py-eval="row['name']"></td><td><py-eval="row['category']"></td><td><py-eval="row['price']"></td><td><py-eval="row['stock']"></td></tr>
        </py-for></table>
        </body></html>
"""

#: Flask's and CherryPy's table: a Jinja2 template file, autoescaped.
JINJA2_TABLE = """\
<!DOCTYPE html>
<html><head><title>Stock</title></head><body>
<table>
<tr><th>id</th><th>name</th><th>category</th><th>price</th><th>stock</th></tr>
{% for row in rows %}<tr><td>{{ row.id }}</td><td>{{ row.name }}</td><td>{{ row.category }}</td>\
<td>{{ row.price }}</td><td>{{ row.stock }}</td></tr>
{% endfor %}</table>
</body></html>
"""


def make_rows() -> list[dict[str, Any]]:
    """The 20 rows of the table page (the same expression as in CPY_SOURCE)."""
    return [{'id': n, 'name': 'Item number %d' % n,
             'category': ('hardware', 'garden', 'kitchen')[n % 3],
             'price': '%.2f' % (n * 1.25), 'stock': n * 7} for n in range(1, 21)]


def hand_table(rows: list[dict[str, Any]]) -> str:
    """The ceiling's table: hand-written, one f-string per row, no escaping (none needed)."""
    out = ['<!DOCTYPE html>\n<html><head><title>Stock</title></head><body>\n<table>\n'
           '<tr><th>id</th><th>name</th><th>category</th><th>price</th><th>stock</th></tr>\n']
    append = out.append
    for r in rows:
        append(f"<tr><td>{r['id']}</td><td>{r['name']}</td><td>{r['category']}</td>"
               f"<td>{r['price']}</td><td>{r['stock']}</td></tr>\n")
    append("</table>\n</body></html>\n")
    return "".join(out)


def static_file_text() -> str:
    """About 2 KB of CSS for the static page."""
    lines = [f".c{n} {{ margin: {n}px {n + 1}px; color: #{n * 9 % 256:02x}{n * 5 % 256:02x}a0; }}\n"
             for n in range(44)]
    return "".join(lines)


# ---- the contenders' servers (run in their own processes: `--serve KIND`) ------------------


def raw_app(static_dir: str) -> Callable[..., Any]:
    """The ceiling: a plain WSGI function; hello prebuilt, table built by hand, file read.

    It sends the headers cherryc sends (Date cached per second, Server), so that cheroot
    does not format a Date for it on every request.
    """
    from email.utils import formatdate

    hello = HELLO.encode()
    rows = make_rows()
    html = "text/html; charset=utf-8"
    date = [0, ""]

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        now = int(time.time())
        if date[0] != now:
            date[:] = now, formatdate(now, usegmt=True)
        path = environ["PATH_INFO"]
        if path == "/hello":
            body, headers = hello, [("Content-Type", html)]
        elif path == "/table":
            body, headers = hand_table(rows).encode(), [("Content-Type", html)]
        elif path == "/static/style.css":
            with open(os.path.join(static_dir, "style.css"), "rb") as handle:
                body = handle.read()
                mtime = os.fstat(handle.fileno()).st_mtime
            headers = [("Content-Type", "text/css; charset=utf-8"),
                       ("Last-Modified", formatdate(mtime, usegmt=True))]
        else:
            start_response("404 Not Found", [("Content-Length", "0")])
            return []
        headers += [("Content-Length", str(len(body))), ("Date", date[1]), ("Server", "raw")]
        start_response("200 OK", headers)
        return [body]

    return app


def flask_app(directory: str) -> Any:
    """Flask: hello as a string, the table through render_template, the static folder."""
    from flask import Flask, render_template

    app = Flask("bench", static_folder=os.path.join(directory, "static"),
                static_url_path="/static", template_folder=os.path.join(directory, "templates"))
    rows = make_rows()

    @app.route("/hello")
    def hello() -> str:
        return HELLO

    @app.route("/table")
    def table() -> str:
        return render_template("table.html", rows=rows)

    return app


def serve_cheroot(app: Any, port: int, threads: int) -> None:
    """Serve a WSGI app on cheroot with `threads` pool threads until SIGTERM."""
    from cheroot import wsgi

    server = wsgi.Server(("127.0.0.1", port), app, numthreads=threads, max=threads)
    server.protocol = "HTTP/1.1"

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        server.prepare()
        server.serve()
    except (SystemExit, KeyboardInterrupt):
        pass
    finally:
        server.stop()


def serve_cherrypy(directory: str, port: int, threads: int) -> None:
    """CherryPy 18 on its own server: production environment, no screen or access log."""
    import cherrypy
    import jinja2

    templates = jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.join(directory, "templates")),
                                   autoescape=True)
    table_template = templates.get_template("table.html")
    rows = make_rows()

    class Root:
        @cherrypy.expose
        def hello(self) -> str:
            return HELLO

        @cherrypy.expose
        def table(self) -> str:
            return table_template.render(rows=rows)

    cherrypy.config.update({
        "environment": "production", "server.socket_host": "127.0.0.1",
        "server.socket_port": port, "server.thread_pool": threads,
        "server.protocol_version": "HTTP/1.1", "log.screen": False, "log.access_file": "",
        "log.error_file": "", "engine.autoreload.on": False, "checker.on": False,
    })
    config = {"/static": {"tools.staticdir.on": True,
                          "tools.staticdir.dir": os.path.join(directory, "static")}}
    cherrypy.quickstart(Root(), "/", config)


def load_generated(directory: str) -> Any:
    """Import the generated siteServer.py from `directory` (not started)."""
    path = os.path.join(directory, "siteServer.py")
    spec = importlib.util.spec_from_file_location("siteServer", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def serve(args: argparse.Namespace) -> int:
    """`--serve KIND`: run one contender's server in this process."""
    if args.serve == "raw":
        serve_cheroot(raw_app(os.path.join(args.dir, "static")), args.port, args.threads)
    elif args.serve == "flask":
        serve_cheroot(flask_app(args.dir), args.port, args.threads)
    elif args.serve == "cherrypy":
        serve_cherrypy(args.dir, args.port, args.threads)
    return 0


# ---- starting and checking the servers ----------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_site(directory: Path) -> None:
    """site.cpy compiled twice (siteServer.py without --autoescape, ESCAPED_DIR/siteServer.py
    with it), the static file and the Jinja2 template."""
    (directory / "site.cpy").write_text(CPY_SOURCE, encoding="utf-8")
    (directory / "static").mkdir()
    (directory / "static" / "style.css").write_text(static_file_text(), encoding="utf-8")
    (directory / "templates").mkdir()
    (directory / "templates" / "table.html").write_text(JINJA2_TABLE, encoding="utf-8")
    (directory / ESCAPED_DIR).mkdir(exist_ok=True)
    for options in ([], ["--autoescape", "-O", f"{ESCAPED_DIR}/siteServer.py"]):
        result = subprocess.run([sys.executable, "-m", "cherryc", "compile", *options, "site.cpy"],
                                cwd=directory, capture_output=True, text=True)
        if result.returncode:
            raise SystemExit(f"cherryc compile {' '.join(options)} failed:\n{result.stderr}")


def cherryc_config(directory: Path, port: int, threads: int, name: str = "") -> Path:
    path = directory / f"{name or f'cherryc-{threads}'}.cfg"
    path.write_text(
        "[server]\nsocketHost = 127.0.0.1\n"
        f"socketPort = {port}\nthreadPool = {threads}\n"
        "protocolVersion = HTTP/1.1\nlogToScreen = 0\n\n"
        f"[staticContent]\nstatic = {directory / 'static'}\n", encoding="utf-8")
    return path


@dataclass
class Server:
    """One contender's server process."""

    name: str
    command: list[str]
    port: int
    cwd: Path
    log: Path
    process: subprocess.Popen | None = None
    #: CPUs the server may run on (None: any).
    cpus: set[int] | None = None
    #: The server's environment (None: this process's).
    env: dict[str, str] | None = None

    def start(self) -> None:
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(self.command, cwd=self.cwd, stdout=log, stderr=log,
                                            preexec_fn=pinned(self.cpus), env=self.env)

    def ready(self) -> bool:
        """Whether the server answers (an OSError while it does not listen yet)."""
        return fetch(self.port, "/hello")[0] == 200

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name}: the server exited with status "
                                 f"{self.process.returncode}:\n{self.log.read_text()}")
            try:
                if self.ready():
                    return
            except OSError:
                time.sleep(0.1)
        raise SystemExit(f"{self.name}: no answer on port {self.port} after {timeout:g} s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def cpu_seconds(self) -> tuple[float, float]:
        """(user, system) CPU time of the server process so far (all its threads)."""
        assert self.process is not None
        with open(f"/proc/{self.process.pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        tick = os.sysconf("SC_CLK_TCK")
        return int(fields[11]) / tick, int(fields[12]) / tick


def pinned(cpus: set[int] | None) -> Callable[[], None] | None:
    """A preexec_fn that restricts a child process (and its threads) to `cpus`."""
    if not cpus:
        return None
    return lambda: os.sched_setaffinity(0, cpus)


def fetch(port: int, path: str) -> tuple[int, dict[str, str], bytes, bool]:
    """(status, headers, body, connection kept open) of one GET over HTTP/1.1."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        reply = connection.getresponse()
        body = reply.read()
        kept = not reply.will_close
        if kept:  # a second request on the same connection
            connection.request("GET", path)
            second = connection.getresponse()
            kept = second.status == reply.status and second.read() == body
        return reply.status, {k.lower(): v for k, v in reply.getheaders()}, body, kept
    finally:
        connection.close()


def check_servers(servers: list[Server], pages: list[str]) -> dict[str, int]:
    """Every server answers every page with the ceiling's body (whitespace aside), keeping
    the connection open; returns the body size of each page."""
    def squeeze(body: bytes) -> bytes:
        return re.sub(rb"\s+", b"", body)

    ceiling = next(s for s in servers if s.name == CEILING)
    sizes = {}
    for page in pages:
        status, _, expected, _ = fetch(ceiling.port, PAGES[page])
        if status != 200:
            raise SystemExit(f"{CEILING}: GET {PAGES[page]} answered {status}")
        sizes[page] = len(expected)
        for server in servers:
            status, headers, body, kept = fetch(server.port, PAGES[page])
            if status != 200 or squeeze(body) != squeeze(expected):
                raise SystemExit(f"{server.name}: GET {PAGES[page]} answered {status} with a "
                                 f"different body:\n{body[:300]!r}\nexpected\n{expected[:300]!r}")
            if not kept:
                raise SystemExit(f"{server.name}: GET {PAGES[page]} did not keep the "
                                 f"connection open (HTTP/1.1 keep-alive)")
            if "content-length" not in headers:
                raise SystemExit(f"{server.name}: GET {PAGES[page]} has no Content-Length")
    return sizes


# ---- wrk ----------------------------------------------------------------------------------


@dataclass
class Run:
    """One wrk run against one server and page."""

    requests_per_second: float
    p50: float  # seconds
    p99: float
    requests: int
    server_cpu: float  # server CPU seconds (user + system) per request
    server_system: float  # of which system (kernel) seconds
    wrk_cpu: float  # wrk's CPU seconds per wall second
    other_cpu: float  # CPUs used by other processes of the machine during the run
    errors: str = ""


_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def _duration(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(f"cannot read the wrk duration {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> tuple[float, float, float, int, str]:
    """(requests/s, p50, p99, requests, errors) from `wrk --latency` output."""
    def find(pattern: str) -> re.Match[str]:
        match = re.search(pattern, output, re.M)
        if not match:
            raise SystemExit(f"cannot read wrk's output (no {pattern!r}):\n{output}")
        return match

    rate = float(find(r"^Requests/sec:\s+([\d.]+)").group(1))
    p50 = _duration(find(r"^\s+50%\s+(\S+)").group(1))
    p99 = _duration(find(r"^\s+99%\s+(\S+)").group(1))
    requests = int(find(r"^\s+(\d+) requests in").group(1))
    errors = []
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        errors.append(f"{non_2xx.group(1)} non-2xx/3xx")
    sockets = re.search(r"Socket errors: (.*)", output)
    if sockets:
        errors.append(f"socket errors: {sockets.group(1).strip()}")
    return rate, p50, p99, requests, "; ".join(errors)


def run_wrk(server: Server, page: str, args: argparse.Namespace, seconds: int) -> Run:
    """One wrk run; also the server's CPU time per request and wrk's own CPU use."""
    return run_wrk_url(server, f"http://127.0.0.1:{server.port}{PAGES[page]}", args, seconds)


def run_wrk_url(server: Server, url: str, args: argparse.Namespace, seconds: int,
                extra: list[str] | None = None) -> Run:
    """One wrk run on `url` (`extra`: more wrk options, e.g. `-s script.lua`)."""
    command = ["wrk", f"-t{args.wrk_threads}", f"-c{args.connections}", f"-d{seconds}s",
               "--latency", "--timeout", "5s", *(extra or []), url]
    user_before, system_before = server.cpu_seconds()
    machine_before = machine_cpu_seconds()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True,
                            preexec_fn=pinned(args.wrk_cpus))
    wall = time.monotonic() - started
    user_after, system_after = server.cpu_seconds()
    machine_after = machine_cpu_seconds()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode:
        raise SystemExit(f"wrk failed on {url}:\n{result.stdout}{result.stderr}")
    rate, p50, p99, requests, errors = parse_wrk(result.stdout)
    wrk_seconds = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    server_seconds = user_after - user_before + system_after - system_before
    other = max(0.0, machine_after - machine_before - server_seconds - wrk_seconds) / wall
    count = max(requests, 1)
    return Run(rate, p50, p99, requests, server_seconds / count,
               (system_after - system_before) / count, wrk_seconds / wall, other, errors)


def source_version() -> str:
    """cherryc's version and, in a git checkout, the commit (with '+changes' if dirty)."""
    from cherryc import __version__

    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE,
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "runtime", "compiler"],
                               cwd=HERE, capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return __version__
    return f"{__version__}, commit {commit}" + (" + uncommitted changes in runtime/ or "
                                                "compiler/" if dirty else "")


def machine_cpu_seconds() -> float:
    """CPU seconds all processes of the machine have used (busy time in /proc/stat)."""
    with open("/proc/stat") as handle:
        fields = [int(x) for x in handle.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal ...; steal: taken by the hypervisor
    busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7]
    return busy / os.sysconf("SC_CLK_TCK")


def check_wrk() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed. On Debian or Ubuntu: apt-get install -y wrk "
                         "(as root), then run this script again.")


# ---- the measurement ----------------------------------------------------------------------


def warm(server: Server, pages: list[str], args: argparse.Namespace) -> None:
    """A fresh server's warm-up: a short wrk run on the first page (every pool thread gets
    work), then a few requests of every page."""
    if args.warmup > 0:
        run_wrk(server, pages[0], args, args.warmup)
    for page in pages:
        for _ in range(10):
            fetch(server.port, PAGES[page])


def measure(make_servers: Callable[[], list[Server]], pages: list[str],
            args: argparse.Namespace) -> tuple[dict[tuple[str, str], list[Run]], dict[str, int]]:
    """`rounds` interleaved rounds of one wrk run per (server, page); (runs, body sizes).

    Every round starts fresh server processes (a process can be faster or slower than
    another of the same server for its whole life: thread placement, memory layout),
    checks their pages and warms them up. Round r starts with page number r and server
    number r (mod their counts).
    """
    runs: dict[tuple[str, str], list[Run]] = {}
    sizes: dict[str, int] = {}
    done = 0
    for round_number in range(args.rounds):
        servers = make_servers()
        total = args.rounds * len(servers) * len(pages)
        try:
            for server in servers:
                server.start()
            for server in servers:
                server.wait_ready()
            sizes = check_servers(servers, pages)
            for server in servers:
                warm(server, pages, args)
            page_shift = round_number % len(pages)
            server_shift = round_number % len(servers)
            for page in pages[page_shift:] + pages[:page_shift]:
                for server in servers[server_shift:] + servers[:server_shift]:
                    run = run_wrk(server, page, args, args.duration)
                    runs.setdefault((server.name, page), []).append(run)
                    done += 1
                    if sys.stderr.isatty():
                        print(f"\r  round {round_number + 1}/{args.rounds}, run {done}/{total}",
                              end="", file=sys.stderr, flush=True)
        finally:
            for server in servers:
                server.stop()
    if sys.stderr.isatty():
        print(file=sys.stderr)
    return runs, sizes


# ---- report -------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values)


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms"


def paired(runs: dict[tuple[str, str], list[Run]], a: str, b: str, page: str,
           value: Callable[[Run], float]) -> tuple[float, float, float]:
    """Quartiles of the round-by-round ratio value(a) / value(b)."""
    return _harness.quartiles(_harness.paired_ratios(
        [value(r) for r in runs[a, page]], [value(r) for r in runs[b, page]]))


def results_table(runs: dict[tuple[str, str], list[Run]], names: list[str], pages: list[str],
                  sizes: dict[str, int]) -> str:
    rows = []
    for page in pages:
        for name in names:
            page_runs = runs[name, page]
            low, ratio, high = paired(runs, name, CEILING, page, lambda r: r.requests_per_second)
            errors = sorted({r.errors for r in page_runs if r.errors})
            rows.append([
                f"{page} ({sizes[page]:,} B)" if name == names[0] else "", name,
                f"{median([r.requests_per_second for r in page_runs]):,.0f}",
                f"{ratio:.2f}x", f"{low:.2f}-{high:.2f}",
                ms(median([r.p50 for r in page_runs])), ms(median([r.p99 for r in page_runs])),
                f"{median([r.server_cpu for r in page_runs]) * 1e6:.0f} µs",
                f"{median([r.server_system / r.server_cpu for r in page_runs]):.0%}",
                "; ".join(errors),
            ])
    headers = ["page", "contender", "req/s", "x ceiling", "IQR", "p50", "p99",
               "server CPU/req", "sys", ""]
    return _harness.format_table(headers, rows)


def goals_table(runs: dict[tuple[str, str], list[Run]], pages: list[str],
                control: bool) -> tuple[str, bool]:
    """The throughput and p99 goals on hello and table, with the --autoescape build,
    CherryPy, Flask and the second ceiling process as context."""
    rows = []
    met_all = True
    context = [(CHERRYC_ESCAPED, "(no goal)"), (CHERRYPY, "(about 0.5x)"),
               (FLASK, "(about 0.75x)")]
    if control:
        context.append((CONTROL, "(noise: 1.00x)"))
    for page in [p for p in GOAL_PAGES if p in pages]:
        for name, goal in ((CHERRYC, f">= {GOAL_RATIO:.2f}x"), *context):
            low, ratio, high = paired(runs, name, CEILING, page, lambda r: r.requests_per_second)
            verdict = ""
            if name == CHERRYC:
                met = ratio >= GOAL_RATIO
                met_all &= met
                verdict = "met" if met else "MISSED"
            rows.append([f"{page}: {name} / {CEILING} req/s", f"{ratio:.2f}x",
                         f"{low:.2f}-{high:.2f}", goal, verdict])
        # What escaping costs: the two builds of the same site, paired per round.
        low, ratio, high = paired(runs, CHERRYC_ESCAPED, CHERRYC, page,
                                  lambda r: r.requests_per_second)
        rows.append([f"{page}: {CHERRYC_ESCAPED} / {CHERRYC} req/s", f"{ratio:.2f}x",
                     f"{low:.2f}-{high:.2f}", "(escaping cost)", ""])
        low, ratio, high = paired(runs, CHERRYC, FLASK, page, lambda r: r.p99)
        rows.append([f"{page}: {CHERRYC} / {FLASK} p99", f"{ratio:.2f}x", f"{low:.2f}-{high:.2f}",
                     "<= 1.00x", "met" if ratio <= 1.0 else "MISSED"])
    return _harness.format_table(["comparison", "ratio", "IQR", "goal", ""], rows), met_all


def sweep_table(runs: dict[tuple[str, str], list[Run]], sweep: dict[int, str], pages: list[str],
                reference: int) -> str:
    rows = []
    ref_name = sweep[reference]
    for page in pages:
        for threads, name in sorted(sweep.items()):
            page_runs = runs[name, page]
            low, ratio, high = paired(runs, name, ref_name, page, lambda r: r.requests_per_second)
            rows.append([page if threads == min(sweep) else "", str(threads),
                         f"{median([r.requests_per_second for r in page_runs]):,.0f}",
                         f"{ratio:.2f}x", f"{low:.2f}-{high:.2f}",
                         ms(median([r.p50 for r in page_runs])),
                         ms(median([r.p99 for r in page_runs])),
                         f"{median([r.server_cpu for r in page_runs]) * 1e6:.0f} µs"])
    headers = ["page", "threadPool", "req/s", f"x {reference} threads", "IQR", "p50", "p99",
               "server CPU/req"]
    return _harness.format_table(headers, rows)


def sweep_verdict(runs: dict[tuple[str, str], list[Run]], sweep: dict[int, str],
                  pages: list[str]) -> str:
    """The pool size with the best median throughput over the pages, and the others' gap."""
    def score(threads: int) -> float:  # geometric mean of req/s over the pages
        values = [median([r.requests_per_second for r in runs[sweep[threads], p]]) for p in pages]
        return statistics.geometric_mean(values)

    scores = {threads: score(threads) for threads in sweep}
    best = max(scores, key=scores.__getitem__)
    parts = [f"{threads}: {scores[threads] / scores[best]:.2f}" for threads in sorted(scores)]
    return (f"throughput relative to the best pool size (geometric mean over pages): "
            f"{', '.join(parts)}; best: {best} threads")


# ---- profiles -----------------------------------------------------------------------------


def wrk_environ(path: str) -> dict[str, Any]:
    """The environ cheroot builds for wrk's request (`GET path HTTP/1.1`, a Host header)."""
    from cheroot import wsgi

    captured: dict[str, Any] = {}

    def capture(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        captured.update(environ)
        start_response("200 OK", [("Content-Length", "0")])
        return []

    server = wsgi.Server(("127.0.0.1", 0), capture, numthreads=1)
    server.prepare()
    import threading

    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    port = server.bind_addr[1]
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        sock.recv(4096)
    server.stop()
    return captured


def call_app(app: Callable[..., Any], environ: dict[str, Any]) -> Callable[[], None]:
    """One request through a WSGI app, as cheroot does it: call, iterate the body, close."""
    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        pass

    def one() -> None:
        body = app(dict(environ), start_response)
        for _ in body:
            pass
        close = getattr(body, "close", None)
        if close is not None:
            close()

    return one


#: Sampling rate of py-spy (samples per second). py-spy stops the process for each sample
#: (its non-blocking mode loses most samples of these servers, and not at random), so the
#: rate stays low enough not to slow the server down much.
SPY_RATE = 250


def owner(filename: str) -> str:
    """Who the code of a file belongs to, for the per-owner summaries."""
    if filename.endswith("siteServer.py"):
        return "generated module (masks)"
    if "cheroot" in filename:
        return "cheroot"
    if "runtime/" in filename or "/cherryc/" in filename:
        return "cherryc runtime"
    if "markupsafe" in filename:
        return "markupsafe"
    if "http_bench" in filename or "_engine_servers" in filename:
        return "the ceiling's app"
    if filename == "~":
        return "C functions"
    return "Python stdlib"


def app_costs(directory: Path, pages: list[str], rounds: int
              ) -> tuple[dict[str, dict[str, float]], dict[str, Any], Any]:
    """Seconds per request of each WSGI app called in a loop, no server (medians).

    Returns {page: {contender: seconds}}, the environ of each page (the one cheroot
    builds for wrk's request) and the started generated module.
    """
    cwd = os.getcwd()
    os.chdir(directory)
    try:
        module = load_generated(str(directory))
        module._cpy_site.start(str(cherryc_config(directory, 0, 4, "in-process")))
    finally:
        os.chdir(cwd)
    apps = {CEILING: raw_app(str(directory / "static")), CHERRYC: module.application,
            FLASK: flask_app(str(directory))}
    costs: dict[str, dict[str, float]] = {}
    environs = {}
    for page in pages:
        environs[page] = wrk_environ(PAGES[page])
        contenders = {name: call_app(app, environs[page]) for name, app in apps.items()}
        samples = _harness.interleaved(contenders, rounds, 0.05)
        costs[page] = {name: median(times) for name, times in samples.items()}
    return costs, environs, module


def budget_table(runs: dict[tuple[str, str], list[Run]], costs: dict[str, dict[str, float]],
                 pages: list[str]) -> str:
    """Server CPU per request (measured under wrk) next to the app's own cost (in a loop)."""
    rows = []
    for page in pages:
        for name in (CEILING, CHERRYC, FLASK):
            cpu = median([r.server_cpu for r in runs[name, page]])
            ceiling_cpu = median([r.server_cpu for r in runs[CEILING, page]])
            app = costs[page][name]
            rows.append([page if name == CEILING else "", name, f"{cpu * 1e6:.0f} µs",
                         f"{(cpu - ceiling_cpu) * 1e6:+.0f} µs", f"{app * 1e6:.1f} µs",
                         f"{(app - costs[page][CEILING]) * 1e6:+.1f} µs"])
    headers = ["page", "contender", "server CPU/req", "vs ceiling", "WSGI app alone/req",
               "vs ceiling app"]
    return _harness.format_table(headers, rows)


def cprofile_app(module: Any, environ: dict[str, Any], seconds_per_call: float, top: int) -> str:
    """Own time per function of cherryc's WSGI app in a loop, under cProfile."""
    one = call_app(module.application, environ)
    calls = max(2000, int(0.5 / max(seconds_per_call, 1e-7)))
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(calls):
        one()
    profile.disable()
    stats = pstats.Stats(profile)
    entries = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for (cc, nc, tt, ct, callers) in entries.values())
    rows = []
    for (filename, line, function), (cc, nc, tt, ct, callers) in sorted(
            entries.items(), key=lambda item: -item[1][2])[:top]:
        where = f"{os.path.basename(filename)}:{line}" if filename != "~" else ""
        rows.append([function[:52], where, f"{nc / calls:.1f}", f"{tt / calls * 1e6:.2f} µs",
                     f"{ct / calls * 1e6:.2f} µs", f"{tt / total:.0%}"])
    return (f"{calls:,} calls; {total / calls * 1e6:.1f} µs/request under cProfile, "
            f"{seconds_per_call * 1e6:.1f} µs without:\n"
            + _harness.format_table(["function", "where", "calls/req", "own/req", "cum/req",
                                     "share"], rows))


def find_py_spy(explicit: str | None) -> str | None:
    if explicit:
        return explicit
    found = shutil.which("py-spy")
    if found:
        return found
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else None


@dataclass
class SpyProfile:
    """py-spy --gil samples of one server under wrk: folded stacks and their counts."""

    stacks: dict[tuple[str, ...], int]
    ticks: float  # sampling instants during the recording (rate x seconds)
    requests_per_second: float
    errors: int  # samples py-spy could not take

    def per_request(self, samples: float) -> float:
        """GIL-held seconds per request for `samples` samples."""
        return samples / self.ticks / self.requests_per_second

    @property
    def busy(self) -> float:
        """Fraction of the time some thread of the server held the GIL."""
        return sum(self.stacks.values()) / self.ticks


def spy(py_spy: str, server: Server, page: str, args: argparse.Namespace,
        directory: Path) -> SpyProfile:
    """Sample `server` with py-spy (only the thread holding the GIL) while wrk drives it."""
    return spy_url(py_spy, server, f"http://127.0.0.1:{server.port}{PAGES[page]}", args,
                   directory / f"spy-{server.name.split()[0]}-{page}.txt")


def spy_url(py_spy: str, server: Server, url: str, args: argparse.Namespace, output: Path,
            extra: list[str] | None = None) -> SpyProfile:
    """py-spy samples of `server` into `output` while wrk (with `extra` options) drives `url`."""
    seconds = args.profile_seconds
    wrk = subprocess.Popen(["wrk", f"-t{args.wrk_threads}", f"-c{args.connections}",
                            f"-d{seconds + 2}s", "--latency", *(extra or []), url],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           preexec_fn=pinned(args.wrk_cpus))
    time.sleep(1)
    assert server.process is not None
    result = subprocess.run([py_spy, "record", "--pid", str(server.process.pid), "--gil",
                             "--nolineno", "--rate", str(SPY_RATE), "--duration", str(seconds),
                             "--format", "raw", "--output", str(output)],
                            capture_output=True, text=True)
    wrk_output = wrk.communicate()[0]
    if result.returncode:
        raise SystemExit(f"py-spy failed:\n{result.stdout}{result.stderr}")
    errors = re.search(r"Errors: (\d+)", result.stdout + result.stderr)
    stacks: dict[tuple[str, ...], int] = {}
    for line in output.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack:
            key = tuple(stack.split(";"))
            stacks[key] = stacks.get(key, 0) + int(count)
    return SpyProfile(stacks, SPY_RATE * seconds, parse_wrk(wrk_output)[0],
                      int(errors.group(1)) if errors else 0)


def _frame(frame: str) -> tuple[str, str]:
    """('Class.function', 'file') from py-spy's 'Class.function (file)'."""
    match = re.fullmatch(r"(.*) \((.*)\)", frame.strip())
    return (match.group(1), match.group(2)) if match else (frame, "")


def spy_owner_table(profiles: dict[str, SpyProfile]) -> str:
    """GIL-held µs per request by owner of the innermost Python frame, per contender."""
    names = list(profiles)
    totals: dict[str, dict[str, float]] = {}
    for name, profile in profiles.items():
        for stack, count in profile.stacks.items():
            group = owner(_frame(stack[-1])[1])
            totals.setdefault(group, {}).setdefault(name, 0.0)
            totals[group][name] += profile.per_request(count)
    order = sorted(totals, key=lambda g: -max(totals[g].values()))
    rows = [[group, *(f"{totals[group].get(n, 0.0) * 1e6:.1f} µs" for n in names)]
            for group in order]
    rows.append(["total GIL-held time per request",
                 *(f"{p.per_request(sum(p.stacks.values())) * 1e6:.1f} µs" for p in profiles.values())])
    rows.append(["GIL busy", *(f"{p.busy:.0%}" for p in profiles.values())])
    rows.append(["req/s under py-spy", *(f"{p.requests_per_second:,.0f}" for p in profiles.values())])
    rows.append(["samples (py-spy errors)", *(f"{sum(p.stacks.values()):,} ({p.errors})"
                                              for p in profiles.values())])
    return _harness.format_table(["innermost Python frame in", *names], rows)


def spy_function_table(profile: SpyProfile, top: int, only_cherryc: bool) -> str:
    """Top functions by own (self) and inclusive GIL-held time per request."""
    own: dict[tuple[str, str], int] = {}
    inclusive: dict[tuple[str, str], int] = {}
    for stack, count in profile.stacks.items():
        frames = [_frame(f) for f in stack]
        own[frames[-1]] = own.get(frames[-1], 0) + count
        # Inclusive time counts only the frames cheroot called (the application, and code
        # that extends cheroot), not the frames below cheroot's loops (main(), serve()...).
        first = next((i for i, f in enumerate(frames) if owner(f[1]) == "cheroot"), 0)
        for frame in set(frames[first:]):
            inclusive[frame] = inclusive.get(frame, 0) + count

    def keep(frame: tuple[str, str]) -> bool:
        return not only_cherryc or owner(frame[1]) in ("cherryc runtime",
                                                         "generated module (masks)")

    key = inclusive if only_cherryc else own
    chosen = sorted((f for f in key if keep(f)), key=lambda f: -key[f])[:top]
    rows = [[function[:48], os.path.basename(filename), owner(filename).split(" (")[0],
             f"{profile.per_request(own.get((function, filename), 0)) * 1e6:.1f} µs",
             f"{profile.per_request(inclusive.get((function, filename), 0)) * 1e6:.1f} µs"]
            for function, filename in chosen]
    return _harness.format_table(["function", "file", "owner", "own/req", "incl./req"], rows)


def perf_counts(perf: str, server: Server, page: str, args: argparse.Namespace,
                directory: Path) -> tuple[Run, float, float]:
    """(the wrk run, context switches per request, system calls per request) of a server,
    counted by `perf stat` during a wrk run."""
    output = directory / "perf-stat.txt"
    assert server.process is not None
    counter = subprocess.Popen(
        [perf, "stat", "-x", ",", "-o", str(output), "-e",
         "context-switches,raw_syscalls:sys_enter", "-p", str(server.process.pid), "--",
         "sleep", str(args.duration + 0.5)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.2)
    run = run_wrk(server, page, args, args.duration)
    counter.wait()
    counts = {}
    for line in output.read_text().splitlines():
        fields = line.split(",")
        if len(fields) > 2 and fields[0].replace(".", "").isdigit():
            counts[fields[2]] = float(fields[0])
    if len(counts) < 2:
        raise OSError(output.read_text())
    requests = max(run.requests, 1)
    return run, counts["context-switches"] / requests, counts["raw_syscalls:sys_enter"] / requests


def perf_table(perf: str, directory: Path, pages: list[str], pools: list[int],
               args: argparse.Namespace) -> str:
    """Context switches and system calls per request, ceiling and cherryc, by pool size."""
    servers = []
    for threads in pools:
        pool = f"{threads} thread{'s' if threads != 1 else ''}"
        servers.append(raw_server(directory, args, threads, f"{CEILING}, {pool}",
                                  f"perf-raw-{threads}"))
        servers.append(cherryc_server(directory, threads, f"{CHERRYC}, {pool}",
                                      f"perf-cherryc-{threads}"))
    rows = []
    try:
        for server in servers:
            server.cpus = args.server_cpus
            server.start()
        for server in servers:
            server.wait_ready()
            warm(server, pages, args)
        for page in pages:
            for server in servers:
                run, switches, calls = perf_counts(perf, server, page, args, directory)
                rows.append([page if server is servers[0] else "", server.name,
                             f"{run.requests_per_second:,.0f}", f"{run.server_cpu * 1e6:.0f} µs",
                             f"{switches:.1f}", f"{calls:.1f}"])
    finally:
        for server in servers:
            server.stop()
    return _harness.format_table(["page", "server", "req/s", "CPU/req", "context switches/req",
                                  "syscalls/req"], rows)


def profile_section(directory: Path, pages: list[str], runs: dict[tuple[str, str], list[Run]],
                    pools: list[int], args: argparse.Namespace) -> str:
    out = io.StringIO()
    goal_pages = [p for p in GOAL_PAGES if p in pages]
    costs, environs, module = app_costs(directory, pages, max(args.rounds * 3, 9))
    print("Where the time goes. Server CPU per request: the server process's CPU time "
          "(all threads, user + system, from /proc) over the requests wrk counted, median "
          "of the runs above. WSGI app alone: the app called in a loop in this process with "
          "the environ cheroot builds for wrk's request (body iterated and closed), no "
          "server; the difference to the ceiling's app is cherryc's own code.\n", file=out)
    print(budget_table(runs, costs, pages), file=out)

    mask_rows = []
    for page in [p for p in ("hello", "table") if p in pages]:
        method = getattr(module.root, page)
        seconds = median(next(iter(_harness.interleaved({page: method}, 9, 0.05).values())))
        mask_rows.append([f"root.{page}()", f"{seconds * 1e6:.1f} µs"])
    rows = make_rows()
    hand = _harness.interleaved({"hand": lambda: hand_table(rows)}, 9, 0.05)["hand"]
    mask_rows.append(["hand_table(rows), the ceiling's table", f"{median(hand) * 1e6:.1f} µs"])
    print("\nThe masks alone, called directly (part of 'WSGI app alone'):", file=out)
    print(_harness.format_table(["call", "per call"], mask_rows), file=out)

    perf = shutil.which("perf")
    if perf is None:
        print("\nperf is not installed: no context-switch and system-call counts "
              "(apt-get install linux-perf).", file=out)
    else:
        try:
            table = perf_table(perf, directory, pages, pools, args)
            print(f"\nperf stat during one {args.duration} s wrk run per server (one run each: "
                  f"noisy; the counts per request are the point):", file=out)
            print(table, file=out)
        except OSError as exc:
            print(f"\nperf stat failed (it needs permission for the raw_syscalls "
                  f"tracepoint, e.g. root): {str(exc).strip()[:300]}", file=out)

    py_spy = find_py_spy(args.py_spy)
    if py_spy is None:
        print("\npy-spy is not installed, so the servers are not sampled under wrk. Install "
              "it apart from the project, e.g. `.venv/bin/pip install --target /tmp/pyspy "
              "py-spy`, and pass `--py-spy /tmp/pyspy/bin/py-spy` (it needs ptrace "
              "permission: root, or kernel.yama.ptrace_scope = 0).", file=out)
    else:
        threads = args.profile_threads
        servers = [raw_server(directory, args, threads, CEILING, "spy-raw"),
                   cherryc_server(directory, threads, CHERRYC, "spy-cherryc")]
        try:
            for server in servers:
                server.cpus = args.server_cpus
                server.start()
            for server in servers:
                server.wait_ready()
                warm(server, pages, args)
            for page in goal_pages:
                profiles = {s.name: spy(py_spy, s, page, args, directory) for s in servers}
                print(f"\n{PAGES[page]}: py-spy --gil at {SPY_RATE} Hz for "
                      f"{args.profile_seconds} s under wrk, servers with {threads} pool "
                      f"thread(s). Only the thread that holds the GIL is sampled: this is the "
                      f"serialized Python time per request (C calls made with the GIL held "
                      f"count in their Python caller; system calls release it and do not "
                      f"count).", file=out)
                print(spy_owner_table(profiles), file=out)
                print(f"\n{PAGES[page]}, cherryc server: top functions by own GIL-held time",
                      file=out)
                print(spy_function_table(profiles[CHERRYC], args.top, False), file=out)
                print(f"\n{PAGES[page]}, cherryc server: cherryc's functions by inclusive "
                      f"GIL-held time", file=out)
                print(spy_function_table(profiles[CHERRYC], args.top, True), file=out)
        finally:
            for server in servers:
                server.stop()

    for page in goal_pages:
        print(f"\n{PAGES[page]}: cherryc's WSGI app in a loop under cProfile (own time; the "
              f"profiler inflates every call, compare the rows with each other):", file=out)
        print(cprofile_app(module, environs[page], costs[page][CHERRYC], args.top), file=out)
    return out.getvalue()


# ---- main ---------------------------------------------------------------------------------


def raw_server(directory: Path, args: argparse.Namespace, threads: int, name: str,
               label: str) -> Server:
    """The ceiling (a plain WSGI function on cheroot) on a free port."""
    port = free_port()
    return Server(name, [sys.executable, str(HERE / "http_bench.py"), "--serve", "raw",
                         "--dir", str(directory), "--port", str(port), "--threads",
                         str(threads)], port, directory, directory / f"{label}.log")


def cherryc_server(directory: Path, threads: int, name: str, label: str,
                   escaped: bool = False) -> Server:
    """The generated server, `python siteServer.py -C label.cfg`, on a free port (with
    `escaped`, the --autoescape build in ESCAPED_DIR)."""
    port = free_port()
    config = cherryc_config(directory, port, threads, label)
    cwd = directory / ESCAPED_DIR if escaped else directory
    return Server(name, [sys.executable, "siteServer.py", "-C", str(config)], port, cwd,
                  directory / f"{label}.log")


def build_servers(directory: Path, args: argparse.Namespace, sweep: list[int]
                  ) -> tuple[list[Server], dict[int, str]]:
    """The contenders (main ones first, then the other cherryc pool sizes) and, for each
    pool size of the sweep, the name of its cherryc server."""
    servers = [raw_server(directory, args, args.threads, CEILING, "raw")]
    if args.control:
        servers.append(raw_server(directory, args, args.threads, CONTROL, "raw-2"))
    servers.append(cherryc_server(directory, args.threads, CHERRYC, f"cherryc-{args.threads}"))
    servers.append(cherryc_server(directory, args.threads, CHERRYC_ESCAPED,
                                  f"cherryc-autoescape-{args.threads}", escaped=True))
    for name, kind in ((CHERRYPY, "cherrypy"), (FLASK, "flask")):
        port = free_port()
        servers.append(Server(name, [sys.executable, str(HERE / "http_bench.py"), "--serve",
                                     kind, "--dir", str(directory), "--port", str(port),
                                     "--threads", str(args.threads)],
                              port, directory, directory / f"{kind}.log"))
    names = {args.threads: CHERRYC}
    for threads in sorted(set(sweep) - {args.threads}):
        names[threads] = f"cherryc, threadPool {threads}"
        servers.append(cherryc_server(directory, threads, names[threads], f"cherryc-{threads}"))
    return servers, (names if sweep else {})


def add_wrk_options(parser: argparse.ArgumentParser, rounds: str) -> None:
    """The options of every wrk benchmark: rounds (`rounds` says of what), run and warm-up
    lengths, connections, wrk threads and the servers' pool threads."""
    parser.add_argument("--rounds", type=int, default=7,
                        help=f"{rounds}; every round starts fresh server processes (default 7)")
    parser.add_argument("--duration", type=int, default=2, metavar="SECONDS",
                        help="length of one wrk run, whole seconds (default 2)")
    parser.add_argument("--warmup", type=int, default=1, metavar="SECONDS",
                        help="a wrk run of this length warms up each fresh server, whole "
                             "seconds; 0: none (default 1)")
    parser.add_argument("--connections", type=int, default=8,
                        help="wrk connections, all kept alive (default 8)")
    parser.add_argument("--wrk-threads", type=int, default=2,
                        help="wrk threads; keep it low, wrk shares the CPU (default 2)")
    parser.add_argument("--threads", type=int, default=DEFAULT_POOL_SIZE,
                        help=f"pool threads of every server (default {DEFAULT_POOL_SIZE}, "
                             "cherryc's default)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_wrk_options(parser, "wrk runs per server and page, taken round-robin")
    parser.add_argument("--sweep", default="1,2,4,10",
                        help="cherryc pool sizes to compare, comma-separated ('' for none; "
                             "default 1,2,4,10)")
    parser.add_argument("--pin", action="store_true",
                        help="run the servers on CPU 0 and wrk on the other CPUs (default: "
                             "let the kernel place them)")
    parser.add_argument("--no-control", dest="control", action="store_false",
                        help="do not run a second ceiling process (it measures the noise)")
    parser.add_argument("--pages", default=",".join(PAGES),
                        help=f"pages to measure (default {','.join(PAGES)})")
    parser.add_argument("--profile", action="store_true",
                        help="print the cherryc profile even if the goal is met")
    parser.add_argument("--no-profile", action="store_true",
                        help="never print the profile")
    parser.add_argument("--profile-seconds", type=int, default=10,
                        help="length of each py-spy recording, whole seconds (default 10)")
    parser.add_argument("--profile-threads", type=int, default=1,
                        help="pool threads of the servers sampled by py-spy (default 1, so "
                             "that GIL hand-offs between threads do not blur the profile)")
    parser.add_argument("--py-spy", metavar="PATH",
                        help="the py-spy program (default: py-spy on PATH or beside python)")
    parser.add_argument("--top", type=int, default=25, help="functions shown per profile")
    parser.add_argument("--keep", metavar="DIR", help="build the site and logs in DIR")
    # Internal: run one server in this process.
    parser.add_argument("--serve", choices=("raw", "flask", "cherrypy"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        return serve(args)

    check_wrk()
    pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    unknown = [p for p in pages if p not in PAGES]
    if unknown or not pages:
        parser.error(f"unknown pages {unknown}; choose from {', '.join(PAGES)}")
    sweep = [int(t) for t in args.sweep.split(",") if t.strip()]
    args.server_cpus = args.wrk_cpus = None
    if args.pin:
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) < 2:
            parser.error("--pin needs at least two CPUs")
        args.server_cpus, args.wrk_cpus = {cpus[0]}, set(cpus[1:])
    for module in ("cherrypy", "flask"):
        if importlib.util.find_spec(module) is None:
            raise SystemExit(f"{module} is not installed: .venv/bin/pip install -e '.[bench]'")

    with tempfile.TemporaryDirectory(prefix="cherryc-http-") as scratch:
        directory = Path(args.keep or scratch).resolve()
        directory.mkdir(parents=True, exist_ok=True)
        for leftover in ("static", "templates"):
            shutil.rmtree(directory / leftover, ignore_errors=True)
        version = source_version()  # before the runs: the sources may change meanwhile
        write_site(directory)

        def make_servers() -> list[Server]:
            servers, _ = build_servers(directory, args, sweep)
            for server in servers:
                server.cpus = args.server_cpus
            return servers

        first, sweep_names = build_servers(directory, args, sweep)
        count = len(first)
        runs_total = count * len(pages)
        minutes = args.rounds * (runs_total * args.duration + count * (args.warmup + 0.5)) / 60
        print(f"http bench: {count} servers x {len(pages)} pages; {args.rounds} rounds of "
              f"{runs_total} wrk runs of {args.duration} s, fresh server processes every round "
              f"(about {minutes:.0f} min)", file=sys.stderr)
        runs, sizes = measure(make_servers, pages, args)

        all_runs = [r for page_runs in runs.values() for r in page_runs]
        wrk_cpu = median([r.wrk_cpu for r in all_runs])
        other = sorted(r.other_cpu for r in all_runs)
        placement = (f"servers on CPU {sorted(args.server_cpus)}, wrk on CPU "
                     f"{sorted(args.wrk_cpus)}; " if args.pin else "")
        print(f"Python {sys.version.split()[0]}; {os.cpu_count()} CPUs; {placement}every server: "
              f"{args.threads} pool threads, HTTP/1.1 keep-alive, no access log; wrk -t"
              f"{args.wrk_threads} -c{args.connections} -d{args.duration}s --latency "
              f"(wrk itself used {wrk_cpu:.2f} CPU on median); medians of {args.rounds} "
              f"interleaved rounds, fresh server processes in each")
        print(f"cherryc {version}")
        print(f"Other processes on the machine used {median(other):.2f} CPU during a run on "
              f"median (max {other[-1]:.2f}) of {os.cpu_count()}"
              + (": the machine was busy, expect noise; see the 2nd-process row"
                 if median(other) > 0.1 else "") + "\n")
        names = [CEILING, *([CONTROL] if args.control else []), CHERRYC, CHERRYC_ESCAPED,
                 CHERRYPY, FLASK]
        print(results_table(runs, names, pages, sizes))
        print()
        goals, met = goals_table(runs, pages, args.control)
        print(goals)
        if len(sweep_names) > 1:
            print("\ncherryc pool sizes (threadPool), same wrk load:")
            print(sweep_table(runs, sweep_names, pages, args.threads))
            print(sweep_verdict(runs, sweep_names, pages))
        if args.profile or (not met and not args.no_profile):
            why = "--profile" if met else f"cherryc missed {GOAL_RATIO}x the ceiling"
            print(f"\nProfile of the cherryc server ({why}):\n")
            pools = sorted(set(sweep) | {args.threads})
            print(profile_section(directory, pages, runs, pools, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
