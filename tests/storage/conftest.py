"""Fixtures of the object-store tests: every backend, an empty database each, a Store on it.

- `backend_url`: parametrised ["sqlite", "postgres"]: `sqlite:///<tmp>/store.db`, or a
  freshly created PostgreSQL database dropped after the test (tests/storagedb.py).
- `engine`: an empty leanengine Engine (register hooks on it).
- `storage_log`: the list of messages the store logged.
- `store`: `Store(open_backend(backend_url), engine, storage_log.append)`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storagedb import BACKENDS, backend_database  # noqa: E402

from cherryc.runtime.leanengine import Engine  # noqa: E402
from cherryc.runtime.storage.backend import open_backend  # noqa: E402
from cherryc.runtime.storage.store import Store  # noqa: E402


@pytest.fixture(params=BACKENDS)
def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with backend_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def engine() -> Engine:
    return Engine()


@pytest.fixture
def storage_log() -> list[str]:
    return []


@pytest.fixture
def store(backend_url: str, engine: Engine, storage_log: list[str]) -> Iterator[Store]:
    backend = open_backend(backend_url)
    try:
        yield Store(backend, engine, storage_log.append)
    finally:
        backend.close()
