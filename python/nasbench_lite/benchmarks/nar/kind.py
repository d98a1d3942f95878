"""The ``nar`` kind: the NAR cell-information JSON files, checked against our cost model."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from nasbench_lite._core.building import BuildSummary
from nasbench_lite._core.kinds import BenchmarkKind, Option, Progress, QueryResult, lazy
from nasbench_lite.errors import InvalidInputError

__all__ = ["KIND"]


def _build(args: argparse.Namespace, progress: Progress) -> BuildSummary:
    from nasbench_lite.benchmarks.nar.build import build_nar

    total = sum(Path(s).stat().st_size for s in args.sources if Path(s).is_file())
    with progress(total, "reading NAR JSON", "B") as update:
        return build_nar(args.sources, args.output, force=args.force, progress=update)


def _build_lines(summary: BuildSummary) -> list[str]:
    rows = summary.rows
    return [
        f"wrote {summary.path}: {rows['nar101']:,} NB101 records "
        f"({rows['mismatched.nar101']:,} differ from our cost model), "
        f"{rows['nar201']:,} NB201 records ({rows['mismatched.nar201']:,} differ)"
    ]


def _query(data: Any, args: argparse.Namespace) -> QueryResult:
    if (args.hash is None) == (args.arch is None):
        raise InvalidInputError("give --hash (NB101 record) or --arch INDEX (NB201 record)")
    if args.arch is not None and not str(args.arch).isdigit():
        raise InvalidInputError("--arch must be an NB201 architecture index for a NAR database")
    record = data.get(args.hash if args.hash is not None else int(args.arch))
    return record, [f"  {k:28s} {v}" for k, v in record.items()]


KIND = BenchmarkKind(
    name="nar",
    command="nar",
    title="NAR cell-information JSON file(s), checked against the cost model",
    description=(
        "Stream the NAR NB101 and/or NB201 cell-information JSON files into one SQLite file; "
        "every record's FLOPs/params (and NB101 hash) are compared with nasbench_lite's."
    ),
    open=lazy("nasbench_lite.benchmarks.nar.reader:NARData"),
    build=_build,
    build_options=(
        Option(("sources",), {"nargs": "+", "type": Path, "help": "NAR .json file(s)"}),
    ),
    build_lines=_build_lines,
    query=_query,
    query_options=(
        Option(("--hash",), {"help": "NB101: module hash"}),
        Option(("--arch",), {"help": "NATS: official index or arch string"}),
    ),
    source_names=("nasbench*_with_*flops_and_params.json",),
)
