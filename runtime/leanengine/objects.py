"""LeanCloud objects as cloud code sees them: `Object` (a class name and fields) and `User`."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any, Iterator

#: Hook names `ignore_hook` accepts, by family.
BEFORE_HOOKS = ("beforeSave", "beforeUpdate", "beforeDelete")
AFTER_HOOKS = ("afterSave", "afterUpdate", "afterDelete")
_SYSTEM_FIELDS = ("objectId", "createdAt", "updatedAt")


class Object:
    """An object of a LeanCloud class: `get`/`set` fields, `id`, dates, hook flags.

    Hooks receive one; `updated_keys` lists the fields an update changed (empty outside
    update hooks); `disable_before_hook()` / `disable_after_hook()` mark it so that
    saving it again does not run the same family of hooks (spec §8).
    """

    class_name = ""

    def __init__(self, class_name: str | None = None, **fields: Any) -> None:
        if class_name:
            self.class_name = class_name
        self._fields: dict[str, Any] = {}
        self.id: str | None = None
        self.created_at: datetime | None = None
        self.updated_at: datetime | None = None
        self.updated_keys: list[str] = []
        self.ignored_hooks: set[str] = set()
        for key, value in fields.items():
            self.set(key, value)

    # ---- fields --------------------------------------------------------------------------

    def get(self, key: str, default: Any = None) -> Any:
        """A field's value (`objectId`, `createdAt` and `updatedAt` too)."""
        if key == "objectId":
            return self.id
        if key == "createdAt":
            return self.created_at
        if key == "updatedAt":
            return self.updated_at
        return self._fields.get(key, default)

    def set(self, key_or_fields: str | dict[str, Any], value: Any = None) -> "Object":
        """Set one field, or several from a dict; returns the object."""
        items = key_or_fields.items() if isinstance(key_or_fields, dict) else [(key_or_fields, value)]
        for key, item in items:
            if key in _SYSTEM_FIELDS:
                raise ValueError(f"{key} is set by the server, not by set()")
            self._fields[key] = item
        return self

    def unset(self, key: str) -> "Object":
        self._fields.pop(key, None)
        return self

    def has(self, key: str) -> bool:
        return key in self._fields

    def keys(self) -> Iterator[str]:
        return iter(self._fields)

    @property
    def attributes(self) -> dict[str, Any]:
        """The fields (without objectId and dates)."""
        return self._fields

    def is_new(self) -> bool:
        return self.id is None

    # ---- hook flags (spec §8) ----------------------------------------------------------

    def disable_before_hook(self) -> "Object":
        self.ignored_hooks.update(BEFORE_HOOKS)
        return self

    def disable_after_hook(self) -> "Object":
        self.ignored_hooks.update(AFTER_HOOKS)
        return self

    def ignore_hook(self, name: str) -> "Object":
        if name not in BEFORE_HOOKS + AFTER_HOOKS:
            raise ValueError(f"invalid hook name {name!r}")
        self.ignored_hooks.add(name)
        return self

    # ---- conversions ---------------------------------------------------------------------

    @classmethod
    def from_json(cls, class_name: str, data: dict[str, Any], decode: Any = None) -> "Object":
        """An object from its REST/hook JSON form (fields decoded with `decode`)."""
        from .codec import decode as default_decode, parse_date

        decode = decode or default_decode
        obj = (User if class_name == "_User" else cls)(class_name)
        for key, value in data.items():
            if key == "objectId":
                obj.id = value
            elif key in ("createdAt", "updatedAt"):
                setattr(obj, "created_at" if key == "createdAt" else "updated_at",
                        parse_date(value) if isinstance(value, str) else decode(value))
            elif key == "_updatedKeys":
                obj.updated_keys = list(value) if isinstance(value, list) else []
            elif key in ("__type", "className"):
                continue
            else:
                obj._fields[key] = decode(value)
        return obj

    def dump(self) -> dict[str, Any]:
        """The fields as JSON (what a beforeSave hook answers): typed values encoded."""
        from .codec import encode, format_date

        data = {key: encode(value, full=False) for key, value in self._fields.items()}
        if self.id:
            data["objectId"] = self.id
        if self.created_at:
            data["createdAt"] = format_date(self.created_at)
        if self.updated_at:
            data["updatedAt"] = format_date(self.updated_at)
        if self.updated_keys:
            data["_updatedKeys"] = list(self.updated_keys)
        return data

    def copy(self) -> "Object":
        return copy.deepcopy(self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.class_name} {self.id or '(new)'}>"


class User(Object):
    """A user (`_User`): username and the session token of a logged-in user."""

    class_name = "_User"

    def get_username(self) -> str | None:
        return self.get("username")

    @property
    def session_token(self) -> str | None:
        return self._fields.get("sessionToken")

    def get_session_token(self) -> str | None:
        return self.session_token
