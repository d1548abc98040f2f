"""One database connection per thread and process, for the backends.

A thread gets its connection on first use and keeps it. A process made by `fork` gets
new ones: the parent's are never used, closed or garbage-collected in the child (closing
an inherited SQLite handle can drop the child's own file locks; an inherited PostgreSQL
socket belongs to the parent's session). Connections of threads that have ended are
closed when the next one is made, so a growing and shrinking thread pool leaks nothing.
"""

from __future__ import annotations

import os
import threading
import weakref
from typing import Any, Callable


class ThreadConnections:
    """The connections of one backend: `get()` this thread's, `close()` this process's."""

    def __init__(self, connect: Callable[[], Any], broken: Callable[[Any], bool] = lambda c: False) -> None:
        self._connect = connect
        self._broken = broken
        self._local = threading.local()
        self._lock = threading.Lock()
        self._generation = 0  # bumped by close(): every thread then reconnects
        self._open: list[tuple[int, weakref.ref[threading.Thread], Any]] = []
        self._inherited: list[Any] = []  # a parent process's, kept alive and left alone

    def existing(self) -> Any | None:
        """This thread's usable connection, or None."""
        local = self._local
        connection = getattr(local, "connection", None)
        if connection is not None and local.key == (os.getpid(), self._generation) \
                and not self._broken(connection):
            return connection
        return None

    def get(self) -> Any:
        """This thread's connection, made now if it has none (or a broken one)."""
        connection = self.existing()
        if connection is None:
            connection = self._connect()
            self._local.connection = connection
            self._local.key = (os.getpid(), self._generation)
            self._track(connection)
        return connection

    def close(self) -> None:
        """Close this process's connections; threads reconnect on their next call."""
        with self._lock:
            self._generation += 1
            mine = self._sort_out(keep=lambda thread: False)
        for connection in mine:
            connection.close()

    def _track(self, connection: Any) -> None:
        with self._lock:
            ended = self._sort_out(keep=lambda thread: thread is not None and thread.is_alive())
            self._open.append((os.getpid(), weakref.ref(threading.current_thread()), connection))
        for old in ended:
            old.close()

    def _sort_out(self, keep: Callable[[threading.Thread | None], bool]) -> list[Any]:
        """Keep this process's entries that `keep` accepts; set aside inherited ones; return
        this process's other connections (to close). Called with the lock held."""
        pid, kept, dropped = os.getpid(), [], []
        for owner, thread, connection in self._open:
            if owner != pid:
                self._inherited.append(connection)
            elif keep(thread()):
                kept.append((owner, thread, connection))
            else:
                dropped.append(connection)
        self._open = kept
        return dropped
