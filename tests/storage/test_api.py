"""The Python API of the object store (DESIGN.md §6) in-process, on SQLite and PostgreSQL.

`Object`, `Query`, `User`, `ACL`, `use_master_key` and `cherryc.runtime.leancloud` against
a real Store (tests/storage/conftest.py: a fresh database per test, on each backend),
made the active store as a running site makes it. Checked: classes by name, typed values
round-trip, every field operation and its merging, conditional and deep saves, fetch,
destroy, save_all/destroy_all, every query condition, order, paging, select, include,
count, or/and, users and the current user, errors as LeanCloudError codes, ACLs with
`use_master_key(False)`, and hooks fired by in-process saves without dead loops.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterator

import pytest

from cherryc.runtime import leancloud
from cherryc.runtime.leanengine import ACL, Engine, LeanEngineError, Object, Query, User, objects, use_master_key
from cherryc.runtime.leanengine.registry import CURRENT
from cherryc.runtime.storage import LeanCloudError, use_store
from cherryc.runtime.storage.store import Store

WHEN = datetime(2024, 2, 29, 23, 59, 58, 123000, tzinfo=timezone.utc)


@pytest.fixture
def api(store: Store, engine: Engine) -> Iterator[Engine]:
    """The store made active (as a running site does); its engine, to register hooks on."""
    use_store(store)
    try:
        yield engine
    finally:
        use_store(None)
        use_master_key(True)
        CURRENT.end()


def failure(call: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[int, str]:
    """(code, error) of the LeanCloudError a call raises."""
    with pytest.raises(LeanCloudError) as caught:
        call(*args, **kwargs)
    return caught.value.code, caught.value.error


def stored(class_name: str, object_id: str) -> Object:
    """The object as the store has it now (read with the master key)."""
    return Object.extend(class_name).create_without_data(object_id).fetch()


class Gadget(Object):
    """A class declared the way the official SDK allows."""

    def label(self) -> str:
        return f"gadget {self.get('name')}"


# ---- classes ---------------------------------------------------------------------------------

def test_extend_makes_one_class_per_name(monkeypatch: pytest.MonkeyPatch) -> None:
    # The classes declared here stay out of the process-wide registry of class names.
    monkeypatch.setattr(objects, "_classes", dict(objects._classes))
    todo = Object.extend("Todo")
    assert todo is Object.extend("Todo")
    assert (todo.class_name, todo.__name__, issubclass(todo, Object)) == ("Todo", "Todo", True)
    assert Object.extend("Gadget") is Gadget
    assert Object.extend("_User") is User
    assert Object.create("Todo", title="x").get("title") == "x"

    class Member(User):
        pass

    class Renamed(Object):
        class_name = "Stored_Name"

    assert (Member.class_name, Renamed.class_name) == ("_User", "Stored_Name")
    assert Object.extend("_User") is Member and Object.extend("Stored_Name") is Renamed
    with pytest.raises(RuntimeError, match="create_without_data"):
        Object.create_without_data("5f1a2b")
    assert Object.create_without_data("Todo", "5f1a2b").id == "5f1a2b"
    assert isinstance(Object.create_without_data("Todo", "5f1a2b"), Object.extend("Todo"))


def test_objects_read_back_are_of_their_declared_class(api: Engine) -> None:
    gadget = Gadget(name="lamp")
    gadget.save()
    found = Gadget.query.equal_to("name", "lamp").first()
    assert isinstance(found, Gadget) and found.label() == "gadget lamp"
    assert isinstance(Query("Gadget").get(gadget.id), Gadget)


# ---- saving, typed values --------------------------------------------------------------------

def test_typed_values_round_trip(api: Engine) -> None:
    owner = Object.create("Owner", name="Ann")
    owner.save()
    acl = ACL()
    acl.set_public_read_access(True)
    acl.set_write_access("someone", True)
    values = {
        "text": "Grüße ✓ <b>", "integer": 42, "real": 2.5, "yes": True, "nothing": None,
        "when": WHEN, "naive": datetime(2024, 1, 2, 3, 4, 5), "raw": b"\x00\xffbytes",
        "list": [1, "two", WHEN, [3]], "map": {"a": {"b": [1, 2]}, "at": WHEN},
        "owner": owner, "ACL": acl,
    }
    thing = Object.create("Thing", **values)
    thing.save()
    assert len(thing.id) == 24 and int(thing.id, 16) >= 0
    assert thing.created_at is not None and thing.created_at.tzinfo is not None
    assert thing.updated_at == thing.created_at and not thing.is_dirty()
    back = stored("Thing", thing.id)
    for key, value in values.items():
        if key == "owner":
            assert (back.get(key).class_name, back.get(key).id) == ("Owner", owner.id)
        elif key == "naive":  # a naive datetime is taken as UTC
            assert back.get(key) == value.replace(tzinfo=timezone.utc)
        else:
            assert back.get(key) == value, key
    assert isinstance(back.get("ACL"), ACL)
    assert back.get_acl().get_public_read_access() and back.get_acl().get_write_access("someone")
    assert (back.created_at, back.updated_at, back.get("objectId")) == (
        thing.created_at, thing.updated_at, thing.id)


def test_save_sends_only_the_changed_fields(api: Engine) -> None:
    note = Object.create("Note", a=1, b=1)
    note.save()
    first, second = (Object.extend("Note").create_without_data(note.id) for _ in range(2))
    first.set("a", 2)
    second.set("b", 3)
    first.save()
    second.save()  # sends b only: a stays as `first` saved it
    assert (stored("Note", note.id).get("a"), stored("Note", note.id).get("b")) == (2, 3)
    assert first.updated_at is not None and first.updated_at >= note.created_at


def test_field_operations_apply_locally_and_in_the_store(api: Engine) -> None:
    item = Object.create("Item", count=10, tags=["a", "b", "c", "b"], log=["start"], gone="x")
    item.save()
    item.increment("count")
    item.increment("count", -3)
    item.increment("score", 1.5)  # a missing field starts from 0
    item.remove("tags", "b")
    item.add("log", "d")
    item.add("log", "e")
    item.add_unique("labels", "x")
    item.unset("gone")
    expected = (8, 1.5, ["a", "c"], ["start", "d", "e"], ["x"])
    assert (item.get("count"), item.get("score"), item.get("tags"), item.get("log"),
            item.get("labels")) == expected
    assert not item.has("gone") and item.is_dirty("count") and not item.is_dirty("missing")
    item.save()
    assert not item.is_dirty()
    back = stored("Item", item.id)
    assert (back.get("count"), back.get("score"), back.get("tags"), back.get("log"),
            back.get("labels")) == expected
    assert not back.has("gone")
    back.add_unique("labels", "x")
    back.add_unique("labels", "y")
    back.save()
    assert stored("Item", item.id).get("labels") == ["x", "y"]


def test_increments_of_two_copies_add_up(api: Engine) -> None:
    counter = Object.create("Counter", hits=0)
    counter.save()
    copies = [Object.extend("Counter").create_without_data(counter.id) for _ in range(3)]
    for number, copy in enumerate(copies, 1):
        copy.increment("hits", number)
        copy.save()
    assert stored("Counter", counter.id).get("hits") == 6


def test_fetch_when_save_reads_the_stored_values_back(api: Engine) -> None:
    counter = Object.create("Counter", hits=1)
    counter.save()
    other = Object.extend("Counter").create_without_data(counter.id)
    other.increment("hits", 10)
    other.save()
    counter.increment("hits")
    counter.save()
    assert counter.get("hits") == 2  # the local guess
    counter.increment("hits")
    counter.save(fetch_when_save=True)
    assert counter.get("hits") == 13


def test_operations_on_one_field_merge_as_the_sdk_does() -> None:
    item = Object.create("Item")
    item.increment("n")
    item.increment("n", 4)
    item.set("list", [1])
    item.add("list", 2)
    item.add("more", 1)
    item.add("more", 2)
    item.remove("gone", 1)
    item.unset("gone")
    body = item._save_body()
    assert body == {"n": {"__op": "Increment", "amount": 5}, "list": [1, 2],
                    "more": {"__op": "Add", "objects": [1, 2]}, "gone": {"__op": "Delete"}}
    with pytest.raises(TypeError, match="cannot AddUnique a field after Add"):
        item.add_unique("more", 3)
    with pytest.raises(TypeError, match="increment needs a number"):
        item.increment("n", "1")
    with pytest.raises(ValueError, match="objectId is set by the server"):
        item.set("objectId", "x")
    with pytest.raises(TypeError, match="ACL field holds an ACL"):
        item.set("ACL", "public")


def test_a_conditional_save_refuses_with_305(api: Engine) -> None:
    account = Object.create("Account", balance=10)
    account.save()
    account.increment("balance", -8)
    account.save(where=Query("Account").greater_than_or_equal_to("balance", 8))
    account.increment("balance", -8)
    assert failure(account.save, where=Query("Account").greater_than_or_equal_to("balance", 8))[0] == 305
    assert stored("Account", account.id).get("balance") == 2
    with pytest.raises(TypeError, match="Query of class 'Account'"):
        account.save(where=Query("Other"))
    with pytest.raises(TypeError, match="saved before"):
        Object.create("Account").save(where=Query("Account"))


def test_new_objects_in_fields_are_saved_first(api: Engine) -> None:
    author = Object.create("Author", name="Ann")
    chapters = [Object.create("Chapter", number=n) for n in (1, 2)]
    book = Object.create("Book", author=author, chapters=chapters, meta={"cover": Object.create("Cover")})
    book.save()
    assert author.id and all(chapter.id for chapter in chapters) and book.get("meta")["cover"].id
    back = Query("Book").include("author").get(book.id)
    assert back.get("author").get("name") == "Ann"
    assert [chapter.id for chapter in back.get("chapters")] == [chapter.id for chapter in chapters]


def test_fetch_with_select_and_include(api: Engine) -> None:
    author = Object.create("Author", name="Ann", born=1970)
    author.save()
    book = Object.create("Book", title="T", pages=100, author=author)
    book.save()
    partial = Object.extend("Book").create_without_data(book.id).fetch(select=["title"])
    assert (partial.get("title"), partial.has("pages"), partial.created_at) == ("T", False, book.created_at)
    whole = Object.extend("Book").create_without_data(book.id).fetch(include=["author"])
    assert whole.get("author").get("born") == 1970
    plain = Object.extend("Book").create_without_data(book.id).fetch()
    assert (plain.get("author").id, plain.get("author").has("born")) == (author.id, False)
    with pytest.raises(TypeError):
        plain.fetch(select="title")


def test_fetch_drops_local_changes(api: Engine) -> None:
    note = Object.create("Note", text="stored")
    note.save()
    note.set("text", "local")
    note.fetch()
    assert (note.get("text"), note.is_dirty()) == ("stored", False)


def test_destroy_and_missing_objects(api: Engine) -> None:
    note = Object.create("Note", text="bye")
    note.save()
    note.destroy()
    assert failure(Object.extend("Note").create_without_data(note.id).fetch) == (101, "Object not found.")
    assert failure(Query("Note").get, note.id)[0] == 101
    assert failure(Query("Note").get, "")[0] == 101
    assert failure(Query("Note").first) == (101, "Object not found")
    assert failure(Object.extend("Note")().fetch)[0] == 104
    Object.create("Note").destroy()  # never saved: nothing to do
    assert failure(Object.extend("NeverStored").create_without_data("0" * 24).fetch)[0] == 101


def test_save_all_and_destroy_all(api: Engine) -> None:
    notes = [Object.create("Note", n=n) for n in range(3)]
    Object.save_all(notes)
    assert Query("Note").count() == 3
    Object.destroy_all(notes[:2])
    assert [note.get("n") for note in Query("Note").find()] == [2]
    with pytest.raises(ValueError, match="unsaved"):
        Object.destroy_all([Object.create("Note")])


def test_save_all_tries_every_object_and_raises_the_first_error(api: Engine) -> None:
    @api.before_save("Picky")
    def refuse_bad(picky: Object) -> None:
        if picky.get("bad"):
            raise LeanEngineError(message=f"no {picky.get('n')}")

    objects = [Object.create("Picky", n=n, bad=n in (1, 3)) for n in range(5)]
    assert failure(Object.save_all, objects) == (142, "Cloud Code validation failed. Error detail: no 1")
    assert sorted(obj.get("n") for obj in Query("Picky").find()) == [0, 2, 4]


# ---- queries ---------------------------------------------------------------------------------

@pytest.fixture
def people(api: Engine) -> dict[str, Object]:
    """Six people with every kind of field a condition can look at."""
    team = Object.create("Team", name="red")
    team.save()
    rows = [
        ("ann", 10, ["a", "b"], WHEN, team, "Ann.Smith"),
        ("bob", 20, ["b"], WHEN + timedelta(days=1), None, "bob jones"),
        ("cy", 30, ["a", "b", "c"], WHEN + timedelta(days=2), team, "Cy (the third)"),
        ("dee", 40, [], WHEN - timedelta(days=1), None, "DEE"),
        ("eve", 50, ["c"], WHEN + timedelta(days=3), None, "eve.x"),
        ("fox", 60, ["a"], WHEN + timedelta(days=4), None, None),
    ]
    people = {}
    for name, score, tags, born, person_team, title in rows:
        person = Object.create("Person", name=name, score=score, tags=tags, born=born)
        if person_team is not None:
            person.set("team", person_team)
        if title is not None:
            person.set("title", title)
        people[name] = person
    Object.save_all(people.values())
    return people


def names(query: Query) -> list[str]:
    return sorted(person.get("name") for person in query.find())


def person_query() -> Query:
    return Query("Person")


CONDITIONS: list[tuple[str, Callable[[Query, dict[str, Object]], Query], list[str]]] = [
    ("equal_to", lambda q, p: q.equal_to("score", 20), ["bob"]),
    ("equal_to an array element", lambda q, p: q.equal_to("tags", "c"), ["cy", "eve"]),
    ("equal_to a pointer", lambda q, p: q.equal_to("team", p["ann"].get("team")), ["ann", "cy"]),
    ("equal_to a date", lambda q, p: q.equal_to("born", WHEN), ["ann"]),
    ("not_equal_to", lambda q, p: q.not_equal_to("score", 20), ["ann", "cy", "dee", "eve", "fox"]),
    ("less_than", lambda q, p: q.less_than("score", 30), ["ann", "bob"]),
    ("less_than_or_equal_to", lambda q, p: q.less_than_or_equal_to("score", 30), ["ann", "bob", "cy"]),
    ("greater_than", lambda q, p: q.greater_than("score", 40), ["eve", "fox"]),
    ("greater_than_or_equal_to", lambda q, p: q.greater_than_or_equal_to("score", 40), ["dee", "eve", "fox"]),
    ("a range", lambda q, p: q.greater_than("score", 10).less_than("score", 40), ["bob", "cy"]),
    ("dates", lambda q, p: q.greater_than("born", WHEN).less_than("born", WHEN + timedelta(days=3)),
     ["bob", "cy"]),
    ("contained_in", lambda q, p: q.contained_in("name", ["ann", "eve", "zed"]), ["ann", "eve"]),
    ("not_contained_in", lambda q, p: q.not_contained_in("name", ("ann", "eve")), ["bob", "cy", "dee", "fox"]),
    ("contains_all", lambda q, p: q.contains_all("tags", ["a", "b"]), ["ann", "cy"]),
    ("exists", lambda q, p: q.exists("team"), ["ann", "cy"]),
    ("does_not_exist", lambda q, p: q.does_not_exist("title"), ["fox"]),
    ("matched", lambda q, p: q.matched("title", "^[a-c]"), ["bob"]),
    ("matched ignoring case", lambda q, p: q.matched("title", "^[a-c]", ignore_case=True), ["ann", "bob", "cy"]),
    ("startswith", lambda q, p: q.startswith("title", "Ann."), ["ann"]),
    ("startswith quotes", lambda q, p: q.startswith("title", "Cy ("), ["cy"]),
    ("endswith", lambda q, p: q.endswith("title", "(the third)"), ["cy"]),
    ("contains", lambda q, p: q.contains("title", "."), ["ann", "eve"]),
    ("contains is no regex", lambda q, p: q.contains("title", ".*"), []),
    ("objectId", lambda q, p: q.equal_to("objectId", p["dee"].id), ["dee"]),
    ("createdAt", lambda q, p: q.greater_than_or_equal_to("createdAt", p["ann"].created_at),
     ["ann", "bob", "cy", "dee", "eve", "fox"]),
    ("or_", lambda q, p: Query.or_(person_query().equal_to("name", "ann"), person_query().greater_than("score", 50)),
     ["ann", "fox"]),
    ("and_", lambda q, p: Query.and_(person_query().greater_than("score", 10), person_query().equal_to("tags", "a")),
     ["cy", "fox"]),
]


def test_every_condition(people: dict[str, Object]) -> None:
    for label, build, expected in CONDITIONS:
        assert names(build(person_query(), people)) == expected, label


def test_order_limit_skip_and_count(people: dict[str, Object]) -> None:
    def ordered(query: Query) -> list[str]:
        return [person.get("name") for person in query.find()]

    assert ordered(person_query().descending("score")) == ["fox", "eve", "dee", "cy", "bob", "ann"]
    assert ordered(person_query().ascending("born")) == ["dee", "ann", "bob", "cy", "eve", "fox"]
    assert ordered(person_query().descending("name").ascending("score").limit(2)) == ["ann", "bob"]
    Object.create("Person", name="ann", score=99).save()
    assert ordered(person_query().ascending("name").add_descending("score").limit(2)) == ["ann", "ann"]
    assert [p.get("score") for p in person_query().ascending("name").add_descending("score").limit(2).find()] == [99, 10]
    assert ordered(person_query().ascending("score").add_ascending("name").skip(5).limit(10)) == ["fox", "ann"]
    assert person_query().greater_than("score", 20).count() == 5
    assert person_query().greater_than("score", 20).limit(1).skip(3).count() == 5
    assert person_query().limit(0).find() == []


def test_first_select_and_include(people: dict[str, Object]) -> None:
    first = person_query().ascending("score").first()
    assert first.get("name") == "ann"
    selected = person_query().equal_to("name", "ann").select("name", "score").first()
    assert (selected.get("score"), selected.has("tags"), selected.id) == (10, False, people["ann"].id)
    included = person_query().equal_to("name", "cy").include("team").first()
    assert included.get("team").get("name") == "red"
    assert person_query().equal_to("name", "cy").first().get("team").has("name") is False
    got = person_query().select(["name"]).get(people["bob"].id)
    assert (got.get("name"), got.has("score")) == ("bob", False)


def test_query_destroy_all_runs_the_delete_hooks(api: Engine, people: dict[str, Object]) -> None:
    deleted: list[str] = []
    api.after_delete("Person")(lambda person: deleted.append(person.get("name")))
    person_query().less_than("score", 35).destroy_all()
    assert sorted(deleted) == ["ann", "bob", "cy"]
    assert names(person_query()) == ["dee", "eve", "fox"]


def test_queries_check_their_arguments(api: Engine) -> None:
    with pytest.raises(ValueError, match="limit"):
        person_query().limit(1001)
    with pytest.raises(ValueError, match="skip"):
        person_query().skip(-1)
    with pytest.raises(TypeError):
        person_query().matched("title", 5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="two queries"):
        Query.or_(person_query())
    with pytest.raises(TypeError, match="same class"):
        Query.and_(person_query(), Query("Team"))
    with pytest.raises(ValueError, match="class name"):
        Query(42)  # type: ignore[arg-type]
    Object.create("Person", title="x").save()
    code, message = failure(person_query().matched("title", "(").find)
    assert code == 102 and "regular expression" in message
    assert failure(Query("NoSuchClass").find)[0] == 101


def test_a_query_dumps_as_the_rest_parameters() -> None:
    query = (Query("Person").equal_to("name", "ann").greater_than("score", 1).less_than("score", 9)
             .startswith("title", "a.b").descending("score").add_ascending("name")
             .select("name").include("team").limit(5).skip(2))
    assert query.dump() == {
        "where": {"name": "ann", "score": {"$gt": 1, "$lt": 9}, "title": {"$regex": "^\\Qa.b\\E"}},
        "order": "-score,name", "keys": "name", "include": "team", "limit": 5, "skip": 2}


# ---- errors ----------------------------------------------------------------------------------

def test_storage_errors_are_lean_cloud_errors_with_the_rest_code(api: Engine) -> None:
    assert leancloud.LeanCloudError is LeanCloudError
    assert failure(Object.create("Note", **{"bad name": 1}).save)[0] == 105
    assert failure(Object.create("Note", **{"__op": 1}).save)[0] == 105
    with pytest.raises(RuntimeError, match="no object store is active"):
        use_store(None)
        Object.create("Note").save()


# ---- users -----------------------------------------------------------------------------------

def test_sign_up_log_in_become_and_log_out(api: Engine) -> None:
    ann = User()
    ann.set_email("ann@example.com")
    ann.sign_up("ann", "ann's secret")
    assert len(ann.id) == 24 and ann.session_token and ann.get_session_token() == ann.session_token
    assert (ann.get_username(), ann.get_email(), ann.has("password")) == ("ann", "ann@example.com", False)
    assert User.get_current() is ann and ann.is_current and CURRENT.session_token == ann.session_token
    ann.logout()
    assert User.get_current() is None and not ann.is_current

    again = User()
    again.login("ann", "ann's secret")
    assert (again.id, again.has("password"), User.get_current() is again) == (ann.id, False, True)
    assert again.session_token and again.is_authenticated()
    by_email = User()
    by_email.login(email="ann@example.com", password="ann's secret")
    assert by_email.id == ann.id
    became = User.become(again.session_token)
    assert (became.id, became.get_username(), User.get_current() is became) == (ann.id, "ann", True)


def test_user_errors(api: Engine) -> None:
    User().sign_up("ann", "secret")
    assert failure(User().sign_up, "ann", "other")[0] == 202
    assert failure(User().login, "ann", "wrong")[0] == 210
    assert failure(User().login, "nobody", "secret")[0] == 211
    assert failure(User.become, "not-a-token")[0] == 211
    with pytest.raises(TypeError, match="invalid password"):
        User().sign_up("bob")
    with pytest.raises(TypeError, match="invalid username"):
        User().sign_up(password="x")


def test_refresh_session_token_retires_the_old_one(api: Engine) -> None:
    ann = User()
    ann.sign_up("ann", "secret")
    old = ann.session_token
    ann.refresh_session_token()
    assert ann.session_token != old and CURRENT.session_token == ann.session_token
    assert failure(User.become, old)[0] == 211
    assert User.become(ann.session_token).id == ann.id
    assert not User.create_without_data(ann.id).is_authenticated()


def test_on_login_hook_can_refuse(api: Engine) -> None:
    @api.on_login
    def refuse_blocked(user: User) -> None:
        assert isinstance(user, User)
        if user.get("blocked"):
            raise LeanEngineError(message="blocked")

    mallory = User(blocked=True)
    mallory.sign_up("mallory", "secret")
    with pytest.raises(LeanCloudError) as caught:
        User().login("mallory", "secret")
    assert caught.value.status == 401 and "blocked" in caught.value.error
    User(blocked=False).sign_up("ann", "secret")
    User().login("ann", "secret")


def test_a_user_saves_itself_with_its_session(api: Engine) -> None:
    use_master_key(False)
    ann = User()
    ann.sign_up("ann", "secret")
    ann.set("nickname", "annie")
    ann.save()
    bob = User()
    bob.sign_up("bob", "secret")  # now the current user
    ann.set("nickname", "hacked")
    assert failure(ann.save)[0] == 206
    use_master_key(True)
    assert stored("_User", ann.id).get("nickname") == "annie"


# ---- use_master_key(False) and ACLs ----------------------------------------------------------

def test_acls_apply_when_acting_as_the_current_user(api: Engine) -> None:
    ann, bob = User(), User()
    ann.sign_up("ann", "secret")
    bob.sign_up("bob", "secret")
    use_master_key(False)
    User.set_current(ann)
    private_acl = ACL()
    private_acl.set_read_access(ann, True)
    private_acl.set_write_access(ann.id, True)
    shared_acl = ACL()
    shared_acl.set_public_read_access(True)
    shared_acl.set_write_access(ann, True)
    private = Object.create("Diary", text="mine", ACL=private_acl)
    shared = Object.create("Diary", text="ours")
    shared.set_acl(shared_acl)
    Object.save_all([private, shared])
    assert sorted(d.get("text") for d in Query("Diary").find()) == ["mine", "ours"]

    User.set_current(bob)
    assert [d.get("text") for d in Query("Diary").find()] == ["ours"]
    assert failure(Object.extend("Diary").create_without_data(private.id).fetch)[0] == 101
    change = Object.extend("Diary").create_without_data(shared.id)
    change.set("text", "bob was here")
    assert failure(change.save) == (403, "Forbidden to write this object by its ACL.")
    Object.extend("Diary").create_without_data(private.id).destroy()

    User.set_current(None)  # anonymous
    assert [d.get("text") for d in Query("Diary").find()] == ["ours"]

    use_master_key(True)  # the master key ignores ACLs
    assert sorted(d.get("text") for d in Query("Diary").find()) == ["mine", "ours"]


def test_acl_builder() -> None:
    acl = ACL({"u1": {"read": True}})
    acl.set_write_access("u1", True)
    acl.set_read_access("u1", False)
    acl.set_role_read_access("admins", True)
    acl.set_public_write_access(True)
    acl.set_public_write_access(False)
    assert acl.dump() == {"u1": {"write": True}, "role:admins": {"read": True}}
    assert (acl.get_write_access("u1"), acl.get_read_access("u1"), acl.get_role_read_access("admins"),
            acl.get_public_read_access(), acl.get_role_write_access("admins")) == (True, False, True, False, False)
    with pytest.raises(ValueError, match="saved user"):
        acl.set_read_access(User(), True)


# ---- hooks -----------------------------------------------------------------------------------

def test_before_save_may_change_or_refuse_an_in_process_save(api: Engine) -> None:
    @api.before_save("Review")
    def check(review: Object) -> None:
        if not review.get("comment"):
            raise LeanEngineError(message="No comment provided!")
        review.set("comment", review.get("comment")[:5])

    review = Object.create("Review", comment="far too long")
    review.save()
    assert stored("Review", review.id).get("comment") == "far t"
    assert failure(Object.create("Review", stars=1).save) == (
        142, "Cloud Code validation failed. Error detail: No comment provided!")
    assert Query("Review").count() == 1


def test_after_hooks_see_the_saved_object_and_the_acting_user(api: Engine) -> None:
    seen: list[Any] = []

    @api.after_save("Event")
    def after_save(event: Object) -> None:
        user = api.current.user
        seen.append((event.id, event.get("kind"), user.get("username") if user else None))

    @api.after_update("Event")
    def after_update(event: Object) -> None:
        seen.append(("update", event.updated_keys, event.get("kind")))

    event = Object.create("Event", kind="a")
    event.save()
    event.set("kind", "b")
    event.save()
    ann = User()
    ann.sign_up("ann", "secret")
    use_master_key(False)
    Object.create("Event", kind="c").save()
    assert seen[:2] == [(event.id, "a", None), ("update", ["kind"], "b")]
    assert seen[2][1:] == ("c", "ann")
    assert User.get_current() is ann  # the hook's user was the caller's: nothing changed


def test_an_after_update_saving_its_own_object_does_not_loop(api: Engine) -> None:
    runs: list[int] = []

    @api.after_update("Post")
    def count_updates(post: Object) -> None:
        runs.append(post.get("updates", 0))
        post.increment("updates")
        post.save()  # carries __ignore_hooks: this update runs no after-hook

    post = Object.create("Post", title="a")
    post.save()
    for title in ("b", "c"):
        post.set("title", title)
        post.save()
    assert runs == [0, 1]
    assert stored("Post", post.id).get("updates") == 2


def test_an_object_made_anew_needs_disable_after_hook(api: Engine) -> None:
    runs: list[str] = []

    @api.after_update("Post")
    def resave(post: Object) -> None:
        runs.append(post.id)
        if len(runs) < 3:  # a fresh copy without disable_after_hook runs the hook again
            fresh = Object.extend("Post").create_without_data(post.id)
            fresh.increment("touched")
            fresh.save()
        fresh = Object.extend("Post").create_without_data(post.id).fetch()
        fresh.disable_after_hook()
        fresh.increment("quiet")
        fresh.save()

    post = Object.create("Post")
    post.save()
    post.set("title", "x")
    post.save()
    back = stored("Post", post.id)
    assert (len(runs), back.get("touched"), back.get("quiet")) == (3, 2, 3)


def test_hook_flags_skip_hooks_of_in_process_calls(api: Engine) -> None:
    calls: list[str] = []
    for hook in ("before_save", "after_save", "before_update", "after_update", "before_delete", "after_delete"):
        getattr(api, hook)("Task")(lambda task, hook=hook: calls.append(hook))

    quiet = Object.create("Task").disable_before_hook()
    quiet.save()
    quiet.set("x", 1)
    quiet.save()
    assert calls == ["after_save", "after_update"]
    calls.clear()
    quiet.ignored_hooks.clear()
    quiet.disable_after_hook()
    quiet.destroy()
    assert calls == ["before_delete"]
    calls.clear()
    loud = Object.create("Task")
    loud.save()
    loud.ignore_hook("beforeDelete")
    loud.destroy()
    assert calls == ["before_save", "after_save", "after_delete"]
    with pytest.raises(ValueError, match="invalid hook name"):
        loud.ignore_hook("onLogin")


def test_an_after_hook_error_is_logged_and_the_write_stands(api: Engine, storage_log: list[str]) -> None:
    @api.after_save("Fragile")
    def broken(obj: Object) -> None:
        raise KeyError("oops")

    fragile = Object.create("Fragile", n=1)
    fragile.save()
    assert stored("Fragile", fragile.id).get("n") == 1
    assert any("afterSave" in line and "KeyError" in line for line in storage_log)


# ---- the leancloud module --------------------------------------------------------------------

def test_the_leancloud_module_has_the_official_names() -> None:
    from cherryc.runtime.leanengine import cloudfunc
    from cherryc.runtime.leanengine import errors

    assert (leancloud.Object, leancloud.User, leancloud.Query, leancloud.ACL) == (Object, User, Query, ACL)
    assert (leancloud.Engine, leancloud.LeanEngineError) == (Engine, errors.LeanEngineError)
    assert leancloud.cloud is cloudfunc and leancloud.cloudfunc is cloudfunc
    assert callable(leancloud.cloud.run) and callable(leancloud.cloud.rpc) and callable(leancloud.cloud.run.local)
    assert leancloud.use_master_key is use_master_key
    leancloud.init("app-id", "app-key")  # accepted: the site's keys come from its configuration
    leancloud.init("app-id", master_key="master")
    leancloud.use_production(True)
    with pytest.raises(RuntimeError, match="app_key or master_key"):
        leancloud.init("app-id")
    assert set(leancloud.__all__) >= {"Engine", "LeanEngineError", "LeanCloudError", "Object", "Query",
                                      "User", "ACL", "cloud", "cloudfunc", "use_master_key", "init"}
