"""The ``nashpobench2`` kind: NAS-HPO-Bench-II from the three official pickles."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from nasbench_lite._core.building import BuildSummary
from nasbench_lite._core.kinds import BenchmarkKind, Option, Progress, QueryResult, lazy
from nasbench_lite.errors import InvalidInputError

__all__ = ["KIND"]


def _build(args: argparse.Namespace, progress: Progress) -> BuildSummary:
    from nasbench_lite.benchmarks.nashpobench2.build import build_nashpobench2

    with progress(6, "building NAS-HPO-Bench-II", "step") as update:
        return build_nashpobench2(args.data_dir, args.output, force=args.force, progress=update)


def _build_lines(summary: BuildSummary) -> list[str]:
    rows, meta = summary.rows, summary.meta
    return [
        f"wrote {summary.path} ({summary.kind}): {rows['cells']:,} cell codes "
        f"({rows['hashes']:,} official hashes, {meta['grouping.canonical_classes']} "
        f"canonical classes, {meta['grouping.codes_grouped_differently']} codes grouped "
        f"differently), {rows['runs']:,} runs, {rows['surrogate']:,} surrogate values",
    ]


def _query(api: Any, args: argparse.Namespace) -> QueryResult:
    if args.cellcode is None or args.lr is None or args.batch_size is None:
        raise InvalidInputError(
            "give --cellcode, --lr and --batch-size for a NAS-HPO-Bench-II database"
        )
    epoch = args.epochs
    accuracy, cost = api.query_by_key(
        args.cellcode, args.lr, args.batch_size, epoch=epoch, mode=args.mode, enable_log=False
    )
    payload = {
        "cellcode": args.cellcode,
        "lr": args.lr,
        "batch_size": args.batch_size,
        "epoch": epoch,
        "mode": args.mode,
        "accuracy": accuracy,
        "cost": cost,
    }
    lines = [f"  {k:12s} {v}" for k, v in payload.items()]
    return payload, lines


KIND = BenchmarkKind(
    name="nashpobench2",
    command="nashpobench2",
    title="NAS-HPO-Bench-II from the official pickles (bench12, cellinfo, avgaccs200)",
    description=(
        "Read bench12.pkl, cellinfo.pkl and avgaccs200.pkl from DATA_DIR (with a restricted "
        "unpickler: no code in them can run) and write one SQLite file."
    ),
    open=lazy("nasbench_lite.benchmarks.nashpobench2.reader:API"),
    surface=lazy("nasbench_lite.benchmarks.nashpobench2.surface:NHB2Surface"),
    build=_build,
    build_options=(
        Option(("data_dir",), {"type": Path, "help": "folder with the three official .pkl files"}),
    ),
    build_lines=_build_lines,
    query=_query,
    query_options=(
        Option(("--cellcode",), {"help": "NAS-HPO-Bench-II: cell code, e.g. '0|12|345'"}),
        Option(("--lr",), {"type": float, "help": "NAS-HPO-Bench-II: learning rate"}),
        Option(("--batch-size",), {"type": int, "help": "NAS-HPO-Bench-II: batch size"}),
        Option(
            ("--epochs",),
            {"type": int, "default": 12, "choices": (12, 200), "help": "NHB-II: epoch budget"},
        ),
        Option(
            ("--mode",),
            {"default": "valid", "choices": ("train", "valid", "test"), "help": "NHB-II mode"},
        ),
    ),
    source_names=("bench12.pkl", "cellinfo.pkl", "avgaccs200.pkl"),
)
