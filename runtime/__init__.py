"""The names generated modules may import from cherryc.runtime: this list is the contract."""

from markupsafe import Markup

from .cherryclass import CherryClass
from .context import request, response
from .leanengine import Engine, LeanEngineError, cloudfunc
from .masks import escape, last_index, markup_result
from .site import Site

__all__ = [
    "CherryClass",
    "Engine",
    "LeanEngineError",
    "Markup",
    "Site",
    "cloudfunc",
    "escape",
    "last_index",
    "markup_result",
    "request",
    "response",
]
