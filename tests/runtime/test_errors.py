"""Errors at run time (DESIGN.md §3, which replaces spec §16): 404, 500, onError, the log.

- an unmapped URL is a 404 page, an exception a 500 page, after `onError` ran;
- without -D the page shows neither the traceback nor the exception message; with -D it
  shows the traceback at .cpy lines; the log always has the traceback;
- `onError` sees the status already set (404 or 500) and whatever it leaves is sent; an
  `onError` that raises still gives a plain 500.
"""

from __future__ import annotations

import html
import re

import pytest

from servers import ServerProcess, compile_site

DEFAULT_SITE = """\
CherryClass Root:
view:
    def index(self):
        return "fine"
    def boom(self):
        raise ValueError("secret-message-42 <b>bold</b>")
    def teapot(self):
        response.headerMap["status"] = "418 I'm a Teapot"
        raise RuntimeError("after setting a status")
    def nothing(self):
        return None
    def number(self):
        return 42
    def nested(self):
        return self.helper()
function:
    def helper(self):
        return {"a": 1}["missing-key-7"]
mask:
    def brokenMask(self):
        <p>before</p>
        <py-eval="1 // 0">
"""

HANDLER_SITE = """\
def onError():
    response.headerMap["x-seen-status"] = str(response.headerMap["status"])
    response.headerMap["content-type"] = "text/plain; charset=utf-8"
    if request.path == "custom404":
        response.headerMap["status"] = "410 Gone"
        response.body = "custom gone page"
    elif request.path == "unavailable":
        response.headerMap["status"] = 503
        response.headerMap["retry-after"] = "120"
        response.body = b"try again later"
    elif request.path in ("brokenHandler", "brokenHandlerMissing"):
        raise RuntimeError("onError itself broke")
    else:
        response.body = "handled: " + str(response.headerMap["status"])

CherryClass Root:
view:
    def index(self):
        return "fine"
    def unavailable(self):
        raise KeyError("down")
    def teapot(self):
        response.headerMap["status"] = 418
        response.headerMap["content-type"] = "image/png"
        raise RuntimeError("after setting a status")
    def brokenHandler(self):
        raise ValueError("the view broke first")
"""


def _line(source: str, marker: str) -> int:
    """The 1-based line of `source` that contains `marker`."""
    return next(n for n, line in enumerate(source.splitlines(), 1) if marker in line)


BOOM_LINE = _line(DEFAULT_SITE, 'raise ValueError("secret-message-42')
HELPER_LINE = _line(DEFAULT_SITE, "missing-key-7")
NESTED_LINE = _line(DEFAULT_SITE, "return self.helper()")
MASK_LINE = _line(DEFAULT_SITE, '<py-eval="1 // 0">')


def _server(folder, source, options):
    compile_site(folder, source, options=options)
    return ServerProcess(folder, server={"logFile": "server.log"})


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    """DEFAULT_SITE compiled without -D."""
    with _server(tmp_path_factory.mktemp("errors-plain"), DEFAULT_SITE, ("--autoescape",)) as server:
        yield server


@pytest.fixture(scope="module")
def debug(tmp_path_factory):
    """DEFAULT_SITE compiled with -D."""
    with _server(tmp_path_factory.mktemp("errors-debug"), DEFAULT_SITE,
                 ("-D", "--autoescape")) as server:
        yield server


@pytest.fixture(scope="module")
def handler(tmp_path_factory):
    """HANDLER_SITE (its own onError), without -D."""
    with _server(tmp_path_factory.mktemp("errors-handler"), HANDLER_SITE, ("--autoescape",)) as server:
        yield server


def _log(server) -> str:
    return (server.folder / "server.log").read_text(encoding="utf-8")


def _page(reply) -> str:
    """The error page as text, HTML entities decoded."""
    return html.unescape(reply.text)


# ---- the default pages --------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/nope", "/root/nope", "/a/b/c", "/index/extra"])
def test_unmapped_url_is_a_404_page(plain, path) -> None:
    reply = plain.get(path)
    assert (reply.status, reply.reason) == (404, "Not Found")
    assert reply.header("content-type").startswith("text/html")
    assert "404 Not Found" in reply.text
    assert "Traceback" not in reply.text


def test_exception_is_a_500_page_without_traceback_or_message(plain) -> None:
    reply = plain.get("/boom")
    assert (reply.status, reply.reason) == (500, "Internal Server Error")
    assert reply.header("content-type").startswith("text/html")
    page = _page(reply)
    assert "500 Internal Server Error" in page
    for secret in ("secret-message-42", "bold", "Traceback", "ValueError", "site.cpy"):
        assert secret not in page, secret


def test_debug_build_page_shows_the_traceback_at_the_cpy_line(debug) -> None:
    reply = debug.get("/boom")
    assert reply.status == 500
    page = _page(reply)
    assert "Traceback" in page
    assert f'File "site.cpy", line {BOOM_LINE}, in boom' in page
    assert "ValueError: secret-message-42 <b>bold</b>" in page
    assert "<b>bold</b>" not in reply.text  # escaped in the HTML page


def test_debug_build_traceback_goes_through_functions_and_masks(debug) -> None:
    page = _page(debug.get("/nested"))
    assert f'File "site.cpy", line {NESTED_LINE}, in nested' in page
    assert f'File "site.cpy", line {HELPER_LINE}, in helper' in page
    assert "KeyError: 'missing-key-7'" in page
    reply = debug.get("/brokenMask")
    assert reply.status == 500
    assert f'File "site.cpy", line {MASK_LINE}, in brokenMask' in _page(reply)
    assert "ZeroDivisionError" in _page(reply)


def test_log_has_the_traceback_without_debug(plain) -> None:
    assert plain.get("/boom").status == 500
    log = _log(plain)
    assert "Traceback (most recent call last):" in log
    assert f'File "site.cpy", line {BOOM_LINE}, in boom' in log
    assert "ValueError: secret-message-42 <b>bold</b>" in log
    assert plain.get("/brokenMask").status == 500
    assert f'File "site.cpy", line {MASK_LINE}, in brokenMask' in _log(plain)


def test_log_has_the_traceback_with_debug(debug) -> None:
    assert debug.get("/nested").status == 500
    log = _log(debug)
    assert f'File "site.cpy", line {NESTED_LINE}, in nested' in log
    assert f'File "site.cpy", line {HELPER_LINE}, in helper' in log


def test_exception_resets_a_status_the_view_had_set(plain) -> None:
    reply = plain.get("/teapot")
    assert (reply.status, reply.reason) == (500, "Internal Server Error")
    assert "500 Internal Server Error" in reply.text


@pytest.mark.parametrize("path", ["/nothing", "/number"])
def test_view_returning_none_or_int_is_500(plain, path) -> None:
    reply = plain.get(path)
    assert reply.status == 500
    assert "500 Internal Server Error" in reply.text
    assert "Traceback" not in reply.text


def test_server_keeps_serving_after_errors(plain) -> None:
    for path in ("/boom", "/nope", "/nothing"):
        plain.get(path)
    assert (plain.get("/").status, plain.get("/").text) == (200, "fine")


# ---- a user onError -----------------------------------------------------------------------------


def test_on_error_runs_for_404_with_status_already_404(handler) -> None:
    reply = handler.get("/missing")
    assert reply.status == 404
    assert reply.header("x-seen-status") == "404 Not Found"
    assert reply.text == "handled: 404 Not Found"


def test_on_error_runs_for_500_with_status_already_500(handler) -> None:
    reply = handler.get("/teapot")
    assert reply.status == 500
    assert reply.header("x-seen-status") == "500 Internal Server Error"
    assert reply.header("content-type") == "text/plain; charset=utf-8"
    assert reply.text == "handled: 500 Internal Server Error"


def test_on_error_chooses_the_status_and_body_of_a_404(handler) -> None:
    reply = handler.get("/custom404")
    assert (reply.status, reply.reason) == (410, "Gone")
    assert reply.header("x-seen-status") == "404 Not Found"
    assert reply.text == "custom gone page"


def test_on_error_chooses_the_status_and_body_of_a_500(handler) -> None:
    reply = handler.get("/unavailable")
    assert reply.status == 503
    assert reply.header("x-seen-status") == "500 Internal Server Error"
    assert reply.header("retry-after") == "120"
    assert reply.body == b"try again later"
    assert reply.header("content-length") == str(len(b"try again later"))


@pytest.mark.parametrize("path", ["/brokenHandler", "/brokenHandlerMissing"])
def test_failing_on_error_gives_a_plain_500(handler, path) -> None:
    reply = handler.get(path)
    assert (reply.status, reply.reason) == (500, "Internal Server Error")
    assert reply.header("content-type").startswith("text/plain")
    assert reply.header("x-seen-status") is None  # nothing of the failed onError is sent
    assert "onError itself broke" not in reply.text
    assert "Traceback" not in reply.text
    assert handler.get("/").text == "fine"


def test_failing_on_error_is_logged(handler) -> None:
    handler.get("/brokenHandler")
    log = _log(handler)
    assert "RuntimeError: onError itself broke" in log
    assert "ValueError: the view broke first" in log
    line = _line(HANDLER_SITE, 'raise RuntimeError("onError itself broke")')
    assert re.search(rf'File "site\.cpy", line {line}, in onError', log)


def test_a_view_calling_sys_exit_does_not_stop_the_server(tmp_path) -> None:
    compile_site(tmp_path, "import sys\nCherryClass Root:\nview:\n"
                           "    def quit(self):\n        sys.exit(3)\n"
                           "    def interrupt(self):\n        raise KeyboardInterrupt\n"
                           "    def index(self):\n        return 'still here'\n")
    with ServerProcess(tmp_path) as server:
        assert server.get("/quit").status == 500
        assert server.get("/interrupt").status == 500
        assert server.get("/").text == "still here"
