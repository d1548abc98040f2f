"""Hooks fire for REST writes (DESIGN.md §6, spec leanengine.md §5.3, §7-§9), both backends.

The site's hooks write what they see into EVENTS, read back through the cloud function
`hookEvents`: the order of the hooks, whether the object was already stored when an
after-hook ran, the updated keys, and `engine.current.user` during the request.
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from restapi import Api, storage_server, storage_url  # noqa: F401 - a fixture
from servers import ServerProcess

SITE = """\
from cherryc.runtime.storage import active_store
from cherryc.runtime.storage.store import Caller

EVENTS = []


def _stored(class_name, object_id):
    return bool(object_id and active_store().fetch(class_name, object_id, Caller(master=True)))


def _who():
    user = engine.current.user
    return user.get('username') if user is not None else None


@engine.before_save('Review')
def review_before_save(review):
    EVENTS.append(['beforeSave', review.get('title'), _stored('Review', review.id), _who()])
    if review.get('stars', 0) > 5:
        raise LeanEngineError(400, 'no more than 5 stars')
    review.set('title', review.get('title', '').strip())
    review.set('checked', True)


@engine.after_save('Review')
def review_after_save(review):
    EVENTS.append(['afterSave', review.get('title'), _stored('Review', review.id), _who()])


@engine.before_update('Review')
def review_before_update(review):
    EVENTS.append(['beforeUpdate', sorted(review.updated_keys), _who()])
    if review.get('stars', 0) > 5:
        raise LeanEngineError('no more than 5 stars')


@engine.after_update('Review')
def review_after_update(review):
    EVENTS.append(['afterUpdate', review.get('stars'), _who()])
    raise RuntimeError('a bug in an after hook')


@engine.before_delete('Review')
def review_before_delete(review):
    EVENTS.append(['beforeDelete', review.get('title'), _stored('Review', review.id)])
    if review.get('locked'):
        raise LeanEngineError(7, 'this review is locked')


@engine.after_delete('Review')
def review_after_delete(review):
    EVENTS.append(['afterDelete', review.get('title'), _stored('Review', review.id)])
    raise ValueError('another bug in an after hook')


@engine.on_login
def on_login(user):
    EVENTS.append(['onLogin', user.get('username')])
    if user.get('username') == 'blocked':
        raise LeanEngineError(123, 'you are blocked')


@engine.define
def whoAmI():
    user = engine.current.user
    return [type(user).__name__, user and user.get('username'), engine.current.session_token]


@engine.define
def hookEvents():
    events = list(EVENTS)
    EVENTS.clear()
    return events

CherryClass Root:
mask:
    def index(self):
        hooks test site
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, storage_url: str) -> Iterator[ServerProcess]:
    process = storage_server(tmp_path_factory.mktemp("rest-hooks"), SITE, storage_url)
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def api(server: ServerProcess) -> Iterator[Api]:
    client = Api(server)
    _events(client)  # start from no events
    yield client
    for row in client.get("classes/Review?limit=1000", key="master").json.get("results", []):
        client.delete(f"classes/Review/{row['objectId']}", {"__ignore_hooks": [
            "beforeDelete", "afterDelete"]}, key="master")


def _events(api: Api) -> list[Any]:
    answer = api.post("functions/hookEvents", {})
    assert answer.status == 200, answer
    return answer.json["result"]


def _count(api: Api) -> int:
    return api.get("classes/Review?count=1&limit=0", key="master").json["count"]


def test_create_runs_before_save_then_after_save(api: Api) -> None:
    answer = api.post("classes/Review?fetchWhenSave=true", {"title": "  good  ", "stars": 4})
    assert answer.status == 201
    # beforeSave's changes are what is saved
    assert (answer.json["title"], answer.json["checked"]) == ("good", True)
    stored = api.get(f"classes/Review/{answer.json['objectId']}").json
    assert (stored["title"], stored["checked"], stored["stars"]) == ("good", True, 4)
    assert _events(api) == [["beforeSave", "  good  ", False, None],  # before the insert
                            ["afterSave", "good", True, None]]  # after the commit


def test_before_save_rejection_is_142_and_writes_nothing(api: Api) -> None:
    answer = api.post("classes/Review", {"title": "spam", "stars": 6})
    assert answer.status == 400
    assert answer.json["code"] == 142
    assert "no more than 5 stars" in answer.json["error"]
    assert _count(api) == 0
    assert _events(api) == [["beforeSave", "spam", False, None]]  # no afterSave


def test_update_runs_before_and_after_update_and_after_errors_are_ignored(api: Api, server: ServerProcess) -> None:
    object_id = api.create("Review", {"title": "t", "stars": 3})
    _events(api)
    answer = api.put(f"classes/Review/{object_id}", {"stars": 5, "note": "better"})
    assert answer.status == 200  # afterUpdate raised, the update stands
    assert api.get(f"classes/Review/{object_id}").json["stars"] == 5
    assert _events(api) == [["beforeUpdate", ["note", "stars"], None], ["afterUpdate", 5, None]]
    assert "a bug in an after hook" in server.log()


def test_before_update_rejection(api: Api) -> None:
    object_id = api.create("Review", {"title": "t", "stars": 3})
    _events(api)
    answer = api.put(f"classes/Review/{object_id}", {"stars": 9})
    assert (answer.status, answer.json["code"]) == (400, 142)
    assert "no more than 5 stars" in answer.json["error"]
    assert api.get(f"classes/Review/{object_id}").json["stars"] == 3
    assert [event[0] for event in _events(api)] == ["beforeUpdate"]


def test_delete_hooks(api: Api) -> None:
    locked = api.create("Review", {"title": "keep", "locked": True})
    loose = api.create("Review", {"title": "drop"})
    _events(api)
    refused = api.delete(f"classes/Review/{locked}")
    assert (refused.status, refused.json["code"]) == (400, 142)
    assert "this review is locked" in refused.json["error"]
    assert api.get(f"classes/Review/{locked}").json["title"] == "keep"
    assert api.delete(f"classes/Review/{loose}")[:2] == (200, {})  # afterDelete raised: no matter
    assert api.get(f"classes/Review/{loose}").json == {}
    assert _events(api) == [["beforeDelete", "keep", True],
                            ["beforeDelete", "drop", True], ["afterDelete", "drop", False]]


def test_batch_writes_fire_hooks(api: Api) -> None:
    answer = api.post("batch", {"requests": [
        {"method": "POST", "path": "/1.1/classes/Review", "body": {"title": " a ", "stars": 1}},
        {"method": "POST", "path": "/1.1/classes/Review", "body": {"title": "b", "stars": 8}},
    ]})
    first, second = answer.json
    assert "objectId" in first["success"]
    assert second["error"]["code"] == 142
    assert [row["title"] for row in api.get("classes/Review").json["results"]] == ["a"]
    assert [event[0] for event in _events(api)] == ["beforeSave", "afterSave", "beforeSave"]


def test_hooks_see_the_requests_user(api: Api) -> None:
    token = api.sign_up("hook-reader")["sessionToken"]
    object_id = api.create("Review", {"title": "mine"}, session=token)
    api.put(f"classes/Review/{object_id}", {"stars": 2}, session=token)
    api.put(f"classes/Review/{object_id}", {"stars": 3})  # the next request has no user
    events = _events(api)
    assert [event[-1] for event in events] == ["hook-reader"] * 4 + [None, None]


@pytest.mark.parametrize("key, honoured", [("app", False), ("hook", True), ("master", True)])
def test_ignore_hooks_needs_the_hook_or_master_key(api: Api, key: str, honoured: bool) -> None:
    answer = api.post("classes/Review?fetchWhenSave=true",
                      {"title": " raw ", "__ignore_hooks": ["beforeSave", "afterSave"]}, key=key)
    assert answer.status == 201, answer
    stored = api.get(f"classes/Review/{answer.json['objectId']}", key="master").json
    assert "__ignore_hooks" not in stored
    if honoured:
        assert (stored["title"], "checked" in stored) == (" raw ", False)
        assert _events(api) == []
    else:
        assert (stored["title"], stored["checked"]) == ("raw", True)
        assert [event[0] for event in _events(api)] == ["beforeSave", "afterSave"]


def test_ignore_one_hook_on_delete(api: Api) -> None:
    object_id = api.create("Review", {"title": "x", "locked": True})
    _events(api)
    answer = api.delete(f"classes/Review/{object_id}", {"__ignore_hooks": ["beforeDelete"]}, key="hook")
    assert answer.status == 200
    assert [event[0] for event in _events(api)] == ["afterDelete"]


def test_on_login_rejection_is_401(api: Api) -> None:
    api.sign_up("blocked")
    api.sign_up("welcome")
    _events(api)
    refused = api.post("login", {"username": "blocked", "password": "secret-pw"})
    assert refused.status == 401
    assert "you are blocked" in refused.json["error"]
    assert "sessionToken" not in refused.json
    allowed = api.post("login", {"username": "welcome", "password": "secret-pw"})
    assert allowed.status == 200 and allowed.json["sessionToken"]
    assert _events(api) == [["onLogin", "blocked"], ["onLogin", "welcome"]]


def test_session_token_on_an_engine_route_gives_the_current_user(api: Api) -> None:
    """DESIGN §4/§6, spec §9: X-LC-Session names a user of the store; a wrong one is 401/211."""
    token = api.sign_up("function-caller")["sessionToken"]
    answer = api.post("functions/whoAmI", {}, session=token)
    assert answer[:2] == (200, {"result": ["User", "function-caller", token]})
    assert api.post("functions/whoAmI", {})[:2] == (200, {"result": ["NoneType", None, None]})
    refused = api.post("functions/whoAmI", {}, session="not-a-real-token")
    assert (refused.status, refused.json["code"]) == (401, 211)


def test_hook_routes_over_http_still_answer(api: Api) -> None:
    """The engine's own hook routes keep working beside the store (spec §4.3)."""
    answer = api.post("functions/Review/beforeSave", {"object": {"title": " y "}}, key="hook")
    assert answer.status == 200 and answer.json["title"] == "y"
    assert _count(api) == 0  # a hook route does not store anything
