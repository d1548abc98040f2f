"""The server configuration: every option of the .cfg file, its default and its check.

One table (`OPTIONS`) names each option of the sections the server reads, with its type
and default; `load_config` reads a .cfg file (INI syntax, option names in any case),
checks every value and returns a frozen `ServerConfig`. A bad value, an unknown option
in one of these sections or a conflict stops start-up with a `ConfigError` that names
the file, line, section and option. Other sections belong to the site (`configFile`).
"""

from __future__ import annotations

import configparser
import importlib.util
import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable

#: Threads of the pool when no server mode is configured. Measured with wrk on a 2-core
#: machine (bench/http_bench.py, README): 2 threads serve 1.2-1.3x the requests of 4 with
#: a lower p99 (fewer GIL hand-offs), and unlike 1 thread a stalled client cannot hold up
#: the whole site. Sites that wait on I/O (databases, remote calls) want more.
DEFAULT_POOL_SIZE = 2
#: 100 MB, as DESIGN.md §3 says.
DEFAULT_MAX_BODY = 100 * 1024 * 1024


class ConfigError(Exception):
    """A problem in the configuration file: the server does not start."""


@dataclass(frozen=True)
class Option:
    """One option: its section and name in the .cfg file, field name, parser, default."""

    section: str
    name: str
    field: str
    parse: Callable[[str], Any]
    default: Any


def _integer(low: int, high: int | None = None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise ValueError(f"expected a whole number, got {text!r}") from None
        if value < low or (high is not None and value > high):
            bounds = f"from {low} to {high}" if high is not None else f"at least {low}"
            raise ValueError(f"expected a number {bounds}, got {value}")
        return value

    return parse


def _minutes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"expected a number of minutes, got {text!r}") from None
    if value < 0:
        raise ValueError(f"expected a positive number of minutes, got {text}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"expected a number of seconds, got {text!r}") from None
    if value < 0:
        raise ValueError(f"expected a positive number of seconds, got {text}")
    return value


def _flag(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"expected 0 or 1, got {text!r}")


def _text(text: str) -> str:
    return text.strip()


def _protocol(text: str) -> str:
    if text.strip() not in ("HTTP/1.0", "HTTP/1.1"):
        raise ValueError(f"expected HTTP/1.0 or HTTP/1.1, got {text!r}")
    return text.strip()


def _request_types(text: str) -> tuple[str, ...]:
    kinds = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [k for k in kinds if k not in ("web", "xmlRpc")]
    if unknown or not kinds:
        raise ValueError(f"expected a list of web and xmlRpc, got {text!r}")
    return kinds


def _storage_type(text: str) -> str:
    kind = text.strip()
    if kind not in ("", "ram", "file", "cookie", "custom", "database"):
        raise ValueError(f"expected ram, file, cookie, custom or database, got {text!r}")
    return kind


def _cookie_name(text: str) -> str:
    name = text.strip()
    if not re.fullmatch(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+", name):
        raise ValueError(f"not a valid cookie name: {text!r}")
    return name


def _addresses(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _storage_url(text: str) -> str:
    """`sqlite:///relative.db`, `sqlite:////absolute.db` or `postgresql://user@host/db`."""
    url = text.strip()
    if url.startswith("sqlite:///"):
        if not url[len("sqlite:///"):].strip("/"):
            raise ValueError("the sqlite URL names no file: write sqlite:///site.db "
                             "(relative to the working directory) or sqlite:////abs/site.db")
        return url
    if url.startswith(("postgresql://", "postgres://")):
        return url
    if url.startswith("sqlite:"):
        raise ValueError("a sqlite URL has three slashes before a relative path "
                         "(sqlite:///site.db) and four before an absolute one (sqlite:////srv/site.db)")
    # The value is not shown: a database URL may hold a password.
    raise ValueError("expected sqlite:///file.db or postgresql://user@host/database")


def _indexes(text: str) -> tuple[tuple[str, str], ...]:
    """`Class.field, Other.field` as (class, field) pairs."""
    pairs = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        class_name, dot, field_name = part.partition(".")
        if not (dot and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", class_name)
                and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", field_name)):
            raise ValueError(f"expected Class.field items separated by commas, got {part!r}")
        pairs.append((class_name, field_name))
    return tuple(pairs)


OPTIONS: tuple[Option, ...] = (
    Option("server", "logToScreen", "log_to_screen", _flag, True),
    Option("server", "logFile", "log_file", _text, ""),
    Option("server", "socketHost", "socket_host", _text, ""),
    Option("server", "socketPort", "socket_port", _integer(0, 65535), 0),
    Option("server", "socketFile", "socket_file", _text, ""),
    Option("server", "reverseDNS", "reverse_dns", _flag, False),
    Option("server", "socketQueueSize", "socket_queue_size", _integer(1), 128),
    Option("server", "protocolVersion", "protocol_version", _protocol, "HTTP/1.0"),
    Option("server", "processPool", "process_pool", _integer(1), 1),
    Option("server", "threadPool", "thread_pool", _integer(1), 0),
    Option("server", "threading", "threading", _flag, False),
    Option("server", "forking", "forking", _flag, False),
    Option("server", "sslKeyFile", "ssl_key_file", _text, ""),
    Option("server", "sslCertificateFile", "ssl_certificate_file", _text, ""),
    Option("server", "sslClientCertificateVerification", "ssl_client_verification", _flag, False),
    Option("server", "sslCACertificateFile", "ssl_ca_certificate_file", _text, ""),
    Option("server", "sslVerifyDepth", "ssl_verify_depth", _integer(0), 1),
    Option("server", "typeOfRequests", "type_of_requests", _request_types, ("web",)),
    Option("server", "siteKey", "site_key", _text, ""),
    Option("server", "maxRequestBodySize", "max_request_body_size", _integer(0), DEFAULT_MAX_BODY),
    Option("server", "trustedProxies", "trusted_proxies", _addresses, ("127.0.0.1", "::1")),
    Option("session", "storageType", "session_storage", _storage_type, ""),
    Option("session", "timeout", "session_timeout", _minutes, 60.0),
    Option("session", "cleanUpDelay", "session_clean_up_delay", _minutes, 60.0),
    Option("session", "cookieName", "session_cookie_name", _cookie_name, "CherryPySession"),
    Option("session", "storageFileDir", "session_file_dir", _text, ""),
    Option("cache", "flushCacheDelay", "flush_cache_delay", _minutes, 0.0),
    Option("leanengine", "appId", "lean_app_id", _text, ""),
    Option("leanengine", "appKey", "lean_app_key", _text, ""),
    Option("leanengine", "masterKey", "lean_master_key", _text, ""),
    Option("leanengine", "hookKey", "lean_hook_key", _text, ""),
    Option("leanengine", "apiServer", "lean_api_server", _text, ""),
    Option("leanengine", "functionTimeout", "lean_function_timeout", _seconds, 0.0),
    Option("storage", "url", "storage_url", _storage_url, ""),
    Option("storage", "indexes", "storage_indexes", _indexes, ()),
)

#: Options whose values are secrets: never logged, never shown.
SECRET_OPTIONS = frozenset({"siteKey", "appKey", "masterKey", "hookKey", "url"})

#: Sections whose options the server owns (any other section belongs to the site).
SERVER_SECTIONS = ("server", "session", "cache", "staticContent", "leanengine", "storage")


@dataclass(frozen=True)
class ServerConfig:
    """Every setting of the server, checked. Built by `load_config` (or with defaults)."""

    source: str = "(defaults)"
    log_to_screen: bool = True
    log_file: str = ""
    socket_host: str = ""
    socket_port: int = 0
    socket_file: str = ""
    reverse_dns: bool = False
    socket_queue_size: int = 128
    protocol_version: str = "HTTP/1.0"
    process_pool: int = 1
    thread_pool: int = 0  # 0: not set
    threading: bool = False
    forking: bool = False
    ssl_key_file: str = ""
    ssl_certificate_file: str = ""
    ssl_client_verification: bool = False
    ssl_ca_certificate_file: str = ""
    ssl_verify_depth: int = 1
    type_of_requests: tuple[str, ...] = ("web",)
    site_key: str = ""
    max_request_body_size: int = DEFAULT_MAX_BODY
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    session_storage: str = ""
    session_timeout: float = 60.0
    session_clean_up_delay: float = 60.0
    session_cookie_name: str = "CherryPySession"
    session_file_dir: str = ""
    flush_cache_delay: float = 0.0
    lean_app_id: str = ""
    lean_app_key: str = ""
    lean_master_key: str = ""
    lean_hook_key: str = ""
    lean_api_server: str = ""
    lean_function_timeout: float = 0.0
    storage_url: str = ""  # "": sqlite:///<base>.db, see `storage_url_for`
    storage_indexes: tuple[tuple[str, str], ...] = ()
    static_content: tuple[tuple[str, str], ...] = field(default=())

    @property
    def port(self) -> int:
        """The TCP port: 8000 when none is given (spec §21)."""
        return self.socket_port or 8000

    @property
    def ssl(self) -> bool:
        return bool(self.ssl_key_file)

    @property
    def processes(self) -> int:
        """Pre-forked worker processes (1: serve in this process)."""
        if self.forking:
            return max(os.cpu_count() or 2, 2)
        return self.process_pool

    @property
    def threads(self) -> tuple[int, int]:
        """(threads at start, most threads) of the pool of each process."""
        if self.threading:
            return DEFAULT_POOL_SIZE, -1  # grows as requests wait
        if self.thread_pool:
            return self.thread_pool, self.thread_pool
        return DEFAULT_POOL_SIZE, DEFAULT_POOL_SIZE

    @property
    def xmlrpc(self) -> bool:
        return "xmlRpc" in self.type_of_requests

    @property
    def web(self) -> bool:
        return "web" in self.type_of_requests


def find_config(explicit: str | None, base: str, module_dir: str) -> str | None:
    """The config file to read: `-C`, else `<base>.cfg` here, else beside the module."""
    if explicit:
        return explicit
    for directory in (os.getcwd(), module_dir):
        candidate = os.path.join(directory, base + ".cfg")
        if os.path.isfile(candidate):
            return candidate
    return None


def read_parser(path: str) -> configparser.ConfigParser:
    """Read an INI file; syntax errors become a ConfigError naming the line."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with open(path, encoding="utf-8") as handle:
            parser.read_file(handle, source=path)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration file: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the configuration file is not valid UTF-8") from None
    except configparser.Error as exc:
        line = getattr(exc, "lineno", None)
        where = f"{path}:{line}" if line else path
        message = str(exc).splitlines()[0]
        raise ConfigError(f"{where}: error: {message}") from None
    return parser


def load_config(path: str | None, parser: configparser.ConfigParser | None = None) -> ServerConfig:
    """Check the server's options of a config file (None: all defaults)."""
    if path is None:
        return ServerConfig()
    parser = parser or read_parser(path)
    locate = _Locator(path)
    values: dict[str, Any] = {"source": path}
    known = {(o.section, o.name.lower()): o for o in OPTIONS}
    for section in SERVER_SECTIONS:
        if not parser.has_section(section) or section == "staticContent":
            continue
        for name, raw in parser.items(section):
            option = known.get((section, name))
            if option is None:
                names = ", ".join(o.name for o in OPTIONS if o.section == section)
                raise ConfigError(f"{locate(section, name)}: error: [{section}] {name}: unknown "
                                  f"option (the options of [{section}] are {names})")
            try:
                values[option.field] = option.parse(raw)
            except ValueError as exc:
                shown = "(secret)" if option.name in SECRET_OPTIONS else repr(raw)
                raise ConfigError(f"{locate(section, name)}: error: [{section}] "
                                  f"{option.name} = {shown}: {exc}") from None
    if parser.has_section("staticContent"):
        values["static_content"] = tuple(
            (prefix.strip("/"), directory) for prefix, directory in parser.items("staticContent")
        )
    config = ServerConfig(**values)
    _check_together(config, path, locate)
    return config


def _check_together(config: ServerConfig, path: str, locate: "_Locator | None" = None) -> None:
    """Options that conflict or need each other (spec §21, §22).

    Each problem names the file and the line of the option at fault, its section and the
    options involved, like the errors of a single option.
    """
    locate = locate or _Locator(path)
    problems: list[tuple[str, list[str], str]] = []  # (section, options, explanation)
    modes = {"threadPool": config.thread_pool > 1, "processPool": config.process_pool > 1,
             "threading": config.threading, "forking": config.forking}
    chosen = [name for name, on in modes.items() if on]
    if len(chosen) > 1:
        problems.append(("server", chosen, "threadPool, processPool, threading and forking "
                                           "conflict with each other: choose one"))
    if config.socket_port and config.socket_file:
        problems.append(("server", ["socketPort", "socketFile"], "cannot both be given"))
    if bool(config.ssl_key_file) != bool(config.ssl_certificate_file):
        given = "sslKeyFile" if config.ssl_key_file else "sslCertificateFile"
        problems.append(("server", [given], "sslKeyFile and sslCertificateFile go together: "
                                            "give both or neither"))
    if config.ssl_client_verification and not config.ssl_ca_certificate_file:
        problems.append(("server", ["sslClientCertificateVerification"],
                         "needs sslCACertificateFile"))
    if config.ssl_client_verification and not config.ssl:
        problems.append(("server", ["sslClientCertificateVerification"],
                         "needs sslKeyFile and sslCertificateFile"))
    if config.session_storage == "file" and not config.session_file_dir:
        problems.append(("session", ["storageType"], "storageType=file needs storageFileDir"))
    if config.session_file_dir and config.session_storage != "file":
        problems.append(("session", ["storageFileDir"], "only used with storageType=file"))
    if (config.process_pool > 1 or config.forking) and not hasattr(os, "fork"):
        problems.append(("server", [n for n in ("processPool", "forking") if modes[n]],
                         "needs os.fork (not available here)"))
    problems.extend(_storage_problems(config))
    for name in ("ssl_key_file", "ssl_certificate_file", "ssl_ca_certificate_file"):
        value = getattr(config, name)
        if value and not os.path.isfile(value):
            option = next(o.name for o in OPTIONS if o.field == name)
            problems.append(("server", [option], f"no such file {value!r}"))
    if problems:
        raise ConfigError("\n".join(
            f"{locate(section, options[-1].lower())}: error: [{section}] {', '.join(options)}: "
            f"{text}" for section, options, text in problems))


def storage_url_for(config: ServerConfig, base: str) -> str:
    """The object store's URL: `[storage] url`, else `<base>.db` in the working directory."""
    return config.storage_url or f"sqlite:///{base}.db"


def sqlite_path(url: str) -> str:
    """The file of a `sqlite:///` URL (DESIGN §6: three slashes relative, four absolute)."""
    return url[len("sqlite:///"):].partition("?")[0]


def _storage_problems(config: ServerConfig) -> list[tuple[str, list[str], str]]:
    """A store that cannot work: its folder is missing, or psycopg is not installed."""
    url = config.storage_url
    if url.startswith("sqlite:///"):
        folder = os.path.dirname(sqlite_path(url)) or "."
        if not os.path.isdir(folder):
            return [("storage", ["url"], f"the folder {folder!r} of the database does not exist")]
    elif url and importlib.util.find_spec("psycopg") is None:
        return [("storage", ["url"], "PostgreSQL needs psycopg 3: pip install 'cherryc[postgres]'")]
    return []


def option_error(config: ServerConfig, section: str, name: str, problem: str) -> ConfigError:
    """A ConfigError about one option found wrong after loading (`file:line: error: ...`)."""
    where = _Locator(config.source)(section, name.lower()) if config.source != "(defaults)" \
        else "(defaults)"
    return ConfigError(f"{where}: error: [{section}] {name}: {problem}")


class _Locator:
    """Finds the line of an option in a .cfg file, for messages (`file:line`)."""

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            with open(path, encoding="utf-8") as handle:
                self.lines = handle.read().split("\n")
        except (OSError, UnicodeDecodeError):
            self.lines = []

    def __call__(self, section: str, name: str) -> str:
        current = None
        option = re.compile(rf"\s*{re.escape(name)}\s*[=:]", re.IGNORECASE)
        for number, line in enumerate(self.lines, 1):
            header = re.match(r"\s*\[([^\]]+)\]", line)
            if header:
                current = header.group(1).strip()
            elif current == section and option.match(line):
                return f"{self.path}:{number}"
        return self.path

