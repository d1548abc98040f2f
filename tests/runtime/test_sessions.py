"""Sessions over real HTTP (spec §18, DESIGN.md §3) for ram, file, cookie and custom storage.

A counter in `request.sessionMap` survives across requests; a new session holds
`_sessionId`; the id cookie is HttpOnly, SameSite=Lax, Path=/ and not Secure on plain
HTTP; a timeout starts a new session; file clean-up removes expired files; cookie
sessions are signed JSON (tampering is refused, non-JSON values give 500, the same
siteKey is shared by processes); `request.sessionMap` without sessions gives a 500.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import stat
import time
from pathlib import Path

import pytest

import servers
from servers import ServerProcess, ThreadServer, compile_site

SITE = """\
import json

CUSTOM = {}
CLEANUPS = []


def saveSessionData(sessionId, sessionData, expirationTime):
    CUSTOM[sessionId] = (json.loads(json.dumps(sessionData)), expirationTime)

def loadSessionData(sessionId):
    return CUSTOM.get(sessionId)

def cleanUpOldSessions():
    CLEANUPS.append(1)
    now = time.time()
    for key in [key for key, (data, expires) in CUSTOM.items() if expires < now]:
        del CUSTOM[key]

CherryClass Root:
view:
    def index(self):
        return "home"
    def count(self):
        count = request.sessionMap.get("count", 0) + 1
        request.sessionMap["count"] = count
        response.headerMap["content-type"] = "application/json"
        return json.dumps({"count": count, "id": request.sessionMap.get("_sessionId")})
    def peek(self):
        response.headerMap["content-type"] = "application/json"
        return json.dumps(request.sessionMap)
    def restart(self):
        request.sessionMap.clear()
        request.sessionMap["count"] = 100
        return "restarted"
    def unserialisable(self):
        request.sessionMap["bad"] = object()
        return "stored"
"""

STORAGES = ["ram", "file", "cookie", "custom"]
ID_COOKIE = "CherryPySession"
DATA_COOKIE = "CSession"
SITE_KEY = "a-fixed-site-key-for-the-tests-0123456789"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("session_site")
    compile_site(folder, SITE)
    return folder


def session_config(kind: str, timeout: float = 60, clean_up: float = 60,
                   directory: str = "sessions") -> str:
    lines = ["[session]", f"storageType = {kind}", f"timeout = {timeout}",
             f"cleanUpDelay = {clean_up}"]
    if kind == "file":
        lines.append(f"storageFileDir = {directory}")
    return "\n".join(lines) + "\n"


class Browser(servers.Browser):
    """A visitor (keeping its cookies) that asks for its session's counter."""

    def count(self) -> dict:
        reply = self.get("/count")
        assert reply.status == 200, reply.text
        return json.loads(reply.text)


def set_cookies(reply) -> list[tuple[str, str, list[str]]]:
    """(name, value, [attributes]) of each Set-Cookie header."""
    found = []
    for header in reply.headers.get_all("Set-Cookie") or []:
        first, *attributes = [part.strip() for part in header.split(";")]
        name, _, value = first.partition("=")
        found.append((name, value, attributes))
    return found


def id_cookie(reply) -> tuple[str, list[str]]:
    matches = [(value, attributes) for name, value, attributes in set_cookies(reply)
               if name == ID_COOKIE]
    assert len(matches) == 1, reply.headers.get_all("Set-Cookie")
    return matches[0]


# ---- every storage ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def servers(site):
    """servers(kind, short=False): one running server per storage type and timeout.

    Normal servers keep sessions 60 minutes; short ones 0.2 s, cleaned up every 0.2 s.
    """
    running: dict[tuple[str, bool], ThreadServer] = {}
    with contextlib.ExitStack() as stack:
        def get(kind: str, short: bool = False) -> ThreadServer:
            if (kind, short) not in running:
                extra = (session_config(kind, timeout=SHORT, clean_up=SHORT, directory="short")
                         if short else session_config(kind, directory="sessions"))
                running[kind, short] = stack.enter_context(
                    ThreadServer(site, server={"siteKey": SITE_KEY}, extra=extra))
            return running[kind, short]

        yield get


SHORT = 0.2 / 60  # minutes
PAST_SHORT = 0.4  # seconds


@pytest.mark.parametrize("kind", STORAGES)
def test_counter_survives_across_requests(servers, kind) -> None:
    server = servers(kind)
    browser = Browser(server)
    first = browser.count()
    assert first["count"] == 1
    assert [browser.count()["count"] for _ in range(3)] == [2, 3, 4]
    assert browser.count()["id"] == first["id"]
    assert browser.cookies[ID_COOKIE] == first["id"]
    # another browser has its own session
    other = Browser(server).count()
    assert other["count"] == 1
    assert other["id"] != first["id"]
    assert browser.count()["count"] == 6


@pytest.mark.parametrize("kind", STORAGES)
def test_new_session_holds_only_its_id(servers, kind) -> None:
    server = servers(kind)
    reply = server.get("/peek")
    assert reply.status == 200
    value, _ = id_cookie(reply)
    assert json.loads(reply.text) == {"_sessionId": value}
    assert len(value) >= 32 and value.isalnum()


@pytest.mark.parametrize("kind", STORAGES)
def test_id_cookie_is_httponly_samesite_lax_path_root_not_secure(servers, kind) -> None:
    server = servers(kind)
    _, attributes = id_cookie(server.get("/count"))
    lowered = [attribute.lower() for attribute in attributes]
    assert "httponly" in lowered
    assert "samesite=lax" in lowered
    assert "path=/" in lowered
    assert "secure" not in lowered
    assert not any(attribute.startswith(("expires=", "max-age=")) for attribute in lowered)


@pytest.mark.parametrize("kind", STORAGES)
def test_forged_session_id_starts_a_new_session(servers, kind) -> None:
    server = servers(kind)
    for forged in ("../../../../etc/passwd", "0" * 40, "A" * 40, "", "x;y"):
        reply = server.get("/count", headers={"Cookie": f'{ID_COOKIE}="{forged}"'})
        assert reply.status == 200
        data = json.loads(reply.text)
        assert data["count"] == 1
        assert data["id"] != forged


@pytest.mark.parametrize("kind", STORAGES)
def test_timeout_starts_a_new_session(servers, kind) -> None:
    browser = Browser(servers(kind, short=True))
    first = browser.count()
    time.sleep(PAST_SHORT)
    later = browser.count()
    assert later["count"] == 1
    assert later["id"] != first["id"]


# ---- file and custom storage -------------------------------------------------------------


def test_file_sessions_are_private_files_in_storage_dir(servers, site) -> None:
    server = servers("file")
    session = Browser(server).count()["id"]
    path = site / "sessions" / session
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0


def test_file_clean_up_removes_expired_sessions(servers, site) -> None:
    short_server = servers("file", short=True)
    directory = site / "short"
    old = Browser(short_server).count()["id"]
    assert (directory / old).is_file()
    time.sleep(PAST_SHORT)
    new = Browser(short_server).count()["id"]  # any request runs the due clean-up
    assert not (directory / old).exists()
    assert (directory / new).is_file()
    assert sorted(os.listdir(directory)) == [new]


def test_custom_clean_up_is_called(servers) -> None:
    short_server = servers("custom", short=True)
    old = Browser(short_server).count()["id"]
    assert old in short_server.module.CUSTOM
    time.sleep(PAST_SHORT)
    Browser(short_server).count()
    assert short_server.module.CLEANUPS
    assert old not in short_server.module.CUSTOM


# ---- cookie storage ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", STORAGES)
def test_a_cleared_session_keeps_its_id(servers, kind) -> None:
    browser = Browser(servers(kind))
    first = browser.count()
    assert browser.get("/restart").text == "restarted"
    after = browser.count()
    assert (after["count"], after["id"]) == (101, first["id"])


def data_cookie(browser: Browser) -> tuple[bytes, str]:
    """(JSON payload, signature) of the data cookie the browser holds."""
    value = browser.cookies[DATA_COOKIE].strip('"')
    encoded, _, signature = value.rpartition(".")
    return base64.urlsafe_b64decode(encoded), signature


def sign(payload: bytes, key: str) -> str:
    digest = hmac.new(key.encode(), payload, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()


def forged_cookie(payload: bytes, signature: str) -> str:
    return '"' + base64.urlsafe_b64encode(payload).decode() + "." + signature + '"'


@pytest.fixture(scope="module")
def cookie_server(site):
    with ThreadServer(site, server={"siteKey": SITE_KEY, "logFile": "cookie.log"},
                      extra=session_config("cookie")) as server:
        yield server


def test_cookie_session_is_signed_json(cookie_server) -> None:
    browser = Browser(cookie_server)
    browser.count()
    state = browser.count()
    payload, signature = data_cookie(browser)
    assert not payload.startswith(b"\x80")  # never pickle
    data, expires = json.loads(payload)
    assert data == {"_sessionId": state["id"], "count": 2}
    assert expires > time.time()
    assert hmac.compare_digest(signature, sign(payload, SITE_KEY))


def test_cookie_session_data_cookie_is_httponly(cookie_server) -> None:
    reply = cookie_server.get("/count")
    [(_, attributes)] = [(v, a) for n, v, a in set_cookies(reply) if n == DATA_COOKIE]
    lowered = [attribute.lower() for attribute in attributes]
    assert {"httponly", "samesite=lax", "path=/"} <= set(lowered)
    assert "secure" not in lowered


@pytest.mark.parametrize("tamper", ["payload", "signature", "other key", "no signature"])
def test_tampered_cookie_is_refused(cookie_server, tamper) -> None:
    browser = Browser(cookie_server)
    browser.count()
    state = browser.count()
    payload, signature = data_cookie(browser)
    data, expires = json.loads(payload)
    data["count"] = 41
    changed = json.dumps([data, expires]).encode()
    browser.cookies[DATA_COOKIE] = {
        "payload": forged_cookie(changed, signature),
        "signature": forged_cookie(payload, sign(payload, "some other key")[:-4] + "AAA="),
        "other key": forged_cookie(changed, sign(changed, "some other key")),
        "no signature": '"' + base64.urlsafe_b64encode(changed).decode() + '"',
    }[tamper]
    after = browser.count()
    assert after["count"] == 1
    assert after["id"] != state["id"]


def test_cookie_of_another_session_is_refused(cookie_server) -> None:
    one, two = Browser(cookie_server), Browser(cookie_server)
    one.count()
    one.count()
    two.count()
    two.cookies[DATA_COOKIE] = one.cookies[DATA_COOKIE]  # data of one, id of two
    assert two.count()["count"] == 1


def test_value_that_is_not_json_gives_500(cookie_server, site) -> None:
    reply = Browser(cookie_server).get("/unserialisable")
    assert reply.status == 500
    assert "Traceback" not in reply.text
    assert "JSON" in (site / "cookie.log").read_text()
    assert cookie_server.get("/").status == 200


def test_same_site_key_shares_cookie_sessions_between_processes(site) -> None:
    settings = {"siteKey": SITE_KEY}
    extra = session_config("cookie")
    first = ServerProcess(site, server=settings, extra=extra)
    with first:
        browser = Browser(first)
        browser.count()
        state = browser.count()
    second = ServerProcess(site, server=settings, extra=extra)
    with second:
        browser.server = second
        again = browser.count()
    assert again == {"count": 3, "id": state["id"]}


def test_other_site_key_refuses_the_cookie(cookie_server, site) -> None:
    browser = Browser(cookie_server)
    browser.count()
    browser.count()
    with ThreadServer(site, server={"siteKey": "another-key-entirely"},
                      extra=session_config("cookie")) as server:
        browser.server = server
        assert browser.count()["count"] == 1


# ---- sessions disabled ------------------------------------------------------------------


def test_session_map_without_sessions_gives_500_and_a_log(site) -> None:
    with ThreadServer(site, server={"logFile": "nosessions.log"}) as server:
        reply = server.get("/count")
        assert reply.status == 500
        assert "Traceback" not in reply.text
        assert reply.headers.get_all("Set-Cookie") is None
        assert server.get("/").status == 200
    log = (site / "nosessions.log").read_text()
    assert "sessionMap" in log
    assert "sessions are not enabled" in log
    assert "storageType" in log


# ---- the runtime's own names --------------------------------------------------------------

WRAPPER = """\
import runpy
import cherryc.runtime.app  # a host that loaded the runtime before the site (or 2 sites)
import cherryc.runtime.requestdata, cherryc.runtime.responsedata
runpy.run_path("siteServer.py", run_name="__main__")
"""


def test_site_imported_after_the_runtime_gets_request_objects(site) -> None:
    # `from cherryc.runtime import request, response` in a generated module must give the
    # per-request objects even when cherryc.runtime.request (the submodule) was already
    # imported, e.g. by a WSGI host serving two sites, or by the test harness.
    (site / "wrapper.py").write_text(WRAPPER, encoding="utf-8")
    with ServerProcess(site, module="wrapper.py", extra=session_config("ram")) as server:
        reply = server.get("/count")
        assert reply.status == 200, server.log()[-600:]
        assert json.loads(reply.text)["count"] == 1
