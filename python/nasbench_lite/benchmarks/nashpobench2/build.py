"""Builds the NAS-HPO-Bench-II database from the three official pickles (orchestration).

:mod:`.source` reads and checks ``bench12.pkl``, ``cellinfo.pkl`` and ``avgaccs200.pkl`` (the
native restricted reader, bounded; no code in them can run); :mod:`.layout` knows how runs,
epochs and surrogate values are stored. This module turns the records into rows and writes
them, bit for bit, to one SQLite file (``sql/nashpobench2.sql``) inside a
:class:`~nasbench_lite._core.building.BuildSession`, which replaces the output only when the
whole build succeeded.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import numpy as np

from nasbench_lite._core.arguments import check_public
from nasbench_lite._core.building import BuildSession, BuildSummary
from nasbench_lite._core.schema import load_schema
from nasbench_lite.benchmarks.nashpobench2 import layout
from nasbench_lite.benchmarks.nashpobench2.layout import (
    CURVE_COLUMNS,
    EPOCH_METRICS,
    NUM_EPOCHS,
    TOTAL_COLUMNS,
)
from nasbench_lite.benchmarks.nashpobench2.source import (
    SOURCE_FILES,
    Bench12,
    check_accuracy,
    float_column,
    read_bench12,
    read_cellinfo,
    read_surrogate,
    source_paths,
)
from nasbench_lite.spaces.nb201.cellcode import canonical_classes

__all__ = ["SOURCE_FILES", "build_nashpobench2"]


def _run_values(bench12: Bench12) -> tuple[list[Any], list[int], Any, Any]:
    """The stored values of every file row, in file-row order.

    Args:
        bench12: The checked file.

    Returns:
        ``(runs values, runs special_mask, epochs values (rows, 9, 12), epochs special_mask
        (rows, 12))``: per row the three totals then the accuracies after epoch 12 (a copy of
        its epoch-12 values, special bits 0..5), and per epoch the six file values then the
        three official costs.

    Raises:
        CorruptSourceError: A per-epoch or total column that is not numeric.
    """
    columns, path, count = bench12.columns, bench12.path, len(bench12.keys)
    curve_lists = [columns[c] for c in CURVE_COLUMNS]
    curve_arrays = [float_column(columns[c], c, path) for c in CURVE_COLUMNS]
    shape = (count, len(EPOCH_METRICS), NUM_EPOCHS)
    curves = np.stack(curve_arrays, axis=1).reshape(shape)
    curve_specials = np.stack(
        [layout.special_values(v, a) for v, a in zip(curve_lists, curve_arrays, strict=True)],
        axis=1,
    ).reshape(shape)
    total_arrays = [float_column(columns[c], c, path) for c in TOTAL_COLUMNS]
    specials = [
        layout.special_values(columns[c], a)
        for c, a in zip(TOTAL_COLUMNS, total_arrays, strict=True)
    ]
    finals = curves[:, :3, NUM_EPOCHS - 1]
    final_specials = curve_specials[:, :3, NUM_EPOCHS - 1]
    run_values = np.concatenate([np.stack(total_arrays, axis=1), finals], axis=1).tolist()
    run_masks = layout.bit_masks(
        np.concatenate([np.stack(specials, axis=1), final_specials], axis=1)
    ).tolist()
    nones = np.stack(
        [
            np.isnan(a) & ~special
            for a, special in zip(curve_arrays, curve_specials.reshape(count, -1).T, strict=True)
        ],
        axis=1,
    ).reshape(shape)
    costs, cost_specials = layout.official_costs(curves, total_arrays, nones)
    epoch_values = np.concatenate([curves, costs], axis=1)  # (rows, 9, 12)
    curve_masks = layout.bit_masks(
        np.concatenate([curve_specials, cost_specials], axis=1).transpose(0, 2, 1)
    )
    return run_values, run_masks, epoch_values, curve_masks


def _grouping_report(codes: list[str], official: dict[str, Any], ours: dict[str, str]) -> int:
    """Number of codes whose official group (same hash) differs from their canonical class."""
    by_hash: dict[Any, set[str]] = {}
    by_class: dict[str, set[str]] = {}
    for code in codes:
        by_hash.setdefault(official[code], set()).add(code)
        by_class.setdefault(ours[code], set()).add(code)
    return sum(by_hash[official[c]] != by_class[ours[c]] for c in codes)


def build_nashpobench2(
    data_dir: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> BuildSummary:
    """Builds a NAS-HPO-Bench-II database from the official pickles.

    Args:
        data_dir: Folder with ``bench12.pkl``, ``cellinfo.pkl`` and ``avgaccs200.pkl``.
        output: SQLite file to write.
        force: Replace an existing output.
        progress: Optional ``progress(done, total)`` in build steps (files read, tables written).

    Returns:
        A :class:`~nasbench_lite._core.building.BuildSummary` (``rows`` per table; ``meta`` as
        written).

    Raises:
        OutputExistsError: ``output`` exists and ``force`` is False.
        CorruptSourceError: A pickle that is not in the official layout, or that names code
            (:class:`~nasbench_lite._core.formats.safe_pickle.UnsafePickleError`); nothing is
            written.
        BuildError: A missing data folder or file, or an unwritable output.
    """
    paths = source_paths(data_dir, output)
    total_steps, step = 6, 0

    def advance() -> None:
        nonlocal step
        step += 1
        if progress is not None:
            progress(step, total_steps)

    cellinfo = read_cellinfo(paths["cellinfo.pkl"])
    advance()
    surrogate = read_surrogate(paths["avgaccs200.pkl"])
    advance()
    bench12 = read_bench12(paths["bench12.pkl"])
    keys, columns = bench12.keys, bench12.columns
    advance()

    codes = sorted(cellinfo)
    hash_ids: dict[Any, int] = {}
    for code in codes:
        hash_ids.setdefault(cellinfo[code], len(hash_ids))
    lrs = sorted(set(columns["lr"]))
    batch_sizes = sorted(set(columns["batch_size"]))
    seeds = sorted(set(columns["seed"]))
    lr_idx = {v: i for i, v in enumerate(lrs)}
    bs_idx = {v: i for i, v in enumerate(batch_sizes)}
    seed_idx = {v: i for i, v in enumerate(seeds)}

    run_values, run_masks, epoch_values, curve_masks = _run_values(bench12)
    run_rows = []
    orphan_runs = 0
    for row, key in enumerate(keys):
        hash_id = hash_ids.get(key[0])
        if hash_id is None:  # a hash no cell code maps to: unreachable through the API
            orphan_runs += 1
            continue
        ids = (hash_id, lr_idx[key[1]], bs_idx[key[2]], seed_idx[key[3]])
        conf = layout.conf_id(*ids[:3], len(lrs), len(batch_sizes))
        run_rows.append(
            (layout.run_id(conf, ids[3], len(seeds)), *ids, *run_values[row], run_masks[row], row)
        )
    run_rows.sort()  # run_id order: the B-trees fill by appending
    file_rows = np.asarray([r[-1] for r in run_rows], dtype=np.int64)
    run_ids = np.asarray([r[0] for r in run_rows], dtype=np.int64)
    surrogate_rows = []
    orphan_surrogate = 0
    for index, (key, value) in enumerate(surrogate.items()):
        cell_hash, lr, batch_size = key
        h, lr_i, bs_i = hash_ids.get(cell_hash), lr_idx.get(lr), bs_idx.get(batch_size)
        if h is None or lr_i is None or bs_i is None:
            orphan_surrogate += 1
            continue
        accuracy = check_accuracy(value, key, paths["avgaccs200.pkl"], index)
        conf = layout.conf_id(h, lr_i, bs_i, len(lrs), len(batch_sizes))
        surrogate_rows.append((conf, h, lr_i, bs_i, accuracy))
    classes = canonical_classes(codes)
    class_numbers = {rep: n for n, rep in enumerate(sorted(set(classes.values())))}
    differently = _grouping_report(codes, cellinfo, classes)
    advance()

    rows = {
        "hashes": len(hash_ids),
        "cells": len(codes),
        "runs": len(run_rows),
        "epochs": len(run_rows) * NUM_EPOCHS,
        "surrogate": len(surrogate_rows),
    }
    extra_meta = {
        "source": "official NAS-HPO-Bench-II pickles (bench12.pkl, cellinfo.pkl, avgaccs200.pkl)",
        "lrs": json.dumps(lrs),
        "batch_sizes": json.dumps(batch_sizes),
        "seeds": json.dumps(seeds),
        "epochs": "12,200",
        "search_space_size": len(codes) * len(lrs) * len(batch_sizes),
        "orphan_rows.bench12": orphan_runs,
        "orphan_rows.avgaccs200": orphan_surrogate,
        "grouping.official_hashes": len(hash_ids),
        "grouping.canonical_classes": len(class_numbers),
        "grouping.codes_grouped_differently": differently,
    }
    schema = load_schema("nashpobench2")
    with BuildSession(output, schema, force=force, sources=list(paths.values())) as session:
        connection = session.connection
        connection.executemany(layout.INSERT_HASH, [(i, h) for h, i in hash_ids.items()])
        connection.executemany(
            layout.INSERT_CELL,
            [
                (i, c, hash_ids[cellinfo[c]], classes[c], class_numbers[classes[c]])
                for i, c in enumerate(codes)
            ],
        )
        connection.executemany(layout.INSERT_LR, enumerate(lrs))
        connection.executemany(layout.INSERT_BATCH_SIZE, enumerate(batch_sizes))
        connection.executemany(layout.INSERT_SEED, enumerate(seeds))
        advance()
        connection.executemany(layout.INSERT_RUN, (r[:-1] for r in run_rows))
        connection.executemany(
            layout.INSERT_EPOCH,
            layout.epoch_rows(run_ids, file_rows, epoch_values, curve_masks),
        )
        connection.executemany(layout.INSERT_SURROGATE, surrogate_rows)
        for table, count in rows.items():
            session.count(table, count)
        session.set_meta(extra_meta)
    advance()
    return session.result()


check_public(globals())
