"""Database schemas as SQL files: ``sql/<kind>.sql`` shipped as package data.

Each file starts with a header that is the single source of truth for its kind::

    -- kind: nb101_space
    -- schema_version: 2
    -- build: nasbench-lite build nb101-space -o OUT

Readers compare ``meta.schema_version`` with the header's version, and a refusal names the
``build`` command that makes a current database. Adding a schema needs no native rebuild: the
file is read at run time (a kind outside the package passes its own file path).
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from nasbench_lite.errors import InternalError

__all__ = ["Schema", "load_schema", "parse_schema"]

_HEADER = re.compile(r"^--\s*(kind|schema_version|build):\s*(.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Schema:
    """One kind's SQL schema and the facts its header declares.

    Attributes:
        kind: The ``meta.kind`` a database of this schema carries.
        version: The schema version (``meta.schema_version``).
        build_command: The CLI command that builds such a database (for error messages).
        sql: The whole script (tables only; post-load indexes come from the builder).
    """

    kind: str
    version: int
    build_command: str
    sql: str


def parse_schema(text: str, origin: str = "<schema>") -> Schema:
    """Reads the header of a schema script.

    Args:
        text: The SQL text.
        origin: Where the text comes from (for the error message).

    Returns:
        The :class:`Schema`.

    Raises:
        InternalError: The header lacks ``kind``, ``schema_version`` or ``build``.
    """
    fields = dict(_HEADER.findall(text[:2000]))
    missing = {"kind", "schema_version", "build"} - set(fields)
    if missing or not fields["schema_version"].isdigit():
        raise InternalError(f"{origin}: schema header lacks {sorted(missing) or 'a version'}")
    return Schema(fields["kind"], int(fields["schema_version"]), fields["build"], text)


@functools.cache
def _packaged(kind: str) -> Schema:
    resource = resources.files("nasbench_lite").joinpath("sql").joinpath(f"{kind}.sql")
    if not resource.is_file():
        raise InternalError(f"no schema file sql/{kind}.sql in the nasbench_lite package")
    schema = parse_schema(resource.read_text(encoding="utf-8"), f"sql/{kind}.sql")
    if schema.kind != kind:
        raise InternalError(f"sql/{kind}.sql declares kind {schema.kind!r}")
    return schema


def load_schema(kind_or_path: str | os.PathLike[str]) -> Schema:
    """The schema of a packaged kind (``'nats'`` -> ``sql/nats.sql``) or of a ``.sql`` file.

    Args:
        kind_or_path: A kind name shipped with the package, or a path to a schema file (a kind
            defined outside the package).

    Returns:
        The :class:`Schema` (packaged ones are read once per process).

    Raises:
        InternalError: No such packaged schema, or a file without the header.
    """
    if isinstance(kind_or_path, str) and not kind_or_path.endswith(".sql"):
        return _packaged(kind_or_path)
    path = Path(kind_or_path)
    return parse_schema(path.read_text(encoding="utf-8"), str(path))
