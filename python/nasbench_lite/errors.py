"""Exception hierarchy of nasbench_lite.

Every error raised on purpose derives from :class:`NasbenchLiteError`; each child also derives
from the builtin class callers of the official APIs already catch (``ValueError`` for bad specs,
``KeyError`` for unknown hashes), so ported code keeps working.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (cheap package import)
if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "NasbenchLiteError",
    "InvalidSpecError",
    "OutOfDomainError",
    "IndexOutOfRangeError",
    "InvalidInputError",
    "NotInDatabaseError",
    "DatabaseError",
    "SchemaVersionError",
    "BuildError",
    "CorruptSourceError",
    "OutputExistsError",
    "OverlappingSourcesError",
    "SourceMismatchError",
    "MissingDependencyError",
    "NotCopyableError",
    "SourceNotFoundError",
    "CompatAssertionError",
    "InternalError",
    "UnsafePickleError",
    "NotADatabaseError",
    "UnknownKindError",
    "CorruptDatabaseError",
    "ECHO_LIMIT",
    "echo",
]


def _as_path(path: str | os.PathLike[str]) -> Path:
    """``Path(path)``; pathlib is imported when an error needs it, not with the package."""
    from pathlib import Path

    return Path(path)


class NasbenchLiteError(Exception):
    """Root of every error nasbench_lite raises on purpose."""


class InvalidSpecError(NasbenchLiteError, ValueError):
    """A cell spec the original ``ModelSpec`` constructor would reject (same messages).

    Attributes:
        row: Index of the offending row when raised by a batch function, else None.
    """

    row: int | None = None


class OutOfDomainError(NasbenchLiteError, ValueError):
    """A spec or query outside the benchmark's domain (the official ``OutOfDomainError``).

    Attributes:
        row: Index of the offending row when raised by a batch function, else None.
    """

    row: int | None = None


class InvalidInputError(NasbenchLiteError, ValueError):
    """Malformed batch input: wrong shape, dtype or values.

    Attributes:
        row: Index of the first offending row, when the problem is row-specific.
    """

    def __init__(self, message: str, row: int | None = None) -> None:
        super().__init__(message)
        self.row = row


class IndexOutOfRangeError(OutOfDomainError, IndexError):
    """A sequence-style index outside the benchmark (``api[i]``): a ValueError and IndexError."""


class NotInDatabaseError(NasbenchLiteError, KeyError):
    """A key (hash, index, ...) that the database does not hold."""

    def __str__(self) -> str:  # KeyError would repr() the message; keep it readable.
        return str(self.args[0]) if self.args else ""


class DatabaseError(NasbenchLiteError):
    """A database file that cannot be opened or read as a nasbench_lite database.

    Attributes:
        path: The database path.
    """

    def __init__(self, message: str, path: str | os.PathLike[str] | None = None) -> None:
        super().__init__(message)
        self.path = None if path is None else _as_path(path)


class CorruptDatabaseError(DatabaseError):
    """A database file whose bytes are damaged (truncated, overwritten, altered pages or rows).

    Rebuild it, or restore a good copy; ``nasbench-lite verify DB`` runs the full check.
    """


class SchemaVersionError(DatabaseError):
    """A database written with another schema version than this package reads.

    Attributes:
        expected: The schema version this package reads.
        actual: The version recorded in the file.
    """

    def __init__(
        self, message: str, path: str | os.PathLike[str], expected: int, actual: str
    ) -> None:
        super().__init__(message, path)
        self.expected = expected
        self.actual = actual


class NotADatabaseError(DatabaseError):
    """A file that is not a nasbench_lite database, e.g. an official source passed by mistake.

    Attributes:
        path: The file.
        build_command: The command that builds a database from it, when it is a known source.
    """

    def __init__(
        self, message: str, path: str | os.PathLike[str], build_command: str | None = None
    ) -> None:
        super().__init__(message, path)
        self.build_command = build_command


class UnknownKindError(DatabaseError):
    """A nasbench_lite-style database whose ``meta.kind`` no registered kind declares.

    Attributes:
        path: The database.
        kind: The recorded kind.
    """

    def __init__(self, message: str, path: str | os.PathLike[str], kind: str) -> None:
        super().__init__(message, path)
        self.kind = kind


class BuildError(NasbenchLiteError):
    """A build that failed; the output path was left untouched.

    Attributes:
        path: The output path of the build.
    """

    def __init__(self, message: str, path: str | os.PathLike[str] | None = None) -> None:
        super().__init__(message)
        self.path = None if path is None else _as_path(path)


class CorruptSourceError(BuildError, ValueError):
    """A source file that does not match its official format (nothing was written).

    Attributes:
        path: The source file.
        record_index: 0-based index of the offending record, when known.
        byte_offset: Byte offset of that record in the file, when known.
    """

    def __init__(
        self,
        message: str,
        path: str | os.PathLike[str] | None = None,
        record_index: int | None = None,
        byte_offset: int | None = None,
    ) -> None:
        super().__init__(message, path)
        self.record_index = record_index
        self.byte_offset = byte_offset


class OutputExistsError(BuildError, FileExistsError):
    """The output file exists and ``force`` was not given."""


class OverlappingSourcesError(BuildError, ValueError):
    """Build sources that hold the same runs (the same file twice, full + 108-only, ...).

    Attributes:
        path: The output path of the build.
        sources: The overlapping source files, in the order given.
    """

    def __init__(
        self,
        message: str,
        path: str | os.PathLike[str] | None,
        sources: tuple[Path, ...],
    ) -> None:
        super().__init__(message, path)
        self.sources = sources


class SourceMismatchError(NasbenchLiteError, ValueError):
    """A file that is not the official file its name, size or checksum says it should be.

    Raised by :func:`nasbench_lite.sources.verify_file` for a truncated or altered download
    and for a file the sources manifest does not know.

    Attributes:
        path: The file checked.
        expected: Manifest names the file was compared with (empty: nothing matched).
        actual_size: The file's size in bytes.
        actual_sha256: The file's SHA-256 (None when it was not computed).
    """

    def __init__(
        self,
        message: str,
        path: str | os.PathLike[str],
        expected: tuple[str, ...] = (),
        actual_size: int | None = None,
        actual_sha256: str | None = None,
    ) -> None:
        super().__init__(message)
        self.path = _as_path(path)
        self.expected = expected
        self.actual_size = actual_size
        self.actual_sha256 = actual_sha256


class NotCopyableError(NasbenchLiteError, TypeError):
    """An object that cannot be pickled or copied: a closed reader, or a reader of a kind
    whose copies are not offered (a ``TypeError``, as ``pickle`` raises for such objects)."""


class MissingDependencyError(NasbenchLiteError, ImportError):
    """An optional dependency is not installed (e.g. pyarrow, the ``arrow`` extra).

    Attributes:
        package: The missing import package.
        extra: The ``nasbench-lite[...]`` extra that installs it.
    """

    def __init__(self, message: str, package: str, extra: str) -> None:
        super().__init__(message, name=package)
        self.package = package
        self.extra = extra


class SourceNotFoundError(NasbenchLiteError, FileNotFoundError):
    """An official benchmark file or folder that is not where it was looked for.

    Attributes:
        path: The path looked at (the first one, when several were tried).
        kind: The benchmark kind (``'nb101'``, ``'nats'``, ``'nashpobench2'``).
        filename: ``str(path)``, as on every ``FileNotFoundError``.
    """

    def __init__(self, message: str, path: str | os.PathLike[str], kind: str) -> None:
        super().__init__(message)
        self.path = _as_path(path)
        self.kind = kind
        self.filename = str(path)

    def __str__(self) -> str:  # OSError would format errno/filename; keep the full message.
        return str(self.args[0])


class CompatAssertionError(NasbenchLiteError, AssertionError):
    """Bad input that an official package rejects with ``assert`` (an AssertionError there).

    Raised by ``nasbench_lite.compat`` only (the native APIs raise OutOfDomainError), and also
    under ``python -O``, where the official check vanishes. Not a ValueError, as officially.
    """


class InternalError(NasbenchLiteError, RuntimeError):
    """A bug in nasbench_lite (e.g. a panic in the native module), never a user mistake."""


class UnsafePickleError(CorruptSourceError):
    """A pickle that names a global outside the allow-list (nothing it names was run).

    Attributes:
        module: The module of the refused global.
        name: Its qualified name.
    """

    def __init__(
        self, message: str, path: str | os.PathLike[str] | None, module: str, name: str
    ) -> None:
        super().__init__(message, path)
        self.module = module
        self.name = name


#: The most characters of a caller's value that an error message echoes.
ECHO_LIMIT = 200


def echo(value: object, limit: int = ECHO_LIMIT) -> str:
    """``repr(value)`` for an error message, capped at ``limit`` characters.

    Never raises (a value whose repr fails or recurses is shown by its type).

    Args:
        value: The offending value.
        limit: The cap.

    Returns:
        The text, with ``...[N chars]`` when shortened.
    """
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
        limit = ECHO_LIMIT  # never raise, not even for a bad cap
    try:
        text = repr(value)
    except Exception:  # a hostile __repr__ must not replace the error being reported
        text = f"<{type(value).__name__}>"
    if len(text) <= limit:
        return text
    return f"{text[:limit]}...[{len(text)} chars]"
