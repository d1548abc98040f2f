"""The Store on both backends: validation and error codes, reads (keys, include, order, limit,
count), ACLs (filtered in the database), users (hashes never shown, tokens, 202/203/206/210/211),
and concurrent creates and sign-ups."""

from __future__ import annotations

import json
import re
import threading
from typing import Any, Callable

import pytest

from cherryc.runtime.storage.errors import LeanCloudError
from cherryc.runtime.storage.store import Caller, Store

ANONYMOUS = Caller()
MASTER = Caller(master=True, hook=True)
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\Z")


def error_of(call: Callable[[], Any]) -> LeanCloudError:
    with pytest.raises(LeanCloudError) as caught:
        call()
    return caught.value


# ---- objects ------------------------------------------------------------------------------------

def test_create_fetch_formats(store: Store) -> None:
    created = store.create("Review", {"stars": 4, "objectId": "mine", "createdAt": "then"}, ANONYMOUS)
    assert set(created) == {"objectId", "createdAt"}
    assert re.fullmatch(r"[0-9a-f]{24}", created["objectId"]) and ISO.match(created["createdAt"])
    stored = store.fetch("Review", created["objectId"], ANONYMOUS)
    assert stored == {"stars": 4, "objectId": created["objectId"], "createdAt": created["createdAt"],
                      "updatedAt": created["createdAt"]}


def test_create_with_fetch_when_save_gives_the_object(store: Store) -> None:
    created = store.create("Review", {"n": {"__op": "Increment", "amount": 3}}, ANONYMOUS, fetch_when_save=True)
    assert created["n"] == 3 and created["updatedAt"] == created["createdAt"]


def test_typed_values_are_stored_in_canonical_form(store: Store) -> None:
    created = store.create("Review", {"when": {"iso": "2024-05-06T07:08:09Z", "__type": "Date"},
                                      "post": {"__type": "Object", "className": "Post", "objectId": "p1",
                                               "title": "x"}}, ANONYMOUS)
    stored = store.fetch("Review", created["objectId"], ANONYMOUS)
    assert stored["when"] == {"__type": "Date", "iso": "2024-05-06T07:08:09.000Z"}
    assert stored["post"] == {"__type": "Pointer", "className": "Post", "objectId": "p1"}


@pytest.mark.parametrize("call, code", [
    (lambda s: s.create("1Review", {}, ANONYMOUS), 103),
    (lambda s: s.create("_Secret", {}, ANONYMOUS), 103),
    (lambda s: s.create("Review", {"bad-name": 1}, ANONYMOUS), 105),
    (lambda s: s.create("Review", {"$set": 1}, ANONYMOUS), 105),
    (lambda s: s.create("Review", [1, 2], ANONYMOUS), 107),
    (lambda s: s.create("Review", {"when": {"__type": "Date", "iso": "soon"}}, ANONYMOUS), 107),
    (lambda s: s.create("Review", {"n": {"__op": "Square"}}, ANONYMOUS), 107),
    (lambda s: s.create("Review", {"ACL": {"*": {"read": "yes"}}}, ANONYMOUS), 111),
    (lambda s: s.create("Review", {"ACL": {"__op": "Delete"}}, ANONYMOUS), 111),
    (lambda s: s.create("Review", {"__ignore_hooks": "beforeSave"}, ANONYMOUS), 107),
    (lambda s: s.fetch("Review", None, ANONYMOUS), 104),
    (lambda s: s.fetch("Nothing", "a" * 24, ANONYMOUS), 101),
    (lambda s: s.query("Nothing", ANONYMOUS), 101),
    (lambda s: s.update("Nothing", "a" * 24, {}, ANONYMOUS), 101),
])
def test_errors(store: Store, call: Callable[[Store], Any], code: int) -> None:
    error = error_of(lambda: call(store))
    assert error.code == code and error.error
    assert error.status == (404 if code == 101 else 400)


def test_unknown_object(store: Store) -> None:
    store.create("Review", {}, ANONYMOUS)
    assert store.fetch("Review", "f" * 24, ANONYMOUS) == {}
    assert error_of(lambda: store.update("Review", "f" * 24, {"n": 1}, ANONYMOUS)).code == 101
    assert store.delete("Review", "f" * 24, ANONYMOUS) is None


def test_a_changed_type_is_111(store: Store) -> None:
    created = store.create("Review", {"stars": 4}, ANONYMOUS)
    assert error_of(lambda: store.create("Review", {"stars": "four"}, ANONYMOUS)).code == 111
    assert error_of(lambda: store.update("Review", created["objectId"], {"stars": [4]}, ANONYMOUS)).code == 111


def test_update_and_delete_with_a_condition(store: Store) -> None:
    object_id = store.create("Post", {"votes": 1}, ANONYMOUS)["objectId"]
    error = error_of(lambda: store.update("Post", object_id, {"votes": 5}, ANONYMOUS, where={"votes": 2}))
    assert (error.code, error.error) == (305, "No effect on updating/deleting a document.")
    answer = store.update("Post", object_id, {"votes": {"__op": "Increment"}}, ANONYMOUS,
                          where={"votes": {"$lt": 2}}, fetch_when_save=True)
    assert set(answer) == {"updatedAt", "objectId", "votes"} and answer["votes"] == 2
    assert error_of(lambda: store.delete("Post", object_id, ANONYMOUS, where={"votes": 1})).code == 305
    store.delete("Post", object_id, ANONYMOUS, where={"votes": 2})
    assert store.fetch("Post", object_id, ANONYMOUS) == {}


def test_update_answer(store: Store) -> None:
    created = store.create("Post", {"title": "a"}, ANONYMOUS)
    answer = store.update("Post", created["objectId"], {"title": "b"}, ANONYMOUS)
    assert set(answer) == {"updatedAt", "objectId"} and answer["updatedAt"] >= created["createdAt"]
    assert store.fetch("Post", created["objectId"], ANONYMOUS)["title"] == "b"


# ---- queries ------------------------------------------------------------------------------------

@pytest.fixture
def reviews(store: Store) -> list[str]:
    return [store.create("Review", {"stars": stars, "movie": movie, "note": f"n{index}"}, ANONYMOUS)["objectId"]
            for index, (stars, movie) in enumerate([(5, "up"), (3, "up"), (4, "jaws"), (1, "up"), (4, "alien")])]


def test_query_order_limit_skip_count(store: Store, reviews: list[str]) -> None:
    def notes(**options: Any) -> list[str]:
        return [row["note"] for row in store.query("Review", ANONYMOUS, **options)["results"]]

    assert notes(order="-stars,movie") == ["n0", "n4", "n2", "n1", "n3"]
    assert notes(order=["movie", "-stars"]) == ["n4", "n2", "n0", "n1", "n3"]
    assert notes(order="stars,note", limit=2, skip=1) == ["n1", "n2"]
    assert notes(where={"movie": "up"}, order="-createdAt,-note") == ["n3", "n1", "n0"]
    answer = store.query("Review", ANONYMOUS, where={"stars": {"$gte": 4}}, limit=0, count=True)
    assert answer == {"results": [], "count": 3}
    assert store.query("Review", ANONYMOUS, limit=1, count=True)["count"] == 5


@pytest.mark.parametrize("options", [{"limit": 1001}, {"limit": -1}, {"limit": "10"}, {"skip": -1},
                                     {"order": "-"}, {"order": "a b"}, {"where": {"stars": {"$bad": 1}}}])
def test_invalid_query_options_are_102(store: Store, reviews: list[str], options: dict[str, Any]) -> None:
    assert error_of(lambda: store.query("Review", ANONYMOUS, **options)).code == 102


def test_limit_defaults_to_100_and_allows_1000(store: Store) -> None:
    store.backend.insert_many("Many", ((f"{i:024x}", "2024-01-01T00:00:00.000Z", {"i": i}) for i in range(1001)))
    assert len(store.query("Many", ANONYMOUS)["results"]) == 100
    assert len(store.query("Many", ANONYMOUS, limit=1000)["results"]) == 1000


def test_keys(store: Store, reviews: list[str]) -> None:
    row = store.query("Review", ANONYMOUS, where={"note": "n0"}, keys="stars")["results"][0]
    assert set(row) == {"stars", "objectId", "createdAt", "updatedAt"}
    row = store.fetch("Review", reviews[0], ANONYMOUS, keys=["-note", "-movie"])
    assert set(row) == {"stars", "objectId", "createdAt", "updatedAt"}


def test_include_one_level_of_pointers(store: Store) -> None:
    author = store.create("Author", {"name": "ann"}, ANONYMOUS)["objectId"]
    hidden = store.create("Author", {"name": "bob", "ACL": {}}, ANONYMOUS)["objectId"]

    def to(object_id: str) -> dict[str, str]:
        return {"__type": "Pointer", "className": "Author", "objectId": object_id}

    post = store.create("Post", {"author": to(author), "editors": [to(author), to(hidden), "x"],
                                 "hidden": to(hidden)}, ANONYMOUS)["objectId"]
    row = store.fetch("Post", post, ANONYMOUS, keys="title", include="author,editors,hidden")
    assert row["author"] == {"__type": "Object", "className": "Author", "name": "ann", "objectId": author,
                             "createdAt": row["author"]["createdAt"], "updatedAt": row["author"]["updatedAt"]}
    assert row["editors"][0]["name"] == "ann" and row["editors"][1:] == [to(hidden), "x"]
    assert row["hidden"] == to(hidden)  # not readable: stays a pointer
    assert store.fetch("Post", post, MASTER, include=["hidden"])["hidden"]["name"] == "bob"
    assert store.query("Post", ANONYMOUS, include="author")["results"][0]["author"]["name"] == "ann"


def test_fifty_concurrent_creates(store: Store) -> None:
    ids: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(50)

    def create(number: int) -> None:
        try:
            barrier.wait()
            ids.append(store.create("Burst", {"number": number}, ANONYMOUS)["objectId"])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=create, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(set(ids)) == 50
    answer = store.query("Burst", ANONYMOUS, limit=1000, count=True)
    assert answer["count"] == 50
    assert sorted(row["number"] for row in answer["results"]) == list(range(50))


# ---- ACLs ---------------------------------------------------------------------------------------

@pytest.fixture
def people(store: Store) -> dict[str, Caller]:
    callers = {}
    for name in ("alice", "bob"):
        user = store.sign_up({"username": name, "password": "secret"}, ANONYMOUS)
        callers[name] = Caller(user=store.user_by_token(user["sessionToken"]), session_token=user["sessionToken"])
    return callers


@pytest.fixture
def notes(store: Store, people: dict[str, Caller]) -> dict[str, str]:
    alice = people["alice"].user_id
    acls = {
        "public": None,
        "private": {alice: {"read": True, "write": True}},
        "readonly": {"*": {"read": True}, alice: {"write": True}},
        "writeonly": {"*": {"write": True}},
        "nobody": {},
    }
    ids = {}
    for name, acl in acls.items():
        body = {"name": name} if acl is None else {"name": name, "ACL": acl}
        ids[name] = store.create("Note", body, MASTER)["objectId"]
    return ids


def visible(store: Store, caller: Caller, **options: Any) -> list[str]:
    return sorted(row["name"] for row in store.query("Note", caller, **options)["results"])


def test_queries_show_only_readable_objects(store: Store, people: dict[str, Caller], notes: dict[str, str]) -> None:
    assert visible(store, ANONYMOUS) == ["public", "readonly"]
    assert visible(store, people["bob"]) == ["public", "readonly"]
    assert visible(store, people["alice"]) == ["private", "public", "readonly"]
    assert visible(store, MASTER) == ["nobody", "private", "public", "readonly", "writeonly"]
    # filtered by the database: limit and count count readable objects only
    answer = store.query("Note", ANONYMOUS, order="name", limit=1, count=True)
    assert [row["name"] for row in answer["results"]] == ["public"] and answer["count"] == 2
    assert visible(store, people["alice"], where={"name": {"$in": ["private", "nobody"]}}) == ["private"]


def test_fetch_respects_read_rights(store: Store, people: dict[str, Caller], notes: dict[str, str]) -> None:
    assert store.fetch("Note", notes["private"], ANONYMOUS) == {}
    assert store.fetch("Note", notes["private"], people["alice"])["name"] == "private"
    assert store.fetch("Note", notes["nobody"], MASTER)["ACL"] == {}


def test_writes_respect_write_rights(store: Store, people: dict[str, Caller], notes: dict[str, str]) -> None:
    bob, alice = people["bob"], people["alice"]
    error = error_of(lambda: store.update("Note", notes["readonly"], {"name": "x"}, bob))
    assert (error.code, error.status) == (403, 403)
    assert error_of(lambda: store.update("Note", notes["private"], {"name": "x"}, bob)).code == 101
    assert error_of(lambda: store.delete("Note", notes["readonly"], ANONYMOUS)).code == 403
    store.delete("Note", notes["private"], bob)  # unreadable: as if absent, nothing deleted
    store.update("Note", notes["writeonly"], {"touched": True}, bob)  # may write without reading
    store.update("Note", notes["readonly"], {"touched": True}, alice)
    store.update("Note", notes["nobody"], {"touched": True}, MASTER)
    store.delete("Note", notes["private"], alice)
    assert sorted(row["name"] for row in store.query("Note", MASTER, where={"touched": True})["results"]) == \
        ["nobody", "readonly", "writeonly"]
    assert visible(store, MASTER) == ["nobody", "public", "readonly", "writeonly"]


# ---- users --------------------------------------------------------------------------------------

def test_sign_up_and_log_in(store: Store) -> None:
    answer = store.sign_up({"username": "ann", "password": "pw1", "email": "ann@example.org", "age": 30},
                           ANONYMOUS)
    assert set(answer) == {"objectId", "createdAt", "sessionToken"}
    assert re.fullmatch(r"[a-z0-9]{25}", answer["sessionToken"])
    for body in ({"username": "ann", "password": "pw1"}, {"email": "ann@example.org", "password": "pw1"}):
        user = store.log_in(body, ANONYMOUS)
        assert user["sessionToken"] == answer["sessionToken"] and user["age"] == 30
        assert user["objectId"] == answer["objectId"] and "password" not in user
    assert store.user_by_token(answer["sessionToken"])["username"] == "ann"
    assert store.user_by_token("x" * 25) is None and store.user_by_token("not a token") is None


def test_password_hash_is_stored_and_never_shown(store: Store) -> None:
    answer = store.sign_up({"username": "ann", "password": "hunter2"}, ANONYMOUS)
    me = Caller(user={"objectId": answer["objectId"]}, session_token=answer["sessionToken"])
    stored = store.backend.get("_User", answer["objectId"])["password"]
    assert stored.startswith("scrypt$16384$8$1$") and "hunter2" not in stored
    post = store.create("Post", {"by": {"__type": "Pointer", "className": "_User",
                                        "objectId": answer["objectId"]}}, ANONYMOUS)["objectId"]
    answers = [
        store.fetch("_User", answer["objectId"], me), store.fetch("_User", answer["objectId"], MASTER),
        store.query("_User", MASTER), store.log_in({"username": "ann", "password": "hunter2"}, ANONYMOUS),
        store.user_by_token(answer["sessionToken"]), store.create("_User", {"username": "b", "password": "c"},
                                                                   ANONYMOUS, fetch_when_save=True),
        store.fetch("Post", post, MASTER, include="by"),
        store.update("_User", answer["objectId"], {"age": 3}, me, fetch_when_save=True),
    ]
    text = json.dumps(answers)
    assert "scrypt" not in text and "hunter2" not in text and '"password"' not in text


def test_session_token_is_shown_to_its_user_only(store: Store) -> None:
    answer = store.sign_up({"username": "ann", "password": "pw"}, ANONYMOUS)
    me = Caller(user={"objectId": answer["objectId"]}, session_token=answer["sessionToken"])
    assert store.fetch("_User", answer["objectId"], me)["sessionToken"] == answer["sessionToken"]
    for caller in (ANONYMOUS, MASTER):
        assert "sessionToken" not in store.fetch("_User", answer["objectId"], caller)
        assert "sessionToken" not in store.query("_User", caller)["results"][0]


def test_secrets_cannot_be_queried(store: Store) -> None:
    store.sign_up({"username": "ann", "password": "pw"}, ANONYMOUS)
    assert error_of(lambda: store.query("_User", MASTER, where={"password": {"$regex": "^s"}})).code == 102
    assert error_of(lambda: store.query("_User", ANONYMOUS, where={"sessionToken": {"$exists": True}})).code == 102
    assert len(store.query("_User", MASTER, where={"sessionToken": {"$exists": True}})["results"]) == 1


@pytest.mark.parametrize("body, code", [
    ({"password": "pw"}, 200), ({"username": "", "password": "pw"}, 200),
    ({"username": "ann"}, 201), ({"username": "ann", "password": ""}, 201),
    ({"username": "  ", "password": "pw"}, 217), ({"username": 5, "password": "pw"}, 217),
    ({"username": "ann", "password": " "}, 218), ({"username": "ann", "password": ["pw"]}, 218),
    ({"username": "ann", "password": "pw", "email": "nobody"}, 125),
])
def test_sign_up_errors(store: Store, body: dict[str, Any], code: int) -> None:
    assert error_of(lambda: store.sign_up(body, ANONYMOUS)).code == code


def test_taken_username_and_email(store: Store) -> None:
    store.sign_up({"username": "ann", "password": "pw", "email": "a@x.org"}, ANONYMOUS)
    error = error_of(lambda: store.sign_up({"username": "ann", "password": "pw"}, ANONYMOUS))
    assert (error.code, error.error) == (202, "Username has already been taken.")
    error = error_of(lambda: store.create("_User", {"username": "bob", "password": "pw", "email": "a@x.org"},
                                          ANONYMOUS))
    assert (error.code, error.error) == (203, "This email address has already been taken.")
    bob = store.sign_up({"username": "bob", "password": "pw"}, ANONYMOUS)
    as_bob = Caller(user={"objectId": bob["objectId"]}, session_token=bob["sessionToken"])
    assert error_of(lambda: store.update("_User", bob["objectId"], {"username": "ann"}, as_bob)).code == 202
    assert error_of(lambda: store.update("_User", bob["objectId"], {"email": "a@x.org"}, as_bob)).code == 203


def test_log_in_errors(store: Store) -> None:
    store.sign_up({"username": "ann", "password": "pw"}, ANONYMOUS)
    assert error_of(lambda: store.log_in({"username": "ann", "password": "wrong"}, ANONYMOUS)).code == 210
    assert error_of(lambda: store.log_in({"username": "eve", "password": "pw"}, ANONYMOUS)).code == 211
    assert error_of(lambda: store.log_in({"password": "pw"}, ANONYMOUS)).code == 200
    assert error_of(lambda: store.log_in({"username": "ann"}, ANONYMOUS)).code == 201
    assert error_of(lambda: store.log_in("ann", ANONYMOUS)).code == 107


def test_a_user_is_changed_only_with_its_session_or_the_master_key(store: Store) -> None:
    ann = store.sign_up({"username": "ann", "password": "pw"}, ANONYMOUS)
    bob = store.sign_up({"username": "bob", "password": "pw"}, ANONYMOUS)
    as_bob = Caller(user={"objectId": bob["objectId"]}, session_token=bob["sessionToken"])
    as_ann = Caller(user={"objectId": ann["objectId"]}, session_token=ann["sessionToken"])
    for caller in (ANONYMOUS, as_bob):
        error = error_of(lambda: store.update("_User", ann["objectId"], {"age": 1}, caller))
        assert (error.code, error.error) == (206, "The user cannot be altered by a client without the session.")
        assert error_of(lambda: store.delete("_User", ann["objectId"], caller)).code == 206
        assert error_of(lambda: store.refresh_session_token(ann["objectId"], caller)).code == 206
    store.update("_User", ann["objectId"], {"age": 1, "sessionToken": "forged"}, as_ann)
    store.update("_User", ann["objectId"], {"password": "new"}, MASTER)
    assert store.log_in({"username": "ann", "password": "new"}, ANONYMOUS)["age"] == 1
    assert error_of(lambda: store.log_in({"username": "ann", "password": "pw"}, ANONYMOUS)).code == 210
    assert error_of(lambda: store.update("_User", ann["objectId"], {"password": ""}, as_ann)).code == 218
    store.delete("_User", bob["objectId"], as_bob)
    assert store.user_by_token(bob["sessionToken"]) is None


def test_refresh_session_token(store: Store) -> None:
    ann = store.sign_up({"username": "ann", "password": "pw"}, ANONYMOUS)
    as_ann = Caller(user={"objectId": ann["objectId"]}, session_token=ann["sessionToken"])
    user = store.refresh_session_token(ann["objectId"], as_ann)
    assert user["sessionToken"] != ann["sessionToken"] and "password" not in user
    assert store.user_by_token(ann["sessionToken"]) is None
    assert store.user_by_token(user["sessionToken"])["objectId"] == ann["objectId"]
    assert store.refresh_session_token(ann["objectId"], MASTER)["sessionToken"] != user["sessionToken"]
    assert error_of(lambda: store.refresh_session_token("f" * 24, MASTER)).code == 211


def test_unknown_user_is_211(store: Store) -> None:
    store.sign_up({"username": "ann", "password": "pw"}, ANONYMOUS)
    assert error_of(lambda: store.fetch("_User", "f" * 24, MASTER)).code == 211


def test_fifty_concurrent_sign_ups_with_one_name(store: Store) -> None:
    outcomes: list[Any] = []
    barrier = threading.Barrier(50)

    def sign_up() -> None:
        barrier.wait()
        try:
            outcomes.append(store.sign_up({"username": "same", "password": "pw"}, ANONYMOUS)["objectId"])
        except LeanCloudError as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=sign_up) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcome for outcome in outcomes if isinstance(outcome, int)) == [202] * 49
    assert len([outcome for outcome in outcomes if isinstance(outcome, str)]) == 1
    assert store.query("_User", MASTER, limit=0, count=True)["count"] == 1
