"""The build skeleton every kind shares: :class:`BuildSession`.

A build streams an official source into a private temporary file beside the output, then fsyncs
it and renames it into place (:func:`atomic_output`), so a failed or interrupted build never
leaves a partial database at the output path and never clobbers an existing one unless asked.
:class:`BuildSession` adds what every kind writes the same way: bulk-load pragmas, the schema
script, one transaction, the standard ``meta`` keys (kind, schema_version, builder_version,
created_at, sources with name/size/SHA-256, rows.<table>), post-load DDL, ANALYZE / VACUUM and
a :class:`BuildSummary`. A kind's ``build.py`` only turns records into rows.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import apsw

from nasbench_lite import __version__
from nasbench_lite._core.database import quote_identifier
from nasbench_lite._core.dictionary import write_dictionary
from nasbench_lite._core.integrity import content_checksum, disk_full_error
from nasbench_lite._core.outputs import atomic_output, check_output, remove_partial_outputs
from nasbench_lite._core.schema import Schema
from nasbench_lite.errors import BuildError

__all__ = [
    "BuildSession",
    "BuildSummary",
    "atomic_output",
    "check_output",
    "fast_bulk_load",
    "file_sha256",
    "fingerprint",
    "remove_partial_outputs",
    "utc_now",
]


@dataclass(frozen=True)
class BuildSummary:
    """What a build wrote.

    Attributes:
        path: The database written.
        kind: Its ``meta.kind``.
        rows: Row counts per table.
        meta: Every ``meta`` entry written.
    """

    path: Path
    kind: str
    rows: dict[str, int] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)


def file_sha256(path: Path) -> str:
    """SHA-256 of a source file, read in 1 MiB blocks (for ``meta`` provenance).

    Args:
        path: The file.

    Returns:
        The hex digest.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fingerprint(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The provenance entry of one source: name, size and SHA-256.

    A directory (e.g. an archive of per-architecture files) gets its total size, its file count
    and no digest: hashing it would read every file a second time.

    Args:
        path: A source file or directory.

    Returns:
        ``{'name', 'size', 'sha256'}`` (plus ``'files'`` for a directory).
    """
    source = Path(path)
    if source.is_dir():
        files = [p for p in source.iterdir() if p.is_file()]
        return {
            "name": source.name,
            "size": sum(p.stat().st_size for p in files),
            "sha256": None,
            "files": len(files),
        }
    return {"name": source.name, "size": source.stat().st_size, "sha256": file_sha256(source)}


def fast_bulk_load(connection: Any, schema: str = "main", page_size: int = 16384) -> None:
    """Turns off journaling and syncs on a file that stays private until its atomic rename.

    Each PRAGMA runs as its own statement and its result row is consumed: with apsw a
    multi-statement string stops at the first statement that returns a row.

    Args:
        connection: An ``apsw.Connection``.
        schema: The attached database name.
        page_size: SQLite page size (must be set before the first table).
    """
    # 16 KiB pages: fewer, fuller B-tree pages for the wide blob rows (measured: the 108-epoch
    # NB101 database shrinks by ~8% against 4 KiB pages). Must precede the first table.
    for pragma in (f"page_size = {page_size}", "journal_mode = OFF", "synchronous = OFF"):
        connection.execute(f"PRAGMA {quote_identifier(schema)}.{pragma}").fetchall()


def utc_now() -> str:
    """Current UTC time as ISO-8601 with a ``Z`` suffix (for ``meta.created_at``)."""
    return (
        _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    )


class BuildSession:
    """One atomic build of one database kind (a context manager).

    Inside ``with BuildSession(...) as session:`` the schema exists and a transaction is open on
    ``session.connection``; the kind inserts its rows, calls :meth:`count` / :meth:`set_meta`
    and may queue indexes with :meth:`after_load`. On a clean exit the session writes the
    standard ``meta`` keys, runs the queued DDL, commits, runs ANALYZE (and VACUUM if asked),
    closes the file and renames it to ``output``; on any exception nothing is left behind.

    Args:
        output: The database path to write.
        schema: The kind's schema (its ``kind`` and ``version`` go into ``meta``).
        force: Replace an existing ``output``.
        sources: The source files/directories to fingerprint into ``meta.sources``.
        page_size: SQLite page size (larger pages for wide blob rows).
        vacuum: Run VACUUM after the load (packs pages left half-full by the bulk load).
        scratch: Name under which to attach a private scratch database (staging tables that
            are not part of the output); it is detached and deleted at the end.
        protect: Further inputs (fingerprinted by the kind itself) that ``output`` may never
            be, even with ``force``; ``sources`` are always protected.

    Attributes:
        connection: The ``apsw.Connection`` on the temporary file (inside the ``with``).
        sources: The fingerprint dicts, in order; a kind may add keys before the exit.
        rows: Row counts recorded so far.
        meta: Kind-specific ``meta`` entries recorded so far.
        summary: The :class:`BuildSummary`, after a successful exit.
    """

    def __init__(
        self,
        output: str | os.PathLike[str],
        schema: Schema,
        *,
        force: bool = False,
        sources: Sequence[str | os.PathLike[str]] = (),
        page_size: int = 16384,
        vacuum: bool = False,
        scratch: str | None = None,
        protect: Sequence[str | os.PathLike[str]] = (),
    ) -> None:
        self.output = Path(output)
        self.schema = schema
        self.force = force
        self.source_paths = [Path(s) for s in sources]
        self.protected = [*self.source_paths, *(Path(p) for p in protect)]
        self.page_size = page_size
        self.vacuum = vacuum
        self.scratch = scratch
        self._scratch_path: Path | None = None
        self.sources: list[dict[str, Any]] = []
        self.rows: dict[str, int] = {}
        self.meta: dict[str, str] = {}
        self.summary: BuildSummary | None = None
        self._post_load: list[str] = []
        self._atomic: contextlib.AbstractContextManager[Path] | None = None
        self.connection: Any = None

    def __repr__(self) -> str:
        state = "finished" if self.summary else ("open" if self.connection else "not started")
        return (
            f"BuildSession({str(self.output)!r}, kind={self.schema.kind!r}, "
            f"sources={[p.name for p in self.source_paths]}, rows={self.rows}, {state})"
        )

    def __enter__(self) -> BuildSession:
        for path in self.source_paths:
            if not path.exists():
                raise BuildError(f"{path}: no such source file", self.output)
        self._atomic = atomic_output(self.output, force=self.force, sources=self.protected)
        temp = self._atomic.__enter__()
        try:
            self.sources = [fingerprint(p) for p in self.source_paths]
            self.connection = apsw.Connection(str(temp))
            # The file is private until the rename, so per-statement durability is not needed.
            fast_bulk_load(self.connection, page_size=self.page_size)
            if self.scratch is not None:
                self._scratch_path = Path(f"{temp}.{self.scratch}")
                self.connection.execute(
                    f"ATTACH DATABASE ? AS {quote_identifier(self.scratch)}",
                    (str(self._scratch_path),),
                )
                fast_bulk_load(self.connection, self.scratch)
            self.connection.execute("BEGIN")
            self.connection.execute(self.schema.sql)
        except BaseException as exc:
            self._abort(type(exc), exc, exc.__traceback__)
            raise
        return self

    def result(self) -> BuildSummary:
        """The summary of the finished build.

        Returns:
            The :class:`BuildSummary`.

        Raises:
            BuildError: The session has not finished successfully.
        """
        if self.summary is None:
            raise BuildError(f"{self.output}: the build did not finish", self.output)
        return self.summary

    def count(self, table: str, rows: int) -> None:
        """Records a table's row count (written as ``meta['rows.<table>']``).

        Args:
            table: The table name.
            rows: Its row count.
        """
        self.rows[table] = rows

    def set_meta(self, entries: dict[str, Any]) -> None:
        """Records kind-specific ``meta`` entries (values stored as strings).

        Args:
            entries: Key -> value; non-strings are written with ``str``.
        """
        self.meta.update({k: v if isinstance(v, str) else str(v) for k, v in entries.items()})

    def after_load(self, ddl: str) -> None:
        """Queues DDL (typically indexes) to run after every row is in, before the commit.

        Args:
            ddl: One or more statements.
        """
        self._post_load.append(ddl)

    def standard_meta(self) -> dict[str, str]:
        """The ``meta`` entries every kind writes the same way."""
        return {
            "kind": self.schema.kind,
            "schema_version": str(self.schema.version),
            "builder_version": f"nasbench_lite {__version__}",
            "created_at": utc_now(),
            "sources": json.dumps(self.sources, sort_keys=True),
            **{f"rows.{table}": str(count) for table, count in self.rows.items()},
        }

    def _finish(self) -> None:
        connection = self.connection
        for ddl in self._post_load:
            connection.execute(ddl)
        write_dictionary(connection, self.schema.sql, f"sql/{self.schema.kind}.sql")
        meta = {**self.standard_meta(), **self.meta}
        connection.executemany(
            "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", sorted(meta.items())
        )
        connection.execute("COMMIT")
        # The content checksum covers every data table (not meta), so `verify` can prove the
        # rows are the ones the build wrote.
        meta["content_sha256"] = content_checksum(connection)
        with connection:
            connection.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('content_sha256', ?)",
                (meta["content_sha256"],),
            )
        if self.scratch is not None:
            connection.execute(f"DETACH DATABASE {quote_identifier(self.scratch)}")
        connection.execute("ANALYZE")
        if self.vacuum:
            # VACUUM rewrites the file with the page size of the connection's last
            # `PRAGMA page_size`, which may have named an attached scratch database: name ours.
            connection.execute(f"PRAGMA main.page_size = {int(self.page_size)}").fetchall()
            connection.execute("VACUUM")
        connection.close()
        self.summary = BuildSummary(self.output, self.schema.kind, dict(self.rows), meta)

    def _abort(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.connection is not None:
            with contextlib.suppress(apsw.Error):
                self.connection.close()
        self._remove_scratch()
        if self._atomic is not None:
            self._atomic.__exit__(exc_type, exc, tb)

    def _wrap(self, exc: BaseException | None) -> BuildError | None:
        """A typed error for a storage failure raised inside the build (disk full, I/O)."""
        if isinstance(exc, BuildError) or exc is None:
            return None
        full = disk_full_error(exc, self.output)
        if full is not None:
            return full
        if isinstance(exc, apsw.Error):
            return BuildError(f"{self.output}: writing the database failed ({exc})", self.output)
        return None

    def _remove_scratch(self) -> None:
        if self._scratch_path is not None:
            for suffix in ("", "-journal"):
                with contextlib.suppress(FileNotFoundError):
                    Path(str(self._scratch_path) + suffix).unlink()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self._abort(exc_type, exc, tb)
            wrapped = self._wrap(exc)
            if wrapped is not None:
                raise wrapped from exc
            return
        try:
            self._finish()
        except (apsw.Error, OSError) as error:
            wrapped = self._wrap(error) or BuildError(
                f"{self.output}: writing the database failed ({error})", self.output
            )
            self._abort(type(wrapped), wrapped, None)
            raise wrapped from error
        except BaseException as error:
            self._abort(type(error), error, error.__traceback__)
            raise
        self._remove_scratch()
        if self._atomic is not None:
            self._atomic.__exit__(None, None, None)
