"""Plain-Python helpers of the three authentication modules (imported as `_auth`).

HttpAuthenticate, CookieAuthenticate and CookieSessionAuthenticate share here what is
easy to get subtly wrong: constant-time password checks, the signed login cookie,
parsing an `Authorization: Basic` header, cookies with safe attributes, and refusing
redirects that would leave the site.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import json
import math
import re
import secrets
from typing import Any, Callable, Iterable

from cherryc.runtime import request, response
from cherryc.runtime.config import ConfigError

__all__ = [
    "basic_challenge", "basic_credentials", "current_page", "delete_cookie", "get_cookie",
    "local_path", "login_token_password", "make_login_token", "matching_password",
    "new_session_id", "password_matches", "read_login_token", "redirect", "request_login",
    "require_sessions", "session_login", "set_cookie", "text_field",
]  # fmt: skip


# ---- the logged-in name -----------------------------------------------------------------


def _get_login(self: Any) -> str | None:
    return getattr(request, "login", None)


def _set_login(self: Any, login: str | None) -> None:
    request.login = login


#: `self.login` of the authentication classes: 0.x code read the logged-in name there.
#: It is `request.login`, which belongs to the request being served, so two users served
#: at the same time by two threads each see their own name.
request_login = property(_get_login, _set_login, doc="The login of the current request.")


# ---- passwords ---------------------------------------------------------------------------


def warn_if_demo_login(instance: Any, module_class: type, method: str, log: Callable[[str], None]) -> None:
    """Log a warning when `instance`'s class keeps `module_class`'s demo `method`
    (the one accepting the demo login `login` / `password`)."""
    if getattr(type(instance), method) is getattr(module_class, method):
        log(f"warning: {type(instance).__name__} accepts {module_class.__name__}'s demo login: "
            f"override {method}")


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _candidates(passwords: Iterable[str] | None) -> list[str]:
    """The password list a site returned, checked: a string by mistake must not become
    a list of one-letter passwords."""
    if isinstance(passwords, (str, bytes)):
        raise TypeError("getPasswordListForLogin must return a list of passwords, not a string")
    return [password for password in passwords or () if isinstance(password, str)]


def matching_password(passwords: Iterable[str] | None,
                      matches: Callable[[str], bool]) -> str | None:
    """The first of `passwords` for which `matches(password)` is true, or None.

    Every candidate is tried, whichever matches, so the time taken does not tell
    which one did.
    """
    found = None
    for candidate in _candidates(passwords):
        if matches(candidate) and found is None:
            found = candidate
    return found


def password_matches(password: Any, passwords: Iterable[str] | None) -> bool:
    """Whether `password` is one of `passwords`, compared in constant time.

    An empty password never matches, nor does a form field given twice (a list).
    """
    if not isinstance(password, str) or not password:
        return False
    given = _utf8(password)
    found = matching_password(
        passwords, lambda candidate: hmac.compare_digest(given, _utf8(candidate)))
    return found is not None


def text_field(value: Any) -> str:
    """A form field as text: a field given twice (a list) or an upload counts as empty."""
    return value if isinstance(value, str) else ""


# ---- the signed login cookie of CookieAuthenticate -----------------------------------------


@functools.lru_cache(maxsize=8)
def _derived_key(site_key: str) -> bytes:
    """A key of its own for login cookies, derived from the site key."""
    return hmac.new(site_key.encode("utf-8"), b"cherryc CookieAuthenticate login cookie",
                    hashlib.sha256).digest()


def _signature(name: str, login: str, issued: int, password: str) -> str:
    # The site key is `[server] siteKey`, or a random key drawn when the server starts.
    key = _derived_key(request._app.site_key)
    message = _utf8(json.dumps([name, login, issued, password], ensure_ascii=False))
    return _b64(hmac.new(key, message, hashlib.sha256).digest())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_login_token(name: str, login: str, password: str, issued: float) -> str:
    """The value of login cookie `name`: `login.issued.signature`.

    `login` is base64url (UTF-8), `issued` the time in milliseconds, and the signature
    an HMAC-SHA256 over the cookie name, login, time and the password that logged in:
    the cookie cannot be forged, and it dies when that password is changed. The
    password itself is not in the cookie.
    """
    milliseconds = int(issued * 1000)
    return f"{_b64(_utf8(login))}.{milliseconds}.{_signature(name, login, milliseconds, password)}"


_TOKEN = re.compile(r"([A-Za-z0-9_-]*)\.([0-9]{1,15})\.([A-Za-z0-9_-]{43})\Z")


def _parse_token(token: str | None) -> tuple[str, int, str] | None:
    """(login, milliseconds, signature) of a well-formed login cookie, or None."""
    found = _TOKEN.match(token or "")
    if found is None:
        return None
    try:
        login = _unb64(found.group(1)).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    return login, int(found.group(2)), found.group(3)


def read_login_token(token: str | None) -> tuple[str, float] | None:
    """(login, issue time in seconds) of a well-formed login cookie, not yet verified."""
    parsed = _parse_token(token)
    return (parsed[0], parsed[1] / 1000) if parsed else None


def login_token_password(name: str, token: str | None,
                         passwords: Iterable[str] | None) -> str | None:
    """The one of `passwords` that login cookie `token` was signed with, or None."""
    parsed = _parse_token(token)
    if parsed is None:
        return None
    login, milliseconds, given = parsed
    return matching_password(passwords, lambda candidate: hmac.compare_digest(
        _signature(name, login, milliseconds, candidate), given))


# ---- the session entry of CookieSessionAuthenticate ------------------------------------------

_SESSION_ID = re.compile(r"[A-Za-z0-9_-]{43}\Z")


def new_session_id() -> str:
    """A fresh random login-session id (256 bits)."""
    return secrets.token_urlsafe(32)


def session_login(session_map: dict, session_id: str | None) -> tuple[str, float] | None:
    """(login, expiry time) stored under `session_id` in the session, or None.

    Only ids this module makes are looked up, and only a (login, expiry) pair is
    believed: other keys of `request.sessionMap` belong to the site.
    """
    if not session_id or not _SESSION_ID.match(session_id):
        return None
    entry = session_map.get(session_id)
    if not isinstance(entry, (list, tuple)) or len(entry) != 2:  # cookie sessions give lists
        return None
    login, expires = entry
    if not isinstance(login, str) or not isinstance(expires, (int, float)):
        return None
    return login, float(expires)


def require_sessions(config: Any, class_name: str) -> None:
    """Stop the server at start-up when sessions are off: the class cannot work then."""
    if not config.get("session", "storageType", fallback="").strip():
        raise ConfigError(
            f"CherryClass {class_name} derives from CookieSessionAuthenticate, which keeps "
            "logins in sessions: set [session] storageType = ram (or file, cookie, custom) "
            "in the configuration file")


# ---- HTTP Basic ----------------------------------------------------------------------------


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """(login, password) of an `Authorization: Basic ...` header, or None if there is
    none or it is malformed. The password may contain ':'; UTF-8 is expected (RFC 7617)
    and Latin-1 accepted from older clients."""
    scheme, _, encoded = (header or "").strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        raw = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    login, colon, password = text.partition(":")
    return (login, password) if colon else None


def basic_challenge(realm: str) -> str:
    """The `WWW-Authenticate` value asking for a login and password in `realm`."""
    quoted = re.sub(r"[\x00-\x1f\x7f]", "", realm).replace("\\", "\\\\").replace('"', '\\"')
    return f'Basic realm="{quoted}"'


# ---- cookies, pages and redirects ------------------------------------------------------------


def get_cookie(name: str) -> str | None:
    """The value of the request's cookie `name`, or None."""
    morsel = request.simpleCookie.get(name)
    return morsel.value if morsel is not None else None


def set_cookie(name: str, value: str, max_age: float | None = None) -> None:
    """Send cookie `name` for the whole site: HttpOnly, SameSite=Lax, Secure under HTTPS;
    kept by the browser `max_age` seconds, or until it closes when None."""
    cookie = response.simpleCookie
    cookie.pop(name, None)  # a fresh morsel: none of the attributes of an earlier one
    cookie[name] = value
    morsel = cookie[name]
    morsel["path"] = "/"
    morsel["httponly"] = True
    morsel["samesite"] = "Lax"
    if request.base.startswith("https:"):
        morsel["secure"] = True
    if max_age is not None:
        morsel["max-age"] = max(1, math.ceil(max_age))


def delete_cookie(name: str) -> None:
    """Make the browser forget cookie `name`."""
    set_cookie(name, "")
    response.simpleCookie[name]["max-age"] = 0
    response.simpleCookie[name]["expires"] = "Thu, 01 Jan 1970 00:00:00 GMT"


def current_page() -> str:
    """The path and query of this request: where to come back to after logging in."""
    url, base = request.browserUrl, request.base
    if not url.startswith(base):
        return "/"
    return url[len(base):] or "/"


def local_path(target: Any, default: str) -> str:
    """`target` if it is a path on this site, else `default`.

    Refuses what would send the browser elsewhere (an open redirect): absolute URLs
    (`http://evil.example`), scheme-relative ones (`//evil.example`), backslashes
    (`/\\evil.example`, which browsers read as `//`), white space and control characters.
    """
    if (isinstance(target, str) and target.startswith("/") and not target.startswith("//")
            and target.isascii() and target.isprintable() and " " not in target
            and "\\" not in target):
        return target
    return default


def redirect(location: str) -> str:
    """Answer `302 Found` to `location` (the page returns the empty body)."""
    response.headerMap["status"] = "302 Found"
    response.headerMap["location"] = location
    return ""
