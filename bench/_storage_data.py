"""What storage_bench.py measures against: the objects, the bulk loads and the floors.

- The objects: object k is `{"n": k, "m": k, "title": "object k", "score": ..., "done": ...}`
  with the objectId `object_id(k)` (24 hexadecimal digits, as random-looking as real
  ones, but computable, so the wrk scripts and the floors can name object k). `n` and
  `m` hold the same values: the benchmark indexes `n` and not `m`, so the two queries
  differ only by the index.
- Bulk loads: the first objects of a class go through `backend.insert_many` (the API:
  it makes the table and records the field types); the rest go straight into the
  table the backend made, with the backend's own INSERT statement and JSON encoder
  (SQLite: one `executemany` of the backend's INSERT in one transaction, with a 256 MB
  page cache for that connection; PostgreSQL: `COPY` rows, JSON text for the jsonb
  column, in one transaction), then ANALYZE as the backend does after `insert_many`. The
  rows are the ones `insert` would write; `check_loaded` reads a few back through the
  backend and compares.
- The floors: the same inserts and selects done directly with `sqlite3` / `psycopg` in
  one process: one INSERT of the same row (a new id, the time, the JSON) committed on
  its own, with the settings the backend uses (SQLite: WAL and the same `synchronous`);
  a SELECT of the same columns by the indexed expression or by id, the JSON decoded.
- The floor over HTTP (`floor_app`, run by `python bench/_storage_data.py serve ...`): the
  floors' statements in a plain WSGI function on cheroot, answering what LeanStorage
  answers, for the requests of storage_bench.py's part 1.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sqlite3
import threading
import time
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs

from cherryc.runtime.storage.schema import now_iso
from cherryc.runtime.storage.sql import quote_identifier

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
#: Rows per COPY / executemany chunk (and between two progress reports).
CHUNK = 50_000


def object_id(k: int) -> str:
    """The objectId of object k: 24 hex digits (blake2b of k), the same in Lua's id file."""
    return hashlib.blake2b(k.to_bytes(8, "little"), digest_size=12).hexdigest()


def row_data(k: int) -> dict[str, Any]:
    """The fields of object k (what a create sends, and what the loads store)."""
    return {"n": k, "m": k, "title": f"object {k}", "score": k % 1000 / 10, "done": k % 2 == 0}


def create_body_lua() -> str:
    """Lua that builds row_data(k) as JSON text (for the wrk create script)."""
    return ('string.format(\'{"n":%d,"m":%d,"title":"object %d","score":%.1f,"done":%s}\', '
            'k, k, k, (k % 1000) / 10, (k % 2 == 0) and "true" or "false")')


def kind_of(url: str) -> str:
    return "sqlite" if url.startswith("sqlite:") else "postgres"


# ---- bulk loads -----------------------------------------------------------------------------


def load(backend: Any, class_name: str, start: int, stop: int,
         progress: Callable[[int], None] | None = None) -> tuple[str, float]:
    """Objects start..stop-1 into the class; (how, rows per second).

    An empty class is loaded with `insert_many` (the backend's API, one transaction);
    a class that exists with the bulk path of its backend (see the module docstring).
    """
    began = time.perf_counter()
    if not backend.class_exists(class_name):
        created = now_iso()
        backend.insert_many(class_name, ((object_id(k), created, row_data(k)) for k in range(start, stop)))
        how = "insert_many"
    elif kind_of(backend.url) == "sqlite":
        _load_sqlite(backend.path, class_name, start, stop, progress)
        how = "executemany"
    else:
        _load_postgres(backend.url, class_name, start, stop, progress)
        how = "COPY"
    return how, (stop - start) / (time.perf_counter() - began)


def _chunks(start: int, stop: int) -> Iterable[range]:
    for first in range(start, stop, CHUNK):
        yield range(first, min(first + CHUNK, stop))


def _insert_sql(class_name: str, mark: str) -> str:
    """The backend's INSERT (sqlbackend.SQLBackend._sql)."""
    return (f"INSERT INTO {quote_identifier(class_name)} (id, created_at, updated_at, data) "
            f"VALUES ({mark}, {mark}, {mark}, {mark})")


def _load_sqlite(path: str, class_name: str, start: int, stop: int,
                 progress: Callable[[int], None] | None) -> None:
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    insert, encode, created = _insert_sql(class_name, "?"), _ENCODER.encode, now_iso()
    try:
        # the table outgrows SQLite's 2 MB page cache: random ids would otherwise spill
        # dirty pages to the file again and again during the one transaction
        connection.execute("PRAGMA cache_size = -262144")
        connection.execute("BEGIN IMMEDIATE")
        for chunk in _chunks(start, stop):
            connection.executemany(insert, [(object_id(k), created, created, encode(row_data(k)))
                                            for k in chunk])
            if progress:
                progress(chunk.stop)
        connection.execute("COMMIT")
        connection.execute("PRAGMA analysis_limit = 1000")  # as the backend's _analyze
        connection.execute(f"ANALYZE {quote_identifier(class_name)}")
    finally:
        connection.close()


def _load_postgres(url: str, class_name: str, start: int, stop: int,
                   progress: Callable[[int], None] | None) -> None:
    import psycopg

    encode, created = _ENCODER.encode, now_iso()
    copy_sql = f"COPY {quote_identifier(class_name)} (id, created_at, updated_at, data) FROM STDIN"
    with psycopg.connect(url) as connection:  # one transaction, committed at the end
        with connection.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for chunk in _chunks(start, stop):
                for k in chunk:
                    copy.write_row((object_id(k), created, created, encode(row_data(k))))
                if progress:
                    progress(chunk.stop)
        connection.commit()
        connection.execute(f"ANALYZE {quote_identifier(class_name)}")


def drop_class(url: str, path: str, class_name: str) -> None:
    """Remove a class and its field types (PostgreSQL), or the SQLite file with it."""
    if kind_of(url) == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"DROP TABLE IF EXISTS {quote_identifier(class_name)}")
        connection.execute("DELETE FROM _cherryc_fields WHERE class = %s", (class_name,))


def check_loaded(backend: Any, class_name: str, ks: Iterable[int]) -> None:
    """The objects read back through the backend are row_data(k) with their id."""
    for k in ks:
        row = backend.get(class_name, object_id(k))
        if row is None:
            raise SystemExit(f"object {k} ({object_id(k)}) of {class_name} is missing after the load")
        fields = {key: value for key, value in row.items() if key not in ("objectId", "createdAt", "updatedAt")}
        if fields != row_data(k) or row["createdAt"] != row["updatedAt"]:
            raise SystemExit(f"object {k} of {class_name} reads back as {row!r}, not {row_data(k)!r}")


# ---- the floors ------------------------------------------------------------------------------


class SQLiteFloor:
    """Inserts and selects with `sqlite3` directly (WAL, the backend's `synchronous`)."""

    def __init__(self, path: str, synchronous: str) -> None:
        self.connection = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute(f"PRAGMA synchronous={synchronous}")

    def create(self, class_name: str) -> Callable[[dict[str, Any]], tuple[str, str]]:
        execute = self.connection.execute
        sql = (f"INSERT INTO {quote_identifier(class_name)} (id, created_at, updated_at, data) "
               "VALUES (?, ?, ?, ?)")
        encode = _ENCODER.encode

        def create(fields: dict[str, Any]) -> tuple[str, str]:
            object_id, created = secrets.token_hex(12), now_iso()
            execute(sql, (object_id, created, created, encode(fields)))
            return object_id, created

        return create

    def where(self, class_name: str, field: str) -> Callable[[int], list[Any]]:
        execute = self.connection.execute
        sql = (f"SELECT id, created_at, updated_at, data FROM {quote_identifier(class_name)} "
               f"WHERE json_extract(data, '$.\"{field}\"') = ?")
        loads = json.loads

        def where(k: int) -> list[Any]:
            return [(i, c, u, loads(d)) for i, c, u, d in execute(sql, (k,)).fetchall()]

        return where

    def get(self, class_name: str) -> Callable[[str], Any]:
        execute = self.connection.execute
        sql = f"SELECT id, created_at, updated_at, data FROM {quote_identifier(class_name)} WHERE id = ?"
        loads = json.loads

        def get(object_id: str) -> Any:
            found = execute(sql, (object_id,)).fetchone()
            return (found[0], found[1], found[2], loads(found[3])) if found else None

        return get

    def count(self, class_name: str) -> int:
        return self.connection.execute(f"SELECT count(*) FROM {quote_identifier(class_name)}").fetchone()[0]

    def close(self) -> None:
        self.connection.close()


class PostgresFloor:
    """Inserts and selects with `psycopg` directly (autocommit: each INSERT commits)."""

    def __init__(self, url: str) -> None:
        import psycopg
        from psycopg.types.json import Jsonb

        self.Jsonb = Jsonb
        self.connection = psycopg.connect(url, autocommit=True)

    def create(self, class_name: str) -> Callable[[dict[str, Any]], tuple[str, str]]:
        execute, Jsonb = self.connection.execute, self.Jsonb
        sql = (f"INSERT INTO {quote_identifier(class_name)} (id, created_at, updated_at, data) "
               "VALUES (%s, %s, %s, %s)")
        dumps = _ENCODER.encode

        def create(fields: dict[str, Any]) -> tuple[str, str]:
            object_id, created = secrets.token_hex(12), now_iso()
            execute(sql, (object_id, created, created, Jsonb(fields, dumps=dumps)))
            return object_id, created

        return create

    def where(self, class_name: str, field: str) -> Callable[[int], list[Any]]:
        execute, Jsonb = self.connection.execute, self.Jsonb
        sql = (f"SELECT id, created_at, updated_at, data FROM {quote_identifier(class_name)} "
               f"WHERE (data->'{field}') = %s")

        def where(k: int) -> list[Any]:
            return execute(sql, (Jsonb(k),)).fetchall()  # psycopg decodes the jsonb

        return where

    def get(self, class_name: str) -> Callable[[str], Any]:
        execute = self.connection.execute
        sql = f"SELECT id, created_at, updated_at, data FROM {quote_identifier(class_name)} WHERE id = %s"

        def get(object_id: str) -> Any:
            return execute(sql, (object_id,)).fetchone()

        return get

    def count(self, class_name: str) -> int:
        return self.connection.execute(f"SELECT count(*) FROM {quote_identifier(class_name)}").fetchone()[0]

    def close(self) -> None:
        self.connection.close()


def open_floor(url: str, path: str = "", synchronous: str = "FULL") -> SQLiteFloor | PostgresFloor:
    return SQLiteFloor(path, synchronous) if kind_of(url) == "sqlite" else PostgresFloor(url)


# ---- the floor over HTTP: a hand-written WSGI app on cheroot ---------------------------------


def floor_app(url: str, path: str, synchronous: str, create_class: str, query_class: str,
              app_id: str, app_key: str) -> Callable[..., Any]:
    """The three operations of storage_bench.py's part 1 as a plain WSGI function over the
    floor's statements (a connection per thread): the keys compared with `!=`, the body
    or `where` json.loads'ed, the answer json.dumps'ed, as LeanStorage shapes it. No ACLs,
    no field checks, no hooks: what the cheapest server answering these requests does."""
    local = threading.local()
    create_path, query_path = f"/1.1/classes/{create_class}", f"/1.1/classes/{query_class}"
    unauthorized = b'{"code":401,"error":"Unauthorized."}'
    encode = _ENCODER.encode

    def statements() -> Any:
        if getattr(local, "floor", None) is None:
            local.floor = open_floor(url, path, synchronous)
            local.create = local.floor.create(create_class)
            local.where = local.floor.where(query_class, "n")
            local.get = local.floor.get(query_class)
        return local

    def shown(row: tuple[str, str, str, dict[str, Any]]) -> dict[str, Any]:
        answer = dict(row[3])
        answer["objectId"], answer["createdAt"], answer["updatedAt"] = row[0], row[1], row[2]
        return answer

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = [("Content-Type", "application/json; charset=utf-8")]
        if environ.get("HTTP_X_LC_ID") != app_id or environ.get("HTTP_X_LC_KEY") != app_key:
            status, data = "401 Unauthorized", unauthorized
        else:
            method, route = environ["REQUEST_METHOD"], environ["PATH_INFO"]
            db = statements()
            if method == "POST" and route == create_path:
                object_id, created = db.create(json.loads(body))
                status = "201 Created"
                data = encode({"objectId": object_id, "createdAt": created}).encode()
                headers.append(("Location", f"http://{environ['HTTP_HOST']}{create_path}/{object_id}"))
            elif method == "GET" and route == query_path:
                where = json.loads(parse_qs(environ.get("QUERY_STRING", ""))["where"][0])
                status = "200 OK"
                data = encode({"results": [shown(row) for row in db.where(where["n"])]}).encode()
            elif method == "GET" and route.startswith(query_path + "/"):
                row = db.get(route[len(query_path) + 1:])
                status, data = "200 OK", encode(shown(row) if row else {}).encode()
            else:
                status, data = "404 Not Found", b'{"code":1,"error":"no route"}'
        headers.append(("Content-Length", str(len(data))))
        start_response(status, headers)
        return [data]

    return app


def main(argv: list[str] | None = None) -> int:
    """`python bench/_storage_data.py serve ...`: the floor over HTTP, until SIGTERM."""
    import argparse

    import _engine_servers

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("command", choices=("serve",))
    parser.add_argument("--url", required=True, help="the [storage] url of the database")
    parser.add_argument("--path", default="", help="the SQLite file")
    parser.add_argument("--synchronous", default="FULL")
    parser.add_argument("--create-class", required=True)
    parser.add_argument("--query-class", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    app = floor_app(args.url, args.path, args.synchronous, args.create_class, args.query_class,
                    _engine_servers.APP_ID, _engine_servers.APP_KEY)
    _engine_servers.serve_cheroot(app, args.port, args.threads)
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
