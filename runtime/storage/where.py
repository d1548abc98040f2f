"""Parse and check a LeanStorage `where` (spec §15.3) into a condition tree for the backends.

`parse_where({"score": {"$gte": 10}, "$or": [...]})` gives a tree of the node classes
below; a `where` that is not valid raises LeanCloudError 107 (not a JSON object) or 102
(an unknown operator, a value of the wrong kind, a bad regular expression), with a
message naming the field and operator. Values are in canonical form (`schema`):
Dates as `{"__type": "Date", "iso": ...}`, Pointers as `{"__type": "Pointer",
"className", "objectId"}`; the system fields `objectId`, `createdAt`, `updatedAt` hold
plain strings (dates as ISO text).

A path is a tuple of keys: `("score",)`, or `("address", "city")` for `"address.city"`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Union

from .errors import LeanCloudError
from .schema import FIELD_NAME, SYSTEM_FIELDS, normalize_iso, normalize_value

Path = tuple[str, ...]
COMPARISONS = ("eq", "ne", "lt", "lte", "gt", "gte")
REGEX_FLAGS = frozenset("imsx")
_SUBKEY = re.compile(r"[A-Za-z0-9_]{1,128}\Z")
_UNSUPPORTED = ("$size", "$select", "$dontSelect", "$inQuery", "$notInQuery", "$relatedTo",
                "$near", "$nearSphere", "$within", "$geoWithin", "$maxDistance",
                "$maxDistanceInRadians", "$maxDistanceInKilometers", "$maxDistanceInMiles")


@dataclass(frozen=True)
class Compare:
    """`path <op> value`; on an array field, true when an element compares so (`ne`:
    when no element equals). `eq`/`ne` with None test for null or missing."""

    path: Path
    op: str
    value: Any


@dataclass(frozen=True)
class In:
    """The value (an element, on an array field) is one of `values`; `negate` for `$nin`
    (which also matches objects without the field)."""

    path: Path
    values: tuple[Any, ...]
    negate: bool = False


@dataclass(frozen=True)
class All:
    """An array field holds every one of `values`."""

    path: Path
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Exists:
    """The field is present (`present`) or absent; a null value counts as present."""

    path: Path
    present: bool


@dataclass(frozen=True)
class Regex:
    """A string field (an element, on an array field) matches `pattern`, a regular
    expression in the syntax Python's `re` and PostgreSQL share (`\\Q...\\E` already
    turned into escapes); `flags` is a subset of "imsx" (Mongo's `$options`)."""

    path: Path
    pattern: str
    flags: str = ""


@dataclass(frozen=True)
class And:
    items: tuple["Condition", ...]


@dataclass(frozen=True)
class Or:
    items: tuple["Condition", ...]


Condition = Union[Compare, In, All, Exists, Regex, And, Or]
_OPERATORS = {"$eq": "eq", "$ne": "ne", "$lt": "lt", "$lte": "lte", "$gt": "gt", "$gte": "gte"}


def invalid(message: str) -> LeanCloudError:
    return LeanCloudError(102, f"Invalid query: {message}")


def parse_where(where: Any, forbidden: frozenset[str] = frozenset()) -> Condition | None:
    """The condition tree of a `where` (a dict, or its JSON text); None for no condition.
    Fields in `forbidden` may not be queried (e.g. `_User.password`)."""
    if where is None:
        return None
    if isinstance(where, (str, bytes)):
        try:
            where = json.loads(where)
        except ValueError:
            raise LeanCloudError(107, "Invalid query: where is not valid JSON.") from None
    if not isinstance(where, dict):
        raise LeanCloudError(107, "Invalid query: where must be a JSON object.")
    if not where:
        return None
    return _Parser(forbidden).parse_object(where)


def combine(*conditions: Condition | None) -> Condition | None:
    """All of `conditions` (None ones left out)."""
    items = tuple(c for c in conditions if c is not None)
    if not items:
        return None
    return items[0] if len(items) == 1 else And(items)


def translate_regex(pattern: str) -> str:
    """A PCRE/JS pattern with `\\Q...\\E` quoting (what the JS SDK sends for startsWith,
    contains, endsWith) as a pattern without it, the quoted text escaped."""
    if "\\Q" not in pattern:
        return pattern
    out, index = [], 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and pattern.startswith("\\Q", index):
            end = pattern.find("\\E", index + 2)
            literal = pattern[index + 2:] if end < 0 else pattern[index + 2:end]
            out.append(re.escape(literal))
            index = len(pattern) if end < 0 else end + 2
        elif char == "\\" and index + 1 < len(pattern):
            out.append(pattern[index:index + 2])  # keep other escapes whole (e.g. \\Q)
            index += 2
        else:
            out.append(char)
            index += 1
    return "".join(out)


class _Parser:
    def __init__(self, forbidden: frozenset[str]) -> None:
        self.forbidden = forbidden

    def parse_object(self, where: dict[str, Any]) -> Condition:
        items: list[Condition] = []
        for key, value in where.items():
            if key in ("$or", "$and"):
                parts = self.parse_list(key, value)
                items.append(Or(parts) if key == "$or" else And(parts))
            elif key.startswith("$"):
                raise invalid(f"unknown operator {key} (at the top level only $or and $and).")
            else:
                items.extend(self.parse_field(self.path(key), key, value))
        if not items:
            raise invalid("an empty condition.")
        return items[0] if len(items) == 1 else And(tuple(items))

    def parse_list(self, key: str, value: Any) -> tuple[Condition, ...]:
        if not isinstance(value, list) or not value:
            raise invalid(f"{key} needs a non-empty array of conditions.")
        parts = []
        for item in value:
            if not isinstance(item, dict) or not item:
                raise invalid(f"each element of {key} must be a non-empty JSON object.")
            parts.append(self.parse_object(item))
        return tuple(parts)

    def path(self, key: str) -> Path:
        path = tuple(key.split("."))
        if not FIELD_NAME.match(path[0]) or not all(_SUBKEY.match(part) for part in path[1:]):
            raise invalid(f"{key!r} is not a valid field name.")
        if path[0] in self.forbidden:
            raise invalid(f"the field {path[0]!r} cannot be queried.")
        if path[0] in SYSTEM_FIELDS and len(path) > 1:
            raise invalid(f"{path[0]} has no sub-fields.")
        return path

    def parse_field(self, path: Path, key: str, value: Any) -> list[Condition]:
        if not (isinstance(value, dict) and any(name.startswith("$") for name in value)):
            return [Compare(path, "eq", self.value(path, key, value))]
        if not all(name.startswith("$") for name in value):
            raise invalid(f"{key}: operators ($...) and plain keys cannot be mixed.")
        if "$options" in value and "$regex" not in value:
            raise invalid(f"{key}: $options needs $regex.")
        return [self.operator(path, key, name, operand, value)
                for name, operand in value.items() if name != "$options"]

    def operator(self, path: Path, key: str, name: str, operand: Any,
                 siblings: dict[str, Any]) -> Condition:
        op = _OPERATORS.get(name)
        if op is not None:
            operand = self.value(path, key, operand)
            if op not in ("eq", "ne") and not _orderable(operand):
                raise invalid(f"{key}: {name} needs a number, a string or a date.")
            return Compare(path, op, operand)
        if name in ("$in", "$nin", "$all"):
            if not isinstance(operand, list):
                raise invalid(f"{key}: {name} needs an array.")
            values = tuple(self.value(path, key, item) for item in operand)
            return All(path, values) if name == "$all" else In(path, values, name == "$nin")
        if name == "$exists":
            if not isinstance(operand, bool):
                raise invalid(f"{key}: $exists needs true or false.")
            return Exists(path, operand)
        if name == "$regex":
            return self.regex(path, key, operand, siblings.get("$options", ""))
        if name in _UNSUPPORTED:
            raise invalid(f"{key}: {name} is not supported by this server.")
        raise invalid(f"{key}: unknown operator {name}.")

    def value(self, path: Path, key: str, value: Any) -> Any:
        if path[0] in SYSTEM_FIELDS:
            return _system_value(path[0], value)
        try:
            return normalize_value(value)
        except ValueError as exc:
            raise invalid(f"{key}: {exc}.") from None

    @staticmethod
    def regex(path: Path, key: str, pattern: Any, options: Any) -> Regex:
        if not isinstance(pattern, str):
            raise invalid(f"{key}: $regex needs a string.")
        if not isinstance(options, str) or not set(options) <= REGEX_FLAGS:
            raise invalid(f"{key}: $options may only hold the letters i, m, s and x.")
        flags = "".join(sorted(set(options)))
        translated = translate_regex(pattern)
        try:
            re.compile(f"(?{flags}){translated}" if flags else translated)
        except re.error as exc:
            raise invalid(f"{key}: invalid regular expression {pattern!r} ({exc}).") from None
        return Regex(path, translated, flags)


def _orderable(value: Any) -> bool:
    kind = value.__class__
    if kind in (int, float, str):
        return True
    return kind is dict and value.get("__type") == "Date"


def _system_value(field: str, value: Any) -> Any:
    """objectId compares with strings; createdAt/updatedAt with dates (text or Date)."""
    if value is None:
        return None
    if field == "objectId":
        if not isinstance(value, str):
            raise invalid("objectId is compared with strings.")
        return value
    if isinstance(value, dict) and value.get("__type") == "Date":
        value = value.get("iso")
    try:
        return normalize_iso(value)
    except ValueError:
        raise invalid(f"{field} is compared with dates, not {value!r}.") from None

