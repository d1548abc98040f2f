"""ACL: who may read and write one object, as the official SDK's `leancloud.ACL` builds it.

It is stored as the object's `ACL` field, a map from a user id, `role:<name>` or `*`
(everyone) to `{"read": true, "write": true}` (spec §6). An object without an ACL is
readable and writable by everyone; the master key ignores ACLs.
"""

from __future__ import annotations

from typing import Any

#: The key of "everyone" in an ACL.
PUBLIC_KEY = "*"


def _principal(user_or_id: Any) -> str:
    """A user id from a saved User, or the id (or `*`, `role:<name>`) given as text."""
    if isinstance(user_or_id, str):
        return user_or_id
    user_id = getattr(user_or_id, "id", None)
    if not user_id:
        raise ValueError("an ACL needs a saved user (with an objectId) or a user id")
    return user_id


class ACL:
    """Read and write permissions by user id, role and everyone."""

    def __init__(self, permissions_by_id: dict[str, dict[str, bool]] | None = None) -> None:
        self.permissions_by_id: dict[str, dict[str, bool]] = {
            key: dict(value) for key, value in (permissions_by_id or {}).items()}

    def dump(self) -> dict[str, dict[str, bool]]:
        """The JSON form stored in the `ACL` field."""
        return {key: dict(value) for key, value in self.permissions_by_id.items()}

    def _set_access(self, access: str, key: str, allowed: bool) -> None:
        permissions = self.permissions_by_id.get(key)
        if allowed:
            self.permissions_by_id.setdefault(key, {})[access] = True
        elif permissions is not None:
            permissions.pop(access, None)
            if not permissions:
                del self.permissions_by_id[key]

    def _get_access(self, access: str, key: str) -> bool:
        return bool(self.permissions_by_id.get(key, {}).get(access, False))

    # ---- users (a User or a user id) -----------------------------------------------------

    def set_read_access(self, user_or_id: Any, allowed: bool) -> None:
        """Allow (or no longer allow) a user, given as a User or an id, to read."""
        self._set_access("read", _principal(user_or_id), allowed)

    def get_read_access(self, user_or_id: Any) -> bool:
        """Whether the user (a User or an id) may read."""
        return self._get_access("read", _principal(user_or_id))

    def set_write_access(self, user_or_id: Any, allowed: bool) -> None:
        """Allow (or no longer allow) a user, given as a User or an id, to write."""
        self._set_access("write", _principal(user_or_id), allowed)

    def get_write_access(self, user_or_id: Any) -> bool:
        """Whether the user (a User or an id) may write."""
        return self._get_access("write", _principal(user_or_id))

    # ---- everyone ------------------------------------------------------------------------

    def set_public_read_access(self, allowed: bool) -> None:
        """Allow (or no longer allow) everyone to read."""
        self._set_access("read", PUBLIC_KEY, allowed)

    def get_public_read_access(self) -> bool:
        """Whether everyone may read."""
        return self._get_access("read", PUBLIC_KEY)

    def set_public_write_access(self, allowed: bool) -> None:
        """Allow (or no longer allow) everyone to write."""
        self._set_access("write", PUBLIC_KEY, allowed)

    def get_public_write_access(self) -> bool:
        """Whether everyone may write."""
        return self._get_access("write", PUBLIC_KEY)

    # ---- roles (by name) -----------------------------------------------------------------

    def set_role_read_access(self, role: str, allowed: bool) -> None:
        """Allow (or no longer allow) the users of a role, given by name, to read."""
        self._set_access("read", _role_key(role), allowed)

    def get_role_read_access(self, role: str) -> bool:
        """Whether the users of the role may read."""
        return self._get_access("read", _role_key(role))

    def set_role_write_access(self, role: str, allowed: bool) -> None:
        """Allow (or no longer allow) the users of a role, given by name, to write."""
        self._set_access("write", _role_key(role), allowed)

    def get_role_write_access(self, role: str) -> bool:
        """Whether the users of the role may write."""
        return self._get_access("write", _role_key(role))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ACL) and other.permissions_by_id == self.permissions_by_id

    def __repr__(self) -> str:
        return f"ACL({self.permissions_by_id!r})"


def _role_key(role: Any) -> str:
    name = role if isinstance(role, str) else getattr(role, "get_name", lambda: None)()
    if not isinstance(name, str) or not name:
        raise TypeError("a role is given by its name")
    return f"role:{name}"
