"""Field operations: their checks, their results, and the same results stored by both backends."""

from __future__ import annotations

from typing import Any

import pytest

from cherryc.runtime.storage.errors import LeanCloudError
from cherryc.runtime.storage.fieldops import apply_changes, check_operation
from cherryc.runtime.storage.store import Caller, Store

POINTER = {"__type": "Pointer", "className": "Post", "objectId": "p1"}

CASES = [  # (stored, operation, result)
    ({"n": 5}, {"__op": "Increment", "amount": 2}, 7),
    ({"n": 5}, {"__op": "Increment", "amount": -7}, -2),
    ({"n": 1.5}, {"__op": "Increment", "amount": 0.25}, 1.75),
    ({}, {"__op": "Increment", "amount": 3}, 3),
    ({"n": None}, {"__op": "Increment"}, 1),
    ({"n": 5}, {"__op": "Decrement", "amount": 2}, 3),
    ({}, {"__op": "Decrement", "amount": 1.5}, -1.5),
    ({"n": ["a"]}, {"__op": "Add", "objects": ["a", "b"]}, ["a", "a", "b"]),
    ({}, {"__op": "Add", "objects": [POINTER]}, [POINTER]),
    ({"n": ["a", 1]}, {"__op": "AddUnique", "objects": ["a", "b", 1, "b"]}, ["a", 1, "b"]),
    ({"n": [POINTER, "x"]}, {"__op": "AddUnique", "objects": [dict(POINTER)]}, [POINTER, "x"]),
    ({"n": ["a", "b", "a", 3]}, {"__op": "Remove", "objects": ["a", 3]}, ["b"]),
    ({}, {"__op": "Remove", "objects": ["a"]}, []),
    ({"n": 12}, {"__op": "BitAnd", "value": 10}, 8),
    ({"n": 12}, {"__op": "BitOr", "value": 3}, 15),
    ({"n": 12}, {"__op": "BitXor", "value": 10}, 6),
    ({}, {"__op": "BitOr", "value": 5}, 5),
]


@pytest.mark.parametrize("stored, operation, result", CASES)
def test_apply(stored: dict[str, Any], operation: dict[str, Any], result: Any) -> None:
    assert apply_changes(stored, {"n": check_operation("n", operation)}) == {"n": result}


def test_delete_removes_the_field_and_plain_values_replace() -> None:
    changes = {"gone": check_operation("gone", {"__op": "Delete"}), "name": "b"}
    assert apply_changes({"gone": 1, "name": "a", "kept": True}, changes) == {"name": "b", "kept": True}
    assert apply_changes({}, {"gone": {"__op": "Delete"}}) == {}


def test_stored_data_is_not_changed_in_place() -> None:
    stored = {"n": [1]}
    apply_changes(stored, {"n": check_operation("n", {"__op": "Add", "objects": [2]})})
    assert stored == {"n": [1]}


@pytest.mark.parametrize("operation, words", [
    ({"__op": "Multiply", "amount": 2}, "Unknown operation 'Multiply'"),
    ({"__op": "AddRelation", "objects": []}, "AddRelation on field 'n' is not supported"),
    ({"__op": "Increment", "amount": "2"}, "numeric amount"),
    ({"__op": "Increment", "amount": True}, "numeric amount"),
    ({"__op": "BitAnd", "value": 1.5}, "integer value"),
    ({"__op": "Add"}, "array of objects"),
    ({"__op": "Remove", "objects": "a"}, "array of objects"),
    ({"__op": "Add", "objects": [{"__type": "Date", "iso": "soon"}]}, "ISO 8601"),
])
def test_malformed_operations_are_107(operation: dict[str, Any], words: str) -> None:
    with pytest.raises(LeanCloudError) as caught:
        check_operation("n", operation)
    assert caught.value.code == 107 and words in caught.value.error


@pytest.mark.parametrize("stored, operation", [
    ({"n": "text"}, {"__op": "Increment", "amount": 1}),
    ({"n": True}, {"__op": "Decrement", "amount": 1}),
    ({"n": 1.5}, {"__op": "BitOr", "value": 1}),
    ({"n": 3}, {"__op": "Add", "objects": [1]}),
    ({"n": {"a": 1}}, {"__op": "Remove", "objects": [1]}),
])
def test_operation_on_the_wrong_type_is_111(stored: dict[str, Any], operation: dict[str, Any]) -> None:
    with pytest.raises(LeanCloudError) as caught:
        apply_changes(stored, {"n": check_operation("n", operation)})
    assert caught.value.code == 111 and "cannot be applied to field 'n'" in caught.value.error


# ---- the same operations through the store, on both backends ------------------------------------

@pytest.mark.parametrize("stored, operation, result", CASES)
def test_stored_by_the_backend(store: Store, stored: dict[str, Any], operation: dict[str, Any],
                               result: Any) -> None:
    caller = Caller()
    created = store.create("Counter", dict(stored), caller)
    answer = store.update("Counter", created["objectId"], {"n": operation}, caller, fetch_when_save=True)
    assert answer["n"] == result
    assert store.fetch("Counter", created["objectId"], caller)["n"] == result


def test_operations_in_a_create_body(store: Store) -> None:
    caller = Caller()
    created = store.create("Counter", {"n": {"__op": "Increment", "amount": 2},
                                       "tags": {"__op": "AddUnique", "objects": ["a", "a"]},
                                       "gone": {"__op": "Delete"}}, caller)
    stored = store.fetch("Counter", created["objectId"], caller)
    assert (stored["n"], stored["tags"], "gone" in stored) == (2, ["a"], False)


def test_a_failing_operation_changes_nothing(store: Store) -> None:
    caller = Caller()
    created = store.create("Counter", {"n": "text", "m": 1}, caller)
    with pytest.raises(LeanCloudError) as caught:
        store.update("Counter", created["objectId"], {"m": {"__op": "Increment"},
                                                       "n": {"__op": "Increment"}}, caller)
    assert caught.value.code == 111
    assert store.fetch("Counter", created["objectId"], caller)["m"] == 1
