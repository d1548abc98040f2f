"""The .cpy compiler: read -> lex -> parse -> check -> generate -> render, each callable alone."""

from __future__ import annotations

import gc
import os
import shlex
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

from .checker import analyse
from .codegen import generate
from .errors import CpyError, CpyWarning
from .loader import Loader, Options
from .nodes import Program
from .render import Module, assemble, check_compiles, write_atomically

__all__ = ["CpyError", "Options", "compile_file", "compile_source"]


@dataclass(frozen=True)
class Result:
    """A compiled program: the module text, where it goes and the warnings found."""

    text: str
    output: str
    module: Module
    program: Program
    warnings: list[CpyWarning] = field(default_factory=list)
    sources: tuple[str, ...] = ()  # every module and template read


def default_output(first_file: str) -> str:
    """0.10's name: the file name cut at its first '.', plus 'Server.py', same directory."""
    directory, name = os.path.split(first_file)
    return os.path.join(directory, name.split(".", 1)[0] + "Server.py")


def base_name(output: str) -> str:
    """The run-time base name (`<base>.cfg`, `<base>.dbg`): the output name cut at '.py'."""
    return os.path.basename(output).split(".py", 1)[0]


def command_line(files: list[str], options: Options, output: str | None) -> str:
    """The `cherryc compile` command that reproduces a compilation (for the banner)."""
    words = ["cherryc", "compile"]
    if options.debug:
        words.append("-D")
    if options.whitespace != 4:
        words += ["-W", str(options.whitespace)]
    for directory in options.include_dirs:
        words += ["-I", directory]
    if output:
        words += ["-O", output]
    if options.autoescape:
        words.append("--autoescape")
    return " ".join(shlex.quote(w) for w in words + list(files))


def load(
    files: list[str], options: Options, texts: dict[str, str] | None = None
) -> tuple[Program, Loader]:
    """Read and parse the files and every module they use, dependencies first.

    `texts` gives the contents of files that are not on disk (name -> .cpy source).
    The loader tells what was read (`files_read`) and the warnings found.
    """
    loader = Loader(options)
    for name, text in (texts or {}).items():
        loader.add_source(name, text)
    return loader.load_program(files), loader


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: a compile builds many long-lived objects,
    which make it run full collections over and over on large programs (quadratic)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def compile_files(
    files: list[str],
    options: Options = Options(),
    output: str | None = None,
    texts: dict[str, str] | None = None,
) -> Result:
    """Compile .cpy files into one module; nothing is written. Raises CpyError."""
    with _collector_paused():
        return _compile(files, options, output, texts)


def _compile(
    files: list[str], options: Options, output: str | None, texts: dict[str, str] | None
) -> Result:
    program, loader = load(files, options, texts)
    analysis = analyse(program)
    blocks = generate(program, analysis, options)
    target = output or default_output(files[0])
    by_path = {m.path: m.file for m in program.modules}
    module = assemble(
        blocks,
        output_name=os.path.basename(target),
        sources=[by_path[os.path.realpath(f)] for f in files],
        base=base_name(target),
        command=command_line(files, options, output),
        debug=options.debug,
        autoescape=options.autoescape,
        shebang=options.shebang,
    )
    check_compiles(module, target)
    return Result(module.text, target, module, program, loader.warnings + analysis.warnings,
                  loader.files_read)


def compile_file(
    files: str | list[str], options: Options = Options(), output: str | None = None
) -> Result:
    """Compile and write the module (atomically); returns the Result. Raises CpyError."""
    result = compile_files([files] if isinstance(files, str) else list(files), options, output)
    write_atomically(result.output, result.text, executable=bool(options.shebang))
    return result


def compile_source(text: str, name: str = "site.cpy", options: Options = Options()) -> str:
    """Compile .cpy source held in a string; return the generated module's text.

    Its `use` lines and includes are searched as for a file named `name`.
    """
    return compile_files([name], options, texts={name: text}).text
