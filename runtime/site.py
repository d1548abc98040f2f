"""Site: what a generated module hands to the runtime, and how it starts and serves."""

from __future__ import annotations

import configparser
import os
import sys
import threading
import time
from http import HTTPStatus
from typing import Any, Callable

from .config import ConfigError, ServerConfig, find_config, load_config, read_parser
from .context import request, response
from .errorpages import html_page, traceback_text, xmlrpc_fault
from .leanengine import Engine

#: Special functions the server calls, with what runs when a program does not define one.
_NO_OP_SPECIALS = (
    "initServer", "initAfterBind", "initProcess", "initThread", "initRequestBeforeParse",
    "initRequest", "initNonStaticRequest", "initResponse", "initNonStaticResponse",
    "saveSessionData", "loadSessionData", "cleanUpOldSessions",
)  # fmt: skip

USAGE = "usage: python {module} [-C configFile]"


def _no_op(*args: Any, **kwargs: Any) -> None:
    return None


class ConfigFile(configparser.ConfigParser):
    """The `configFile` global: the site's .cfg file (INI syntax, option names any case)."""

    def __init__(self) -> None:
        super().__init__(interpolation=None)


class Site:
    """The runtime side of one generated module.

    The module creates it first (so that `configFile`, `debug`, `engine` and
    `logMessage` exist for the .cpy code), defines its classes and special functions,
    then calls `setup()` with the classes to instantiate and the URL tables. `main()`
    serves it; `application` is its WSGI entry point.
    """

    def __init__(self, namespace: dict[str, Any], *, base: str, debug: bool = False,
                 autoescape: bool = False) -> None:
        self.namespace = namespace
        self.base = base
        self.debug_build = debug
        self.autoescape = autoescape
        self.configFile = ConfigFile()
        self.config = ServerConfig()
        self.engine = Engine()
        self.classes: dict[str, type] = {}
        self.urls: dict[str, tuple[str, ...]] = {}
        self.xmlrpc_urls: dict[str, tuple[str, ...]] = {}
        self.instances: dict[str, Any] = {}
        self.app: Any = None
        self.logs_requests = True
        self._log = self.logMessage
        self._log_file: Any = None
        self._log_lock = threading.Lock()
        self._start_lock = threading.Lock()

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
        if name == "onError":
            return self.onError
        if name in _NO_OP_SPECIALS:
            return _no_op
        raise KeyError(name)

    def defined(self, name: str) -> Callable[..., Any] | None:
        """The program's own special function `name`, or None (nothing to call)."""
        function = self.namespace.get(name)
        return function if callable(function) else None

    # ---- start-up ------------------------------------------------------------------------

    def configure(self, path: str | None = None) -> None:
        """Read the configuration: `path` (-C), else `<base>.cfg` here or beside the module."""
        module_file = self.namespace.get("__file__") or "."
        found = find_config(path, self.base, os.path.dirname(os.path.abspath(module_file)))
        if found is None:
            self.config = ServerConfig()
            return
        parser = read_parser(found)
        self.config = load_config(found, parser)
        self.configFile.read_dict({s: dict(parser.items(s)) for s in parser.sections()})

    def start(self, config_path: str | None = None) -> None:
        """Read the config, create the instances, run `initServer`, build the application."""
        from .app import Application, open_store
        from .storage import use_store

        self.configure(config_path)
        self._log = self.special("logMessage")
        self.logs_requests = self._log != self.logMessage or bool(
            self.config.log_to_screen or self.config.log_file)
        for name, cls in self.classes.items():  # one instance each, in source order (spec §6)
            instance = cls()
            self.instances[name] = instance
            self.namespace[name] = instance
        # The object store first, so that initServer's cloud code can already use it.
        store = open_store(self, self.config)
        use_store(store)  # cloud code's Object.save() and the REST routes share it
        self.special("initServer")()
        self.app = Application(self, self.config, store)
        why = self.app.keys.missing()
        if why:
            self.log(f"note: {why}")

    def application(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        """The WSGI entry point (`gunicorn siteServer:application`); starts on first use."""
        app = self.app
        if app is None:
            with self._start_lock:
                if self.app is None:
                    self.start()
            app = self.app
        return app(environ, start_response)

    def main(self, argv: list[str]) -> int:
        """`python siteServer.py [-C file.cfg]`: start, then serve until SIGTERM or SIGINT."""
        from .server import serve

        module = os.path.basename(self.namespace.get("__file__") or f"{self.base}.py")
        if argv and not (len(argv) == 2 and argv[0] == "-C"):
            print(USAGE.format(module=module), file=sys.stderr)
            return 2
        try:
            self.start(argv[1] if argv else None)
        except ConfigError as exc:
            print(f"{module}: {exc}", file=sys.stderr)
            return 1
        return serve(self, self.config)

    # ---- globals of the generated module -------------------------------------------------

    def log(self, text: str) -> None:
        """A server message through `logMessage`, with the time in front as 0.10 did."""
        self._log(time.strftime("[%Y/%m/%d %H:%M:%S] ") + text)

    def debug(self, text: object) -> None:
        """`debug(x)`: append `str(x)` to `<base>.dbg` in a -D build; nothing otherwise."""
        if not self.debug_build:
            return
        with self._log_lock, open(f"{self.base}.dbg", "a", encoding="utf-8") as handle:
            handle.write(f"{text}\n")

    def logMessage(self, message: str, level: int = 0) -> None:
        """The default `logMessage`: level-0 messages to the screen and/or `logFile`."""
        if level != 0:
            return
        config = self.config
        with self._log_lock:
            if config.log_to_screen:
                print(message, file=sys.stderr, flush=True)
            if config.log_file:
                if self._log_file is None:
                    self._log_file = open(config.log_file, "a", encoding="utf-8", buffering=1)
                self._log_file.write(f"{message}\n")

    def onError(self) -> None:
        """The default `onError`: an error page (traceback only in a -D build).

        The status is already set (404, 400, 413 or 500). XML-RPC calls get a fault,
        sent with status 200 as XML-RPC requires.
        """
        exc = sys.exc_info()[1]
        status = str(response.headerMap["status"])
        code = int(status[:3])
        trace = traceback_text(exc) if exc is not None and self.debug_build else ""
        if request.__dict__.get("isXmlRpc"):
            response.headerMap["status"] = f"200 {HTTPStatus.OK.phrase}"
            response.headerMap["content-type"] = "text/xml"
            response.body = xmlrpc_fault(trace or status)
            return
        shown = exc is not None and (code in (400, 413) or (code == 404 and self.debug_build))
        response.headerMap["content-type"] = "text/html; charset=utf-8"
        response.body = html_page(status, str(exc) if shown else "", trace if code == 500 else "")
