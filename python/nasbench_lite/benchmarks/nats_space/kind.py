"""The ``nats_space`` kind: both NATS-Bench search spaces, no training data needed.

There is no official file to read: ``source.py`` is the space definition (generated from
:mod:`nasbench_lite.spaces.nb201`) and produces the rows the other files store.
"""

from __future__ import annotations

import argparse
from typing import Any

from nasbench_lite._core.building import BuildSummary
from nasbench_lite._core.kinds import BenchmarkKind, Option, Progress, QueryResult, lazy
from nasbench_lite.errors import InvalidInputError

__all__ = ["ARCH_QUERY_OPTION", "KIND", "arch_from_args"]

#: ``query --arch`` (shared with the ``nats`` kind).
ARCH_QUERY_OPTION = Option(("--arch",), {"help": "NATS: official index or arch string"})


def arch_from_args(args: argparse.Namespace) -> int | str:
    """The ``--arch`` value: an int index when all digits, else an arch string.

    Args:
        args: Parsed ``query`` arguments.

    Returns:
        The index or string.

    Raises:
        InvalidInputError: ``--arch`` missing.
    """
    if args.arch is None:
        raise InvalidInputError("give --arch INDEX or --arch ARCH_STRING for a NATS database")
    return int(args.arch) if str(args.arch).isdigit() else str(args.arch)


def _build(args: argparse.Namespace, progress: Progress) -> BuildSummary:
    from nasbench_lite.benchmarks.nats_space.build import build_nats_space

    with progress(48_393, "writing NATS spaces", "arch") as update:
        return build_nats_space(args.output, force=args.force, progress=update)


def _query(spaces: Any, args: argparse.Namespace) -> QueryResult:
    arch = arch_from_args(args)
    space = args.space or ("tss" if isinstance(arch, int) or "|" in arch else "sss")
    record = spaces.get(arch, space)
    return record, [f"  {k:22s} {v}" for k, v in record.items()]


KIND = BenchmarkKind(
    name="nats_space",
    command="nats-space",
    title="the NATS-Bench topology and size spaces (no download needed)",
    description=(
        "Write both NATS-Bench search spaces in official index order, with the official "
        "isomorphism classes of the topology space and exact parameter/FLOP counts."
    ),
    open=lazy("nasbench_lite.benchmarks.nats_space.reader:NATSSpaces"),
    build=_build,
    build_lines=lambda s: [
        f"wrote {s.path} ({s.kind}): {s.rows['topologies']:,} topologies "
        f"({s.meta['topology_classes']} isomorphism classes), {s.rows['sizes']:,} sizes"
    ],
    query=_query,
    query_options=(
        ARCH_QUERY_OPTION,
        Option(("--space",), {"choices": ("tss", "sss"), "help": "NATS space (default: guessed)"}),
    ),
)
