"""The Backend protocol: how the Store keeps objects (SQLite and PostgreSQL implement it).

A backend stores, per class, rows of (objectId, createdAt, updatedAt, data) where `data`
is the object's REST JSON without those three keys (typed values stay in their `__type`
form, e.g. `{"__type": "Date", "iso": ...}`). Dates are ISO strings with milliseconds
and `Z` (they sort as text). Every method is safe to call from any thread, and from
several processes (pre-forked servers) or machines sharing one database; a backend opened
before `os.fork()` reconnects in the child.

Writes are atomic: `update` applies field operations (`fieldops`) to the current stored
state inside one transaction holding that row (so 50 concurrent Increments end at the
exact total), and checks an optional `where` condition in the same transaction. A
write is durable once the method returns (a SIGKILL right after loses nothing).

`where` arguments are condition trees from `where.parse_where`; `order` is a list of
(field, descending) pairs. Field names are validated by the Store before they get here.
"""

from __future__ import annotations

from typing import Any, Protocol, Sequence

from .where import Condition

#: A stored object as the backend returns it: REST JSON with objectId, createdAt, updatedAt.
Row = dict[str, Any]


class Backend(Protocol):
    url: str

    def insert(self, class_name: str, object_id: str, created_at: str, data: dict[str, Any]) -> Row:
        """Store a new object (updatedAt = createdAt). `data` may hold field operations
        (an Increment in a create body starts from 0). Raises LeanCloudError 137 when a
        unique index (see `ensure_index`) would be violated. Returns the stored row."""

    def get(self, class_name: str, object_id: str) -> Row | None:
        """One object, or None (also when the class has no table yet)."""

    def get_many(self, class_name: str, object_ids: Sequence[str]) -> dict[str, Row]:
        """Several objects by id (for `include`); missing ones are left out."""

    def update(self, class_name: str, object_id: str, changes: dict[str, Any], updated_at: str,
               where: Condition | None = None) -> Row | None:
        """Apply `changes` (plain values and field operations) atomically; None when the
        object does not exist or `where` does not match it (nothing written)."""

    def delete(self, class_name: str, object_id: str, where: Condition | None = None) -> bool:
        """Remove one object; False when it does not exist or `where` does not match."""

    def find(self, class_name: str, where: Condition | None, order: Sequence[tuple[str, bool]],
             limit: int, skip: int) -> list[Row]:
        """Objects matching `where`, ordered (then by objectId for a stable order)."""

    def count(self, class_name: str, where: Condition | None) -> int:
        """How many objects match `where`."""

    def ensure_index(self, class_name: str, field: str, unique: bool = False) -> None:
        """An index on a field (idempotent) so that equality, `$in` and range queries
        and `order` on it do not scan the class."""

    def class_exists(self, class_name: str) -> bool:
        """Whether any object of the class was ever stored."""

    # ---- web sessions for `[session] storageType = database` ---------------------------

    def session_load(self, session_id: str, now: float) -> Any | None:
        """The JSON data of a session that has not expired, else None."""

    def session_save(self, session_id: str, data: Any, expires: float) -> None:
        """Create or replace a session (data is JSON-serialisable)."""

    def session_clean(self, now: float) -> None:
        """Forget expired sessions."""

    def close(self) -> None:
        """Release connections (the backend reconnects if used again)."""


def open_backend(url: str) -> Backend:
    """The backend for `[storage] url`: `sqlite:///rel.db`, `sqlite:////abs.db` or
    `postgresql://user@host[:port]/db`; a LeanCloudError-free ValueError naming the URL
    for anything else (the config check turns it into a start-up message)."""
    if url.startswith("sqlite:///"):
        from .sqlite_backend import SQLiteBackend

        return SQLiteBackend(url)
    if url.startswith(("postgresql://", "postgres://")):
        from .postgres_backend import PostgresBackend

        return PostgresBackend(url)
    raise ValueError(f"unknown storage URL {url!r}: use sqlite:///file.db or postgresql://user@host/db")
