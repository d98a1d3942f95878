"""Database integrity: the content checksum, the cheap check on open and the full check.

* Builders store ``meta.content_sha256``: a SHA-256 over every row of every data table (all
  tables but ``meta`` and SQLite's own), in primary-key order, each value encoded with its type.
* :func:`cheap_check` runs on every open and costs no table scan: the 100-byte header (magic,
  page size, page count against the file size), the schema and the ``meta`` rows readable, and
  ``meta.rows.<table>`` against the row counts ANALYZE recorded in ``sqlite_stat1``.
* :func:`verify_database` (``nasbench-lite verify DB``) reads everything: ``PRAGMA
  integrity_check``, every table's declaration against its kind's schema file, every table's
  row count against ``meta`` and the content checksum.

A failure is a :class:`~nasbench_lite.errors.CorruptDatabaseError`. Only the full check can see
a flipped byte inside a stored value; everything structural is seen on open or on the query
that touches the page.
"""

from __future__ import annotations

import errno
import os
import struct

import apsw

from nasbench_lite.errors import BuildError, CorruptDatabaseError

# cheap_check runs on every open (the cold path of a first query): hashlib, shutil, pathlib
# and typing are imported where needed (typing.TYPE_CHECKING without importing typing).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

__all__ = [
    "SQLITE_MAGIC",
    "cheap_check",
    "content_checksum",
    "data_tables",
    "disk_full_error",
    "is_sqlite_file",
    "verify_database",
]

SQLITE_MAGIC = b"SQLite format 3\x00"


def is_sqlite_file(path: str | os.PathLike[str]) -> bool:
    """Whether a file starts with the SQLite magic string.

    Args:
        path: Any path.

    Returns:
        True for a readable file whose first 16 bytes are SQLite's magic.
    """
    try:
        with open(path, "rb") as handle:
            return handle.read(16) == SQLITE_MAGIC
    except OSError:
        return False


def data_tables(connection: Any) -> list[str]:
    """The data tables of a nasbench_lite database (every table but ``meta`` and SQLite's).

    Args:
        connection: An ``apsw.Connection``.

    Returns:
        Table names, sorted.
    """
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name != 'meta' ORDER BY name"
    ).fetchall()
    return [str(r[0]) for r in rows]


def _order_by(connection: Any, table: str) -> str:
    quoted = '"' + table.replace('"', '""') + '"'
    info = connection.execute(f"PRAGMA table_info({quoted})").fetchall()
    keys = sorted((int(r[5]), str(r[1])) for r in info if int(r[5]) > 0)
    if not keys:
        return "rowid"
    return ", ".join('"' + name.replace('"', '""') + '"' for _, name in keys)


def _encode(value: Any) -> bytes:
    if value is None:
        return b"n"
    if isinstance(value, bool | int):
        text = str(int(value)).encode()
        return b"i" + struct.pack("<I", len(text)) + text
    if isinstance(value, float):
        return b"f" + struct.pack("<d", value)
    if isinstance(value, str):
        data = value.encode("utf-8", "surrogatepass")
        return b"s" + struct.pack("<Q", len(data)) + data
    data = bytes(value)
    return b"b" + struct.pack("<Q", len(data)) + data


def content_checksum(connection: Any) -> str:
    """SHA-256 of every row of every data table, in primary-key order.

    Each value is encoded with its type (:func:`_encode`, the definition), each row ends with
    a newline. The encoding and hashing run natively (``_native.ContentDigest`` iterates each
    table's cursor itself: no Python code per value; the same bytes as :func:`_encode`).

    Args:
        connection: An ``apsw.Connection`` on the database.

    Returns:
        The hex digest.
    """
    from nasbench_lite._native import ContentDigest

    digest = ContentDigest()
    for table in data_tables(connection):
        quoted = '"' + table.replace('"', '""') + '"'
        digest.table(table)
        order = _order_by(connection, table)
        digest.rows(connection.execute(f"SELECT * FROM {quoted} ORDER BY {order}"))
    return digest.hexdigest()


def _header(path: Path | str) -> tuple[int, int]:
    """Page size and in-header page count, or CorruptDatabaseError."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise CorruptDatabaseError(f"{path}: cannot read ({exc.strerror})", path) from exc
    if len(header) < 100 or header[:16] != SQLITE_MAGIC:
        raise CorruptDatabaseError(f"{path}: no SQLite header", path)
    raw = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if raw == 1 else raw
    if page_size < 512 or page_size & (page_size - 1):
        raise CorruptDatabaseError(f"{path}: invalid page size {page_size} in the header", path)
    pages = struct.unpack(">I", header[28:32])[0]
    change = struct.unpack(">I", header[24:28])[0]
    valid_for = struct.unpack(">I", header[92:96])[0]
    return page_size, pages if change == valid_for else 0


def _check_size(path: Path | str) -> None:
    """The header is sane and the file size matches the page count it records."""
    page_size, pages = _header(path)
    size = os.stat(path).st_size
    if pages and size != pages * page_size:
        raise CorruptDatabaseError(
            f"{path}: file is {size} bytes, its header says {pages} pages of {page_size}", path
        )
    if size % page_size:
        raise CorruptDatabaseError(f"{path}: size {size} is not a multiple of pages", path)


def cheap_check(path: Path | str, connection: Any, meta: dict[str, str]) -> None:
    """The check every open runs (no table scan).

    Args:
        path: The database file.
        connection: Its open ``apsw.Connection``.
        meta: Its ``meta`` rows.

    Raises:
        CorruptDatabaseError: Header, size, schema or stored row counts inconsistent.
    """
    _check_size(path)
    try:
        tables = set(data_tables(connection))
        stats = connection.execute(
            "SELECT tbl, stat FROM sqlite_stat1 WHERE idx IS NULL OR idx = tbl"
        ).fetchall()
    except apsw.SQLError:
        return  # built without ANALYZE (a test or toy database): nothing more to compare
    except apsw.Error as exc:
        raise CorruptDatabaseError(f"{path}: schema unreadable ({exc})", path) from exc
    for key in meta:
        if key.startswith("rows.") and key[5:] not in tables:
            raise CorruptDatabaseError(f"{path}: table {key[5:]!r} is missing", path)
    counted = {str(t): str(s).split(" ")[0] for t, s in stats}
    for table, stat in counted.items():
        stored = meta.get(f"rows.{table}")
        if stored is not None and stat != stored and stat.isdigit() and int(stat) > 0:
            raise CorruptDatabaseError(
                f"{path}: {table} has {stat} rows by its statistics, meta says {stored}", path
            )


def _declared(connection: Any, table: str) -> tuple[Any, ...]:
    """What answers depend on in a table's declaration: its columns and storage options."""
    quoted = '"' + table.replace('"', '""') + '"'
    columns = connection.execute(f"PRAGMA table_xinfo({quoted})").fetchall()
    options = connection.execute(f"PRAGMA table_list({quoted})").fetchall()
    return tuple(map(tuple, columns)), tuple(tuple(r[2:]) for r in options)


def _check_declarations(target: Path, connection: Any, kind: str) -> None:
    """Every table is declared as its kind's schema file (plus the data dictionary) says.

    The stored ``CREATE TABLE`` text is outside the rows the checksum covers: a flipped byte
    there renames a column or changes a declared type without touching a row, and readers
    then answer under the wrong name. The columns (name, declared type, NOT NULL, default,
    key) and storage options (WITHOUT ROWID, STRICT) are compared, not the text, so comments
    edited in a schema file do not fail databases built before.
    A kind without a packaged schema file (defined outside the package) is not compared.
    """
    from nasbench_lite._core.dictionary import DICTIONARY_DDL
    from nasbench_lite._core.schema import load_schema
    from nasbench_lite.errors import InternalError

    if not (kind.isascii() and kind.isidentifier()):
        return  # not a packaged kind's name (and never a path to read)
    try:
        schema = load_schema(kind)
    except InternalError:
        return
    reference = apsw.Connection(":memory:")
    try:
        reference.execute(schema.sql)
        reference.execute(DICTIONARY_DDL)
        tables = [*data_tables(reference), "meta"]
        expected = {table: _declared(reference, table) for table in tables}
    finally:
        reference.close()
    actual = {*data_tables(connection), "meta"}
    for table in sorted(actual ^ set(expected)):
        state = "is not a table of" if table in actual else "is missing, a table of"
        raise CorruptDatabaseError(f"{target}: {table} {state} the {kind} schema", target)
    for table in sorted(expected):
        if _declared(connection, table) != expected[table]:
            raise CorruptDatabaseError(
                f"{target}: table {table} is declared otherwise than in the {kind} schema "
                "(damaged CREATE TABLE text: a renamed column or a changed type)",
                target,
            )


def verify_database(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The full check: SQLite's integrity check, table declarations, row counts, checksum.

    Args:
        path: The database file.

    Returns:
        ``{'path', 'kind', 'tables': {name: rows}, 'content_sha256', 'checksum_stored'}``.

    Raises:
        CorruptDatabaseError: Any inconsistency.
    """
    from pathlib import Path

    from nasbench_lite._core.database import open_connection

    target = Path(path)
    _check_size(target)
    connection = open_connection(target)
    try:
        try:
            problems = [str(r[0]) for r in connection.execute("PRAGMA integrity_check(20)")]
            if problems != ["ok"]:
                raise CorruptDatabaseError(f"{target}: {'; '.join(problems)[:300]}", target)
            meta = {str(k): str(v) for k, v in connection.execute("SELECT key, value FROM meta")}
            _check_declarations(target, connection, meta.get("kind", ""))
            tables: dict[str, int] = {}
            for table in data_tables(connection):
                quoted = '"' + table.replace('"', '""') + '"'
                count: Any = connection.execute(f"SELECT count(*) FROM {quoted}").fetchall()
                tables[table] = int(count[0][0])
                stored = meta.get(f"rows.{table}")
                if stored is not None and stored != str(tables[table]):
                    raise CorruptDatabaseError(
                        f"{target}: {table} has {tables[table]} rows, meta says {stored}", target
                    )
            checksum = content_checksum(connection)
        except (apsw.Error, UnicodeDecodeError) as exc:
            raise CorruptDatabaseError(f"{target}: {exc}", target) from exc
    finally:
        connection.close()
    stored_sum = meta.get("content_sha256")
    if stored_sum is not None and stored_sum != checksum:
        raise CorruptDatabaseError(f"{target}: content checksum mismatch (rows altered)", target)
    return {
        "path": str(target),
        "kind": meta.get("kind", ""),
        "tables": tables,
        "content_sha256": checksum,
        "checksum_stored": stored_sum is not None,
    }


def disk_full_error(exc: BaseException, path: Path) -> BuildError | None:
    """A :class:`BuildError` naming the path and the free space, if ``exc`` means a full disk.

    Args:
        exc: Any exception raised while writing.
        path: The output path.

    Returns:
        The typed error, or None when ``exc`` is something else.
    """
    full = isinstance(exc, apsw.FullError) or (
        isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)
    )
    if not full:
        return None
    import shutil
    from pathlib import Path

    directory = path.parent if str(path.parent) else Path(".")
    try:
        free = f"{shutil.disk_usage(directory).free / 1e6:.1f} MB free"
    except OSError:
        free = "free space unknown"
    return BuildError(f"{path}: disk full while writing ({free} in {directory})", path)
