"""Databases for the storage tests: a fresh SQLite file, or a freshly created PostgreSQL database.

`backend_database("sqlite", folder)` gives `sqlite:///<folder>/store.db`;
`backend_database("postgres", folder)` creates `cherryc_<random>` on the test server
(`CHERRYC_TEST_POSTGRES`, default postgresql://postgres@127.0.0.1:5432, trust auth) and
drops it when the block ends, whatever connections are still open.
"""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

BACKENDS = ("sqlite", "postgres")
POSTGRES_SERVER = os.environ.get("CHERRYC_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
#: A database that exists on the test server, to connect to while creating and dropping.
MAINTENANCE_DATABASE = "test"


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'store.db'}"


@contextmanager
def postgres_database() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped afterwards."""
    import psycopg

    name = f"cherryc_{secrets.token_hex(6)}"
    try:
        admin = psycopg.connect(f"{POSTGRES_SERVER}/{MAINTENANCE_DATABASE}", autocommit=True)
    except psycopg.OperationalError as exc:
        raise RuntimeError(f"the storage tests need PostgreSQL at {POSTGRES_SERVER} "
                           f"(.ci/run starts it): {exc}") from None
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_SERVER}/{name}"
    finally:
        with psycopg.connect(f"{POSTGRES_SERVER}/{MAINTENANCE_DATABASE}", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def backend_database(kind: str, folder: Path) -> Iterator[str]:
    """A `[storage] url` of an empty database of `kind` ("sqlite" or "postgres")."""
    if kind == "sqlite":
        yield sqlite_url(folder)
    elif kind == "postgres":
        with postgres_database() as url:
            yield url
    else:
        raise ValueError(f"unknown backend {kind!r}")
