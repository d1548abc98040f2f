"""Sessions (spec §18, DESIGN §3, §6): `request.sessionMap` in ram, files, cookies, database or custom code.

Session ids come from `secrets`; the id cookie is HttpOnly, SameSite=Lax and Secure
under SSL. Cookie sessions are JSON signed with HMAC-SHA256 and the site key, never
pickle. A new or expired session starts as `{'_sessionId': id}`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import os
import pickle
import re
import secrets
import tempfile
import threading
import time
from typing import Any, Callable

from .config import ConfigError
from .context import request, response

_ID = re.compile(r"[0-9a-f]{40}$")
DATA_COOKIE = "CSession"


def new_id() -> str:
    return secrets.token_hex(20)


class RamStore:
    """Sessions in this process's memory (lost at restart, not shared by processes)."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[dict, float]] = {}
        self._lock = threading.Lock()

    def load(self, session_id: str) -> tuple[dict, float] | None:
        return self._data.get(session_id)

    def save(self, session_id: str, data: dict, expires: float) -> None:
        self._data[session_id] = (data, expires)

    def clean_up(self, now: float) -> None:
        with self._lock:
            for key in [k for k, (_, expires) in list(self._data.items()) if expires < now]:
                self._data.pop(key, None)


class FileStore:
    """One file per session in `storageFileDir` (pickled, written atomically, mode 0600)."""

    def __init__(self, directory: str) -> None:
        self.directory = os.path.abspath(directory)
        try:
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
            info = os.stat(self.directory)
        except OSError as exc:
            raise ConfigError(f"[session] storageFileDir {self.directory}: {exc.strerror}") from None
        # Sessions are pickled: whoever can write this folder could run code in the server.
        if info.st_uid != os.getuid() or info.st_mode & 0o022:
            raise ConfigError(
                f"[session] storageFileDir {self.directory} must belong to the server's user "
                "and must not be writable by group or others (session files are pickled); "
                f"run: chmod go-w {self.directory}")

    def _path(self, session_id: str) -> str:
        return os.path.join(self.directory, session_id)

    def load(self, session_id: str) -> tuple[dict, float] | None:
        try:
            with open(self._path(session_id), "rb") as handle:
                return pickle.load(handle)  # noqa: S301 (files the server wrote itself)
        except (OSError, EOFError, pickle.UnpicklingError):
            return None

    def save(self, session_id: str, data: dict, expires: float) -> None:
        fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump((data, expires), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self._path(session_id))
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise

    def clean_up(self, now: float) -> None:
        for name in os.listdir(self.directory):
            if _ID.match(name):
                found = self.load(name)
                if found is None or found[1] < now:
                    try:
                        os.unlink(self._path(name))
                    except OSError:
                        pass


class CustomStore:
    """The program's own saveSessionData / loadSessionData / cleanUpOldSessions."""

    def __init__(self, special: Callable[[str], Callable[..., Any]]) -> None:
        self._save = special("saveSessionData")
        self._load = special("loadSessionData")
        self._clean_up = special("cleanUpOldSessions")

    def load(self, session_id: str) -> tuple[dict, float] | None:
        found = self._load(session_id)
        return tuple(found) if found else None  # type: ignore[return-value]

    def save(self, session_id: str, data: dict, expires: float) -> None:
        self._save(session_id, data, expires)

    def clean_up(self, now: float) -> None:
        self._clean_up()


class DatabaseStore:
    """Sessions in the object store's database (`storageType = database`): shared by
    pre-forked processes and by every server on the same database; JSON values only."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend

    def load(self, session_id: str) -> tuple[dict, float] | None:
        data = self.backend.session_load(session_id, time.time())
        # The backend gives only sessions that have not expired.
        return (data, math.inf) if isinstance(data, dict) else None

    def save(self, session_id: str, data: dict, expires: float) -> None:
        try:
            self.backend.session_save(session_id, data, expires)
        except (TypeError, ValueError) as exc:  # what json.dumps says of other values
            raise TypeError(f"database sessions hold JSON values only: {exc}") from None

    def clean_up(self, now: float) -> None:
        self.backend.session_clean(now)


class CookieStore:
    """The session data itself in a signed cookie: base64(JSON) + '.' + HMAC-SHA256."""

    def __init__(self, key: str, timeout: float) -> None:
        self.key = key.encode("utf-8")
        self.timeout = timeout

    def _sign(self, payload: bytes) -> str:
        return base64.urlsafe_b64encode(hmac.new(self.key, payload, hashlib.sha256).digest()).decode()

    def load(self, session_id: str) -> tuple[dict, float] | None:
        morsel = request.simpleCookie.get(DATA_COOKIE)
        if morsel is None or "." not in morsel.value:
            return None
        encoded, signature = morsel.value.rsplit(".", 1)
        try:
            payload = base64.urlsafe_b64decode(encoded.encode("ascii"))
        except (ValueError, UnicodeError):
            return None
        if not hmac.compare_digest(self._sign(payload), signature):
            return None
        try:
            data, expires = json.loads(payload)
        except (ValueError, TypeError):
            return None
        if not isinstance(data, dict) or data.get("_sessionId") != session_id:
            return None
        return data, float(expires)

    def save(self, session_id: str, data: dict, expires: float) -> None:
        try:
            payload = json.dumps([data, expires], separators=(",", ":")).encode("utf-8")
        except (TypeError, ValueError) as exc:
            raise TypeError(f"cookie sessions hold JSON values only: {exc}") from None
        value = base64.urlsafe_b64encode(payload).decode("ascii") + "." + self._sign(payload)
        if len(value) > 4000:
            raise ValueError(f"the cookie session is {len(value)} bytes: cookies hold about "
                             "4 KB; keep less in request.sessionMap or use storageType=file")
        morsel = _set_cookie(DATA_COOKIE, value)
        morsel["max-age"] = max(1, round(self.timeout))

    def clean_up(self, now: float) -> None:
        """Nothing to clean: expired cookies are refused when read."""


def _set_cookie(name: str, value: str) -> Any:
    cookie = response.simpleCookie
    cookie[name] = value
    morsel = cookie[name]
    morsel["path"] = "/"
    morsel["httponly"] = True
    morsel["samesite"] = "Lax"
    if request._environ.get("wsgi.url_scheme") == "https":
        morsel["secure"] = True
    return morsel


class Sessions:
    """Loads `request.sessionMap` before the page and saves it after (spec §13 steps 6, 11)."""

    def __init__(self, store: Any, cookie_name: str, timeout_minutes: float,
                 clean_up_minutes: float) -> None:
        self.store = store
        self.cookie_name = cookie_name
        self.timeout = timeout_minutes * 60
        self.clean_up_every = clean_up_minutes * 60
        self._next_clean_up = time.time() + self.clean_up_every
        self._lock = threading.Lock()

    def begin(self) -> None:
        """Load the session of this request, or start a new one; (re)send its cookie."""
        now = time.time()
        morsel = request.simpleCookie.get(self.cookie_name)
        session_id = morsel.value if morsel is not None and _ID.match(morsel.value) else None
        found = self.store.load(session_id) if session_id else None
        if found is None or found[1] < now:
            session_id = new_id()
            data: dict = {"_sessionId": session_id}
        else:
            data = found[0]
        request.sessionMap = data
        request._cpy_session_id = session_id
        _set_cookie(self.cookie_name, session_id)

    def end(self) -> None:
        """Save the session with its new expiration time, under the id its cookie names
        (also after the page emptied `request.sessionMap` with clear())."""
        state = request.__dict__
        data = state.get("sessionMap")
        if isinstance(data, dict):
            session_id = state["_cpy_session_id"]
            data["_sessionId"] = session_id
            self.store.save(session_id, data, time.time() + self.timeout)

    def maybe_clean_up(self, now: float) -> None:
        """Drop expired sessions every `cleanUpDelay` minutes."""
        if now < self._next_clean_up or not self._lock.acquire(blocking=False):
            return
        try:
            self._next_clean_up = now + self.clean_up_every
            self.store.clean_up(now)
        finally:
            self._lock.release()


def make_sessions(config: Any, special: Callable[[str], Callable[..., Any]],
                  site_key: str, backend: Any = None) -> Sessions | None:
    """The Sessions of a configuration (None when sessions are off); `backend`: the
    object store's, for database sessions."""
    kind = config.session_storage
    if not kind:
        return None
    if kind == "ram":
        store: Any = RamStore()
    elif kind == "file":
        store = FileStore(config.session_file_dir)
    elif kind == "cookie":
        store = CookieStore(site_key, config.session_timeout * 60)
    elif kind == "custom":
        store = CustomStore(special)
    elif kind == "database" and backend is not None:
        store = DatabaseStore(backend)
    else:
        raise ValueError(f"storageType={kind} is not available yet")
    return Sessions(store, config.session_cookie_name, config.session_timeout,
                    config.session_clean_up_delay)
