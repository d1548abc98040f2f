"""Compile speed: synthetic .cpy programs of ~1,000, ~10,000 and ~50,000 lines.

Run it with the project's interpreter, from the repository root::

    .venv/bin/python bench/compile_speed.py              # about 30 seconds
    .venv/bin/python bench/compile_speed.py --rounds 3   # quicker
    .venv/bin/python bench/compile_speed.py --profile    # also cProfile the 10,000-line compile
    .venv/bin/python bench/compile_speed.py --keep DIR   # keep the generated .cpy files in DIR

Each program is many CherryClasses, each with a variable section, functions, views and
masks that use py-eval, py-if/py-else, py-for, py-attr, py-exec and CHTL ``<td py-eval>``.
Each one is compiled in process through `cherryc.compiler.compile_file`, the function
behind `cherryc compile`: read, parse, check, generate, the final compile() check and
the write. Interpreter start-up and imports are not timed, and one warm-up compile comes
first. The sizes are compiled round-robin, once per round; medians are reported, with
the time per line relative to the 10,000-line program (1.00 everywhere = linear growth).
The profile is printed by itself when the 10,000-line goal (< 1 s) is missed or the
growth is clearly worse than linear.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import importlib.util
import io
import os
import pstats
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import _harness

from cherryc.compiler import Options, compile_file

SIZES = (1_000, 10_000, 50_000)
GOAL_LINES = 10_000
GOAL_SECONDS = 1.0
#: Time per line may vary this much between sizes before growth counts as non-linear.
LINEAR_TOLERANCE = 1.3


# ---- the synthetic programs ----------------------------------------------------------------


def cherry_class(n: int) -> str:
    """CherryClass number `n`: about 60 lines; every fourth class inherits from the previous."""
    parent = f"(Page{n - 1})" if n % 4 == 3 else ""
    return f'''\
CherryClass Page{n}{parent}:
variable:
    title = "Page {n}"
    items = [("apple", {n % 7 + 1}), ("pear", {n % 5 + 2}), ("plum", {n % 3 + 3})]
    colours = {{"odd": "#eeeeee", "even": "#ffffff"}}
    limit = {n % 10}
function:
    def total{n}(self, rows):
        result = 0
        for name, count in rows:
            result += count
        return result
    def label{n}(self, name):
        # capitalised, with the class number
        return "%s-{n}" % name.capitalize()
view:
    def count{n}(self, n="1"):
        return str(int(n) * {n % 9 + 2})
    def echo{n}(self, **kw):
        keys = sorted(kw)
        return ", ".join("%s=%s" % (key, kw[key]) for key in keys)
mask:
    def index(self, who="world"):
        <html><head><title py-eval="self.title">title</title></head>
        <body>
        <h1>Hello <py-eval="who">!</h1>
        <py-if="who == 'world'">
            <p>Everyone, from page {n}</p>
        </py-if>
        <py-else>
            <p>Just <b py-eval="who">someone</b></p>
        </py-else>
        <table>
        <py-for="name, count in self.items">
            <tr><td py-attr="self.colours['odd' if _index % 2 else 'even']" bgcolor="">x</td>
            <td py-eval="self.label{n}(name)">name</td><td py-eval="count">0</td></tr>
        </py-for>
        </table>
        <p>Total: <py-eval="self.total{n}(self.items)"></p>
        </body></html>
    def detail{n}(self, n="0"):
        <div py-if="int(n) > self.limit"><p>big <py-eval="n"></p></div>
        <div py-else><p>small</p></div>
        <py-exec="x = int(n) + {n}">
        <p py-eval="x">0</p>
        <ul>
        <div py-for="i in range(int(n))"><li py-attr="'item-%d' % i" class="">
            <a py-attr="self.getPath() + '/detail{n}?n=%d' % i" href="#"><py-eval="i"></a>
        </li></div>
        </ul>
    def rows{n}(self, count="3"):
        <table>
        <py-for="i in range(int(count))">
            <tr>
            <td py-eval="i">0</td>
            <td py-eval="i * {n}">0</td>
            <py-if="i == _end"><td>last</td></py-if>
            <py-else><td py-eval="_end - i">0</td></py-else>
            </tr>
        </py-for>
        </table>
'''


def synthetic_source(lines: int) -> str:
    """A program of about `lines` lines (whole classes, so slightly more)."""
    parts = []
    count = 0
    n = 0
    while count < lines:
        part = cherry_class(n)
        parts.append(part)
        count += part.count("\n")
        n += 1
    return "".join(parts)


def write_sources(directory: str) -> dict[int, Path]:
    """size -> path of the synthetic program of that size, written into `directory`."""
    paths = {}
    for size in SIZES:
        path = Path(directory) / f"synthetic{size // 1000}k.cpy"
        path.write_text(synthetic_source(size), encoding="utf-8")
        paths[size] = path
    return paths


def line_count(path: Path) -> int:
    with open(path, encoding="utf-8") as handle:
        return sum(1 for _ in handle)


# ---- compiling -----------------------------------------------------------------------------


def compile_once(path: Path, directory: str) -> str:
    """Compile as `cherryc compile -O <out> <path>` does; returns the output path."""
    output = os.path.join(directory, path.stem + "Server.py")
    return compile_file([str(path)], Options(), output).output


def sanity_check(output: str) -> None:
    """Import the smallest generated module and render two masks (not timed)."""
    spec = importlib.util.spec_from_file_location("_bench_synthetic", output)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    module._cpy_site.start()
    page = module.page1.index(who="bench")
    rows = module.page3.rows3(count="2")
    if "<b>bench</b>" not in page or "Pear-1" not in page or "<td>last</td>" not in rows:
        raise SystemExit(f"the generated masks render unexpected text:\n{page}\n{rows}")


class GcClock:
    """Time spent in the garbage collector (through `gc.callbacks`), and full collections."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.full = 0
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
            return
        self.seconds += time.perf_counter() - self._start
        self.full += info["generation"] == 2

    def __enter__(self) -> "GcClock":
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)


@dataclass
class Sample:
    """One timed compile: total seconds, of which garbage collection, and full collections."""

    seconds: float
    gc_seconds: float
    full_collections: int


@contextmanager
def collector(keep_gc: bool) -> Iterator[GcClock]:
    """A full collection first, then gc on or off and a GcClock running for the block."""
    gc.collect()
    enabled = gc.isenabled()
    if not keep_gc:
        gc.disable()
    try:
        with GcClock() as clock:
            yield clock
    finally:
        if enabled:
            gc.enable()


def timed_compile(path: Path, directory: str, keep_gc: bool) -> Sample:
    """One compile; the full collection before it means no compile pays for older garbage."""
    with collector(keep_gc) as clock:
        start = time.perf_counter()
        compile_once(path, directory)
        seconds = time.perf_counter() - start
    return Sample(seconds, clock.seconds, clock.full)


def measure(
    paths: dict[int, Path], directory: str, rounds: int, keep_gc: bool
) -> dict[int, list[Sample]]:
    """One compile per size per round, the starting size rotating from round to round."""
    samples: dict[int, list[Sample]] = {size: [] for size in paths}
    sizes = list(paths)
    show = _harness.progress(rounds)
    for round_number in range(rounds):
        shift = round_number % len(sizes)
        for size in sizes[shift:] + sizes[:shift]:
            samples[size].append(timed_compile(paths[size], directory, keep_gc))
        show(round_number + 1)
    return samples


def profile_stats(
    path: Path, directory: str, keep_gc: bool, runs: int = 2
) -> tuple[pstats.Stats, GcClock]:
    """cProfile of one compile, the faster of `runs` (a gc pause is charged to the function
    that triggered it)."""
    best: tuple[pstats.Stats, GcClock] | None = None
    for _ in range(runs):
        profiler = cProfile.Profile()
        with collector(keep_gc) as clock:
            profiler.enable()
            compile_once(path, directory)
            profiler.disable()
        stats = pstats.Stats(profiler, stream=io.StringIO()).strip_dirs()
        if best is None or stats.total_tt < best[0].total_tt:
            best = stats, clock
    assert best is not None
    return best


def profile_top(path: Path, directory: str, keep_gc: bool, top: int) -> str:
    """The top functions of one compile by own time and by cumulative time."""
    stats, clock = profile_stats(path, directory, keep_gc)
    stats.stream = out = io.StringIO()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return f"(garbage collector: {clock.seconds:.3f} s, {clock.full} full collections)\n" + \
        out.getvalue()


def profile_growth(
    small: Path, large: Path, directory: str, keep_gc: bool, top: int
) -> str:
    """Own time per function in the two compiles: which parts grow faster than the lines."""
    small_stats, small_clock = profile_stats(small, directory, keep_gc)
    large_stats, large_clock = profile_stats(large, directory, keep_gc)
    small_own = {key: (row[1], row[2]) for key, row in small_stats.stats.items()}
    rows = []
    for key, row in large_stats.stats.items():
        calls, own = row[1], row[2]
        small_calls, small_time = small_own.get(key, (0, 0.0))
        growth = f"{own / small_time:.1f}x" if small_time > 1e-4 else "-"
        rows.append((own, [f"{key[0]}:{key[1]}({key[2]})", f"{small_calls:,}", f"{calls:,}",
                           f"{small_time:.3f}", f"{own:.3f}", growth]))
    rows.sort(key=lambda row: row[0], reverse=True)
    ratio = line_count(large) / line_count(small)
    table = _harness.format_table(
        ["function (own time)", "calls small", "calls large", "s small", "s large", "growth"],
        [row for _, row in rows[:top]])
    return (f"{small.name} -> {large.name}: {ratio:.1f}x lines; a growth well above that is "
            f"worse than linear\n(when the calls grow like the lines but the time does not, "
            f"look at gc: cProfile charges a collection to the function that triggered it)\n"
            f"garbage collector: {small_clock.seconds:.3f} s -> {large_clock.seconds:.3f} s, "
            f"{small_clock.full} -> {large_clock.full} full collections\n{table}")


# ---- report --------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return _harness.quartiles(values)[1]


def report(samples: dict[int, list[Sample]], lines: dict[int, int]) -> tuple[str, dict, dict]:
    """The results table, and the median µs per line of each size, with and without gc."""
    per_line, own_per_line = {}, {}
    for size, runs in samples.items():
        per_line[size] = median([s.seconds for s in runs]) / lines[size] * 1e6
        own_per_line[size] = median([s.seconds - s.gc_seconds for s in runs]) / lines[size] * 1e6
    rows = []
    previous = None
    for size, runs in samples.items():
        seconds = median([s.seconds for s in runs])
        growth = ""
        if previous is not None:
            before = median([s.seconds for s in samples[previous]])
            growth = f"{seconds / before:.1f}x for {lines[size] / lines[previous]:.1f}x lines"
        rows.append([
            f"~{size:,}", f"{lines[size]:,}", _harness.format_seconds(seconds),
            _harness.format_seconds(min(s.seconds for s in runs)),
            _harness.format_seconds(median([s.gc_seconds for s in runs])),
            str(max(s.full_collections for s in runs)), f"{lines[size] / seconds:,.0f}",
            f"{per_line[size]:.1f}", f"{per_line[size] / per_line[GOAL_LINES]:.2f}",
            f"{own_per_line[size]:.1f}", growth,
        ])
        previous = size
    headers = ["program", "lines", "compile", "best", "in gc", "full gcs", "lines/s",
               "µs/line", "vs 10k", "excl. gc", "growth"]
    return _harness.format_table(headers, rows), per_line, own_per_line


def spread(values: dict[int, float]) -> float:
    """Largest over smallest: 1.00 means the same time per line at every size."""
    return max(values.values()) / min(values.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5,
                        help="compiles of each size, taken round-robin (default 5)")
    parser.add_argument("--gc", choices=("on", "off"), default="on",
                        help="garbage collector during the compiles: on (default), as "
                             "`cherryc compile` runs, or off, to see the compiler's own work")
    parser.add_argument("--profile", action="store_true",
                        help="print the profiles even if the goals are met")
    parser.add_argument("--top", type=int, default=20, help="functions shown per profile table")
    parser.add_argument("--keep", metavar="DIR", help="write the .cpy files and outputs to DIR")
    args = parser.parse_args(argv)
    keep_gc = args.gc == "on"

    with tempfile.TemporaryDirectory(prefix="cherryc-bench-") as scratch:
        directory = args.keep or scratch
        os.makedirs(directory, exist_ok=True)
        paths = write_sources(directory)
        lines = {size: line_count(path) for size, path in paths.items()}
        started = time.perf_counter()
        sanity_check(compile_once(paths[SIZES[0]], directory))
        print(f"compile speed: warm-up compile of {lines[SIZES[0]]:,} lines took "
              f"{_harness.format_seconds(time.perf_counter() - started)} (not counted); "
              f"{args.rounds} rounds", file=sys.stderr)
        samples = measure(paths, directory, args.rounds, keep_gc)
        table, per_line, own_per_line = report(samples, lines)
        print(f"Python {sys.version.split()[0]}; gc {args.gc}; medians of {args.rounds} "
              f"interleaved rounds; one compile = compile_file(): read, parse, check, "
              f"generate, compile() check, write\n")
        print(table)
        print()
        goal_time = median([s.seconds for s in samples[GOAL_LINES]])
        met = goal_time < GOAL_SECONDS
        linear = spread(per_line) <= LINEAR_TOLERANCE
        print(f"goal: {GOAL_LINES:,} lines in < {GOAL_SECONDS:g} s: "
              f"{_harness.format_seconds(goal_time)} -> {'met' if met else 'MISSED'}")
        print(f"linear growth (µs/line within {LINEAR_TOLERANCE}x across sizes): "
              f"largest/smallest = {spread(per_line):.2f}x -> {'yes' if linear else 'NO'}; "
              f"excluding gc pauses {spread(own_per_line):.2f}x")
        if args.profile or not met:
            print(f"\ncProfile of one {lines[GOAL_LINES]:,}-line compile, gc {args.gc}:")
            print(profile_top(paths[GOAL_LINES], directory, keep_gc, args.top))
        if args.profile or not linear:
            print(f"\ncProfile, own time per function, gc {args.gc}:")
            print(profile_growth(paths[GOAL_LINES], paths[SIZES[-1]], directory, keep_gc,
                                 args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
