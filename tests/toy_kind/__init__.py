"""A toy benchmark kind declared outside the package: its own SQL, source, reader, exporter.

Its source format is ``name<TAB>score`` lines. Registered only explicitly
(``registry.kinds(extra=[KIND])`` or ``NASBENCH_LITE_EXTRA_KINDS=toy_kind:KIND``).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from nasbench_lite._core.building import BuildSession, BuildSummary
from nasbench_lite._core.database import Database
from nasbench_lite._core.kinds import BenchmarkKind, Option, Progress, QueryResult
from nasbench_lite._core.reader import ReaderBase
from nasbench_lite._core.schema import Schema, load_schema
from nasbench_lite.errors import CorruptSourceError, InvalidInputError, NotInDatabaseError

SCHEMA_PATH = Path(__file__).with_name("toy.sql")


def schema() -> Schema:
    return load_schema(SCHEMA_PATH)


def read_source(path: Path) -> Iterator[tuple[str, float]]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        name, tab, score = line.partition("\t")
        try:
            yield name, float(score)
        except ValueError as exc:
            raise CorruptSourceError(f"{path}: line {number + 1}", path, number) from exc
        if not tab:
            raise CorruptSourceError(f"{path}: line {number + 1} has no tab", path, number)


def build_toy(source: Path, output: os.PathLike[str] | str, *, force: bool = False) -> BuildSummary:
    with BuildSession(output, schema(), force=force, sources=[source]) as session:
        rows = [(n, s, n.encode()[::-1]) for n, s in read_source(Path(source))]
        session.connection.executemany("INSERT INTO scores VALUES (?, ?, ?)", rows)
        session.count("scores", len(rows))
        session.set_meta({"source": "toy scores"})
    return session.result()


class ToyReader(ReaderBase):
    @classmethod
    def schema(cls) -> Schema:
        return schema()

    def score(self, arch: str) -> float:
        rows = self._query("SELECT score FROM scores WHERE arch = ?", (arch,))
        if not rows:
            raise NotInDatabaseError(arch)
        return float(rows[0][0])

    def random_arch(self) -> str:
        names = [r[0] for r in self._query("SELECT arch FROM scores ORDER BY arch")]
        return self.draw(lambda rng: rng.choice(names))


def _build(args: argparse.Namespace, progress: Progress) -> BuildSummary:
    with progress(1, "toy", "file") as update:
        summary = build_toy(args.source, args.output, force=args.force)
        update(1, 1)
    return summary


def _query(reader: ToyReader, args: argparse.Namespace) -> QueryResult:
    if args.toy_arch is None:
        raise InvalidInputError("give --toy-arch NAME for a toy database")
    score = reader.score(args.toy_arch)
    return {"arch": args.toy_arch, "score": score}, [f"{args.toy_arch}: {score}"]


def _export_scores(db: Database) -> Iterator[Any]:
    import pyarrow as pa

    for rows in db.stream("SELECT arch, score, code FROM scores ORDER BY arch"):
        arch, score, code = zip(*rows, strict=True)
        decoded = [bytes(c)[::-1].decode() for c in code]
        yield pa.record_batch(
            [pa.array(arch), pa.array(score), pa.array(decoded)], names=["arch", "score", "decoded"]
        )


KIND = BenchmarkKind(
    name="toy",
    command="toy",
    title="a toy benchmark from the test suite",
    schema=schema,
    open=ToyReader,
    build=_build,
    build_options=(Option(("source",), {"type": Path, "help": "name<TAB>score lines"}),),
    query=_query,
    query_options=(Option(("--toy-arch",), {"help": "toy: architecture name"}),),
    exporters={"scores": _export_scores},
    source_names=("*.toyscores",),
)
