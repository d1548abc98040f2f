"""The embedded object store: creates/s and queries/s over HTTP against the floor, and
query time with 10k, 100k and 1M objects, on SQLite and on PostgreSQL.

Run it with the project's interpreter, from the repository root::

    apt-get install -y wrk                       # once (Debian package `wrk`)
    .venv/bin/python bench/storage_bench.py      # about 7 minutes
    .venv/bin/python bench/storage_bench.py --quick         # about 2 minutes, noisier
    .venv/bin/python bench/storage_bench.py --backends sqlite --only sizes

PostgreSQL: the server of `--postgres` (default postgresql://postgres@127.0.0.1, trust
auth); the script creates the database `cherryc_bench` there and drops it at the end.

Part 1, over HTTP. A generated cherryc server per backend (`[storage] url`), in its
own process, with cherryc's default pool threads, HTTP/1.1 keep-alive and no access
log, driven by wrk on loopback with Lua scripts that send the app's X-LC-Id/X-LC-Key:
creates (`POST /1.1/classes/BenchCreate`, a 5-field object), queries on an indexed
field (`GET /1.1/classes/BenchQuery?where={"n":k}`, random k, one object found among
10,000) and gets by id (`GET /1.1/classes/BenchQuery/<id>`). Each is compared with the
floor, the same INSERT or SELECT done directly with sqlite3 / psycopg in this process
(one operation at a time), with the floor's statements in a hand-written WSGI app on
cheroot (`cheroot + floor`, the cheapest server answering these requests), and with the
site's Store called in this process (the code under the REST routes, without HTTP).
Every round starts fresh server processes and runs everything in a new random order;
medians are reported and ratios are taken round by round (bench/_harness.py).

Part 2, in this process. A class of 10k, one of 100k and one of 1M objects (`--sizes`);
in each the Store answers `where={"n": k}` (n has an index made by the backend's
`ensure_index`), `where={"m": k}` (m holds the same values, without an index) and a
get by objectId, each next to its floor; all of them are timed in rounds. Where an
index applies the time must stay flat. The objects are loaded in bulk (see
bench/_storage_data.py) and dropped at the end.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import io
import json
import os
import pstats
import random
import re
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import quote

import _engine_servers as es
import _harness
import _storage_data as data
import http_bench
from http_bench import Run, Server, median

from cherryc.runtime.leanengine import Engine
from cherryc.runtime.storage.backend import open_backend
from cherryc.runtime.storage.store import Caller, Store
from cherryc.runtime.storage.where import combine, parse_where

try:  # the ACL condition the Store adds to a query (for the plans)
    from cherryc.runtime.storage.access import access_condition
except ImportError:  # before the access module existed
    from cherryc.runtime.storage.store import _access as access_condition  # type: ignore[no-redef]

HERE = Path(__file__).resolve().parent

BACKEND_NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
POSTGRES_SERVER = "postgresql://postgres@127.0.0.1"
DATABASE = "cherryc_bench"

CREATE_CLASS = "BenchCreate"
QUERY_CLASS = "BenchQuery"
#: Objects of each size class stored with `insert_many` (the rest are loaded in bulk).
FIRST_OBJECTS = 10_000

#: The operations of part 1: name -> what it is.
OPERATIONS = {
    "create": f"POST /1.1/classes/{CREATE_CLASS}",
    "where": f'GET /1.1/classes/{QUERY_CLASS}?where={{"n":k}} (indexed)',
    "get": f"GET /1.1/classes/{QUERY_CLASS}/<objectId>",
}
CHERRYC = "cherryc server"
RAW = "cheroot + floor"
STORE = "Store in-process"
FLOOR = "floor"
CONTENDERS = (CHERRYC, RAW, STORE, FLOOR)
#: The contenders measured over HTTP (with wrk), and the kind of server of each.
SERVERS = {CHERRYC: "cherryc", RAW: "raw"}

CPY_SOURCE = """\
CherryClass Root:
mask:
    def index(self):
        storage bench site
"""

LUA_HEAD = """\
wrk.method = "{method}"
wrk.headers["X-LC-Id"] = "{app_id}"
wrk.headers["X-LC-Key"] = "{app_key}"
{content_type}
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("number", threads)
end
"""

LUA_CREATE = """\
local k = 0
function init(args)
  k = number * 100000000
end
function request()
  k = k + 1
  return wrk.format(nil, "/1.1/classes/{class_name}", nil, {body})
end
"""

LUA_WHERE = """\
function init(args)
  math.randomseed(number * 7919 + os.time())
end
function request()
  local k = math.random(0, {count} - 1)
  return wrk.format(nil, "/1.1/classes/{class_name}?where=" .. "{prefix}" .. k .. "{suffix}")
end
"""

LUA_GET = """\
local ids = {{}}
function init(args)
  for line in io.lines("{ids_file}") do
    ids[#ids + 1] = line
  end
  math.randomseed(number * 7919 + os.time())
end
function request()
  return wrk.format(nil, "/1.1/classes/{class_name}/" .. ids[math.random(1, #ids)])
end
"""


# ---- databases ----------------------------------------------------------------------------


@dataclass
class Target:
    """One backend: its URL, a Store on it in this process, the floor's connection."""

    kind: str  # "sqlite" or "postgres"
    url: str
    backend: Any
    store: Store
    floor: Any

    @property
    def name(self) -> str:
        return BACKEND_NAMES[self.kind]


@contextmanager
def postgres_database(server: str) -> Iterator[str]:
    """A fresh `cherryc_bench` database on `server`, dropped afterwards."""
    import psycopg

    try:
        admin = psycopg.connect(f"{server}/postgres", autocommit=True)
    except psycopg.OperationalError as exc:
        raise SystemExit(f"cannot reach PostgreSQL at {server} (--postgres): {exc}\n"
                         f"or leave it out with --backends sqlite") from None
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DATABASE}"')
    try:
        yield f"{server}/{DATABASE}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def open_target(kind: str, url: str, synchronous: str) -> Target:
    backend = open_backend(url)
    path = getattr(backend, "path", "")
    return Target(kind, url, backend, Store(backend, Engine(), lambda message: print(message, file=sys.stderr)),
                  data.open_floor(url, path, synchronous))


def sqlite_url(path: Path, synchronous: str) -> str:
    return f"sqlite:///{path}" + (f"?synchronous={synchronous.lower()}" if synchronous != "FULL" else "")


# ---- the servers ----------------------------------------------------------------------------


def request(port: int, method: str, path: str, body: Any = None, key: str = es.APP_KEY,
            twice: bool = False) -> tuple[int, dict[str, str], Any, bool]:
    """(status, headers, JSON answer, kept alive) of one storage request."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"X-LC-Id": es.APP_ID, "X-LC-Key": key}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    try:
        connection.request(method, path, payload, headers)
        reply = connection.getresponse()
        raw = reply.read()
        kept = not reply.will_close
        if kept and twice:
            connection.request(method, path, payload, headers)
            second = connection.getresponse()
            kept = second.status == reply.status
            second.read()
        try:
            answer = json.loads(raw)
        except ValueError:
            answer = raw[:300]
        return reply.status, {k.lower(): v for k, v in reply.getheaders()}, answer, kept
    finally:
        connection.close()


class StorageServer(Server):
    """A server on one backend; ready once it answers a get by id."""

    def ready(self) -> bool:
        return request(self.port, "GET", f"/1.1/classes/{QUERY_CLASS}/{data.object_id(0)}")[0] == 200


def write_site(directory: Path) -> None:
    (directory / "site.cpy").write_text(CPY_SOURCE, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "cherryc", "compile", "site.cpy"],
                            cwd=directory, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"cherryc compile failed:\n{result.stderr}")


def write_scripts(directory: Path, count: int) -> dict[str, Path]:
    """The wrk Lua script of each operation (and the id file of `get`)."""
    ids_file = directory / "ids.txt"
    ids_file.write_text("".join(data.object_id(k) + "\n" for k in range(count)), encoding="ascii")
    where = quote('{"n":', safe=""), quote("}", safe="")

    def head(method: str, content_type: bool = False) -> str:
        return LUA_HEAD.format(method=method, app_id=es.APP_ID, app_key=es.APP_KEY,
                               content_type='wrk.headers["Content-Type"] = "application/json"'
                               if content_type else "")

    scripts = {
        "create": head("POST", True) + LUA_CREATE.format(class_name=CREATE_CLASS,
                                                         body=data.create_body_lua()),
        "where": head("GET") + LUA_WHERE.format(count=count, class_name=QUERY_CLASS,
                                                prefix=where[0], suffix=where[1]),
        "get": head("GET") + LUA_GET.format(ids_file=ids_file, class_name=QUERY_CLASS),
    }
    paths = {}
    for operation, text in scripts.items():
        paths[operation] = directory / f"{operation}.lua"
        paths[operation].write_text(text, encoding="utf-8")
    return paths


def server_config(directory: Path, target: Target, port: int, threads: int) -> Path:
    path = directory / f"{target.kind}.cfg"
    path.write_text(
        "[server]\nsocketHost = 127.0.0.1\n"
        f"socketPort = {port}\nthreadPool = {threads}\n"
        "protocolVersion = HTTP/1.1\nlogToScreen = 0\n\n"
        f"[leanengine]\nappId = {es.APP_ID}\nappKey = {es.APP_KEY}\nmasterKey = {es.MASTER_KEY}\n\n"
        f"[storage]\nurl = {target.url}\n", encoding="utf-8")
    return path


def start_server(directory: Path, target: Target, contender: str, args: argparse.Namespace) -> StorageServer:
    """The cherryc server (`python siteServer.py -C <kind>.cfg`) or the floor's WSGI app on
    cheroot (`python bench/_storage_data.py serve ...`) on `target`, on a free port."""
    port = http_bench.free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith("LEANCLOUD_")}
    if contender == CHERRYC:
        config = server_config(directory, target, port, args.threads)
        command = [sys.executable, "siteServer.py", "-C", str(config)]
    else:
        command = [sys.executable, str(HERE / "_storage_data.py"), "serve", "--url", target.url,
                   "--path", getattr(target.backend, "path", ""), "--synchronous", args.synchronous.upper(),
                   "--create-class", CREATE_CLASS, "--query-class", QUERY_CLASS,
                   "--port", str(port), "--threads", str(args.threads)]
    label = f"{target.kind}-{SERVERS[contender]}"
    server = StorageServer(f"{contender} on {target.name}", command, port, directory,
                           directory / f"{label}.log", env=env)
    server.cpus = args.server_cpus
    return server


def check_server(server: StorageServer, count: int) -> None:
    """The three operations answer as LeanStorage does (and a wrong key gets 401)."""
    problems = []
    k = random.randrange(count)
    expected = dict(data.row_data(k), objectId=data.object_id(k))
    status, headers, answer, kept = request(server.port, "POST", f"/1.1/classes/{CREATE_CLASS}",
                                            data.row_data(k), twice=True)
    if status != 201 or not re.fullmatch(r"[0-9a-f]{24}", str(answer.get("objectId", ""))) \
            or "createdAt" not in answer:
        problems.append(f"POST answered {status} {answer!r}, not 201 with objectId and createdAt")
    elif not headers.get("location", "").endswith(f"/1.1/classes/{CREATE_CLASS}/{answer['objectId']}"):
        problems.append(f"POST answered Location {headers.get('location')!r}")
    elif not kept:
        problems.append("POST did not keep the connection open")
    where = quote(json.dumps({"n": k}, separators=(",", ":")), safe="")
    status, _, answer, kept = request(server.port, "GET", f"/1.1/classes/{QUERY_CLASS}?where={where}",
                                      twice=True)
    results = answer.get("results") if isinstance(answer, dict) else None
    if status != 200 or not results or len(results) != 1 \
            or {key: results[0].get(key) for key in expected} != expected:
        problems.append(f"GET where n={k} answered {status} {answer!r:.300}, not the one object {expected}")
    elif not kept:
        problems.append("GET where did not keep the connection open")
    status, _, answer, kept = request(server.port, "GET", f"/1.1/classes/{QUERY_CLASS}/{data.object_id(k)}",
                                      twice=True)
    if status != 200 or {key: answer.get(key) for key in expected} != expected:
        problems.append(f"GET by id answered {status} {answer!r:.300}, not {expected}")
    status, _, answer, _ = request(server.port, "GET", f"/1.1/classes/{QUERY_CLASS}/{data.object_id(k)}",
                                   key="not-the-key")
    if status != 401:
        problems.append(f"GET with a wrong X-LC-Key answered {status} {answer!r:.200}, not 401")
    if problems:
        raise SystemExit(f"{server.name}: " + "; ".join(problems))


# ---- part 1: HTTP against the floor ---------------------------------------------------------


def in_process(target: Target, count: int, rng: random.Random) -> dict[tuple[str, str], Callable[[], Any]]:
    """(operation, STORE or FLOOR) -> one call, on `target`."""
    store, floor, caller = target.store, target.floor, Caller()
    counter = iter(range(10**9, 10**12))
    floor_create, floor_where, floor_get = (floor.create(CREATE_CLASS), floor.where(QUERY_CLASS, "n"),
                                            floor.get(QUERY_CLASS))
    randrange, object_id, row_data = rng.randrange, data.object_id, data.row_data
    return {
        ("create", STORE): lambda: store.create(CREATE_CLASS, row_data(next(counter)), caller),
        ("create", FLOOR): lambda: floor_create(row_data(next(counter))),
        ("where", STORE): lambda: store.query(QUERY_CLASS, caller, where={"n": randrange(count)}),
        ("where", FLOOR): lambda: floor_where(randrange(count)),
        ("get", STORE): lambda: store.fetch(QUERY_CLASS, object_id(randrange(count)), caller),
        ("get", FLOOR): lambda: floor_get(object_id(randrange(count))),
    }


@dataclass
class Part1:
    """The samples of part 1, per (backend, operation)."""

    #: wrk runs of the servers, per (backend, operation, contender)
    http: dict[tuple[str, str, str], list[Run]] = field(default_factory=dict)
    #: seconds per operation of the in-process contenders, per (backend, operation, contender)
    seconds: dict[tuple[str, str, str], list[float]] = field(default_factory=dict)
    #: (answers, rows added) of each create run over HTTP, per (backend, contender)
    created: dict[tuple[str, str], list[tuple[int, int]]] = field(default_factory=dict)

    def rate(self, kind: str, operation: str, contender: str) -> list[float]:
        if contender in SERVERS:
            return [run.requests_per_second for run in self.http[kind, operation, contender]]
        return [1 / seconds for seconds in self.seconds[kind, operation, contender]]


def part1(targets: list[Target], directory: Path, args: argparse.Namespace) -> Part1:
    scripts = write_scripts(directory, args.objects)
    result = Part1()
    rng = random.Random(1)
    calls = {target.kind: in_process(target, args.objects, rng) for target in targets}
    numbers: dict[tuple[str, str, str], int] = {}
    for target in targets:  # calls per sample of the in-process contenders
        for (operation, contender), function in calls[target.kind].items():
            numbers[target.kind, operation, contender] = _harness.calls_per_sample(function, args.sample)
    groups = [(target, operation) for target in targets for operation in args.operations]
    total = args.rounds * len(groups)
    done = 0
    for round_number in range(args.rounds):
        servers = {(target.kind, contender): start_server(directory, target, contender, args)
                   for target in targets for contender in SERVERS}
        try:
            for server in servers.values():
                server.start()
            for server in servers.values():
                server.wait_ready()
                check_server(server, args.objects)
            for server in servers.values():
                for operation in args.operations:
                    if args.warmup > 0:
                        wrk(server, scripts[operation], args, args.warmup)
            order = random.Random(round_number)
            for target, operation in order.sample(groups, len(groups)):
                for contender in order.sample(CONTENDERS, len(CONTENDERS)):
                    if contender in SERVERS:
                        before = target.floor.count(CREATE_CLASS) if operation == "create" else 0
                        run = wrk(servers[target.kind, contender], scripts[operation], args, args.duration)
                        result.http.setdefault((target.kind, operation, contender), []).append(run)
                        if operation == "create":
                            added = target.floor.count(CREATE_CLASS) - before
                            result.created.setdefault((target.kind, contender), []).append(
                                (run.requests, added))
                    else:
                        key = (target.kind, operation, contender)
                        seconds = _harness.time_calls(calls[target.kind][operation, contender], numbers[key])
                        result.seconds.setdefault(key, []).append(seconds)
                done += 1
                if sys.stderr.isatty():
                    print(f"\r  part 1: round {round_number + 1}/{args.rounds}, {done}/{total}",
                          end="", file=sys.stderr, flush=True)
        finally:
            for server in servers.values():
                server.stop()
    if sys.stderr.isatty():
        print(file=sys.stderr)
    return result


def wrk(server: Server, script: Path, args: argparse.Namespace, seconds: int) -> Run:
    url = f"http://127.0.0.1:{server.port}/"
    return http_bench.run_wrk_url(server, url, args, seconds, ["-s", str(script)])


def ratio_cells(numerator: list[float], denominator: list[float]) -> list[str]:
    low, ratio, high = _harness.quartiles(_harness.paired_ratios(numerator, denominator))
    return [f"{ratio:.2f}x", f"{low:.2f}-{high:.2f}"]


def part1_table(result: Part1, targets: list[Target], args: argparse.Namespace) -> str:
    rows = []
    for target in targets:
        for operation in args.operations:
            floor = result.rate(target.kind, operation, FLOOR)
            for contender in CONTENDERS:
                rates = result.rate(target.kind, operation, contender)
                first = contender == CONTENDERS[0]
                cells = [target.name if operation == args.operations[0] and first else "",
                         operation if first else "", contender, f"{median(rates):,.0f}",
                         f"{1e6 / median(rates):.0f} µs", *ratio_cells(rates, floor)]
                if contender in SERVERS:
                    runs = result.http[target.kind, operation, contender]
                    errors = sorted({r.errors for r in runs if r.errors})
                    cells += [f"{median([r.p50 for r in runs]) * 1e3:.2f} ms",
                              f"{median([r.p99 for r in runs]) * 1e3:.2f} ms",
                              f"{median([r.server_cpu for r in runs]) * 1e6:.0f} µs",
                              "; ".join(errors)]
                else:
                    cells += ["", "", "", ""]
                rows.append(cells)
    headers = ["backend", "operation", "contender", "ops/s", "1/rate", "x floor", "IQR",
               "p50", "p99", "server CPU/op", ""]
    return _harness.format_table(headers, rows)


def part1_summary(result: Part1, targets: list[Target], args: argparse.Namespace) -> str:
    """The ratios that matter, per backend and operation (the README's table)."""
    rows = []
    for target in targets:
        for operation in args.operations:
            rate = {contender: result.rate(target.kind, operation, contender) for contender in CONTENDERS}
            rows.append([target.name, operation,
                         *ratio_cells(rate[CHERRYC], rate[FLOOR]),
                         *ratio_cells(rate[CHERRYC], rate[RAW]),
                         *ratio_cells(rate[RAW], rate[FLOOR]),
                         *ratio_cells(rate[STORE], rate[FLOOR])])
    return _harness.format_table(
        ["backend", "operation", "cherryc / floor", "IQR", "cherryc / cheroot+floor", "IQR",
         "cheroot+floor / floor", "IQR", "Store / floor", "IQR"], rows)


def created_line(result: Part1, targets: list[Target]) -> str:
    parts = []
    for target in targets:
        for contender in SERVERS:
            pairs = result.created.get((target.kind, contender), [])
            short = [(answered, added) for answered, added in pairs if added < answered]
            parts.append(f"{contender} on {target.name}: {sum(a for a, _ in pairs):,} answered, "
                         f"{sum(b for _, b in pairs):,} rows added"
                         + (f" (FEWER ROWS than answers in {len(short)} runs)" if short else ""))
    return "Creates over HTTP (wrk counts answers; requests still in flight when it stops may " \
           "add a row each): " + "; ".join(parts)


# ---- part 2: query time against the class size ----------------------------------------------


QUERIES = ("where n (index)", "where m (no index)", "get by objectId")


def size_label(size: int) -> str:
    if size % 1_000_000 == 0:
        return f"{size // 1_000_000}M"
    return f"{size // 1000}k" if size % 1000 == 0 else f"{size:,}"


def size_class(size: int) -> str:
    return f"BenchSize{size_label(size).replace(',', '')}"


def contender_name(size: int, query: str, contender: str) -> str:
    return f"{size_label(size)}: {query}, {contender}"


def size_calls(target: Target, size: int, rng: random.Random) -> dict[str, Callable[[], Any]]:
    """contender_name(size, query, Store|floor) -> one call on the class of `size` objects."""
    store, floor, caller, class_name = target.store, target.floor, Caller(), size_class(size)
    randrange, object_id = rng.randrange, data.object_id
    floor_n, floor_m = floor.where(class_name, "n"), floor.where(class_name, "m")
    floor_get = floor.get(class_name)
    calls = {
        ("where n (index)", STORE): lambda: store.query(class_name, caller, where={"n": randrange(size)}),
        ("where n (index)", FLOOR): lambda: floor_n(randrange(size)),
        ("where m (no index)", STORE): lambda: store.query(class_name, caller, where={"m": randrange(size)}),
        ("where m (no index)", FLOOR): lambda: floor_m(randrange(size)),
        ("get by objectId", STORE): lambda: store.fetch(class_name, object_id(randrange(size)), caller),
        ("get by objectId", FLOOR): lambda: floor_get(object_id(randrange(size))),
    }
    return {contender_name(size, query, contender): call for (query, contender), call in calls.items()}


def check_size(target: Target, size: int) -> None:
    """Each query finds exactly object k, through the Store and the floor."""
    class_name = size_class(size)
    data.check_loaded(target.backend, class_name, [0, size // 3, size - 1])
    for k in (0, size // 2, size - 1):
        for where in ({"n": k}, {"m": k}):
            results = target.store.query(class_name, Caller(), where=where)["results"]
            if len(results) != 1 or results[0]["objectId"] != data.object_id(k):
                raise SystemExit(f"{target.name}: where {where} found {results!r:.300}")
        for field_name in ("n", "m"):
            rows = target.floor.where(class_name, field_name)(k)
            if len(rows) != 1 or rows[0][0] != data.object_id(k):
                raise SystemExit(f"{target.name}: the floor's where {field_name}={k} found {rows!r:.300}")
        if target.store.fetch(class_name, data.object_id(k), Caller()).get("n") != k:
            raise SystemExit(f"{target.name}: get of object {k} failed")


def plan_line(target: Target, class_name: str, field_name: str) -> str:
    """The line of the database's plan for the Store's query that says how the class is read."""
    condition = combine(parse_where({field_name: 1}, frozenset()), access_condition(Caller(), "read"))
    plan = target.backend.explain_find(class_name, condition, (), 100, 0)
    lines = [line.strip().lstrip("-> ").strip() for line in plan.splitlines()]
    reading = [re.sub(r"\s+\(cost=.*", "", line) for line in lines if re.search(r"\b(SCAN|SEARCH|Scan)\b", line)]
    return "; ".join(reading) or (lines or ["?"])[0]


def shuffled_rounds(contenders: dict[str, Callable[[], Any]], rounds: int,
                    sample_seconds: float) -> dict[str, list[float]]:
    """Seconds per call of each contender, one sample per round, as _harness.interleaved but
    in a new random order every round (seeded): a query that follows a scan can be slowed
    by it (PostgreSQL's parallel workers, evicted caches), so no contender may always
    follow the same one."""
    numbers = {name: _harness.calls_per_sample(call, sample_seconds) for name, call in contenders.items()}
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    show = _harness.progress(rounds)
    for round_number in range(rounds):
        for name in random.Random(round_number).sample(list(contenders), len(contenders)):
            samples[name].append(_harness.time_calls(contenders[name], numbers[name]))
        show(round_number + 1)
    return samples


def executed_plans(target: Target, sizes: list[int]) -> dict[int, dict[str, str]]:
    """PostgreSQL: how its plan cache ran the Store's queries (psycopg prepares a statement
    on its 5th execution; after 5 custom plans PostgreSQL may switch to a generic plan,
    made without the parameter values), and the generic plan's scan when it did."""
    if target.kind != "postgres":
        return {}
    try:
        connection = target.backend._reader()  # this thread's connection: the Store's
        rows = connection.execute("SELECT name, statement, generic_plans, custom_plans "
                                  "FROM pg_prepared_statements").fetchall()
    except Exception as exc:  # noqa: BLE001 - a report line only
        return {size: {"n": f"(cannot read pg_prepared_statements: {exc})", "m": ""} for size in sizes}
    found: dict[int, dict[str, str]] = {}
    for size in sizes:
        found[size] = {}
        for field_name in ("n", "m"):
            for name, statement, generic, custom in rows:
                if f'FROM "{size_class(size)}" ' not in statement or f"(data->'{field_name}') = $1" not in statement:
                    continue
                text = f"{custom} custom, {generic} generic plans"
                if generic:
                    marks = statement.count("$")
                    values = ["'1'::jsonb", "'true'::jsonb", "100", "0"][:marks]
                    plan = [row[0] for row in connection.execute(
                        f"EXPLAIN EXECUTE {name}({', '.join(values)})").fetchall()]
                    scans = [re.sub(r"\s+\(cost=.*", "", line.strip().lstrip("-> ").strip())
                             for line in plan if "Scan" in line]
                    text += f" (generic: {'; '.join(scans)})"
                found[size][field_name] = text
    return found


@dataclass
class Part2:
    seconds: dict[str, list[float]]
    loads: dict[int, str]
    plans: dict[int, dict[str, str]]
    executed: dict[int, dict[str, str]]


def part2(target: Target, args: argparse.Namespace) -> Part2:
    """A class per size (its first 10k objects by insert_many, the rest in bulk, then
    ensure_index on n), all measured interleaved; the classes are dropped afterwards."""
    loads, plans = {}, {}
    calls: dict[str, Callable[[], Any]] = {}
    rng = random.Random(2)
    try:
        for size in args.sizes:
            class_name = size_class(size)

            def progress(done: int) -> None:
                if sys.stderr.isatty():
                    print(f"\r  part 2, {target.name}: loading {done:,}/{size:,}   ", end="",
                          file=sys.stderr, flush=True)

            first = min(size, FIRST_OBJECTS)
            how, rate = data.load(target.backend, class_name, 0, first)
            load = f"{first:,} by {how} at {rate:,.0f}/s"
            if size > first:
                how, rate = data.load(target.backend, class_name, first, size, progress)
                load += f", {size - first:,} by {how} at {rate:,.0f}/s"
            began = time.perf_counter()
            target.backend.ensure_index(class_name, "n")
            loads[size] = load + f"; ensure_index(n) {time.perf_counter() - began:.2f} s"
            check_size(target, size)
            plans[size] = {"n": plan_line(target, class_name, "n"), "m": plan_line(target, class_name, "m")}
            calls.update(size_calls(target, size, rng))
        if sys.stderr.isatty():
            print(f"\r  part 2, {target.name}: measuring {len(calls)} contenders, "
                  f"{args.size_rounds} rounds        ", file=sys.stderr)
        seconds = shuffled_rounds(calls, args.size_rounds, args.size_sample)
        executed = executed_plans(target, args.sizes)
    finally:
        target.floor.close()
        target.backend.close()
        for size in args.sizes:
            data.drop_class(target.url, getattr(target.backend, "path", ""), size_class(size))
    return Part2(seconds, loads, plans, executed)


def part2_table(result: Part2, sizes: list[int]) -> str:
    """Median time per query at each size; the growth from the first size, paired per round;
    the Store over its floor at each size, paired per round."""
    first = sizes[0]
    rows = []
    for query in QUERIES:
        for contender in (STORE, FLOOR):
            samples = {size: result.seconds[contender_name(size, query, contender)] for size in sizes}
            cells = [query if contender == STORE else "", contender,
                     *[_harness.format_seconds(median(samples[size])) for size in sizes]]
            for size in sizes[1:]:
                cells += [f"{median(_harness.paired_ratios(samples[size], samples[first])):.2f}x"]
            if contender == STORE:
                cells += ["/".join(f"{median(_harness.paired_ratios(samples[size], result.seconds[contender_name(size, query, FLOOR)])):.2f}"
                                   for size in sizes)]
            else:
                cells += [""]
            rows.append(cells)
    headers = ["query", "", *[size_label(size) for size in sizes],
               *[f"{size_label(size)} / {size_label(first)}" for size in sizes[1:]],
               "Store / floor at " + "/".join(size_label(size) for size in sizes)]
    return _harness.format_table(headers, rows)


def growth(result: Part2, query: str, contender: str, size: int, first: int) -> tuple[float, float, float]:
    return _harness.quartiles(_harness.paired_ratios(result.seconds[contender_name(size, query, contender)],
                                                     result.seconds[contender_name(first, query, contender)]))


def part2_verdict(target: Target, result: Part2, sizes: list[int], limit: float) -> str:
    first, last = sizes[0], sizes[-1]
    span = f"{size_label(last)} / {size_label(first)}"
    lines = []
    for query in ("where n (index)", "get by objectId"):
        low, ratio, high = growth(result, query, STORE, last, first)
        verdict = "flat" if ratio <= limit else "NOT FLAT"
        lines.append(f"{target.name}: {query}: {span} = {ratio:.2f}x (IQR {low:.2f}-{high:.2f}; "
                     f"flat: at most {limit:.2f}x): {verdict}")
    low, ratio, high = growth(result, "where m (no index)", STORE, last, first)
    lines.append(f"{target.name}: where m (no index): {span} = {ratio:.0f}x for {last / first:.0f}x "
                 f"the objects (a scan)")
    return "\n".join(lines)


# ---- profile --------------------------------------------------------------------------------


def profile(target: Target, args: argparse.Namespace) -> str:
    """cProfile of the Store's create, where and get in this process (part 1's classes)."""
    out = io.StringIO()
    calls = in_process(target, args.objects, random.Random(3))
    for operation in args.operations:
        function = calls[operation, STORE]
        seconds = _harness.time_calls(function, 200)
        count = max(500, int(1.0 / seconds))
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(count):
            function()
        profiler.disable()
        stats = pstats.Stats(profiler)
        entries = stats.stats  # type: ignore[attr-defined]
        rows = []
        for (filename, line, name), (cc, nc, tt, ct, callers) in sorted(
                entries.items(), key=lambda item: -item[1][2])[:args.top]:
            where = f"{os.path.basename(filename)}:{line}" if filename != "~" else ""
            rows.append([name[:60], where, f"{nc / count:.1f}", f"{tt / count * 1e6:.2f} µs",
                         f"{ct / count * 1e6:.2f} µs"])
        print(f"\n{target.name}, Store {operation} ({OPERATIONS[operation]} without HTTP): "
              f"{seconds * 1e6:.0f} µs per call without the profiler; {count:,} calls:", file=out)
        print(_harness.format_table(["function", "where", "calls", "own/call", "cum/call"], rows), file=out)
    return out.getvalue()


def profile_app(target: Target, directory: Path, args: argparse.Namespace) -> str:
    """The generated server's WSGI app called in a loop in this process (no server), for
    the two queries of part 1, against the Store alone; cProfile of the app's query."""
    out = io.StringIO()
    config = directory / f"in-process-{target.kind}.cfg"
    config.write_text(f"[server]\nlogToScreen = 0\n\n[leanengine]\nappId = {es.APP_ID}\n"
                      f"appKey = {es.APP_KEY}\nmasterKey = {es.MASTER_KEY}\n\n"
                      f"[storage]\nurl = {target.url}\n", encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(directory)
    try:
        module = http_bench.load_generated(str(directory))
        module._cpy_site.start(str(config))
    finally:
        os.chdir(cwd)
    k = args.objects // 2
    paths = {"where": f"/1.1/classes/{QUERY_CLASS}?where=" + quote(f'{{"n":{k}}}', safe=""),
             "get": f"/1.1/classes/{QUERY_CLASS}/{data.object_id(k)}"}
    stores = {"where": lambda: target.store.query(QUERY_CLASS, Caller(), where={"n": k}),
              "get": lambda: target.store.fetch(QUERY_CLASS, data.object_id(k), Caller())}
    environs = {}
    for operation, path in paths.items():
        environ = http_bench.wrk_environ(path)
        environ.update(HTTP_X_LC_ID=es.APP_ID, HTTP_X_LC_KEY=es.APP_KEY)
        environs[operation] = environ
        answer = json.loads(es.call_app(module.application, environ)())
        if answer.get("n", (answer.get("results") or [{}])[0].get("n")) != k:
            raise SystemExit(f"the app answered {answer!r:.300} to {path}")
    contenders = {}
    for operation in paths:
        contenders[f"{operation}: WSGI app"] = es.call_app(module.application, environs[operation])
        contenders[f"{operation}: Store"] = stores[operation]
    samples = _harness.interleaved(contenders, 7, 0.1)
    rows = [[name, _harness.format_seconds(median(times))] for name, times in samples.items()]
    print(f"\n{target.name}: the cherryc server's WSGI app in a loop in this process (environ as "
          f"cheroot builds it for wrk's request, same object each time) against the Store alone:",
          file=out)
    print(_harness.format_table(["call", "time"], rows), file=out)
    print(f"\n{target.name}: the WSGI app's where query under cProfile:", file=out)
    print(http_bench.cprofile_app(module, environs["where"], median(samples["where: WSGI app"]), args.top),
          file=out)
    return out.getvalue()


# ---- main -----------------------------------------------------------------------------------


def parse_sizes(text: str) -> list[int]:
    sizes = []
    for part in text.split(","):
        part = part.strip().lower()
        factor = 1_000_000 if part.endswith("m") else 1000 if part.endswith("k") else 1
        sizes.append(int(float(part.rstrip("mk")) * factor))
    if sizes != sorted(sizes) or len(set(sizes)) != len(sizes) or sizes[0] < 10:
        raise argparse.ArgumentTypeError("sizes must grow, e.g. 10k,100k,1M")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="3 rounds, 1-second wrk runs, sizes 10k,100k: about 2 minutes")
    parser.add_argument("--backends", default="sqlite,postgres",
                        help="sqlite, postgres or both (default sqlite,postgres)")
    parser.add_argument("--only", choices=("http", "sizes"), help="run only part 1 (http) or part 2 (sizes)")
    parser.add_argument("--postgres", default=POSTGRES_SERVER,
                        help=f"the PostgreSQL server (trust auth); the script creates and drops "
                             f"the database {DATABASE} there (default {POSTGRES_SERVER})")
    parser.add_argument("--synchronous", choices=("full", "normal"), default="full",
                        help="SQLite's synchronous setting, for the server and the floor (default full, "
                             "the backend's default)")
    parser.add_argument("--operations", default="create,where,get",
                        help="part 1's operations (default create,where,get)")
    parser.add_argument("--objects", type=int, default=10_000,
                        help="objects in part 1's query class (default 10000)")
    http_bench.add_wrk_options(parser, "part 1: rounds of every operation")
    parser.add_argument("--sample", type=float, default=1.0, metavar="SECONDS",
                        help="part 1: length of one in-process sample (default 1.0)")
    parser.add_argument("--sizes", type=parse_sizes, default=None,
                        help="part 2: class sizes (default 10k,100k,1M)")
    parser.add_argument("--size-rounds", type=int, default=None,
                        help="part 2: rounds at each size (default 7)")
    parser.add_argument("--size-sample", type=float, default=0.25, metavar="SECONDS",
                        help="part 2: length of one sample (a query slower than this is one sample; "
                             "default 0.25)")
    parser.add_argument("--flat", type=float, default=1.5,
                        help="part 2: the largest growth from the first to the last size that counts "
                             "as flat (default 1.5)")
    parser.add_argument("--profile", action="store_true",
                        help="also print cProfile tables of the Store's operations in this process")
    parser.add_argument("--top", type=int, default=20, help="functions shown per profile")
    parser.add_argument("--keep", metavar="DIR", help="build the site, scripts and logs in DIR "
                                                        "(the SQLite databases are deleted anyway)")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.duration = min(args.rounds, 3), 1
        args.sizes = args.sizes or [10_000, 100_000]
        args.size_rounds = args.size_rounds or 3
        args.sample = min(args.sample, 0.5)
    args.sizes = args.sizes or [10_000, 100_000, 1_000_000]
    args.size_rounds = args.size_rounds or 7
    kinds = [part.strip() for part in args.backends.split(",") if part.strip()]
    if not kinds or set(kinds) - set(BACKEND_NAMES):
        parser.error("--backends: sqlite, postgres or both")
    args.operations = [part.strip() for part in args.operations.split(",") if part.strip()]
    if not args.operations or set(args.operations) - set(OPERATIONS):
        parser.error(f"--operations: some of {', '.join(OPERATIONS)}")
    synchronous = args.synchronous.upper()
    args.server_cpus = args.wrk_cpus = None
    if args.only != "sizes":
        http_bench.check_wrk()

    with tempfile.TemporaryDirectory(prefix="cherryc-storage-") as scratch, \
            (postgres_database(args.postgres) if "postgres" in kinds else _nothing()) as postgres_url:
        directory = Path(args.keep or scratch).resolve()
        directory.mkdir(parents=True, exist_ok=True)
        databases = Path(scratch)
        version = http_bench.source_version()
        urls = {"sqlite": sqlite_url(databases / "bench.db", synchronous), "postgres": postgres_url}
        targets = [open_target(kind, urls[kind], synchronous) for kind in kinds] if args.only != "sizes" else []
        try:
            print(f"Python {sys.version.split()[0]}; {os.cpu_count()} CPUs; cherryc {version}; "
                  f"SQLite {__import__('sqlite3').sqlite_version} (synchronous={synchronous}, WAL)"
                  + (f"; PostgreSQL {postgres_version(postgres_url)} (psycopg "
                     f"{__import__('psycopg').__version__})" if postgres_url else ""))
            if args.only != "sizes":
                write_site(directory)
                for target in targets:
                    data.load(target.backend, QUERY_CLASS, 0, args.objects)
                    target.backend.ensure_index(QUERY_CLASS, "n")
                    data.check_loaded(target.backend, QUERY_CLASS, [0, args.objects - 1])
                    target.store.create(CREATE_CLASS, data.row_data(0), Caller())  # the table
                minutes = args.rounds * len(targets) * len(args.operations) * 2 * (
                    args.duration + args.warmup + args.sample + 0.3) / 60
                print(f"part 1: {2 * len(targets)} servers x {len(args.operations)} operations, "
                      f"{args.rounds} rounds (about {minutes:.0f} min)", file=sys.stderr)
                result = part1(targets, directory, args)
                print(f"\nPart 1: operations per second over HTTP (the cherryc server, and the "
                      f"floor's statements in a hand-written WSGI app on cheroot), in-process through "
                      f"the Store, and the floor (sqlite3 / psycopg directly, one operation at a time). "
                      f"Servers: {args.threads} pool threads, HTTP/1.1 keep-alive, no access "
                      f"log; wrk -t{args.wrk_threads} -c{args.connections} -d{args.duration}s with a "
                      f"Lua script; the query class holds {args.objects:,} objects, n indexed. "
                      f"Medians of {args.rounds} rounds (fresh servers, a new random order in each); ratios "
                      f"paired per round.\n")
                print(part1_table(result, targets, args))
                print()
                print(part1_summary(result, targets, args))
                if "create" in args.operations:
                    print("\n" + created_line(result, targets))
                other = [r.other_cpu for runs in result.http.values() for r in runs]
                wrk_cpu = [r.wrk_cpu for runs in result.http.values() for r in runs]
                print(f"wrk used {median(wrk_cpu):.2f} CPU on median; other processes "
                      f"{median(other):.2f} CPU (max {max(other):.2f}) of {os.cpu_count()}"
                      + (": the machine was busy, expect noise" if median(other) > 0.1 else ""))
                if args.profile:
                    for target in targets:
                        print(profile(target, args))
                        print(profile_app(target, directory, args))
            if args.only != "http":
                print(f"\nPart 2: query time against the class size, in this process: the Store "
                      f"(as the REST routes call it, with the app key's ACL condition) and the floor "
                      f"(the same SELECT without ACL condition and without ORDER BY). One class per "
                      f"size, n indexed by ensure_index, m not; each query looks for a random k and "
                      f"finds one object. Medians of {args.size_rounds} rounds in which every "
                      f"(size, query) is timed once; growth and Store / floor paired per round.")
                for kind in kinds:
                    url = sqlite_url(databases / "sizes.db", synchronous) if kind == "sqlite" else postgres_url
                    target = open_target(kind, url, synchronous)
                    result2 = part2(target, args)
                    print(f"\n{target.name}:")
                    for size in args.sizes:
                        print(f"  {size_label(size)}: {result2.loads[size]}")
                        print(f"    plan for n: {result2.plans[size]['n']}; for m: {result2.plans[size]['m']}")
                        if size in result2.executed:
                            print(f"    executed: n: {result2.executed[size].get('n', '?')}; "
                                  f"m: {result2.executed[size].get('m', '?')}")
                    print(part2_table(result2, args.sizes))
                    print(part2_verdict(target, result2, args.sizes, args.flat))
        finally:
            for target in targets:
                target.floor.close()
                target.backend.close()
    return 0


@contextmanager
def _nothing() -> Iterator[str]:
    yield ""


def postgres_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as connection:
        return connection.execute("SHOW server_version").fetchone()[0].split()[0]


if __name__ == "__main__":
    sys.exit(main())
