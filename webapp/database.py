"""Read-only access to the built catalog: one SQLite connection per thread.

sqlite3 connections are cheap to keep and expensive to open per request, and
they must not be shared across threads while a query runs, so each worker
thread keeps its own. The build replaces the file atomically (``os.replace``);
an open connection would keep reading the old inode forever, so every request
checks the file's identity and reopens when it changed. Caches of derived data
(taxonomy, vocabularies, charts) are keyed by the same identity.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

T = TypeVar("T")


class DatabaseMissing(RuntimeError):
    """The catalog file does not exist (run ``clatlas build``)."""


def connect_readonly(path: Path) -> sqlite3.Connection:
    """Open ``path`` read-only through a ``file:...?mode=ro`` URI (no write can ever happen)."""
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    con = sqlite3.connect(uri, uri=True, check_same_thread=False)
    con.row_factory = sqlite3.Row
    con.execute("PRAGMA query_only = ON")
    con.execute("PRAGMA cache_size = -16000")  # 16 MiB page cache per connection
    con.execute("PRAGMA temp_store = MEMORY")
    return con


class Database:
    """Per-thread read-only connections to one catalog file, plus per-generation caches."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._cache: dict[str, Any] = {}
        self._cache_gen: tuple[int, int, int] | None = None

    def generation(self) -> tuple[int, int, int]:
        """Identity of the file now on disk: changes when the build replaces it."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError as exc:
            raise DatabaseMissing(f"catalog database {self.path} not found; run 'clatlas build'") from exc
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def connection(self) -> sqlite3.Connection:
        """This thread's connection, reopened when the file was rebuilt."""
        gen = self.generation()
        local = self._local
        con: sqlite3.Connection | None = getattr(local, "con", None)
        if con is None or local.gen != gen:
            if con is not None:
                con.close()
            con = connect_readonly(self.path)
            local.con, local.gen = con, gen
        return con

    def cached(self, name: str, compute: Callable[[sqlite3.Connection], T]) -> T:
        """``compute(con)`` once per database generation (the data cannot change in between)."""
        gen = self.generation()
        with self._lock:
            if self._cache_gen != gen:
                self._cache, self._cache_gen = {}, gen
            if name in self._cache:
                return self._cache[name]
        value = compute(self.connection())
        with self._lock:
            if self._cache_gen == gen:
                self._cache[name] = value
        return value
