"""The ``nb101_space`` kind: the enumerated NAS-Bench-101 space (no download needed).

There is no official file to read: ``source.py`` is the space definition (the enumeration,
checked against the published hash list) and generates the rows the other files store.
"""

from __future__ import annotations

import argparse
from typing import Any

from nasbench_lite._core.building import BuildSummary
from nasbench_lite._core.kinds import BenchmarkKind, Option, Progress, QueryResult, lazy
from nasbench_lite.errors import InvalidInputError

__all__ = ["CELL_QUERY_OPTIONS", "KIND", "cell_spec_from_args"]

#: ``query`` options shared by the two NB101 kinds (a cell by hash or by matrix/ops).
CELL_QUERY_OPTIONS = (
    Option(("--hash",), {"help": "NB101: module hash"}),
    Option(("--matrix",), {"help": "NB101: adjacency matrix as JSON"}),
    Option(("--ops",), {"help": "NB101: ops as JSON"}),
)


def cell_spec_from_args(args: argparse.Namespace) -> Any:
    """The ``--matrix``/``--ops`` spec, or None for ``--hash`` (exactly one must be given).

    Args:
        args: Parsed ``query`` arguments.

    Returns:
        A ``ModelSpec`` or None.

    Raises:
        InvalidInputError: Neither or both forms, or ``--matrix`` without ``--ops``.
    """
    if (args.hash is None) == (args.matrix is None):
        raise InvalidInputError("give either --hash or --matrix with --ops")
    if args.matrix is not None and args.ops is None:
        raise InvalidInputError("--matrix needs --ops")
    if args.hash is not None:
        return None
    from nasbench_lite.spaces.nb101.parse import spec_from_json

    return spec_from_json(args.matrix, args.ops)


def _build(args: argparse.Namespace, progress: Progress) -> BuildSummary:
    from nasbench_lite.benchmarks.nb101_space.build import build_nb101_space
    from nasbench_lite.spaces.nb101.enumerate import count_labelled_graphs

    with progress(count_labelled_graphs(), "enumerating NB101 cells", "graph") as update:
        return build_nb101_space(args.output, force=args.force, progress=update)


def _query(space: Any, args: argparse.Namespace) -> QueryResult:
    spec = cell_spec_from_args(args)
    record = space.get(args.hash) if spec is None else space.get_spec(spec)
    payload = dict(record)
    payload["module_adjacency"] = record["module_adjacency"].tolist()
    lines = [
        f"hash          {record['hash']}",
        f"cell_id       {record['cell_id']}",
        f"vertices      {record['num_vertices']}",
        f"edges         {record['num_edges']}",
        f"operations    {', '.join(record['module_operations'])}",
        f"parameters    {record['trainable_parameters']:,}",
        f"flops         {record['flops']:,}",
        "adjacency",
        *("  " + " ".join(str(x) for x in row) for row in payload["module_adjacency"]),
    ]
    return payload, lines


KIND = BenchmarkKind(
    name="nb101_space",
    command="nb101-space",
    title="the NAS-Bench-101 search space (423,624 cells; no download needed)",
    description="Enumerate the NAS-Bench-101 space and write it to one SQLite file.",
    open=lazy("nasbench_lite.benchmarks.nb101_space.reader:SearchSpace"),
    build=_build,
    build_lines=lambda s: [f"wrote {s.path} ({s.kind}): {s.rows['cells']:,} cells"],
    query=_query,
    query_options=CELL_QUERY_OPTIONS,
)
