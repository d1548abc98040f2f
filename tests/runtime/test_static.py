"""Static content over real HTTP (spec §17, DESIGN.md §3).

`[staticContent] prefix = folder`: content types, Content-Length, Last-Modified,
`If-Modified-Since` compared as a date, HEAD, 404 for missing files and directories,
a traversal battery that must never leave the folder, which special functions run for
static files (and that sessions do not), and large files sent complete.
"""

from __future__ import annotations

import os
import time
from email.utils import formatdate
from pathlib import Path

import pytest

from servers import ServerProcess, ThreadServer, compile_site

SITE = """\
CALLS = {"initRequest": 0, "initNonStaticRequest": 0, "initResponse": 0,
         "initNonStaticResponse": 0}


def initRequest():
    CALLS["initRequest"] += 1
    if request.path == "alias.css":
        request.path = "static/style.css"

def initNonStaticRequest():
    CALLS["initNonStaticRequest"] += 1

def initResponse():
    CALLS["initResponse"] += 1
    response.headerMap["x-init-response"] = "static=%s" % request.isStaticFile

def initNonStaticResponse():
    CALLS["initNonStaticResponse"] += 1

CherryClass Root:
view:
    def index(self):
        return "home"
"""

SECRET = "TOPSECRET-must-never-be-served"
#: 2020-01-01 12:00:00 UTC and seven tenths of a second: the mtime of every small file.
MTIME = 1577880000.7
LAST_MODIFIED = "Wed, 01 Jan 2020 12:00:00 GMT"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
BIG_SIZE = 5 * 1024 * 1024 + 12345


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("static_site")
    files: dict[str, str | bytes] = {
        "static/index.html": "<p>hello</p>\n",
        "static/style.css": "body { color: red }\n",
        "static/app.js": "var x = 1;\n",
        "static/logo.png": PNG,
        "static/favicon.ico": b"\x00\x00\x01\x00icon",
        "static/notes.zzunknown": "plain words\n",
        "static/README": "no extension\n",
        "static/sub/inner.txt": "inner\n",
        # served only if the prefix `static` wrongly matched `/staticfoo/...`
        "static/foo/x": "FOO-LOOKALIKE\n",
        "secret.txt": SECRET,
        "outside/secret2.txt": SECRET,
        "images/pic.png": PNG,
    }
    compile_site(folder, SITE, files)
    static = folder / "static"
    (static / "big.bin").write_bytes(os.urandom(BIG_SIZE))
    os.symlink(folder / "secret.txt", static / "link-out.txt")
    os.symlink(folder / "outside", static / "linkdir")
    os.symlink("index.html", static / "link-in.html")  # stays inside: allowed
    for path in [*static.rglob("*"), *(folder / "images").rglob("*")]:
        if path.is_file() and not path.is_symlink() and path.name != "big.bin":
            os.utime(path, (MTIME, MTIME))
    return folder


def config(folder: Path) -> str:
    return (f"[staticContent]\nstatic = static\nimg = {folder / 'images'}\n"
            "[session]\nstorageType = ram\n")


@pytest.fixture(scope="module")
def server(site: Path):
    with ThreadServer(site, extra=config(site)) as running:
        yield running


def calls(server: ThreadServer) -> dict[str, int]:
    return dict(server.module.CALLS)


# ---- content types, length, Last-Modified ------------------------------------------------


@pytest.mark.parametrize("path, kinds, body", [
    ("/static/index.html", ("text/html",), b"<p>hello</p>\n"),
    ("/static/style.css", ("text/css",), b"body { color: red }\n"),
    ("/static/app.js", ("text/javascript", "application/javascript"), b"var x = 1;\n"),
    ("/static/logo.png", ("image/png",), PNG),
    ("/static/favicon.ico", ("image/x-icon",), b"\x00\x00\x01\x00icon"),
    ("/static/notes.zzunknown", ("text/plain",), b"plain words\n"),
    ("/static/README", ("text/plain",), b"no extension\n"),
    ("/static/sub/inner.txt", ("text/plain",), b"inner\n"),
    ("/static/link-in.html", ("text/html",), b"<p>hello</p>\n"),
    ("/img/pic.png", ("image/png",), PNG),
])
def test_file_served_with_type_length_and_last_modified(server, path, kinds, body) -> None:
    reply = server.get(path)
    assert reply.status == 200
    assert reply.body == body
    assert reply.header("Content-Type").split(";")[0].strip() in kinds
    assert reply.header("Content-Length") == str(len(body))
    assert reply.header("Last-Modified") == LAST_MODIFIED


def test_text_types_declare_utf8_and_binary_types_no_charset(server) -> None:
    assert server.get("/static/index.html").header("Content-Type") == "text/html; charset=utf-8"
    assert server.get("/static/logo.png").header("Content-Type") == "image/png"


def test_trailing_slash_after_a_file_is_the_same_file(server) -> None:
    # spec §14: the trailing "/" is removed from request.path
    reply = server.get("/static/index.html/")
    assert (reply.status, reply.body) == (200, b"<p>hello</p>\n")


# ---- If-Modified-Since --------------------------------------------------------------------


@pytest.mark.parametrize("since", [
    LAST_MODIFIED,                          # exactly Last-Modified
    "Wed, 01 Jan 2020 12:00:01 GMT",        # later
    "Thu, 02 Jan 2020 00:00:00 GMT",        # later, another day
    "Wed, 01 Jan 2020 13:00:00 +0100",      # the same instant written with an offset
    "Wednesday, 01-Jan-20 12:00:00 GMT",    # RFC 850 form of the same instant
    "Wed Jan  1 12:00:00 2020",             # asctime form of the same instant
])
def test_if_modified_since_equal_or_later_gives_304(server, since) -> None:
    reply = server.get("/static/index.html", headers={"If-Modified-Since": since})
    assert reply.status == 304
    assert reply.body == b""


def test_304_has_no_wrong_content_length(server) -> None:
    # RFC 9110 §8.6: a server MUST NOT send Content-Length in a 304 unless it equals the
    # length of the 200 answer; "Content-Length: 0" tells caches the file became empty.
    reply = server.get("/static/index.html", headers={"If-Modified-Since": LAST_MODIFIED})
    assert reply.status == 304
    assert reply.header("Content-Length") in (None, str(len(b"<p>hello</p>\n")))


@pytest.mark.parametrize("since", [
    "Wed, 01 Jan 2020 11:59:59 GMT",        # one second earlier
    "Tue, 31 Dec 2019 12:00:00 GMT",
    "DUMMY",                                # unparsable (0.10's own test value)
    "",
    "Wed, 32 Jan 2020 12:00:00 GMT",        # not a date
    "Wed, 01 Jan 2020 25:61:00 GMT",
    "99999999999999999999",
    formatdate(time.time() + 365 * 86400, usegmt=True),  # in the future: ignored
])
def test_if_modified_since_earlier_unparsable_or_future_gives_200(server, since) -> None:
    reply = server.get("/static/index.html", headers={"If-Modified-Since": since})
    assert reply.status == 200
    assert reply.body == b"<p>hello</p>\n"
    assert reply.header("Last-Modified") == LAST_MODIFIED


def test_if_modified_since_is_a_date_whatever_the_server_time_zone(site) -> None:
    # An HTTP date without a zone (asctime form) is GMT (RFC 9110 §5.6.7), not the
    # server's local time: a server in UTC+9 must still answer 304 for Last-Modified.
    with ServerProcess(site, extra=config(site),
                       env={"TZ": "XST-9"}) as running:
        reply = running.get("/static/index.html",
                            headers={"If-Modified-Since": "Wed Jan  1 12:00:00 2020"})
        assert reply.status == 304
        assert running.get("/static/index.html").header("Last-Modified") == LAST_MODIFIED


# ---- HEAD, missing files, directories -----------------------------------------------------


def test_head_gives_the_headers_without_a_body(server) -> None:
    reply = server.request("HEAD", "/static/style.css")
    assert reply.status == 200
    assert reply.header("Content-Length") == str(len(b"body { color: red }\n"))
    assert reply.header("Content-Type").startswith("text/css")
    assert reply.header("Last-Modified") == LAST_MODIFIED
    raw = server.raw(b"HEAD /static/style.css HTTP/1.0\r\nHost: x\r\n\r\n")
    head, _, rest = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200")
    assert rest == b""


def test_head_of_a_large_file_sends_no_body(server) -> None:
    raw = server.raw(b"HEAD /static/big.bin HTTP/1.0\r\nHost: x\r\n\r\n")
    head, _, rest = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200")
    assert f"content-length: {BIG_SIZE}".encode() in head.lower()
    assert rest == b""


@pytest.mark.parametrize("path", [
    "/static/missing.html", "/static/sub/missing.txt", "/static/index.html/extra",
])
def test_missing_file_is_404(server, path) -> None:
    assert server.get(path).status == 404


@pytest.mark.parametrize("path", ["/static", "/static/", "/static/sub", "/static/sub/"])
def test_directory_is_404(server, path) -> None:
    reply = server.get(path)
    assert reply.status == 404
    assert b"inner" not in reply.body


def test_prefix_lookalike_is_not_static(server) -> None:
    # a prefix `static` answers `/static` and `/static/...`, never `/staticfoo/...`
    for path in ("/staticfoo/x", "/staticfoo", "/static-foo/x", "/static.foo/x"):
        reply = server.get(path)
        assert reply.status == 404, path
        assert b"FOO-LOOKALIKE" not in reply.body, path
    assert server.get("/static/foo/x").body == b"FOO-LOOKALIKE\n"


# ---- the traversal battery ----------------------------------------------------------------

TRAVERSALS = [
    "/static/../secret.txt",
    "/static/../../../../../../etc/passwd",
    "/static/sub/../../secret.txt",
    "/static/./../secret.txt",
    "/static/..",
    "/static/..%2fsecret.txt",
    "/static/..%2Fsecret.txt",
    "/static/%2e%2e/secret.txt",
    "/static/%2E%2E/secret.txt",
    "/static/%2e%2e%2fsecret.txt",
    "/static/.%2e/secret.txt",
    "/static/%252e%252e/secret.txt",
    "/static/%252e%252e%252fsecret.txt",
    "/static/..%252fsecret.txt",
    "/static/%c0%ae%c0%ae/secret.txt",      # overlong UTF-8 dots
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/static/%2F" + "%2E%2E%2F" * 5 + "secret.txt",
    "/static/..\\secret.txt",
    "/static/%5c..%5csecret.txt",
    "/static/..%5csecret.txt",
    "/static/%00",
    "/static/index.html%00",
    "/static/../secret.txt%00.html",
    "/static/link-out.txt",                 # symlink inside pointing outside
    "/static/linkdir/secret2.txt",          # symlinked directory pointing outside
    "/static/linkdir/",
    "/static/....//secret.txt",
    "/static/" + "a" * 5000,                # a name longer than NAME_MAX
    "/static/" + "a/" * 3000 + "x",         # a very deep path
    "/static/" + "../" * 3000 + "secret.txt",
    "//etc/passwd",
    "/%2e%2e/secret.txt",
    "/../secret.txt",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_traversal_never_leaves_the_folder(server, path) -> None:
    reply = server.get(path)
    assert 400 <= reply.status < 500
    assert SECRET.encode() not in reply.body
    assert b"root:" not in reply.body


@pytest.mark.parametrize("target", [
    b"/static/..%00/secret.txt",
    b"/static/\\..\\secret.txt",
    b"http://127.0.0.1/static/../secret.txt",  # absolute form
    b"/static/" + b"../" * 30000 + b"secret.txt",  # longer than the header limit
])
def test_raw_traversal_never_leaves_the_folder(server, target) -> None:
    answer = server.raw(b"GET " + target + b" HTTP/1.0\r\nHost: x\r\n\r\n")
    status = int(answer.split(b" ", 2)[1])
    assert 400 <= status < 500
    assert SECRET.encode() not in answer


def test_raw_nul_byte_in_the_path_is_refused(server) -> None:
    answer = server.raw(b"GET /static/index.html\x00.png HTTP/1.0\r\nHost: x\r\n\r\n")
    status = int(answer.split(b" ", 2)[1])
    assert 400 <= status < 500


# ---- special functions and sessions for static files --------------------------------------


def test_static_runs_init_request_and_init_response_only(server) -> None:
    before = calls(server)
    reply = server.get("/static/index.html")
    after = calls(server)
    assert reply.status == 200
    assert reply.header("X-Init-Response") == "static=1"
    assert after["initRequest"] == before["initRequest"] + 1
    assert after["initResponse"] == before["initResponse"] + 1
    assert after["initNonStaticRequest"] == before["initNonStaticRequest"]
    assert after["initNonStaticResponse"] == before["initNonStaticResponse"]


def test_static_has_no_session(server) -> None:
    reply = server.get("/static/index.html")
    assert reply.status == 200
    assert reply.headers.get_all("Set-Cookie") is None
    not_modified = server.get("/static/index.html", headers={"If-Modified-Since": LAST_MODIFIED})
    assert not_modified.status == 304
    assert not_modified.headers.get_all("Set-Cookie") is None


def test_dynamic_page_runs_every_special_function_and_has_a_session(server) -> None:
    before = calls(server)
    reply = server.get("/")
    after = calls(server)
    assert (reply.status, reply.text) == (200, "home")
    assert reply.header("X-Init-Response") == "static=0"
    assert {name: after[name] - before[name] for name in after} == {
        "initRequest": 1, "initNonStaticRequest": 1, "initResponse": 1,
        "initNonStaticResponse": 1}
    assert any(cookie.startswith("CherryPySession=")
               for cookie in reply.headers.get_all("Set-Cookie") or [])


def test_init_request_may_rewrite_the_path_to_a_static_file(server) -> None:
    reply = server.get("/alias.css")
    assert (reply.status, reply.body) == (200, b"body { color: red }\n")
    assert reply.header("Content-Type").startswith("text/css")
    assert reply.header("X-Init-Response") == "static=1"


# ---- large files ------------------------------------------------------------------------


def test_large_file_comes_back_complete(server, site) -> None:
    expected = (site / "static" / "big.bin").read_bytes()
    reply = server.get("/static/big.bin", timeout=30)
    assert reply.status == 200
    assert reply.header("Content-Length") == str(BIG_SIZE)
    assert reply.header("Content-Type") == "application/octet-stream"
    assert len(reply.body) == BIG_SIZE
    assert reply.body == expected


def test_large_file_not_modified_gives_304(server, site) -> None:
    since = formatdate((site / "static" / "big.bin").stat().st_mtime, usegmt=True)
    reply = server.get("/static/big.bin", headers={"If-Modified-Since": since})
    assert (reply.status, reply.body) == (304, b"")
