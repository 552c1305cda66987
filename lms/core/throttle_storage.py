"""A `limits` storage in an SQLite file, so that the workers of one machine share their counts without Redis.

Registered under the scheme `sqlite`: `sqlite:////absolute/path/rate-limits.sqlite3` (four slashes for an
absolute path, as in SQLAlchemy). It serves the moving window strategy (lms.core.throttle) and fixed windows.
A file of its own, not the app's database: a count written by a refused sign-in must survive the request's
rollback, and PostgreSQL deployments have no SQLite database to share.
"""
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from limits.storage import MovingWindowSupport, Storage

_SCHEMA = """
CREATE TABLE IF NOT EXISTS window_entries (key TEXT NOT NULL, at REAL NOT NULL, expires_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS ix_window_entries_key_at ON window_entries (key, at);
CREATE INDEX IF NOT EXISTS ix_window_entries_expires_at ON window_entries (expires_at);
CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires_at REAL NOT NULL);
"""
# Entries of keys nobody asks for again are swept every this many acquisitions of a process.
_SWEEP_EVERY = 200


def _set_up(connection: sqlite3.Connection, attempts: int = 100) -> None:
    """WAL and the tables. Two workers opening a new file at once: switching it to WAL answers "database is
    locked" at once, without waiting out the busy timeout, so the loser tries again."""
    for attempt in range(attempts):
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.executescript(_SCHEMA)
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == attempts - 1:
                raise
            time.sleep(0.02)


class SQLiteStorage(Storage, MovingWindowSupport):
    STORAGE_SCHEME = ["sqlite"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        path = (uri or "").removeprefix("sqlite:///")
        if not path or path == uri:
            raise ValueError(f"Expected sqlite:///path, not {uri!r}")
        self.path = path
        self.clock: Callable[[], float] = time.time  # tests move it forward instead of sleeping
        self._local = threading.local()
        self._acquisitions = 0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        """One connection per thread and process: a connection must not cross a fork (gunicorn --preload)."""
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            _set_up(connection)
            local.connection, local.pid = connection, os.getpid()
        return local.connection

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that holds the file's write lock from its first read: checks and counts are one
        step, so two workers never both take the last place."""
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None and self._local.pid == os.getpid():
            connection.close()
        self._local = threading.local()

    # ------------------------------------------------------------ moving window

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if amount > limit:
            return False
        now = self.clock()
        with self._write() as db:
            # An entry counts for `expiry` seconds, so that Retry-After (its time + expiry - now) is exact.
            db.execute("DELETE FROM window_entries WHERE key = ? AND at <= ?", (key, now - expiry))
            (count,) = db.execute("SELECT count(*) FROM window_entries WHERE key = ?", (key,)).fetchone()
            if count + amount > limit:
                return False
            db.executemany("INSERT INTO window_entries (key, at, expires_at) VALUES (?, ?, ?)",
                           [(key, now, now + expiry)] * amount)
            self._acquisitions += 1
            if self._acquisitions % _SWEEP_EVERY == 0:
                db.execute("DELETE FROM window_entries WHERE expires_at <= ?", (now,))
        return True

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        now = self.clock()
        oldest, count = self._connection().execute(
            "SELECT min(at), count(*) FROM window_entries WHERE key = ? AND at > ?", (key, now - expiry)).fetchone()
        return (oldest, count) if count else (now, 0)

    # ------------------------------------------------------------ fixed window (the base class asks for it)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = self.clock()
        with self._write() as db:
            db.execute("DELETE FROM counters WHERE key = ? AND expires_at <= ?", (key, now))
            db.execute("INSERT INTO counters (key, value, expires_at) VALUES (?, ?, ?) "
                       "ON CONFLICT (key) DO UPDATE SET value = value + excluded.value", (key, amount, now + expiry))
            return db.execute("SELECT value FROM counters WHERE key = ?", (key,)).fetchone()[0]

    def get(self, key: str) -> int:
        row = self._connection().execute("SELECT value FROM counters WHERE key = ? AND expires_at > ?",
                                         (key, self.clock())).fetchone()
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        now = self.clock()
        row = self._connection().execute("SELECT expires_at FROM counters WHERE key = ? AND expires_at > ?",
                                         (key, now)).fetchone()
        return row[0] if row else now

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        with self._write() as db:
            removed = db.execute("DELETE FROM window_entries").rowcount + db.execute("DELETE FROM counters").rowcount
        return removed

    def clear(self, key: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM window_entries WHERE key = ?", (key,))
            db.execute("DELETE FROM counters WHERE key = ?", (key,))
