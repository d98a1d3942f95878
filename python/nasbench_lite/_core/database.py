"""The read-only database handle every reader goes through.

A database handle is an object (:class:`Database`); nothing is opened at import time and no
connection is shared between handles. Handles open the file read-only, so several processes can
read one file at once, and every statement runs under the handle's lock, so one handle can be
shared by a thread pool (apsw refuses a connection used by two threads at once). ``apsw.Error``
is turned into :class:`~nasbench_lite.errors.DatabaseError` here, once, with ``raise ... from``.
"""

from __future__ import annotations

import itertools
import os
import stat
from _thread import RLock  # what threading.RLock() returns, without importing threading

import apsw

from nasbench_lite._core.integrity import cheap_check, is_sqlite_file
from nasbench_lite._core.schema import Schema, load_schema
from nasbench_lite.errors import (
    CorruptDatabaseError,
    DatabaseError,
    InvalidInputError,
    NasbenchLiteError,
    SchemaVersionError,
)

# Opening a database is on the cold path of a first query (target < 50 ms with the import):
# typing, pathlib (with re and urllib.parse), threading and contextlib are not imported here
# (typing.TYPE_CHECKING without importing typing).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence
    from pathlib import Path
    from types import TracebackType
    from typing import Any

__all__ = [
    "Database",
    "chunked",
    "database_error",
    "open_connection",
    "quote_identifier",
    "read_meta",
]

#: apsw errors that mean the bytes of the file are damaged (or were overwritten in place).
_CORRUPT = (apsw.CorruptError, apsw.NotADBError, apsw.IOError, apsw.FormatError, apsw.RangeError)


def bad_binding(exc: UnicodeEncodeError | OverflowError) -> InvalidInputError:
    """The typed error for a value SQLite cannot bind (lone surrogate, int >= 2**63).

    Args:
        exc: The error apsw raised while binding.

    Returns:
        An :class:`InvalidInputError`.
    """
    if isinstance(exc, UnicodeEncodeError):
        return InvalidInputError(f"a text argument is not valid Unicode ({exc.reason})")
    return InvalidInputError("an integer argument is out of range (|value| >= 2**63)")


def corrupt_text(path: Path) -> CorruptDatabaseError:
    """The typed error for stored text that is not UTF-8 (a damaged page).

    Args:
        path: The database.

    Returns:
        A :class:`CorruptDatabaseError`.
    """
    return CorruptDatabaseError(f"{path}: database is corrupt (stored text is not UTF-8)", path)


def database_error(path: Path, exc: apsw.Error, doing: str = "query failed") -> DatabaseError:
    """The typed error for an ``apsw.Error`` raised on a database.

    Args:
        path: The database.
        exc: The apsw error.
        doing: What failed, for the message.

    Returns:
        :class:`CorruptDatabaseError` for damaged bytes, else :class:`DatabaseError`.
    """
    if isinstance(exc, _CORRUPT):
        return CorruptDatabaseError(
            f"{path}: database is corrupt or was overwritten in place ({exc}); rebuild it, and "
            "replace databases by rename",
            path,
        )
    return DatabaseError(f"{path}: {doing} ({exc})", path)


if TYPE_CHECKING:
    Bindings = tuple[Any, ...] | dict[str, Any]

#: Bytes ``urllib.parse.quote`` leaves as they are (its always-safe set plus the default '/').
_URI_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~/")


def uri_quote(text: str) -> str:
    """``urllib.parse.quote(text)`` (UTF-8, '/' kept), without importing urllib.parse.

    Args:
        text: Any string (a lone surrogate raises ``UnicodeEncodeError``, as in ``quote``).

    Returns:
        The percent-encoded string.
    """
    data = text.encode("utf-8")
    return "".join(chr(b) if b in _URI_SAFE else f"%{b:02X}" for b in data)


def posix_path_text(path: str) -> str:
    """``str(pathlib.PurePosixPath(path))`` without importing pathlib (POSIX rules: repeated
    and trailing slashes and '.' parts dropped, exactly two leading slashes kept).

    Args:
        path: A path string.

    Returns:
        The normalised path text ('.' for an empty path).
    """
    root = ""
    if path.startswith("/"):
        root = "//" if path.startswith("//") and not path.startswith("///") else "/"
    parts = [part for part in path.split("/") if part and part != "."]
    return root + "/".join(parts) or "."


def quote_identifier(name: str) -> str:
    """Quotes an SQL identifier (table/column) for the rare dynamic-identifier case.

    Args:
        name: The identifier.

    Returns:
        ``name`` in double quotes with embedded quotes doubled.
    """
    return '"' + name.replace('"', '""') + '"'


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


def open_connection(path: Path | str, flags: int = 0) -> apsw.Connection:
    """A read-only connection on a database file (no memory map).

    Args:
        path: The file (a ``str`` is resolved by ``os.path.realpath``, as ``Path.resolve``).
        flags: More ``SQLITE_OPEN_*`` flags.

    Returns:
        The ``apsw.Connection``.
    """
    # immutable=1: a built database never changes (rebuilds replace the file by rename, which
    # open handles do not see), so SQLite can skip file locking and change detection on every
    # statement: ~5 us per query saved, several processes still fine. No mmap: a file
    # overwritten or truncated in place (`cp new.sqlite live.sqlite`) would kill every reader
    # with SIGBUS; with plain reads SQLite reports damaged pages as errors instead.
    resolved = os.path.realpath(path) if isinstance(path, str) else str(path.resolve())
    uri = "file:" + uri_quote(resolved) + "?immutable=1"
    return apsw.Connection(uri, flags=apsw.SQLITE_OPEN_READONLY | apsw.SQLITE_OPEN_URI | flags)


def read_meta(path: str | os.PathLike[str]) -> dict[str, str]:
    """The ``meta`` table of a file, or a :class:`DatabaseError` if it has none.

    Args:
        path: Any file.

    Returns:
        ``meta`` as a dict of strings.

    Raises:
        DatabaseError: Missing file, not SQLite, or no ``meta`` table.
    """
    with Database(path) as db:
        return dict(db.meta)


#: Page cache of a :meth:`Database.point_query` connection, KiB: room for the inner pages of
#: the trees a point lookup descends, while leaves read once are recycled.
POINT_CACHE_KIB = 2048

#: What running a statement can raise besides our own errors: SQLite's, a value it cannot bind
#: (lone surrogate, int >= 2**63) and stored text that is not UTF-8.
_STATEMENT_ERRORS = (apsw.Error, UnicodeEncodeError, OverflowError, UnicodeDecodeError)


class Database:
    """A read-only, thread-safe handle on one nasbench_lite SQLite file.

    Args:
        path: The database file.
        kind: Expected ``meta.kind`` of a packaged kind (its schema is ``sql/<kind>.sql``).
        schema: The expected schema (for kinds defined outside the package); overrides ``kind``.
            With neither, any file with a ``meta`` table opens and nothing is checked.

    Raises:
        DatabaseError: Missing file, not SQLite, no ``meta`` table, or another kind.
        SchemaVersionError: The file's schema version differs from the schema's; the message
            names the command that builds a current database.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        kind: str | None = None,
        *,
        schema: Schema | None = None,
    ) -> None:
        # str(Path(path)) kept as text; the Path object is built when someone reads .path.
        self._path: Path | None = None
        if type(path) is str and os.name == "posix":
            text = posix_path_text(path)
        else:
            from pathlib import Path

            self._path = Path(path)
            text = str(self._path)
        self._text = text
        self._closed = False
        self._lock = RLock()
        self._point_connections: list[apsw.Connection] = []
        try:
            info = os.stat(text)
        except PermissionError as exc:
            raise DatabaseError(f"{text}: permission denied", text) from exc
        except (OSError, ValueError) as exc:
            raise DatabaseError(f"{text}: no such database file", text) from exc
        if not stat.S_ISREG(info.st_mode):
            raise DatabaseError(f"{text}: no such database file", text)
        self._identity = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
        if not os.access(text, os.R_OK):
            raise DatabaseError(f"{text}: permission denied (not readable)", text)
        try:
            self.connection = open_connection(text)
        except apsw.Error as exc:
            raise DatabaseError(f"{self.path}: cannot open ({exc})", self.path) from exc
        try:
            # A larger page cache (64 MiB) keeps bulk lookups fast without a memory map.
            self.connection.execute("PRAGMA mmap_size = 0").fetchall()
            self.connection.execute("PRAGMA cache_size = -65536").fetchall()
            rows = self.connection.execute("SELECT key, value FROM meta").fetchall()
        except apsw.Error as exc:
            self.close()
            if isinstance(exc, _CORRUPT) and is_sqlite_file(self.path):
                raise database_error(self.path, exc) from exc
            raise DatabaseError(
                f"{self.path}: not a nasbench_lite database ({exc})", self.path
            ) from exc
        except UnicodeDecodeError as exc:
            self.close()
            raise corrupt_text(self.path) from exc
        self.meta: dict[str, str] = {str(k): str(v) for k, v in rows}
        if self.meta.get("kind"):
            try:
                cheap_check(text, self.connection, self.meta)
            except BaseException:
                self.close()
                raise
        self.kind = self.meta.get("kind", "")
        if schema is None and kind is not None:
            schema = load_schema(kind)
        if schema is not None:
            self._check(schema)

    @property
    def path(self) -> Path:
        """The database file (``Path(path)`` of the path given)."""
        if self._path is None:
            from pathlib import Path

            self._path = Path(self._text)
        return self._path

    def _check(self, schema: Schema) -> None:
        if self.kind != schema.kind:
            self.close()
            raise DatabaseError(
                f"{self.path}: database kind is {self.kind!r}, expected {schema.kind}",
                self.path,
            )
        actual = self.meta.get("schema_version", "")
        if actual != str(schema.version):
            self.close()
            raise SchemaVersionError(
                f"{self.path}: {schema.kind} schema version {actual!r}, this nasbench_lite reads "
                f"version {schema.version}; rebuild it with `{schema.build_command}`",
                self.path,
                schema.version,
                actual,
            )

    def query(self, sql: str, bindings: Bindings = ()) -> list[Any]:
        """Runs one read statement with bound parameters and returns all rows.

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
        except _STATEMENT_ERRORS as exc:
            raise self._typed_error(exc) from exc

    def point_query(self, cache_kib: int = POINT_CACHE_KIB) -> Callable[[str, Bindings], list[Any]]:
        """:meth:`query` for a hot path of point lookups: a connection of its own on the file,
        with a small page cache and one cursor kept for every statement.

        ``connection.execute`` creates a cursor per statement (about a tenth of an indexed
        lookup of one row). Lookups of rows never read before fill this handle's large cache,
        each page read into freshly allocated memory (a page fault per new page); a small cache
        recycles its buffers and still keeps the inner pages of the trees. Calls are serialised
        by this handle's lock, fail with the same typed errors, and use the same plan settings
        (``SQLITE_DBCONFIG_ENABLE_QPSG``) as this handle at the time of the call. The
        connection is closed with this handle. Should the file have been replaced since this
        handle opened it, lookups run on this handle's own connection instead (same answers
        as :meth:`query`, never those of another file).

        Args:
            cache_kib: The page cache of the connection, KiB.

        Returns:
            ``run(sql, bindings)`` returning all rows (not reentrant: never call it from a
            trace hook of one of its statements).

        Raises:
            DatabaseError: The file cannot be opened again.
        """
        try:
            # No SQLite mutex (a lock per API call, ~40 calls per lookup of three rows): every
            # statement on it runs under this handle's lock, and apsw refuses concurrent use.
            connection = open_connection(self._text, apsw.SQLITE_OPEN_NOMUTEX)
        except apsw.Error as exc:
            raise database_error(self.path, exc) from exc
        self._point_connections.append(connection)
        try:
            info = os.stat(self._text)
            same_file = self._identity == (
                info.st_dev,
                info.st_ino,
                info.st_size,
                info.st_mtime_ns,
            )
            if same_file:
                connection.execute("PRAGMA mmap_size = 0").fetchall()
                connection.execute(f"PRAGMA cache_size = -{int(cache_kib)}").fetchall()
                qpsg = apsw.SQLITE_DBCONFIG_ENABLE_QPSG
                connection.config(qpsg, self.connection.config(qpsg, -1))
        except OSError:
            same_file = False
        except apsw.Error as exc:
            raise database_error(self.path, exc) from exc
        if not same_file:
            self._point_connections.remove(connection)
            connection.close()
            connection = self.connection
        cursor = connection.cursor()
        lock = self._lock

        def run(sql: str, bindings: Bindings = ()) -> list[Any]:
            try:
                with lock:
                    return cursor.execute(sql, bindings).fetchall()
            except _STATEMENT_ERRORS as exc:
                raise self._typed_error(exc) from exc

        return run

    def _typed_error(
        self, exc: apsw.Error | UnicodeEncodeError | OverflowError | UnicodeDecodeError
    ) -> NasbenchLiteError:
        """The typed error for one of :data:`_STATEMENT_ERRORS` raised on this database."""
        if isinstance(exc, apsw.Error):
            return database_error(self.path, exc)
        if isinstance(exc, UnicodeDecodeError):
            return corrupt_text(self.path)
        return bad_binding(exc)

    def query_many(self, sql: str, bindings: Iterable[Bindings]) -> list[list[Any]]:
        """Runs one statement once per binding set under a single lock hold.

        Args:
            sql: The statement.
            bindings: One binding tuple/dict per execution.

        Returns:
            One row list per binding set, in order.

        Raises:
            DatabaseError: On any SQLite error.
        """
        try:
            with self._lock:
                execute = self.connection.execute
                return [execute(sql, b).fetchall() for b in bindings]
        except _STATEMENT_ERRORS as exc:
            raise self._typed_error(exc) from exc

    def query_keyed(self, keys: Sequence[Any], sql: str) -> list[Any]:
        """Runs one statement joined against ``temp.keys(pos, key)`` holding ``keys``.

        Batch lookups join the whole batch in one statement instead of one query per key; the
        temporary table is private to this handle, filled and emptied under its lock.

        Args:
            keys: The keys, in the caller's order (``pos`` = position).
            sql: A statement reading ``temp.keys``.

        Returns:
            All rows.

        Raises:
            DatabaseError: On any SQLite error.
        """
        try:
            with self._lock:
                connection = self.connection
                connection.execute(
                    "CREATE TEMP TABLE IF NOT EXISTS keys(pos INTEGER PRIMARY KEY, key)"
                )
                try:
                    with connection:
                        connection.executemany(
                            "INSERT INTO temp.keys VALUES (?, ?)", list(enumerate(keys))
                        )
                    return connection.execute(sql).fetchall()
                finally:
                    connection.execute("DELETE FROM temp.keys")
        except _STATEMENT_ERRORS as exc:
            raise self._typed_error(exc) from exc

    def column_names(self, sql: str, bindings: Bindings = ()) -> list[str]:
        """The result column names of a statement (without fetching its rows).

        Args:
            sql: The statement.
            bindings: The bound values.

        Returns:
            The column names, in order.

        Raises:
            DatabaseError: On any SQLite error.
        """
        return [name for name, _ in self.columns(sql, bindings)]

    def columns(self, sql: str, bindings: Bindings = ()) -> list[tuple[str, str | None]]:
        """The result columns of a statement with their declared types (without its rows).

        Args:
            sql: The statement.
            bindings: The bound values.

        Returns:
            ``(name, declared type)`` per column, in order (type None for an expression).

        Raises:
            DatabaseError: On any SQLite error.
        """
        try:
            with self._lock:
                cursor = self.connection.execute(sql, bindings)
                description: list[tuple[str, str | None]] = [
                    (str(d[0]), d[1]) for d in cursor.getdescription()
                ]
                cursor.close()
                return description
        except _STATEMENT_ERRORS as exc:
            raise self._typed_error(exc) from exc

    def stream(self, sql: str, bindings: Bindings = (), size: int = 65536) -> Iterator[list[Any]]:
        """Streams the rows of one statement in lists of up to ``size`` rows.

        The handle stays locked while the generator is open (other threads wait), so consume
        or close it promptly.

        Args:
            sql: The statement.
            bindings: The bound values.
            size: Rows per list.

        Yields:
            Non-empty row lists, in order.

        Raises:
            DatabaseError: On any SQLite error.
        """
        with self._lock:
            try:
                yield from chunked(self.connection.execute(sql, bindings), size)
            except apsw.Error as exc:
                raise database_error(self.path, exc) from exc
            except UnicodeDecodeError as exc:
                raise corrupt_text(self.path) from exc

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def close(self) -> None:
        """Closes the connection and those of :meth:`point_query` (idempotent)."""
        self._closed = True
        for connection in self._point_connections:
            connection.close()
        try:  # noqa: SIM105 -- contextlib is not imported on the open path
            self.connection.close()
        except AttributeError:  # the constructor failed before connecting
            pass

    def __repr__(self) -> str:
        return f"Database({str(self.path)!r}, kind={self.kind!r})"

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
