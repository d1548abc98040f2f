"""The Backend methods written once over a DB-API connection; SQLite and PostgreSQL fill in the rest.

Tables: one per class (`id`, `created_at`, `updated_at` text columns and the JSON
`data`), `_cherryc_fields` (the type of every field of every class, see `schema`) and
`_cherryc_sessions` (web sessions). A class table is made by its first write, in that
write's transaction; what a transaction teaches (new tables, field types) is
remembered in memory only once it has committed.
"""

from __future__ import annotations

from contextlib import contextmanager, nullcontext
from typing import Any, Iterable, Iterator, Sequence

from .connections import ThreadConnections
from .errors import LeanCloudError
from .fieldops import apply_changes
from .schema import FieldTypes, check_class_name, check_field_name, data_types, type_conflict
from .sql import (COLUMNS, Dialect, UniqueViolation, field_of_index, index_name,
                  quote_identifier, render_order, render_where)
from .where import Condition, Path

FIELDS_TABLE = "_cherryc_fields"
SESSIONS_TABLE = "_cherryc_sessions"
Row = dict[str, Any]


class Transaction:
    """A write in progress: its connection and what to remember once it commits."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.learned: dict[str, dict[str, str]] = {}
        self.tables: list[str] = []

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.connection.execute(sql, params)


class SQLBackend:
    """Objects, queries, indexes and sessions in SQL; subclasses connect and speak the dialect."""

    dialect: Dialect
    #: Appended to the SELECT that reads a row before changing it.
    lock_row = ""
    #: The exception a unique index raises.
    integrity_error: type[BaseException] = Exception

    def __init__(self, url: str) -> None:
        self.url = url
        self._connections = ThreadConnections(self._connect, self._broken)
        self.types = FieldTypes()
        self._tables: set[str] = set()
        self._indexes: set[tuple[str, str, bool]] = set()
        self._sessions_ready = False
        self._statements: dict[str, tuple[str, str, str]] = {}

    # ---- what a subclass provides ----------------------------------------------------------

    def _connect(self) -> Any:
        """A new connection (in autocommit mode)."""
        raise NotImplementedError

    @staticmethod
    def _broken(connection: Any) -> bool:
        """Whether a connection can no longer be used (it is then replaced)."""
        return False

    def _reader(self) -> Any | None:
        """This thread's connection for reading; None when there is no database yet."""
        return self._connections.get()

    def _writer(self) -> Any:
        """A context manager: this thread's connection inside a write transaction."""
        raise NotImplementedError

    def _table_sql(self, table: str) -> list[str]:
        """CREATE statements for a class table (IF NOT EXISTS)."""
        raise NotImplementedError

    def _support_sql(self) -> list[str]:
        """CREATE statements for the fields and sessions tables (IF NOT EXISTS)."""
        raise NotImplementedError

    def _lock_name(self, tx: Transaction, name: str) -> None:
        """Serialise schema changes on `name` with other connections (until commit)."""

    def _tables_like(self, connection: Any, class_name: str) -> list[str]:
        """Names of existing tables equal to `class_name` ignoring case."""
        raise NotImplementedError

    def _load(self, data: Any) -> dict[str, Any]:
        raise NotImplementedError

    def _dump(self, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def _unique_index_name(self, exc: BaseException) -> str | None:
        raise NotImplementedError

    def _index_sql(self, class_name: str, field: str, unique: bool) -> str:
        raise NotImplementedError

    def _index_exists(self, connection: Any, name: str) -> bool:
        raise NotImplementedError

    def _errors(self) -> Any:
        """A context manager turning database errors a client caused into LeanCloudErrors."""
        return nullcontext()

    def close(self) -> None:
        """Close this process's connections (threads reconnect on their next call)."""
        self._connections.close()

    # ---- objects -------------------------------------------------------------------------

    def insert(self, class_name: str, object_id: str, created_at: str, data: dict[str, Any]) -> Row:
        data = apply_changes({}, data)
        types = data_types(data)
        values = (object_id, created_at, created_at, self._dump(data))
        try:
            if class_name in self._tables and not self.types.unknown(class_name, types):
                with self._errors():  # a known class and fields: one statement is atomic alone
                    self._connections.get().execute(self._sql(class_name)[1], values)
            else:
                with self._transaction() as tx:
                    self._ensure_table(tx, class_name)
                    self._record_types(tx, class_name, types)
                    tx.execute(self._sql(class_name)[1], values)
        except self.integrity_error as exc:
            raise self._unique_violation(exc) from None
        return _row(data, object_id, created_at, created_at)

    def insert_many(self, class_name: str, rows: Iterable[tuple[str, str, dict[str, Any]]]) -> int:
        """Store many new objects `(objectId, createdAt, data)` in one transaction (bulk
        loads, benchmarks); returns how many."""
        count = 0
        try:
            with self._transaction() as tx:
                self._ensure_table(tx, class_name)
                insert = self._sql(class_name)[1]
                for object_id, created_at, data in rows:
                    self._record_types(tx, class_name, data_types(data))
                    tx.execute(insert, (object_id, created_at, created_at, self._dump(data)))
                    count += 1
        except self.integrity_error as exc:
            raise self._unique_violation(exc) from None
        self._analyze(class_name)
        return count

    def get(self, class_name: str, object_id: str) -> Row | None:
        connection = self._reader()
        if connection is None or not self.class_exists(class_name):
            return None
        found = connection.execute(self._sql(class_name)[0], (object_id,)).fetchone()
        return self._row(found) if found else None

    def get_many(self, class_name: str, object_ids: Sequence[str]) -> dict[str, Row]:
        ids = list(dict.fromkeys(object_ids))
        connection = self._reader()
        if not ids or connection is None or not self.class_exists(class_name):
            return {}
        marks = ", ".join([self.dialect.placeholder] * len(ids))
        sql = f"SELECT id, created_at, updated_at, data FROM {quote_identifier(class_name)} WHERE id IN ({marks})"
        return {row[0]: self._row(row) for row in connection.execute(sql, ids).fetchall()}

    def update(self, class_name: str, object_id: str, changes: dict[str, Any], updated_at: str,
               where: Condition | None = None) -> Row | None:
        if not self.class_exists(class_name):
            return None
        mark = self.dialect.placeholder
        table = quote_identifier(class_name)
        try:
            with self._transaction() as tx:
                test, params = self._where(tx.connection, class_name, where)
                found = tx.execute(f"SELECT created_at, data FROM {table} WHERE id = {mark} AND {test}"
                                   f"{self.lock_row}", [object_id] + params).fetchone()
                if found is None:
                    return None
                data = apply_changes(self._load(found[1]), changes)
                self._record_types(tx, class_name, data_types({k: data[k] for k in changes if k in data}))
                tx.execute(self._sql(class_name)[2], (self._dump(data), updated_at, object_id))
        except self.integrity_error as exc:
            raise self._unique_violation(exc) from None
        return _row(data, object_id, found[0], updated_at)

    def delete(self, class_name: str, object_id: str, where: Condition | None = None) -> bool:
        if not self.class_exists(class_name):
            return False
        with self._transaction() as tx:
            test, params = self._where(tx.connection, class_name, where)
            cursor = tx.execute(f"DELETE FROM {quote_identifier(class_name)} WHERE id = "
                                f"{self.dialect.placeholder} AND {test}", [object_id] + params)
            return cursor.rowcount > 0

    def find(self, class_name: str, where: Condition | None, order: Sequence[tuple[str, bool]],
             limit: int, skip: int) -> list[Row]:
        connection = self._reader()
        if connection is None or not self.class_exists(class_name):
            return []
        with self._errors():
            sql, params = self._find_sql(connection, class_name, where, order, limit, skip)
            found = connection.execute(sql, params).fetchall()
        return [self._row(row) for row in found]

    def count(self, class_name: str, where: Condition | None) -> int:
        connection = self._reader()
        if connection is None or not self.class_exists(class_name):
            return 0
        with self._errors():
            test, params = self._where(connection, class_name, where)
            sql = f"SELECT count(*) FROM {quote_identifier(class_name)} WHERE {test}"
            return connection.execute(sql, params).fetchone()[0]

    def explain_find(self, class_name: str, where: Condition | None,
                     order: Sequence[tuple[str, bool]] = (), limit: int = 100, skip: int = 0) -> str:
        """The database's plan for `find` (to check that an index is used)."""
        connection = self._reader()
        if connection is None or not self.class_exists(class_name):
            return ""
        sql, params = self._find_sql(connection, class_name, where, order, limit, skip)
        return self._explain(connection, sql, params)

    def _find_sql(self, connection: Any, class_name: str, where: Condition | None,
                  order: Sequence[tuple[str, bool]], limit: int, skip: int) -> tuple[str, list[Any]]:
        test, params = self._where(connection, class_name, where)
        # LIMIT and OFFSET are written into the SQL, not bound: PostgreSQL plans a prepared
        # statement without their values and then walks a whole class for a limit of 100.
        sql = (f"SELECT id, created_at, updated_at, data FROM {quote_identifier(class_name)} "
               f"WHERE {test} ORDER BY {render_order(self.dialect, order)} "
               f"LIMIT {int(limit)} OFFSET {int(skip)}")
        return sql, params

    def _explain(self, connection: Any, sql: str, params: list[Any]) -> str:
        raise NotImplementedError

    def _analyze(self, class_name: str) -> None:
        """Refresh the planner's statistics after a bulk load."""

    # ---- indexes and classes -----------------------------------------------------------------

    def ensure_index(self, class_name: str, field: str, unique: bool = False) -> None:
        key = (class_name, field, unique)
        if key in self._indexes:
            return
        check_class_name(class_name)
        if field not in COLUMNS:
            check_field_name(field)
        name = index_name(class_name, field, unique)
        connection = self._reader()
        if connection is None or not self._index_exists(connection, name):
            with self._transaction() as tx:
                self._ensure_table(tx, class_name)
                self._lock_name(tx, name)
                tx.execute(self._index_sql(class_name, field, unique))
            self._analyze(class_name)  # statistics of the new expression, for the planner
        self._indexes.add(key)

    def class_exists(self, class_name: str) -> bool:
        if class_name in self._tables:
            return True
        connection = self._reader()
        if connection is None:
            return False
        if class_name in self._tables_like(connection, class_name):
            self._tables.add(class_name)
            return True
        return False

    def _ensure_table(self, tx: Transaction, class_name: str) -> None:
        if class_name in self._tables:
            return
        self._lock_name(tx, class_name)
        existing = self._tables_like(tx.connection, class_name)
        if existing and class_name not in existing:
            raise LeanCloudError(103, f"Invalid class name {class_name!r}: the class {existing[0]!r} "
                                      "exists and names may not differ only in case.")
        for statement in self._support_sql() + self._table_sql(class_name):
            tx.execute(statement)
        tx.tables.append(class_name)

    # ---- field types -------------------------------------------------------------------------

    def _record_types(self, tx: Transaction, class_name: str, types: dict[str, str]) -> None:
        """Check new values against the class's field types; record new fields (111 on a conflict)."""
        missing = self.types.unknown(class_name, types)
        pending = tx.learned.get(class_name, {})
        missing = {f: k for f, k in missing.items() if pending.get(f) != k}
        if not missing:
            return
        mark = self.dialect.placeholder
        for field, kind in missing.items():
            tx.execute(f"INSERT INTO {FIELDS_TABLE} (class, field, type) VALUES ({mark}, {mark}, {mark}) "
                       "ON CONFLICT DO NOTHING", (class_name, field, kind))
        stored = self._stored_types(tx.connection, class_name)
        for field, kind in missing.items():
            if stored.get(field, kind) != kind:
                raise type_conflict(class_name, field, stored[field], kind)
        tx.learned[class_name] = {**pending, **stored}

    def _stored_types(self, connection: Any, class_name: str) -> dict[str, str]:
        rows = connection.execute(f"SELECT field, type FROM {FIELDS_TABLE} WHERE class = "
                                  f"{self.dialect.placeholder}", (class_name,)).fetchall()
        return dict(rows)

    def _where(self, connection: Any, class_name: str, where: Condition | None) -> tuple[str, list[Any]]:
        loaded = False
        types = self.types

        def is_array(path: Path) -> bool:
            nonlocal loaded
            kind = types.get(class_name, path[0])
            if kind is None and not loaded:  # another process may have added the field
                loaded = True
                types.remember(class_name, self._stored_types(connection, class_name))
                kind = types.get(class_name, path[0])
            return kind == "Array"

        return render_where(self.dialect, where, is_array)

    # ---- web sessions ----------------------------------------------------------------------

    def session_load(self, session_id: str, now: float) -> Any | None:
        connection = self._reader()
        if connection is None or not self._sessions_exist(connection):
            return None
        mark = self.dialect.placeholder
        found = connection.execute(f"SELECT data FROM {SESSIONS_TABLE} WHERE id = {mark} AND "
                                   f"expires > {mark}", (session_id, now)).fetchone()
        return self._load(found[0]) if found else None

    def session_save(self, session_id: str, data: Any, expires: float) -> None:
        mark = self.dialect.placeholder
        with self._transaction() as tx:
            if not self._sessions_ready:
                for statement in self._support_sql():
                    tx.execute(statement)
            tx.execute(f"INSERT INTO {SESSIONS_TABLE} (id, data, expires) VALUES ({mark}, {mark}, {mark}) "
                       "ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires = excluded.expires",
                       (session_id, self._dump(data), expires))
        self._sessions_ready = True

    def session_clean(self, now: float) -> None:
        connection = self._reader()
        if connection is None or not self._sessions_exist(connection):
            return
        with self._transaction() as tx:
            tx.execute(f"DELETE FROM {SESSIONS_TABLE} WHERE expires <= {self.dialect.placeholder}", (now,))

    def _sessions_exist(self, connection: Any) -> bool:
        if not self._sessions_ready and SESSIONS_TABLE in self._tables_like(connection, SESSIONS_TABLE):
            self._sessions_ready = True
        return self._sessions_ready

    # ---- helpers ---------------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[Transaction]:
        with self._errors(), self._writer() as connection:
            tx = Transaction(connection)
            yield tx
        self._tables.update(tx.tables)
        for class_name, types in tx.learned.items():
            self.types.remember(class_name, types)

    def _sql(self, class_name: str) -> tuple[str, str, str]:
        """The (get, insert, update) statements of a class, made once."""
        statements = self._statements.get(class_name)
        if statements is None:
            table, mark = quote_identifier(class_name), self.dialect.placeholder
            statements = self._statements[class_name] = (
                f"SELECT id, created_at, updated_at, data FROM {table} WHERE id = {mark}",
                f"INSERT INTO {table} (id, created_at, updated_at, data) VALUES ({mark}, {mark}, {mark}, {mark})",
                f"UPDATE {table} SET data = {mark}, updated_at = {mark} WHERE id = {mark}",
            )
        return statements

    def _row(self, found: Sequence[Any]) -> Row:
        return _row(self._load(found[3]), found[0], found[1], found[2])

    def _unique_violation(self, exc: BaseException) -> LeanCloudError:
        name = self._unique_index_name(exc)
        return UniqueViolation(field_of_index(name) if name else None)


def _row(data: dict[str, Any], object_id: str, created_at: str, updated_at: str) -> Row:
    row = dict(data)
    row["objectId"] = object_id
    row["createdAt"] = created_at
    row["updatedAt"] = updated_at
    return row

