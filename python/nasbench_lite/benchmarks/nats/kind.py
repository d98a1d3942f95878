"""The ``nats`` kind: NATS-Bench (tss or sss) training results from the official files."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from nasbench_lite._core.building import BuildSummary
from nasbench_lite._core.kinds import BenchmarkKind, Option, Progress, QueryResult, lazy
from nasbench_lite.benchmarks.nats_space.kind import ARCH_QUERY_OPTION, arch_from_args
from nasbench_lite.errors import InvalidInputError

__all__ = ["KIND"]


def _open(path: Any) -> Any:
    from nasbench_lite._core.database import Database
    from nasbench_lite.benchmarks.nats.reader import create

    with Database(path, "nats") as db:  # checks kind and version before reading the space
        space = db.meta.get("space", "")
    return create(path, space)


def _build(args: argparse.Namespace, progress: Progress) -> BuildSummary:
    from nasbench_lite.benchmarks.nats.build import build_nats

    with progress(None, "reading NATS-Bench results", "arch") as update:
        return build_nats(
            args.source, args.output, space=args.space, force=args.force, progress=update
        )


def _build_lines(summary: BuildSummary) -> list[str]:
    rows, meta = summary.rows, summary.meta
    return [
        f"wrote {summary.path} ({meta['space']}): {rows['archs']:,} architectures, "
        f"{rows['archs_with_results']:,} with results, {rows['runs']:,} trials "
        f"(hp {', '.join(json.loads(meta['hps']))})"
    ]


def _query(api: Any, args: argparse.Namespace) -> QueryResult:
    arch = arch_from_args(args)
    index = api.query_index_by_arch(arch)
    if index < 0:
        raise InvalidInputError(f"{arch!r} is not an architecture of the {api.meta['space']} space")
    is_random = False if args.seed is None else args.seed
    info = api.get_more_info(index, args.dataset, args.epoch, args.hp, is_random)
    costs = api.get_cost_info(index, args.dataset, args.hp)
    payload = {"arch_index": index, "arch_str": api[index], "info": info, "costs": costs}
    info.pop("comment", None)
    lines = [f"arch {index}  {payload['arch_str']}  ({args.dataset}, hp={args.hp})"]
    lines += [f"  {k:22s} {v}" for k, v in info.items()]
    lines += [f"  {k:22s} {v}" for k, v in costs.items()]
    return payload, lines


KIND = BenchmarkKind(
    name="nats",
    command="nats",
    title="NATS-Bench (tss or sss) results from an official archive directory or file",
    description=(
        "Read an official NATS-Bench '-simple' archive directory (meta.pickle.pbz2 + one "
        "file per architecture, possibly only some) or the single .pickle.pbz2 benchmark "
        "file, with a restricted unpickler (no code in them can run), and write one SQLite "
        "file; every file is checked against the official layout."
    ),
    open=_open,
    surface=lazy("nasbench_lite.benchmarks.nats.surface:open_surface"),
    build=_build,
    build_options=(
        Option(
            ("source",),
            {"type": Path, "help": "NATS-{tss,sss}-v1_0-*-simple/ or *.pickle.pbz2"},
        ),
        Option(
            ("--space",),
            {"choices": ("tss", "sss"), "help": "search space (default: detected from the source)"},
        ),
    ),
    build_lines=_build_lines,
    query=_query,
    query_options=(
        ARCH_QUERY_OPTION,
        Option(("--dataset",), {"default": "cifar10-valid", "help": "NATS dataset"}),
        Option(
            ("--hp",), {"default": "12", "help": "NATS hp ('12'/'200' tss, '01'/'12'/'90' sss)"}
        ),
        Option(("--epoch",), {"type": int, "help": "NATS: 0-based epoch (default: the last)"}),
        Option(
            ("--seed",),
            {"type": int, "help": "NATS: one trial's seed (default: mean over the trials)"},
        ),
    ),
    exporters={
        "runs": lazy("nasbench_lite.benchmarks.nats.exporting:runs_batches"),
        "curves": lazy("nasbench_lite.benchmarks.nats.exporting:curves_batches"),
    },
    source_names=("NATS-*.pickle.pbz2", "NATS-*-simple", "NATS-*-full", "*.pickle.pbz2"),
)
