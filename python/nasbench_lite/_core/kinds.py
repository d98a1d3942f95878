"""The contract of a database kind: :class:`BenchmarkKind`.

Each kind declares itself once (``benchmarks/<kind>/kind.py``): its schema, how to build it from
CLI arguments, how to open it, how to answer ``query`` and which tables it exports in an
expanded form. The registry lists these declarations and the CLI and export are generated from
them, so adding a kind touches neither ``_core`` nor ``cli.py``.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from nasbench_lite._core.building import BuildSummary
from nasbench_lite._core.database import Database
from nasbench_lite._core.schema import Schema, load_schema

__all__ = ["BenchmarkKind", "Option", "Progress", "QueryResult", "lazy"]

#: ``progress(total, label, unit)`` -> a context manager yielding ``update(done, total)``.
Progress = Callable[[int | None, str, str], AbstractContextManager[Callable[[int, int], None]]]

#: A ``query`` answer: the JSON payload and the human-readable lines.
QueryResult = tuple[dict[str, Any], list[str]]


def lazy(reference: str) -> Callable[..., Any]:
    """A callable that imports ``module:attribute`` on first call and forwards to it.

    Kind declarations name their reader, builder and exporters this way, so listing the kinds
    (the CLI's ``--help``) imports none of their code.

    Args:
        reference: ``'package.module:name'``.

    Returns:
        The forwarding callable.
    """
    module_name, _, attribute = reference.partition(":")

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module_name), attribute)(*args, **kwargs)

    call.__qualname__ = call.__name__ = f"lazy({reference})"
    return call


@dataclass(frozen=True)
class Option:
    """One command-line option a kind contributes (``argparse.add_argument`` arguments).

    Attributes:
        flags: E.g. ``("--hash",)`` or ``("sources",)``.
        kwargs: Keyword arguments of ``add_argument``.
    """

    flags: tuple[str, ...]
    kwargs: Mapping[str, Any] = field(default_factory=dict)

    def add_to(self, parser: argparse.ArgumentParser | Any) -> None:
        """Adds the option to a parser or argument group.

        Args:
            parser: An ``argparse`` parser or group.
        """
        parser.add_argument(*self.flags, **dict(self.kwargs))


@dataclass(frozen=True)
class BenchmarkKind:
    """The one declaration of a database kind.

    Attributes:
        name: ``meta.kind`` of its databases (and its schema's kind).
        command: The ``nasbench-lite build`` target name (e.g. ``'nb101-space'``).
        title: One-line description (CLI help, ``info``).
        description: Longer description of the build target (CLI ``--help``).
        schema: Returns the kind's :class:`Schema` (default: the packaged ``sql/<name>.sql``).
        open: Opens a database of this kind (returns the reader).
        build: Runs a build from parsed CLI arguments and a progress factory.
        build_options: The build target's own options (``-o``/``--force`` are common).
        build_lines: Summary lines printed after a build.
        query: Answers ``nasbench-lite query`` on an open reader.
        query_options: Options ``query`` needs for this kind (merged by flag across kinds).
        exporters: Table -> streamer of ``pyarrow.RecordBatch`` for tables exported in an
            expanded form (the others are written as stored).
        source_names: File/dir name patterns (``fnmatch``) of the official sources, so that
            opening one by mistake names :attr:`command`.
        surface: Wraps an open reader in the kind's uniform query surface
            (``nasbench_lite.open(path, uniform=True)``); None for kinds without results.
    """

    name: str
    command: str
    title: str
    open: Callable[[Any], Any]
    build: Callable[[argparse.Namespace, Progress], BuildSummary]
    schema: Callable[[], Schema] | None = None
    description: str = ""
    build_options: Sequence[Option] = ()
    build_lines: Callable[[BuildSummary], list[str]] = lambda s: [
        f"wrote {s.path} ({s.kind}): "
        + ", ".join(f"{n:,} {table}" for table, n in sorted(s.rows.items()))
    ]
    query: Callable[[Any, argparse.Namespace], QueryResult] | None = None
    query_options: Sequence[Option] = ()
    exporters: Mapping[str, Callable[[Database], Iterator[Any]]] = field(default_factory=dict)
    source_names: Sequence[str] = ()
    surface: Callable[[Any], Any] | None = None

    def get_schema(self) -> Schema:
        """The kind's schema."""
        return load_schema(self.name) if self.schema is None else self.schema()

    def __repr__(self) -> str:
        return (
            f"BenchmarkKind(name={self.name!r}, command={self.command!r}, title={self.title!r}, "
            f"exported={sorted(self.exporters)}, queryable={self.query is not None})"
        )

    @property
    def build_command(self) -> str:
        """The full command that builds such a database (from the schema header)."""
        return self.get_schema().build_command
