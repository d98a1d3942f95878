"""The one list of database kinds, and what is generated from it: open, export, the CLI.

:data:`KIND_MODULES` names each kind's declaration module; they are imported only when a kind
is needed, and nothing is registered at import time. A kind defined outside the package (a
plugin, or a test's toy kind) is passed explicitly — ``kinds(extra=[MY_KIND])`` — or named in
the ``NASBENCH_LITE_EXTRA_KINDS`` environment variable as ``module:attribute`` entries
separated by commas (read on every call, so the CLI sees it too).
"""

from __future__ import annotations

import fnmatch
import importlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal

from nasbench_lite._core.arguments import check_public
from nasbench_lite._core.kinds import BenchmarkKind
from nasbench_lite.errors import InternalError, NotADatabaseError, UnknownKindError

__all__ = [
    "ENV_EXTRA_KINDS",
    "KIND_MODULES",
    "export_database",
    "get_kind",
    "kinds",
    "open_database",
]

#: Declaration modules of the packaged kinds (each defines ``KIND``), in CLI order.
KIND_MODULES: tuple[str, ...] = (
    "nasbench_lite.benchmarks.nb101_space.kind",
    "nasbench_lite.benchmarks.nb101.kind",
    "nasbench_lite.benchmarks.nats_space.kind",
    "nasbench_lite.benchmarks.nats.kind",
    "nasbench_lite.benchmarks.nashpobench2.kind",
    "nasbench_lite.benchmarks.nar.kind",
)

#: Environment variable naming extra kinds as ``module:attribute[,module:attribute...]``.
ENV_EXTRA_KINDS = "NASBENCH_LITE_EXTRA_KINDS"

_SQLITE_MAGIC = b"SQLite format 3\x00"

ExtraKinds = Iterable[BenchmarkKind]


def _load(reference: str) -> BenchmarkKind:
    module_name, _, attribute = reference.partition(":")
    kind = getattr(importlib.import_module(module_name.strip()), attribute.strip() or "KIND")
    if not isinstance(kind, BenchmarkKind):
        raise InternalError(f"{reference} is not a BenchmarkKind")
    return kind


def kinds(extra: ExtraKinds = ()) -> tuple[BenchmarkKind, ...]:
    """Every kind: the packaged ones, then ``NASBENCH_LITE_EXTRA_KINDS``, then ``extra``.

    Args:
        extra: Kinds declared outside the package.

    Returns:
        The kinds, names unique (a later declaration of a name replaces none: it is an error).

    Raises:
        InternalError: Two kinds share a name or a build command.
    """
    found = [_load(m) for m in KIND_MODULES]
    env = os.environ.get(ENV_EXTRA_KINDS, "")
    found += [_load(ref) for ref in env.split(",") if ref.strip()]
    found += list(extra)
    for attribute in ("name", "command"):
        values = [getattr(k, attribute) for k in found]
        if len(set(values)) != len(values):
            raise InternalError(f"two database kinds share a {attribute}: {values}")
    return tuple(found)


def get_kind(name: str, extra: ExtraKinds = ()) -> BenchmarkKind:
    """The kind with ``meta.kind`` (or build command) ``name``.

    Args:
        name: A kind name such as ``'nats'`` or a build command such as ``'nb101-space'``.
        extra: Kinds declared outside the package.

    Returns:
        The declaration.

    Raises:
        KeyError: No such kind.
    """
    for kind in kinds(extra):
        if name in (kind.name, kind.command):
            return kind
    raise KeyError(name)


def _refuse_non_database(path: Path, all_kinds: tuple[BenchmarkKind, ...]) -> None:
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(_SQLITE_MAGIC))
    except IsADirectoryError:
        head = b""
    except OSError as exc:
        raise NotADatabaseError(f"{path}: cannot read ({exc})", path) from exc
    if head == _SQLITE_MAGIC:
        return
    for kind in all_kinds:
        if any(fnmatch.fnmatch(path.name, pattern) for pattern in kind.source_names):
            raise NotADatabaseError(
                f"{path}: is an official {kind.title} source, not a database; "
                f"build one with `{kind.build_command}`",
                path,
                kind.build_command,
            )
    raise NotADatabaseError(f"{path}: not a SQLite database", path)


def open_database(
    path: str | os.PathLike[str], *, extra: ExtraKinds = (), uniform: bool = False
) -> Any:
    """Opens any nasbench_lite database with the reader of its kind (chosen by ``meta.kind``).

    Args:
        path: The database file.
        extra: Kinds declared outside the package.
        uniform: Return the kind's uniform query surface instead
            (:class:`~nasbench_lite._core.surface.Surface`: ``space``, ``fidelities``,
            ``objectives``, ``query``, ``query_one``, ``curve``, ``best``; its ``reader`` is
            the native reader). Only kinds with results have one (``BenchmarkKind.surface``).

    Returns:
        The kind's reader (e.g. ``NASBench`` for ``nb101``, ``API`` for ``nashpobench2``), or
        its uniform surface.

    Raises:
        NotADatabaseError: Not a SQLite file (naming the build command when it is an official
            source file of a known kind).
        UnknownKindError: A database of a kind no registered declaration knows.
        DatabaseError: Missing file or no ``meta`` table.
        SchemaVersionError: Another schema version (the message names the rebuild command).
        OutOfDomainError: ``uniform=True`` for a kind without results (a space database).
    """
    from nasbench_lite._core.database import read_meta
    from nasbench_lite.errors import DatabaseError, InvalidInputError, OutOfDomainError, echo

    if not isinstance(path, str | os.PathLike) or (isinstance(path, str) and "\x00" in path):
        raise InvalidInputError(f"path must be a file path, got {echo(path)}")
    target = Path(path)
    all_kinds = kinds(extra)
    try:
        exists = target.exists()
    except (OSError, ValueError) as exc:
        raise DatabaseError(f"{echo(str(target))}: cannot access ({exc})", None) from exc
    if exists:
        _refuse_non_database(target, all_kinds)
    meta = read_meta(target)
    name = meta.get("kind", "")
    if not isinstance(uniform, bool):
        raise InvalidInputError(f"uniform must be a bool, got {echo(uniform)}")
    for kind in all_kinds:
        if kind.name != name:
            continue
        if not uniform:
            return kind.open(target)
        factory = kind.surface
        if factory is None:
            with_surface = ", ".join(k.name for k in all_kinds if k.surface is not None)
            raise OutOfDomainError(
                f"{target}: a {name} database holds no results, so it has no uniform query "
                f"surface (kinds with one: {with_surface})"
            )
        reader = kind.open(target)
        try:
            return factory(reader)
        except BaseException:
            reader.close()
            raise
    raise UnknownKindError(
        f"{target}: database kind {name!r} is not one this nasbench_lite reads "
        f"({', '.join(k.name for k in all_kinds)})",
        target,
        name,
    )


def export_database(
    path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    fmt: Literal["parquet", "csv"] = "parquet",
    force: bool = False,
    progress: Callable[[str], None] | None = None,
    extra: ExtraKinds = (),
) -> dict[str, Path]:
    """Exports every table of a database, expanding the compact tables its kind declares.

    Args:
        path: The database.
        out_dir: Output folder, one sub-folder per table (``OUT/<table>/part-0.parquet``),
            written atomically.
        fmt: ``'parquet'`` or ``'csv'``.
        force: Replace an existing output folder.
        progress: Called with each table name before it is written.
        extra: Kinds declared outside the package.

    Returns:
        Table name -> data file written.

    Raises:
        DatabaseError: The database cannot be read.
        OutputExistsError: The output folder exists (not empty) and ``force`` is False.
        InvalidInputError: Unknown format.
    """
    from nasbench_lite._core.database import read_meta
    from nasbench_lite._core.exporting import export_tables

    name = read_meta(path).get("kind", "")
    kind = next((k for k in kinds(extra) if k.name == name), None)
    return export_tables(
        path,
        out_dir,
        fmt=fmt,
        force=force,
        progress=progress,
        exporters=kind.exporters if kind is not None else {},
        schema=kind.get_schema() if kind is not None else None,
    )


check_public(globals())
