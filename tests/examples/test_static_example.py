"""examples/static: a page, its stylesheet and image from [staticContent], over HTTP.

The example is compiled with --autoescape in a temporary copy and served with its own
siteServer.cfg on a free port. Checked: the page links files that are served with their
bytes, type and Last-Modified; If-Modified-Since at that date gives 304 with no body,
an older, unparsable or future one the whole file, and a file changed since then is
sent again; HEAD sends headers only; missing files and paths leaving the folder are 404s.
"""

from __future__ import annotations

import os
import re
from email.utils import formatdate
from pathlib import Path
from typing import Iterator

import pytest

from servers import ServerProcess, example_server

FILES = {"/static/style.css": "text/css; charset=utf-8", "/static/cherry.png": "image/png"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with example_server("static", tmp_path_factory.mktemp("static")) as process:
        yield process


def on_disk(server: ServerProcess, url: str) -> Path:
    """The file of the served copy behind a /static URL."""
    return server.folder / url.lstrip("/")


def test_page_links_the_static_files(server: ServerProcess) -> None:
    page = server.get("/")
    assert page.status == 200
    linked = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
    assert sorted(linked) == sorted(FILES)


@pytest.mark.parametrize("url", FILES)
def test_files_are_sent_with_type_and_date(server: ServerProcess, url: str) -> None:
    reply = server.get(url)
    assert reply.status == 200
    assert reply.body == on_disk(server, url).read_bytes()
    assert reply.header("Content-Type") == FILES[url]
    assert reply.header("Content-Length") == str(len(reply.body))
    mtime = on_disk(server, url).stat().st_mtime
    assert reply.header("Last-Modified") == formatdate(mtime, usegmt=True)


@pytest.mark.parametrize("url", FILES)
def test_if_modified_since_gives_304(server: ServerProcess, url: str) -> None:
    stamp = server.get(url).header("Last-Modified")
    assert stamp
    again = server.get(url, headers={"If-Modified-Since": stamp})
    assert again.status == 304
    assert again.body == b""
    assert again.header("Content-Length") is None
    assert again.header("Date")


@pytest.mark.parametrize("since", ["Sat, 01 Jan 2000 00:00:00 GMT", "not a date",
                                   "Fri, 01 Jan 2100 00:00:00 GMT"])
def test_older_unparsable_or_future_dates_get_the_file(server: ServerProcess, since: str) -> None:
    reply = server.get("/static/style.css", headers={"If-Modified-Since": since})
    assert reply.status == 200
    assert reply.body == on_disk(server, "/static/style.css").read_bytes()


def test_a_changed_file_is_sent_again(server: ServerProcess) -> None:
    url = "/static/style.css"
    stamp = server.get(url).header("Last-Modified")
    assert stamp
    path = on_disk(server, url)
    changed = path.read_bytes() + b"p { line-height: 1.4; }\n"
    path.write_bytes(changed)
    later = path.stat().st_mtime + 60  # at least a minute newer than the browser's copy
    os.utime(path, (later, later))
    reply = server.get(url, headers={"If-Modified-Since": stamp})
    assert reply.status == 200
    assert reply.body == changed
    assert reply.header("Last-Modified") == formatdate(later, usegmt=True)


def test_head_sends_headers_only(server: ServerProcess) -> None:
    url = "/static/cherry.png"
    reply = server.request("HEAD", url)
    assert reply.status == 200
    assert reply.body == b""
    assert reply.header("Content-Type") == "image/png"
    assert reply.header("Content-Length") == str(on_disk(server, url).stat().st_size)


@pytest.mark.parametrize("url", ["/static/missing.css", "/static/../site.cpy",
                                 "/static/%2e%2e/site.cpy", "/static/..%2fsiteServer.cfg"])
def test_missing_files_and_escapes_are_404(server: ServerProcess, url: str) -> None:
    reply = server.get(url)
    assert reply.status == 404
    assert b"CherryClass" not in reply.body and b"socketPort" not in reply.body
