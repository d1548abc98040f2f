"""Assembles the generated module from its template, checks it compiles, writes it atomically."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass

import jinja2

from cherryc import __version__
from cherryc.runtime import sourcemap

from .codegen import Blocks
from .errors import CpyError, Position, PythonSyntaxError
from .pywriter import Origin, PyWriter

_PLACEHOLDER = "#@cpy:"

_environment = jinja2.Environment(
    loader=jinja2.PackageLoader("cherryc.compiler", "templates"),
    autoescape=False,  # the output is Python, not HTML
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters["pyrepr"] = repr


class InternalError(Exception):
    """cherryc generated Python that does not compile: a bug in cherryc, not in the input."""


@dataclass(frozen=True)
class Module:
    """A generated module: its text and the origin of each generated line (1-based)."""

    text: str
    origins: dict[int, Origin]


def assemble(blocks: Blocks, *, output_name: str, sources: list[str], base: str,
             command: str, debug: bool, autoescape: bool, shebang: str) -> Module:
    """Fill the module template, splice the blocks in and append the source map."""
    parts = {name: getattr(blocks, name) for name in blocks.__dataclass_fields__}
    rendered = _environment.get_template("server_module.py.j2").render(
        shebang=shebang, output_name=output_name, version=__version__, sources=sources,
        command=command, base=base, debug=debug, autoescape=autoescape,
        has={name: bool(writer.lines) for name, writer in parts.items()},
    )
    lines: list[str] = []
    origins: dict[int, Origin] = {}
    map_index = -1
    for line in rendered.split("\n"):
        if not line.startswith(_PLACEHOLDER):
            lines.append(line)
            continue
        name = line[len(_PLACEHOLDER):]
        if name == "source_map":
            map_index = len(lines)
            lines.append("")
            continue
        writer: PyWriter = parts[name]
        for offset, origin in enumerate(writer.origins):
            if origin is not None:
                origins[len(lines) + offset + 1] = origin
        lines.extend(writer.lines)
    files, runs = sourcemap.encode(
        (number, origin.file, origin.line) for number, origin in sorted(origins.items())
    )
    lines[map_index] = f"{sourcemap.GLOBAL_NAME} = {files!r}, {runs!r}"
    return Module("\n".join(lines), origins)


def check_compiles(module: Module, filename: str) -> None:
    """compile() the module; a syntax error is reported at the .cpy line it comes from."""
    try:
        compile(module.text, filename, "exec", dont_inherit=True)
    except SyntaxError as exc:
        raise _locate(exc, module) from None


def _locate(exc: SyntaxError, module: Module) -> CpyError | InternalError:
    line = exc.lineno or 0
    origin = module.origins.get(line)
    if origin is None:
        generated = module.text.split("\n")[line - 1] if 0 < line else ""
        return InternalError(f"generated line {line} does not compile ({exc.msg}): "
                             f"{generated!r}")
    if origin.source is not None:
        col = max((exc.offset or 1) - 1 - origin.shift, 0)
        pos = origin.source.pos(col)
    else:
        pos = origin.pos or Position(origin.file, origin.line)
    return PythonSyntaxError(f"invalid Python: {exc.msg}", pos)


def write_atomically(path: str, text: str, executable: bool = False) -> None:
    """Write `text` to `path` through a temporary file and a rename: never half a file."""
    directory = os.path.dirname(os.path.abspath(path))
    umask = os.umask(0)
    os.umask(umask)
    try:
        mode = os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o666 & ~umask
    if executable:
        mode |= (mode & 0o444) >> 2
    fd, temporary = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".",
                                     suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
