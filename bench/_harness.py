"""What both benchmarks share: interleaved timing, paired ratios and plain-text tables.

The machine the benchmarks run on is noisy, so no contender is timed alone: every
round times each contender once (the starting contender rotates from round to round)
and results are medians over rounds. Ratios are taken round by round, between samples
measured a few milliseconds apart, and the median of those ratios is reported.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from typing import Callable, Sequence


def time_calls(function: Callable[[], object], number: int) -> float:
    """Seconds per call of `function`, over `number` calls; gc off, as `timeit` does."""
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(number):
            function()
        return (time.perf_counter() - start) / number
    finally:
        if enabled:
            gc.enable()


def calls_per_sample(function: Callable[[], object], seconds: float) -> int:
    """How many calls make one sample of about `seconds` (after two warm-up calls)."""
    function()
    function()
    once = time_calls(function, 1)
    return max(1, round(seconds / max(once, 1e-9)))


def interleaved(
    contenders: dict[str, Callable[[], object]],
    rounds: int,
    sample_seconds: float,
    progress: Callable[[int], None] | None = None,
) -> dict[str, list[float]]:
    """Seconds per call of each contender: one sample per round, round-robin.

    Round r starts with contender number r (mod their count), so no contender is
    always the first after a pause or always the one after the slowest.
    """
    numbers = {name: calls_per_sample(f, sample_seconds) for name, f in contenders.items()}
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    names = list(contenders)
    for round_number in range(rounds):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(time_calls(contenders[name], numbers[name]))
        if progress:
            progress(round_number + 1)
    return samples


def progress(rounds: int) -> Callable[[int], None]:
    """A callback showing "round n/N" on stderr when it is a terminal (and nothing if not)."""

    def show(done: int) -> None:
        if sys.stderr.isatty():
            end = "\n" if done == rounds else ""
            print(f"\r  round {done}/{rounds}", end=end, file=sys.stderr, flush=True)

    return show


def paired_ratios(numerator: Sequence[float], denominator: Sequence[float]) -> list[float]:
    """Round-by-round ratios of two sample lists taken by `interleaved`."""
    return [a / b for a, b in zip(numerator, denominator)]


def quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    """(first quartile, median, third quartile)."""
    if len(values) < 2:
        return values[0], values[0], values[0]
    low, middle, high = statistics.quantiles(values, n=4, method="inclusive")
    return low, middle, high


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table: first column left-aligned, the others right-aligned."""
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        first, *rest = cells
        parts = [str(first).ljust(widths[0])]
        parts += [str(cell).rjust(width) for cell, width in zip(rest, widths[1:])]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def format_seconds(seconds: float) -> str:
    """A duration with a unit that keeps three or four significant digits."""
    if seconds >= 1:
        return f"{seconds:.3f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3f} ms"
    return f"{seconds * 1e6:.1f} µs"
