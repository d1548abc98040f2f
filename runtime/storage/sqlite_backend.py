"""The SQLite backend (the default): one database file in WAL mode, safe for threads and processes.

`sqlite:///rel/path.db` is relative to the working directory, `sqlite:////abs/path.db`
absolute; `?synchronous=normal` trades durability after a power cut (never after a
crashed or killed process) for faster writes (the default `full` syncs every commit).
Each thread has its own connection, and a process made by `fork` opens new ones. Writes
run in `BEGIN IMMEDIATE` transactions (one writer at a time, readers never wait), and
wait up to 30 s for a busy database. Reading a database that does not exist yet gives
empty answers and makes no file; the first write creates it.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Iterator
from urllib.parse import parse_qs

from .sql import COLUMNS, Dialect, check_key, index_name, quote_identifier
from .sqlbackend import FIELDS_TABLE, SESSIONS_TABLE, SQLBackend
from .where import Path

BUSY_TIMEOUT_SECONDS = 30.0
_SYNCHRONOUS = ("full", "normal", "extra")
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
_UNIQUE_INDEX = re.compile(r"index '([^']+)'")
_TYPEOF = {int: "IN ('integer', 'real')", float: "IN ('integer', 'real')", str: "= 'text'", dict: "= 'text'"}


def json_path(path: Path) -> str:
    """`$."a"."b"` as an SQL string literal (keys are checked to hold no quotes)."""
    return "'$" + "".join(f'."{check_key(key)}"' for key in path) + "'"


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _regexp(pattern: str, value: Any) -> bool:
    """SQLite's REGEXP: true when a string value matches (other values never do)."""
    return value.__class__ is str and _compiled(pattern).search(value) is not None


class SQLiteDialect(Dialect):
    placeholder = "?"

    def value(self, path: Path) -> str:
        return f"json_extract(data, {json_path(path)})"

    def param(self, value: Any) -> Any:
        if value.__class__ is dict or value.__class__ is list:
            return _ENCODER.encode(value)  # the text json_extract gives for stored objects
        return value

    def is_null(self, path: Path) -> str:
        return f"{self.value(path)} IS NULL"  # json_extract gives NULL for missing and null

    def exists(self, path: Path) -> str:
        return f"json_type(data, {json_path(path)}) IS NOT NULL"

    def distinct(self, expr: str) -> str:
        return f"{expr} IS NOT ?"

    def guard(self, expr: str, value: Any) -> str | None:
        # SQLite orders every number before every text: keep to numbers, or to text
        # (a string or a date; a field's type keeps the two apart)
        return f"typeof({expr}) {_TYPEOF[value.__class__]}"

    def regex(self, text_expr: str, flags: str) -> str:
        return f"{text_expr} REGEXP ?"

    def regex_param(self, pattern: str, flags: str) -> str:
        return f"(?{flags}){pattern}" if flags else pattern

    def text(self, path: Path) -> str:
        return self.value(path)

    def elements(self, path: Path) -> tuple[str, str, str]:
        return f"json_each(data, {json_path(path)})", "json_each.value", "json_each.value"


def sqlite_path(url: str) -> tuple[str, dict[str, str]]:
    """The file of a `sqlite:///...` URL (absolute) and its options."""
    rest = url[len("sqlite:///"):]
    rest, _, query = rest.partition("?")
    if not rest or rest == ":memory:":
        raise ValueError(f"{url!r} names no database file (use sqlite:///site.db)")
    options = {key: values[-1] for key, values in parse_qs(query).items()}
    unknown = set(options) - {"synchronous"}
    if unknown:
        raise ValueError(f"unknown option {sorted(unknown)[0]!r} in {url!r} (known: synchronous)")
    if options.get("synchronous", "full").lower() not in _SYNCHRONOUS:
        raise ValueError(f"synchronous must be one of {', '.join(_SYNCHRONOUS)} in {url!r}")
    return os.path.abspath(rest), options


class SQLiteBackend(SQLBackend):
    """Objects in one SQLite file."""

    dialect = SQLiteDialect()
    integrity_error = sqlite3.IntegrityError

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.path, options = sqlite_path(url)
        self.synchronous = options.get("synchronous", "full").upper()

    # ---- connections ----------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None,
                                         check_same_thread=False)
        except sqlite3.OperationalError as exc:
            raise RuntimeError(f"cannot open the SQLite database {self.path}: {exc}") from None
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(f"PRAGMA synchronous={self.synchronous}")
        connection.create_function("regexp", 2, _regexp, deterministic=True)
        return connection

    def _reader(self) -> sqlite3.Connection | None:
        connection = self._connections.existing()
        if connection is None and not os.path.exists(self.path):
            return None  # reads make no file
        return connection or self._connections.get()

    @contextmanager
    def _writer(self) -> Iterator[sqlite3.Connection]:
        connection = self._connections.get()
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    # ---- dialect details -------------------------------------------------------------------

    def _table_sql(self, table: str) -> list[str]:
        name = quote_identifier(table)
        return [
            f"CREATE TABLE IF NOT EXISTS {name} (id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, "
            "updated_at TEXT NOT NULL, data TEXT NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {quote_identifier(index_name(table, 'createdAt', False))} "
            f"ON {name} (created_at, id)",
        ]

    def _support_sql(self) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {FIELDS_TABLE} (class TEXT NOT NULL, field TEXT NOT NULL, "
            "type TEXT NOT NULL, PRIMARY KEY (class, field))",
            f"CREATE TABLE IF NOT EXISTS {SESSIONS_TABLE} (id TEXT PRIMARY KEY NOT NULL, data TEXT NOT NULL, "
            "expires REAL NOT NULL)",
        ]

    def _tables_like(self, connection: Any, class_name: str) -> list[str]:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ? "
                                  "COLLATE NOCASE", (class_name,)).fetchall()
        return [row[0] for row in rows]

    def _index_sql(self, class_name: str, field: str, unique: bool) -> str:
        expression = COLUMNS.get(field) or self.dialect.value((field,))
        columns = expression if unique else f"{expression}, id"
        return (f"CREATE {'UNIQUE ' if unique else ''}INDEX IF NOT EXISTS "
                f"{quote_identifier(index_name(class_name, field, unique))} "
                f"ON {quote_identifier(class_name)} ({columns})")

    def _load(self, data: Any) -> dict[str, Any]:
        return json.loads(data)

    def _dump(self, data: Any) -> str:
        return _ENCODER.encode(data)

    def _unique_index_name(self, exc: BaseException) -> str | None:
        found = _UNIQUE_INDEX.search(str(exc))
        return found.group(1) if found else None

    def _explain(self, connection: Any, sql: str, params: list[Any]) -> str:
        rows = connection.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
        return "\n".join(row[-1] for row in rows)

    def _index_exists(self, connection: Any, name: str) -> bool:
        return connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?",
                                  (name,)).fetchone() is not None

    def _analyze(self, class_name: str) -> None:
        with self._writer() as connection:
            connection.execute("PRAGMA analysis_limit = 1000")  # a sample: fast on big tables
            connection.execute(f"ANALYZE {quote_identifier(class_name)}")
