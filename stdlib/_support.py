"""Plain-Python helpers for the standard library's .cpy modules (imported as `_stdlib`).

The .cpy modules are compiled into the user's module, so they reach these names through
one distinctive global (`_stdlib`) instead of importing `escape` or `Markup` into the
user's namespace, where a name of the user's own could replace them.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

__all__ = ["Markup", "escape", "attribute", "join"]


def attribute(name: str, value: Any) -> Markup:
    """` name="value"` with the value escaped, or nothing for None / "" / False."""
    if value is None or value == "" or value is False:
        return Markup("")
    return Markup(' %s="%s"') % (Markup(name), value)


def join(pieces: Any, separator: str = "") -> Markup:
    """Join pieces of HTML: markup stays, anything else is escaped."""
    return Markup(separator).join(pieces)
