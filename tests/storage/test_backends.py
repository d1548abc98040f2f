"""The backends on their own, SQLite and PostgreSQL alike: every `where` operator, order, field
types, indexes (and their use, by EXPLAIN), unique violations, sessions, threads, fork, SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

from cherryc.runtime.storage.backend import open_backend
from cherryc.runtime.storage.errors import LeanCloudError
from cherryc.runtime.storage.schema import normalize_value
from cherryc.runtime.storage.sql import UniqueViolation
from cherryc.runtime.storage.sqlbackend import SQLBackend
from cherryc.runtime.storage.where import parse_where

CREATED = "2024-01-01T00:00:00.000Z"


def date(iso: str) -> dict[str, str]:
    return {"__type": "Date", "iso": iso}


def pointer(object_id: str) -> dict[str, str]:
    return {"__type": "Pointer", "className": "Post", "objectId": object_id}


@pytest.fixture
def backend(backend_url: str) -> Iterator[SQLBackend]:
    opened = open_backend(backend_url)
    try:
        yield opened  # type: ignore[misc]
    finally:
        opened.close()


def object_id(name: str) -> str:
    return name * 24


OBJECTS = {
    "a": {"n": 1, "s": "apple", "tags": ["x", "y"], "when": date("2020-01-01T00:00:00Z"), "flag": True,
          "post": pointer("p1"), "address": {"city": "paris"}, "text": "first line\nsecond"},
    "b": {"n": 5, "s": "banana", "tags": ["y"], "when": date("2021-06-01T12:00:00.250Z"), "flag": False,
          "post": pointer("p2"), "address": {"city": "rome"}, "text": "Second"},
    "c": {"n": 10.5, "s": "cherry", "tags": [], "when": date("2022-01-01T00:00:00Z"), "nul": None},
    "d": {},
}

QUERIES = [
    ({"n": 5}, "b"),
    ({"tags": "y"}, "ab"),
    ({"tags": ["y"]}, "b"),
    ({"nul": None}, "abcd"),
    ({"n": None}, "d"),
    ({"n": {"$eq": 1}}, "a"),
    ({"n": {"$ne": 5}}, "acd"),
    ({"n": {"$ne": None}}, "abc"),
    ({"tags": {"$ne": "y"}}, "cd"),
    ({"n": {"$lt": 5}}, "a"),
    ({"n": {"$lte": 5}}, "ab"),
    ({"n": {"$gt": 5}}, "c"),
    ({"n": {"$gte": 1, "$lt": 10}}, "ab"),
    ({"s": {"$gt": "b"}}, "bc"),
    ({"n": {"$lt": "z"}}, ""),
    ({"s": {"$gt": 0}}, ""),
    ({"when": {"$gte": date("2021-06-01T12:00:00.250Z")}}, "bc"),
    ({"when": {"$lt": date("2021-06-01T12:00:00.250Z")}}, "a"),
    ({"when": date("2020-01-01T00:00:00.000Z")}, "a"),
    ({"tags": {"$gt": "x"}}, "ab"),
    ({"n": {"$in": [1, 10.5]}}, "ac"),
    ({"n": {"$in": [1, None]}}, "ad"),
    ({"n": {"$in": []}}, ""),
    ({"tags": {"$in": ["x", "z"]}}, "a"),
    ({"n": {"$nin": [1, 5]}}, "cd"),
    ({"n": {"$nin": [1, None]}}, "bc"),
    ({"n": {"$nin": []}}, "abcd"),
    ({"tags": {"$nin": ["y"]}}, "cd"),
    ({"tags": {"$all": ["x", "y"]}}, "a"),
    ({"tags": {"$all": ["y"]}}, "ab"),
    ({"n": {"$all": [5]}}, "b"),
    ({"nul": {"$exists": True}}, "c"),
    ({"n": {"$exists": False}}, "d"),
    ({"address.city": {"$exists": True}}, "ab"),
    ({"s": {"$regex": "^b"}}, "b"),
    ({"s": {"$regex": "^B", "$options": "i"}}, "b"),
    ({"text": {"$regex": "^second", "$options": "m"}}, "a"),
    ({"text": {"$regex": "^second", "$options": "im"}}, "ab"),
    ({"text": {"$regex": "^second$"}}, ""),
    ({"text": {"$regex": "line.second"}}, ""),
    ({"text": {"$regex": "line.second", "$options": "s"}}, "a"),
    ({"s": {"$regex": "a p p  # a comment", "$options": "x"}}, "a"),
    ({"s": {"$regex": "\\Qan\\E"}}, "b"),
    ({"s": {"$regex": "\\Q.\\E"}}, ""),
    ({"n": {"$regex": "5"}}, ""),
    ({"tags": {"$regex": "^x"}}, "a"),
    ({"$or": [{"n": 1}, {"s": "cherry"}]}, "ac"),
    ({"$and": [{"n": {"$gt": 0}}, {"n": {"$lt": 6}}]}, "ab"),
    ({"$or": [{"n": 1}, {"$and": [{"n": {"$gt": 1}}, {"tags": "y"}]}]}, "ab"),
    ({"address.city": "rome"}, "b"),
    ({"post": pointer("p1")}, "a"),
    ({"post": {"$in": [pointer("p2"), pointer("p3")]}}, "b"),
    ({"flag": True}, "a"),
    ({"flag": False}, "b"),
    ({"objectId": object_id("a")}, "a"),
    ({"objectId": {"$in": [object_id("b"), object_id("c")]}}, "bc"),
    ({"objectId": {"$nin": [object_id("b")]}}, "acd"),
    ({"createdAt": {"$lte": date(CREATED)}}, "abcd"),
    ({"createdAt": {"$gt": date(CREATED)}}, ""),
    ({"updatedAt": CREATED}, "abcd"),
]


@pytest.fixture
def filled(backend: SQLBackend) -> SQLBackend:
    for name, data in OBJECTS.items():
        backend.insert("Thing", object_id(name), CREATED, normalize_value({"name": name, **data}))
    return backend


def names(rows: list[dict[str, Any]]) -> str:
    return "".join(sorted(row["name"] for row in rows))


@pytest.mark.parametrize("where, expected", QUERIES, ids=[str(q[0]) for q in QUERIES])
def test_where_operators(filled: SQLBackend, where: dict[str, Any], expected: str) -> None:
    condition = parse_where(where)
    assert names(filled.find("Thing", condition, [], 100, 0)) == expected
    assert filled.count("Thing", condition) == len(expected)


def test_where_with_an_index_gives_the_same_answers(filled: SQLBackend) -> None:
    for field in ("n", "s", "tags", "when", "post", "flag"):
        filled.ensure_index("Thing", field)
    for where, expected in QUERIES:
        assert names(filled.find("Thing", parse_where(where), [], 100, 0)) == expected, where


def test_order_limit_skip(filled: SQLBackend) -> None:
    def order(*terms: tuple[str, bool], limit: int = 100, skip: int = 0) -> str:
        return "".join(row["name"] for row in filled.find("Thing", None, list(terms), limit, skip))

    assert order(("n", False)) == "dabc"  # missing values first
    assert order(("n", True)) == "cbad"
    assert order(("s", True), limit=2) == "cb"
    assert order(("s", True), limit=2, skip=2) == "ad"
    assert order(("createdAt", False), ("objectId", True)) == "dcba"  # ties broken by the later key
    assert order(("flag", False), ("n", True)) == "cdba"
    assert order() == "abcd"  # by objectId


def test_get_many_update_delete(backend: SQLBackend) -> None:
    backend.insert("Thing", "1" * 24, CREATED, {"n": 1})
    backend.insert("Thing", "2" * 24, CREATED, {"n": 2})
    assert set(backend.get_many("Thing", ["1" * 24, "2" * 24, "3" * 24, "1" * 24])) == {"1" * 24, "2" * 24}
    later = "2024-01-02T00:00:00.000Z"
    assert backend.update("Thing", "1" * 24, {"n": 5}, later, parse_where({"n": 2})) is None
    row = backend.update("Thing", "1" * 24, {"n": {"__op": "Increment", "amount": 4}}, later,
                         parse_where({"n": 1}))
    assert row == {"n": 5, "objectId": "1" * 24, "createdAt": CREATED, "updatedAt": later}
    assert backend.get("Thing", "1" * 24) == row
    assert backend.update("Thing", "9" * 24, {"n": 1}, later) is None
    assert backend.delete("Thing", "2" * 24, parse_where({"n": 3})) is False
    assert backend.delete("Thing", "2" * 24, parse_where({"n": 2})) is True
    assert backend.delete("Thing", "2" * 24) is False
    assert backend.get("Thing", "2" * 24) is None


def test_unknown_class_reads_are_empty(backend: SQLBackend) -> None:
    assert not backend.class_exists("Nothing")
    assert backend.get("Nothing", "1" * 24) is None
    assert backend.find("Nothing", parse_where({"n": 1}), [("n", True)], 10, 0) == []
    assert backend.count("Nothing", None) == 0
    assert backend.update("Nothing", "1" * 24, {"n": 1}, CREATED) is None
    assert backend.delete("Nothing", "1" * 24) is False


def test_sqlite_reads_make_no_file(tmp_path: Path) -> None:
    path = tmp_path / "lazy.db"
    backend = open_backend(f"sqlite:///{path}")
    assert backend.get("Thing", "1" * 24) is None and backend.find("Thing", None, [], 10, 0) == []
    assert backend.session_load("s", 0.0) is None
    backend.session_clean(0.0)
    assert not backend.class_exists("Thing") and not path.exists()
    backend.insert("Thing", "1" * 24, CREATED, {})
    assert path.exists() and backend.class_exists("Thing")
    backend.close()


def test_sqlite_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cherryc.runtime.storage.sqlite_backend import sqlite_path

    monkeypatch.chdir(tmp_path)
    assert sqlite_path("sqlite:///data/site.db") == (str(tmp_path / "data" / "site.db"), {})
    assert sqlite_path("sqlite:////abs/site.db?synchronous=normal") == ("/abs/site.db", {"synchronous": "normal"})
    for url, words in [("sqlite:///", "names no database file"), ("sqlite:///x.db?cache=1", "unknown option"),
                       ("sqlite:///x.db?synchronous=off", "synchronous must be")]:
        with pytest.raises(ValueError, match=words):
            open_backend(url)
    with pytest.raises(ValueError, match="unknown storage URL"):
        open_backend("mysql://localhost/db")


def test_a_field_keeps_its_type(backend: SQLBackend) -> None:
    backend.insert("Thing", "1" * 24, CREATED, {"n": 1, "nothing": None})
    with pytest.raises(LeanCloudError) as caught:
        backend.insert("Thing", "2" * 24, CREATED, {"n": "one"})
    assert caught.value.code == 111 and "field 'n' of Thing: expected Number, got String" in caught.value.error
    with pytest.raises(LeanCloudError):
        backend.update("Thing", "1" * 24, {"n": [1]}, CREATED)
    backend.insert("Thing", "3" * 24, CREATED, {"n": None, "nothing": "now a string"})
    assert backend.get("Thing", "2" * 24) is None and backend.get("Thing", "1" * 24)["n"] == 1


def test_field_types_are_shared_between_backends_of_one_database(backend_url: str) -> None:
    first, second = open_backend(backend_url), open_backend(backend_url)
    try:
        first.insert("Thing", "1" * 24, CREATED, {"tags": ["a"]})
        assert [row["objectId"] for row in second.find("Thing", parse_where({"tags": "a"}), [], 10, 0)] == ["1" * 24]
        with pytest.raises(LeanCloudError) as caught:
            second.insert("Thing", "2" * 24, CREATED, {"tags": "a"})
        assert caught.value.code == 111
    finally:
        first.close()
        second.close()


def test_class_names_may_not_differ_only_in_case(backend: SQLBackend) -> None:
    backend.insert("Thing", "1" * 24, CREATED, {})
    with pytest.raises(LeanCloudError) as caught:
        backend.insert("THING", "2" * 24, CREATED, {})
    assert caught.value.code == 103 and "'Thing' exists" in caught.value.error


def test_unique_index(backend: SQLBackend) -> None:
    backend.ensure_index("Account", "email", unique=True)
    backend.ensure_index("Account", "email", unique=True)  # idempotent
    backend.insert("Account", "1" * 24, CREATED, {"email": "a@x.org"})
    backend.insert("Account", "2" * 24, CREATED, {})
    backend.insert("Account", "3" * 24, CREATED, {})  # several without a value are fine
    with pytest.raises(UniqueViolation) as caught:
        backend.insert("Account", "4" * 24, CREATED, {"email": "a@x.org"})
    assert (caught.value.code, caught.value.field) == (137, "email")
    with pytest.raises(UniqueViolation):
        backend.update("Account", "2" * 24, {"email": "a@x.org"}, CREATED)
    assert backend.get("Account", "2" * 24)["updatedAt"] == CREATED


def test_index_names_are_checked(backend: SQLBackend) -> None:
    for class_name, field, code in [("Bad-Class", "n", 103), ("Thing", "bad field", 105), ("Thing", "a.b", 105)]:
        with pytest.raises(LeanCloudError) as caught:
            backend.ensure_index(class_name, field)
        assert caught.value.code == code


def bulk(backend: SQLBackend, count: int) -> None:
    backend.insert_many("Big", ((f"{i:024x}", CREATED, {"n": i, "group": i % 50, "s": f"s{i}"})
                                for i in range(count)))


@pytest.mark.parametrize("where, order", [
    ({"n": 1234}, []),
    ({"n": {"$in": [5, 77, 901]}}, []),
    ({"n": {"$gte": 100, "$lt": 120}}, []),
    ({"group": 7}, [("n", False)]),
    ({}, [("n", True)]),
    ({"s": "s77"}, [("createdAt", True)]),
    ({}, [("updatedAt", False)]),
])
def test_queries_on_an_indexed_field_use_the_index(backend: SQLBackend, where: dict[str, Any],
                                                   order: list[tuple[str, bool]]) -> None:
    bulk(backend, 3000)
    field = next(iter(where), None) or order[0][0]
    condition = parse_where(where)
    before = backend.explain_find("Big", condition, order, 10, 0)
    assert "Big." + field not in before
    backend.ensure_index("Big", field)
    plan = backend.explain_find("Big", condition, order, 10, 0)
    assert f'"Big.{field}"' in plan or f"INDEX Big.{field}" in plan, plan
    assert "SCAN Big\n" not in plan + "\n" and "Seq Scan" not in plan, plan


def test_fifty_threads_incrementing_one_counter(backend: SQLBackend) -> None:
    backend.insert("Counter", "1" * 24, CREATED, {"n": 0})
    errors: list[BaseException] = []
    barrier = threading.Barrier(50)

    def increment() -> None:
        try:
            barrier.wait()
            for _ in range(4):
                backend.update("Counter", "1" * 24, {"n": {"__op": "Increment", "amount": 1}}, CREATED)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=increment) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert backend.get("Counter", "1" * 24)["n"] == 200


def test_sessions(backend: SQLBackend) -> None:
    assert backend.session_load("s1", 100.0) is None
    backend.session_save("s1", {"user": "bob", "n": [1, 2]}, expires=200.0)
    backend.session_save("s2", {"user": "eve"}, expires=150.0)
    assert backend.session_load("s1", 100.0) == {"user": "bob", "n": [1, 2]}
    backend.session_save("s1", {"user": "bob", "n": [3]}, expires=300.0)
    assert backend.session_load("s1", 250.0) == {"user": "bob", "n": [3]}
    assert backend.session_load("s2", 150.0) is None  # expired
    backend.session_clean(160.0)
    assert backend.session_load("s2", 0.0) is None and backend.session_load("s1", 0.0) is not None


def test_close_then_use_again(backend: SQLBackend) -> None:
    backend.insert("Thing", "1" * 24, CREATED, {})
    backend.close()
    assert backend.get("Thing", "1" * 24) is not None


def test_a_forked_child_uses_its_own_connection(backend: SQLBackend) -> None:
    backend.insert("Thing", "1" * 24, CREATED, {"n": 0})
    pid = os.fork()
    if pid == 0:  # the child: write through the inherited backend, then leave at once
        try:
            backend.update("Thing", "1" * 24, {"n": {"__op": "Increment", "amount": 1}}, CREATED)
            code = 0 if backend.get("Thing", "1" * 24)["n"] == 1 else 1
        except BaseException:  # noqa: BLE001 - the exit status tells the parent
            code = 2
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    # the parent's own connection still works after the child has gone
    backend.update("Thing", "1" * 24, {"n": {"__op": "Increment", "amount": 1}}, CREATED)
    assert backend.get("Thing", "1" * 24)["n"] == 2


WRITER = """
import sys
from cherryc.runtime.storage.backend import open_backend
backend = open_backend(sys.argv[1])
for number in range(100000):
    object_id = f"{number:024x}"
    backend.insert("Burst", object_id, "2024-01-01T00:00:00.000Z", {"n": number})
    print(object_id, flush=True)
"""


def test_no_acknowledged_write_is_lost_to_sigkill(backend_url: str, backend: SQLBackend) -> None:
    acknowledged = []
    with subprocess.Popen([sys.executable, "-c", WRITER, backend_url], stdout=subprocess.PIPE,
                          text=True) as process:
        try:
            assert process.stdout is not None
            for line in process.stdout:
                acknowledged.append(line.strip())
                if len(acknowledged) == 200:
                    process.send_signal(signal.SIGKILL)  # in the middle of the next write
                    break
        finally:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    stored = backend.get_many("Burst", acknowledged)
    assert len(acknowledged) == 200 and set(stored) == set(acknowledged)


def test_connections_of_ended_threads_are_closed(backend: SQLBackend) -> None:
    backend.insert("Thing", "1" * 24, CREATED, {})
    for _ in range(10):
        thread = threading.Thread(target=backend.get, args=("Thing", "1" * 24))
        thread.start()
        thread.join()
    open_connections = backend._connections._open  # type: ignore[attr-defined]
    assert len(open_connections) <= 2  # this thread's, and at most the last ended thread's
