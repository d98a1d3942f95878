"""Reading the official NAS-Bench-101 TFRecord file(s): checked natively, batch by batch.

``nasbench_full.tfrecord`` (499 MB) and ``nasbench_only108.tfrecord`` hold one record per
training run: ``[hash, epochs, adjacency digits, ops, base64(ModelMetrics)]``
(``shared/formats/nb101.md`` §5-§6). The files are never loaded whole: the Rust stream
``_native.Nb101Stream`` verifies every record (framing and both CRCs, JSON, base64, protobuf,
epochs, stored hash == our hash, constant trainable parameters), fingerprints the bytes in the
same pass and hands back batches of new cells and runs. Several files are read as one stream
(:func:`~nasbench_lite._core.formats.tfrecord.open_or_continue`): cells, counters and repeats
carry over from one file to the next.

Before any record is read, :func:`check_sources` refuses a missing file and, when asked, sources
known to hold the same runs (the same file twice, ``nasbench_full`` + ``nasbench_only108``).
A record that does not fit the format raises :class:`~nasbench_lite.errors.CorruptSourceError`
(file, record index, byte offset) from the native stream.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from nasbench_lite import _native
from nasbench_lite._core.arguments import check_public
from nasbench_lite._core.formats.tfrecord import open_or_continue
from nasbench_lite.errors import BuildError, InternalError, OverlappingSourcesError

__all__ = ["BATCH_RECORDS", "OFFICIAL_SHA256", "Nb101Source", "check_sources"]

#: Published SHA-256 of the official files.
OFFICIAL_SHA256 = {
    "3d64db8180fb1b0207212f9032205064312b6907a3bbc81eabea10db2f5c7e9c": "nasbench_full.tfrecord",
    "4c39c3936e36a85269881d659e44e61a245babcb72cb374eacacf75d0e5f4fd1": "nasbench_only108.tfrecord",
}

#: Records per native batch: large enough to amortise the call, small enough for flat memory.
BATCH_RECORDS = 50_000


def check_sources(
    paths: Sequence[Path], output: str | os.PathLike[str], *, refuse_overlaps: bool
) -> None:
    """Checks, before any record is read, that every source file exists.

    Args:
        paths: The source files, in build order.
        output: The build's output (named by the errors).
        refuse_overlaps: Also refuse the same file twice and official files known to hold the
            same runs (``sources.find_source(...).overlaps_with``).

    Raises:
        BuildError: A source that is not a file.
        OverlappingSourcesError: With ``refuse_overlaps``, sources that overlap by name or are
            the same file.
    """
    for path in paths:
        if not path.is_file():
            raise BuildError(f"{path}: no such source file", output)
    if refuse_overlaps:
        _refuse_named_overlaps(paths, output)


def _refuse_named_overlaps(paths: Sequence[Path], output: str | os.PathLike[str]) -> None:
    """Refuses, before any work, the same file twice and official files with the same runs."""
    from nasbench_lite.sources import find_source

    seen: dict[tuple[int, int], Path] = {}
    for path in paths:
        stat = path.stat()
        first = seen.setdefault((stat.st_dev, stat.st_ino), path)
        if first is not path:
            raise OverlappingSourcesError(
                f"{first} and {path} are the same file: every run would be stored twice "
                "(give it once, or pass --on-overlap skip-duplicates/keep-all)",
                output,
                (first, path),
            )
    by_name = {path.name: path for path in paths}
    for path in paths:
        for official in find_source(path.name):
            for other in (by_name.get(Path(name).name) for name in official.overlaps_with):
                if other is not None and other != path:
                    raise OverlappingSourcesError(
                        f"{path} and {other} hold the same runs ({official.path} overlaps "
                        f"{other.name}): give one of them, or pass --on-overlap "
                        "skip-duplicates/keep-all",
                        output,
                        (path, other),
                    )


class Nb101Source:
    """The source files read in order as one native stream, one file at a time.

    Args:
        output: The build's output (named by the errors).
        batch_records: Records per native batch.
    """

    def __init__(self, output: str | os.PathLike[str], batch_records: int = BATCH_RECORDS):
        self._output = output
        self._batch_records = batch_records
        self._stream: _native.Nb101Stream | None = None

    def batches(self, path: Path) -> Iterator[tuple[Any, Any]]:
        """The checked records of ``path``, continuing the stream of the earlier files.

        Args:
            path: The next source file.

        Yields:
            ``(new cells, runs)`` arrays per batch (see ``_native.Nb101Stream.next_batch``):
            the cells first seen in the batch (ids continue across files) and its runs.

        Raises:
            BuildError: ``path`` cannot be opened.
            CorruptSourceError: A record not in the official format (record index and byte
                offset attached).
        """
        try:
            self._stream = open_or_continue(self._stream, path, _native.Nb101Stream)
        except OSError as exc:
            raise BuildError(f"{path}: cannot read ({exc})", self._output) from exc
        while True:
            batch = self._stream.next_batch(self._batch_records)
            if batch is None:
                return
            yield batch

    def _current(self) -> _native.Nb101Stream:
        if self._stream is None:
            raise InternalError("no source file opened yet (call batches() first)")
        return self._stream

    def bytes_read(self) -> int:
        """Bytes of the current file read so far.

        Returns:
            The byte count.
        """
        return int(self._current().progress()[0])

    def fingerprint(self, path: Path, size: int) -> dict[str, Any]:
        """The ``meta.sources`` entry of the file just read (fingerprinted while streaming).

        Args:
            path: The file whose :meth:`batches` were all read.
            size: Its size in bytes.

        Returns:
            ``name``, ``size``, ``sha256``, ``records`` and ``official`` (the official file
            name for a published SHA-256, else None).
        """
        stream = self._current()
        digest = str(stream.sha256())
        return {
            "name": path.name,
            "size": size,
            "sha256": digest,
            "records": int(stream.progress()[1]),
            "official": OFFICIAL_SHA256.get(digest),
        }


check_public(globals())
