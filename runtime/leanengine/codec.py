"""LeanCloud's typed JSON (spec §6): Date, Pointer, Object, Bytes, and back."""

from __future__ import annotations

import base64
from datetime import datetime, timezone
from typing import Any

from .objects import Object


_PLAIN = frozenset({str, int, float, bool, type(None)})


def format_date(moment: datetime) -> str:
    """`YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC (a naive datetime is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_date(text: str) -> datetime:
    """An ISO date from LeanCloud (`...Z`) as a timezone-aware UTC datetime."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def decode(value: Any) -> Any:
    """Typed JSON -> Python: Date -> aware datetime, Pointer/Object -> Object, Bytes -> bytes."""
    if isinstance(value, list):
        return [decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    kind = value.get("__type")
    if kind == "Date" and isinstance(value.get("iso"), str):
        return parse_date(value["iso"])
    if kind in ("Pointer", "Object") and isinstance(value.get("className"), str):
        return Object.from_json(value["className"], value)
    if kind == "Bytes" and isinstance(value.get("base64"), str):
        return base64.b64decode(value["base64"])
    return {key: decode(item) for key, item in value.items()}


def encode(value: Any, full: bool = True) -> Any:
    """Python -> typed JSON; objects in full (also in lists and dicts), as Pointers in the
    fields of other objects (`Object.dump`) or everywhere when `full` is false."""
    if value.__class__ in _PLAIN:
        return value
    if isinstance(value, datetime):
        return {"__type": "Date", "iso": format_date(value)}
    if isinstance(value, Object):
        if not full and value.id:
            return {"__type": "Pointer", "className": value.class_name, "objectId": value.id}
        data = value.dump()
        data.pop("_updatedKeys", None)
        return {"__type": "Object", "className": value.class_name, **data}
    if isinstance(value, (bytes, bytearray)):
        return {"__type": "Bytes", "base64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, (list, tuple)):
        return [encode(item, full) for item in value]
    if isinstance(value, dict):
        return {key: encode(item, full) for key, item in value.items()}
    return value
