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

from nasbench_lite.errors import InternalError

# Loading a schema is on the cold path of every open (a first query: target < 50 ms with the
# import): re, dataclasses (with inspect), importlib.resources and pathlib are imported only
# where needed (typing.TYPE_CHECKING without importing typing).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Schema", "load_schema", "parse_schema"]

#: The header syntax (the reference; :func:`_header_fields` gives its answer without ``re``
#: for the plain headers every packaged schema has).
_HEADER_PATTERN = r"^--\s*(kind|schema_version|build):\s*(.+?)\s*$"
_HEADER_KEYS = ("kind", "schema_version", "build")
_KEY_PREFIXES = tuple(f"{key}:" for key in _HEADER_KEYS)
#: Whitespace other than space, tab and newline (``\s`` matches these as well; with them the
#: regex decides).
_ODD_SPACE = frozenset("\r\x0b\x0c\x1c\x1d\x1e\x1f")


def _header_fields(head: str) -> dict[str, str]:
    """``dict(re.findall(_HEADER_PATTERN, head, re.MULTILINE))``.

    Line by line without ``re`` when the text is ASCII with only space / tab / newline as
    whitespace and no header line lets the regex continue on the next line (a bare ``--``
    followed by a key, or ``-- key:`` with nothing after it); otherwise by the regex itself.
    """
    if head.isascii() and _ODD_SPACE.isdisjoint(head):
        fields: dict[str, str] = {}
        lines = head.split("\n")
        for index, line in enumerate(lines):
            if not line.startswith("--"):
                continue
            rest = line[2:].lstrip(" \t")
            if not rest:
                # A bare `--` (a separator): `--\s*` goes on across newlines, so a match
                # starts here only if the next text is a key; then let the regex decide.
                tail = "\n".join(lines[index + 1 :]).lstrip(" \t\n")
                if tail.startswith(_KEY_PREFIXES):
                    break
                continue
            key, colon, value = rest.partition(":")
            if not colon or key not in _HEADER_KEYS:
                continue
            value = value.strip(" \t")
            if not value:
                break  # `:\s*` may go on across the newline
            fields[key] = value
        else:
            return fields
    import re

    return dict(re.findall(_HEADER_PATTERN, head, re.MULTILINE))


class Schema:
    """One kind's SQL schema and the facts its header declares (immutable).

    Attributes:
        kind: The ``meta.kind`` a database of this schema carries.
        version: The schema version (``meta.schema_version``).
        build_command: The CLI command that builds such a database (for error messages).
        sql: The whole script (tables only; post-load indexes come from the builder).
    """

    # A frozen value class written out (equality, hash, immutability, positional and keyword
    # construction): @dataclass would import dataclasses and inspect on every open.
    __slots__ = ("kind", "version", "build_command", "sql")
    __match_args__ = ("kind", "version", "build_command", "sql")

    kind: str
    version: int
    build_command: str
    sql: str

    def __init__(self, kind: str, version: int, build_command: str, sql: str) -> None:
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "version", version)
        object.__setattr__(self, "build_command", build_command)
        object.__setattr__(self, "sql", sql)

    def _fields(self) -> tuple[str, int, str, str]:
        return (self.kind, self.version, self.build_command, self.sql)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Schema) and other.__class__ is self.__class__:
            return self._fields() == other._fields()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._fields())

    def __setattr__(self, name: str, value: Any) -> None:
        from dataclasses import FrozenInstanceError

        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        from dataclasses import FrozenInstanceError

        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (Schema, self._fields())

    def __repr__(self) -> str:
        return (
            f"Schema(kind={self.kind!r}, version={self.version}, "
            f"build_command={self.build_command!r}, sql=<{len(self.sql):,} chars>)"
        )


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
    fields = _header_fields(text[:2000])
    missing = {"kind", "schema_version", "build"} - set(fields)
    if missing or not fields["schema_version"].isdigit():
        raise InternalError(f"{origin}: schema header lacks {sorted(missing) or 'a version'}")
    return Schema(fields["kind"], int(fields["schema_version"]), fields["build"], text)


def _packaged_text(kind: str) -> str:
    """The text of ``sql/<kind>.sql`` in the package (InternalError when absent)."""
    # The package is a folder on disk (wheel or checkout): read the file directly, which
    # spares importlib.resources (~2-8 ms here). Elsewhere (a zip import) ask the loader.
    folder = os.path.dirname(__file__)
    if os.path.isdir(folder):
        try:
            with open(
                os.path.join(os.path.dirname(folder), "sql", f"{kind}.sql"), encoding="utf-8"
            ) as handle:
                return handle.read()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise InternalError(
                f"no schema file sql/{kind}.sql in the nasbench_lite package"
            ) from None
    from importlib import resources

    resource = resources.files("nasbench_lite").joinpath("sql").joinpath(f"{kind}.sql")
    if not resource.is_file():
        raise InternalError(f"no schema file sql/{kind}.sql in the nasbench_lite package")
    return resource.read_text(encoding="utf-8")


@functools.cache
def _packaged(kind: str) -> Schema:
    schema = parse_schema(_packaged_text(kind), f"sql/{kind}.sql")
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
    from pathlib import Path

    path = Path(kind_or_path)
    return parse_schema(path.read_text(encoding="utf-8"), str(path))
