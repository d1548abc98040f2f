"""LeanCloud objects for cloud code: `Object` (fields, pending changes, save, fetch, destroy) and `User`.

The names are the official Python SDK's (DESIGN.md §6), so cloud code written for it
runs unchanged. Objects are saved to the site's own object store in-process (see
`client`): with the master key unless `use_master_key(False)`, and their hooks run as
they would for a REST client. Storage errors raise `LeanCloudError` with the REST code.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, TypeVar

from . import client
from .acl import ACL
from .operations import UNSET, Add, AddUnique, Delete, Increment, Operation, Remove, Set
from .registry import CURRENT

if TYPE_CHECKING:
    from .query import Query

#: Hook names `ignore_hook` accepts, by family.
BEFORE_HOOKS = ("beforeSave", "beforeUpdate", "beforeDelete")
AFTER_HOOKS = ("afterSave", "afterUpdate", "afterDelete")
_SYSTEM_FIELDS = ("objectId", "createdAt", "updatedAt")
#: Keys of the store's JSON that are not plain fields (`__type`, `className` are dropped).
_SERVER_KEYS = frozenset(_SYSTEM_FIELDS + ("_updatedKeys", "ACL", "__type", "className"))

#: The subclass of each class name (`class Todo(Object)`, `Object.extend('Todo')`):
#: objects of that class read from the store or handed to hooks are made with it.
_classes: dict[str, type["Object"]] = {}

O = TypeVar("O", bound="Object")


class _QueryOfClass:
    """`Todo.query`: a new Query of the class, as the official SDK's class property."""

    def __get__(self, obj: Any, owner: type["Object"]) -> "Query":
        from .query import Query

        return Query(owner)


class Object:
    """An object of a LeanCloud class: fields, pending changes, and the calls that store it.

    `Todo = Object.extend('Todo')` or `class Todo(Object)` makes a class; `Todo(title=...)`
    or `Object.create('Todo', title=...)` a new object, `Todo.create_without_data(id)` a
    reference to a stored one. `set`, `unset`, `increment`, `add`, `add_unique` and
    `remove` change the local value at once and remember the operation, which `save()`
    sends (`{"__op": "Increment"}`, ...), so concurrent increments add up in the store.

    Hooks receive one; `updated_keys` lists the fields an update changed (empty outside
    update hooks); `disable_before_hook()` / `disable_after_hook()` mark it so that
    saving it again does not run the same family of hooks (spec §8).
    """

    class_name = ""
    query = _QueryOfClass()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "class_name" not in cls.__dict__ and cls.class_name != "_User":
            cls.class_name = cls.__name__  # subclasses of User stay `_User`
        _classes[cls.class_name] = cls

    def __init__(self, class_name: str | None = None, **fields: Any) -> None:
        if class_name:
            self.class_name = class_name
        self._fields: dict[str, Any] = {}
        self._changes: dict[str, Operation] = {}
        self.id: str | None = None
        self.created_at: datetime | None = None
        self.updated_at: datetime | None = None
        self.updated_keys: list[str] = []
        self.ignored_hooks: set[str] = set()
        for key, value in fields.items():
            self.set(key, value)

    # ---- classes -------------------------------------------------------------------------

    @classmethod
    def extend(cls, name: str) -> type["Object"]:
        """The subclass for class `name` (made once; `class Todo(Object)` if defined)."""
        if not isinstance(name, str) or not name:
            raise TypeError(f"a class name is a non-empty string, not {name!r}")
        known = _classes.get(name)
        if known is not None:
            return known
        return type(name, (cls,), {"class_name": name})

    @classmethod
    def create(cls, class_name: str, **fields: Any) -> "Object":
        """A new object of class `class_name` with `fields`."""
        return cls.extend(class_name)(**fields)

    @classmethod
    def create_without_data(cls: type[O], id_or_class: str, object_id: str | None = None) -> O:
        """A stored object known by its id (`Todo.create_without_data(id)`), to fetch,
        change, destroy or point to; `Object.create_without_data('Todo', id)` works too."""
        if object_id is not None:
            return cls.extend(id_or_class).create_without_data(object_id)  # type: ignore[return-value]
        if not cls.class_name:
            raise RuntimeError("give the class: Todo.create_without_data(id) or "
                               "Object.create_without_data('Todo', id)")
        obj = cls()
        obj.id = id_or_class
        return obj

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

    def set(self, key_or_fields: str | dict[str, Any], value: Any = None, unset: bool = False) -> "Object":
        """Set one field, or several from a dict; returns the object."""
        if isinstance(key_or_fields, dict):
            for key, item in key_or_fields.items():
                self.set(key, item, unset)
            return self
        if unset:
            return self._change(key_or_fields, Delete())
        _check_key(key_or_fields)
        if key_or_fields == "ACL":
            value = _checked_value(value)
        self._fields[key_or_fields] = value  # a Set needs no merging: the fast path
        self._changes[key_or_fields] = Set(value)
        return self

    def unset(self, key: str) -> "Object":
        """Remove a field (sent as a Delete operation)."""
        return self._change(key, Delete())

    def increment(self, key: str, amount: int | float = 1) -> "Object":
        """Add `amount` (1 by default, may be negative) to a number field."""
        return self._change(key, Increment(amount))

    def add(self, key: str, item: Any) -> "Object":
        """Append an item to an array field."""
        return self._change(key, Add([item]))

    def add_unique(self, key: str, item: Any) -> "Object":
        """Append an item to an array field unless it is there already."""
        return self._change(key, AddUnique([item]))

    def remove(self, key: str, item: Any) -> "Object":
        """Remove every occurrence of an item from an array field."""
        return self._change(key, Remove([item]))

    def clear(self) -> "Object":
        """Unset every field."""
        for key in list(self._fields):
            self.unset(key)
        return self

    def _change(self, key: str, operation: Operation) -> "Object":
        _check_key(key)
        value = operation.apply(self._fields.get(key))
        merged = operation.merge(self._changes.get(key))
        if value is UNSET:
            self._fields.pop(key, None)
        else:
            self._fields[key] = value
        self._changes[key] = merged
        return self

    def has(self, key: str) -> bool:
        """Whether the field is set."""
        return key in self._fields

    def keys(self) -> Iterator[str]:
        """The names of the set fields."""
        return iter(self._fields)

    @property
    def attributes(self) -> dict[str, Any]:
        """The fields (without objectId and dates)."""
        return self._fields

    def get_acl(self) -> ACL | None:
        """The object's ACL, or None (everyone may read and write it)."""
        return self._fields.get("ACL")

    def set_acl(self, acl: ACL) -> "Object":
        """Set who may read and write the object."""
        return self.set("ACL", acl)

    def is_new(self) -> bool:
        """Not saved yet (no objectId)."""
        return self.id is None

    def is_existed(self) -> bool:
        """Read from the store (its creation date is known)."""
        return self.created_at is not None

    def is_dirty(self, key: str | None = None) -> bool:
        """Whether `save()` has something to send (for `key`: whether that field changed)."""
        if key is not None:
            return key in self._changes
        return self.id is None or bool(self._changes)

    # ---- hook flags (spec §8) ----------------------------------------------------------

    def disable_before_hook(self) -> "Object":
        """Saving or destroying this object skips beforeSave/Update/Delete."""
        self.ignored_hooks.update(BEFORE_HOOKS)
        return self

    def disable_after_hook(self) -> "Object":
        """Saving or destroying this object skips afterSave/Update/Delete."""
        self.ignored_hooks.update(AFTER_HOOKS)
        return self

    def ignore_hook(self, name: str) -> "Object":
        """Saving or destroying this object skips the hook `name` (e.g. 'beforeDelete')."""
        if name not in BEFORE_HOOKS + AFTER_HOOKS:
            raise ValueError(f"invalid hook name {name!r}")
        self.ignored_hooks.add(name)
        return self

    # ---- the store -----------------------------------------------------------------------

    def save(self, where: "Query | None" = None, fetch_when_save: bool | None = None) -> None:
        """Create the object, or send its changes; changed objects in its fields first.

        `where` (a Query of the same class) makes an update conditional: LeanCloudError
        305 when the stored object does not match. `fetch_when_save` reads back every
        field, so the local values are the stored ones (after other clients' increments).
        """
        if where is not None:
            from .query import Query

            if not isinstance(where, Query) or where.class_name != self.class_name:
                raise TypeError(f"where must be a Query of class {self.class_name!r}")
            if self.is_new():
                raise TypeError("where only applies to an object saved before")
        for child in self._unsaved_children():
            child._save_one(None, None)
        self._save_one(where, fetch_when_save)

    def _save_one(self, where: "Query | None", fetch_when_save: bool | None) -> None:
        if not self.class_name:
            raise TypeError("an Object needs a class name: Object.extend('Todo') or Object('Todo')")
        store, caller, body = client.store(), client.caller(), self._save_body()
        if self.id is None:
            answer = store.create(self.class_name, body, caller, fetch_when_save=bool(fetch_when_save))
            self.updated_at = None  # a create answers createdAt only: updatedAt is the same
        else:
            answer = store.update(self.class_name, self.id, body, caller,
                                  where=where.dump()["where"] if where is not None else None,
                                  fetch_when_save=bool(fetch_when_save))
        self._merge_server_data(answer)
        if self.updated_at is None:
            self.updated_at = self.created_at

    def _save_body(self) -> dict[str, Any]:
        body = {key: operation.to_json(_encode_field) for key, operation in self._changes.items()}
        if self.ignored_hooks:
            body["__ignore_hooks"] = self._ignored_hook_names()
        return body

    def _ignored_hook_names(self) -> list[str]:
        return [name for name in BEFORE_HOOKS + AFTER_HOOKS if name in self.ignored_hooks]

    def _unsaved_children(self) -> list["Object"]:
        """Objects in the fields (at any depth) with something to save, innermost first."""
        found: list[Object] = []
        _collect_dirty(self._fields.values(), found, {id(self)})
        return found

    def fetch(self, select: Iterable[str] | None = None, include: Iterable[str] | None = None) -> "Object":
        """Read the stored fields (only `select` ones when given; pointers named in
        `include` as whole objects); local unsaved changes are dropped.
        LeanCloudError 101 when the object does not exist."""
        if self.id is None:
            raise client.error(104, "fetch needs a saved object (it has no objectId)")
        answer = client.store().fetch(self.class_name, self.id, client.caller(),
                                      keys=_names(select, "select"), include=_names(include, "include"))
        if not answer:
            raise client.error(101, "Object not found.")
        self._merge_server_data(answer)
        return self

    def destroy(self) -> None:
        """Delete the object from the store (nothing happens for an unsaved one)."""
        if self.id is None:
            return
        body = {"__ignore_hooks": self._ignored_hook_names()} if self.ignored_hooks else None
        client.store().delete(self.class_name, self.id, client.caller(), body=body)

    @classmethod
    def save_all(cls, objects: Iterable["Object"]) -> None:
        """Save every object; the first error is raised after all were tried."""
        _each(objects, lambda obj: obj.save())

    @classmethod
    def destroy_all(cls, objects: Iterable["Object"]) -> None:
        """Destroy every object; the first error is raised after all were tried."""
        objects = list(objects)
        if any(obj.is_new() for obj in objects):
            raise ValueError("Could not destroy unsaved object")
        _each(objects, lambda obj: obj.destroy())

    # ---- conversions ---------------------------------------------------------------------

    @classmethod
    def from_json(cls, class_name: str, data: dict[str, Any], decode: Any = None) -> "Object":
        """An object from its REST/hook JSON form (fields decoded with `decode`)."""
        klass = _classes.get(class_name) or cls  # User is `_User`'s class unless subclassed
        obj = klass(class_name)
        obj._merge_server_data(data, decode)
        return obj

    def _merge_server_data(self, data: dict[str, Any], decode: Callable[[Any], Any] | None = None) -> None:
        """Take the store's view of the object: system fields, decoded values, no pending change."""
        from .codec import decode as default_decode, parse_date

        decode = decode or default_decode
        fields = self._fields
        for key, value in data.items():
            if key not in _SERVER_KEYS:
                fields[key] = decode(value)
            elif key == "objectId":
                self.id = value
            elif key == "createdAt" or key == "updatedAt":
                moment = parse_date(value) if isinstance(value, str) else decode(value)
                if key == "createdAt":
                    self.created_at = moment
                else:
                    self.updated_at = moment
            elif key == "_updatedKeys":
                self.updated_keys = list(value) if isinstance(value, list) else []
            elif key == "ACL":
                fields[key] = ACL(value) if isinstance(value, dict) else decode(value)
        if self._changes:
            self._changes = {}

    def dump(self) -> dict[str, Any]:
        """The fields as JSON (what a beforeSave hook answers): typed values encoded."""
        from .codec import encode, format_date

        data = {key: value.dump() if value.__class__ is ACL else encode(value, full=False)
                for key, value in self._fields.items()}
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
        """A deep copy (fields, pending changes and hook flags)."""
        return copy.deepcopy(self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.class_name} {self.id or '(new)'}>"


class User(Object):
    """A user (`_User`): sign up, log in, the session token, the current user.

    The current user is `engine.current.user`: the caller of the running request, or
    the user that `sign_up`, `login` or `become` made current in it. It is forgotten
    when the request ends (the official SDK kept it per thread, across requests).
    """

    class_name = "_User"

    # ---- fields --------------------------------------------------------------------------

    def get_username(self) -> str | None:
        """The `username` field."""
        return self.get("username")

    def set_username(self, username: str) -> "User":
        """Set the `username` field."""
        return self.set("username", username)  # type: ignore[return-value]

    def set_password(self, password: str) -> "User":
        """Set the password (sent on save, stored hashed, never read back)."""
        return self.set("password", password)  # type: ignore[return-value]

    def get_email(self) -> str | None:
        """The `email` field."""
        return self.get("email")

    def set_email(self, email: str) -> "User":
        """Set the `email` field."""
        return self.set("email", email)  # type: ignore[return-value]

    def get_mobile_phone_number(self) -> str | None:
        """The `mobilePhoneNumber` field."""
        return self.get("mobilePhoneNumber")

    def set_mobile_phone_number(self, number: str) -> "User":
        """Set the `mobilePhoneNumber` field."""
        return self.set("mobilePhoneNumber", number)  # type: ignore[return-value]

    @property
    def session_token(self) -> str | None:
        """The session token of a user signed up, logged in or become (else None)."""
        return self._fields.get("sessionToken")

    def get_session_token(self) -> str | None:
        """The session token (see `session_token`)."""
        return self.session_token

    # ---- accounts ------------------------------------------------------------------------

    def sign_up(self, username: str | None = None, password: str | None = None) -> None:
        """Create the user (it needs a username and a password) and make it current.
        LeanCloudError 202 when the username is taken, 203 when the email is."""
        if username:
            self.set("username", username)
        if password:
            self.set("password", password)
        if not self.get("username"):
            raise TypeError(f"invalid username: {self.get('username')!r}")
        if not self.get("password"):
            raise TypeError("invalid password")
        answer = client.store().sign_up(self._save_body(), client.caller())
        self._logged_in(answer)

    def login(self, username: str | None = None, password: str | None = None,
              email: str | None = None) -> None:
        """Log in with username (or email) and password, and make the user current.
        LeanCloudError 210 for a wrong password, 211 for an unknown user; an onLogin
        hook that refuses raises its error."""
        for key, value in (("username", username), ("password", password), ("email", email)):
            if value:
                self.set(key, value)
        credentials = {key: _encode_field(self._fields[key])
                       for key in ("username", "email", "mobilePhoneNumber", "password")
                       if key in self._fields}
        self._logged_in(client.store().log_in(credentials, client.caller()))

    @classmethod
    def become(cls, session_token: str) -> "User":
        """The user owning a session token, made current; LeanCloudError 211 if none."""
        data = client.store().user_by_token(session_token) if session_token else None
        if not data:
            raise client.error(211, "Could not find user.")
        user = cls()
        user._logged_in(data)
        return user

    def logout(self) -> None:
        """Forget the user as the current one (its session token stays valid)."""
        if self.is_current:
            CURRENT.user = None
            CURRENT.session_token = None

    def refresh_session_token(self) -> None:
        """A new session token (the old one stops working)."""
        if self.id is None:
            raise client.error(104, "refresh_session_token needs a saved user")
        self._merge_server_data(client.store().refresh_session_token(self.id, client.caller()))
        self._fields.pop("password", None)
        if self.is_current:
            CURRENT.session_token = self.session_token

    def is_authenticated(self) -> bool:
        """Whether the user's session token is valid (asks the store)."""
        token = self.session_token
        if not token:
            return False
        data = client.store().user_by_token(token)
        return bool(data) and data.get("objectId") == self.id

    def save(self, where: "Query | None" = None, fetch_when_save: bool | None = None,
             make_current: bool = False) -> None:
        """Save as `Object.save` does (the password is not kept); `make_current`
        makes the user the current one."""
        super().save(where, fetch_when_save)
        self._fields.pop("password", None)
        if make_current:
            User.set_current(self)

    def _logged_in(self, data: dict[str, Any]) -> None:
        self._merge_server_data(data)
        self._fields.pop("password", None)
        User.set_current(self)

    # ---- the current user ----------------------------------------------------------------

    @classmethod
    def get_current(cls) -> "User | None":
        """The current user (`engine.current.user`), or None."""
        return CURRENT.user

    @classmethod
    def set_current(cls, user: "User | None") -> None:
        """Make `user` the current one: later calls act as it with `use_master_key(False)`."""
        CURRENT.user = user
        CURRENT.session_token = user.session_token if user is not None else None

    @property
    def is_current(self) -> bool:
        """Whether this is the current user (the same object, or the same id)."""
        current = CURRENT.user
        return current is self or (current is not None and self.id is not None and current.id == self.id)


# ---- helpers ---------------------------------------------------------------------------

def _check_key(key: Any) -> None:
    if not isinstance(key, str) or not key:
        raise TypeError(f"a field name is a non-empty string, not {key!r}")
    if key in _SYSTEM_FIELDS:
        raise ValueError(f"{key} is set by the server, not by set()")


def _checked_value(value: Any) -> ACL:
    """The value of the ACL field: an ACL (a dict is taken as an ACL's map)."""
    if isinstance(value, dict):
        return ACL(value)
    if not isinstance(value, ACL):
        raise TypeError(f"the ACL field holds an ACL, not {type(value).__name__}")
    return value


def _encode_field(value: Any) -> Any:
    """A field value as stored: typed JSON, saved objects as Pointers, an ACL as its map."""
    if isinstance(value, ACL):
        return value.dump()
    from .codec import encode

    return encode(value, full=False)


def _collect_dirty(values: Iterable[Any], found: list[Object], seen: set[int]) -> None:
    for value in values:
        if isinstance(value, Object):
            if id(value) in seen:
                continue
            seen.add(id(value))
            _collect_dirty(value._fields.values(), found, seen)
            if value.is_dirty():
                found.append(value)
        elif isinstance(value, list):
            _collect_dirty(value, found, seen)
        elif isinstance(value, dict):
            _collect_dirty(value.values(), found, seen)


def _names(names: Iterable[str] | None, what: str) -> list[str] | None:
    if names is None:
        return None
    if isinstance(names, str):
        raise TypeError(f"{what} must be a list or a tuple of field names")
    return list(names) or None


def _each(objects: Iterable[Object], action: Callable[[Object], None]) -> None:
    """Apply `action` to every object; raise the first error once all were tried."""
    first: Exception | None = None
    for obj in objects:
        try:
            action(obj)
        except Exception as exc:  # noqa: BLE001 - raised below, after the others
            first = first or exc
    if first is not None:
        raise first
