"""Helpers for the REST tests: a generated server with keys and a store, and a JSON client.

- `storage_url` (a fixture to import): parametrised sqlite/postgres, one empty database
  per test module, so that a module can share one server;
- `storage_server(folder, source, url)` compiles `source` into `folder` and returns a
  ServerProcess (not started) with the test keys and `[storage] url = url`;
- `Api(server)` calls it with the app key (or the master key, the hook key, a session
  token) and gives `(status, json, headers)`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator, NamedTuple
from urllib.parse import quote

import pytest

from servers import ServerProcess, compile_site
from storagedb import BACKENDS, backend_database

APP_ID = "rest-test-app"
APP_KEY = "rest-app-key-3xjj1qw91cr3"
MASTER_KEY = "rest-master-key-3v7z633lzf"
HOOK_KEY = "rest-hook-key-9k2m"
KEYS = [APP_ID, APP_KEY, MASTER_KEY, HOOK_KEY]
LEAN_SECTION = (f"[leanengine]\nappId = {APP_ID}\nappKey = {APP_KEY}\n"
                f"masterKey = {MASTER_KEY}\nhookKey = {HOOK_KEY}\n")
# Empty LEANCLOUD_APP_* variables fall back to the [leanengine] section.
SERVER_ENV = {name: "" for name in ("LEANCLOUD_APP_ID", "LEANCLOUD_APP_KEY",
                                    "LEANCLOUD_APP_MASTER_KEY", "LEANCLOUD_APP_HOOK_KEY")}

OBJECT_ID = re.compile(r"[0-9a-f]{24}\Z")
ISO_DATE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\Z")

PLAIN_SITE = """\
CherryClass Root:
mask:
    def index(self):
        storage test site
"""


@pytest.fixture(scope="module", params=BACKENDS)
def storage_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The `[storage] url` of an empty database of each backend, for one test module."""
    with backend_database(request.param, tmp_path_factory.mktemp(request.param)) as url:
        yield url


def storage_server(folder: Path, source: str, url: str, server: dict[str, Any] | None = None,
                   extra: str = "") -> ServerProcess:
    """`source` compiled into `folder`, ready to start with the keys and the store at `url`."""
    compile_site(folder, source)
    return ServerProcess(folder, server=server or {}, env=SERVER_ENV,
                         extra=f"{LEAN_SECTION}[storage]\nurl = {url}\n{extra}")


class Answer(NamedTuple):
    status: int
    json: Any
    headers: Any


class Api:
    """A JSON client of one server, with the test keys."""

    def __init__(self, server: Any, prefix: str = "/1.1") -> None:
        self.server = server
        self.prefix = prefix

    def headers(self, key: str | None = "app", session: str | None = None) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if key is not None:
            headers["X-LC-Id"] = APP_ID
            headers["X-LC-Key"] = {"app": APP_KEY, "master": f"{MASTER_KEY},master",
                                   "hook": APP_KEY}[key]
            if key == "hook":
                headers["X-LC-Hook-Key"] = HOOK_KEY
        if session:
            headers["X-LC-Session"] = session
        return headers

    def call(self, method: str, path: str, body: Any = None, *, key: str | None = "app",
             session: str | None = None, raw: bytes | str | None = None,
             headers: dict[str, str] | None = None) -> Answer:
        """`path` is relative to the prefix (`classes/Todo`); `raw` is sent as it is."""
        data = raw if raw is not None else (None if body is None else json.dumps(body))
        sent = {**self.headers(key, session), **(headers or {})}
        reply = self.server.request(method, f"{self.prefix}/{path}", headers=sent, body=data)
        try:
            decoded = json.loads(reply.body) if reply.body else None
        except ValueError:
            raise AssertionError(f"{method} {path}: not JSON: {reply.body[:300]!r}") from None
        return Answer(reply.status, decoded, reply.headers)

    def get(self, path: str, **kwargs: Any) -> Answer:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Answer:
        return self.call("POST", path, body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any) -> Answer:
        return self.call("PUT", path, body, **kwargs)

    def delete(self, path: str, body: Any = None, **kwargs: Any) -> Answer:
        return self.call("DELETE", path, body, **kwargs)

    def create(self, class_name: str, fields: dict[str, Any], **kwargs: Any) -> str:
        """Create an object (201 expected); its objectId."""
        answer = self.post(f"classes/{class_name}", fields, **kwargs)
        assert answer.status == 201, answer
        return answer.json["objectId"]

    def sign_up(self, username: str, password: str = "secret-pw", **fields: Any) -> dict[str, Any]:
        answer = self.post("users", {"username": username, "password": password, **fields})
        assert answer.status == 201, answer
        return answer.json


def where(conditions: dict[str, Any]) -> str:
    """A `where=` query parameter, URL-encoded."""
    return "where=" + quote(json.dumps(conditions, separators=(",", ":")))
