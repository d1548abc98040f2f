"""`[session] storageType = database` (DESIGN.md §6), both backends.

Sessions live in the object store's database: two servers on one database (and the
pre-forked processes of one server) share them; a session survives a restart; values
that are not JSON are refused with a clear message in the log.
"""

from __future__ import annotations

import json
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Iterator

import pytest

from restapi import storage_server, storage_url  # noqa: F401 - a fixture
from servers import Reply, ServerProcess

SITE = """\
import json

CherryClass Root:
view:
    def count(self):
        request.sessionMap['count'] = request.sessionMap.get('count', 0) + 1
        request.sessionMap.setdefault('pids', []).append(os.getpid())
        return json.dumps([request.sessionMap['count'], os.getpid()])
    def keepSet(self):
        request.sessionMap['bad'] = {1, 2}
        return 'kept'
"""
SESSION = "[session]\nstorageType = database\n"


def _session_cookie(reply: Reply) -> str:
    cookie = SimpleCookie(reply.header("Set-Cookie"))
    return f"CherryPySession={cookie['CherryPySession'].value}"


def _count(server: ServerProcess, cookie: str | None = None) -> tuple[list[int], str]:
    reply = server.get("/count", headers={"Cookie": cookie} if cookie else None)
    assert reply.status == 200, server.log()
    return json.loads(reply.text), _session_cookie(reply)


@pytest.fixture
def two_servers(tmp_path: Path, storage_url: str) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    first = storage_server(tmp_path / "a", SITE, storage_url, extra=SESSION)
    second = storage_server(tmp_path / "b", SITE, storage_url, extra=SESSION)
    with first, second:
        yield first, second


def test_two_servers_on_one_database_share_a_session(two_servers) -> None:
    first, second = two_servers
    (count, _), cookie = _count(first)
    assert count == 1
    assert _count(second, cookie)[0][0] == 2
    assert _count(first, cookie)[0][0] == 3
    assert _count(second)[0][0] == 1  # no cookie: a new session


def test_a_session_survives_a_restart(tmp_path: Path, storage_url: str) -> None:
    with storage_server(tmp_path, SITE, storage_url, extra=SESSION) as server:
        _, cookie = _count(server)
        _count(server, cookie)
    with storage_server(tmp_path, SITE, storage_url, extra=SESSION) as server:
        assert _count(server, cookie)[0][0] == 3


def test_pre_forked_processes_share_sessions(tmp_path: Path, storage_url: str) -> None:
    with storage_server(tmp_path, SITE, storage_url, server={"processPool": 3},
                        extra=SESSION) as server:
        (_, first_pid), cookie = _count(server)
        counts, pids = [], {first_pid}
        while len(pids) < 2 and len(counts) < 300:  # each request on a new connection
            (count, pid), _ = _count(server, cookie)
            counts.append(count)
            pids.add(pid)
    assert len(pids) == 2, "one process answered every request"
    assert counts == list(range(2, len(counts) + 2))  # one session across the processes


def test_values_that_are_not_json_are_refused(tmp_path: Path, storage_url: str) -> None:
    with storage_server(tmp_path, SITE, storage_url, extra=SESSION) as server:
        assert server.get("/keepSet").status == 500
        log = server.log()
    assert "database sessions hold JSON values only" in log
