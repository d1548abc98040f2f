"""`python -m cherryc`: the same command line as the `cherryc` script."""

from cherryc.compiler.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
