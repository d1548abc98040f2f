"""Bigtable: a 1000-row x 10-column table rendered by cherryc masks and by peer engines.

Run it with the project's interpreter, from the repository root::

    .venv/bin/pip install -e '.[bench]'      # once: Mako and Chameleon
    .venv/bin/python bench/bigtable.py        # about 15 seconds
    .venv/bin/python bench/bigtable.py --rounds 7 --sample 0.02    # quicker, noisier
    .venv/bin/python bench/bigtable.py --cells strings   # cells '1'..'10' instead of ints
    .venv/bin/python bench/bigtable.py --show-mask       # print the generated mask code

Every contender renders the same table to ``<table>``/``<tr>``/``<td>``: rows are dicts
``{'a': 1, ..., 'j': 10}``, or ``{'a': '1', ...}`` with ``--cells strings``, which sends
every value through the escapers rather than a number shortcut. The outputs are compared
(whitespace removed) before any timing. Contenders are timed round-robin in one process
and reported as ratios: to the hand-written floor, and cherryc --autoescape against
Jinja2 with autoescape. Mako and Chameleon rows are skipped, with a note, when they are
not installed.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Callable

from markupsafe import Markup, escape

import _harness

from cherryc.compiler import Options, compile_files

ROWS = 1000
COLUMNS = "abcdefghij"

#: The floor every ratio is taken against.
FLOOR = "python floor"

#: The contenders that must HTML-escape values (checked before timing).
ESCAPING = {"python + markupsafe.escape", "cherryc --autoescape", "jinja2 autoescape",
            "mako h-filter", "chameleon"}

#: The mask, CGTL notation; every mask line ends with a newline (spec §10), so the
#: output is byte-for-byte the floor's.
CPY_SOURCE = """\
CherryClass Root:
mask:
    def bigtable(self, table):
        <table>
        <py-for="row in table"><tr><py-for="cell in row.values()"><td><py-eval="cell"></td></py-for></tr>
        </py-for></table>
"""

JINJA2_SOURCE = (
    "<table>\n"
    "{% for row in table %}<tr>{% for cell in row.values() %}<td>{{ cell }}</td>"
    "{% endfor %}</tr>\n{% endfor %}</table>\n"
)

# A trailing backslash makes Mako drop the newline, so the output matches the floor's.
MAKO_SOURCE = """\
<table>
% for row in table:
<tr>\\
% for cell in row.values():
<td>${cell}</td>\\
% endfor
</tr>
% endfor
</table>
"""

CHAMELEON_SOURCE = """\
<table>
<tr tal:repeat="row table"><td tal:repeat="cell row.values()" tal:content="cell"></td></tr>
</table>
"""


def make_table(cells: str = "ints") -> list[dict[str, int]]:
    """The classic bigtable data: 1000 rows of {'a': 1, ..., 'j': 10} (or '1', ..., '10')."""
    convert = str if cells == "strings" else int
    return [{key: convert(n) for n, key in enumerate(COLUMNS, 1)} for _ in range(ROWS)]


# ---- the hand-written contenders -----------------------------------------------------------


def python_floor(table: list[dict[str, int]]) -> str:
    """The floor: what a careful engineer writes by hand, one append per cell."""
    out = []
    append = out.append
    append("<table>\n")
    for row in table:
        append("<tr>")
        for cell in row.values():
            append(f"<td>{cell!s}</td>")
        append("</tr>\n")
    append("</table>\n")
    return "".join(out)


def python_three_appends(table: list[dict[str, int]]) -> str:
    """Hand-written, but shaped as a template compiler emits it: text, value, text."""
    out = []
    append = out.append
    append("<table>\n")
    for row in table:
        append("<tr>")
        for cell in row.values():
            append("<td>")
            append(str(cell))
            append("</td>")
        append("</tr>\n")
    append("</table>\n")
    return "".join(out)


def python_escaped(table: list[dict[str, int]]) -> Markup:
    """Hand-written escaping with markupsafe's public `escape`, returning Markup.

    Three appends per cell: `f"<td>{escape(cell)}</td>"` is slower (formatting a
    Markup goes through Python code), and `"<td>" + escape(cell)` would escape the tag.
    """
    out = []
    append = out.append
    append("<table>\n")
    for row in table:
        append("<tr>")
        for cell in row.values():
            append("<td>")
            append(escape(cell))
            append("</td>")
        append("</tr>\n")
    append("</table>\n")
    return Markup("".join(out))


# ---- the engines ---------------------------------------------------------------------------


def import_generated(text: str, directory: str, stem: str) -> ModuleType:
    """Write a generated module into `directory`, import it and start its site."""
    path = Path(directory) / f"{stem}.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"_bench_{stem}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    module._cpy_site.start()
    return module


def cherryc_mask(directory: str, autoescape: bool) -> tuple[Callable[..., str], str]:
    """The bigtable mask compiled by cherryc; returns (root.bigtable, generated module)."""
    stem = "bigtableEscServer" if autoescape else "bigtableServer"
    result = compile_files(["bigtable.cpy"], Options(autoescape=autoescape),
                           output=str(Path(directory) / f"{stem}.py"),
                           texts={"bigtable.cpy": CPY_SOURCE})
    module = import_generated(result.text, directory, stem)
    return module.root.bigtable, result.text


def jinja2_template(autoescape: bool) -> Callable[..., str]:
    """Jinja2's render function for the bigtable template."""
    import jinja2

    environment = jinja2.Environment(autoescape=autoescape, keep_trailing_newline=True)
    return environment.from_string(JINJA2_SOURCE).render


def mako_template(escaped: bool) -> Callable[..., str]:
    """Mako's render function; `escaped` uses the `h` filter (markupsafe) on every value."""
    from mako.template import Template

    filters = ["h"] if escaped else ["str"]
    return Template(MAKO_SOURCE, default_filters=filters).render


def chameleon_template() -> Callable[..., str]:
    """Chameleon's render function (it escapes `tal:content` values by default)."""
    from chameleon import PageTemplate

    return PageTemplate(CHAMELEON_SOURCE).render


def build_contenders(
    directory: str,
) -> tuple[dict[str, Callable[..., str]], list[str], list[str]]:
    """name -> render(table=...), notes about skipped engines, the two generated modules."""
    renderers: dict[str, Callable[..., str]] = {
        FLOOR: python_floor,
        "python 3 appends/cell": python_three_appends,
        "python + markupsafe.escape": python_escaped,
    }
    plain_mask, plain_module = cherryc_mask(directory, autoescape=False)
    escaped_mask, escaped_module = cherryc_mask(directory, autoescape=True)
    renderers["cherryc"] = plain_mask
    renderers["cherryc --autoescape"] = escaped_mask
    renderers["jinja2"] = jinja2_template(autoescape=False)
    renderers["jinja2 autoescape"] = jinja2_template(autoescape=True)
    notes = []
    optional = [("mako", lambda: mako_template(False)),
                ("mako h-filter", lambda: mako_template(True)),
                ("chameleon", chameleon_template)]
    for name, factory in optional:
        try:
            renderers[name] = factory()
        except ImportError as exc:
            notes.append(f"{name}: skipped ({exc.name} is not installed; "
                         f"pip install -e '.[bench]')")
    return renderers, notes, [plain_module, escaped_module]


def check_outputs(renderers: dict[str, Callable[..., str]], table: list[dict[str, int]]) -> None:
    """Every contender renders the floor's table (whitespace aside), or we stop here."""
    def squeeze(html: str) -> str:
        return re.sub(r"\s+", "", str(html))

    expected = squeeze(python_floor(table))
    cells = expected.count("<td>")
    if cells != ROWS * len(COLUMNS) or expected.count("<tr>") != ROWS:
        raise SystemExit(f"the floor rendered {cells} cells; expected {ROWS * len(COLUMNS)}")
    for name, render in renderers.items():
        actual = squeeze(render(table=table))
        if actual != expected:
            at = next(i for i, (a, b) in enumerate(zip(actual + "\0", expected + "\0")) if a != b)
            raise SystemExit(f"{name} renders a different table near character {at}:\n"
                             f"  got      {actual[max(0, at - 40):at + 40]!r}\n"
                             f"  expected {expected[max(0, at - 40):at + 40]!r}")
    check_escaping(renderers)


def check_escaping(renderers: dict[str, Callable[..., str]]) -> None:
    """The escaping contenders escape a cell holding markup; the others pass it through."""
    table = [{"a": "<b>&</b>"}]
    for name, render in renderers.items():
        html = str(render(table=table))
        escaped = "&lt;b&gt;&amp;&lt;/b&gt;" in html and "<b>" not in html
        raw = "<b>&</b>" in html
        if (name in ESCAPING and not escaped) or (name not in ESCAPING and not raw):
            should = "escape" if name in ESCAPING else "pass through"
            raise SystemExit(f"{name} should {should} '<b>&</b>' but renders {html!r}")


# ---- report --------------------------------------------------------------------------------


def results_table(samples: dict[str, list[float]]) -> str:
    """Per contender: median and best time per render, ratio to the floor and its IQR."""
    floor = samples[FLOOR]
    rows = []
    for name, times in samples.items():
        low, ratio, high = _harness.quartiles(_harness.paired_ratios(times, floor))
        rows.append([name, _harness.format_seconds(_harness.quartiles(times)[1]),
                     _harness.format_seconds(min(times)), f"{ratio:.2f}x",
                     f"{low:.2f}-{high:.2f}"])
    headers = ["contender", "per render (median)", "best", "x floor", "x floor IQR"]
    return _harness.format_table(headers, rows)


def goals(samples: dict[str, list[float]]) -> str:
    """The project's two goals, then two comparisons with hand-written code of the same shape.

    Each ratio is the median of round-by-round ratios (slower over faster, so above 1).
    """
    comparisons = [  # (slower, faster, goal text, test on the ratio)
        ("cherryc", FLOOR, "<= 1.15x", lambda r: r <= 1.15),
        ("jinja2 autoescape", "cherryc --autoescape", ">= 1.50x", lambda r: r >= 1.5),
        ("cherryc", "python 3 appends/cell", "", None),
        ("cherryc --autoescape", "python + markupsafe.escape", "", None),
    ]
    rows = []
    for slower, faster, goal, test in comparisons:
        low, ratio, high = _harness.quartiles(
            _harness.paired_ratios(samples[slower], samples[faster]))
        verdict = "" if test is None else ("met" if test(ratio) else "MISSED")
        rows.append([f"{slower} / {faster}", f"{ratio:.2f}x", f"{low:.2f}-{high:.2f}",
                     goal or "(context)", verdict])
    return _harness.format_table(["comparison", "ratio", "IQR", "goal", ""], rows)


def generated_mask(module_text: str) -> str:
    """The bigtable method from the generated module (for --show-mask)."""
    match = re.search(r"\n( +# ---- [^\n]*mask bigtable\n.*?return [^\n]*\n)", module_text, re.S)
    return match.group(1) if match else module_text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=21,
                        help="samples per contender, taken round-robin (default 21)")
    parser.add_argument("--sample", type=float, default=0.05, metavar="SECONDS",
                        help="length of one sample (default 0.05)")
    parser.add_argument("--cells", choices=("ints", "strings"), default="ints",
                        help="cell values: small ints (default, the classic) or short strings")
    parser.add_argument("--show-mask", action="store_true",
                        help="print the code cherryc generates for the mask")
    args = parser.parse_args(argv)

    table = make_table(args.cells)
    with tempfile.TemporaryDirectory(prefix="cherryc-bench-") as directory:
        renderers, notes, modules = build_contenders(directory)
        check_outputs(renderers, table)
        if args.show_mask:
            for title, module in zip(("cherryc", "cherryc --autoescape"), modules):
                print(f"{title}:\n{generated_mask(module)}")
        contenders = {name: (lambda r=render: r(table=table)) for name, render in renderers.items()}
        print(f"bigtable: {ROWS} rows x {len(COLUMNS)} {args.cells}, {len(contenders)} "
              f"contenders, {args.rounds} rounds of ~{args.sample:g} s samples; outputs "
              f"checked", file=sys.stderr)
        samples = _harness.interleaved(contenders, args.rounds, args.sample,
                                       progress=_harness.progress(args.rounds))
    print(f"Python {sys.version.split()[0]}; {ROWS}x{len(COLUMNS)} table of {args.cells}; "
          f"medians of {args.rounds} interleaved rounds\n")
    print(results_table(samples))
    print()
    print(goals(samples))
    for note in notes:
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
