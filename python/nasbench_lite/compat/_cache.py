"""Official benchmark files -> nasbench_lite databases, built once and cached.

Every compat constructor accepts what the official one accepts (the NB101 ``.tfrecord``, the
NATS ``-simple`` folder or ``.pickle.pbz2`` file, ``None`` for the NATS default location, the
NAS-HPO-Bench-II data folder) and also a nasbench_lite database. :func:`database_for` turns any
of them into a database path:

* a nasbench_lite database (SQLite header and ``meta.kind``) is returned as it is;
* an official source is built once, by the builder of its kind, into
  ``$NASBENCH_LITE_CACHE`` (default ``~/.cache/nasbench_lite``), in a file named after the
  source's resolved path. A sidecar ``<db>.identity.json`` records the source's identity (its
  files' sizes and modification times) and the database file it belongs to; a later process
  reuses the database while the identity matches. When only modification times changed (a
  copy, a ``touch``), the SHA-256 of the source files is compared with the one the builder
  recorded in the database's ``meta``; equal contents are reused, anything else is rebuilt. A
  NATS archive folder (thousands of files) is rebuilt on any change instead of hashed.

Concurrency: an ``fcntl`` lock file beside each cached database makes a second process that
asks for the same source wait for the first one's build and then reuse it; the builders write
to a temporary file and rename it into place, so no reader ever sees half a database.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from nasbench_lite._core.building import file_sha256
from nasbench_lite._core.database import Database
from nasbench_lite.errors import BuildError, DatabaseError, InvalidInputError, SourceNotFoundError

try:  # POSIX; elsewhere two processes may both build (each result is still whole).
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["database_for"]

CACHE_ENV = "NASBENCH_LITE_CACHE"
_SQLITE_HEADER = b"SQLite format 3\x00"
_IDENTITY_VERSION = 1

#: ``meta.kind`` of the database each source kind builds.
_DB_KIND = {"nb101": "nb101", "nats": "nats", "nashpobench2": "nashpobench2"}

#: Base names of the official NATS-Bench 1.8 files (``ALL_BASE_NAMES[-1]`` of each space).
_NATS_BASE_NAMES = {"tss": "NATS-tss-v1_0-3ffb9", "sss": "NATS-sss-v1_0-50262"}
_NATS_SPACES = {"tss": "tss", "topology": "tss", "sss": "sss", "size": "sss"}
_NHB2_FILES = ("bench12.pkl", "cellinfo.pkl", "avgaccs200.pkl")

_DOWNLOAD = {
    "nb101": (
        "download nasbench_only108.tfrecord (499 MB) or nasbench_full.tfrecord (1.95 GB) from "
        "https://storage.googleapis.com/nasbench/ (see github.com/google-research/nasbench)"
    ),
    "nats": (
        "download {base}-simple.tar (or {base}.pickle.pbz2) as the NATS-Bench README says "
        "(github.com/D-X-Y/NATS-Bench) and extract it into $TORCH_HOME (default ~/.torch)"
    ),
    "nashpobench2": (
        "download bench12.pkl, cellinfo.pkl and avgaccs200.pkl into one folder, as the "
        "NAS-HPO-Bench-II README says (github.com/yoichii/nashpobench2api)"
    ),
}


def _torch_home() -> Path:
    """The official ``get_torch_home()``: ``$TORCH_HOME``, else ``$HOME/.torch``."""
    if "TORCH_HOME" in os.environ:
        return Path(os.environ["TORCH_HOME"])
    if "HOME" in os.environ:
        return Path(os.environ["HOME"]) / ".torch"
    return Path.home() / ".torch"


def _nats_space(space: str | None) -> str | None:
    if space is None:
        return None
    try:
        return _NATS_SPACES[space]
    except (KeyError, TypeError):
        raise InvalidInputError(
            f"space must be one of {', '.join(_NATS_SPACES)}, got {space!r}"
        ) from None


def _cache_dir() -> Path:
    configured = os.environ.get(CACHE_ENV)
    return Path(configured) if configured else Path.home() / ".cache" / "nasbench_lite"


def _is_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(_SQLITE_HEADER)) == _SQLITE_HEADER
    except OSError:
        return False


def _check_database(path: Path, kind: str, space: str | None, source: Path) -> None:
    """Raises unless ``path`` is a database of ``kind`` (and of ``space`` for NATS)."""
    with Database(path) as db:
        actual_kind, actual_space = db.kind, db.meta.get("space")
    if actual_kind != _DB_KIND[kind]:
        raise DatabaseError(
            f"{source}: a nasbench_lite {actual_kind!r} database, not a {_DB_KIND[kind]!r} one",
            source,
        )
    if space is not None and actual_space != space:
        raise InvalidInputError(f"{source}: holds the NATS-Bench {actual_space} space, not {space}")


def _missing(kind: str, path: Path, also: list[Path] | None = None, detail: str = "") -> None:
    looked = [path, *(also or [])]
    where = " nor ".join(str(p) for p in looked)
    base = _NATS_BASE_NAMES.get(detail, _NATS_BASE_NAMES["tss"])
    hint = _DOWNLOAD[kind].format(base=base)
    raise SourceNotFoundError(f"no {kind} source at {where}: {hint}", path, kind)


def _resolve_source(source: str | os.PathLike[str] | None, kind: str, space: str | None) -> Path:
    """The existing source path of ``kind``; SourceNotFoundError naming what to download."""
    if source is None:
        if kind == "nats":
            if space is None:
                raise InvalidInputError("the default NATS-Bench location needs a space (tss/sss)")
            home, base = _torch_home(), _NATS_BASE_NAMES[space]
            folder, single = home / f"{base}-simple", home / f"{base}.pickle.pbz2"
            for candidate in (folder, single):
                if candidate.exists():
                    return candidate
            _missing(kind, folder, [single], space)
        if kind == "nashpobench2":
            source = "data"  # NASHPOBench2API's default data_dir
        else:
            raise InvalidInputError("the NAS-Bench-101 API needs the path of a .tfrecord file")
    path = Path(os.fspath(source)).expanduser()
    if kind == "nb101" and not path.is_file():
        _missing(kind, path)
    if kind == "nats" and not path.exists():
        _missing(kind, path, detail=space or "tss")
    if kind == "nashpobench2":
        if not path.is_dir():
            _missing(kind, path)
        for name in _NHB2_FILES:
            if not (path / name).is_file():
                _missing(kind, path / name)
    return path


def _source_files(kind: str, path: Path) -> list[Path]:
    """The files whose identity decides whether a cached database is current."""
    if kind == "nashpobench2":
        return [path / name for name in _NHB2_FILES]
    if path.is_dir():  # NATS archive folder: meta + one file per architecture
        return sorted(p for p in path.iterdir() if p.is_file())
    return [path]


def _identity(kind: str, path: Path) -> dict[str, Any]:
    files = _source_files(kind, path)
    listing = []
    for file in files:
        stat = file.stat()
        listing.append([file.name, stat.st_size, stat.st_mtime_ns])
    identity: dict[str, Any] = {"version": _IDENTITY_VERSION, "kind": kind}
    identity["path"] = str(path.resolve())
    if len(listing) > len(_NHB2_FILES):  # a NATS archive: one digest of the whole listing
        text = json.dumps(listing, separators=(",", ":"))
        identity["files"] = len(listing)
        identity["listing_sha256"] = hashlib.sha256(text.encode()).hexdigest()
    else:
        identity["files"] = listing
    return identity


def _recorded_sha256(kind: str, meta: dict[str, str]) -> dict[str, str] | None:
    """``{file name: sha256}`` the builder recorded in ``meta`` (None: not recorded)."""
    if kind in ("nb101", "nashpobench2"):
        return {s["name"]: s["sha256"] for s in json.loads(meta.get("sources", "[]"))}
    if "source.sha256" in meta:  # NATS single benchmark file
        return {meta.get("source.name", ""): meta["source.sha256"]}
    return None


def _same_contents(kind: str, path: Path, database: Path, old: dict[str, Any]) -> bool:
    """In doubt (only mtimes changed): do the files hash to what the builder recorded?"""
    new = _identity(kind, path)
    old_files, new_files = old.get("files"), new["files"]
    if not isinstance(old_files, list) or not isinstance(new_files, list):
        return False  # NATS archive folder: never hashed, rebuilt
    if [f[:2] for f in old_files] != [f[:2] for f in new_files]:
        return False  # another size or file name: certainly changed
    with Database(database) as db:
        recorded = _recorded_sha256(kind, db.meta)
    if not recorded:
        return False
    current = {file.name: file_sha256(file) for file in _source_files(kind, path)}
    return current == recorded


def _database_stamp(database: Path) -> list[int]:
    stat = database.stat()
    return [stat.st_dev, stat.st_ino, stat.st_size]


def _read_sidecar(sidecar: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(sidecar.read_text())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _write_sidecar(sidecar: Path, identity: dict[str, Any], database: Path) -> None:
    """Atomically writes the identity of the source that ``database`` was built from."""
    payload = json.dumps({"identity": identity, "database": _database_stamp(database)}, indent=1)
    fd, temp = tempfile.mkstemp(prefix=f".{sidecar.name}.", suffix=".tmp", dir=sidecar.parent)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)
        with os.fdopen(fd, "w") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, sidecar)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def _current(
    kind: str, path: Path, database: Path, sidecar: Path, identity: dict[str, Any]
) -> bool:
    """Is the cached ``database`` a whole, readable build of this very source?"""
    recorded = _read_sidecar(sidecar)
    if recorded is None or not database.is_file():
        return False
    if recorded.get("database") != _database_stamp(database):
        return False  # the sidecar belongs to another build (e.g. a crash between renames)
    try:
        Database(database, kind=_DB_KIND[kind]).close()
    except DatabaseError:  # e.g. another schema version after an upgrade: rebuild
        return False
    if recorded.get("identity") == identity:
        return True
    if _same_contents(kind, path, database, recorded.get("identity") or {}):
        _write_sidecar(sidecar, identity, database)
        return True
    return False


@contextlib.contextmanager
def _locked(lock_path: Path, exclusive: bool) -> Iterator[None]:
    try:
        handle = open(lock_path, "a+b")  # noqa: SIM115 - closed below, after the unlock
    except OSError as exc:
        raise BuildError(f"{lock_path}: cannot open the cache lock ({exc})", lock_path) from exc
    with handle:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _cache_name(kind: str, path: Path) -> str:
    resolved = str(path.resolve())
    digest = hashlib.sha256(f"{kind}\0{resolved}".encode()).hexdigest()[:16]
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", path.resolve().name or "source")[:60]
    return f"{kind}-{stem}-{digest}.sqlite"


def _build(kind: str, path: Path, output: Path, space: str | None, quiet: bool) -> None:
    """Runs the builder of ``kind`` (atomic: ``output`` appears whole or not at all)."""
    from tqdm import tqdm

    if not quiet:
        print(
            f"nasbench_lite: building a database from {path} into {output} "
            "(once; later runs reuse it)",
            file=sys.stderr,
        )
    unit = {"nb101": "B", "nats": "arch", "nashpobench2": "step"}[kind]
    with tqdm(
        desc=f"building {kind}", unit=unit, unit_scale=True, disable=quiet, file=sys.stderr
    ) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        builder: Callable[[], object]
        if kind == "nb101":
            from nasbench_lite.benchmarks.nb101.build import build_nb101

            def builder() -> object:
                return build_nb101([path], output, force=True, progress=progress)

        elif kind == "nats":
            from nasbench_lite.benchmarks.nats.build import build_nats

            def builder() -> object:
                return build_nats(path, output, space=space, force=True, progress=progress)

        else:
            from nasbench_lite.benchmarks.nashpobench2.build import build_nashpobench2

            def builder() -> object:
                return build_nashpobench2(path, output, force=True, progress=progress)

        builder()


def database_for(
    source: str | os.PathLike[str] | None,
    kind: str,
    *,
    space: str | None = None,
    quiet: bool = False,
) -> Path:
    """The nasbench_lite database for an official source, built once into the cache.

    Args:
        source: A nasbench_lite database (returned as it is), or the official source of
            ``kind``: the NB101 ``.tfrecord`` file; the NATS ``-simple`` folder or
            ``.pickle.pbz2`` file (None: the official default location, ``$TORCH_HOME`` else
            ``~/.torch``, with NATS-Bench 1.8's default names, the folder tried first); the
            NAS-HPO-Bench-II data folder (None: ``'data'``, the official default).
        kind: ``'nb101'``, ``'nats'`` or ``'nashpobench2'``.
        space: NATS only: ``'tss'``/``'topology'`` or ``'sss'``/``'size'`` (required for the
            default location; else checked against the source).
        quiet: No build notice or progress bar on stderr.

    Returns:
        The database path (``source`` itself, or a file in ``$NASBENCH_LITE_CACHE``).

    Raises:
        SourceNotFoundError: No source at the path (a ``FileNotFoundError`` naming the path
            looked at and what to download).
        InvalidInputError: An unknown kind or space, or a database of another NATS space.
        DatabaseError: A nasbench_lite database of another kind.
        CorruptSourceError: A source that is not in the official format (nothing cached).
        BuildError: The cache folder cannot be written.
    """
    if kind not in _DB_KIND:
        raise InvalidInputError(f"kind must be one of {', '.join(_DB_KIND)}, got {kind!r}")
    space = _nats_space(space) if kind == "nats" else None
    if source is not None:
        given = Path(os.fspath(source)).expanduser()
        if given.is_file() and _is_sqlite(given):
            _check_database(given, kind, space, given)
            return given
    path = _resolve_source(source, kind, space)
    cache = _cache_dir()
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(f"{cache}: cannot create the cache folder ({exc})", cache) from exc
    database = cache / _cache_name(kind, path)
    sidecar = database.with_name(database.name + ".identity.json")
    lock = database.with_name(database.name + ".lock")
    identity = _identity(kind, path)
    with _locked(lock, exclusive=False):
        if _current(kind, path, database, sidecar, identity):
            _check_database(database, kind, space, path)
            return database
    with _locked(lock, exclusive=True):
        # Another process may have built it while this one waited for the lock.
        if not _current(kind, path, database, sidecar, identity):
            _build(kind, path, database, space, quiet)
            _write_sidecar(sidecar, identity, database)
    _check_database(database, kind, space, path)
    return database
