"""SQL shared by the backends: condition trees (`where`) and `order` rendered through a dialect.

Each backend supplies a `Dialect` (how to reach a JSON field, compare JSON values, run a
regular expression, iterate an array); `render_where` and `render_order` do the rest, so
both backends give the same answers. A field's SQL expression is the very text its
index (`index_expression`) was made on, which is what lets the database use the index.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Callable, Sequence

from .errors import LeanCloudError
from .where import All, And, Compare, Condition, Exists, In, Or, Path, Regex

#: System fields kept in columns, and the column of each.
COLUMNS = {"objectId": "id", "createdAt": "created_at", "updatedAt": "updated_at"}
_SAFE_KEY = re.compile(r"[A-Za-z0-9_*]{1,128}\Z")
_SAFE_NAME = re.compile(r"[A-Za-z0-9_]{1,128}\Z")
_OPERATORS = {"eq": "=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
TRUE, FALSE = "1=1", "1=0"


def quote_identifier(name: str) -> str:
    """A table or index name in double quotes (names are checked before they get here)."""
    if '"' in name or "\0" in name:
        raise ValueError(f"unsafe SQL identifier {name!r}")
    return f'"{name}"'


def check_key(key: str) -> str:
    """A JSON key written into SQL text (for expression indexes): only safe characters."""
    if not _SAFE_KEY.match(key):
        raise ValueError(f"unsafe key {key!r} in a JSON path")
    return key


class UniqueViolation(LeanCloudError):
    """A write that a unique index refused; `field` names the field when known."""

    def __init__(self, field: str | None) -> None:
        super().__init__(137, "A unique field was given a value that is already taken"
                              + (f": {field}." if field else "."))
        self.field = field


def index_name(class_name: str, field: str, unique: bool) -> str:
    """`Class.field` (`.unique` added for unique indexes); the field is read back from it
    when a unique index refuses a write. Names too long for PostgreSQL (63 bytes) are
    hashed instead."""
    name = f"{class_name}.{field}" + (".unique" if unique else "")
    if len(name.encode()) <= 63:
        return name
    return "index." + hashlib.sha1(name.encode()).hexdigest()


def field_of_index(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) >= 2 and _SAFE_NAME.match(parts[1]) else None


class Dialect:
    """How one database spells JSON access; subclasses fill in the methods."""

    placeholder = "?"

    def value(self, path: Path) -> str:
        """The SQL expression of a JSON field's value (the same text as its index)."""
        raise NotImplementedError

    def param(self, value: Any) -> Any:
        """A Python JSON value as a parameter comparable with `value(path)`."""
        raise NotImplementedError

    def is_null(self, path: Path) -> str:
        """Missing or JSON null."""
        raise NotImplementedError

    def exists(self, path: Path) -> str:
        """Present, even when null."""
        raise NotImplementedError

    def distinct(self, expr: str) -> str:
        """`expr` differs from the parameter (NULL differs from everything but NULL)."""
        raise NotImplementedError

    def guard(self, expr: str, value: Any) -> str | None:
        """An extra condition keeping an ordering comparison to values of `value`'s type."""
        return None

    def regex(self, text_expr: str, flags: str) -> str:
        """`text_expr` matches the (next) parameter, a pattern from `regex_param`."""
        raise NotImplementedError

    def regex_param(self, pattern: str, flags: str) -> str:
        raise NotImplementedError

    def text(self, path: Path) -> str:
        """The value as text when it is a string (for regular expressions), else NULL."""
        raise NotImplementedError

    def elements(self, path: Path) -> tuple[str, str, str]:
        """(FROM clause, element value, element text or NULL) over an array field."""
        raise NotImplementedError

    def contains(self, path: Path, values: Sequence[Any], params: list[Any]) -> str:
        """The array field holds every one of `values`."""
        clauses = []
        source, element, _ = self.elements(path)
        for value in values:
            params.append(self.param(value))
            clauses.append(f"EXISTS (SELECT 1 FROM {source} WHERE {element} = {self.placeholder})")
        return " AND ".join(clauses) or TRUE

    def order_term(self, expr: str, descending: bool) -> str:
        return f"{expr} DESC" if descending else expr


class WhereRenderer:
    """Renders one condition tree to SQL text plus its parameters."""

    def __init__(self, dialect: Dialect, is_array: Callable[[Path], bool]) -> None:
        self.dialect = dialect
        self.is_array = is_array
        self.params: list[Any] = []

    def render(self, condition: Condition) -> str:
        kind = condition.__class__
        if kind is And or kind is Or:
            joiner = " AND " if kind is And else " OR "
            return "(" + joiner.join(self.render(item) for item in condition.items) + ")"
        path = condition.path
        if len(path) == 1 and path[0] in COLUMNS:
            return self.column(condition, COLUMNS[path[0]])
        if kind is Exists:
            test = self.dialect.exists(path)
            return test if condition.present else f"NOT {test}"
        array = len(path) == 1 and self.is_array(path)
        if kind is Compare:
            return self.compare_array(condition) if array else self.compare(condition)
        if kind is In:
            return self.in_(condition, array)
        if kind is All:
            return self.all_(condition, array)
        if kind is Regex:
            if array:
                source, _, text = self.dialect.elements(path)
                return f"EXISTS (SELECT 1 FROM {source} WHERE {self.regex(text, condition)})"
            return self.regex(self.dialect.text(path), condition)
        raise TypeError(f"not a condition: {condition!r}")

    def add(self, value: Any) -> str:
        self.params.append(value)
        return self.dialect.placeholder

    def column(self, condition: Condition, column: str) -> str:
        kind = condition.__class__
        if kind is Compare:
            if condition.value is None:
                return FALSE if condition.op == "eq" else TRUE
            if condition.op == "ne":
                return f"{column} <> {self.add(condition.value)}"
            return f"{column} {_OPERATORS[condition.op]} {self.add(condition.value)}"
        if kind is In:
            values = [v for v in condition.values if v is not None]
            if not values:
                return TRUE if condition.negate else FALSE
            listed = ", ".join(self.add(v) for v in values)
            return f"{column} {'NOT IN' if condition.negate else 'IN'} ({listed})"
        if kind is All:
            return " AND ".join(f"{column} = {self.add(v)}" for v in condition.values) or TRUE
        if kind is Exists:
            return TRUE if condition.present else FALSE
        return self.regex(column, condition)

    def compare(self, condition: Compare) -> str:
        dialect, path, value, op = self.dialect, condition.path, condition.value, condition.op
        if value is None:
            return dialect.is_null(path) if op == "eq" else f"NOT {dialect.is_null(path)}"
        expr = dialect.value(path)
        if op == "ne":
            self.params.append(dialect.param(value))
            return dialect.distinct(expr)
        sql = f"{expr} {_OPERATORS[op]} {self.add(dialect.param(value))}"
        guard = dialect.guard(expr, value) if op != "eq" else None
        return f"({sql} AND {guard})" if guard else sql

    def compare_array(self, condition: Compare) -> str:
        dialect, path, value, op = self.dialect, condition.path, condition.value, condition.op
        if value is None or isinstance(value, list):  # null, or the whole array
            return self.compare(condition)
        if op in ("eq", "ne"):
            test = dialect.contains(path, [value], self.params)
            return test if op == "eq" else f"NOT {test}"
        source, element, _ = dialect.elements(path)
        test = f"{element} {_OPERATORS[op]} {self.add(dialect.param(value))}"
        guard = dialect.guard(element, value)
        return f"EXISTS (SELECT 1 FROM {source} WHERE {test}{' AND ' + guard if guard else ''})"

    def in_(self, condition: In, array: bool) -> str:
        dialect, path = self.dialect, condition.path
        values = [v for v in condition.values if v is not None]
        with_null = len(values) != len(condition.values)
        test = None
        if values:
            listed = ", ".join(self.add(dialect.param(v)) for v in values)
            if array:
                source, element, _ = dialect.elements(path)
                test = f"EXISTS (SELECT 1 FROM {source} WHERE {element} IN ({listed}))"
            else:
                test = f"{dialect.value(path)} IN ({listed})"
        null = dialect.is_null(path)
        if not condition.negate:
            tests = ([test] if test else []) + ([null] if with_null else [])
            return "(" + " OR ".join(tests) + ")" if tests else FALSE
        if test is None:
            return f"NOT {null}" if with_null else TRUE
        # $nin matches objects without the field, unless null is one of the values
        return f"(NOT {test} AND NOT {null})" if with_null else f"(NOT {test} OR {null})"

    def all_(self, condition: All, array: bool) -> str:
        if not condition.values:
            return TRUE
        if array:
            return self.dialect.contains(condition.path, condition.values, self.params)
        return "(" + " AND ".join(self.compare(Compare(condition.path, "eq", v))
                                  for v in condition.values) + ")"

    def regex(self, text_expr: str, condition: Regex) -> str:
        sql = self.dialect.regex(text_expr, condition.flags)
        self.params.append(self.dialect.regex_param(condition.pattern, condition.flags))
        return sql


def render_where(dialect: Dialect, condition: Condition | None,
                 is_array: Callable[[Path], bool]) -> tuple[str, list[Any]]:
    """`(sql, params)` for a WHERE clause body (`1=1` for no condition)."""
    if condition is None:
        return TRUE, []
    renderer = WhereRenderer(dialect, is_array)
    return renderer.render(condition), renderer.params


def render_order(dialect: Dialect, order: Sequence[tuple[str, bool]]) -> str:
    """An ORDER BY list ending with the objectId, so pages of a query never overlap."""
    terms, id_descending = [], False
    for field, descending in order:
        id_descending = descending  # ties go the same way, so that (field, id) indexes serve
        if field == "objectId":  # unique: later keys change nothing
            break
        column = COLUMNS.get(field)
        if column:
            terms.append(f"{column} DESC" if descending else column)
        else:
            terms.append(dialect.order_term(dialect.value((field,)), descending))
    terms.append("id DESC" if id_descending else "id")
    return ", ".join(terms)
