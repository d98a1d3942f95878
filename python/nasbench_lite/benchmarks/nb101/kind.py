"""The ``nb101`` kind: NAS-Bench-101 training data from the official TFRecord file(s)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from nasbench_lite._core.building import BuildSummary
from nasbench_lite._core.kinds import BenchmarkKind, Option, Progress, QueryResult, lazy
from nasbench_lite.benchmarks.nb101_space.kind import CELL_QUERY_OPTIONS, cell_spec_from_args

__all__ = ["KIND"]


def _build(args: argparse.Namespace, progress: Progress) -> BuildSummary:
    from nasbench_lite.benchmarks.nb101.build import build_nb101

    total = sum(Path(s).stat().st_size for s in args.sources if Path(s).is_file())
    with progress(total, "reading TFRecords", "B") as update:
        return build_nb101(
            args.sources,
            args.output,
            force=args.force,
            progress=update,
            on_overlap=args.on_overlap,
        )


def _build_lines(summary: BuildSummary) -> list[str]:
    rows = summary.rows
    return [
        f"wrote {summary.path} ({summary.kind}): {rows['cells']:,} cells, "
        f"{rows['records']:,} records, epochs {summary.meta['valid_epochs']}",
        *(
            f"  source {s['name']}: {s['size']:,} bytes, sha256 {s['sha256']}"
            + (f" (official {s['official']})" if s["official"] else " (not an official file)")
            for s in json.loads(summary.meta["sources"])
        ),
    ]


def _query(nasbench: Any, args: argparse.Namespace) -> QueryResult:
    spec = cell_spec_from_args(args)
    if spec is None:
        fixed, computed = nasbench.get_metrics_from_hash(args.hash)
    else:
        fixed, computed = nasbench.get_metrics_from_spec(spec)
    payload = {
        "module_adjacency": fixed["module_adjacency"].tolist(),
        "module_operations": fixed["module_operations"],
        "trainable_parameters": fixed["trainable_parameters"],
        "computed_stats": {str(e): runs for e, runs in computed.items()},
    }
    lines = [
        f"operations    {', '.join(fixed['module_operations'])}",
        f"parameters    {fixed['trainable_parameters']:,}",
        "epochs  repeat  final train / validation / test accuracy   training time (s)",
    ]
    for epochs, runs in sorted(computed.items()):
        for repeat, run in enumerate(runs):
            lines.append(
                f"{epochs:6d}  {repeat:6d}  {run['final_train_accuracy']:.6f} / "
                f"{run['final_validation_accuracy']:.6f} / {run['final_test_accuracy']:.6f}"
                f"   {run['final_training_time']:.1f}"
            )
    return payload, lines


KIND = BenchmarkKind(
    name="nb101",
    command="nb101",
    title="NAS-Bench-101 training data from the official TFRecord file(s)",
    description=(
        "Read nasbench_full.tfrecord and/or nasbench_only108.tfrecord (no TensorFlow) and "
        "write one SQLite file; every record is checked (CRCs, protobuf, hash)."
    ),
    open=lazy("nasbench_lite.benchmarks.nb101.reader:NASBench"),
    surface=lazy("nasbench_lite.benchmarks.nb101.surface:NB101Surface"),
    build=_build,
    build_options=(
        Option(("sources",), {"nargs": "+", "type": Path, "help": "official .tfrecord file(s)"}),
        Option(
            ("--on-overlap",),
            {
                "choices": ("refuse", "skip-duplicates", "keep-all"),
                "default": "refuse",
                "help": (
                    "sources holding the same runs (full + 108-only, one file twice): refuse "
                    "(default), store each run once, or keep every copy as extra repeats"
                ),
            },
        ),
    ),
    build_lines=_build_lines,
    query=_query,
    query_options=CELL_QUERY_OPTIONS,
    exporters={
        "cells": lazy("nasbench_lite.benchmarks.nb101.exporting:cells_batches"),
        "runs": lazy("nasbench_lite.benchmarks.nb101.exporting:runs_batches"),
    },
    source_names=("*.tfrecord",),
)
