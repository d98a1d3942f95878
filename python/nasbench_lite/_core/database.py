"""SQLite plumbing shared by every benchmark: read-only opens, schema checks, atomic builds.

A database handle is an object (:class:`Database`); nothing is opened at import time and no
connection is shared between handles. Query handles open the file read-only, so several
processes can read one file at once. Builds write a temporary file beside the output, fsync it
and rename it into place (:func:`atomic_output`), so a failed or interrupted build never leaves
a partial database at the output path.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import itertools
import os
import tempfile
import threading
import urllib.parse
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import apsw

from nasbench_lite import _native
from nasbench_lite.errors import (
    BuildError,
    DatabaseError,
    OutputExistsError,
    SchemaVersionError,
)

__all__ = [
    "SCHEMA_VERSIONS",
    "Database",
    "atomic_output",
    "chunked",
    "fast_bulk_load",
    "load_schema",
    "quote_identifier",
    "utc_now",
]

#: Schema version written into ``meta`` for each database kind (bump on any schema change).
SCHEMA_VERSIONS: dict[str, int] = {
    "nb101_space": 2,
    "nb101": 1,
    "nar": 1,
    "nashpobench2": 1,
    "nats_space": 1,
    "nats": 2,
}


def quote_identifier(name: str) -> str:
    """Quotes an SQL identifier (table/column) for the rare dynamic-identifier case.

    Args:
        name: The identifier.

    Returns:
        ``name`` in double quotes with embedded quotes doubled.
    """
    return '"' + name.replace('"', '""') + '"'


def load_schema(kind: str) -> str:
    """The schema script ``sql/<kind>.sql`` (embedded in the native module at build time).

    Args:
        kind: Database kind, e.g. ``'nb101_space'``.

    Returns:
        The SQL text.
    """
    return str(_native.sql_schema(kind))


def fast_bulk_load(connection: Any, schema: str = "main") -> None:
    """Turns off journaling and syncs on a file that stays private until its atomic rename.

    Each PRAGMA runs as its own statement and its result row is consumed: with apsw a
    multi-statement string stops at the first statement that returns a row.

    Args:
        connection: An ``apsw.Connection``.
        schema: The attached database name.
    """
    # 16 KiB pages: fewer, fuller B-tree pages for the wide blob rows (measured: the 108-epoch
    # NB101 database shrinks by ~8% against 4 KiB pages). Must precede the first table.
    for pragma in ("page_size = 16384", "journal_mode = OFF", "synchronous = OFF"):
        connection.execute(f"PRAGMA {quote_identifier(schema)}.{pragma}").fetchall()


def chunked(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Lists of up to ``size`` consecutive items (streams a cursor in bounded batches).

    Args:
        rows: Any iterable, e.g. an ``apsw`` cursor.
        size: Items per list (> 0).

    Yields:
        Non-empty lists, in order.
    """
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def utc_now() -> str:
    """Current UTC time as ISO-8601 with a ``Z`` suffix (for ``meta.created_at``)."""
    return (
        _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    )


class Database:
    """A read-only handle on one nasbench_lite SQLite file.

    Args:
        path: The database file.
        kind: Expected ``meta.kind`` (e.g. ``'nb101_space'``), or None to accept any known kind.

    Raises:
        DatabaseError: Missing file, not SQLite, no ``meta`` table, or another kind.
        SchemaVersionError: The file's schema version differs from the one this package reads.
    """

    def __init__(self, path: str | os.PathLike[str], kind: str | None = None) -> None:
        self.path = Path(path)
        # apsw refuses a connection used by two threads at once ("busy in another thread"):
        # query() serialises them, so one handle can be shared by a thread pool.
        self._lock = threading.Lock()
        if not self.path.is_file():
            raise DatabaseError(f"{self.path}: no such database file", self.path)
        try:
            # immutable=1: a built database never changes (rebuilds replace the file by rename,
            # which open handles do not see), so SQLite can skip file locking and change
            # detection on every statement: ~5 us per query saved, several processes still fine.
            uri = "file:" + urllib.parse.quote(str(self.path.resolve())) + "?immutable=1"
            self.connection = apsw.Connection(
                uri, flags=apsw.SQLITE_OPEN_READONLY | apsw.SQLITE_OPEN_URI
            )
            # Memory-map the (read-only, immutable) file and keep a larger page cache: bulk
            # lookups on the 450 MB NB101 database ran ~2.5x faster in the benchmark.
            self.connection.execute("PRAGMA mmap_size = 1073741824").fetchall()
            self.connection.execute("PRAGMA cache_size = -65536").fetchall()
            rows = self.connection.execute("SELECT key, value FROM meta").fetchall()
        except apsw.Error as exc:
            with contextlib.suppress(Exception):
                self.connection.close()
            raise DatabaseError(
                f"{self.path}: not a nasbench_lite database ({exc})", self.path
            ) from exc
        self.meta: dict[str, str] = {str(k): str(v) for k, v in rows}
        self.kind = self.meta.get("kind", "")
        if self.kind not in SCHEMA_VERSIONS or (kind is not None and self.kind != kind):
            self.close()
            wanted = kind or " or ".join(SCHEMA_VERSIONS)
            raise DatabaseError(
                f"{self.path}: database kind is {self.kind!r}, expected {wanted}", self.path
            )
        expected = SCHEMA_VERSIONS[self.kind]
        actual = self.meta.get("schema_version", "")
        if actual != str(expected):
            self.close()
            raise SchemaVersionError(
                f"{self.path}: schema version {actual!r}, this nasbench_lite reads version "
                f"{expected}; rebuild the database with this version",
                self.path,
                expected,
                actual,
            )

    def query(self, sql: str, bindings: tuple[Any, ...] | dict[str, Any] = ()) -> list[Any]:
        """Runs one read query with bound parameters and returns all rows.

        Args:
            sql: The statement (values only through ``?`` / ``:name`` bindings).
            bindings: The bound values.

        Returns:
            The rows as tuples.

        Raises:
            DatabaseError: On any SQLite error (corrupt file, closed handle...).

        Thread-safe: concurrent calls on one handle run one after the other.
        """
        try:
            with self._lock:
                return self.connection.execute(sql, bindings).fetchall()
        except apsw.Error as exc:
            raise DatabaseError(f"{self.path}: query failed ({exc})", self.path) from exc

    def close(self) -> None:
        """Closes the connection (idempotent)."""
        self.connection.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _fsync_directory(directory: Path) -> None:
    """Makes a rename durable (no-op where directories cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str], *, force: bool = False) -> Iterator[Path]:
    """Yields a temporary path beside ``path``; on success fsyncs it and renames it to ``path``.

    On any exception (including KeyboardInterrupt) the temporary file is removed and ``path``
    is left exactly as it was.

    Args:
        path: The final output path.
        force: Replace an existing file at ``path``.

    Yields:
        The temporary path to write.

    Raises:
        OutputExistsError: ``path`` exists and ``force`` is False.
        BuildError: The output directory does not exist or is not writable.
    """
    target = Path(path)
    if target.exists() and not force:
        raise OutputExistsError(f"{target}: already exists (use --force to replace it)", target)
    if target.is_dir():
        raise BuildError(f"{target}: is a directory", target)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise BuildError(f"{directory}: output directory does not exist", target)
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise BuildError(f"{target}: cannot create a file in {directory} ({exc})", target) from exc
    os.close(fd)
    temp = Path(temp_name)
    # mkstemp creates 0600; give the result the permissions a plain open() would.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temp, 0o666 & ~umask)
    try:
        yield temp
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, target)
        _fsync_directory(directory)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        for sidecar in ("-journal", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(str(temp) + sidecar).unlink()
        raise
