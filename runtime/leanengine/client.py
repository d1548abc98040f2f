"""How cloud code reaches the object store: the site's Store, and who asks (master key or user).

Cloud code acts with the master key by default, as an official engine initialised with
it: ACLs do not apply. `use_master_key(False)` makes every later call act as the
current user (`engine.current.user`, the caller of the running request, or the user
that `User.login`/`sign_up`/`become` made current), whose ACLs then apply; without a
current user the calls are anonymous. Either way the engine holds the hook key, so
`__ignore_hooks` (objects handed to hooks, `disable_before_hook()`) is honoured.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .registry import CURRENT

if TYPE_CHECKING:
    from ..storage.store import Caller, Store


class _Settings:
    """Process-wide, as in the official SDK (module globals there)."""

    use_master_key = True
    master: "Caller | None" = None  # the two callers that never change, made on first use
    anonymous: "Caller | None" = None


settings = _Settings()


def use_master_key(flag: bool = True) -> None:
    """Act with the master key (the default), or as the current user with `False`."""
    settings.use_master_key = bool(flag)


def init(app_id: str, app_key: str | None = None, master_key: str | None = None,
         hook_key: str | None = None) -> None:
    """Accepted so that cloud code written for the official SDK runs unchanged.

    The site's keys come from its configuration (`[leanengine]` or `LEANCLOUD_APP_*`);
    calls reach the store in-process and need none of them.
    """
    if not app_key and not master_key:
        raise RuntimeError("app_key or master_key must be specified")


def store() -> "Store":
    """The running site's object store (a clear RuntimeError outside a site)."""
    from ..storage import active_store  # the store imports this package: not at import time

    return active_store()


def error(code: int, message: str) -> Exception:
    """A LeanCloudError of the API itself (e.g. 101 from `Query.first()` without results)."""
    from ..storage.errors import LeanCloudError

    return LeanCloudError(code, message)


def caller() -> "Caller":
    """Who the next store call acts as."""
    if settings.master is None:
        _make_fixed_callers()
    if settings.use_master_key:
        return settings.master  # type: ignore[return-value]
    user: Any = CURRENT.user
    token = CURRENT.session_token or getattr(user, "session_token", None)
    if user is None and not token:
        return settings.anonymous  # type: ignore[return-value]
    from ..storage.store import Caller

    user_json = user.dump() if user is not None and getattr(user, "id", None) else None
    return Caller(hook=True, user=user_json, session_token=token)


def _make_fixed_callers() -> None:
    from ..storage.store import Caller

    settings.anonymous = Caller(hook=True)
    settings.master = Caller(master=True, hook=True)
