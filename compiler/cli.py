"""The `cherryc` command: compile, check, dump {tokens,ast,py}, serve [--reload]."""

from __future__ import annotations

import argparse
import os
import sys
import traceback

from cherryc import __version__

from . import Options, compile_file, compile_files, load
from .errors import CpyError
from .lexer import tokenize
from .loader import Loader
from .nodes import dump
from .reader import LEVEL

EX_USAGE = 2
EX_SOFTWARE = 70  # internal compiler error (sysexits.h)


def _whitespace(value: str) -> int:
    try:
        unit = int(value)
    except ValueError:
        unit = 0
    if not 1 <= unit <= 20:
        raise argparse.ArgumentTypeError("whiteSpace must be between 1 and 20")
    return unit


def _compile_options() -> argparse.ArgumentParser:
    """The options shared by compile, check, dump and serve."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-D", dest="debug", action="store_true",
                        help="debug build: py-debug and debug() active, tracebacks in error pages")
    common.add_argument("-W", dest="whitespace", type=_whitespace, default=LEVEL, metavar="N",
                        help="the source files are indented N spaces per level (default 4)")
    common.add_argument("-I", dest="include_dirs", action="append", default=[], metavar="DIR",
                        help="search DIR for 'use' modules and 'py-include' templates "
                             "(repeatable; the last given is searched first)")
    common.add_argument("--autoescape", action="store_true",
                        help="HTML-escape py-eval and py-attr values; masks return Markup")
    return common


def _add_files(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="file.cpy",
                        help=".cpy files; the first one names the output")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cherryc",
        description="Compile CherryPy 0.x-style .cpy sites into one Python module served "
                    "on cheroot.")
    parser.add_argument("--version", action="version", version=f"cherryc {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="command", required=True)
    common = _compile_options()
    compile_parser = commands.add_parser(
        "compile", parents=[common], help="compile .cpy files into <name>Server.py",
        description="Compile .cpy files into one module: site.cpy -> siteServer.py.")
    compile_parser.add_argument("-O", dest="output", metavar="out.py",
                                help="write the module here instead of <name>Server.py")
    compile_parser.add_argument("-S", "--shebang", default="", metavar="LINE",
                                help="first line of the module, e.g. '#!/usr/bin/env python3'")
    _add_files(compile_parser)
    check_parser = commands.add_parser(
        "check", parents=[common], help="compile, report errors, write nothing",
        description="Compile and report errors and warnings; write nothing.")
    _add_files(check_parser)
    dump_parser = commands.add_parser(
        "dump", parents=[common], help="show one stage of the compiler: tokens, ast or py",
        description="Print the output of one compiler stage; write nothing.")
    dump_parser.add_argument("stage", choices=("tokens", "ast", "py"))
    _add_files(dump_parser)
    serve_parser = commands.add_parser(
        "serve", parents=[common], help="compile and run the site (--reload: restart on changes)",
        description="Compile the site, then run the generated server.")
    serve_parser.add_argument("-C", dest="config", metavar="file.cfg",
                              help="the configuration file (default: <name>Server.cfg)")
    serve_parser.add_argument("--reload", action="store_true",
                              help="recompile and restart when a .cpy file or template changes")
    _add_files(serve_parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    options = Options(
        debug=args.debug, whitespace=args.whitespace, include_dirs=tuple(args.include_dirs),
        autoescape=args.autoescape, shebang=getattr(args, "shebang", ""),
    )
    try:
        return _run(args, options)
    except CpyError as exc:
        print(exc, file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"cherryc: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "),
              file=sys.stderr)
        return 1
    except Exception:  # a bug in cherryc, never a mistake of the user
        traceback.print_exc()
        print("cherryc: internal error: this is a bug in cherryc; please report it with the "
              "traceback above and the .cpy files", file=sys.stderr)
        return EX_SOFTWARE


def _run(args: argparse.Namespace, options: Options) -> int:
    if args.command == "compile":
        result = compile_file(args.files, options, args.output)
    elif args.command == "serve":
        from .serve import serve

        return serve(args.files, options, args.config, args.reload)
    elif args.command == "check":
        result = compile_files(args.files, options)
    elif args.stage == "py":
        result = compile_files(args.files, options)
        sys.stdout.write(result.text)
    elif args.stage == "ast":
        program, loader = load(args.files, options)
        print(dump(program))
        _print_warnings(loader.warnings)
        return 0
    else:
        _dump_tokens(args.files, options)
        return 0
    _print_warnings(result.warnings)
    return 0


def _print_warnings(warnings: list) -> None:
    for warning in warnings:
        print(warning, file=sys.stderr)


def _dump_tokens(files: list[str], options: Options) -> None:
    """Line tokens of each file of the program, then the tokens of each of its masks."""
    loader = Loader(options, mask_tokens=[])
    program = loader.load_program(files)
    for module in program.modules:
        print(f"==== {module.file}")
        for token in tokenize(loader.read(module.path, strip=True)):
            print(token)
        for file, label, tokens in loader.mask_tokens or ():
            if file == module.file:
                print(f"---- mask {label}")
                for token in tokens:
                    print(f"  {token}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
