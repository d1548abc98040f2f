"""LeanEngine authentication over real HTTP (spec leanengine.md §3, §9, §16; DESIGN.md §4).

App id and key, `,master`, the raw master key, X-LC-Sign (fresh, stale, wrong, upper
case), legacy header names, text/plain body credentials, the hook key (class, user and
IM hooks), the master key of `_ops/metadatas`, keys from the config section and from
the environment (which wins), a server without keys, and `remote_address` behind
trusted and untrusted proxies.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

import pytest

from servers import ServerProcess, ThreadServer, compile_site

# The keys of the official Node SDK's authorization tests (spec §3.2 test vectors).
APP_ID = "auth-app-id"
APP_KEY = "3xjj1qw91cr3ygjq9lt0g8c3qpet38rrxtwmmp0yffyoy2t4"
MASTER_KEY = "3v7z633lzfec9qzx8sjql6zimvdpmtwypcchr2gelu5mrzb0"
HOOK_KEY = "auth-hook-key"
KEYS = (f"[leanengine]\nappId = {APP_ID}\nappKey = {APP_KEY}\n"
        f"masterKey = {MASTER_KEY}\nhookKey = {HOOK_KEY}\n")
ENV_NAMES = ("LEANCLOUD_APP_ID", "LEANCLOUD_APP_KEY", "LEANCLOUD_APP_MASTER_KEY",
             "LEANCLOUD_APP_HOOK_KEY")
UNAUTHORIZED = {"code": 401, "error": "Unauthorized."}
APP = {"X-LC-Id": APP_ID, "X-LC-Key": APP_KEY}
HOOK = {**APP, "X-LC-Hook-Key": HOOK_KEY}
MASTER = {"X-LC-Id": APP_ID, "X-LC-Key": f"{MASTER_KEY},master"}

SITE = """\
@engine.define
def hello(name="world"):
    return "Hello, %s!" % name

@engine.define
def params(**given):
    return given

@engine.define
def whoami():
    return {'token': engine.current.session_token}

@engine.define
def where():
    return engine.current.meta['remote_address']

@engine.define
def _conversationStart(**params):
    return {}

@engine.before_save('Review')
def review_before_save(review):
    review.set('checked', True)

@engine.after_delete('Review')
def review_after_delete(review):
    pass

@engine.on_login
def on_login(user):
    return None

@engine.on_auth_data
def on_auth_data(auth_data):
    return auth_data

@engine.on_verified('sms')
def on_verified_sms(user):
    return None

CherryClass Root:
mask:
    def index(self):
        auth index
"""


def sign(key: str, offset_seconds: float = 0, master: bool = False, upper: bool = False) -> str:
    stamp = str(int((time.time() + offset_seconds) * 1000))
    digest = hashlib.md5((stamp + key).encode()).hexdigest()  # noqa: S324 (the protocol)
    if upper:
        digest = digest.upper()
    return f"{digest},{stamp}" + (",master" if master else "")


def without_key_environment() -> pytest.MonkeyPatch:
    mp = pytest.MonkeyPatch()
    for name in ENV_NAMES:
        mp.delenv(name, raising=False)
    return mp


@pytest.fixture(autouse=True)
def _no_key_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """ServerProcess inherits os.environ: only the keys a test gives may reach it."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def site_folder(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("auth")
    compile_site(folder, SITE)
    return folder


@pytest.fixture(scope="module")
def server(site_folder):
    mp = without_key_environment()
    try:
        with ThreadServer(site_folder, extra=KEYS) as running:
            yield running
    finally:
        mp.undo()


def call(server: Any, path: str, headers: dict[str, str], body: Any = None,
         content_type: str = "application/json", method: str = "POST") -> tuple[int, Any]:
    sent = dict(headers)
    data = None
    if body is not None:
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        sent.setdefault("Content-Type", content_type)
    reply = server.request(method, path, headers=sent, body=data)
    assert reply.header("Content-Type").startswith("application/json"), reply.body
    assert reply.header("Access-Control-Allow-Origin") == "*"
    return reply.status, json.loads(reply.body)


def hello(server: Any, headers: dict[str, str], **kwargs: Any) -> tuple[int, Any]:
    return call(server, "/1.1/functions/hello", headers, **kwargs)


def metadatas(server: Any, headers: dict[str, str]) -> tuple[int, Any]:
    return call(server, "/1.1/functions/_ops/metadatas", headers, method="GET")


OK = (200, {"result": "Hello, world!"})
DENIED = (401, UNAUTHORIZED)


# ---- app id and key ---------------------------------------------------------------------


@pytest.mark.parametrize("headers", [
    pytest.param(APP, id="id+key"),
    pytest.param({"x-lc-id": APP_ID, "x-lc-key": APP_KEY}, id="lower-case-names"),
    pytest.param(MASTER, id="key,master"),
    pytest.param({"X-LC-Id": APP_ID, "X-LC-Key": MASTER_KEY}, id="raw-master-key"),
    pytest.param({"X-AVOSCloud-Application-Id": APP_ID, "X-AVOSCloud-Application-Key": APP_KEY},
                 id="avoscloud-id+key"),
    pytest.param({"X-Uluru-Application-Id": APP_ID, "X-Uluru-Application-Key": APP_KEY},
                 id="uluru-id+key"),
    pytest.param({"X-AVOSCloud-Application-Id": APP_ID, "X-AVOSCloud-Master-Key": MASTER_KEY},
                 id="avoscloud-master-key"),
    pytest.param({"X-Uluru-Application-Id": APP_ID, "X-Uluru-Master-Key": MASTER_KEY},
                 id="uluru-master-key"),
    pytest.param({"X-LC-Id": APP_ID, "X-AVOSCloud-Application-Key": f"{MASTER_KEY},master"},
                 id="avoscloud-key,master"),
    pytest.param({"X-LC-Id": APP_ID, "X-AVOSCloud-Master-Key": MASTER_KEY}, id="mixed-names"),
])
def test_accepted_credentials(server, headers) -> None:
    assert hello(server, headers) == OK
    assert call(server, "/1.1/call/hello", headers) == OK


@pytest.mark.parametrize("headers", [
    pytest.param({}, id="nothing"),
    pytest.param({"X-LC-Id": APP_ID}, id="app-id-alone"),
    pytest.param({"X-LC-Id": APP_ID, "X-LC-Key": ""}, id="app-id-empty-key"),
    pytest.param({"X-AVOSCloud-Application-Id": APP_ID}, id="legacy-app-id-alone"),
    pytest.param({"X-LC-Key": APP_KEY}, id="key-alone"),
    pytest.param({"X-LC-Id": "other-app", "X-LC-Key": APP_KEY}, id="wrong-app-id"),
    pytest.param({"X-LC-Id": "other-app", "X-LC-Key": f"{MASTER_KEY},master"},
                 id="wrong-app-id-master"),
    pytest.param({"X-LC-Id": APP_ID, "X-LC-Key": "wrong"}, id="wrong-key"),
    pytest.param({"X-LC-Id": APP_ID, "X-LC-Key": f"{APP_KEY},master"}, id="app-key-as-master"),
    pytest.param({"X-LC-Id": APP_ID, "X-AVOSCloud-Master-Key": APP_KEY},
                 id="app-key-in-master-header"),
    pytest.param({"X-LC-Id": APP_ID, "X-LC-Key": APP_KEY + "x"}, id="longer-key"),
    pytest.param({"X-LC-Id": APP_ID, "X-LC-Key": APP_KEY[:-1]}, id="shorter-key"),
    pytest.param({"X-LC-Id": APP_ID, "X-LC-Master-Key": MASTER_KEY}, id="no-such-header"),
    pytest.param({"X-LC-Id": APP_ID, "X-LC-Hook-Key": HOOK_KEY}, id="hook-key-is-no-app-key"),
    pytest.param({"X-LC-Id": APP_ID, "X-LC-Session": "some-token"}, id="session-is-no-key"),
])
def test_refused_credentials(server, headers) -> None:
    assert hello(server, headers) == DENIED
    assert call(server, "/1.1/call/hello", headers) == DENIED
    assert call(server, "/__engine/1/functions/hello", headers) == DENIED


def test_unauthorized_before_route_lookup(server) -> None:
    """No credentials: 401 even for unknown functions and malformed function paths."""
    for path in ("/1.1/functions/nope", "/1.1/functions", "/1/functions/a/b/c",
                 "/1.1/call/nope", "/1.1/functions/Album/beforeSave"):
        assert call(server, path, {}) == DENIED, path


# ---- X-LC-Sign ----------------------------------------------------------------------------


@pytest.mark.parametrize("header", ["X-LC-Sign", "X-AVOSCloud-Request-Sign"])
@pytest.mark.parametrize(("make", "expected_master"), [
    pytest.param(lambda: sign(APP_KEY), False, id="app"),
    pytest.param(lambda: sign(APP_KEY, upper=True), False, id="app-upper"),
    pytest.param(lambda: sign(APP_KEY, offset_seconds=-14 * 60), False, id="app-14-min-old"),
    pytest.param(lambda: sign(APP_KEY, offset_seconds=14 * 60), False, id="app-14-min-ahead"),
    pytest.param(lambda: sign(MASTER_KEY, master=True), True, id="master"),
    pytest.param(lambda: sign(MASTER_KEY, master=True, upper=True), True, id="master-upper"),
])
def test_valid_signatures(server, header, make, expected_master) -> None:
    headers = {"X-LC-Id": APP_ID, header: make()}
    assert hello(server, headers) == OK
    status, body = metadatas(server, headers)
    if expected_master:
        assert status == 200 and "hello" in body["result"]
    else:
        assert (status, body) == DENIED


@pytest.mark.parametrize("make", [
    pytest.param(lambda: sign(APP_KEY, offset_seconds=-16 * 60), id="app-16-min-old"),
    pytest.param(lambda: sign(APP_KEY, offset_seconds=16 * 60), id="app-16-min-ahead"),
    pytest.param(lambda: sign(MASTER_KEY, offset_seconds=-3600, master=True), id="master-hour-old"),
    pytest.param(lambda: sign(MASTER_KEY, offset_seconds=86400, master=True),
                 id="master-day-ahead"),
    # Correct signatures of the Node SDK's tests, made in 2014: stale now.
    pytest.param(lambda: "4aaee8dee8821173931f03f7efd7067a,1389085779854", id="node-vector-app"),
    pytest.param(lambda: "c9bd13ecd484736ce550d1a2ff9dbc0f,1389085779854,master",
                 id="node-vector-master"),
    pytest.param(lambda: "0" * 32 + "," + sign(APP_KEY).split(",")[1], id="wrong-digest"),
    pytest.param(lambda: sign("not-the-key"), id="other-key"),
    pytest.param(lambda: sign(APP_KEY, master=True), id="app-key-signed-as-master"),
    pytest.param(lambda: sign(MASTER_KEY), id="master-key-signed-as-app"),
    pytest.param(lambda: sign(APP_KEY) + ",ax-sig-1", id="android-without-key"),
    pytest.param(lambda: sign(APP_KEY) + ",other", id="unknown-suffix"),
    pytest.param(lambda: sign(APP_KEY).split(",")[0], id="no-timestamp"),
    pytest.param(lambda: sign(APP_KEY).split(",")[0] + ",soon", id="timestamp-not-a-number"),
    pytest.param(lambda: "garbage", id="garbage"),
    # Malformed timestamps and digests are refused like any wrong signature, never a 500.
    pytest.param(lambda: sign(APP_KEY).split(",")[0] + ",\u00b2", id="superscript-digit-timestamp"),
    pytest.param(lambda: sign(APP_KEY).split(",")[0] + ",1" + "0" * 5000,
                 id="5000-digit-timestamp"),
    pytest.param(lambda: "\u00e9" * 32 + "," + sign(APP_KEY).split(",")[1], id="non-ascii-digest"),
    pytest.param(lambda: "," + sign(APP_KEY).split(",")[1], id="empty-digest"),
    pytest.param(lambda: ",,,", id="commas"),
])
def test_refused_signatures(server, make) -> None:
    headers = {"X-LC-Id": APP_ID, "X-LC-Sign": make()}
    assert hello(server, headers) == DENIED
    assert metadatas(server, headers) == DENIED


def test_signature_without_app_id_is_refused(server) -> None:
    assert hello(server, {"X-LC-Sign": sign(APP_KEY)}) == DENIED


def test_signature_is_not_used_when_a_key_header_is_present(server) -> None:
    """spec §3.2: X-LC-Sign counts only when no key header came."""
    headers = {"X-LC-Id": APP_ID, "X-LC-Key": "wrong", "X-LC-Sign": sign(APP_KEY)}
    assert hello(server, headers) == DENIED


# ---- text/plain body credentials ---------------------------------------------------------


def test_text_plain_body_credentials(server) -> None:
    body = {"_ApplicationId": APP_ID, "_ApplicationKey": APP_KEY, "name": "plain"}
    assert hello(server, {}, body=body, content_type="text/plain") == \
        (200, {"result": "Hello, plain!"})
    assert hello(server, {}, body=body, content_type="text/plain;charset=UTF-8") == \
        (200, {"result": "Hello, plain!"})


def test_text_plain_body_credentials_are_stripped_from_params(server) -> None:
    token = server.sign_up({"X-LC-Id": APP_ID, "X-LC-Key": APP_KEY}, "stripped-params-user")
    body = {"_ApplicationId": APP_ID, "_ApplicationKey": APP_KEY, "_SessionToken": token,
            "a": 1}
    assert call(server, "/1.1/functions/params", {}, body=body, content_type="text/plain") == \
        (200, {"result": {"a": 1}})


def test_text_plain_master_key_opens_metadatas(server) -> None:
    body = {"_ApplicationId": APP_ID, "_MasterKey": MASTER_KEY}
    status, result = call(server, "/1.1/functions/_ops/metadatas", {}, body=body,
                          content_type="text/plain")
    assert status == 200 and "hello" in result["result"]
    body = {"_ApplicationId": APP_ID, "_ApplicationKey": APP_KEY}
    assert call(server, "/1.1/functions/_ops/metadatas", {}, body=body,
                content_type="text/plain") == DENIED


def test_text_plain_session_token(server) -> None:
    token = server.sign_up({"X-LC-Id": APP_ID, "X-LC-Key": APP_KEY}, "text-plain-user")
    body = {"_ApplicationId": APP_ID, "_ApplicationKey": APP_KEY, "_SessionToken": token}
    assert call(server, "/1.1/functions/whoami", {}, body=body, content_type="text/plain") == \
        (200, {"result": {"token": token}})


@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded"])
def test_body_credentials_need_text_plain(server, content_type) -> None:
    body = {"_ApplicationId": APP_ID, "_ApplicationKey": APP_KEY}
    assert hello(server, {}, body=body, content_type=content_type) == DENIED


@pytest.mark.parametrize("headers", [
    {"X-LC-Id": APP_ID},
    {"X-LC-Id": "other-app"},
    {"X-LC-Key": "wrong"},
    {"X-AVOSCloud-Application-Id": APP_ID},
    {"X-LC-Sign": "garbage"},
])
def test_body_credentials_ignored_when_an_auth_header_is_present(server, headers) -> None:
    body = {"_ApplicationId": APP_ID, "_ApplicationKey": APP_KEY}
    assert hello(server, headers, body=body, content_type="text/plain") == DENIED


def test_body_credentials_wrong_key(server) -> None:
    body = {"_ApplicationId": APP_ID, "_ApplicationKey": "wrong"}
    assert hello(server, {}, body=body, content_type="text/plain") == DENIED
    body = {"_ApplicationId": APP_ID}
    assert hello(server, {}, body=body, content_type="text/plain") == DENIED


# ---- hook key -------------------------------------------------------------------------------

HOOK_ROUTES = [
    ("Review/beforeSave", {"object": {"stars": 1}}, 200),
    ("Review/afterDelete", {"object": {"objectId": "r1"}}, 200),
    ("Album/beforeSave", {"object": {}}, 404),  # not registered
    ("Review/badHook", {"object": {}}, 404),
    ("_User/onLogin", {"object": {"username": "a"}}, 200),
    ("_User/onAuthData", {"authData": {"weixin": {}}}, 200),
    ("onVerified/sms", {"object": {"username": "a"}}, 200),
    ("onVerified/email", {"object": {"username": "a"}}, 404),  # no handler
]


@pytest.mark.parametrize(("route", "body", "status"), HOOK_ROUTES)
@pytest.mark.parametrize("prefix", ["/1/", "/1.1/", "/__engine/1/", "/__engine/1.1/"])
def test_hook_routes_need_the_hook_key(server, route, body, status, prefix) -> None:
    path = f"{prefix}functions/{route}"
    assert call(server, path, APP, body=body) == DENIED
    assert call(server, path, MASTER, body=body) == DENIED
    assert call(server, path, {**APP, "X-LC-Hook-Key": "wrong"}, body=body) == DENIED
    assert call(server, path, {**APP, "X-LC-Hook-Key": HOOK_KEY.upper()}, body=body) == DENIED
    assert call(server, path, {**APP, "X-LC-Hook-Key": ""}, body=body) == DENIED
    assert call(server, path, HOOK, body=body)[0] == status


@pytest.mark.parametrize("route", ["Review/beforeSave", "_User/onLogin"])
def test_hook_key_does_not_replace_app_auth(server, route) -> None:
    body = {"object": {"username": "a"}}
    assert call(server, f"/1.1/functions/{route}", {"X-LC-Hook-Key": HOOK_KEY}, body=body) == DENIED
    assert call(server, f"/1.1/functions/{route}",
                {"X-LC-Id": APP_ID, "X-LC-Hook-Key": HOOK_KEY}, body=body) == DENIED


@pytest.mark.parametrize("name", ["_messageReceived", "_receiversOffline", "_messageSent",
                                  "_conversationAdd", "_clientOnline", "_rtmClientSign"])
@pytest.mark.parametrize("route", ["functions", "call"])
def test_undefined_im_hook_needs_the_hook_key_before_lookup(server, name, route) -> None:
    path = f"/1.1/{route}/{name}"
    body = {"fromPeer": "a", "convId": "c"}
    assert call(server, path, APP, body=body) == DENIED
    assert call(server, path, MASTER, body=body) == DENIED
    assert call(server, path, {**APP, "X-LC-Hook-Key": "wrong"}, body=body) == DENIED
    status, answer = call(server, path, HOOK, body=body)
    assert status == 404
    assert name in answer["error"]


def test_defined_im_hook_needs_the_hook_key(server) -> None:
    path = "/1.1/functions/_conversationStart"
    assert call(server, path, APP, body={"convId": "c"}) == DENIED
    assert call(server, path, HOOK, body={"convId": "c"}) == (200, {"result": {}})


def test_ordinary_functions_do_not_need_the_hook_key(server) -> None:
    assert hello(server, APP) == OK
    assert hello(server, {**APP, "X-LC-Hook-Key": "wrong"}) == OK


# ---- _ops/metadatas needs the master key -----------------------------------------------------


@pytest.mark.parametrize("headers", [
    pytest.param(MASTER, id="key,master"),
    pytest.param({"X-LC-Id": APP_ID, "X-AVOSCloud-Master-Key": MASTER_KEY}, id="avoscloud"),
    pytest.param({"X-LC-Id": APP_ID, "X-Uluru-Master-Key": MASTER_KEY}, id="uluru"),
    pytest.param({"X-LC-Id": APP_ID, "X-LC-Sign": sign(MASTER_KEY, master=True)}, id="sign"),
])
def test_metadatas_with_master_key(server, headers) -> None:
    status, body = metadatas(server, headers)
    assert status == 200
    assert body["result"][:3] == ["hello", "params", "whoami"]


@pytest.mark.parametrize("headers", [
    pytest.param(APP, id="app-key"),
    pytest.param(HOOK, id="app-and-hook-key"),
    pytest.param({"X-LC-Id": APP_ID, "X-LC-Key": MASTER_KEY}, id="raw-master-in-x-lc-key"),
    pytest.param({"X-LC-Id": APP_ID, "X-LC-Sign": sign(APP_KEY)}, id="app-sign"),
    pytest.param({"X-LC-Id": "other", "X-LC-Key": f"{MASTER_KEY},master"}, id="wrong-app-id"),
    pytest.param({}, id="nothing"),
])
def test_metadatas_without_master_key(server, headers) -> None:
    assert metadatas(server, headers) == DENIED
    assert call(server, "/__engine/1.1/functions/_ops/metadatas", headers) == DENIED


# ---- keys from the environment, and none at all (processes) -----------------------------


def start_up_log(server: ServerProcess) -> str:
    """What the server logged before it started serving (no access-log lines)."""
    log = server.log()
    assert "Serving" in log, log
    return log[:log.index("Serving")]


def _check_keys(server: Any, app_id: str, app_key: str, master_key: str, hook_key: str) -> None:
    app = {"X-LC-Id": app_id, "X-LC-Key": app_key}
    assert hello(server, app) == OK
    assert hello(server, {"X-LC-Id": app_id, "X-LC-Sign": sign(app_key)}) == OK
    assert metadatas(server, {"X-LC-Id": app_id, "X-LC-Key": f"{master_key},master"})[0] == 200
    body = {"object": {"stars": 1}}
    assert call(server, "/1.1/functions/Review/beforeSave", {**app, "X-LC-Hook-Key": hook_key},
                body=body) == (200, {"stars": 1, "checked": True})


def test_keys_from_the_environment(site_folder) -> None:
    env = {"LEANCLOUD_APP_ID": "env-id", "LEANCLOUD_APP_KEY": "env-key",
           "LEANCLOUD_APP_MASTER_KEY": "env-master", "LEANCLOUD_APP_HOOK_KEY": "env-hook"}
    with ServerProcess(site_folder, env=env) as server:
        _check_keys(server, "env-id", "env-key", "env-master", "env-hook")
        assert hello(server, {"X-LC-Id": "env-id", "X-LC-Key": "wrong"}) == DENIED
        assert hello(server, {"X-LC-Id": APP_ID, "X-LC-Key": APP_KEY}) == DENIED
    assert "LEANCLOUD_APP" not in start_up_log(server)


def test_environment_overrides_the_section(site_folder) -> None:
    env = {"LEANCLOUD_APP_ID": "env-id", "LEANCLOUD_APP_KEY": "env-key",
           "LEANCLOUD_APP_MASTER_KEY": "env-master", "LEANCLOUD_APP_HOOK_KEY": "env-hook"}
    with ServerProcess(site_folder, env=env, extra=KEYS) as server:
        _check_keys(server, "env-id", "env-key", "env-master", "env-hook")
        # The section's keys no longer open anything.
        assert hello(server, APP) == DENIED
        assert hello(server, {"X-LC-Id": "env-id", "X-LC-Key": APP_KEY}) == DENIED
        assert metadatas(server, {"X-LC-Id": "env-id",
                                  "X-LC-Key": f"{MASTER_KEY},master"}) == DENIED
        assert call(server, "/1.1/functions/Review/beforeSave",
                    {"X-LC-Id": "env-id", "X-LC-Key": "env-key", "X-LC-Hook-Key": HOOK_KEY},
                    body={"object": {}}) == DENIED
    start_up = start_up_log(server)
    assert "LEANCLOUD_APP" not in start_up  # configured: no note about missing keys
    for secret in ("env-key", "env-master", "env-hook", APP_KEY, MASTER_KEY, HOOK_KEY):
        assert secret not in server.log()


def test_environment_overrides_key_by_key(site_folder) -> None:
    env = {"LEANCLOUD_APP_KEY": "env-key", "LEANCLOUD_APP_HOOK_KEY": "env-hook"}
    with ServerProcess(site_folder, env=env, extra=KEYS) as server:
        _check_keys(server, APP_ID, "env-key", MASTER_KEY, "env-hook")
        assert hello(server, APP) == DENIED
        assert call(server, "/1.1/functions/Review/beforeSave",
                    {"X-LC-Id": APP_ID, "X-LC-Key": "env-key", "X-LC-Hook-Key": HOOK_KEY},
                    body={"object": {}}) == DENIED


def test_no_hook_key_configured_refuses_every_hook(site_folder) -> None:
    env = {"LEANCLOUD_APP_ID": "env-id", "LEANCLOUD_APP_KEY": "env-key"}
    with ServerProcess(site_folder, env=env) as server:
        app = {"X-LC-Id": "env-id", "X-LC-Key": "env-key"}
        assert hello(server, app) == OK
        for hook_key in ("", "anything", HOOK_KEY):
            headers = {**app, "X-LC-Hook-Key": hook_key}
            assert call(server, "/1.1/functions/Review/beforeSave", headers,
                        body={"object": {}}) == DENIED
            assert call(server, "/1.1/functions/_conversationStart", headers, body={}) == DENIED
        # No master key either: metadatas is closed.
        assert metadatas(server, {"X-LC-Id": "env-id", "X-LC-Key": ",master"}) == DENIED
        assert metadatas(server, {"X-AVOSCloud-Application-Id": "env-id",
                                  "X-AVOSCloud-Master-Key": ""}) == DENIED


@pytest.mark.parametrize("extra", [
    pytest.param("", id="no-section"),
    pytest.param(f"[leanengine]\nappId = {APP_ID}\nhookKey = {HOOK_KEY}\n", id="app-id-only"),
])
def test_without_keys_every_engine_route_but_ping_is_401(site_folder, extra) -> None:
    with ServerProcess(site_folder, extra=extra) as server:
        attempts = [
            {}, {"X-LC-Id": "", "X-LC-Key": ""}, {"X-LC-Id": APP_ID},
            {"X-LC-Id": APP_ID, "X-LC-Key": ""}, {"X-LC-Id": APP_ID, "X-LC-Key": ",master"},
            {"X-LC-Id": APP_ID, "X-LC-Sign": sign("")},
            {"X-LC-Id": APP_ID, "X-LC-Sign": sign("", master=True)},
            {"X-LC-Id": APP_ID, "X-LC-Key": APP_KEY, "X-LC-Hook-Key": HOOK_KEY},
        ]
        paths = ["/1.1/functions/hello", "/1/call/hello", "/__engine/1/functions/hello",
                 "/1.1/functions/Review/beforeSave", "/1.1/functions/_User/onLogin",
                 "/1.1/functions/_ops/metadatas", "/1.1/functions/nope",
                 "/1.1/functions/_messageReceived", "/1.1/functions"]
        for headers in attempts:
            for path in paths:
                assert call(server, path, headers, body={"object": {}}) == DENIED, (path, headers)
        body = {"_ApplicationId": APP_ID, "_ApplicationKey": "", "_MasterKey": ""}
        assert hello(server, {}, body=body, content_type="text/plain") == DENIED
        for path in ("/__engine/1/ping", "/__engine/1.1/ping/"):
            reply = server.get(path)
            assert reply.status == 200 and "runtime" in json.loads(reply.body)
        assert server.get("/").text.strip() == "auth index"
    start_up = start_up_log(server)
    why = [line for line in start_up.splitlines() if "401" in line]
    assert why, start_up
    assert any("appKey" in line or "LEANCLOUD_APP_KEY" in line for line in why), start_up


# ---- remote_address and trusted proxies ---------------------------------------------------


def where(server: Any, headers: dict[str, str]) -> str:
    status, body = call(server, "/1.1/functions/where", {**APP, **headers})
    assert status == 200, body
    return body["result"]


def test_remote_address_is_the_peer(server) -> None:
    assert where(server, {}) == "127.0.0.1"


def test_forwarded_headers_believed_from_a_trusted_proxy(server) -> None:
    """The default trustedProxies are 127.0.0.1 and ::1: the test client is trusted."""
    assert where(server, {"X-Real-IP": "203.0.113.7"}) == "203.0.113.7"
    assert where(server, {"X-Forwarded-For": "198.51.100.4"}) == "198.51.100.4"
    assert where(server, {"X-Real-IP": "203.0.113.7",
                          "X-Forwarded-For": "198.51.100.4"}) == "203.0.113.7"


def test_forwarded_headers_ignored_from_an_untrusted_peer(site_folder) -> None:
    mp = without_key_environment()
    try:
        with ThreadServer(site_folder, server={"trustedProxies": "10.9.8.7, ::2"},
                          extra=KEYS) as server:
            assert where(server, {}) == "127.0.0.1"
            assert where(server, {"X-Real-IP": "203.0.113.7"}) == "127.0.0.1"
            assert where(server, {"X-Forwarded-For": "198.51.100.4"}) == "127.0.0.1"
            assert where(server, {"X-Real-IP": "10.9.8.7",
                                  "X-Forwarded-For": "10.9.8.7"}) == "127.0.0.1"
    finally:
        mp.undo()
