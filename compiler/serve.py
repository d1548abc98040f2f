"""`cherryc serve`: compile and run a site; with --reload, recompile and restart on changes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from . import Options, Result, compile_file
from .errors import CpyError

POLL_SECONDS = 0.5
STOP_SECONDS = 15


def _snapshot(paths: tuple[str, ...]) -> dict[str, float]:
    stamps = {}
    for path in paths:
        try:
            stamps[path] = os.stat(path).st_mtime
        except OSError:
            stamps[path] = -1.0
    return stamps


def _command(result: Result, config: str | None) -> list[str]:
    return [sys.executable, result.output] + (["-C", config] if config else [])


def _stop(child: subprocess.Popen) -> None:
    """Stop a server the way a service manager does: SIGTERM, then SIGKILL."""
    if child.poll() is not None:
        return
    child.send_signal(signal.SIGTERM)
    try:
        child.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def _print(result: Result) -> None:
    for warning in result.warnings:
        print(warning, file=sys.stderr)


def serve(files: list[str], options: Options, config: str | None, reload: bool) -> int:
    """Compile `files` and run the server; return its exit status."""
    try:
        result = compile_file(files, options)
    except CpyError as exc:
        print(exc, file=sys.stderr)
        return 1
    _print(result)
    if not reload:
        sys.stdout.flush()
        os.execv(sys.executable, _command(result, config))
    return _watch(files, options, config, result)


def _start(result: Result, config: str | None) -> subprocess.Popen:
    """Start the server; a stop signal waits until the child is known (and so stoppable)."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    try:
        return subprocess.Popen(_command(result, config))
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})


def _watch(files: list[str], options: Options, config: str | None, result: Result) -> int:
    """Run the server; when a source changes, recompile and restart it.

    A compile error is printed and the last good server keeps running; a server that
    exits on its own is reported, and started again at the next change.
    """
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))  # stop the server too
    child = _start(result, config)
    stamps = _snapshot(result.sources)
    reported = False
    print(f"cherryc: watching {len(stamps)} files; the server restarts when one changes",
          file=sys.stderr)
    try:
        while True:
            time.sleep(POLL_SECONDS)
            if child.poll() is not None and not reported:
                reported = True
                print(f"cherryc: the server exited with status {child.returncode}; save a "
                      "source file to start it again", file=sys.stderr)
            current = _snapshot(tuple(stamps))
            if current == stamps:
                continue
            stamps = current
            try:
                result = compile_file(files, options)
            except CpyError as exc:
                print(exc, file=sys.stderr)
                if child.poll() is None:
                    print("cherryc: the previous server keeps running", file=sys.stderr)
                continue
            _print(result)
            stamps = _snapshot(result.sources)
            print("cherryc: sources changed; restarting the server", file=sys.stderr)
            _stop(child)
            child = _start(result, config)
            reported = False
    except KeyboardInterrupt:
        return 0
    finally:
        _stop(child)
