"""Compile speed: synthetic .cpy programs of ~1,000, ~10,000 and ~50,000 lines.

Run it with the project's interpreter, from the repository root::

    .venv/bin/python bench/compile_speed.py              # about a minute
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
import importlib.util
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

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


def measure(paths: dict[int, Path], directory: str, rounds: int) -> dict[int, list[float]]:
    """Seconds per compile of each size: one compile per size per round, rotating."""
    contenders = {size: (lambda p=path: compile_once(p, directory)) for size, path in paths.items()}
    samples: dict[int, list[float]] = {size: [] for size in paths}
    sizes = list(paths)
    for round_number in range(rounds):
        shift = round_number % len(sizes)
        for size in sizes[shift:] + sizes[:shift]:
            samples[size].append(_harness.time_calls(contenders[size], 1))
        print(f"\r  round {round_number + 1}/{rounds}", end="", file=sys.stderr)
    print(file=sys.stderr)
    return samples


def profile(path: Path, directory: str, top: int) -> str:
    """cProfile of one compile: the top functions by own time and by cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    compile_once(path, directory)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


# ---- report --------------------------------------------------------------------------------


def report(samples: dict[int, list[float]], lines: dict[int, int]) -> tuple[str, float, float]:
    """The results table, the time of the goal size, and the worst per-line growth."""
    per_line = {size: _harness.quartiles(times)[1] / lines[size] for size, times in samples.items()}
    reference = per_line[GOAL_LINES]
    rows = []
    previous = None
    for size, times in samples.items():
        median = _harness.quartiles(times)[1]
        growth = "" if previous is None else (
            f"{median / _harness.quartiles(samples[previous])[1]:.1f}x time "
            f"for {lines[size] / lines[previous]:.1f}x lines")
        rows.append([f"~{size:,}", f"{lines[size]:,}", _harness.format_seconds(median),
                     _harness.format_seconds(min(times)), f"{lines[size] / median:,.0f}",
                     f"{per_line[size] * 1e6:.1f}", f"{per_line[size] / reference:.2f}",
                     growth])
        previous = size
    headers = ["program", "lines", "compile (median)", "best", "lines/s", "µs/line",
               "µs/line vs 10k", "growth"]
    spread = max(per_line.values()) / min(per_line.values())
    return _harness.format_table(headers, rows), _harness.quartiles(samples[GOAL_LINES])[1], spread


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5,
                        help="compiles of each size, taken round-robin (default 5)")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile the 10,000-line compile even if the goals are met")
    parser.add_argument("--top", type=int, default=25, help="functions shown per profile table")
    parser.add_argument("--keep", metavar="DIR", help="write the .cpy files and outputs to DIR")
    args = parser.parse_args(argv)

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
        samples = measure(paths, directory, args.rounds)
        table, goal_time, spread = report(samples, lines)
        print(f"Python {sys.version.split()[0]}; medians of {args.rounds} interleaved rounds; "
              f"compile_file = read, parse, check, generate, compile() check, write\n")
        print(table)
        print()
        met = goal_time < GOAL_SECONDS
        linear = spread <= LINEAR_TOLERANCE
        print(f"goal: {GOAL_LINES:,} lines in < {GOAL_SECONDS:g} s: "
              f"{_harness.format_seconds(goal_time)} -> {'met' if met else 'MISSED'}")
        print(f"linear growth (µs/line within {LINEAR_TOLERANCE}x across sizes): "
              f"largest/smallest = {spread:.2f}x -> {'yes' if linear else 'NO'}")
        if args.profile or not (met and linear):
            print(f"\ncProfile of one {lines[GOAL_LINES]:,}-line compile:")
            print(profile(paths[GOAL_LINES], directory, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
