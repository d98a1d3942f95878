"""The official source files of each benchmark, and checking a downloaded copy against them.

The manifest (package data ``data/sources.json``) lists, per benchmark, its paper, licence,
download pages and known mirrors, and per file its official name, exact size and SHA-256 where
they are known, where the checksum comes from (``published`` by the authors, or ``computed`` by
us from a named copy of the official file), and the ``nasbench-lite build`` command that reads
it. Unknown values are ``None``: nothing is guessed.

:func:`verify_file` streams a file through SHA-256 and says which official file it is::

    from nasbench_lite import sources
    result = sources.verify_file("nasbench_only108.tfrecord")
    print(result.describe())

A copy named like an official file whose checksum (or exact size) differs, a truncated download
typically, raises :class:`~nasbench_lite.errors.SourceMismatchError`, as does a file the
manifest does not know.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from nasbench_lite._core.arguments import check_public
from nasbench_lite.errors import InternalError, InvalidInputError, SourceMismatchError

__all__ = [
    "MANIFEST_VERSION",
    "Benchmark",
    "SourceFile",
    "Verification",
    "benchmarks",
    "find_source",
    "load_manifest",
    "source_files",
    "verify_file",
]

#: The manifest layout this module reads (``manifest_version`` in ``sources.json``).
MANIFEST_VERSION = 1

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_BLOCK = 1 << 20


@dataclass(frozen=True)
class SourceFile:
    """One official file of a benchmark, as the manifest describes it.

    Attributes:
        benchmark: Id of its benchmark (``nb101``, ``nats-tss``, ...).
        path: Official file name, with its archive folder for archive members.
        version: Release the file belongs to.
        contents: What the file holds.
        url: Official download link, when the file has its own.
        size_bytes: Exact size, when known.
        size_approx: The size as the authors state it (e.g. ``"1.95 GB"``), when known.
        sha256: Lowercase hex SHA-256, when published or computed.
        checksum_origin: ``"published: ..."`` or ``"computed: ..."`` (where the copy came from).
        build: The command that reads the file, or None when nasbench_lite does not read it.
        overlaps_with: Official files holding the same results (never build from both).
        part_of: The archive this file is a member of, if any.
        note: Anything else a user needs to know.
    """

    benchmark: str
    path: str
    version: str
    contents: str
    url: str | None
    size_bytes: int | None
    size_approx: str | None
    sha256: str | None
    checksum_origin: str | None
    build: str | None
    overlaps_with: tuple[str, ...] = ()
    part_of: str | None = None
    note: str | None = None

    @property
    def name(self) -> str:
        """The file's base name."""
        return PurePosixPath(self.path).name

    @property
    def size_text(self) -> str:
        """The size for people: exact bytes, else the stated approximation, else ``?``."""
        if self.size_bytes is not None:
            return f"{self.size_bytes:,} bytes"
        return f"~{self.size_approx}" if self.size_approx else "size unknown"


@dataclass(frozen=True)
class Benchmark:
    """A benchmark of the manifest with its official files.

    Attributes:
        id: Short id (``nb101``, ``nats-tss``, ``nats-sss``, ``nb201``, ``nashpobench2``, ``nar``).
        name: Full name.
        paper: The paper to cite.
        licence: SPDX id of the licence the files are released under.
        licence_note: Where the licence comes from.
        download_pages: Official pages with the download links.
        mirrors: Known mirrors, as described by the authors.
        files: The official files.
    """

    id: str
    name: str
    paper: str
    licence: str
    licence_note: str
    download_pages: tuple[str, ...]
    mirrors: tuple[str, ...]
    files: tuple[SourceFile, ...]


@dataclass(frozen=True)
class Verification:
    """What :func:`verify_file` found.

    Attributes:
        path: The file checked.
        size: Its size in bytes.
        sha256: Its SHA-256.
        source: The official file it is.
        method: How it was recognised: ``"sha256"`` (checksum equal to the manifest's),
            ``"size"`` (name and exact size; no checksum is known) or ``"name"`` (name only:
            neither checksum nor exact size is known, so nothing could be compared).
    """

    path: Path
    size: int
    sha256: str
    source: SourceFile
    method: Literal["sha256", "size", "name"]

    @property
    def benchmark(self) -> Benchmark:
        """The benchmark the file belongs to."""
        return _benchmark(self.source.benchmark)

    def describe(self) -> str:
        """One line for people: which file it is and how sure we are."""
        how = {
            "sha256": f"SHA-256 matches ({self.source.checksum_origin})",
            "size": "name and exact size match (no checksum is known for this file)",
            "name": "recognised by name only (no checksum or exact size is known to compare)",
        }[self.method]
        return (
            f"{self.path}: {self.benchmark.name}, {self.source.path}, {self.source.version}; "
            f"{self.size:,} bytes; {how}"
        )


def _text(entry: dict[str, Any], key: str, optional: bool = False) -> Any:
    value = entry.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value:
        raise InternalError(f"sources manifest: {key!r} must be a non-empty string in {entry}")
    return value


def _strings(entry: dict[str, Any], key: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise InternalError(f"sources manifest: {key!r} must be a list of strings in {entry}")
    return tuple(value)


def _file(benchmark: str, entry: dict[str, Any]) -> SourceFile:
    size = entry.get("size_bytes")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size <= 0):
        raise InternalError(f"sources manifest: bad size_bytes in {entry}")
    sha256 = _text(entry, "sha256", optional=True)
    origin = _text(entry, "checksum_origin", optional=True)
    if (sha256 is None) != (origin is None):
        raise InternalError(f"sources manifest: sha256 without its origin (or back) in {entry}")
    if sha256 is not None and (
        not _SHA256.match(sha256) or not origin.startswith(("published: ", "computed: "))
    ):
        raise InternalError(f"sources manifest: bad sha256 or checksum_origin in {entry}")
    return SourceFile(
        benchmark=benchmark,
        path=_text(entry, "path"),
        version=_text(entry, "version"),
        contents=_text(entry, "contents"),
        url=_text(entry, "url", optional=True),
        size_bytes=size,
        size_approx=_text(entry, "size_approx", optional=True),
        sha256=sha256,
        checksum_origin=origin,
        build=_text(entry, "build", optional=True),
        overlaps_with=_strings(entry, "overlaps_with"),
        part_of=_text(entry, "part_of", optional=True),
        note=_text(entry, "note", optional=True),
    )


def load_manifest(text: str | None = None) -> tuple[Benchmark, ...]:
    """Reads and checks the sources manifest.

    Args:
        text: Manifest JSON to read instead of the packaged ``data/sources.json`` (tests).

    Returns:
        The benchmarks in manifest order.

    Raises:
        InternalError: The manifest breaks its own schema (a bug in the package data).
    """
    if text is None:
        text = resources.files("nasbench_lite").joinpath("data/sources.json").read_text("utf-8")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InternalError(f"sources manifest is not valid JSON: {exc}") from exc
    if not isinstance(raw, dict) or raw.get("manifest_version") != MANIFEST_VERSION:
        raise InternalError(f"sources manifest: manifest_version must be {MANIFEST_VERSION}")
    entries = raw.get("benchmarks")
    if not isinstance(entries, list) or not entries:
        raise InternalError("sources manifest: 'benchmarks' must be a non-empty list")
    result = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("files"), list):
            raise InternalError(f"sources manifest: bad benchmark entry {entry!r}")
        ident = _text(entry, "id")
        result.append(
            Benchmark(
                id=ident,
                name=_text(entry, "name"),
                paper=_text(entry, "paper"),
                licence=_text(entry, "licence"),
                licence_note=_text(entry, "licence_note"),
                download_pages=_strings(entry, "download_pages"),
                mirrors=_strings(entry, "mirrors"),
                files=tuple(_file(ident, f) for f in entry["files"]),
            )
        )
    ids = [b.id for b in result]
    paths = [f.path for b in result for f in b.files]
    if len(set(ids)) != len(ids) or len(set(paths)) != len(paths):
        raise InternalError("sources manifest: benchmark ids and file paths must be unique")
    digests = [f.sha256 for b in result for f in b.files if f.sha256 is not None]
    if len(set(digests)) != len(digests):
        raise InternalError("sources manifest: two files with one sha256")
    for path in (p for b in result for f in b.files for p in (*f.overlaps_with, f.part_of)):
        if path is not None and path not in paths:
            raise InternalError(f"sources manifest: {path!r} is referenced but not listed")
    return tuple(result)


def benchmarks() -> tuple[Benchmark, ...]:
    """The benchmarks of the packaged manifest."""
    return load_manifest()


def source_files() -> tuple[SourceFile, ...]:
    """Every official file of the packaged manifest, in manifest order."""
    return tuple(f for b in load_manifest() for f in b.files)


def _benchmark(ident: str) -> Benchmark:
    return next(b for b in load_manifest() if b.id == ident)


def find_source(name: str | os.PathLike[str]) -> tuple[SourceFile, ...]:
    """The manifest files a path is named like (no file is read).

    A path matches an archive member by its folder and name
    (``.../NATS-tss-v1_0-3ffb9-simple/meta.pickle.pbz2``); failing that, every file with the
    same base name matches.

    Args:
        name: A file path or name.

    Returns:
        The matching files (empty when the name is not an official one).
    """
    parts = Path(name).parts
    files = source_files()
    exact = [f for f in files if (p := PurePosixPath(f.path).parts) == tuple(parts[-len(p) :])]
    return tuple(exact or [f for f in files if f.name == Path(name).name])


def _sha256_of(path: Path, size: int, progress: Callable[[int, int], None] | None) -> str:
    digest = hashlib.sha256()
    done = 0
    with open(path, "rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
            done += len(block)
            if progress is not None:
                progress(done, size)
    return digest.hexdigest()


def _mismatch(path: Path, source: SourceFile, size: int) -> str | None:
    """Why ``path`` (not matched by checksum) is not ``source``; None if it may be."""
    if source.sha256 is not None:
        kind = str(source.checksum_origin).split(":")[0]
        reason = f"its SHA-256 differs from the {kind} one"
    elif source.size_bytes is not None and size != source.size_bytes:
        reason = "its size differs"
    else:
        return None
    if source.size_bytes is not None and size < source.size_bytes:
        sizes = f"{size:,} of {source.size_bytes:,} bytes: truncated"
    elif source.size_bytes is not None:
        sizes = f"{size:,} bytes, the official file has {source.size_bytes:,}"
    else:
        sizes = f"{size:,} bytes, the official file is {source.size_text}"
    return f"{source.path} ({reason}; {sizes})"


def verify_file(
    path: str | os.PathLike[str],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> Verification:
    """Checks a file against the manifest: exact size and streamed SHA-256.

    Args:
        path: The downloaded file.
        progress: Optional ``progress(bytes_done, bytes_total)`` while hashing.

    Returns:
        A :class:`Verification` naming the benchmark, file and version, and how it was
        recognised.

    Raises:
        InvalidInputError: ``path`` is not a readable regular file.
        SourceMismatchError: The file is named like an official file but its checksum or exact
            size differs (a truncated or altered copy), or the manifest does not know it.
    """
    file = Path(path)
    if not file.is_file():
        problem = "not a regular file" if file.exists() else "no such file"
        raise InvalidInputError(f"{file}: {problem} (verify checks one downloaded file)")
    size = file.stat().st_size
    try:
        digest = _sha256_of(file, size, progress)
    except OSError as exc:
        raise InvalidInputError(f"{file}: cannot read ({exc.strerror or exc})") from exc
    for source in source_files():
        if source.sha256 == digest:
            return Verification(file, size, digest, source, "sha256")
    named = find_source(file)
    reasons = []
    for source in named:
        reason = _mismatch(file, source, size)
        if reason is None:
            method: Literal["size", "name"] = "size" if source.size_bytes else "name"
            return Verification(file, size, digest, source, method)
        reasons.append(reason)
    expected = tuple(s.path for s in named)
    if reasons:
        raise SourceMismatchError(
            f"{file}: not the official file it is named like: {'; '.join(reasons)}. "
            "Download it again (see `nasbench-lite sources`).",
            file,
            expected,
            size,
            digest,
        )
    raise SourceMismatchError(
        f"{file}: not an official file the sources manifest knows ({size:,} bytes, "
        f"sha256 {digest}); `nasbench-lite sources` lists them",
        file,
        expected,
        size,
        digest,
    )


check_public(globals())
