"""The PostgreSQL backend (`cherryc[postgres]`, psycopg 3): JSONB rows, shared by processes and machines.

`postgresql://user[:password]@host[:port]/database` (any libpq URL). Each thread has its
own connection (a process made by `fork` opens new ones and leaves the parent's alone);
a broken connection is replaced on the next call. Reads run in autocommit; writes in
one transaction each, reading the row `FOR UPDATE` before changing it, so concurrent
field operations add up. Schema changes (new class tables, indexes) are serialised
with advisory locks, so processes may create the same class at once.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Any, Iterator, Sequence

try:
    import psycopg
    from psycopg import errors as pg_errors
    from psycopg.types.json import Jsonb
except ImportError as exc:  # the optional extra is missing
    raise ImportError("the PostgreSQL backend needs psycopg 3: pip install 'cherryc[postgres]'") from exc

from .errors import LeanCloudError
from .sql import COLUMNS, Dialect, check_key, index_name, quote_identifier
from .sqlbackend import FIELDS_TABLE, SESSIONS_TABLE, SQLBackend
from .where import Path

_JSON_TYPES = {int: "number", float: "number", str: "string", dict: "object"}
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def _jsonb(value: Any) -> Jsonb:
    return Jsonb(value, dumps=_dumps)


class PostgresDialect(Dialect):
    placeholder = "%s"

    def value(self, path: Path) -> str:
        return "(data" + "".join(f"->'{check_key(key)}'" for key in path) + ")"

    def param(self, value: Any) -> Any:
        return _jsonb(value)

    def is_null(self, path: Path) -> str:
        expr = self.value(path)
        return f"({expr} IS NULL OR {expr} = 'null'::jsonb)"

    def exists(self, path: Path) -> str:
        return f"{self.value(path)} IS NOT NULL"

    def distinct(self, expr: str) -> str:
        return f"{expr} IS DISTINCT FROM %s"

    def guard(self, expr: str, value: Any) -> str | None:
        # jsonb orders every number before every boolean, array and object: keep to one type
        return f"jsonb_typeof({expr}) = '{_JSON_TYPES[value.__class__]}'"

    def regex(self, text_expr: str, flags: str) -> str:
        return f"{text_expr} ~ %s"

    def regex_param(self, pattern: str, flags: str) -> str:
        # PCRE's defaults are ARE's "partial newline-sensitive" mode: `.` stops at newlines,
        # `^`/`$` only at the ends; m makes ^/$ match at lines, s lets `.` match newlines.
        multiline, dotall = "m" in flags, "s" in flags
        mode = ("w" if dotall else "n") if multiline else ("" if dotall else "p")
        options = mode + "".join(flag for flag in flags if flag in "ix")
        return f"(?{options}){pattern}" if options else pattern

    def text(self, path: Path) -> str:
        expr = self.value(path)
        return f"(CASE WHEN jsonb_typeof({expr}) = 'string' THEN {expr} #>> '{{}}' END)"

    def elements(self, path: Path) -> tuple[str, str, str]:
        expr = self.value(path)
        source = f"jsonb_array_elements(CASE WHEN jsonb_typeof({expr}) = 'array' THEN {expr} END) AS e(v)"
        return source, "e.v", "(CASE WHEN jsonb_typeof(e.v) = 'string' THEN e.v #>> '{}' END)"

    def contains(self, path: Path, values: Sequence[Any], params: list[Any]) -> str:
        params.append(_jsonb(list(values)))
        return f"COALESCE({self.value(path)} @> %s, FALSE)"  # missing: false, so NOT is true

    def order_term(self, expr: str, descending: bool) -> str:
        # as SQLite sorts: missing values first; the indexes are made NULLS FIRST to match
        return f"{expr} DESC NULLS LAST" if descending else f"{expr} NULLS FIRST"


class PostgresBackend(SQLBackend):
    """Objects in a PostgreSQL database."""

    dialect = PostgresDialect()
    lock_row = " FOR UPDATE"
    integrity_error = pg_errors.UniqueViolation

    # ---- connections ----------------------------------------------------------------------

    def _connect(self) -> Any:
        try:
            return psycopg.connect(self.url, autocommit=True)
        except psycopg.OperationalError as exc:
            raise RuntimeError(f"cannot connect to PostgreSQL: {_without_password(str(exc))}") from None

    @staticmethod
    def _broken(connection: Any) -> bool:
        return connection.broken

    @contextmanager
    def _writer(self) -> Iterator[Any]:
        connection = self._connections.get()
        with connection.transaction():
            yield connection

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except pg_errors.InvalidRegularExpression as exc:
            raise LeanCloudError(102, f"Invalid query: {exc.diag.message_primary}.") from None
        except pg_errors.UntranslatableCharacter:
            raise LeanCloudError(107, "Text may not contain the NUL character (\\u0000).") from None

    # ---- dialect details -------------------------------------------------------------------

    def _table_sql(self, table: str) -> list[str]:
        name = quote_identifier(table)
        return [
            f'CREATE TABLE IF NOT EXISTS {name} (id text COLLATE "C" PRIMARY KEY, '
            'created_at text COLLATE "C" NOT NULL, updated_at text COLLATE "C" NOT NULL, data jsonb NOT NULL)',
            f"CREATE INDEX IF NOT EXISTS {quote_identifier(index_name(table, 'createdAt', False))} "
            f"ON {name} (created_at, id)",
        ]

    def _support_sql(self) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {FIELDS_TABLE} (class text NOT NULL, field text NOT NULL, "
            "type text NOT NULL, PRIMARY KEY (class, field))",
            f"CREATE TABLE IF NOT EXISTS {SESSIONS_TABLE} (id text PRIMARY KEY, data jsonb NOT NULL, "
            "expires double precision NOT NULL)",
        ]

    def _lock_name(self, tx: Any, name: str) -> None:
        tx.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (name,))

    def _tables_like(self, connection: Any, class_name: str) -> list[str]:
        rows = connection.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace "
            "AND relkind IN ('r', 'p') AND lower(relname) = lower(%s)", (class_name,)).fetchall()
        return [row[0] for row in rows]

    def _index_sql(self, class_name: str, field: str, unique: bool) -> str:
        column = COLUMNS.get(field)
        expression = column or self.dialect.value((field,))
        if unique:
            columns = expression
        else:
            columns = f"{expression}, id" if column else f"{expression} NULLS FIRST, id"
        return (f"CREATE {'UNIQUE ' if unique else ''}INDEX IF NOT EXISTS "
                f"{quote_identifier(index_name(class_name, field, unique))} "
                f"ON {quote_identifier(class_name)} ({columns})")

    def _load(self, data: Any) -> dict[str, Any]:
        return data  # psycopg decodes jsonb

    def _dump(self, data: Any) -> Any:
        return _jsonb(data)

    def _unique_index_name(self, exc: BaseException) -> str | None:
        return getattr(getattr(exc, "diag", None), "constraint_name", None)

    def _explain(self, connection: Any, sql: str, params: list[Any]) -> str:
        cursor = psycopg.ClientCursor(connection)
        rows = cursor.execute("EXPLAIN " + sql, params).fetchall()
        return "\n".join(row[0] for row in rows)

    def _index_exists(self, connection: Any, name: str) -> bool:
        return connection.execute(
            "SELECT 1 FROM pg_class WHERE relnamespace = current_schema()::regnamespace "
            "AND relkind = 'i' AND relname = %s", (name,)).fetchone() is not None

    def _analyze(self, class_name: str) -> None:
        self._connections.get().execute(f"ANALYZE {quote_identifier(class_name)}")


def _without_password(message: str) -> str:
    """A libpq message with any password in a URL it quotes masked."""
    import re

    return re.sub(r"(://[^:/@\s]+:)[^@\s]+@", r"\1***@", message)
