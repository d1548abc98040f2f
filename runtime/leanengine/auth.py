"""LeanEngine authentication (spec §3): app id and key, `,master`, X-LC-Sign, hook key.

Keys come from the `[leanengine]` config section, overridden by the `LEANCLOUD_APP_*`
environment variables (DESIGN §4). Every comparison is constant-time; signatures more
than 15 minutes away from the server clock are refused; an app id alone is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
from dataclasses import dataclass
from typing import Any, Mapping, NamedTuple

#: Realtime (IM) hooks: ordinary function names that need the hook key (spec §2.3).
IM_HOOK_NAMES = frozenset({
    "_messageReceived", "_receiversOffline", "_messageSent", "_messageUpdate",
    "_conversationStart", "_conversationStarted", "_conversationAdd", "_conversationAdded",
    "_conversationRemove", "_conversationRemoved", "_conversationUpdate", "_clientOnline",
    "_clientOffline", "_rtmClientSign",
})
#: X-LC-Sign timestamps further than this from the server clock are refused.
SIGN_WINDOW_SECONDS = 15 * 60



@dataclass(frozen=True)
class Keys:
    """The app's keys. `configured` is false when no request can be authorized."""

    app_id: str = ""
    app_key: str = ""
    master_key: str = ""
    hook_key: str = ""

    @classmethod
    def load(cls, config: Any, environ: Mapping[str, str] = os.environ) -> "Keys":
        """From the config's [leanengine] section; LEANCLOUD_APP_* variables win."""
        return cls(
            app_id=environ.get("LEANCLOUD_APP_ID") or config.lean_app_id,
            app_key=environ.get("LEANCLOUD_APP_KEY") or config.lean_app_key,
            master_key=environ.get("LEANCLOUD_APP_MASTER_KEY") or config.lean_master_key,
            hook_key=environ.get("LEANCLOUD_APP_HOOK_KEY") or config.lean_hook_key,
        )

    @property
    def configured(self) -> bool:
        return bool(self.app_id and (self.app_key or self.master_key))

    def missing(self) -> str:
        """Why no request can be authorized (for the start-up log), or ''."""
        if self.configured:
            return ""
        return ("LeanEngine routes answer 401: set appId and appKey (or masterKey) in the "
                "[leanengine] section, or LEANCLOUD_APP_ID and LEANCLOUD_APP_KEY")


class Access(NamedTuple):
    """What a request proved: app access, master access, hook key, its session token."""

    app: bool = False
    master: bool = False
    hook: bool = False
    session_token: str = ""


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison; an empty key never matches."""
    if not given or not expected:
        return False
    try:
        return hmac.compare_digest(given, expected)
    except TypeError:  # not ASCII
        return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def body_credentials(environ: Mapping[str, Any], body: Any) -> dict[str, str]:
    """`_ApplicationId` & co. of a text/plain JSON body (used when no auth header came)."""
    content_type = environ.get("CONTENT_TYPE", "")
    if "text/plain" not in content_type or not isinstance(body, dict):
        return {}
    return {key: value for key, value in body.items()
            if key in ("_ApplicationId", "_ApplicationKey", "_MasterKey", "_SessionToken")
            and isinstance(value, str)}


def check_signature(sign: str, keys: Keys, now: float) -> tuple[bool, bool]:
    """(valid, with the master key) for `X-LC-Sign: md5(ms + key),ms[,master]`."""
    parts = sign.split(",")
    if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] != "master"):
        return False, False
    digest, stamp = parts[0].lower(), parts[1]
    well_formed = digest.isascii() and stamp.isascii() and stamp.isdigit() and len(stamp) <= 16
    if not well_formed or abs(int(stamp) / 1000 - now) > SIGN_WINDOW_SECONDS:
        return False, False
    master = len(parts) == 3
    key = keys.master_key if master else keys.app_key
    if not key:
        return False, False
    expected = hashlib.md5((stamp + key).encode("utf-8")).hexdigest()  # noqa: S324 (protocol)
    return hmac.compare_digest(digest, expected), master


def authenticate(environ: Mapping[str, Any], keys: Keys, body: Any = None,
                 now: float | None = None) -> Access:
    """Decide what the request may do (spec §3.3, §3.4)."""
    get = environ.get
    app_id = get("HTTP_X_LC_ID") or get("HTTP_X_AVOSCLOUD_APPLICATION_ID") or get(
        "HTTP_X_ULURU_APPLICATION_ID") or ""
    app_key = get("HTTP_X_LC_KEY") or get("HTTP_X_AVOSCLOUD_APPLICATION_KEY") or get(
        "HTTP_X_ULURU_APPLICATION_KEY") or ""
    master_key = get("HTTP_X_AVOSCLOUD_MASTER_KEY") or get("HTTP_X_ULURU_MASTER_KEY") or ""
    session = get("HTTP_X_LC_SESSION") or get("HTTP_X_AVOSCLOUD_SESSION_TOKEN") or get(
        "HTTP_X_ULURU_SESSION_TOKEN") or ""
    sign = "" if app_key or master_key else (
        get("HTTP_X_LC_SIGN") or get("HTTP_X_AVOSCLOUD_REQUEST_SIGN") or "")
    if not (app_id or app_key or master_key or session or sign):
        from_body = body_credentials(environ, body)  # browsers avoiding a preflight
        app_id = from_body.get("_ApplicationId", "")
        app_key = from_body.get("_ApplicationKey", "")
        master_key = from_body.get("_MasterKey", "")
        session = from_body.get("_SessionToken", "")
    if not keys.configured or not _same(app_id, keys.app_id):
        return Access(session_token=session)
    if ",master" in app_key:
        master_key, app_key = app_key.split(",", 1)[0], ""
    master = _same(master_key, keys.master_key)
    app = master or _same(app_key, keys.app_key) or _same(app_key, keys.master_key)
    if not app and not app_key and not master_key and sign:
        valid, with_master = check_signature(sign, keys, time.time() if now is None else now)
        app, master = valid, valid and with_master
    hook = app and _same(get("HTTP_X_LC_HOOK_KEY", ""), keys.hook_key)
    return Access(app=app, master=master, hook=hook, session_token=session)
