"""Store: LeanStorage objects, queries and users over a Backend, firing the site's hooks.

Everything here speaks REST JSON (dicts as LeanStorage sends and receives them), so the
REST routes are a thin layer and the Python API (`Object.save()` ...) encodes with
`leanengine.codec` and calls the same methods: hooks fire for both alike.

Hook order (spec §7): create = beforeSave → insert → afterSave; update of an existing
object = beforeUpdate → update → afterUpdate; delete = beforeDelete → delete →
afterDelete. Hooks run outside any database transaction. A before-hook that raises
aborts the operation with LeanCloudError(142, "Cloud Code validation failed. Error
detail: <message>") and nothing is written; beforeSave's object as the hook left it is
what gets saved. After-hooks run after the write; an error in one is logged and the
write stands. The object handed to a hook has that hook family disabled (spec §8), so
saving it from the hook does not fire the family again. `__ignore_hooks` in a body is
honoured only for a caller with the hook or master key, and never stored.

While a hook runs, `engine.current.user` is the caller's user (when the Caller has one).

Access (see `access`): without the master key a caller sees only objects it may read
(queries filter in the database, so `limit` and `count` stay right) and changes only
objects it may write (403 otherwise; objects it may not even read are 101, as if
absent). A `_User` is changed or deleted only with its own session or the master key
(206). The Caller class lives in `access` and is importable from here too.
"""

from __future__ import annotations

import re
import secrets
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence

from ..leanengine.errors import LeanEngineError
from ..leanengine.objects import Object
from ..leanengine.registry import CLASS_HOOKS
from ..sourcemap import format_exception
from .access import (USER_CLASS, Caller, access_condition, allows, forbidden_fields, hook_view,
                     may_change_user, public_user)
from .backend import Backend
from .errors import LeanCloudError
from .fieldops import apply_changes, check_operation, is_operation
from .schema import (SYSTEM_FIELDS, check_acl, check_class_name, check_field_name, normalize_value,
                     now_iso)
from .sql import UniqueViolation
from .users import hash_password, looks_like_token, new_session_token, verify_password
from .where import Compare, Condition, combine, parse_where

MAX_LIMIT = 1000
#: Hook name (as in `__ignore_hooks`) -> the registry prefix of its functions.
HOOK_PREFIXES = {
    "beforeSave": CLASS_HOOKS["before_save"], "afterSave": CLASS_HOOKS["after_save"],
    "beforeUpdate": CLASS_HOOKS["before_update"], "afterUpdate": CLASS_HOOKS["after_update"],
    "beforeDelete": CLASS_HOOKS["before_delete"], "afterDelete": CLASS_HOOKS["after_delete"],
}
ON_LOGIN = "__on_login__User"
#: Body keys that are not fields: the server's own, or what SDKs and hooks echo back.
_NOT_FIELDS = frozenset(SYSTEM_FIELDS + ("__type", "className", "_updatedKeys", "__before", "__after"))
_LOGIN_KEYS = ("username", "email", "mobilePhoneNumber")
_UNIQUE_USER_FIELDS = ("username", "email", "sessionToken")
_ORDER_KEY = re.compile(r"-?[A-Za-z][A-Za-z0-9_]*\Z")
_NO_CLASS = "Class or object doesn't exists."


def new_object_id() -> str:
    """24 lowercase hexadecimal digits, as LeanStorage's ids look."""
    return secrets.token_hex(12)


def hook_failed(exc: BaseException) -> LeanCloudError:
    """What the client gets when a before-hook raised (spec §5.3)."""
    if isinstance(exc, LeanEngineError):
        detail = exc.message
    elif isinstance(exc, LeanCloudError):
        detail = exc.error
    else:
        detail = "Cloud Code script had an error."
    return LeanCloudError(142, f"Cloud Code validation failed. Error detail: {detail}")


class Store:
    """The object store of one site."""

    def __init__(self, backend: Backend, engine: Any, log: Callable[[str], None]) -> None:
        """`engine`: the site's leanengine Engine (hooks are looked up in its registry by
        the official names, e.g. `__before_save_for_Review`, `__on_login__User`)."""
        self.backend = backend
        self.engine = engine
        self.log = log
        self._user_indexes_ready = False

    # ---- objects -------------------------------------------------------------------------

    def create(self, class_name: str, body: dict[str, Any], caller: Caller,
               fetch_when_save: bool = False) -> dict[str, Any]:
        """A new object → `{"objectId", "createdAt"}` (the whole object with
        fetch_when_save). `_User` objects are signed up (see `sign_up`)."""
        check_class_name(class_name)
        if class_name == USER_CLASS:
            answer = self.sign_up(body, caller)
            return self.fetch(USER_CLASS, answer["objectId"], _as_user(answer, caller)) \
                if fetch_when_save else answer
        changes, ignored = self._read_body(class_name, body, caller)
        data = self._before_save(class_name, apply_changes({}, changes), caller, ignored)
        row = self.backend.insert(class_name, new_object_id(), now_iso(), data)
        self._after("afterSave", class_name, row, caller, ignored)
        if fetch_when_save:
            return self._present(class_name, [row], caller)[0]
        return {"objectId": row["objectId"], "createdAt": row["createdAt"]}

    def fetch(self, class_name: str, object_id: str, caller: Caller,
              keys: Sequence[str] | None = None, include: Sequence[str] | None = None) -> dict[str, Any]:
        """One object (`{}` when unknown; LeanCloudError 101 for an unknown class;
        only `keys` plus the system fields when given; pointers named in `include`
        replaced by their objects, one level)."""
        check_class_name(class_name)
        _check_id(object_id)
        if not self.backend.class_exists(class_name):
            raise LeanCloudError(101, _NO_CLASS, 404)
        row = self.backend.get(class_name, object_id)
        if row is None or not allows(row, caller, "read"):
            if class_name == USER_CLASS:
                raise LeanCloudError(211, "Could not find user.")
            return {}
        return self._present(class_name, [row], caller, keys, include)[0]

    def update(self, class_name: str, object_id: str, body: dict[str, Any], caller: Caller,
               where: dict[str, Any] | None = None, fetch_when_save: bool = False) -> dict[str, Any]:
        """Change an object → `{"updatedAt", "objectId"}` (plus the changed fields with
        fetch_when_save); 101 when it does not exist, 305 when `where` does not match;
        `_User` needs that user's session or the master key (206)."""
        check_class_name(class_name)
        _check_id(object_id)
        condition = parse_where(where, forbidden_fields(class_name, caller))
        changes, ignored = self._read_body(class_name, body, caller)
        if class_name == USER_CLASS and not may_change_user(caller, object_id):
            raise _no_session()
        updated_keys = list(changes)
        password = self._user_changes(changes, creating=False) if class_name == USER_CLASS else None
        if "beforeUpdate" not in ignored and self._hook("beforeUpdate", class_name):
            merged = apply_changes(self._writable(class_name, object_id, caller), changes)
            self._before("beforeUpdate", class_name, hook_view(class_name, merged), caller, updated_keys)
        if password is not None:
            changes["password"] = hash_password(password)
        row = self._update_row(class_name, object_id, changes, caller, condition)
        if "afterUpdate" not in ignored:
            self._after("afterUpdate", class_name, row, caller, ignored, updated_keys)
        answer = {"updatedAt": row["updatedAt"], "objectId": object_id}
        if fetch_when_save:
            shown = self._present(class_name, [row], caller)[0]
            answer.update({key: shown[key] for key in changes if key in shown})
        return answer

    def delete(self, class_name: str, object_id: str, caller: Caller,
               where: dict[str, Any] | None = None, body: dict[str, Any] | None = None) -> None:
        """Remove an object (`body` may carry `__ignore_hooks`); 305 when `where` does
        not match; deleting an unknown object (or one the caller may not read) succeeds
        and changes nothing."""
        check_class_name(class_name)
        _check_id(object_id)
        condition = parse_where(where, forbidden_fields(class_name, caller))
        ignored = self._ignored_hooks(body.get("__ignore_hooks") if isinstance(body, dict) else None,
                                      caller)
        if class_name == USER_CLASS and not may_change_user(caller, object_id):
            raise _no_session()
        hooks = [hook for hook in ("beforeDelete", "afterDelete")
                 if hook not in ignored and self._hook(hook, class_name)]
        stored = None
        if hooks:  # hooks are handed the object: read it (else the delete alone decides)
            stored = self.backend.get(class_name, object_id)
            if stored is None:
                return
            refusal = self._write_refusal(class_name, object_id, caller, stored)
            if refusal is not None:
                return _unless_absent(refusal)
            if "beforeDelete" in hooks:
                self._before("beforeDelete", class_name, hook_view(class_name, stored), caller)
        access = None if class_name == USER_CLASS else access_condition(caller, "write")
        if not self.backend.delete(class_name, object_id, combine(condition, access)):
            row = self.backend.get(class_name, object_id)
            if row is not None:  # else unknown, or deleted meanwhile: the same outcome
                _unless_absent(self._write_refusal(class_name, object_id, caller, row) or _no_effect(condition))
            return
        if "afterDelete" in hooks:
            self._after("afterDelete", class_name, stored, caller, ignored)  # type: ignore[arg-type]

    def query(self, class_name: str, caller: Caller, where: dict[str, Any] | None = None,
              order: str | Sequence[str] | None = None, limit: int = 100, skip: int = 0,
              keys: str | Sequence[str] | None = None, include: str | Sequence[str] | None = None,
              count: bool = False) -> dict[str, Any]:
        """`{"results": [...]}` (plus `"count"` with count); `order` as REST gives it
        ("-score,name", or a list of such keys); limit 0..1000, skip >= 0 (else 102)."""
        check_class_name(class_name)
        condition = combine(parse_where(where, forbidden_fields(class_name, caller)), access_condition(caller, "read"))
        order_terms = parse_order(order)
        if limit.__class__ is not int or not 0 <= limit <= MAX_LIMIT:
            raise LeanCloudError(102, f"Invalid query: limit must be a whole number from 0 to {MAX_LIMIT}.")
        if skip.__class__ is not int or skip < 0:
            raise LeanCloudError(102, "Invalid query: skip must be a whole number of at least 0.")
        if not self.backend.class_exists(class_name):
            raise LeanCloudError(101, _NO_CLASS, 404)
        rows = self.backend.find(class_name, condition, order_terms, limit, skip) if limit else []
        answer: dict[str, Any] = {"results": self._present(class_name, rows, caller, keys, include)}
        if count:
            answer["count"] = self.backend.count(class_name, condition)
        return answer

    # ---- users ---------------------------------------------------------------------------

    def sign_up(self, body: dict[str, Any], caller: Caller) -> dict[str, Any]:
        """A new `_User` → `{"objectId", "createdAt", "sessionToken"}`; 200/201 missing
        username/password, 202 username taken, 203 email taken. The password is stored
        as a slow salted hash and never returned."""
        changes, ignored = self._read_body(USER_CLASS, body, caller)
        password = self._user_changes(changes, creating=True)
        data = self._before_save(USER_CLASS, apply_changes({}, changes), caller, ignored)
        object_id, token = new_object_id(), new_session_token()
        data.setdefault("ACL", {"*": {"read": True}, object_id: {"read": True, "write": True}})
        data["password"] = hash_password(password)
        data["sessionToken"] = token
        self._ensure_user_indexes()
        try:
            row = self.backend.insert(USER_CLASS, object_id, now_iso(), data)
        except UniqueViolation as exc:
            raise _taken(exc) from None
        self._after("afterSave", USER_CLASS, row, caller, ignored)
        return {"objectId": object_id, "createdAt": row["createdAt"], "sessionToken": token}

    def log_in(self, body: dict[str, Any], caller: Caller) -> dict[str, Any]:
        """`{username|email, password}` → the user with `sessionToken`; 210 wrong
        password, 211 unknown user; an onLogin hook that raises → status 401."""
        if not isinstance(body, dict):
            raise LeanCloudError(107, "The login body must be a JSON object.")
        password = body.get("password")
        if not isinstance(password, str) or not password:
            raise LeanCloudError(201, "Password is missing or empty.")
        key = next((k for k in _LOGIN_KEYS if body.get(k) not in (None, "")), None)
        if key is None or not isinstance(body[key], str):
            raise LeanCloudError(200, "Username is missing or empty.")
        rows = self.backend.find(USER_CLASS, Compare((key,), "eq", body[key]), (), 1, 0)
        if not rows:
            raise LeanCloudError(211, "Could not find user.")
        row = rows[0]
        if not verify_password(password, row.get("password")):
            raise LeanCloudError(210, "The username and password mismatch.")
        function = self.engine.functions.get(ON_LOGIN)
        if function is not None:
            try:
                with self._current_user(caller):
                    function(Object.from_json(USER_CLASS, hook_view(USER_CLASS, row)))
            except Exception as exc:  # noqa: BLE001 - the hook's refusal, or its bug (logged)
                self._log_hook_error("onLogin", USER_CLASS, exc)
                error = hook_failed(exc)
                raise LeanCloudError(error.code, error.error, 401) from None
        if not row.get("sessionToken"):
            row = self.backend.update(USER_CLASS, row["objectId"], {"sessionToken": new_session_token()},
                                      now_iso()) or row
        return public_user(row, with_token=True)

    def user_by_token(self, session_token: str) -> dict[str, Any] | None:
        """The user (REST JSON with sessionToken, no password) owning a token, or None."""
        if not looks_like_token(session_token):
            return None
        rows = self.backend.find(USER_CLASS, Compare(("sessionToken",), "eq", session_token), (), 1, 0)
        return public_user(rows[0], with_token=True) if rows else None

    def refresh_session_token(self, user_id: str, caller: Caller) -> dict[str, Any]:
        """A new session token for the user (its session or the master key) → the user."""
        _check_id(user_id)
        if not may_change_user(caller, user_id):
            raise _no_session()
        row = self.backend.update(USER_CLASS, user_id, {"sessionToken": new_session_token()}, now_iso())
        if row is None:
            raise LeanCloudError(211, "Could not find user.")
        return public_user(row, with_token=True)

    # ---- reading bodies ------------------------------------------------------------------

    def _read_body(self, class_name: str, body: Any, caller: Caller) -> tuple[dict[str, Any], frozenset[str]]:
        """The checked changes of a create/update body, and the hooks it may skip."""
        if not isinstance(body, dict):
            raise LeanCloudError(107, "The body must be a JSON object.")
        changes: dict[str, Any] = {}
        ignored: frozenset[str] = frozenset()
        for key, value in body.items():
            if key == "__ignore_hooks":
                ignored = self._ignored_hooks(value, caller)
            elif key not in _NOT_FIELDS:
                changes[check_field_name(key)] = _field_value(key, value)
        return changes, ignored

    @staticmethod
    def _ignored_hooks(value: Any, caller: Caller) -> frozenset[str]:
        """The hooks a body's `__ignore_hooks` skips: none without the hook or master key."""
        if value is None:
            return frozenset()
        if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
            raise LeanCloudError(107, "__ignore_hooks must be an array of hook names.")
        if not (caller.hook or caller.master):
            return frozenset()
        return frozenset(value) & frozenset(HOOK_PREFIXES)

    def _user_changes(self, changes: dict[str, Any], creating: bool) -> str | None:
        """Check a `_User` body; take out and return the new password (None if unchanged)."""
        for key in ("username", "password"):
            value = changes.get(key)
            if creating and value in (None, ""):
                code = 200 if key == "username" else 201
                raise LeanCloudError(code, f"{key.capitalize()} is missing or empty.")
            if key in changes and (not isinstance(value, str) or not value.strip()):
                code = 217 if key == "username" else 218
                raise LeanCloudError(code, f"Invalid {key}, it must be a non-blank string.")
        email = changes.get("email")
        if email is None and "email" in changes:
            changes["email"] = {"__op": "Delete"}  # no email: not a value for the unique index
        elif "email" in changes and not (isinstance(email, str) and "@" in email):
            raise LeanCloudError(125, "The email address is invalid.")
        changes.pop("sessionToken", None)
        return changes.pop("password", None)

    # ---- hooks -------------------------------------------------------------------------------

    def _hook(self, hook: str, class_name: str) -> Callable[..., Any] | None:
        return self.engine.functions.get(HOOK_PREFIXES[hook] + class_name)

    def _before_save(self, class_name: str, data: dict[str, Any], caller: Caller,
                     ignored: frozenset[str]) -> dict[str, Any]:
        """`data` as the beforeSave hook leaves it (checked again), or unchanged."""
        if "beforeSave" in ignored or not self._hook("beforeSave", class_name):
            return data
        obj = self._before("beforeSave", class_name, data, caller)
        changes, _ = self._read_body(class_name, obj.dump(), Caller())
        if class_name == USER_CLASS:
            changes.pop("password", None)  # set by sign_up, never by a hook's echo
            changes.pop("sessionToken", None)
        return apply_changes({}, changes)

    def _before(self, hook: str, class_name: str, data: dict[str, Any], caller: Caller,
                updated_keys: list[str] | None = None) -> Object:
        """Run a before-hook; LeanCloudError 142 if it refuses. Returns the object it saw."""
        obj = Object.from_json(class_name, data)
        obj.updated_keys = list(updated_keys or ())
        obj.disable_before_hook()
        try:
            with self._current_user(caller):
                self._hook(hook, class_name)(obj)  # type: ignore[misc]
        except Exception as exc:  # noqa: BLE001 - any failure refuses the write
            self._log_hook_error(hook, class_name, exc)
            raise hook_failed(exc) from None
        return obj

    def _after(self, hook: str, class_name: str, row: dict[str, Any], caller: Caller,
               ignored: frozenset[str], updated_keys: list[str] | None = None) -> None:
        """Run an after-hook; its errors are logged, the write stands."""
        function = self._hook(hook, class_name)
        if function is None or hook in ignored:
            return
        obj = Object.from_json(class_name, hook_view(class_name, row))
        obj.updated_keys = list(updated_keys or ())
        obj.disable_after_hook()
        try:
            with self._current_user(caller):
                function(obj)
        except Exception as exc:  # noqa: BLE001 - after-hooks cannot undo the write
            self.log(f"error in the {hook} hook of {class_name} (the write stands):\n"
                     f"{format_exception(exc).rstrip()}")

    def _log_hook_error(self, hook: str, class_name: str, exc: BaseException) -> None:
        if not isinstance(exc, (LeanEngineError, LeanCloudError)):  # a bug: its traceback
            self.log(f"error in the {hook} hook of {class_name}:\n{format_exception(exc).rstrip()}")

    @contextmanager
    def _current_user(self, caller: Caller) -> Iterator[None]:
        """`engine.current` shows the caller's user while a hook runs (when it has one)."""
        if caller.user is None:
            yield
            return
        current = self.engine.current
        saved = current._state
        user = Object.from_json(USER_CLASS, public_user(caller.user, with_token=False))
        current._state = (user, caller.session_token) + saved[2:]  # the caller's meta stays
        try:
            yield
        finally:
            current._state = saved

    # ---- access -----------------------------------------------------------------------------

    def _writable(self, class_name: str, object_id: str, caller: Caller) -> dict[str, Any]:
        """The stored object the caller may change; 101 unknown (or unreadable), 403, 206."""
        row = self.backend.get(class_name, object_id)
        refusal = self._write_refusal(class_name, object_id, caller, row)
        if refusal is not None:
            raise refusal
        return row  # type: ignore[return-value]

    @staticmethod
    def _write_refusal(class_name: str, object_id: str, caller: Caller,
                       row: dict[str, Any] | None) -> LeanCloudError | None:
        """Why the caller may not change `row` (None: it may)."""
        if row is None:
            return LeanCloudError(101, _NO_CLASS, 404)
        if class_name == USER_CLASS:
            return None if may_change_user(caller, object_id) else _no_session()
        if allows(row, caller, "write"):
            return None
        if allows(row, caller, "read"):
            return LeanCloudError(403, "Forbidden to write this object by its ACL.", 403)
        return LeanCloudError(101, _NO_CLASS, 404)  # as if absent

    def _update_row(self, class_name: str, object_id: str, changes: dict[str, Any], caller: Caller,
                    condition: Condition | None) -> dict[str, Any]:
        """Update with the caller's write rights and `condition` checked in the same transaction."""
        access = None if class_name == USER_CLASS else access_condition(caller, "write")
        try:
            row = self.backend.update(class_name, object_id, changes, now_iso(), combine(condition, access))
        except UniqueViolation as exc:
            raise _taken(exc) if class_name == USER_CLASS else exc from None
        if row is None:
            stored = self.backend.get(class_name, object_id)
            raise self._write_refusal(class_name, object_id, caller, stored) or _no_effect(condition)
        return row

    def _ensure_user_indexes(self) -> None:
        if not self._user_indexes_ready:
            for field in _UNIQUE_USER_FIELDS:
                self.backend.ensure_index(USER_CLASS, field, unique=True)
            self._user_indexes_ready = True

    # ---- answers -----------------------------------------------------------------------------

    def _present(self, class_name: str, rows: list[dict[str, Any]], caller: Caller,
                 keys: str | Sequence[str] | None = None,
                 include: str | Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Rows as the caller may see them: user secrets removed, `keys` kept, `include` filled."""
        if class_name == USER_CLASS:
            rows = [public_user(row, with_token=row["objectId"] == caller.user_id) for row in rows]
        included = _names(include)
        if keys:
            rows = [_project(row, _names(keys), included) for row in rows]
        for field in included:
            self._include(rows, field, caller)
        return rows

    def _include(self, rows: list[dict[str, Any]], field: str, caller: Caller) -> None:
        """Replace the pointers in `field` (or in an array there) by their objects."""
        wanted: dict[str, set[str]] = {}
        for row in rows:
            for pointer in _pointers(row.get(field)):
                wanted.setdefault(pointer["className"], set()).add(pointer["objectId"])
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for class_name, ids in wanted.items():
            objects = [obj for obj in self.backend.get_many(class_name, sorted(ids)).values()
                       if allows(obj, caller, "read")]
            for obj in self._present(class_name, objects, caller):
                found[class_name, obj["objectId"]] = {"__type": "Object", "className": class_name, **obj}

        def swap(value: Any) -> Any:
            if _is_pointer(value):
                return found.get((value["className"], value["objectId"]), value)
            return value

        for row in rows:
            value = row.get(field)
            if isinstance(value, list):
                row[field] = [swap(item) for item in value]
            elif value is not None:
                row[field] = swap(value)


# ---- helpers ------------------------------------------------------------------------------------

def _check_id(object_id: Any) -> None:
    if not isinstance(object_id, str) or not object_id:
        raise LeanCloudError(104, "Missing or invalid objectId.")


def _field_value(key: str, value: Any) -> Any:
    """A body value checked: an operation, an ACL, or a value in canonical form."""
    if is_operation(value):
        if key == "ACL":
            raise LeanCloudError(111, "ACL is set as a whole, not with an operation.")
        return check_operation(key, value)
    if key == "ACL":
        return {"__op": "Delete"} if value is None else check_acl(value)
    try:
        return normalize_value(value)
    except ValueError as exc:
        raise LeanCloudError(107, f"Invalid value for field '{key}': {exc}.") from None


def _unless_absent(refusal: LeanCloudError) -> None:
    """Deleting an object the caller cannot see succeeds, as for an unknown one; other
    refusals are raised."""
    if refusal.code != 101:
        raise refusal


def _no_session() -> LeanCloudError:
    return LeanCloudError(206, "The user cannot be altered by a client without the session.")


def _no_effect(condition: Condition | None) -> LeanCloudError:
    """A write whose object exists and may be changed had no effect: its `where` failed
    (or, without one, the object changed under it)."""
    if condition is not None:
        return LeanCloudError(305, "No effect on updating/deleting a document.")
    return LeanCloudError(101, _NO_CLASS, 404)


def parse_order(order: str | Sequence[str] | None) -> list[tuple[str, bool]]:
    """`"-score,name"` (or `["-score", "name"]`) → `[("score", True), ("name", False)]`."""
    terms = []
    for key in _names(order):
        if not _ORDER_KEY.match(key):
            raise LeanCloudError(102, f"Invalid query: cannot order by {key!r}.")
        terms.append((key.lstrip("-"), key.startswith("-")))
    return terms


def _names(value: str | Sequence[str] | None) -> list[str]:
    """A comma-separated list (or a list of such) as names, blanks dropped."""
    if not value:
        return []
    parts = value.split(",") if isinstance(value, str) else [p for item in value for p in str(item).split(",")]
    return [part.strip() for part in parts if part.strip()]


def _project(row: dict[str, Any], keys: list[str], included: list[str]) -> dict[str, Any]:
    """`keys=a,b` keeps those fields (plus the system ones); `keys=-a` drops a."""
    if all(key.startswith("-") for key in keys):
        dropped = {key[1:].split(".")[0] for key in keys}
        return {key: value for key, value in row.items() if key not in dropped or key in SYSTEM_FIELDS}
    kept = {key.split(".")[0] for key in keys if not key.startswith("-")} | set(included) | set(SYSTEM_FIELDS)
    return {key: value for key, value in row.items() if key in kept}


def _is_pointer(value: Any) -> bool:
    return value.__class__ is dict and value.get("__type") == "Pointer"


def _pointers(value: Any) -> list[dict[str, Any]]:
    if _is_pointer(value):
        return [value]
    if isinstance(value, list):
        return [item for item in value if _is_pointer(item)]
    return []


def _as_user(answer: dict[str, Any], caller: Caller) -> Caller:
    """The caller seen as the user just signed up (so a fetch shows its session token)."""
    return Caller(master=caller.master, hook=caller.hook, user={"objectId": answer["objectId"]},
                  session_token=answer["sessionToken"])


def _taken(exc: UniqueViolation) -> LeanCloudError:
    if exc.field == "username":
        return LeanCloudError(202, "Username has already been taken.")
    if exc.field == "email":
        return LeanCloudError(203, "This email address has already been taken.")
    return exc
