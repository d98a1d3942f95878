"""nasbench_lite: NAS benchmarks as one SQLite file each, with a Rust core.

Import the benchmark you need (``from nasbench_lite import nb101``); nothing heavy is imported
or opened here, so ``import nasbench_lite`` stays cheap.
"""

from nasbench_lite.errors import (
    BuildError,
    CorruptSourceError,
    DatabaseError,
    IndexOutOfRangeError,
    InternalError,
    InvalidInputError,
    InvalidSpecError,
    NasbenchLiteError,
    NotInDatabaseError,
    OutOfDomainError,
    OutputExistsError,
    SchemaVersionError,
)

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
    "SchemaVersionError",
    "__version__",
]
