"""LeanEngine-style cloud functions and hooks: `Engine`, `LeanEngineError`, `cloudfunc`.

Plain Python modules use `from cherryc.runtime.leanengine import Engine, LeanEngineError,
cloudfunc`; generated modules have `engine`, `Engine`, `LeanEngineError` and `cloudfunc`.
"""

from . import cloudfunc
from .errors import LeanEngineError
from .objects import Object, User
from .registry import Engine

__all__ = ["Engine", "LeanEngineError", "Object", "User", "cloudfunc"]
