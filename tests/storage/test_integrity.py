"""Integrity under load over HTTP (issue 6 point 6), both backends.

- 50 concurrent clients incrementing one counter end at the exact total, with the server
  pre-forked into 3 processes of 2 threads (writers in different processes and threads);
- 50 concurrent creates give 50 distinct objects;
- a server killed with SIGKILL in the middle of a write burst loses no acknowledged
  write: restarted on the same database, every object whose 201 a client received is there.
"""

from __future__ import annotations

import http.client
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterator

import pytest

from restapi import PLAIN_SITE, Api, storage_server, storage_url, where  # noqa: F401 - a fixture
from servers import ServerProcess

CLIENTS = 50
ROUNDS = 4  # increments per client


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, storage_url: str) -> Iterator[ServerProcess]:
    process = storage_server(tmp_path_factory.mktemp("integrity"), PLAIN_SITE, storage_url,
                             server={"processPool": 3})
    process.start()
    try:
        yield process
    finally:
        process.stop()


def _together(count: int, work: Any) -> list[Any]:
    """Run `work(index)` in `count` threads released at the same moment; their results."""
    start = threading.Barrier(count)

    def run(index: int) -> Any:
        start.wait()
        return work(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def test_concurrent_increments_end_at_the_exact_total(server: ServerProcess) -> None:
    api = Api(server)
    counter = api.create("Counter", {"hits": 0})

    def client(index: int) -> list[int]:
        statuses = []
        for _ in range(ROUNDS):
            statuses.append(api.put(f"classes/Counter/{counter}",
                                    {"hits": {"__op": "Increment", "amount": 1}}).status)
        return statuses

    statuses = [status for result in _together(CLIENTS, client) for status in result]
    assert statuses == [200] * CLIENTS * ROUNDS
    assert api.get(f"classes/Counter/{counter}").json["hits"] == CLIENTS * ROUNDS


def test_concurrent_creates_give_distinct_objects(server: ServerProcess) -> None:
    api = Api(server)
    ids = _together(CLIENTS, lambda index: api.create("Burst", {"client": index}))
    assert len(set(ids)) == CLIENTS
    rows = api.get("classes/Burst?limit=1000").json["results"]
    assert sorted(row["client"] for row in rows) == list(range(CLIENTS))
    assert sorted(row["objectId"] for row in rows) == sorted(ids)


def _writer(server: ServerProcess, acknowledged: list[str], enough: threading.Event,
            lock: threading.Lock) -> None:
    """Create objects one after another until the server goes away; keep the acknowledged ids."""
    api = Api(server)
    sequence = 0
    while True:
        try:
            answer = api.post("classes/Durable", {"sequence": sequence})
        except (OSError, http.client.HTTPException, AssertionError):
            return  # the server was killed
        if answer.status != 201:
            return
        sequence += 1
        with lock:
            acknowledged.append(answer.json["objectId"])
            if len(acknowledged) >= 200:
                enough.set()


def test_sigkill_during_a_write_burst_loses_no_acknowledged_write(
        tmp_path: Path, storage_url: str) -> None:
    process = storage_server(tmp_path, PLAIN_SITE, storage_url)
    process.start()
    acknowledged: list[str] = []
    enough, lock = threading.Event(), threading.Lock()
    writers = [threading.Thread(target=_writer, args=(process, acknowledged, enough, lock))
               for _ in range(8)]
    try:
        for writer in writers:
            writer.start()
        assert enough.wait(120), f"the writers did not get 201 answers:\n{process.log()}"
        assert process.stop(signal.SIGKILL) == -signal.SIGKILL
    finally:
        process.stop(signal.SIGKILL)
        for writer in writers:
            writer.join(30)
    assert all(not writer.is_alive() for writer in writers)
    with lock:
        written = set(acknowledged)
    restarted = storage_server(tmp_path, PLAIN_SITE, storage_url)
    with restarted:
        api = Api(restarted)
        found: set[str] = set()
        ids = sorted(written)
        for start in range(0, len(ids), 200):
            chunk = ids[start:start + 200]
            rows = api.get(f"classes/Durable?limit=1000&keys=sequence&"
                           f"{where({'objectId': {'$in': chunk}})}").json["results"]
            found.update(row["objectId"] for row in rows)
        total = api.get("classes/Durable?count=1&limit=0").json["count"]
    assert found == written
    assert total >= len(written)  # writes cut off before their answer may be there too
