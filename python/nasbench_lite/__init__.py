"""nasbench_lite: NAS benchmarks as one SQLite file each, with a Rust core.

Import the benchmark you need (``from nasbench_lite import nb101``), or open any database with
``nasbench_lite.open(path)`` (the reader of its kind); nothing heavy is imported or opened here,
so ``import nasbench_lite`` stays cheap.
"""

from __future__ import annotations

from nasbench_lite.errors import (
    BuildError,
    CorruptSourceError,
    DatabaseError,
    IndexOutOfRangeError,
    InternalError,
    InvalidInputError,
    InvalidSpecError,
    NasbenchLiteError,
    NotADatabaseError,
    NotInDatabaseError,
    OutOfDomainError,
    OutputExistsError,
    SchemaVersionError,
    UnknownKindError,
    UnsafePickleError,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~5-30 ms here)
if TYPE_CHECKING:
    from typing import Any

__version__ = "0.1.0"

__all__ = [
    "BuildError",
    "CorruptSourceError",
    "DatabaseError",
    "IndexOutOfRangeError",
    "InternalError",
    "InvalidInputError",
    "InvalidSpecError",
    "NasbenchLiteError",
    "NotInDatabaseError",
    "OutOfDomainError",
    "OutputExistsError",
    "NotADatabaseError",
    "SchemaVersionError",
    "UnknownKindError",
    "UnsafePickleError",
    "__version__",
    "open",
    "sql",
]


def __getattr__(name: str) -> Any:
    # ``nasbench_lite.open`` pulls in apsw and the registry: import it only when asked for.
    if name == "open":
        from nasbench_lite.registry import open_database

        return open_database
    if name == "sql":  # a function; the package's sql/ folder holds the schema files
        from nasbench_lite.sqlquery import sql

        return sql
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
