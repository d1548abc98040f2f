"""The official `leancloud` package's top-level names, for cloud code written for the official SDK.

Change only the import, `import leancloud` → `from cherryc.runtime import leancloud`,
and `leancloud.Object`, `leancloud.Query`, `leancloud.User`, `leancloud.ACL`,
`leancloud.Engine`, `leancloud.LeanEngineError`, `leancloud.LeanCloudError`,
`leancloud.cloud.run` / `rpc` and `leancloud.use_master_key` work as there, on the
site's own object store. `leancloud.init(...)` is accepted and changes nothing: the
site's keys come from its configuration.
"""

from .leanengine import cloudfunc
from .leanengine.acl import ACL
from .leanengine.client import init, use_master_key
from .leanengine.errors import LeanEngineError
from .leanengine.objects import Object, User
from .leanengine.query import Query
from .leanengine.registry import Engine
from .storage.errors import LeanCloudError

#: `leancloud.cloud.run(name, **params)`, `.rpc(...)`, `.run.local(...)` (spec §10.2).
cloud = cloudfunc


def use_production(flag: bool) -> None:
    """Accepted for unchanged cloud code: one site has one set of hooks."""


__all__ = [
    "ACL",
    "Engine",
    "LeanCloudError",
    "LeanEngineError",
    "Object",
    "Query",
    "User",
    "cloud",
    "cloudfunc",
    "init",
    "use_master_key",
    "use_production",
]
