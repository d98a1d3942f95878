"""The ``nasbench-lite enumerate nb101`` command: every unique NB101 cell to one file.

Split from :mod:`nasbench_lite.cli` (which registers the subcommand): the output format follows
the file extension (Parquet, CSV, JSON, JSON Lines), is checked before any work, and the file
is written atomically; the progress bar names the vertex count under way.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nasbench_lite._cli_support import check_output_file, emit, progressbar
from nasbench_lite._optional import import_pyarrow
from nasbench_lite.errors import InvalidInputError

__all__ = ["ENUMERATE_FORMATS", "cmd_enumerate", "enumerate_format", "enumeration_label"]


#: ``enumerate`` output formats by file extension.
ENUMERATE_FORMATS = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
    ".json": "json",
    ".jsonl": "jsonl",
}


def enumerate_format(out: Path) -> str:
    """The output format named by ``out``'s extension (see :data:`ENUMERATE_FORMATS`).

    Raises:
        InvalidInputError: An unknown extension.
    """
    fmt = ENUMERATE_FORMATS.get(out.suffix.lower())
    if fmt is None:
        known = ", ".join(ENUMERATE_FORMATS)
        raise InvalidInputError(
            f"{out}: unknown output extension {out.suffix or '(none)'!r} (use one of {known})"
        )
    return fmt


def cmd_enumerate(args: argparse.Namespace) -> int:
    """Runs ``enumerate nb101`` with the parsed arguments (checked before any work).

    Returns:
        The exit code (0).
    """
    from nasbench_lite._core.building import atomic_output
    from nasbench_lite.nb101 import count_labelled_graphs, enumerate_cells

    fmt = enumerate_format(args.out)  # every check before the enumeration
    check_output_file(args.out, force=args.force)
    import_pyarrow()  # the enumeration returns an Arrow table: name the extra up front
    cumulative = [
        count_labelled_graphs(n, args.max_edges, args.num_ops)
        for n in range(2, args.max_vertices + 1)
    ]
    total = cumulative[-1]
    with progressbar(
        total, enumeration_label(0, cumulative), quiet=args.quiet, unit="graph"
    ) as bar:
        done = 0

        def step(visited: int) -> None:
            # ``visited`` is an increment: any granularity works (the native call reports
            # every 65,536 labelled graphs).
            nonlocal done
            done += visited
            bar(done, total)
            bar.label(enumeration_label(done, cumulative))

        table = enumerate_cells(args.max_vertices, args.max_edges, args.num_ops, progress=step)
    with atomic_output(args.out, force=args.force) as temp:
        _write_cells(table, temp, fmt)
    emit(
        {"path": str(args.out), "format": fmt, "rows": table.num_rows},
        args.json,
        [f"wrote {args.out}: {table.num_rows:,} cells ({fmt})"],
    )
    return 0


def enumeration_label(done: int, cumulative: Sequence[int]) -> str:
    """The enumeration bar's label: the vertex count under way and its share of the work.

    The native enumeration reports once per vertex count and the last one holds most of the
    graphs (90% for the full space), so the label says which step runs and how big it is
    rather than letting a still bar look hung.

    Args:
        done: Labelled graphs enumerated so far.
        cumulative: Labelled graphs up to and including each vertex count, from 2 vertices.

    Returns:
        E.g. ``"enumerating NB101 cells: 7 vertices (step 6/6, 90% of the graphs)"``.
    """
    total = cumulative[-1] if cumulative else 0
    before = 0
    for step, upto in enumerate(cumulative, start=1):
        if done < upto:
            share = (upto - before) / total if total else 1.0
            return (
                f"enumerating NB101 cells: {step + 1} vertices "
                f"(step {step}/{len(cumulative)}, {share:.0%} of the graphs)"
            )
        before = upto
    return "enumerated NB101 cells"


def _write_cells(table: Any, path: Path, fmt: str) -> None:
    """Writes the enumerated cells: Parquet as is, CSV flat (ops joined), JSON one object a row."""
    if fmt == "parquet":
        pq = import_pyarrow("parquet")
        pq.write_table(table, path, compression="zstd")
    elif fmt == "csv":
        pacsv = import_pyarrow("csv")
        flat = table.drop_columns(["adjacency", "ops", "labels"]).append_column(
            "ops", _joined(table.column("ops").to_pylist())
        )
        pacsv.write_csv(flat, path)
    else:
        with open(path, "w", encoding="utf-8") as handle:
            first = True
            handle.write("[\n" if fmt == "json" else "")
            for batch in table.to_batches(max_chunksize=50_000):
                for row in batch.to_pylist():
                    if fmt == "json" and not first:
                        handle.write(",\n")
                    handle.write(json.dumps(row, separators=(",", ":")))
                    handle.write("\n" if fmt == "jsonl" else "")
                    first = False
            handle.write("\n]\n" if fmt == "json" else "")


def _joined(ops: list[list[str]]) -> Any:
    pa = import_pyarrow()

    return pa.array([",".join(row) for row in ops], pa.string())
