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
TODO(issue 6): implementation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from .backend import Backend


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


class Store:
    """The object store of one site."""

    def __init__(self, backend: Backend, engine: Any, log: Callable[[str], None]) -> None:
        """`engine`: the site's leanengine Engine (hooks are looked up in its registry by
        the official names, e.g. `__before_save_for_Review`, `__on_login__User`)."""
        self.backend = backend
        self.engine = engine
        self.log = log

    # ---- objects -------------------------------------------------------------------------

    def create(self, class_name: str, body: dict[str, Any], caller: Caller,
               fetch_when_save: bool = False) -> dict[str, Any]:
        """A new object → `{"objectId", "createdAt"}` (the whole object with
        fetch_when_save). `_User` objects are signed up (see `sign_up`)."""
        raise NotImplementedError

    def fetch(self, class_name: str, object_id: str, caller: Caller,
              keys: Sequence[str] | None = None, include: Sequence[str] | None = None) -> dict[str, Any]:
        """One object (`{}` when unknown; LeanCloudError 101 for an unknown class;
        only `keys` plus the system fields when given; pointers named in `include`
        replaced by their objects, one level)."""
        raise NotImplementedError

    def update(self, class_name: str, object_id: str, body: dict[str, Any], caller: Caller,
               where: dict[str, Any] | None = None, fetch_when_save: bool = False) -> dict[str, Any]:
        """Change an object → `{"updatedAt", ...}`; 101 when it does not exist, 305 when
        `where` does not match; `_User` needs that user's session or the master key (206)."""
        raise NotImplementedError

    def delete(self, class_name: str, object_id: str, caller: Caller,
               where: dict[str, Any] | None = None, body: dict[str, Any] | None = None) -> None:
        """Remove an object (`body` may carry `__ignore_hooks`); 305 when `where` does
        not match; deleting an unknown object succeeds."""
        raise NotImplementedError

    def query(self, class_name: str, caller: Caller, where: dict[str, Any] | None = None,
              order: str | None = None, limit: int = 100, skip: int = 0,
              keys: Sequence[str] | None = None, include: Sequence[str] | None = None,
              count: bool = False) -> dict[str, Any]:
        """`{"results": [...]}` (plus `"count"` with count); `order` as REST gives it
        ("-score,name"); limit 0..1000 (else 1xx error), skip >= 0."""
        raise NotImplementedError

    # ---- users ---------------------------------------------------------------------------

    def sign_up(self, body: dict[str, Any], caller: Caller) -> dict[str, Any]:
        """A new `_User` → `{"objectId", "createdAt", "sessionToken"}`; 200/201 missing
        username/password, 202 username taken, 203 email taken. The password is stored
        as a slow salted hash and never returned."""
        raise NotImplementedError

    def log_in(self, body: dict[str, Any], caller: Caller) -> dict[str, Any]:
        """`{username|email, password}` → the user with `sessionToken`; 210 wrong
        password, 211 unknown user; an onLogin hook that raises → status 401."""
        raise NotImplementedError

    def user_by_token(self, session_token: str) -> dict[str, Any] | None:
        """The user (REST JSON with sessionToken, no password) owning a token, or None."""
        raise NotImplementedError

    def refresh_session_token(self, user_id: str, caller: Caller) -> dict[str, Any]:
        """A new session token for the user (its session or the master key) → the user."""
        raise NotImplementedError
