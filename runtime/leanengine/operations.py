"""Pending field operations of an unsaved Object change (`Set`, `Delete`, `Increment`, `Add`...).

An Object records, per field, the one operation that takes the stored value to the local
one; a second change of the same field merges into it as the official SDK does
(`increment` twice is one Increment, `set` then `add` is one Set of the new list). On
`save()` each operation is sent as its REST form: a plain value for `Set`, an
`{"__op": ...}` object for the others (spec §15.2).
"""

from __future__ import annotations

from typing import Any, Callable

Encode = Callable[[Any], Any]

#: The local value of a field that an operation deleted.
UNSET = object()


def same_item(first: Any, second: Any) -> bool:
    """Array items are equal when equal, or when both are saved objects with one id."""
    first_id, second_id = getattr(first, "id", None), getattr(second, "id", None)
    if first_id is not None and second_id is not None:
        return (first_id == second_id
                and getattr(first, "class_name", None) == getattr(second, "class_name", None))
    return first == second


def _contains(items: list[Any], item: Any) -> bool:
    return any(same_item(existing, item) for existing in items)


def _list(old: Any, name: str) -> list[Any]:
    if old is None or old is UNSET:
        return []
    if not isinstance(old, list):
        raise TypeError(f"{name} needs an array field, not {type(old).__name__}")
    return old


class Operation:
    """One pending change of one field."""

    def to_json(self, encode: Encode) -> Any:
        """The REST form sent on save (`encode` turns Python values into typed JSON)."""
        raise NotImplementedError

    def apply(self, old: Any) -> Any:
        """The local value after this operation (UNSET when the field is gone)."""
        raise NotImplementedError

    def merge(self, previous: "Operation | None") -> "Operation":
        """This operation after `previous`, as one operation."""
        raise NotImplementedError

    def _cannot_follow(self, previous: "Operation") -> TypeError:
        return TypeError(f"cannot {type(self).__name__} a field after {type(previous).__name__} "
                         "in one save: save the object in between")


class Set(Operation):
    """Replace the value."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def to_json(self, encode: Encode) -> Any:
        return encode(self.value)

    def apply(self, old: Any) -> Any:
        return self.value

    def merge(self, previous: Operation | None) -> Operation:
        return self


class Delete(Operation):
    """Remove the field (`unset`)."""

    def to_json(self, encode: Encode) -> Any:
        return {"__op": "Delete"}

    def apply(self, old: Any) -> Any:
        return UNSET

    def merge(self, previous: Operation | None) -> Operation:
        return self


class Increment(Operation):
    """Add `amount` to a number (a missing field counts as 0); negative amounts decrement."""

    def __init__(self, amount: int | float = 1) -> None:
        if isinstance(amount, bool) or not isinstance(amount, (int, float)):
            raise TypeError(f"increment needs a number, not {amount!r}")
        self.amount = amount

    def to_json(self, encode: Encode) -> Any:
        return {"__op": "Increment", "amount": self.amount}

    def apply(self, old: Any) -> Any:
        if old is None or old is UNSET:
            return self.amount
        if isinstance(old, bool) or not isinstance(old, (int, float)):
            raise TypeError(f"increment needs a number field, not {type(old).__name__}")
        return old + self.amount

    def merge(self, previous: Operation | None) -> Operation:
        if previous is None:
            return self
        if isinstance(previous, Increment):
            return Increment(previous.amount + self.amount)
        if isinstance(previous, (Set, Delete)):
            return Set(self.apply(previous.apply(None)))
        raise self._cannot_follow(previous)


class _ArrayOperation(Operation):
    """Add, AddUnique or Remove: an `__op` with an `objects` array."""

    op = ""

    def __init__(self, objects: list[Any] | tuple[Any, ...]) -> None:
        if not isinstance(objects, (list, tuple)):
            raise TypeError(f"{self.op} needs a list of items, not {type(objects).__name__}")
        self.objects = list(objects)

    def to_json(self, encode: Encode) -> Any:
        return {"__op": self.op, "objects": [encode(item) for item in self.objects]}

    def merge(self, previous: Operation | None) -> Operation:
        if previous is None:
            return self
        if type(previous) is type(self):
            return type(self)(self._join(previous.objects))  # type: ignore[attr-defined]
        if isinstance(previous, (Set, Delete)):
            return Set(self.apply(previous.apply(None)))
        raise self._cannot_follow(previous)

    def _join(self, earlier: list[Any]) -> list[Any]:
        raise NotImplementedError


class Add(_ArrayOperation):
    """Append items to an array."""

    op = "Add"

    def apply(self, old: Any) -> Any:
        return _list(old, "add") + self.objects

    def _join(self, earlier: list[Any]) -> list[Any]:
        return earlier + self.objects


class AddUnique(_ArrayOperation):
    """Append the items an array does not hold yet."""

    op = "AddUnique"

    def apply(self, old: Any) -> Any:
        return self._join(list(_list(old, "add_unique")))

    def _join(self, earlier: list[Any]) -> list[Any]:
        joined = list(earlier)
        for item in self.objects:
            if not _contains(joined, item):
                joined.append(item)
        return joined


class Remove(_ArrayOperation):
    """Remove every occurrence of the items from an array."""

    op = "Remove"

    def apply(self, old: Any) -> Any:
        return [item for item in _list(old, "remove") if not _contains(self.objects, item)]

    def merge(self, previous: Operation | None) -> Operation:
        if isinstance(previous, Delete):
            return previous
        return super().merge(previous)

    def _join(self, earlier: list[Any]) -> list[Any]:
        return earlier + [item for item in self.objects if not _contains(earlier, item)]
