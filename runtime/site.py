"""Site: what a generated module hands to the runtime (classes, URL tables, special functions)."""

from __future__ import annotations

import configparser
import sys
import threading
import time
from typing import Any, Callable

from .leanengine import Engine

#: Special functions the server calls, with what runs when a program does not define one.
_NO_OP_SPECIALS = (
    "initServer", "initAfterBind", "initProcess", "initThread", "initRequestBeforeParse",
    "initRequest", "initNonStaticRequest", "initResponse", "initNonStaticResponse",
    "saveSessionData", "loadSessionData", "cleanUpOldSessions",
)  # fmt: skip


def _no_op(*args: Any, **kwargs: Any) -> None:
    return None


class ConfigFile(configparser.ConfigParser):
    """The `configFile` global: the site's .cfg file (INI syntax, option names any case)."""

    def __init__(self) -> None:
        super().__init__(interpolation=None)


class Site:
    """The runtime side of one generated module.

    The module creates it first (so `configFile`, `debug`, `engine` and `logMessage`
    exist for the .cpy code), defines its classes and special functions, then calls
    `setup()` with the classes to instantiate and the URL tables.
    """

    def __init__(self, namespace: dict[str, Any], *, base: str, debug: bool = False,
                 autoescape: bool = False) -> None:
        self.namespace = namespace
        self.base = base
        self.debug_build = debug
        self.autoescape = autoescape
        self.configFile = ConfigFile()
        self.engine = Engine()
        self.classes: dict[str, type] = {}
        self.urls: dict[str, tuple[str, ...]] = {}
        self.xmlrpc_urls: dict[str, tuple[str, ...]] = {}
        self.instances: dict[str, Any] = {}
        self.log_to_screen = True
        self.log_file = ""
        self._log_lock = threading.Lock()

    def setup(self, *, classes: dict[str, type], urls: dict[str, tuple[str, ...]],
              xmlrpc_urls: dict[str, tuple[str, ...]]) -> None:
        """Record the instances to create (name -> class) and the URL tables."""
        self.classes = dict(classes)
        self.urls = dict(urls)
        self.xmlrpc_urls = dict(xmlrpc_urls)

    def special(self, name: str) -> Callable[..., Any]:
        """The program's special function `name`, or the default one."""
        function = self.namespace.get(name)
        if callable(function):
            return function
        if name == "logMessage":
            return self.logMessage
        if name in _NO_OP_SPECIALS:
            return _no_op
        raise KeyError(name)

    def create_instances(self) -> None:
        """One global instance per non-abstract CherryClass, in source order (spec §6)."""
        for name, cls in self.classes.items():
            instance = cls()
            self.instances[name] = instance
            self.namespace[name] = instance

    def start(self, config_files: list[str] | None = None) -> None:
        """Read the config, create the instances, run `initServer` (spec §12, §13)."""
        if config_files:
            self.configFile.read(config_files, encoding="utf-8")
        self.create_instances()
        self.special("initServer")()

    # ---- globals of the generated module -------------------------------------------------

    def debug(self, text: object) -> None:
        """`debug(x)`: append `str(x)` to `<base>.dbg` in a -D build; nothing otherwise."""
        if not self.debug_build:
            return
        with self._log_lock, open(f"{self.base}.dbg", "a", encoding="utf-8") as handle:
            handle.write(f"{text}\n")

    def logMessage(self, message: str, level: int = 0) -> None:
        """The default `logMessage`: level-0 messages to the screen and/or the log file."""
        if level != 0:
            return
        line = time.strftime("[%Y/%m/%d %H:%M:%S] ") + str(message)
        with self._log_lock:
            if self.log_to_screen:
                print(line, file=sys.stderr, flush=True)
            if self.log_file:
                with open(self.log_file, "a", encoding="utf-8") as handle:
                    handle.write(line + "\n")

    # ---- serving (the runtime issue) -----------------------------------------------------

    def application(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        """WSGI entry point."""
        raise NotImplementedError("serving arrives with the runtime")

    def main(self, argv: list[str]) -> int:
        """`python siteServer.py [-C file.cfg]`."""
        raise NotImplementedError("serving arrives with the runtime")
