"""Source map: the format, markers agreeing with it, tracebacks naming .cpy lines."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cherryc.compiler import Options, compile_file
from cherryc.runtime import sourcemap
from cherryc.runtime.sourcemap import SourceMap, encode

from support import fake_request, import_module_file, start_site

SITE = """\
CherryClass Root:
view:
    def broken(self):
        x = 1
        return x / 0
mask:
    def index(self, n=0):
        <h1>Title</h1>
        <py-for="i in range(3)">
            <py-eval="10 / (i - n)">
        </py-for>
    def page(self):
        <py-include="part.html">
"""

PART = "line one\n<py-eval=\"undefined_name\">\n"


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "site.cpy").write_text(SITE)
    (tmp_path / "part.html").write_text(PART)
    result = compile_file("site.cpy", Options())
    module = import_module_file(tmp_path / result.output)
    start_site(module)
    fake_request()
    return module


def test_encode_and_decode_round_trip() -> None:
    entries = [(3, "a.cpy", 10), (4, "a.cpy", 11), (5, "a.cpy", 12), (7, "a.cpy", 20),
               (8, "a.cpy", 20), (9, "a.cpy", 20), (10, "b.html", 1), (12, "a.cpy", 2)]
    files, runs = encode(entries)
    assert files == ("a.cpy", "b.html")
    assert runs == "3:0:10+2;7:0:20*2;10:1:1;12:0:2"
    decoded = SourceMap(files, runs)
    assert decoded.entries() == entries
    assert decoded.lookup(6) is None and decoded.lookup(11) is None and decoded.lookup(1) is None
    assert decoded.lookup(8) == ("a.cpy", 20)


def test_markers_agree_with_the_map(site) -> None:
    text = Path(site.__file__).read_text(encoding="utf-8")
    source_map = SourceMap(*site._cpy_source_map)
    markers = 0
    for number, line in enumerate(text.split("\n"), 1):
        found = re.search(r"  # ([\w./-]+):(\d+)$", line)
        if found:
            markers += 1
            assert source_map.lookup(number) == (found.group(1), int(found.group(2))), line
    assert markers >= 4


def test_every_user_line_is_mapped_to_itself(site) -> None:
    text = Path(site.__file__).read_text(encoding="utf-8").split("\n")
    source = SITE.split("\n")
    for generated, file, line in SourceMap(*site._cpy_source_map).entries():
        if file == "site.cpy" and "return x" in source[line - 1]:
            assert text[generated - 1].strip() == source[line - 1].strip()


def _formatted(call) -> str:
    with pytest.raises(Exception) as caught:
        call()
    return sourcemap.format_exception(caught.value)


def test_traceback_through_a_view_names_the_cpy_line(site) -> None:
    report = _formatted(site.root.broken)
    assert 'File "site.cpy", line 5, in broken\n    return x / 0' in report
    assert report.rstrip().endswith("ZeroDivisionError: division by zero")


def test_traceback_through_a_mask_names_the_cpy_line(site) -> None:
    report = _formatted(lambda: site.root.index(n=1))
    assert 'File "site.cpy", line 10, in index\n    <py-eval="10 / (i - n)">' in report


def test_traceback_through_an_included_template_names_the_template(site) -> None:
    report = _formatted(site.root.page)
    assert 'File "part.html", line 2, in page' in report
    assert "NameError: name 'undefined_name' is not defined" in report


def test_frames_outside_generated_code_are_unchanged(site) -> None:
    def outer():
        site.root.broken()

    report = _formatted(outer)
    assert "test_sourcemap.py" in report and "in outer" in report
