"""Query: find, count and destroy objects of one class in the site's store (the official SDK's names).

Conditions are kept as the REST `where` (spec §15.3) and run by the store in-process:
`Query('Review').equal_to('movie', movie).greater_than('stars', 3).find()`. Every
condition method returns the query, so calls chain.
"""

from __future__ import annotations

from typing import Any

from . import client
from .objects import Object, _encode_field

#: At most this many objects per `find()`; `limit` defaults to 100 (spec §15.3).
MAX_LIMIT = 1000
DEFAULT_LIMIT = 100


def _quote(text: str) -> str:
    """A literal inside a `$regex`, quoted with `\\Q...\\E` as the official JS SDK does."""
    if not isinstance(text, str):
        raise TypeError(f"a text to match is a str, not {type(text).__name__}")
    return "\\Q" + text.replace("\\E", "\\E\\\\E\\Q") + "\\E"


class Query:
    """A query of one class: conditions, order, paging, selected and included fields."""

    def __init__(self, query_class: str | type[Object]) -> None:
        """`Query('Todo')` or `Query(Todo)` (a class made by `Object.extend` or subclassing)."""
        if isinstance(query_class, str):
            query_class = Object.extend(query_class)
        if not (isinstance(query_class, type) and issubclass(query_class, Object)
                and query_class.class_name):
            raise ValueError("Query takes a class name or a class made with Object.extend")
        self._query_class = query_class
        self._where: dict[str, Any] = {}
        self._order: list[str] = []
        self._limit = -1
        self._skip = 0
        self._select: list[str] = []
        self._include: list[str] = []

    @property
    def class_name(self) -> str:
        """The queried class."""
        return self._query_class.class_name

    # ---- combining queries ---------------------------------------------------------------

    @classmethod
    def or_(cls, *queries: "Query") -> "Query":
        """Objects matching any of the queries (of one class)."""
        return cls._combine("$or", queries)

    @classmethod
    def and_(cls, *queries: "Query") -> "Query":
        """Objects matching all of the queries (of one class)."""
        return cls._combine("$and", queries)

    @classmethod
    def _combine(cls, operator: str, queries: tuple["Query", ...]) -> "Query":
        if len(queries) < 2:
            raise ValueError(f"{operator[1:]}_ needs two queries at least")
        first = queries[0]
        if any(query.class_name != first.class_name for query in queries):
            raise TypeError("All queries must be for the same class")
        combined = cls(first._query_class)
        combined._where[operator] = [query._where for query in queries]
        return combined

    # ---- conditions ----------------------------------------------------------------------

    def equal_to(self, key: str, value: Any) -> "Query":
        """`key` equals `value` (an array field: contains it; an object: points to it)."""
        self._where[key] = _encode_field(value)
        return self

    def _add_condition(self, key: str, operator: str, value: Any) -> "Query":
        conditions = self._where.get(key)
        if not isinstance(conditions, dict) or not all(name.startswith("$") for name in conditions):
            conditions = self._where[key] = {}
        conditions[operator] = _encode_field(value)
        return self

    def not_equal_to(self, key: str, value: Any) -> "Query":
        """`key` differs from `value` (objects without the field match)."""
        return self._add_condition(key, "$ne", value)

    def less_than(self, key: str, value: Any) -> "Query":
        """`key` < `value` (numbers, texts, dates)."""
        return self._add_condition(key, "$lt", value)

    def less_than_or_equal_to(self, key: str, value: Any) -> "Query":
        """`key` <= `value`."""
        return self._add_condition(key, "$lte", value)

    def greater_than(self, key: str, value: Any) -> "Query":
        """`key` > `value`."""
        return self._add_condition(key, "$gt", value)

    def greater_than_or_equal_to(self, key: str, value: Any) -> "Query":
        """`key` >= `value`."""
        return self._add_condition(key, "$gte", value)

    def contained_in(self, key: str, values: list[Any] | tuple[Any, ...]) -> "Query":
        """`key` is one of `values`."""
        return self._add_condition(key, "$in", list(values))

    def not_contained_in(self, key: str, values: list[Any] | tuple[Any, ...]) -> "Query":
        """`key` is none of `values`."""
        return self._add_condition(key, "$nin", list(values))

    def contains_all(self, key: str, values: list[Any] | tuple[Any, ...]) -> "Query":
        """The array `key` holds every one of `values`."""
        return self._add_condition(key, "$all", list(values))

    def exists(self, key: str) -> "Query":
        """The object has the field `key`."""
        return self._add_condition(key, "$exists", True)

    def does_not_exist(self, key: str) -> "Query":
        """The object lacks the field `key`."""
        return self._add_condition(key, "$exists", False)

    def matched(self, key: str, regex: str, ignore_case: bool = False, multi_line: bool = False) -> "Query":
        """`key` matches the regular expression (options `i` and `m`)."""
        if not isinstance(regex, str):
            raise TypeError("matched only accepts a str")
        self._add_condition(key, "$regex", regex)
        options = ("i" if ignore_case else "") + ("m" if multi_line else "")
        if options:
            self._add_condition(key, "$options", options)
        return self

    def startswith(self, key: str, value: str) -> "Query":
        """The text `key` starts with `value` (not a regular expression)."""
        return self._add_condition(key, "$regex", "^" + _quote(value))

    def endswith(self, key: str, value: str) -> "Query":
        """The text `key` ends with `value` (not a regular expression)."""
        return self._add_condition(key, "$regex", _quote(value) + "$")

    def contains(self, key: str, value: str) -> "Query":
        """The text `key` contains `value` (not a regular expression)."""
        return self._add_condition(key, "$regex", _quote(value))

    # ---- order, paging, fields -----------------------------------------------------------

    def ascending(self, key: str) -> "Query":
        """Order by `key`, smallest first (replaces any order given before)."""
        self._order = [key]
        return self

    def descending(self, key: str) -> "Query":
        """Order by `key`, largest first (replaces any order given before)."""
        self._order = ["-" + key]
        return self

    def add_ascending(self, key: str) -> "Query":
        """Then by `key`, smallest first."""
        self._order.append(key)
        return self

    def add_descending(self, key: str) -> "Query":
        """Then by `key`, largest first."""
        self._order.append("-" + key)
        return self

    def limit(self, n: int) -> "Query":
        """At most `n` objects (0 to 1000; 100 when not given)."""
        if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_LIMIT:
            raise ValueError(f"limit only accepts a number from 0 to {MAX_LIMIT}, not {n!r}")
        self._limit = n
        return self

    def skip(self, n: int) -> "Query":
        """Leave out the first `n` objects (for paging)."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"skip only accepts a number >= 0, not {n!r}")
        self._skip = n
        return self

    def select(self, *keys: str) -> "Query":
        """Read only these fields (and objectId, createdAt, updatedAt)."""
        self._select += _keys(keys)
        return self

    def include(self, *keys: str) -> "Query":
        """Read the objects these pointer fields point to, not only their ids."""
        self._include += _keys(keys)
        return self

    def dump(self) -> dict[str, Any]:
        """The query as REST parameters (`where` as a dict)."""
        params: dict[str, Any] = {"where": self._where}
        if self._include:
            params["include"] = ",".join(self._include)
        if self._select:
            params["keys"] = ",".join(self._select)
        if self._limit >= 0:
            params["limit"] = self._limit
        if self._skip > 0:
            params["skip"] = self._skip
        if self._order:
            params["order"] = ",".join(self._order)
        return params

    # ---- running it ----------------------------------------------------------------------

    def _run(self, limit: int, count: bool = False) -> dict[str, Any]:
        return client.store().query(
            self.class_name, client.caller(), where=self._where or None,
            order=",".join(self._order) or None, limit=limit, skip=0 if count else self._skip,
            keys=self._select or None, include=self._include or None, count=count)

    def find(self) -> list[Object]:
        """The matching objects (at most the limit: 100 unless `limit` was given)."""
        answer = self._run(self._limit if self._limit >= 0 else DEFAULT_LIMIT)
        make, name = self._query_class.from_json, self.class_name
        return [make(name, result) for result in answer["results"]]

    def first(self) -> Object:
        """The first matching object; LeanCloudError 101 when there is none."""
        results = self._run(1)["results"]
        if not results:
            raise client.error(101, "Object not found")
        return self._query_class.from_json(self.class_name, results[0])

    def get(self, object_id: str) -> Object:
        """The object with this id (selected and included fields as set);
        LeanCloudError 101 when there is none."""
        if not object_id:
            raise client.error(101, "Object not found.")
        obj = self._query_class.create_without_data(object_id)
        obj.fetch(select=self._select or None, include=self._include or None)
        return obj

    def count(self) -> int:
        """How many objects match (limit and skip do not apply)."""
        return self._run(0, count=True)["count"]

    def destroy_all(self) -> None:
        """Destroy the objects `find()` returns (at most the limit), running their hooks."""
        Object.destroy_all(self.find())


def _keys(keys: tuple[Any, ...]) -> list[str]:
    """`select('a', 'b')` or `select(['a', 'b'])`."""
    if len(keys) == 1 and isinstance(keys[0], (list, tuple)):
        keys = tuple(keys[0])
    if not all(isinstance(key, str) and key for key in keys):
        raise TypeError("field names are non-empty strings")
    return list(keys)
