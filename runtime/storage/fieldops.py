"""Field operations (`{"__op": "Increment", ...}`, spec §15.2) checked and applied to stored JSON.

`check_changes` looks at a request's changes before anything runs (an unknown or
malformed operation is LeanCloudError 107); `apply_changes` computes the new stored
data inside the backend's transaction (an operation that does not fit the stored value,
such as Increment of a string, is 111). A missing field counts as 0 for Increment,
Decrement and the bit operations, and as an empty array for Add, AddUnique and Remove.
"""

from __future__ import annotations

from typing import Any

from .errors import LeanCloudError
from .schema import normalize_value, type_of

OPERATIONS = frozenset({"Increment", "Decrement", "Delete", "Add", "AddUnique", "Remove",
                        "BitAnd", "BitOr", "BitXor"})
_NUMERIC = frozenset({"Increment", "Decrement", "BitAnd", "BitOr", "BitXor"})
_ARRAY = frozenset({"Add", "AddUnique", "Remove"})
_UNSUPPORTED = frozenset({"AddRelation", "RemoveRelation", "Batch"})


def is_operation(value: Any) -> bool:
    return value.__class__ is dict and "__op" in value


def check_operation(field: str, value: dict[str, Any]) -> dict[str, Any]:
    """The operation with its operands in canonical form; LeanCloudError 107 if malformed."""
    name = value.get("__op")
    if name in _UNSUPPORTED:
        raise LeanCloudError(107, f"{name} on field '{field}' is not supported by this server.")
    if name not in OPERATIONS:
        raise LeanCloudError(107, f"Unknown operation {name!r} on field '{field}' (known: "
                                  f"{', '.join(sorted(OPERATIONS))}).")
    if name in ("Increment", "Decrement"):
        amount = value.get("amount", 1)
        if not _is_number(amount):
            raise LeanCloudError(107, f"{name} of '{field}' needs a numeric amount, got {amount!r}.")
        return {"__op": name, "amount": amount}
    if name in ("BitAnd", "BitOr", "BitXor"):
        operand = value.get("value")
        if operand.__class__ is not int:
            raise LeanCloudError(107, f"{name} of '{field}' needs an integer value, got {operand!r}.")
        return {"__op": name, "value": operand}
    if name in _ARRAY:
        objects = value.get("objects")
        if not isinstance(objects, list):
            raise LeanCloudError(107, f"{name} of '{field}' needs an array of objects.")
        try:
            return {"__op": name, "objects": normalize_value(objects)}
        except ValueError as exc:
            raise LeanCloudError(107, f"{name} of '{field}': {exc}.") from None
    return {"__op": "Delete"}


def result_type(value: Any) -> str | None:
    """The schema type a change leaves in its field (None: Delete, or null)."""
    if is_operation(value):
        name = value["__op"]
        return "Number" if name in _NUMERIC else "Array" if name in _ARRAY else None
    return type_of(value)


def apply_changes(data: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A new dict: `data` with `changes` (plain values and checked operations) applied."""
    result = dict(data)
    for field, change in changes.items():
        if not is_operation(change):
            result[field] = change
        elif change["__op"] == "Delete":
            result.pop(field, None)
        else:
            result[field] = apply_operation(field, result.get(field), change)
    return result


def apply_operation(field: str, current: Any, operation: dict[str, Any]) -> Any:
    """The value an operation leaves, given the field's current value."""
    name = operation["__op"]
    if name in _NUMERIC:
        if current is None:
            current = 0
        elif not _is_number(current):
            raise _mismatch(name, field, current)
        if name == "Increment":
            return current + operation["amount"]
        if name == "Decrement":
            return current - operation["amount"]
        if current.__class__ is not int:
            raise _mismatch(name, field, current)
        operand = operation["value"]
        return current & operand if name == "BitAnd" else current | operand if name == "BitOr" \
            else current ^ operand
    if current is None:
        current = []
    elif not isinstance(current, list):
        raise _mismatch(name, field, current)
    objects = operation["objects"]
    if name == "Add":
        return current + objects
    if name == "AddUnique":
        added = list(current)
        for item in objects:
            if item not in added:
                added.append(item)
        return added
    return [item for item in current if item not in objects]


def _is_number(value: Any) -> bool:
    return value.__class__ is int or value.__class__ is float


def _mismatch(name: str, field: str, current: Any) -> LeanCloudError:
    return LeanCloudError(111, f"{name} cannot be applied to field '{field}': it holds "
                               f"{type_of(current) or 'null'}.")
