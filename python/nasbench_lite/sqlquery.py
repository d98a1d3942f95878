"""Plain SQL across databases: ``nasbench_lite.sql(query, *paths)`` and ``nasbench-lite sql``.

Each database is attached read-only under its kind's schema name (``nb101``, ``nb101_space``,
``nats``, ``nats_space``, ``nashpobench2``, ``nar``), so one statement can join benchmarks::

    SELECT n.arch_str, n.accuracy, s.cifar100_flops, s.class_index
      FROM nats.final_accuracy n JOIN nats_space.topologies s USING (arch_index)
     WHERE n.dataset = 'cifar100' AND n.eval_set = 'x-test' AND n.hp = '200';

A second database of a kind already attached is named ``<kind>_<space>`` when its ``meta``
has a ``space`` (``nats_tss``, ``nats_sss``), else ``<kind>_2``, ``<kind>_3``...; a
``NAME=PATH`` argument picks the name. Every column's unit and split is in each database's
``data_dictionary`` (e.g. ``SELECT * FROM nats.data_dictionary``).

NAS-Bench-101 and NAS-HPO-Bench-II metrics are plain columns (e.g. ``nb101.runs``,
``nb101.cell_means``, ``nashpobench2.epochs``): no decoding function is needed, so every
statement also runs unchanged in the sqlite3 shell.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import apsw
import apsw.ext

from nasbench_lite._core.arguments import check_public
from nasbench_lite._core.database import quote_identifier, read_meta
from nasbench_lite._optional import import_pyarrow
from nasbench_lite.errors import DatabaseError, InvalidInputError

__all__ = ["attach_names", "run_sql", "sql"]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: SQLite's default limit of attached databases.
MAX_DATABASES = 10


def attach_names(paths: Sequence[str | os.PathLike[str]]) -> list[tuple[str, Path]]:
    """The schema name each database is attached under.

    Args:
        paths: Database paths, each optionally prefixed ``NAME=``.

    Returns:
        ``(schema name, path)`` pairs, in order.

    Raises:
        InvalidInputError: Too many databases, a bad or duplicate name.
        NotADatabaseError, DatabaseError: A path that is not a nasbench_lite database.
    """
    if len(paths) > MAX_DATABASES:
        raise InvalidInputError(f"at most {MAX_DATABASES} databases per statement")
    names: list[tuple[str, Path]] = []
    taken = {"main", "temp"}
    for given in paths:
        text = os.fspath(given)
        name, sep, rest = text.partition("=")
        explicit = bool(sep) and _NAME.match(name) is not None and not Path(text).exists()
        path = Path(rest if explicit else text)
        meta = read_meta(path)
        if explicit:
            chosen = name
        else:
            kind = meta.get("kind", "")
            candidates = [kind, f"{kind}_{meta['space']}" if meta.get("space") else ""]
            candidates += [f"{kind}_{i}" for i in range(2, MAX_DATABASES + 2)]
            chosen = next(c for c in candidates if c and c not in taken)
        if chosen in taken or not _NAME.match(chosen):
            raise InvalidInputError(f"schema name {chosen!r} is reserved, invalid or used twice")
        taken.add(chosen)
        names.append((chosen, path))
    return names


_ALLOWED = frozenset(
    getattr(apsw, name)
    for name in ("SQLITE_SELECT", "SQLITE_READ", "SQLITE_FUNCTION", "SQLITE_RECURSIVE")
)


def _read_only(action: int, *_: Any) -> int:
    """SQLite authorizer: reads only (no writes, ATTACH, PRAGMA or transactions)."""
    return int(apsw.SQLITE_OK if action in _ALLOWED else apsw.SQLITE_DENY)


def run_sql(
    query: str, paths: Sequence[str | os.PathLike[str]]
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Runs one statement with every database attached read-only.

    Args:
        query: The SQL: reads only (SELECT, WITH); anything else is denied.
        paths: Database paths (optionally ``NAME=PATH``).

    Returns:
        The column names and the rows.

    Raises:
        DatabaseError: SQLite rejected the statement (syntax, unknown table, a write...).
        InvalidInputError, NotADatabaseError: See :func:`attach_names`.
    """
    attached = attach_names(paths)
    flags = apsw.SQLITE_OPEN_READWRITE | apsw.SQLITE_OPEN_CREATE | apsw.SQLITE_OPEN_URI
    connection = apsw.Connection(":memory:", flags=flags)
    try:
        for name, path in attached:
            uri = "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=ro&immutable=1"
            connection.execute(f"ATTACH DATABASE ? AS {quote_identifier(name)}", (uri,))
        connection.authorizer = _read_only
        cursor = connection.execute(query)
        try:
            columns = [d[0] for d in cursor.getdescription()]
        except apsw.ExecutionCompleteError:  # no row: ask SQLite for the columns instead
            info = apsw.ext.query_info(connection, query)
            return [d[0] for d in info.description or ()], []
        return columns, [tuple(row) for row in cursor]
    except apsw.Error as exc:
        raise DatabaseError(f"SQL failed: {exc}") from exc
    finally:
        connection.close()


def _column(values: list[Any]) -> Any:
    pa = import_pyarrow()
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # SQLite mixes types in one column
        return pa.array([None if v is None else str(v) for v in values], pa.string())


def sql(query: str, *paths: str | os.PathLike[str]) -> Any:
    """Runs plain SQL across nasbench_lite databases and returns a ``pyarrow.Table``.

    Each database is attached read-only under its kind's schema name (``nats``,
    ``nats_space``, ``nb101``, ...; ``NAME=PATH`` chooses the name).

    Args:
        query: One SQL statement, e.g.
            ``"SELECT * FROM nats.final_accuracy WHERE eval_set = 'x-test'"``.
        *paths: The databases.

    Returns:
        The result as a ``pyarrow.Table`` (column types inferred from the values; a column
        SQLite filled with mixed types becomes strings).

    Raises:
        DatabaseError: SQLite rejected the statement.
        InvalidInputError: Too many databases or a bad ``NAME=``.
        NotADatabaseError: A path that is not a database.
        MissingDependencyError: pyarrow is not installed.
    """
    pa = import_pyarrow()
    columns, rows = run_sql(query, paths)
    if len(set(columns)) != len(columns):
        raise InvalidInputError(f"result columns are not unique ({columns}): alias them with AS")
    values = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    return pa.table({name: _column(list(v)) for name, v in zip(columns, values, strict=True)})


check_public(globals())
