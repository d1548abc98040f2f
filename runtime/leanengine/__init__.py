"""LeanEngine-style cloud functions and hooks (`Engine`, `LeanEngineError`, `cloudfunc`) and the storage API.

Plain Python modules use `from cherryc.runtime.leanengine import Engine, LeanEngineError,
cloudfunc`; generated modules have `engine`, `Engine`, `LeanEngineError` and `cloudfunc`.
The object store's Python API (`Object`, `Query`, `User`, `ACL`, `use_master_key`) is
here too, and in `cherryc.runtime.leancloud` under the official package's names.
"""

from . import cloudfunc
from .acl import ACL
from .client import use_master_key
from .errors import LeanEngineError
from .objects import Object, User
from .query import Query
from .registry import Engine

__all__ = ["ACL", "Engine", "LeanEngineError", "Object", "Query", "User", "cloudfunc", "use_master_key"]
