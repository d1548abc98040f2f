"""The names generated modules may import from cherryc.runtime: this list is the contract."""

from markupsafe import Markup

from .cherryclass import CherryClass
from .context import request, response
from .leanengine import LeanEngineError
from .masks import escape, last_index, markup_result
from .site import Site

__all__ = [
    "CherryClass",
    "LeanEngineError",
    "Markup",
    "Site",
    "escape",
    "last_index",
    "markup_result",
    "request",
    "response",
]
