"""CherryClass: the base class of every class generated from a `CherryClass` declaration."""

from __future__ import annotations

from .context import request


class CherryClass:
    """Behaviour every CherryClass shares (0.10 injected `getPath` into each class)."""

    def getPath(self, includeRequestBase: int = 1) -> str:
        """URL of this instance: `request.base + "/" + instance name with "_" as "/"`.

        `Root` -> `/root`, `Xml_rpc` -> `/xml/rpc`; without the request base when
        `includeRequestBase` is false.
        """
        name = type(self).__name__
        path = "/" + (name[0].lower() + name[1:]).replace("_", "/")
        return request.base + path if includeRequestBase else path
