"""Field types: names and checks, the canonical form of typed values, the per-class type cache.

Every field of a class keeps the type of the first non-null value stored in it (as
LeanStorage's schema does): storing another type later is error 111. The backends
record types in their schema table inside the write's transaction; knowing that a
field holds arrays is what lets an equality query match an array that contains the
value, while scalar equality stays a plain indexable comparison.

Typed values (`{"__type": "Date", ...}`, Pointers, ...) are rewritten to one canonical
form (fixed key order, dates with milliseconds and `Z`), so that equal values are equal
as stored JSON text (SQLite) and Dates sort by their text.
"""

from __future__ import annotations

import re
import threading
from datetime import datetime, timezone
from typing import Any

from .errors import LeanCloudError

#: Field names a client may write: a letter, then letters, digits and underscores.
FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,127}\Z")
#: Class names: the same rule, or one of LeanStorage's system classes.
CLASS_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,59}\Z")
SYSTEM_CLASSES = frozenset({"_User", "_Role", "_Installation", "_File", "_Followee", "_Follower"})
#: Fields the store itself keeps in columns, not in the JSON data.
SYSTEM_FIELDS = ("objectId", "createdAt", "updatedAt")

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})\Z")
_TYPED_KINDS = ("Date", "Pointer", "Object", "GeoPoint", "File", "Bytes", "Relation")


def is_class_name(name: Any) -> bool:
    return isinstance(name, str) and (CLASS_NAME.match(name) is not None or name in SYSTEM_CLASSES)


def check_class_name(class_name: Any) -> str:
    """`class_name` if valid, else LeanCloudError 103."""
    if is_class_name(class_name):
        return class_name
    raise LeanCloudError(103, f"Invalid class name {class_name!r}: use a letter, then letters, "
                              "digits or '_' (at most 60 characters).")


def check_field_name(name: Any) -> str:
    """`name` if a client may write it, else LeanCloudError 105."""
    if isinstance(name, str) and FIELD_NAME.match(name):
        return name
    raise LeanCloudError(105, f"Invalid field name {name!r}: use a letter, then letters, "
                              "digits or '_'.")


def now_iso() -> str:
    """The current time as LeanStorage writes dates: `2015-06-29T01:39:35.931Z`."""
    return format_iso(datetime.now(timezone.utc))


def format_iso(moment: datetime) -> str:
    moment = moment.astimezone(timezone.utc)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


def normalize_iso(text: Any) -> str:
    """An ISO 8601 date-time in the canonical form (UTC, milliseconds, `Z`); ValueError if not one."""
    if not isinstance(text, str) or not _ISO.match(text):
        raise ValueError(f"{text!r} is not an ISO 8601 date such as 2015-06-29T01:39:35.931Z")
    cleaned = text[:-1] + "+00:00" if text.endswith("Z") else text
    head, dot, rest = cleaned.partition(".")
    if dot:  # fromisoformat of Python 3.10 wants 3 or 6 fraction digits
        digits = re.match(r"\d+", rest).group()  # type: ignore[union-attr]
        cleaned = f"{head}.{(digits + '000000')[:6]}{rest[len(digits):]}"
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        raise ValueError(f"{text!r} is not a valid date") from None
    return format_iso(moment)


def type_of(value: Any) -> str | None:
    """The schema type of a stored value (None for null, which fits every type)."""
    kind = value.__class__
    if kind is str:
        return "String"
    if kind is bool:
        return "Boolean"
    if kind is int or kind is float:
        return "Number"
    if kind is list:
        return "Array"
    if kind is dict:
        typed = value.get("__type")
        return typed if typed in _TYPED_KINDS else "Object"
    return None


def normalize_value(value: Any) -> Any:
    """`value` with every typed value in canonical form; ValueError naming what is wrong."""
    kind = value.__class__
    if kind in (str, bool, int, type(None)):
        return value
    if kind is float:
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("numbers must be finite")
        return value
    if kind is list:
        return [normalize_value(item) for item in value]
    if kind is dict:
        if "__type" in value:
            return _normalize_typed(value)
        return {_check_key(key): normalize_value(item) for key, item in value.items()}
    raise ValueError(f"unsupported value {value!r}")


def _check_key(key: Any) -> str:
    if not isinstance(key, str) or key.startswith("$") or key == "__op":
        raise ValueError(f"invalid key {key!r} inside an object value")
    return key


def _normalize_typed(value: dict[str, Any]) -> dict[str, Any]:
    kind = value["__type"]
    if kind == "Date":
        return {"__type": "Date", "iso": normalize_iso(value.get("iso"))}
    if kind in ("Pointer", "Object"):
        class_name, object_id = value.get("className"), value.get("objectId")
        if not isinstance(object_id, str) or not object_id:
            raise ValueError("a Pointer needs an objectId")
        if not is_class_name(class_name):
            raise ValueError(f"a Pointer needs a valid className, not {class_name!r}")
        return {"__type": "Pointer", "className": class_name, "objectId": object_id}
    if kind == "GeoPoint":
        latitude, longitude = value.get("latitude"), value.get("longitude")
        if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (latitude, longitude)):
            raise ValueError("a GeoPoint needs numeric latitude and longitude")
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise ValueError("GeoPoint latitude must be within ±90 and longitude within ±180")
        return {"__type": "GeoPoint", "latitude": latitude, "longitude": longitude}
    if kind == "Bytes":
        if not isinstance(value.get("base64"), str):
            raise ValueError("Bytes need a base64 string")
        return {"__type": "Bytes", "base64": value["base64"]}
    if kind == "Relation":
        if not is_class_name(value.get("className")):
            raise ValueError("a Relation needs a valid className")
        return {"__type": "Relation", "className": value["className"]}
    if kind == "File":
        rest = {key: normalize_value(item) for key, item in value.items() if key != "__type"}
        return {"__type": "File", **dict(sorted(rest.items()))}
    raise ValueError(f"unknown __type {kind!r}")


def check_acl(value: Any) -> dict[str, Any]:
    """An ACL field (`{"*": {"read": true}, "<userId>": {...}}`) or LeanCloudError 111."""
    if not isinstance(value, dict):
        raise LeanCloudError(111, "ACL must be an object such as {\"*\": {\"read\": true}}.")
    for who, rights in value.items():
        if not isinstance(who, str) or not (who == "*" or re.fullmatch(r"[A-Za-z0-9_]+|role:[A-Za-z0-9_ -]+", who)):
            raise LeanCloudError(111, f"Invalid ACL entry {who!r}: use '*', a user id or 'role:<name>'.")
        if not isinstance(rights, dict) or not set(rights) <= {"read", "write"} or \
                not all(isinstance(flag, bool) for flag in rights.values()):
            raise LeanCloudError(111, f"Invalid ACL rights for {who!r}: use {{\"read\": true|false, "
                                      "\"write\": true|false}.")
    return {who: dict(rights) for who, rights in value.items()}


class FieldTypes:
    """The known types of the fields of each class, shared by a backend's threads.

    A field's type never changes once recorded, so a cached type is never stale; an
    unknown field is looked up again (another process may have added it).
    """

    def __init__(self) -> None:
        self._types: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()

    def get(self, class_name: str, field: str) -> str | None:
        known = self._types.get(class_name)
        return known.get(field) if known else None

    def remember(self, class_name: str, types: dict[str, str]) -> None:
        with self._lock:
            merged = dict(self._types.get(class_name, {}))
            merged.update(types)
            self._types[class_name] = merged  # readers see the old or the new dict, never half

    def forget(self) -> None:
        with self._lock:
            self._types = {}

    def unknown(self, class_name: str, types: dict[str, str]) -> dict[str, str]:
        """The entries of `types` not yet known; LeanCloudError 111 if one conflicts."""
        known = self._types.get(class_name) or {}
        missing = {}
        for field, kind in types.items():
            have = known.get(field)
            if have is None:
                missing[field] = kind
            elif have != kind:
                raise type_conflict(class_name, field, have, kind)
        return missing


def type_conflict(class_name: str, field: str, have: str, got: str) -> LeanCloudError:
    return LeanCloudError(111, f"Invalid value type for field '{field}' of {class_name}: "
                               f"expected {have}, got {got}.")


def data_types(data: dict[str, Any]) -> dict[str, str]:
    """The schema types of the top-level fields of stored data (null fields left out)."""
    types = {}
    for field, value in data.items():
        kind = "ACL" if field == "ACL" else type_of(value)
        if kind is not None:
            types[field] = kind
    return types
