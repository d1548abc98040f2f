"""LeanEngine routes, bodies, responses and CORS over real HTTP (spec leanengine.md §2, §4,
§5, §6, §10.4, §11, §12; DESIGN.md §4).

One site with cloud functions and every kind of hook is compiled once and served by a
ThreadServer; a second site without any user hook checks the 404s of missing handlers.
"""

from __future__ import annotations

import json
import platform
from typing import Any

import pytest

from cherryc import __version__
from servers import ThreadServer, compile_site

APP_ID = "routes-app-id"
APP_KEY = "routes-app-key"
MASTER_KEY = "routes-master-key"
HOOK_KEY = "routes-hook-key"
KEYS = (f"[leanengine]\nappId = {APP_ID}\nappKey = {APP_KEY}\n"
        f"masterKey = {MASTER_KEY}\nhookKey = {HOOK_KEY}\n")

PREFIXES = ("/1/", "/1.1/", "/__engine/1/", "/__engine/1.1/")
CLASS_HOOKS = ("beforeSave", "afterSave", "beforeUpdate", "afterUpdate",
               "beforeDelete", "afterDelete")
APP = {"X-LC-Id": APP_ID, "X-LC-Key": APP_KEY}
HOOK = {**APP, "X-LC-Hook-Key": HOOK_KEY}
MASTER = {"X-LC-Id": APP_ID, "X-LC-Key": f"{MASTER_KEY},master"}
ENV_NAMES = ("LEANCLOUD_APP_ID", "LEANCLOUD_APP_KEY", "LEANCLOUD_APP_MASTER_KEY",
             "LEANCLOUD_APP_HOOK_KEY")
SCRIPT_ERROR = {"code": 141, "error": "Cloud Code script had an error."}

# Registration order matters: _ops/metadatas lists the names in this order.
SITE = """\
import datetime

@engine.define
def hello(name="world"):
    return "Hello, %s!" % name

@engine.define('averageStars')
def average_stars(stars):
    return sum(stars) / len(stars)

@engine.define
def echo(**params):
    return params

@engine.define
def add(a, b):
    return a + b

@engine.define
def typeError():
    return len(42)

@engine.define
def fail(kind):
    if kind == 'default':
        raise LeanEngineError()
    if kind == 'message':
        raise LeanEngineError('just a message')
    if kind == 'code':
        raise LeanEngineError(2020, 'custom code')
    if kind == 'http-code':
        raise LeanEngineError(226, 'im used')
    if kind == 'all':
        raise LeanEngineError(code=5, message='forbidden here', status=403)
    if kind == 'status':
        raise LeanEngineError(status=404)
    if kind == 'message-status':
        raise LeanEngineError('no way', status=403)
    return 'no error'

@engine.define
def whoami():
    user = engine.current.user
    return {'token': engine.current.session_token,
            'username': user.get('username') if user is not None else None}

@engine.define
def types(when, item, ptr, plain):
    return {
        'when_aware': when.tzinfo is not None,
        'when_offset': when.utcoffset().total_seconds(),
        'when_iso': when.isoformat(),
        'item_class': item.class_name,
        'item_id': item.id,
        'item_title': item.get('title'),
        'ptr_class': ptr.class_name,
        'ptr_id': ptr.id,
        'plain': plain,
    }

@engine.define
def later(when):
    return when + datetime.timedelta(days=1, milliseconds=1)

@engine.define
def fixedDate():
    return datetime.datetime(2024, 2, 29, 23, 59, 58, 123456, tzinfo=datetime.timezone.utc)

@engine.define
def same(thing):
    return thing

@engine.define
def wrapped(thing):
    return {'thing': thing, 'things': [thing]}

@engine.define
def _conversationStart(**params):
    return {'drop': False, 'seen': sorted(params)}

@engine.before_save('Review')
def review_before_save(review):
    comment = review.get('comment') or ''
    if len(comment) > 20:
        review.set('comment', comment[:20] + '...')
    review.set('checked', True)
    user = engine.current.user
    review.set('by', user.get('username') if user is not None else None)
    review.set('token', engine.current.session_token)

@engine.after_save('Review')
def review_after_save(review):
    return 'ignored'

@engine.before_update('Review')
def review_before_update(review):
    if 'stars' in review.updated_keys and review.get('stars') > 5:
        raise LeanEngineError(400, 'stars must be at most 5')
    review.set('seenKeys', list(review.updated_keys))

@engine.after_update('Review')
def review_after_update(review):
    pass

@engine.before_delete('Review')
def review_before_delete(review):
    if review.get('locked'):
        raise LeanEngineError(400, 'locked review')

@engine.after_delete('Review')
def review_after_delete(review):
    pass

@engine.on_login
def on_login(user):
    if user.get('username') == 'banned':
        raise LeanEngineError(123, 'banned user')
    return 'welcome ' + user.get('username')

@engine.on_verified('sms')
def on_verified_sms(user):
    return user.get('mobilePhoneNumber')

@engine.on_auth_data
def on_auth_data(auth_data):
    auth_data['checked'] = True
    return auth_data

CherryClass Root:
mask:
    def index(self):
        root index
    def functions(self):
        root functions
"""

REGISTERED = [
    "hello", "averageStars", "echo", "add", "typeError", "fail", "whoami", "types", "later",
    "fixedDate", "same", "wrapped", "_conversationStart",
    "__before_save_for_Review", "__after_save_for_Review", "__before_update_for_Review",
    "__after_update_for_Review", "__before_delete_for_Review", "__after_delete_for_Review",
    "__on_login__User", "__on_verified_sms", "__on_authdata__User",
]

BARE_SITE = """\
@engine.define
def hello():
    return 'hi'

@engine.on_verified('sms')
def on_verified_sms(user):
    return None

CherryClass Root:
mask:
    def index(self):
        bare index
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    mp = without_key_environment()
    folder = tmp_path_factory.mktemp("routes")
    compile_site(folder, SITE)
    try:
        with ThreadServer(folder, extra=KEYS) as running:
            yield running
    finally:
        mp.undo()


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory):
    mp = without_key_environment()
    folder = tmp_path_factory.mktemp("bare")
    compile_site(folder, BARE_SITE)
    try:
        with ThreadServer(folder, extra=KEYS) as running:
            yield running
    finally:
        mp.undo()


def without_key_environment() -> pytest.MonkeyPatch:
    """Keys come from the config here, not from the environment of the test run."""
    mp = pytest.MonkeyPatch()
    for name in ENV_NAMES:
        mp.delenv(name, raising=False)
    return mp


def call(server: Any, path: str, body: Any = None, headers: dict[str, str] | None = None,
         method: str = "POST", raw: bytes | str | None = None) -> tuple[int, Any, Any]:
    """POST `body` as JSON (or `raw` bytes); return (status, decoded JSON body, reply)."""
    sent = dict(APP if headers is None else headers)
    data: bytes | str | None = raw
    if raw is None and body is not None:
        data = json.dumps(body)
    if data is not None:
        sent.setdefault("Content-Type", "application/json")
    reply = server.request(method, path, headers=sent, body=data)
    decoded = json.loads(reply.body) if reply.body else None
    return reply.status, decoded, reply


def assert_json_reply(reply: Any) -> None:
    assert reply.header("Content-Type").startswith("application/json")
    assert reply.header("Access-Control-Allow-Origin") == "*"


def assert_error(body: Any, *fragments: str) -> None:
    """A `{"code": int, "error": str}` body whose message names every fragment."""
    assert set(body) == {"code", "error"}, body
    assert isinstance(body["code"], int) and isinstance(body["error"], str)
    for fragment in fragments:
        assert fragment in body["error"], (fragment, body)


# ---- §2 routes under all four prefixes ----------------------------------------------------


@pytest.mark.parametrize("prefix", PREFIXES)
def test_function_route(server, prefix) -> None:
    status, body, reply = call(server, f"{prefix}functions/hello", {"name": "cloud"})
    assert (status, body) == (200, {"result": "Hello, cloud!"})
    assert_json_reply(reply)


@pytest.mark.parametrize("prefix", PREFIXES)
def test_function_route_named_by_define(server, prefix) -> None:
    status, body, _ = call(server, f"{prefix}functions/averageStars", {"stars": [1, 2, 3, 6]})
    assert (status, body) == (200, {"result": 3})


@pytest.mark.parametrize("prefix", PREFIXES)
def test_function_route_empty_body_is_no_params(server, prefix) -> None:
    status, body, _ = call(server, f"{prefix}functions/hello")
    assert (status, body) == (200, {"result": "Hello, world!"})


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_function_route_takes_any_method(server, method) -> None:
    status, body, _ = call(server, "/1.1/functions/hello", {"name": method}, method=method)
    assert (status, body) == (200, {"result": f"Hello, {method}!"})


@pytest.mark.parametrize("prefix", PREFIXES)
def test_call_route(server, prefix) -> None:
    status, body, reply = call(server, f"{prefix}call/hello", {"name": "rpc"})
    assert (status, body) == (200, {"result": "Hello, rpc!"})
    assert_json_reply(reply)


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("hook", CLASS_HOOKS)
def test_class_hook_routes(server, prefix, hook) -> None:
    review = {"objectId": "5f0c1a2b3c4d5e6f70818283", "stars": 4, "comment": "fine"}
    if hook in ("beforeUpdate", "afterUpdate"):
        review["_updatedKeys"] = ["comment"]
    status, body, reply = call(server, f"{prefix}functions/Review/{hook}", {"object": review},
                               headers=HOOK)
    assert status == 200, body
    assert_json_reply(reply)
    if hook == "beforeSave":
        assert body == {"objectId": "5f0c1a2b3c4d5e6f70818283", "stars": 4, "comment": "fine",
                        "checked": True, "by": None, "token": None}
    elif hook == "beforeUpdate":
        assert body == {"objectId": "5f0c1a2b3c4d5e6f70818283", "stars": 4, "comment": "fine",
                        "seenKeys": ["comment"], "_updatedKeys": ["comment"]}
    elif hook == "beforeDelete":
        assert body == {}
    else:
        assert body == {"result": "ok"}


@pytest.mark.parametrize("prefix", PREFIXES)
def test_on_login_route(server, prefix) -> None:
    user = {"objectId": "u1", "username": "alice", "sessionToken": "tok"}
    status, body, _ = call(server, f"{prefix}functions/_User/onLogin", {"object": user},
                           headers=HOOK)
    assert (status, body) == (200, {"result": "welcome alice"})


def test_on_login_rejects(server) -> None:
    status, body, _ = call(server, "/1.1/functions/_User/onLogin",
                           {"object": {"username": "banned"}}, headers=HOOK)
    assert (status, body) == (400, {"code": 123, "error": "banned user"})


@pytest.mark.parametrize("prefix", PREFIXES)
def test_on_auth_data_route(server, prefix) -> None:
    auth_data = {"weixin": {"openid": "o-1", "access_token": "at"}}
    status, body, _ = call(server, f"{prefix}functions/_User/onAuthData",
                           {"authData": auth_data}, headers=HOOK)
    assert (status, body) == (200, {"result": {**auth_data, "checked": True}})


@pytest.mark.parametrize("prefix", PREFIXES)
def test_on_verified_sms_route(server, prefix) -> None:
    user = {"objectId": "u2", "username": "bob", "mobilePhoneNumber": "+8613800000000"}
    status, body, _ = call(server, f"{prefix}functions/onVerified/sms", {"object": user},
                           headers=HOOK)
    assert (status, body) == (200, {"result": "+8613800000000"})


@pytest.mark.parametrize("prefix", PREFIXES)
def test_on_verified_email_without_handler_is_404(server, prefix) -> None:
    status, body, reply = call(server, f"{prefix}functions/onVerified/email",
                               {"object": {"username": "bob"}}, headers=HOOK)
    assert status == 404
    assert_error(body, "email")
    assert_json_reply(reply)


@pytest.mark.parametrize("prefix", PREFIXES)
def test_metadatas_lists_names_in_registration_order(server, prefix) -> None:
    status, body, reply = call(server, f"{prefix}functions/_ops/metadatas", headers=MASTER,
                               method="GET")
    assert (status, body) == (200, {"result": REGISTERED})
    assert_json_reply(reply)


@pytest.mark.parametrize("path", ["/__engine/1/ping", "/__engine/1/ping/",
                                  "/__engine/1.1/ping", "/__engine/1.1/ping/"])
def test_ping_needs_no_auth(server, path) -> None:
    reply = server.get(path)
    assert reply.status == 200
    assert json.loads(reply.body) == {"runtime": f"cpython-{platform.python_version()}",
                                      "version": __version__}
    assert reply.header("Access-Control-Allow-Origin") == "*"


def test_ping_ignores_wrong_credentials(server) -> None:
    reply = server.get("/__engine/1.1/ping", headers={"X-LC-Id": "nope", "X-LC-Key": "nope"})
    assert reply.status == 200
    assert json.loads(reply.body)["version"] == __version__


@pytest.mark.parametrize(("path", "text"), [
    ("/", "root index"),
    ("/index", "root index"),
    ("/functions", "root functions"),
])
def test_other_paths_reach_the_site(server, path, text) -> None:
    reply = server.get(path, headers=APP)
    assert (reply.status, reply.text.strip()) == (200, text)
    assert reply.header("Content-Type").startswith("text/html")
    assert reply.header("Access-Control-Allow-Origin") is None


@pytest.mark.parametrize("path", ["/1.1/functionsX", "/1/callme", "/1.1/nothing",
                                  "/1.1/ping", "/__engine"])
def test_non_engine_paths_get_the_site_404(server, path) -> None:
    reply = server.get(path, headers=APP)
    assert reply.status == 404
    assert not reply.header("Content-Type").startswith("application/json")
    assert reply.header("Access-Control-Allow-Origin") is None


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("rest", ["functions", "functions/", "functions/a/b/c",
                                  "functions/Review/beforeSave/extra"])
def test_zero_or_three_segments_after_functions_is_404_json(server, prefix, rest) -> None:
    status, body, reply = call(server, prefix + rest, {}, headers=HOOK)
    assert status == 404
    assert_error(body)
    assert_json_reply(reply)


@pytest.mark.parametrize("rest", ["call", "call/", "call/a/b"])
def test_call_without_exactly_one_name_is_404_json(server, rest) -> None:
    status, body, reply = call(server, "/1.1/" + rest, {})
    assert status == 404
    assert_error(body)
    assert_json_reply(reply)


# ---- §4 request bodies ------------------------------------------------------------------


def test_underscore_params_are_stripped_but_type_is_kept(server) -> None:
    sent = {"a": 1, "nested": {"_inner": 2}, "_ApplicationId": "x", "__sign": "1,abc",
            "_private": True, "__type": "Thing"}
    status, body, _ = call(server, "/1.1/functions/echo", sent)
    assert (status, body) == (200, {"result": {"a": 1, "nested": {"_inner": 2},
                                               "__type": "Thing"}})


def test_underscore_params_are_stripped_on_call_too(server) -> None:
    status, body, _ = call(server, "/1.1/call/echo", {"a": "b", "_x": 1, "__sign": "s"})
    assert (status, body) == (200, {"result": {"a": "b"}})


@pytest.mark.parametrize("raw", [b"{not json", b'{"a": ', b"\xff\xfe{}", b"[1, 2"])
@pytest.mark.parametrize("route", ["functions/echo", "call/echo"])
def test_invalid_json_is_400_code_107(server, raw, route) -> None:
    status, body, reply = call(server, f"/1.1/{route}", raw=raw)
    assert status == 400
    assert body["code"] == 107
    assert_error(body)
    assert_json_reply(reply)


@pytest.mark.parametrize("raw", [b"[1, 2]", b'"text"', b"42", b"true", b"null"])
@pytest.mark.parametrize("route", ["functions/echo", "call/echo"])
def test_non_object_params_are_400_code_107(server, raw, route) -> None:
    status, body, _ = call(server, f"/1.1/{route}", raw=raw)
    assert status == 400
    assert body["code"] == 107
    assert_error(body)


@pytest.mark.parametrize("hook", CLASS_HOOKS)
@pytest.mark.parametrize("sent", [{}, {"user": {"username": "x"}}, {"object": [1]},
                                  {"object": "text"}])
def test_hook_body_without_object_is_400_code_107(server, hook, sent) -> None:
    status, body, _ = call(server, f"/1.1/functions/Review/{hook}", sent, headers=HOOK)
    assert status == 400
    assert body["code"] == 107
    assert_error(body)


@pytest.mark.parametrize("raw", [b"[1]", b"7", b"{broken"])
def test_hook_body_that_is_no_object_is_400_code_107(server, raw) -> None:
    status, body, _ = call(server, "/1.1/functions/Review/beforeSave", raw=raw, headers=HOOK)
    assert (status, body["code"]) == (400, 107)


@pytest.mark.parametrize("route", ["onVerified/sms", "_User/onLogin"])
def test_user_hook_without_object_is_400_code_107(server, route) -> None:
    status, body, _ = call(server, f"/1.1/functions/{route}", {"user": {}}, headers=HOOK)
    assert (status, body["code"]) == (400, 107)


@pytest.mark.parametrize(("sent", "name"), [
    ({"a": 1}, "b"),
    ({"b": 1}, "a"),
    ({"a": 1, "b": 2, "c": 3}, "c"),
    ({"a": 1, "b": 2, "unexpected_name": 3}, "unexpected_name"),
])
@pytest.mark.parametrize("route", ["functions", "call"])
def test_params_that_do_not_fit_are_400_code_1(server, sent, name, route) -> None:
    status, body, reply = call(server, f"/1.1/{route}/add", sent)
    assert (status, body["code"]) == (400, 1), body
    assert_error(body, name)
    assert_json_reply(reply)


def test_params_that_fit_are_passed(server) -> None:
    status, body, _ = call(server, "/1.1/functions/add", {"a": 40, "b": 2})
    assert (status, body) == (200, {"result": 42})


def test_type_error_inside_the_function_is_500_code_141(server) -> None:
    status, body, reply = call(server, "/1.1/functions/typeError", {})
    assert (status, body) == (500, SCRIPT_ERROR)
    assert_json_reply(reply)


# ---- §5 responses -----------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "status", "code", "message"), [
    ("default", 400, 400, "error"),
    ("message", 400, 400, "just a message"),
    ("code", 400, 2020, "custom code"),
    ("http-code", 226, 226, "im used"),
    ("all", 403, 5, "forbidden here"),
    ("status", 404, 1, "error"),
    ("message-status", 403, 400, "no way"),
])
@pytest.mark.parametrize("route", ["functions", "call"])
def test_lean_engine_error_rows(server, kind, status, code, message, route) -> None:
    got, body, reply = call(server, f"/1.1/{route}/fail", {"kind": kind})
    assert (got, body) == (status, {"code": code, "error": message})
    assert_json_reply(reply)


@pytest.mark.parametrize("route", ["functions", "call"])
def test_unknown_function_is_404_naming_it(server, route) -> None:
    status, body, reply = call(server, f"/1.1/{route}/noSuchFunction", {})
    assert status == 404
    assert_error(body, "noSuchFunction")
    assert_json_reply(reply)


@pytest.mark.parametrize("name", ["__before_save_for_Review", "__on_login__User"])
def test_internal_hook_names_are_not_callable_as_functions(server, name) -> None:
    status, body, _ = call(server, f"/1.1/functions/{name}", {"object": {}}, headers=HOOK)
    assert status == 404
    assert_error(body, name)


@pytest.mark.parametrize("hook", CLASS_HOOKS)
def test_unregistered_class_hook_is_404_naming_it(server, hook) -> None:
    status, body, reply = call(server, f"/1.1/functions/Album/{hook}",
                               {"object": {"title": "x"}}, headers=HOOK)
    assert status == 404
    assert_error(body, "Album", hook)
    assert_json_reply(reply)


def test_unknown_hook_name_is_404_naming_it(server) -> None:
    status, body, _ = call(server, "/1.1/functions/Review/beforeFly",
                           {"object": {"title": "x"}}, headers=HOOK)
    assert status == 404
    assert_error(body, "beforeFly")


def test_unknown_verification_type_is_404_naming_it(server) -> None:
    status, body, _ = call(server, "/1.1/functions/onVerified/pigeon",
                           {"object": {"username": "x"}}, headers=HOOK)
    assert status == 404
    assert_error(body, "pigeon")


@pytest.mark.parametrize(("route", "sent", "names"), [
    ("_User/onLogin", {"object": {"username": "a"}}, ("onLogin",)),
    ("_User/onAuthData", {"authData": {"weixin": {}}}, ("onAuthData",)),
    ("onVerified/email", {"object": {"username": "a"}}, ("email",)),
])
def test_user_hook_without_handler_is_404_naming_it(bare, route, sent, names) -> None:
    status, body, reply = call(bare, f"/1.1/functions/{route}", sent, headers=HOOK)
    assert status == 404
    assert_error(body, *names)
    assert_json_reply(reply)


def test_bare_site_answers_its_own_hooks(bare) -> None:
    status, body, _ = call(bare, "/1.1/functions/onVerified/sms", {"object": {"username": "a"}},
                           headers=HOOK)
    assert (status, body) == (200, {"result": None})
    status, body, _ = call(bare, "/1.1/functions/Review/beforeSave", {"object": {"a": 1}},
                           headers=HOOK)
    assert status == 404
    assert_error(body, "Review", "beforeSave")


def test_before_save_answers_the_modified_object_without_wrapper(server) -> None:
    review = {"stars": 5, "comment": "a very long comment that goes on and on",
              "author": {"__type": "Pointer", "className": "_User", "objectId": "u9"},
              "when": {"__type": "Date", "iso": "2020-01-02T03:04:05.678Z"}}
    status, body, _ = call(server, "/1.1/functions/Review/beforeSave", {"object": review},
                           headers=HOOK)
    assert status == 200
    assert body == {"stars": 5, "comment": "a very long comment ...", "checked": True,
                    "by": None, "token": None,
                    "author": {"__type": "Pointer", "className": "_User", "objectId": "u9"},
                    "when": {"__type": "Date", "iso": "2020-01-02T03:04:05.678Z"}}
    assert "result" not in body


def test_before_save_keeps_object_id_and_dates(server) -> None:
    review = {"objectId": "abc", "createdAt": "2015-06-29T01:39:35.931Z",
              "updatedAt": "2015-06-30T01:39:35.000Z", "stars": 1}
    status, body, _ = call(server, "/1.1/functions/Review/beforeSave", {"object": review},
                           headers=HOOK)
    assert status == 200
    assert body == {**review, "checked": True, "by": None, "token": None}


def test_before_update_sees_updated_keys(server) -> None:
    review = {"objectId": "r1", "stars": 9, "comment": "ok", "_updatedKeys": ["stars"]}
    status, body, _ = call(server, "/1.1/functions/Review/beforeUpdate", {"object": review},
                           headers=HOOK)
    assert (status, body) == (400, {"code": 400, "error": "stars must be at most 5"})
    review["_updatedKeys"] = ["comment"]
    status, body, _ = call(server, "/1.1/functions/Review/beforeUpdate", {"object": review},
                           headers=HOOK)
    assert (status, body) == (200, {"objectId": "r1", "stars": 9, "comment": "ok",
                                    "seenKeys": ["comment"], "_updatedKeys": ["comment"]})


def test_before_update_without_updated_keys_sees_an_empty_list(server) -> None:
    status, body, _ = call(server, "/1.1/functions/Review/beforeUpdate",
                           {"object": {"objectId": "r1", "stars": 9}}, headers=HOOK)
    assert (status, body) == (200, {"objectId": "r1", "stars": 9, "seenKeys": []})


def test_before_delete_answers_empty_object_or_the_hook_error(server) -> None:
    status, body, _ = call(server, "/1.1/functions/Review/beforeDelete",
                           {"object": {"objectId": "r1"}}, headers=HOOK)
    assert (status, body) == (200, {})
    status, body, _ = call(server, "/1.1/functions/Review/beforeDelete",
                           {"object": {"objectId": "r1", "locked": True}}, headers=HOOK)
    assert (status, body) == (400, {"code": 400, "error": "locked review"})


def test_after_hook_result_is_ok_whatever_the_handler_returns(server) -> None:
    status, body, _ = call(server, "/1.1/functions/Review/afterSave",
                           {"object": {"objectId": "r1"}}, headers=HOOK)
    assert (status, body) == (200, {"result": "ok"})


def test_hook_user_becomes_current_user(server) -> None:
    sent = {"object": {"stars": 3},
            "user": {"objectId": "u1", "username": "carol", "sessionToken": "sess-carol"}}
    status, body, _ = call(server, "/1.1/functions/Review/beforeSave", sent, headers=HOOK)
    assert status == 200
    assert (body["by"], body["token"]) == ("carol", "sess-carol")


def test_current_user_does_not_leak_into_the_next_request(server) -> None:
    sent = {"object": {"stars": 3}, "user": {"username": "dave", "sessionToken": "sess-dave"}}
    assert call(server, "/1.1/functions/Review/beforeSave", sent, headers=HOOK)[0] == 200
    for _ in range(5):  # whichever worker thread answers
        status, body, _ = call(server, "/1.1/functions/whoami", {})
        assert (status, body) == (200, {"result": {"token": None, "username": None}})


@pytest.mark.parametrize("header", ["X-LC-Session", "X-AVOSCloud-Session-Token",
                                    "X-Uluru-Session-Token"])
def test_session_header_becomes_current_user_and_session_token(server, header) -> None:
    username = "user-" + header.lower()
    token = server.sign_up(APP, username)
    status, body, _ = call(server, "/1.1/functions/whoami", {}, headers={**APP, header: token})
    assert (status, body) == (200, {"result": {"token": token, "username": username}})


def test_unknown_session_token_is_401_211(server) -> None:
    status, body, _ = call(server, "/1.1/functions/whoami", {}, headers={**APP, "X-LC-Session": "made-up"})
    assert (status, body["code"]) == (401, 211)


# ---- /call/ typed encoding (spec §4.2, §6) --------------------------------------------------


def test_call_decodes_typed_params(server) -> None:
    sent = {
        "when": {"__type": "Date", "iso": "2021-03-04T05:06:07.089Z"},
        "item": {"__type": "Object", "className": "Todo", "objectId": "t1", "title": "milk",
                 "createdAt": "2021-01-01T00:00:00.000Z"},
        "ptr": {"__type": "Pointer", "className": "_User", "objectId": "u7"},
        "plain": [1, "two", {"three": 3}],
    }
    status, body, _ = call(server, "/1.1/call/types", sent)
    assert status == 200, body
    assert body == {"result": {
        "when_aware": True, "when_offset": 0.0, "when_iso": "2021-03-04T05:06:07.089000+00:00",
        "item_class": "Todo", "item_id": "t1", "item_title": "milk",
        "ptr_class": "_User", "ptr_id": "u7", "plain": [1, "two", {"three": 3}],
    }}


def test_functions_route_does_not_decode(server) -> None:
    sent = {"thing": {"__type": "Pointer", "className": "Todo", "objectId": "t1"}}
    status, body, _ = call(server, "/1.1/functions/same", sent)
    assert (status, body) == (200, {"result": sent["thing"]})


def test_call_encodes_dates_with_milliseconds(server) -> None:
    status, body, _ = call(server, "/1.1/call/later",
                           {"when": {"__type": "Date", "iso": "2021-12-31T23:59:59.999Z"}})
    assert (status, body) == (200, {"result": {"__type": "Date",
                                               "iso": "2022-01-02T00:00:00.000Z"}})
    status, body, _ = call(server, "/1.1/call/fixedDate", {})
    assert (status, body) == (200, {"result": {"__type": "Date",
                                               "iso": "2024-02-29T23:59:58.123Z"}})


def test_call_date_with_offset_comes_back_in_utc(server) -> None:
    status, body, _ = call(server, "/1.1/call/same",
                           {"thing": {"__type": "Date", "iso": "2021-06-01T10:00:00.500+02:00"}})
    assert (status, body) == (200, {"result": {"__type": "Date",
                                               "iso": "2021-06-01T08:00:00.500Z"}})


def test_call_encodes_a_pointer_param_as_object(server) -> None:
    sent = {"thing": {"__type": "Pointer", "className": "Todo", "objectId": "t1"}}
    status, body, _ = call(server, "/1.1/call/same", sent)
    assert (status, body) == (200, {"result": {"__type": "Object", "className": "Todo",
                                               "objectId": "t1"}})


def test_call_encodes_a_full_object_with_its_fields(server) -> None:
    sent = {"thing": {"__type": "Object", "className": "Todo", "objectId": "t1",
                      "title": "milk", "done": False,
                      "due": {"__type": "Date", "iso": "2021-03-04T05:06:07.089Z"},
                      "createdAt": "2021-01-01T00:00:00.000Z"}}
    status, body, _ = call(server, "/1.1/call/same", sent)
    assert (status, body) == (200, {"result": sent["thing"]})


def test_call_encodes_nested_objects_in_full(server) -> None:
    """spec §6 (the Python SDK is the reference): /call dumps objects in full."""
    thing = {"__type": "Object", "className": "Todo", "objectId": "t1", "title": "milk"}
    status, body, _ = call(server, "/1.1/call/wrapped", {"thing": thing})
    assert (status, body) == (200, {"result": {"thing": thing, "things": [thing]}})


# ---- IM hook names through the function routes ---------------------------------------------


def test_im_hook_function_with_hook_key(server) -> None:
    status, body, _ = call(server, "/1.1/functions/_conversationStart",
                           {"convId": "c1", "initBy": "x", "__sign": "1,ab"}, headers=HOOK)
    assert (status, body) == (200, {"result": {"drop": False, "seen": ["convId", "initBy"]}})


# ---- §12 CORS ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/1/functions", "/1.1/functions/hello", "/__engine/1/functions/hello", "/1.1/call/hello",
    "/__engine/1.1/functions/Review/beforeSave", "/1.1/functions/_ops/metadatas",
    "/__engine/1/ping",
])
def test_preflight_without_credentials(server, path) -> None:
    reply = server.request("OPTIONS", path, headers={
        "Origin": "http://foo.bar", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "x-lc-id, x-lc-key, content-type"})
    assert reply.status == 200
    assert reply.body == b""
    assert reply.header("Access-Control-Allow-Origin") == "http://foo.bar"
    allowed = {h.strip().lower() for h in reply.header("Access-Control-Allow-Headers").split(",")}
    assert {"content-type", "x-lc-id", "x-lc-key", "x-lc-session", "x-lc-sign",
            "x-lc-hook-key", "x-lc-prod", "x-avoscloud-application-id",
            "x-avoscloud-application-key", "x-uluru-application-id"} <= allowed
    methods = {m.strip() for m in reply.header("Access-Control-Allow-Methods").split(",")}
    assert {"GET", "POST", "PUT", "DELETE", "OPTIONS"} <= methods
    assert reply.header("Access-Control-Max-Age") == "86400"


def test_preflight_without_origin_allows_any(server) -> None:
    reply = server.request("OPTIONS", "/1.1/functions/hello")
    assert (reply.status, reply.body) == (200, b"")
    assert reply.header("Access-Control-Allow-Origin") == "*"


@pytest.mark.parametrize(("path", "headers", "body", "status"), [
    ("/1.1/functions/hello", APP, {}, 200),
    ("/1.1/functions/hello", {}, {}, 401),
    ("/1.1/functions/Review/beforeSave", APP, {"object": {}}, 401),
    ("/1.1/functions/nope", APP, {}, 404),
    ("/1.1/functions/typeError", APP, {}, 500),
    ("/1.1/functions/add", APP, {}, 400),
    ("/1.1/functions/fail", APP, {"kind": "all"}, 403),
    ("/__engine/1/ping", {}, None, 200),
])
def test_every_engine_answer_carries_cors(server, path, headers, body, status) -> None:
    got, _, reply = call(server, path, body, headers={**headers, "Origin": "http://foo.bar"})
    assert got == status
    assert reply.header("Access-Control-Allow-Origin") == "*"
    assert "x-lc-id" in reply.header("Access-Control-Allow-Headers").lower()
    assert "POST" in reply.header("Access-Control-Allow-Methods")
