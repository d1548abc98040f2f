"""Who may see and change what: ACLs checked in Python and as query conditions, users' secrets.

An object's `ACL` field (`{"*": {"read": true}, "<userId>": {"read": true, "write": true}}`)
grants rights to everyone (`*`) or to one user; objects without one are public, and the
master key bypasses every ACL. `role:` entries grant nothing (there are no roles yet). A
user's password hash is never shown, and its session token only to that user.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .where import Compare, Condition, Exists, Or

USER_CLASS = "_User"
_USER_SECRETS = frozenset({"password", "sessionToken"})


@dataclass(frozen=True)
class Caller:
    """Who asks, as the request's keys and session say.

    `master`: the master key (bypasses ACLs, may change any user); `hook`: the hook key
    or the master key (may skip hooks with `__ignore_hooks`); `user`: the logged-in
    user's stored JSON (with objectId) or None; `session_token`: that user's token.
    """

    master: bool = False
    hook: bool = False
    user: dict[str, Any] | None = None
    session_token: str | None = None

    @property
    def user_id(self) -> str | None:
        return self.user.get("objectId") if self.user else None


def may_change_user(caller: Caller, user_id: str) -> bool:
    return caller.master or caller.user_id == user_id


def forbidden_fields(class_name: str, caller: Caller) -> frozenset[str]:
    """Fields a caller may not query: a user's password hash, and others' session tokens."""
    if class_name != USER_CLASS:
        return frozenset()
    return frozenset({"password"}) if caller.master else _USER_SECRETS


def allows(row: dict[str, Any], caller: Caller, right: str) -> bool:
    """Whether the ACL of a stored object gives the caller `right` ("read" or "write")."""
    acl = row.get("ACL")
    if caller.master or acl.__class__ is not dict:
        return True
    entry = acl.get("*")
    if entry and entry.get(right) is True:
        return True
    user_id = caller.user_id
    entry = acl.get(user_id) if user_id else None
    return bool(entry) and entry.get(right) is True


def access_condition(caller: Caller, right: str) -> Condition | None:
    """The condition `allows` as a query condition, so the database filters (None: master)."""
    if caller.master:
        return None
    grants: tuple[Condition, ...] = (Exists(("ACL",), False), Compare(("ACL", "*", right), "eq", True))
    user_id = caller.user_id
    if user_id and user_id.isalnum():  # ids are hex: safe as a key in SQL text
        grants += (Compare(("ACL", user_id, right), "eq", True),)
    return Or(grants)


def public_user(row: dict[str, Any], with_token: bool) -> dict[str, Any]:
    """A user without its password hash (and without its session token unless `with_token`)."""
    hidden = ("password",) if with_token else ("password", "sessionToken")
    return {key: value for key, value in row.items() if key not in hidden}


def hook_view(class_name: str, row: dict[str, Any]) -> dict[str, Any]:
    """What a hook sees of an object: a user never shows its password hash or token."""
    return public_user(row, with_token=False) if class_name == USER_CLASS else row
