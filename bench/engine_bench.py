"""LeanEngine cloud functions over HTTP: a generated cherryc server against raw cheroot and
the official `leancloud` engine.

Run it with the project's interpreter, from the repository root::

    apt-get install -y wrk                    # once (Debian package `wrk`)
    .venv/bin/python bench/engine_bench.py    # about 2 minutes (the first time also builds
                                              # .venv/leancloud-sdk, about 20 s)
    .venv/bin/python bench/engine_bench.py --profile --py-spy /tmp/pyspy/bin/py-spy
                                              # also profile the cherryc server

wrk POSTs `{"name":"bench"}` to `/1.1/functions/hello` with the headers Content-Type:
application/json, X-LC-Id and X-LC-Key (a wrk Lua script), and every contender answers
`{"result": "Hello, bench!"}`. The contenders run in their own processes on loopback,
with the same number of pool threads (cherryc's default), HTTP/1.1 keep-alive and no
access log: the server `cherryc compile` generates from a site with `@engine.define def
hello(name='world')` and a `[leanengine]` section; the ceiling, a plain WSGI function on
`cheroot.wsgi.Server` that json.loads the body, compares the two headers and answers
json.dumps({"result": ...}); the official Python engine, `leancloud.Engine()` on
`cheroot.wsgi.Server`, run by the interpreter of its own virtualenv (`.venv/leancloud-sdk`:
the SDK pins old versions of werkzeug and requests that clash with the project's); a
second process of the ceiling, as a control of the noise. The measurement is
http_bench.py's: wrk drives one server at a time, every round starts fresh server
processes, the order rotates from round to round, medians are reported and ratios are
taken round by round. The profile of the cherryc server is printed by itself when it
misses 0.85x the ceiling.
"""

from __future__ import annotations

import argparse
import fcntl
import http.client
import importlib.metadata
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import _engine_servers as es
import _harness
import http_bench
from http_bench import Run, Server, median, ms


HERE = Path(__file__).resolve().parent
REPO = HERE.parent
#: The official SDK's virtualenv; the tests (tests/runtime/test_leanengine_sdk.py) build
#: and use the same one, and trust it once this file exists in it.
SDK_VENV = REPO / ".venv" / "leancloud-sdk"
SDK_READY = ".cherryc-ready"

#: The only "page" of this benchmark (the key of the runs, as in http_bench).
PAGE = "hello"
GOAL_CEILING = 0.85
GOAL_OFFICIAL = 1.5

CEILING = "raw cheroot"
CONTROL = "raw cheroot, 2nd process"
CHERRYC = "cherryc"
OFFICIAL = "leancloud engine"

KEY_VARIABLES = ("LEANCLOUD_APP_ID", "LEANCLOUD_APP_KEY", "LEANCLOUD_APP_MASTER_KEY",
                 "LEANCLOUD_APP_HOOK_KEY", "LEANCLOUD_APP_ANDX_KEY")

#: The cherryc site: the cloud function, and a page (a site needs a root).
CPY_SOURCE = """\
@engine.define
def hello(name='world'):
    return 'Hello, %s!' % name

CherryClass Root:
mask:
    def index(self):
        engine bench site
"""

WRK_SCRIPT = """\
wrk.method = "POST"
wrk.body = '{body}'
{headers}
"""


# ---- the official SDK's virtualenv --------------------------------------------------------


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """One builder at a time (the tests build the same folder, under the same lock)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f".{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def run_step(command: list[str]) -> str:
    """Run an install step; '' on success, else why it failed."""
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{' '.join(command)}: {exc}"
    if result.returncode:
        return f"{' '.join(command)} exited with {result.returncode}:\n{result.stderr[-2000:]}"
    return ""


def sdk_python(venv: Path) -> str:
    """The python of the SDK's virtualenv: built with `python -m venv` and `pip install
    leancloud` if missing (as the tests do), and given cheroot (the project's version) if
    it has none."""
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    with locked(venv):
        if not (venv / SDK_READY).exists():
            print(f"building {venv} (python -m venv; pip install leancloud)", file=sys.stderr)
            shutil.rmtree(venv, ignore_errors=True)
            failure = (run_step([sys.executable, "-m", "venv", str(venv)])
                       or run_step([*pip, "leancloud"]))
            if failure:
                shutil.rmtree(venv, ignore_errors=True)
                raise SystemExit(f"cannot build the leancloud SDK venv: {failure}")
            (venv / SDK_READY).write_text("pip install leancloud\n")
        if subprocess.run([str(python), "-c", "import cheroot"], capture_output=True).returncode:
            version = importlib.metadata.version("cheroot")
            print(f"installing cheroot {version} into {venv}", file=sys.stderr)
            failure = run_step([*pip, f"cheroot=={version}"]) and run_step([*pip, "cheroot"])
            if failure:
                raise SystemExit(f"cannot install cheroot into {venv}: {failure}")
    return str(python)


def versions(python: str, packages: list[str]) -> str:
    """'name version' of each package in another interpreter."""
    code = ("import importlib.metadata as m, sys\n"
            "print(', '.join(f'{p} {m.version(p)}' for p in sys.argv[1:]))")
    result = subprocess.run([python, "-c", code, *packages], capture_output=True, text=True)
    return result.stdout.strip() or "?"


# ---- the servers --------------------------------------------------------------------------


def write_site(directory: Path) -> Path:
    """site.cpy compiled (without --autoescape) and the wrk script; returns the script."""
    (directory / "site.cpy").write_text(CPY_SOURCE, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "cherryc", "compile", "site.cpy"],
                            cwd=directory, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"cherryc compile failed:\n{result.stderr}")
    headers = "\n".join(f'wrk.headers["{name}"] = "{value}"' for name, value in es.HEADERS.items())
    script = directory / "post.lua"
    script.write_text(WRK_SCRIPT.format(body=es.BODY.decode(), headers=headers), encoding="utf-8")
    return script


def cherryc_config(directory: Path, port: int, threads: int, name: str) -> Path:
    path = directory / f"{name}.cfg"
    path.write_text(
        "[server]\nsocketHost = 127.0.0.1\n"
        f"socketPort = {port}\nthreadPool = {threads}\n"
        "protocolVersion = HTTP/1.1\nlogToScreen = 0\n\n"
        f"[leanengine]\nappId = {es.APP_ID}\nappKey = {es.APP_KEY}\n", encoding="utf-8")
    return path


def without_keys() -> dict[str, str]:
    """This process's environment without LEANCLOUD_APP_* (set ones would beat the config)."""
    return {name: value for name, value in os.environ.items() if name not in KEY_VARIABLES}


class EngineServer(Server):
    """A contender's server process; ready once it answers the cloud function."""

    def ready(self) -> bool:
        return post(self.port)[0] == 200


def engine_server(kind: str, directory: Path, threads: int, name: str, label: str,
                  python: str = "") -> EngineServer:
    """`kind`: 'raw' (the ceiling), 'leancloud' (the official engine, run by `python`)
    or 'cherryc' (`python siteServer.py -C label.cfg`), on a free port."""
    port = http_bench.free_port()
    env = without_keys()
    if kind == "cherryc":
        config = cherryc_config(directory, port, threads, label)
        command = [sys.executable, "siteServer.py", "-C", str(config)]
    else:
        command = [python or sys.executable, str(HERE / "_engine_servers.py"), kind,
                   "--port", str(port), "--threads", str(threads)]
        if kind == "leancloud":  # read by leancloud when it is imported
            env.update(LEANCLOUD_APP_ID=es.APP_ID, LEANCLOUD_APP_KEY=es.APP_KEY,
                       LEANCLOUD_APP_MASTER_KEY=es.MASTER_KEY)
    return EngineServer(name, command, port, directory, directory / f"{label}.log", env=env)


def build_servers(directory: Path, args: argparse.Namespace) -> list[Server]:
    servers = [engine_server("raw", directory, args.threads, CEILING, "raw")]
    if args.control:
        servers.append(engine_server("raw", directory, args.threads, CONTROL, "raw-2"))
    servers.append(engine_server("cherryc", directory, args.threads, CHERRYC, "cherryc"))
    servers.append(engine_server("leancloud", directory, args.threads, OFFICIAL, "leancloud",
                                 args.sdk_python))
    for server in servers:
        server.cpus = args.server_cpus
    return servers


# ---- checking the answers -----------------------------------------------------------------


def post(port: int, key: str = es.APP_KEY) -> tuple[int, dict[str, str], bytes, bool, int]:
    """(status, headers, body, connection kept open, bytes of the answer) of wrk's POST
    (with `key` as X-LC-Key) over HTTP/1.1."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = dict(es.HEADERS, **{"X-LC-Key": key})
    try:
        connection.request("POST", es.FUNCTION_PATH, es.BODY, headers)
        reply = connection.getresponse()
        body = reply.read()
        size = (len(f"HTTP/1.1 {reply.status} {reply.reason}\r\n\r\n") + len(body)
                + sum(len(name) + len(value) + 4 for name, value in reply.getheaders()))
        kept = not reply.will_close
        if kept:  # a second request on the same connection
            connection.request("POST", es.FUNCTION_PATH, es.BODY, headers)
            second = connection.getresponse()
            kept = second.status == reply.status and second.read() == body
        return (reply.status, {k.lower(): v for k, v in reply.getheaders()}, body, kept, size)
    finally:
        connection.close()


def check_servers(servers: list[Server]) -> dict[str, int]:
    """Every server answers the same JSON with 200 (and 401 to a wrong key), as JSON, with
    a Content-Length, keeping the connection open; returns the size of each answer."""
    sizes = {}
    for server in servers:
        status, headers, body, kept, size = post(server.port)
        try:
            answer = json.loads(body)
        except ValueError:
            answer = body[:300]
        problem = ""
        if status != 200 or answer != es.EXPECTED:
            problem = f"answered {status} {answer!r}, expected 200 {es.EXPECTED!r}"
        elif not headers.get("content-type", "").startswith("application/json"):
            problem = f"answered with Content-Type {headers.get('content-type')!r}"
        elif "content-length" not in headers:
            problem = "answered without Content-Length"
        elif not kept:
            problem = "did not keep the connection open (HTTP/1.1 keep-alive)"
        else:
            status, _, body, _, _ = post(server.port, key="not-the-key")
            if status != 401 or json.loads(body).get("code") != 401:
                problem = f"answered {status} {body[:200]!r} to a wrong X-LC-Key, not 401"
        if problem:
            raise SystemExit(f"{server.name}: POST {es.FUNCTION_PATH} {problem}")
        sizes[server.name] = size
    return sizes


# ---- the measurement ----------------------------------------------------------------------


def server_url(server: Server) -> str:
    return f"http://127.0.0.1:{server.port}{es.FUNCTION_PATH}"


def run_wrk(server: Server, args: argparse.Namespace, seconds: int) -> Run:
    return http_bench.run_wrk_url(server, server_url(server), args, seconds,
                                  ["-s", str(args.script)])


def measure(make_servers: Callable[[], list[Server]], args: argparse.Namespace
            ) -> tuple[dict[tuple[str, str], list[Run]], dict[str, int]]:
    """`rounds` interleaved rounds of one wrk run per server (as http_bench.measure):
    fresh processes every round, checked and warmed up; round r starts with server r."""
    runs: dict[tuple[str, str], list[Run]] = {}
    sizes: dict[str, int] = {}
    for round_number in range(args.rounds):
        servers = make_servers()
        try:
            for server in servers:
                server.start()
            for server in servers:
                server.wait_ready()
            sizes = check_servers(servers)
            for server in servers:
                if args.warmup > 0:
                    run_wrk(server, args, args.warmup)
                for _ in range(10):
                    post(server.port)
            shift = round_number % len(servers)
            for server in servers[shift:] + servers[:shift]:
                runs.setdefault((server.name, PAGE), []).append(run_wrk(server, args, args.duration))
            if sys.stderr.isatty():
                print(f"\r  round {round_number + 1}/{args.rounds}", end="", file=sys.stderr,
                      flush=True)
        finally:
            for server in servers:
                server.stop()
    if sys.stderr.isatty():
        print(file=sys.stderr)
    return runs, sizes


# ---- report -------------------------------------------------------------------------------


def ratio_cells(runs: dict[tuple[str, str], list[Run]], name: str, reference: str) -> list[str]:
    low, ratio, high = http_bench.paired(runs, name, reference, PAGE,
                                         lambda r: r.requests_per_second)
    return [f"{ratio:.2f}x", f"{low:.2f}-{high:.2f}"]


def results_table(runs: dict[tuple[str, str], list[Run]], names: list[str],
                  sizes: dict[str, int]) -> str:
    rows = []
    for name in names:
        name_runs = runs[name, PAGE]
        errors = sorted({r.errors for r in name_runs if r.errors})
        rows.append([
            name, f"{median([r.requests_per_second for r in name_runs]):,.0f}",
            *ratio_cells(runs, name, CEILING), *ratio_cells(runs, name, OFFICIAL),
            ms(median([r.p50 for r in name_runs])), ms(median([r.p99 for r in name_runs])),
            f"{median([r.server_cpu for r in name_runs]) * 1e6:.0f} µs",
            f"{median([r.server_system / r.server_cpu for r in name_runs]):.0%}",
            f"{sizes[name]:,} B", "; ".join(errors),
        ])
    headers = ["contender", "req/s", "x ceiling", "IQR", "x official", "IQR", "p50", "p99",
               "server CPU/req", "sys", "answer", ""]
    return _harness.format_table(headers, rows)


def goals_table(runs: dict[tuple[str, str], list[Run]], control: bool) -> tuple[str, bool]:
    """cherryc >= 0.85x the ceiling and >= 1.5x the official engine, with context rows."""
    rows = []
    met_all = True
    for reference, goal in ((CEILING, GOAL_CEILING), (OFFICIAL, GOAL_OFFICIAL)):
        ratio, iqr = ratio_cells(runs, CHERRYC, reference)
        met = http_bench.paired(runs, CHERRYC, reference, PAGE,
                                lambda r: r.requests_per_second)[1] >= goal
        met_all &= met
        rows.append([f"{CHERRYC} / {reference} req/s", ratio, iqr, f">= {goal:.2f}x",
                     "met" if met else "MISSED"])
    rows.append([f"{OFFICIAL} / {CEILING} req/s", *ratio_cells(runs, OFFICIAL, CEILING),
                 "(context)", ""])
    if control:
        rows.append([f"{CONTROL} / {CEILING} req/s", *ratio_cells(runs, CONTROL, CEILING),
                     "(noise: 1.00x)", ""])
    low, ratio, high = http_bench.paired(runs, CHERRYC, OFFICIAL, PAGE, lambda r: r.p99)
    rows.append([f"{CHERRYC} / {OFFICIAL} p99", f"{ratio:.2f}x", f"{low:.2f}-{high:.2f}",
                 "(context)", ""])
    return _harness.format_table(["comparison", "ratio", "IQR", "goal", ""], rows), met_all


# ---- profile ------------------------------------------------------------------------------


def load_cherryc(directory: Path) -> Any:
    """The generated module, started in this process (not serving) with the site's keys."""
    for name in KEY_VARIABLES:
        os.environ.pop(name, None)
    cwd = os.getcwd()
    os.chdir(directory)
    try:
        module = http_bench.load_generated(str(directory))
        module._cpy_site.start(str(cherryc_config(directory, 0, 2, "in-process")))
    finally:
        os.chdir(cwd)
    return module


def official_loop(args: argparse.Namespace, directory: Path) -> list[float]:
    """The official engine's app in a loop, in its own virtualenv (seconds per request)."""
    env = without_keys()
    env.update(LEANCLOUD_APP_ID=es.APP_ID, LEANCLOUD_APP_KEY=es.APP_KEY,
               LEANCLOUD_APP_MASTER_KEY=es.MASTER_KEY)
    result = subprocess.run([args.sdk_python, str(HERE / "_engine_servers.py"), "leancloud",
                             "--loop", "0.05"], capture_output=True, text=True, env=env,
                            cwd=directory)
    if result.returncode:
        raise SystemExit(f"the official engine's loop failed:\n{result.stderr}")
    return json.loads(result.stdout)


def profile_section(directory: Path, runs: dict[tuple[str, str], list[Run]],
                    args: argparse.Namespace) -> str:
    out = io.StringIO()
    module = load_cherryc(directory)
    environ = es.post_environ()
    apps = {CEILING: es.ceiling_app(), CHERRYC: module.application}
    for name, app in apps.items():
        answer = json.loads(es.call_app(app, environ)())
        if answer != es.EXPECTED:
            raise SystemExit(f"{name}'s app answered {answer!r} in the loop")
    samples = _harness.interleaved({name: es.call_app(app, environ) for name, app in apps.items()},
                                   max(args.rounds * 3, 9), 0.05)
    costs = {name: median(times) for name, times in samples.items()}
    costs[OFFICIAL] = median(official_loop(args, directory))
    print("Where the time goes. Server CPU per request: the server process's CPU time (all "
          "threads, user + system, from /proc) over the requests wrk counted, median of the "
          "runs above. WSGI app alone: the app called in a loop in one process, with the "
          "environ cheroot builds for wrk's POST (the body replayed from memory), no server; "
          "the official engine's in its own virtualenv, not interleaved with the others.\n",
          file=out)
    rows = []
    ceiling_cpu = median([r.server_cpu for r in runs[CEILING, PAGE]])
    for name in (CEILING, CHERRYC, OFFICIAL):
        cpu = median([r.server_cpu for r in runs[name, PAGE]])
        rows.append([name, f"{cpu * 1e6:.0f} µs", f"{(cpu - ceiling_cpu) * 1e6:+.0f} µs",
                     f"{costs[name] * 1e6:.1f} µs",
                     f"{(costs[name] - costs[CEILING]) * 1e6:+.1f} µs"])
    print(_harness.format_table(["contender", "server CPU/req", "vs ceiling",
                                 "WSGI app alone/req", "vs ceiling app"], rows), file=out)

    py_spy = http_bench.find_py_spy(args.py_spy)
    if py_spy is None:
        print("\npy-spy is not installed, so the servers are not sampled under wrk (see "
              "bench/README.md, http_bench.py's profile).", file=out)
    else:
        threads = args.profile_threads
        servers = [engine_server("raw", directory, threads, CEILING, "spy-raw"),
                   engine_server("cherryc", directory, threads, CHERRYC, "spy-cherryc")]
        try:
            for server in servers:
                server.cpus = args.server_cpus
                server.start()
            for server in servers:
                server.wait_ready()
                run_wrk(server, args, max(args.warmup, 1))
            profiles = {s.name: http_bench.spy_url(py_spy, s, server_url(s), args,
                                                   directory / f"spy-{s.name.split()[0]}.txt",
                                                   ["-s", str(args.script)])
                        for s in servers}
        finally:
            for server in servers:
                server.stop()
        print(f"\npy-spy --gil at {http_bench.SPY_RATE} Hz for {args.profile_seconds} s under "
              f"wrk, servers with {threads} pool thread(s). Only the thread that holds the GIL "
              f"is sampled: the serialized Python time per request (C calls made with the GIL "
              f"held count in their Python caller).", file=out)
        print(http_bench.spy_owner_table(profiles), file=out)
        print("\ncherryc server: top functions by own GIL-held time", file=out)
        print(http_bench.spy_function_table(profiles[CHERRYC], args.top, False), file=out)
        print("\ncherryc server: cherryc's functions by inclusive GIL-held time", file=out)
        print(http_bench.spy_function_table(profiles[CHERRYC], args.top, True), file=out)

    print("\ncherryc's WSGI app in a loop under cProfile (the profiler inflates every call; "
          "compare the rows with each other):", file=out)
    print(http_bench.cprofile_app(module, environ, costs[CHERRYC], args.top), file=out)
    return out.getvalue()


# ---- main ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    http_bench.add_wrk_options(parser, "wrk runs per server, taken round-robin")
    parser.add_argument("--pin", action="store_true",
                        help="run the servers on CPU 0 and wrk on the other CPUs")
    parser.add_argument("--no-control", dest="control", action="store_false",
                        help="do not run a second ceiling process (it measures the noise)")
    parser.add_argument("--sdk-venv", type=Path, default=SDK_VENV,
                        help=f"the official SDK's virtualenv, built if missing (default "
                             f"{SDK_VENV.relative_to(REPO)})")
    parser.add_argument("--profile", action="store_true",
                        help="print the cherryc profile even if the goal is met")
    parser.add_argument("--no-profile", action="store_true", help="never print the profile")
    parser.add_argument("--profile-seconds", type=int, default=10,
                        help="length of each py-spy recording, whole seconds (default 10)")
    parser.add_argument("--profile-threads", type=int, default=1,
                        help="pool threads of the servers sampled by py-spy (default 1)")
    parser.add_argument("--py-spy", metavar="PATH",
                        help="the py-spy program (default: py-spy on PATH or beside python)")
    parser.add_argument("--top", type=int, default=25, help="functions shown per profile")
    parser.add_argument("--keep", metavar="DIR", help="build the site and logs in DIR")
    args = parser.parse_args(argv)

    http_bench.check_wrk()
    args.server_cpus = args.wrk_cpus = None
    if args.pin:
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) < 2:
            parser.error("--pin needs at least two CPUs")
        args.server_cpus, args.wrk_cpus = {cpus[0]}, set(cpus[1:])
    args.sdk_python = sdk_python(args.sdk_venv.resolve())

    with tempfile.TemporaryDirectory(prefix="cherryc-engine-") as scratch:
        directory = Path(args.keep or scratch).resolve()
        directory.mkdir(parents=True, exist_ok=True)
        version = http_bench.source_version()  # before the runs: the sources may change
        args.script = write_site(directory)
        count = 4 if args.control else 3
        minutes = args.rounds * count * (args.duration + args.warmup + 1) / 60
        print(f"engine bench: {count} servers; {args.rounds} rounds of {count} wrk runs of "
              f"{args.duration} s, fresh server processes every round (about "
              f"{minutes:.0f} min)", file=sys.stderr)
        runs, sizes = measure(lambda: build_servers(directory, args), args)

        all_runs = [r for name_runs in runs.values() for r in name_runs]
        wrk_cpu = median([r.wrk_cpu for r in all_runs])
        other = sorted(r.other_cpu for r in all_runs)
        placement = (f"servers on CPU {sorted(args.server_cpus)}, wrk on CPU "
                     f"{sorted(args.wrk_cpus)}; " if args.pin else "")
        print(f"Python {sys.version.split()[0]}; {os.cpu_count()} CPUs; {placement}every "
              f"server: {args.threads} pool threads, HTTP/1.1 keep-alive, no access log; "
              f"wrk -t{args.wrk_threads} -c{args.connections} -d{args.duration}s --latency "
              f"-s post.lua (POST {es.FUNCTION_PATH}, {len(es.BODY)}-byte JSON body; wrk "
              f"itself used {wrk_cpu:.2f} CPU on median); medians of {args.rounds} "
              f"interleaved rounds, fresh server processes in each")
        print(f"cherryc {version}; official engine: "
              f"{versions(args.sdk_python, ['leancloud', 'Werkzeug', 'cheroot'])} "
              f"(in {args.sdk_venv})")
        print(f"Other processes on the machine used {median(other):.2f} CPU during a run on "
              f"median (max {other[-1]:.2f}) of {os.cpu_count()}"
              + (": the machine was busy, expect noise; see the 2nd-process row"
                 if median(other) > 0.1 else "") + "\n")
        names = [CEILING, *([CONTROL] if args.control else []), CHERRYC, OFFICIAL]
        print(results_table(runs, names, sizes))
        print()
        goals, met = goals_table(runs, args.control)
        print(goals)
        ceiling_met = http_bench.paired(runs, CHERRYC, CEILING, PAGE,
                                        lambda r: r.requests_per_second)[1] >= GOAL_CEILING
        if args.profile or (not ceiling_met and not args.no_profile):
            why = "--profile" if ceiling_met else f"cherryc missed {GOAL_CEILING}x the ceiling"
            print(f"\nProfile of the cherryc server ({why}):\n")
            print(profile_section(directory, runs, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
