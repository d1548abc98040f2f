"""Passwords and session tokens: scrypt hashes with a per-user salt, tokens from `secrets`.

A stored password reads `scrypt$<n>$<r>$<p>$<salt>$<hash>` (base64 salt and hash), so
the cost can be raised later without breaking the users who signed up before:
`verify_password` reads the parameters from the stored value. Comparisons take
constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import string

#: scrypt cost: 2**14 rounds of 8-block mixing (16 MB, some tens of ms per hash).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1
SALT_BYTES, HASH_BYTES = 16, 32
TOKEN_LENGTH = 25
_TOKEN_ALPHABET = string.ascii_lowercase + string.digits
_TOKEN = re.compile(rf"[a-z0-9]{{{TOKEN_LENGTH}}}\Z")


def hash_password(password: str) -> str:
    """The value to store for `password`: algorithm, parameters, salt and hash."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return "$".join(["scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P), _b64(salt), _b64(digest)])


def verify_password(password: str, stored: object) -> bool:
    """Whether `password` is the one `stored` (from `hash_password`) was made from."""
    if not isinstance(stored, str):
        return False
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return False
    try:
        n, r, p = (int(part) for part in parts[1:4])
        salt, expected = base64.b64decode(parts[4]), base64.b64decode(parts[5])
        digest = _scrypt(password, salt, n, r, p, len(expected))
    except ValueError:
        return False
    return hmac.compare_digest(digest, expected)


def new_session_token() -> str:
    """25 lowercase letters and digits, as LeanStorage's tokens look."""
    return "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


def looks_like_token(token: object) -> bool:
    """Whether `token` has the form of a session token (checked before any lookup)."""
    return isinstance(token, str) and _TOKEN.match(token) is not None


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int = HASH_BYTES) -> bytes:
    return hashlib.scrypt(password.encode("utf-8", "surrogatepass"), salt=salt, n=n, r=r, p=p,
                          maxmem=2 * 128 * n * r * p + 1024 * 1024, dklen=length)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
