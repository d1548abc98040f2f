"""The embedded object store (DESIGN.md §6): LeanStorage on SQLite or PostgreSQL.

Objects, queries and users, calling the site's hooks in-process.

Layers, each in its own module:
- `errors`       LeanCloudError (code, error, HTTP status).
- `where`        parses and checks a LeanStorage `where` into a condition tree.
- `fieldops`     applies `{"__op": ...}` field operations to stored JSON.
- `schema`       class and field names, dates, and the type each field keeps.
- `access`       Caller, ACL checks, what of a user others may see.
- `users`        password hashing, session tokens.
- `backend`      the Backend protocol and `open_backend(url)`; `sql` and `sqlbackend`
                 hold the SQL both databases share, `sqlite_backend` and
                 `postgres_backend` the rest, `connections` one connection per thread.
- `store`        Store: validation, ACLs, users, hooks (spec §7-§8) over a Backend.
- `rest`         the WSGI routes `/1.1/classes`, `/1.1/batch`, `/1.1/users`, `/1.1/login`.

The running site's store is reached with `active_store()` (set by `Site.start` before
`initServer`, with `use_store`), so cloud code's `Object.save()` and the REST routes share it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import LeanCloudError

if TYPE_CHECKING:
    from .store import Store

__all__ = ["LeanCloudError", "active_store", "use_store"]

_active: "Store | None" = None


def use_store(store: "Store | None") -> None:
    """Make `store` the one that cloud code and the REST routes use (None: no store)."""
    global _active
    _active = store


def active_store() -> "Store":
    """The site's object store; a clear error outside a running site without one."""
    if _active is None:
        raise RuntimeError(
            "no object store is active: objects are saved by a running generated server "
            "(or call cherryc.runtime.storage.use_store(Store(...)) in a plain script)")
    return _active
