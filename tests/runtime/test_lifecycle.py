"""The special functions of spec §13, each at its point of the life cycle and in order.

The site records every call in a global list `EVENTS` ([name, tag] pairs, the tag being
the request's `X-Test-Id` header) and shows it at `/events`, so each test sends its own
tag and looks at the events of that request only.
"""

from __future__ import annotations

import json
import re
import time

import pytest

from servers import ServerProcess, compile_site
from support import import_module_file

SITE = """\
import json
import re
import socket

def initProgram():
    EVENTS = [["initProgram", ""]]
    THREADS = []
    LOGS = []
    SESSIONS = {}

def note(name):
    try:
        tag = request.headerMap.get("x-test-id", "")
    except AttributeError:
        tag = ""
    EVENTS.append([name, tag])

def initServer():
    note("initServer " + type(root).__name__ + " " + type(other).__name__)

def initAfterBind():
    port = int(configFile.get("server", "socketPort"))
    probe = socket.create_connection(("127.0.0.1", port), timeout=5)
    probe.close()
    note("initAfterBind")

def initThread(threadIndex):
    THREADS.append([threadIndex, threading.get_ident()])
    EVENTS.append(["initThread %d" % threading.get_ident(), ""])

def initRequestBeforeParse():
    note("initRequestBeforeParse")
    if request.path == "raw":
        request.parsePostData = 0

def initRequest():
    note("initRequest")
    if request.path == "old":
        request.path = "new"
        request.paramMap["added"] = "yes"
        request.paramMap.pop("dropped", None)

def initNonStaticRequest():
    note("initNonStaticRequest")
    if request.path == "alias":
        request.path = "new"
        request.paramMap = {"replaced": "1"}

def initResponse():
    note("initResponse")
    response.headerMap["x-init-response"] = "yes"
    if request.path == "decorated":
        response.body = response.body + " (decorated)"

def initNonStaticResponse():
    note("initNonStaticResponse")
    response.headerMap["x-init-non-static-response"] = "yes"

def onError():
    note("onError " + str(response.headerMap["status"]))
    response.headerMap["content-type"] = "text/plain; charset=utf-8"
    response.body = "handled by onError"

def logMessage(message, level=0):
    if re.search(r' - "[A-Z]+ ', message):
        note("logMessage")
        LOGS.append(message)
    print(message, flush=True)

def saveSessionData(sessionId, sessionData, expirationTime):
    note("saveSessionData")
    SESSIONS[sessionId] = (dict(sessionData), expirationTime)

def loadSessionData(sessionId):
    note("loadSessionData")
    return SESSIONS.get(sessionId)

def cleanUpOldSessions():
    note("cleanUpOldSessions")

CherryClass Root:
view:
    def index(self):
        note("view")
        return "index"
    def page(self, **kw):
        note("view")
        return "page"
    def whoami(self):
        note("view %d" % threading.get_ident())
        return str(threading.get_ident())
    def events(self):
        return json.dumps({"events": EVENTS, "threads": THREADS, "logs": LOGS,
                           "sessions": {k: [v[0], v[1]] for k, v in SESSIONS.items()}})
    def raw(self, **kw):
        note("view")
        size = int(request.headerMap.get("content-length", "0"))
        data = request.rfile.read(size)
        return json.dumps({"body": data.decode("ascii"), "paramMap": request.paramMap})
    def new(self, **kw):
        note("view")
        return json.dumps({"path": request.path, "paramMap": request.paramMap,
                           "originalPath": request.originalPath,
                           "originalParamMap": request.originalParamMap})
    def decorated(self):
        note("view")
        return "body"
    def fail(self):
        note("view")
        raise ValueError("boom")
    def count(self):
        note("view")
        count = request.sessionMap.get("count", 0) + 1
        request.sessionMap["count"] = count
        return json.dumps({"count": count, "sessionId": request.sessionMap["_sessionId"]})

CherryClass Other:
view:
    def index(self):
        return "other"
"""

CONFIG = {"threadPool": 3}
EXTRA = """\
[session]
storageType = custom
cleanUpDelay = 0.0005

[staticContent]
static = static
"""

ORDER_GET = ["initRequest", "initNonStaticRequest", "view", "initResponse",
             "initNonStaticResponse", "saveSessionData", "logMessage"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lifecycle")
    compile_site(folder, SITE, files={"static/hello.txt": "static hello\n"})
    return folder


@pytest.fixture(scope="module")
def server(site):
    with ServerProcess(site, server=CONFIG, extra=EXTRA) as running:
        yield running


def _state(server):
    reply = server.get("/events")
    assert reply.status == 200, reply.body
    return json.loads(reply.text)


def _events(server, tag):
    """Names of the events of the request(s) sent with `X-Test-Id: tag`, in order."""
    return [name for name, event_tag in _state(server)["events"] if event_tag == tag]


def _without_clean_up(names):
    """Drop the events that depend on timing or on the thread: clean-ups (and initThread)."""
    return [name for name in names
            if name != "cleanUpOldSessions" and not name.startswith("initThread")]


def test_init_program_runs_at_import_before_anything_else(site, monkeypatch) -> None:
    monkeypatch.chdir(site)
    module = import_module_file(site / "siteServer.py")
    assert module.EVENTS == [["initProgram", ""]]
    assert "root" not in vars(module)  # instances come later, at start-up


def test_start_up_order(server) -> None:
    events = _state(server)["events"]
    assert events[:3] == [["initProgram", ""], ["initServer Root Other", ""],
                          ["initAfterBind", ""]]
    first_request = next(i for i, (name, _) in enumerate(events) if name == "initRequest")
    assert first_request > 2  # serving starts after all three


def test_dynamic_get_order(server) -> None:
    reply = server.get("/page", headers={"X-Test-Id": "get"})
    assert (reply.status, reply.text) == (200, "page")
    assert _without_clean_up(_events(server, "get")) == ORDER_GET


def test_dynamic_get_order_with_a_session(server) -> None:
    first = server.get("/count", headers={"X-Test-Id": "session-1"})
    cookie = first.header("set-cookie").split(";")[0]
    second = server.get("/count", headers={"X-Test-Id": "session-2", "Cookie": cookie})
    assert json.loads(second.text)["count"] == 2
    assert _without_clean_up(_events(server, "session-2")) == [
        "initRequest", "loadSessionData", "initNonStaticRequest", "view", "initResponse",
        "initNonStaticResponse", "saveSessionData", "logMessage"]


def test_post_order_starts_with_init_request_before_parse(server) -> None:
    reply = server.request("POST", "/page", body="a=1",
                           headers={"X-Test-Id": "post",
                                    "Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status == 200
    assert _without_clean_up(_events(server, "post")) == ["initRequestBeforeParse", *ORDER_GET]


def test_init_request_before_parse_is_for_post_only(server) -> None:
    server.get("/page?a=1", headers={"X-Test-Id": "get-only"})
    server.request("HEAD", "/page", headers={"X-Test-Id": "head-only"})
    assert "initRequestBeforeParse" not in _events(server, "get-only")
    assert "initRequestBeforeParse" not in _events(server, "head-only")


def test_parse_post_data_0_leaves_the_body_to_rfile(server) -> None:
    reply = server.request("POST", "/raw", body="a=1&b=2",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status == 200, reply.body
    assert json.loads(reply.text) == {"body": "a=1&b=2", "paramMap": {}}


def test_init_request_rewrites_path_and_params(server) -> None:
    reply = server.get("/old?kept=1&dropped=2")
    assert reply.status == 200, reply.body
    assert json.loads(reply.text) == {
        "path": "new",
        "paramMap": {"kept": "1", "added": "yes"},
        "originalPath": "old",
        "originalParamMap": {"kept": "1", "dropped": "2"},
    }


def test_init_non_static_request_rewrites_path_and_params(server) -> None:
    reply = server.get("/alias?x=1")
    assert reply.status == 200, reply.body
    assert json.loads(reply.text) == {"path": "new", "paramMap": {"replaced": "1"},
                                      "originalPath": "alias", "originalParamMap": {"x": "1"}}


def test_init_response_edits_headers_and_body(server) -> None:
    reply = server.get("/decorated")
    assert reply.text == "body (decorated)"
    assert reply.header("content-length") == str(len("body (decorated)"))
    assert reply.header("x-init-response") == "yes"
    assert reply.header("x-init-non-static-response") == "yes"


def test_static_file_gets_init_request_and_init_response_only(server) -> None:
    reply = server.get("/static/hello.txt", headers={"X-Test-Id": "static"})
    assert (reply.status, reply.text) == (200, "static hello\n")
    assert reply.header("x-init-response") == "yes"
    assert reply.header("x-init-non-static-response") is None
    assert _without_clean_up(_events(server, "static")) == [
        "initRequest", "initResponse", "logMessage"]


def test_on_error_runs_after_the_view_raised(server) -> None:
    reply = server.get("/fail", headers={"X-Test-Id": "fail"})
    assert (reply.status, reply.text) == (500, "handled by onError")
    events = _without_clean_up(_events(server, "fail"))
    assert events[:3] == ["initRequest", "initNonStaticRequest", "view"]
    assert "onError 500 Internal Server Error" in events
    assert events.index("onError 500 Internal Server Error") > events.index("view")
    assert events[-1] == "logMessage"


def test_on_error_runs_for_unmapped_urls(server) -> None:
    reply = server.get("/missing", headers={"X-Test-Id": "missing"})
    assert (reply.status, reply.text) == (404, "handled by onError")
    events = _events(server, "missing")
    assert "onError 404 Not Found" in events
    assert "view" not in events


def test_user_log_message_gets_the_access_lines(server) -> None:
    server.get("/page?logged=1")
    server.request("POST", "/page?posted=1", body="")
    logs = _state(server)["logs"]
    stamp = r"\[\d{4}/\d\d/\d\d \d\d:\d\d:\d\d\] "
    assert any(re.match(stamp + r'127\.0\.0\.1 - "GET /page\?logged=1 HTTP/1\.1"', line)
               for line in logs), logs
    assert any(re.match(stamp + r'127\.0\.0\.1 - "POST /page\?posted=1 HTTP/1\.1"', line)
               for line in logs), logs


def test_init_thread_once_per_worker_before_its_first_request(server) -> None:
    idents = set()
    for number in range(12):
        reply = server.get("/whoami", headers={"X-Test-Id": f"thread-{number}"})
        assert reply.status == 200
        idents.add(int(reply.text))
    state = _state(server)
    threads = state["threads"]
    names = [name for name, _ in state["events"]]
    thread_idents = [ident for _, ident in threads]
    assert len(thread_idents) == len(set(thread_idents)), threads  # once per thread
    indexes = sorted(index for index, _ in threads)
    assert indexes == list(range(len(threads)))
    assert len(threads) <= CONFIG["threadPool"]
    for ident in idents:
        assert ident in thread_idents
        assert names.index(f"initThread {ident}") < names.index(f"view {ident}")


def test_custom_session_functions(server) -> None:
    first = server.get("/count")
    result = json.loads(first.text)
    assert result["count"] == 1
    session_id = result["sessionId"]
    cookie = first.header("set-cookie")
    assert cookie.startswith(f"CherryPySession={session_id}")
    saved = _state(server)["sessions"][session_id]
    assert saved[0] == {"_sessionId": session_id, "count": 1}
    assert saved[1] > time.time()  # the expiration time
    second = server.get("/count", headers={"Cookie": f"CherryPySession={session_id}"})
    assert json.loads(second.text) == {"count": 2, "sessionId": session_id}
    assert _state(server)["sessions"][session_id][0]["count"] == 2


def test_clean_up_old_sessions_runs_before_init_request(server) -> None:
    time.sleep(0.1)  # longer than cleanUpDelay = 0.0005 minutes
    server.get("/page", headers={"X-Test-Id": "clean-up"})
    events = _events(server, "clean-up")
    assert "cleanUpOldSessions" in events
    assert events.index("cleanUpOldSessions") < events.index("initRequest")


THREAD_SITE = """\
def initThread(threadIndex):
    request.threadIndex = threadIndex
    request.firstVisitor = request.headerMap.get("x-visitor")
    request.firstCookies = request.simpleCookie.output()

CherryClass Root:
view:
    def index(self, n):
        return "|".join([str(request.headerMap.get("x-visitor")), n,
                         request.simpleCookie.output(header="").strip(),
                         str(request.threadIndex)])
"""


def test_request_members_read_in_init_thread_are_not_kept_for_later_requests(tmp_path) -> None:
    """initThread may keep things on `request` for its thread (spec §13), but the members
    of the request being served (headers, cookies) belong to that request only."""
    compile_site(tmp_path, THREAD_SITE)
    with ServerProcess(tmp_path, server={"threadPool": 2}) as server:
        for number in range(8):  # 8 requests, 2 threads: each thread serves several
            reply = server.get(f"/index?n={number}", headers={"X-Visitor": f"visitor-{number}",
                                                              "Cookie": f"who={number}"})
            assert reply.status == 200, reply.body
            visitor, n, cookie, index = reply.text.split("|")
            assert (visitor, n, cookie) == (f"visitor-{number}", str(number), f"who={number}")
            assert index in ("0", "1")  # what initThread kept stays
