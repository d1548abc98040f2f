"""The LeanStorage REST routes over real HTTP (DESIGN.md §6, spec leanengine.md §15), both backends.

One generated server per backend (module scope); each test uses its own class names, so
tests do not see each other's objects. Checked: every route, its status and shape,
objectIds and dates, queries, field operations, conditional writes, batch, users and
sessions, the error codes of §15.6, authentication and CORS.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Iterator

import pytest

from restapi import (  # noqa: F401 - storage_url is a fixture
    APP_ID, APP_KEY, ISO_DATE, LEAN_SECTION, OBJECT_ID, PLAIN_SITE, SERVER_ENV, Api,
    storage_server, storage_url, where,
)
from servers import ServerProcess, compile_site, free_port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, storage_url: str) -> Iterator[ServerProcess]:
    process = storage_server(tmp_path_factory.mktemp("rest"), PLAIN_SITE, storage_url)
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def api(server: ServerProcess) -> Api:
    return Api(server)


@pytest.fixture
def cls(request: pytest.FixtureRequest) -> str:
    """A class name of this test only (the module's tests share one store)."""
    name = request.node.name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return "T" + "".join(c for c in name.title() if c.isalnum())[:40] + digest


# ---- objects -------------------------------------------------------------------------------

def test_create_answers_201_with_location_id_and_date(api: Api, server: ServerProcess, cls: str) -> None:
    before = datetime.utcnow().isoformat(timespec="milliseconds")
    answer = api.post(f"classes/{cls}", {"title": "buy milk", "done": False})
    assert answer.status == 201
    assert set(answer.json) == {"objectId", "createdAt"}
    object_id, created = answer.json["objectId"], answer.json["createdAt"]
    assert OBJECT_ID.match(object_id)
    assert ISO_DATE.match(created)
    assert created[:-1] >= before[:19]  # UTC, not local time
    assert answer.headers["Location"] == f"{server.url}/1.1/classes/{cls}/{object_id}"
    assert answer.headers["Content-Type"].startswith("application/json")


def test_create_with_fetch_when_save_returns_the_object(api: Api, cls: str) -> None:
    answer = api.post(f"classes/{cls}?fetchWhenSave=true", {"title": "x", "n": {"__op": "Increment", "amount": 2}})
    assert answer.status == 201
    assert answer.json["title"] == "x"
    assert answer.json["n"] == 2  # an Increment in a create body starts from 0
    assert {"objectId", "createdAt", "updatedAt"} <= set(answer.json)


def test_get_returns_the_fields_and_system_fields(api: Api, cls: str) -> None:
    when = {"__type": "Date", "iso": "2024-02-29T12:30:00.250Z"}
    object_id = api.create(cls, {"title": "t", "tags": ["a", "b"], "meta": {"k": 1}, "when": when})
    answer = api.get(f"classes/{cls}/{object_id}")
    assert answer.status == 200
    got = answer.json
    assert got["objectId"] == object_id
    assert (got["title"], got["tags"], got["meta"], got["when"]) == ("t", ["a", "b"], {"k": 1}, when)
    assert ISO_DATE.match(got["createdAt"]) and got["updatedAt"] == got["createdAt"]


def test_get_with_the_body_null_as_the_js_sdk_sends_it(api: Api, cls: str) -> None:
    object_id = api.create(cls, {"title": "js"})
    answer = api.call("GET", f"classes/{cls}/{object_id}", raw="null")
    assert (answer.status, answer.json["title"]) == (200, "js")


def test_get_keys_limits_the_fields(api: Api, cls: str) -> None:
    object_id = api.create(cls, {"a": 1, "b": 2, "c": 3})
    got = api.get(f"classes/{cls}/{object_id}?keys=a,c").json
    assert got["a"] == 1 and got["c"] == 3 and "b" not in got
    assert got["objectId"] == object_id


def test_get_of_an_unknown_id_is_an_empty_object(api: Api, cls: str) -> None:
    api.create(cls, {"x": 1})
    assert api.get(f"classes/{cls}/{'0' * 24}")[:2] == (200, {})


def test_unknown_class_is_101(api: Api) -> None:
    answer = api.get(f"classes/NeverSeenClass/{'0' * 24}")
    assert (answer.status, answer.json["code"]) == (404, 101)
    assert isinstance(answer.json["error"], str)


def test_update_answers_updated_at_and_changes_the_object(api: Api, cls: str) -> None:
    object_id = api.create(cls, {"title": "old", "keep": 1})
    answer = api.put(f"classes/{cls}/{object_id}", {"title": "new"})
    assert answer.status == 200
    assert set(answer.json) <= {"updatedAt", "objectId"} and ISO_DATE.match(answer.json["updatedAt"])
    got = api.get(f"classes/{cls}/{object_id}").json
    assert (got["title"], got["keep"]) == ("new", 1)
    assert got["updatedAt"] == answer.json["updatedAt"] >= got["createdAt"]


def test_update_with_fetch_when_save_returns_the_changed_fields(api: Api, cls: str) -> None:
    object_id = api.create(cls, {"n": 1})
    answer = api.put(f"classes/{cls}/{object_id}?fetchWhenSave=true", {"n": {"__op": "Increment", "amount": 5}})
    assert answer.status == 200
    assert answer.json["n"] == 6 and "updatedAt" in answer.json


def test_field_operations(api: Api, cls: str) -> None:
    object_id = api.create(cls, {"n": 10, "f": 1.5, "gone": "x", "list": [1, 2], "set": ["a"], "rm": [1, 2, 3, 2]})
    answer = api.put(f"classes/{cls}/{object_id}", {
        "n": {"__op": "Increment", "amount": 5},
        "f": {"__op": "Decrement", "amount": 0.5},
        "gone": {"__op": "Delete"},
        "list": {"__op": "Add", "objects": [2, 3]},
        "set": {"__op": "AddUnique", "objects": ["a", "b"]},
        "rm": {"__op": "Remove", "objects": [2]},
        "fresh": {"__op": "Increment", "amount": 1},
    })
    assert answer.status == 200, answer
    got = api.get(f"classes/{cls}/{object_id}").json
    assert (got["n"], got["f"], got["list"], got["set"], got["rm"], got["fresh"]) == (
        15, 1.0, [1, 2, 2, 3], ["a", "b"], [1, 3], 1)
    assert "gone" not in got


def test_update_of_an_unknown_object_is_101(api: Api, cls: str) -> None:
    api.create(cls, {"x": 1})
    answer = api.put(f"classes/{cls}/{'0' * 24}", {"x": 2})
    assert (answer.status, answer.json["code"]) == (404, 101)


def test_conditional_update(api: Api, cls: str) -> None:
    object_id = api.create(cls, {"balance": 10})
    refused = api.put(f"classes/{cls}/{object_id}?{where({'balance': {'$gte': 30}})}",
                      {"balance": {"__op": "Decrement", "amount": 30}})
    assert (refused.status, refused.json["code"]) == (400, 305)
    assert api.get(f"classes/{cls}/{object_id}").json["balance"] == 10
    done = api.put(f"classes/{cls}/{object_id}?{where({'balance': {'$gte': 5}})}",
                   {"balance": {"__op": "Decrement", "amount": 5}})
    assert done.status == 200
    assert api.get(f"classes/{cls}/{object_id}").json["balance"] == 5


def test_delete(api: Api, cls: str) -> None:
    object_id = api.create(cls, {"x": 1})
    assert api.delete(f"classes/{cls}/{object_id}")[:2] == (200, {})
    assert api.get(f"classes/{cls}/{object_id}").json == {}
    assert api.delete(f"classes/{cls}/{object_id}")[:2] == (200, {})  # again: still fine


def test_delete_with_a_json_body_as_the_python_sdk_sends_it(api: Api, cls: str) -> None:
    object_id = api.create(cls, {"x": 1})
    assert api.delete(f"classes/{cls}/{object_id}", {})[:2] == (200, {})
    assert api.get(f"classes/{cls}/{object_id}").json == {}


def test_conditional_delete(api: Api, cls: str) -> None:
    object_id = api.create(cls, {"state": "open"})
    refused = api.delete(f"classes/{cls}/{object_id}?{where({'state': 'closed'})}")
    assert (refused.status, refused.json["code"]) == (400, 305)
    assert api.get(f"classes/{cls}/{object_id}").json["state"] == "open"
    assert api.delete(f"classes/{cls}/{object_id}?{where({'state': 'open'})}").status == 200
    assert api.get(f"classes/{cls}/{object_id}").json == {}


# ---- queries (spec §15.3) ------------------------------------------------------------------

@pytest.fixture
def scores(api: Api, cls: str) -> dict[str, str]:
    """Six players; name -> objectId."""
    players = [
        {"name": "ann", "score": 50, "tags": ["a", "b"], "team": "red", "at": "2024-01-01T00:00:00.000Z"},
        {"name": "bob", "score": 70, "tags": ["b"], "team": "blue", "at": "2024-02-01T00:00:00.000Z"},
        {"name": "cid", "score": 70, "tags": ["a", "b", "c"], "team": "red", "at": "2024-03-01T00:00:00.000Z"},
        {"name": "dee", "score": 90, "tags": [], "at": "2024-04-01T00:00:00.000Z"},
        {"name": "Eve", "score": 10, "tags": ["c"], "team": "blue", "at": "2024-05-01T00:00:00.000Z"},
        {"name": "fay", "score": 30, "team": "green", "at": "2024-06-01T00:00:00.000Z"},
    ]
    ids = {}
    for player in players:
        player["at"] = {"__type": "Date", "iso": player["at"]}
        ids[player["name"]] = api.create(cls, player)
    return ids


def _names(api: Api, cls: str, query: str) -> list[str]:
    answer = api.get(f"classes/{cls}?{query}")
    assert answer.status == 200, answer
    return [row["name"] for row in answer.json["results"]]


@pytest.mark.parametrize("condition, expected", [
    ({"team": "red"}, {"ann", "cid"}),
    ({"team": {"$ne": "red"}}, {"bob", "dee", "Eve", "fay"}),
    ({"score": {"$lt": 50}}, {"Eve", "fay"}),
    ({"score": {"$lte": 50}}, {"ann", "Eve", "fay"}),
    ({"score": {"$gt": 70}}, {"dee"}),
    ({"score": {"$gte": 70, "$lt": 90}}, {"bob", "cid"}),
    ({"team": {"$in": ["blue", "green"]}}, {"bob", "Eve", "fay"}),
    ({"team": {"$nin": ["blue", "green"]}}, {"ann", "cid", "dee"}),
    ({"tags": {"$all": ["a", "b"]}}, {"ann", "cid"}),
    ({"tags": "c"}, {"cid", "Eve"}),  # equality with an array field: contains
    ({"team": {"$exists": False}}, {"dee"}),
    ({"tags": {"$exists": True}}, {"ann", "bob", "cid", "dee", "Eve"}),
    ({"name": {"$regex": "^e"}}, set()),
    ({"name": {"$regex": "^e", "$options": "i"}}, {"Eve"}),
    ({"name": {"$regex": "^\\Qa\\E"}}, {"ann"}),  # the JS SDK's startsWith
    ({"$or": [{"score": 90}, {"team": "green"}]}, {"dee", "fay"}),
    ({"$and": [{"score": {"$gte": 50}}, {"team": "red"}]}, {"ann", "cid"}),
    ({"at": {"$gte": {"__type": "Date", "iso": "2024-03-01T00:00:00.000Z"}}}, {"cid", "dee", "Eve", "fay"}),
], ids=lambda value: json.dumps(value) if isinstance(value, dict) else None)
def test_where_operators(api: Api, cls: str, scores: dict[str, str], condition, expected) -> None:
    assert set(_names(api, cls, where(condition))) == expected


def test_where_on_system_fields(api: Api, cls: str, scores: dict[str, str]) -> None:
    assert _names(api, cls, where({"objectId": scores["bob"]})) == ["bob"]
    assert set(_names(api, cls, where({"objectId": {"$in": [scores["ann"], scores["fay"]]}}))) == {"ann", "fay"}


def test_order_by_several_keys(api: Api, cls: str, scores: dict[str, str]) -> None:
    assert _names(api, cls, "order=-score,name") == ["dee", "bob", "cid", "ann", "fay", "Eve"]
    assert _names(api, cls, "order=score,-name") == ["Eve", "fay", "ann", "cid", "bob", "dee"]
    assert _names(api, cls, "order=-createdAt")[0] == "fay"


def test_limit_skip_and_count(api: Api, cls: str, scores: dict[str, str]) -> None:
    assert _names(api, cls, "order=name&limit=2") == ["Eve", "ann"]
    assert _names(api, cls, "order=name&limit=2&skip=2") == ["bob", "cid"]
    counted = api.get(f"classes/{cls}?count=1&limit=0&{where({'team': 'red'})}").json
    assert counted == {"results": [], "count": 2}
    both = api.get(f"classes/{cls}?count=1&limit=1&order=name").json
    assert both["count"] == 6 and len(both["results"]) == 1


def test_keys_in_a_query(api: Api, cls: str, scores: dict[str, str]) -> None:
    rows = api.get(f"classes/{cls}?keys=name&{where({'name': 'ann'})}").json["results"]
    assert len(rows) == 1
    assert rows[0]["name"] == "ann" and "score" not in rows[0] and rows[0]["objectId"] == scores["ann"]


def test_limit_default_and_maximum(api: Api, cls: str) -> None:
    requests = [{"method": "POST", "path": f"/1.1/classes/{cls}", "body": {"i": i}} for i in range(120)]
    results = api.post("batch", {"requests": requests}).json
    assert all("success" in item for item in results)
    assert len(api.get(f"classes/{cls}").json["results"]) == 100
    assert len(api.get(f"classes/{cls}?limit=1000").json["results"]) == 120
    too_many = api.get(f"classes/{cls}?limit=1001")
    assert (too_many.status, too_many.json["code"]) == (400, 102)
    bad = api.get(f"classes/{cls}?limit=ten")
    assert (bad.status, bad.json["code"]) == (400, 102)


def test_include_replaces_pointers_by_their_objects(api: Api, cls: str) -> None:
    author = api.create(f"{cls}Author", {"name": "Ann"})
    pointer = {"__type": "Pointer", "className": f"{cls}Author", "objectId": author}
    post = api.create(cls, {"title": "hello", "author": pointer})
    plain = api.get(f"classes/{cls}/{post}").json
    assert plain["author"] == pointer
    included = api.get(f"classes/{cls}/{post}?include=author").json["author"]
    assert included["objectId"] == author and included["name"] == "Ann"
    assert included["__type"] == "Object" and included["className"] == f"{cls}Author"
    rows = api.get(f"classes/{cls}?include=author").json["results"]
    assert rows[0]["author"]["name"] == "Ann"
    by_pointer = api.get(f"classes/{cls}?{where({'author': pointer})}").json["results"]
    assert [row["objectId"] for row in by_pointer] == [post]


def test_malformed_where_is_107(api: Api, cls: str) -> None:
    api.create(cls, {"x": 1})
    answer = api.get(f"classes/{cls}?where=%7Bnot-json")
    assert (answer.status, answer.json["code"]) == (400, 107)


# ---- batch (spec §15.2) --------------------------------------------------------------------

def test_batch(api: Api, cls: str) -> None:
    first = api.create(cls, {"n": 1})
    doomed = api.create(cls, {"n": 2})
    answer = api.post("batch", {"requests": [
        {"method": "POST", "path": f"/1.1/classes/{cls}", "body": {"n": 3}},
        {"method": "PUT", "path": f"/1.1/classes/{cls}/{first}", "body": {"n": {"__op": "Increment", "amount": 10}}},
        {"method": "DELETE", "path": f"/1.1/classes/{cls}/{doomed}", "body": {}},
        {"method": "PUT", "path": f"/1.1/classes/{cls}/{'0' * 24}", "body": {"n": 0}},
        {"method": "GET", "path": f"/1.1/classes/{cls}/{first}"},
    ]})
    assert answer.status == 200
    created, updated, deleted, missing, fetched = answer.json
    assert OBJECT_ID.match(created["success"]["objectId"]) and "createdAt" in created["success"]
    assert "updatedAt" in updated["success"]
    assert deleted == {"success": {}}
    assert missing["error"]["code"] == 101 and isinstance(missing["error"]["error"], str)
    assert fetched["success"]["n"] == 11
    assert sorted(row["n"] for row in api.get(f"classes/{cls}").json["results"]) == [3, 11]


def test_batch_needs_requests(api: Api) -> None:
    answer = api.post("batch", {"nothing": []})
    assert (answer.status, answer.json["code"]) == (400, 107)


# ---- users (spec §15.4) --------------------------------------------------------------------

def _no_password(value: object) -> None:
    assert "secret-pw" not in json.dumps(value) and "password" not in json.dumps(value)


def test_sign_up(api: Api, server: ServerProcess, cls: str) -> None:
    answer = api.post("users", {"username": f"{cls}-ann", "password": "secret-pw", "email": f"{cls}@x.org"})
    assert answer.status == 201
    assert set(answer.json) >= {"objectId", "createdAt", "sessionToken"}
    assert OBJECT_ID.match(answer.json["objectId"])
    assert answer.headers["Location"] == f"{server.url}/1.1/users/{answer.json['objectId']}"
    _no_password(answer.json)
    taken = api.post("users", {"username": f"{cls}-ann", "password": "other"})
    assert (taken.status, taken.json["code"]) == (400, 202)
    email_taken = api.post("users", {"username": f"{cls}-bob", "password": "p", "email": f"{cls}@x.org"})
    assert (email_taken.status, email_taken.json["code"]) == (400, 203)
    no_name = api.post("users", {"password": "p"})
    no_password = api.post("users", {"username": f"{cls}-cid"})
    assert (no_name.json["code"], no_password.json["code"]) == (200, 201)


def test_sign_up_as_the_sdks_send_it(api: Api, cls: str) -> None:
    answer = api.post("classes/_User?fetchWhenSave=false", {"username": f"{cls}-sdk", "password": "secret-pw"})
    assert answer.status == 201 and answer.json["sessionToken"]
    me = api.get("users/me", session=answer.json["sessionToken"]).json
    assert me["username"] == f"{cls}-sdk"


def test_login(api: Api, cls: str) -> None:
    user = api.sign_up(f"{cls}-ann", email=f"{cls}@x.org")
    answer = api.post("login", {"username": f"{cls}-ann", "password": "secret-pw"})
    assert answer.status == 200
    assert answer.json["objectId"] == user["objectId"] and answer.json["username"] == f"{cls}-ann"
    assert answer.json["sessionToken"]
    _no_password(answer.json)
    by_email = api.post("login", {"email": f"{cls}@x.org", "password": "secret-pw"})
    assert by_email.json["objectId"] == user["objectId"]
    wrong = api.post("login", {"username": f"{cls}-ann", "password": "nope"})
    assert (wrong.status, wrong.json["code"]) == (400, 210)
    unknown = api.post("login", {"username": f"{cls}-nobody", "password": "x"})
    assert (unknown.status, unknown.json["code"]) == (400, 211)


def test_users_me_by_header_or_query(api: Api, cls: str) -> None:
    token = api.sign_up(f"{cls}-me")["sessionToken"]
    by_header = api.get("users/me", session=token)
    by_query = api.get(f"users/me?session_token={token}")
    assert by_header.status == by_query.status == 200
    assert by_header.json["username"] == by_query.json["username"] == f"{cls}-me"
    assert by_header.json["sessionToken"] == token
    _no_password(by_header.json)
    # the Python SDK's `become` sends ?session_token= beside its current user's header
    other = api.sign_up(f"{cls}-other")["sessionToken"]
    assert api.get(f"users/me?session_token={other}", session=token).json["username"] == f"{cls}-other"
    for answer in (api.get("users/me", session="not-a-token"), api.get("users/me?session_token=x"),
                   api.get("users/me?session_token=x", session=token), api.get("users/me")):
        assert (answer.status, answer.json["code"]) == (400, 211)


def test_update_a_user_needs_its_session_or_the_master_key(api: Api, cls: str) -> None:
    ann = api.sign_up(f"{cls}-ann")
    bob = api.sign_up(f"{cls}-bob")
    path = f"users/{ann['objectId']}"
    anonymous = api.put(path, {"nick": "x"})
    someone_else = api.put(path, {"nick": "x"}, session=bob["sessionToken"])
    assert (anonymous.status, anonymous.json["code"]) == (400, 206)
    assert someone_else.json["code"] == 206
    assert api.put(path, {"nick": "annie"}, session=ann["sessionToken"]).status == 200
    assert api.put(path, {"age": 30}, key="master").status == 200
    got = api.get(path).json
    assert (got["nick"], got["age"], got["username"]) == ("annie", 30, f"{cls}-ann")
    _no_password(got)


def test_new_password_works_for_login(api: Api, cls: str) -> None:
    ann = api.sign_up(f"{cls}-ann")
    api.put(f"users/{ann['objectId']}", {"password": "brand-new"}, session=ann["sessionToken"])
    assert api.post("login", {"username": f"{cls}-ann", "password": "brand-new"}).status == 200
    assert api.post("login", {"username": f"{cls}-ann", "password": "secret-pw"}).json["code"] == 210


def test_refresh_session_token(api: Api, cls: str) -> None:
    ann = api.sign_up(f"{cls}-ann")
    old = ann["sessionToken"]
    answer = api.put(f"users/{ann['objectId']}/refreshSessionToken", session=old)
    assert answer.status == 200
    new = answer.json["sessionToken"]
    assert new and new != old and answer.json["objectId"] == ann["objectId"]
    _no_password(answer.json)
    assert api.get("users/me", session=new).status == 200
    assert api.get("users/me", session=old).json["code"] == 211
    anonymous = api.put(f"users/{ann['objectId']}/refreshSessionToken")
    assert anonymous.json["code"] == 206


def test_passwords_never_leave_the_server(api: Api, cls: str) -> None:
    ann = api.sign_up(f"{cls}-ann")
    _no_password(api.get(f"users/{ann['objectId']}").json)
    _no_password(api.get(f"users?{where({'username': f'{cls}-ann'})}").json)
    _no_password(api.get(f"classes/_User/{ann['objectId']}", key="master").json)
    assert api.get(f"users?{where({'password': 'secret-pw'})}").json.get("results", []) == []


def test_get_of_an_unknown_user_is_211(api: Api, cls: str) -> None:
    api.sign_up(f"{cls}-someone")
    answer = api.get(f"users/{'0' * 24}")
    assert (answer.status, answer.json["code"]) == (400, 211)


def test_stale_session_token_does_not_stop_a_login(api: Api, cls: str) -> None:
    api.sign_up(f"{cls}-ann")
    answer = api.post("login", {"username": f"{cls}-ann", "password": "secret-pw"}, session="stale-token")
    assert answer.status == 200


def test_invalid_session_token_on_a_class_route_is_211(api: Api, cls: str) -> None:
    answer = api.post(f"classes/{cls}", {"x": 1}, session="not-a-token")
    assert (answer.status, answer.json["code"]) == (400, 211)


# ---- errors, authentication, CORS ----------------------------------------------------------

def test_malformed_json_is_107(api: Api, cls: str) -> None:
    for raw in ("{not json", "[1, 2]", '"text"'):
        answer = api.call("POST", f"classes/{cls}", raw=raw)
        assert (answer.status, answer.json["code"]) == (400, 107), raw
        assert isinstance(answer.json["error"], str)


@pytest.mark.parametrize("headers", [
    {},
    {"X-LC-Id": "rest-test-app"},
    {"X-LC-Id": "rest-test-app", "X-LC-Key": "wrong"},
    {"X-LC-Id": "another-app", "X-LC-Key": "rest-app-key-3xjj1qw91cr3"},
], ids=["no-keys", "app-id-only", "wrong-key", "wrong-app"])
def test_authentication_is_required(api: Api, cls: str, headers: dict[str, str]) -> None:
    for method, path in (("GET", f"classes/{cls}"), ("POST", f"classes/{cls}"), ("GET", "users/me"),
                         ("POST", "batch"), ("POST", "login")):
        answer = api.call(method, path, raw="{}", key=None, headers=headers)
        assert answer[:2] == (401, {"code": 401, "error": "Unauthorized."}), (method, path)
    nothing = api.get(f"classes/{cls}?count=1&limit=0", key="master")
    assert nothing.json["code"] == 101  # nothing written: the class does not even exist


def test_401_comes_before_107(api: Api, cls: str) -> None:
    answer = api.call("POST", f"classes/{cls}", raw="{not json", key=None)
    assert answer.status == 401


def test_cors_and_preflight(api: Api, server: ServerProcess, cls: str) -> None:
    answer = api.post(f"classes/{cls}", {"x": 1})
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-LC-Session" in answer.headers["Access-Control-Allow-Headers"]
    refused = api.get(f"classes/{cls}", key=None)
    assert refused.headers["Access-Control-Allow-Origin"] == "*"
    preflight = server.request("OPTIONS", f"/1.1/classes/{cls}", headers={"Origin": "http://app.example"})
    assert preflight.status == 200 and preflight.body == b""
    assert preflight.header("Access-Control-Allow-Origin") == "http://app.example"
    assert "PUT" in preflight.header("Access-Control-Allow-Methods")


def test_both_prefixes(server: ServerProcess, cls: str) -> None:
    old = Api(server, prefix="/1")
    object_id = old.create(cls, {"x": 1})
    assert Api(server).get(f"classes/{cls}/{object_id}").json["x"] == 1


def test_wrong_method_and_unknown_route(api: Api, cls: str) -> None:
    wrong = api.put(f"classes/{cls}", {"x": 1})
    assert (wrong.status, wrong.json["code"]) == (405, 1)
    assert wrong.headers["Allow"] == "GET, POST, OPTIONS"
    unknown = api.get(f"classes/{cls}/a/b")
    assert unknown.status == 404 and unknown.json["code"] == 1


def test_text_plain_credentials_from_a_browser(api: Api, server: ServerProcess, cls: str) -> None:
    body = {"_ApplicationId": APP_ID, "_ApplicationKey": APP_KEY, "title": "from a browser"}
    reply = server.request("POST", f"/1.1/classes/{cls}", headers={"Content-Type": "text/plain"},
                           body=json.dumps(body))
    assert reply.status == 201
    got = api.get(f"classes/{cls}/{json.loads(reply.body)['objectId']}").json
    assert got["title"] == "from a browser" and "_ApplicationKey" not in got


def test_site_pages_still_work(server: ServerProcess) -> None:
    reply = server.get("/")
    assert reply.status == 200 and "storage test site" in reply.text


# ---- where the store lives (DESIGN §6) -----------------------------------------------------

def test_default_store_is_site_server_db_made_on_the_first_write(tmp_path: Path) -> None:
    compile_site(tmp_path, PLAIN_SITE)
    database = tmp_path / "siteServer.db"
    with ServerProcess(tmp_path, env=SERVER_ENV, extra=LEAN_SECTION) as server:
        api = Api(server)
        assert server.get("/").status == 200
        assert api.get("classes/Todo").json["code"] == 101
        assert not database.exists()  # pages and reads make no file
        object_id = api.create("Todo", {"title": "kept"})
        assert database.exists()
    with ServerProcess(tmp_path, env=SERVER_ENV, extra=LEAN_SECTION) as server:
        assert Api(server).get(f"classes/Todo/{object_id}").json["title"] == "kept"


def test_unreachable_database_for_indexes_stops_start_up(tmp_path: Path) -> None:
    compile_site(tmp_path, PLAIN_SITE)
    config = tmp_path / "bad.cfg"
    config.write_text(f"[server]\nsocketPort = {free_port()}\n{LEAN_SECTION}[storage]\n"
                      "url = postgresql://site:hunter2@127.0.0.1:1/site\nindexes = Todo.title\n")
    result = subprocess.run([sys.executable, "siteServer.py", "-C", str(config)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "[storage] indexes" in output and "Todo.title" in output
    assert "Traceback" not in output and "hunter2" not in output


def _index_names(url: str) -> set[str]:
    """The index names in a store's database, read with the database's own client."""
    if url.startswith("sqlite:///"):
        import sqlite3

        with sqlite3.connect(url[len("sqlite:///"):]) as connection:
            rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
            return {row[0] for row in rows}
    import psycopg

    with psycopg.connect(url) as connection:
        return {row[0] for row in connection.execute("SELECT indexname FROM pg_indexes")}


def test_indexes_are_made_at_start_up(tmp_path: Path, storage_url: str) -> None:
    """`[storage] indexes`, made before the workers fork; they then serve normally."""
    server = storage_server(tmp_path, PLAIN_SITE, storage_url, server={"processPool": 2},
                            extra="indexes = Indexed.title, Indexed.rank\n")
    with server:
        assert {"Indexed.title", "Indexed.rank"} <= _index_names(storage_url)
        api = Api(server)
        assert api.get("classes/Indexed").json == {"results": []}  # the class exists now
        for rank in range(5):
            api.create("Indexed", {"title": f"t{rank}", "rank": rank})
        found = api.get(f"classes/Indexed?order=-rank&{where({'rank': {'$gte': 3}})}").json
        assert [row["title"] for row in found["results"]] == ["t4", "t3"]
