"""Builds the NAS-HPO-Bench-II database from the three official pickles.

``DATA_DIR`` holds ``bench12.pkl`` (column dict of the 12-epoch runs keyed by ``(cell_hash, lr,
batch_size, seed)``), ``cellinfo.pkl`` (``{'hash': {cellcode: cell_hash}, ...}``) and
``avgaccs200.pkl`` (``{'avg_acc': {(cell_hash, lr, batch_size): accuracy}}``). They are read
with the native restricted reader :mod:`nasbench_lite._core.formats.native_pickle` (no code in
them can run; bounded by :data:`~nasbench_lite._core.formats.native_pickle.NASHPOBENCH2_LIMITS`),
checked for the
official layout
and written, bit for bit, to one SQLite file (``sql/nashpobench2.sql``) that replaces the
output only when the whole build succeeded.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from nasbench_lite._core.arguments import check_public
from nasbench_lite._core.building import BuildSession, BuildSummary
from nasbench_lite._core.formats import native_pickle
from nasbench_lite._core.schema import load_schema
from nasbench_lite.benchmarks.nashpobench2.layout import (
    COST_COLUMNS,
    CURVE_COLUMNS,
    EPOCH_METRICS,
    NUM_EPOCHS,
    TOTAL_COLUMNS,
)
from nasbench_lite.errors import BuildError, CorruptSourceError, OutOfDomainError, echo
from nasbench_lite.spaces.nb201.cellcode import canonical_classes, check_cellcode

__all__ = ["SOURCE_FILES", "build_nashpobench2"]


def load_path(path: Path) -> Any:
    """One official pickle, read natively within the NAS-HPO-Bench-II limits."""
    return native_pickle.load_path(path, limits=native_pickle.NASHPOBENCH2_LIMITS)


SOURCE_FILES = ("bench12.pkl", "cellinfo.pkl", "avgaccs200.pkl")
_KEY_COLUMNS = ("lr", "batch_size", "seed")
#: Runs per chunk of ``epochs`` rows handed to SQLite (bounded memory for 1.6M rows).
_EPOCH_CHUNK_RUNS = 8192


def _column(bench: dict[str, Any], name: str, keys: list[Any], path: Path) -> list[Any]:
    """Values of one bench12 column in ``keys`` order (fast path: same key order)."""
    column = bench.get(name)
    if not isinstance(column, dict):
        raise CorruptSourceError(f"{path}: column {name!r} is missing or not a dict", path)
    if len(column) == len(keys) and list(column) == keys:
        return list(column.values())
    for index, key in enumerate(keys):
        if key not in column:
            raise CorruptSourceError(
                f"{path}: column {name!r} has no value for row {key!r}", path, record_index=index
            )
    if len(column) != len(keys):
        raise CorruptSourceError(
            f"{path}: column {name!r} has {len(column)} rows, column 'lr' has {len(keys)}", path
        )
    return [column[key] for key in keys]


def _read_cellinfo(path: Path) -> dict[str, Any]:
    data = load_path(path)
    table = data.get("hash") if isinstance(data, dict) else None
    if not isinstance(table, dict) or not table:
        raise CorruptSourceError(f"{path}: expected a dict with a non-empty 'hash' dict", path)
    for index, (code, value) in enumerate(table.items()):
        try:
            check_cellcode(code)
        except OutOfDomainError as exc:
            raise CorruptSourceError(f"{path}: {exc}", path, record_index=index) from None
        if not isinstance(value, str | int | bytes) or isinstance(value, bool):
            raise CorruptSourceError(
                f"{path}: cell hash of {code!r} is a {type(value).__name__}, expected str or int",
                path,
                record_index=index,
            )
    return table


def _read_bench12(path: Path) -> tuple[list[Any], dict[str, list[Any]]]:
    bench = load_path(path)
    if not isinstance(bench, dict) or not isinstance(bench.get("lr"), dict):
        raise CorruptSourceError(f"{path}: expected a column dict with an 'lr' column", path)
    keys = list(bench["lr"])
    if not keys:
        raise CorruptSourceError(f"{path}: no rows", path)
    for index, key in enumerate(keys):
        if not isinstance(key, tuple) or len(key) != 4:
            raise CorruptSourceError(
                f"{path}: row key {key!r} is not (cell_hash, lr, batch_size, seed)",
                path,
                record_index=index,
            )
    columns = {
        name: _column(bench, name, keys, path)
        for name in (*_KEY_COLUMNS, *TOTAL_COLUMNS, *CURVE_COLUMNS)
    }
    for position, name in enumerate(_KEY_COLUMNS, start=1):
        for index, (key, value) in enumerate(zip(keys, columns[name], strict=True)):
            if key[position] != value:
                raise CorruptSourceError(
                    f"{path}: row {key!r} has {name} = {value!r}, its key says {key[position]!r}",
                    path,
                    record_index=index,
                )
    return keys, columns


def _read_surrogate(path: Path) -> dict[Any, Any]:
    data = load_path(path)
    table = data.get("avg_acc") if isinstance(data, dict) else None
    if not isinstance(table, dict):
        raise CorruptSourceError(f"{path}: expected a dict with an 'avg_acc' dict", path)
    for index, key in enumerate(table):
        if not isinstance(key, tuple) or len(key) != 3:
            raise CorruptSourceError(
                f"{path}: key {key!r} is not (cell_hash, lr, batch_size)", path, record_index=index
            )
    return table


def _floats(values: list[Any], name: str, path: Path) -> Any:
    try:
        raw = np.asarray(values)
    except (TypeError, ValueError) as exc:
        raise CorruptSourceError(f"{path}: column {name!r} is not numeric ({exc})", path) from exc
    # numpy turns True into 1.0 and "0.5" into 0.5 without a word: look at the element types
    # unless every value is a plain float/int (the fast, normal case).
    if raw.dtype.kind not in "fiu" or not all(type(v) in (float, int) for v in values):
        # Strings (even "0.5") and booleans are refused, not coerced: the official loader keeps
        # them as they are, so a float here would be a value the source does not hold.
        for index, value in enumerate(values):
            if value is not None and (
                isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number)
            ):
                raise CorruptSourceError(
                    f"{path}: column {name!r} is not numeric: row {index} is "
                    f"{type(value).__name__} {echo(value)}, not a number",
                    path,
                    record_index=index,
                )
    try:
        return np.asarray(values, dtype="<f8")  # None stays NaN, as before
    except (TypeError, ValueError) as exc:
        raise CorruptSourceError(f"{path}: column {name!r} is not numeric ({exc})", path) from exc


def _special(values: list[Any], array: Any) -> Any:
    """Where the file holds NaN or -0.0 (which SQLite stores as NULL / 0.0), not None."""
    special = np.isnan(array) | ((array == 0.0) & np.signbit(array))
    if special.any():
        for index in np.flatnonzero(special):
            if values[index] is None:  # None is stored as NULL, no bit: the file's value
                special[index] = False
    return special


def _masks(bits: Any) -> Any:
    """Bit masks along the last axis (bit i: column i)."""
    weights = np.left_shift(1, np.arange(bits.shape[-1], dtype=np.int64))
    return (bits.astype(np.int64) * weights).sum(axis=-1)


def _official_costs(curves: Any, totals: list[Any], nones: Any) -> tuple[Any, Any]:
    """The official API's cost of each (mode, iepoch) query, and where it is NaN / -0.0.

    ``query_by_key(mode=m, iepoch=k)`` charges, for k < 12, ``sum()`` over the per-epoch times
    of epochs 1..k, train times first, then valid, then test (modes train / valid / test add
    one more kind each), and for k = 12 the file's totals (``total_train_time``,
    ``total_trainval_time``, ``total_trainval_time + total_test_time``). Computed here with the
    same float additions in the same order, so each value equals the official one bit for bit.

    Args:
        curves: ``(runs, 6, 12)`` per-epoch values (:data:`EPOCH_METRICS` order).
        totals: The three total arrays.
        nones: ``(runs, 6, 12)``: where the file holds None (the official sum fails there).

    Returns:
        ``(costs (runs, 3, 12), special (runs, 3, 12))``; a cost with a None among its terms is
        NaN without the special bit (stored NULL: the official call raises ``TypeError``).
    """
    runs = curves.shape[0]
    times, none_times = curves[:, 3:6, :], nones[:, 3:6, :]
    costs = np.empty((runs, 3, NUM_EPOCHS))
    failing = np.zeros((runs, 3, NUM_EPOCHS), dtype=bool)
    for mode in range(3):
        for last in range(1, NUM_EPOCHS):
            cost = np.zeros(runs)  # sum() starts at int 0: 0 + x is x
            for kind in range(mode + 1):
                for epoch in range(last):
                    cost = cost + times[:, kind, epoch]
            costs[:, mode, last - 1] = cost
            failing[:, mode, last - 1] = none_times[:, : mode + 1, :last].any(axis=(1, 2))
    costs[:, 0, -1], costs[:, 1, -1] = totals[0], totals[1]
    costs[:, 2, -1] = totals[1] + totals[2]
    special = (np.isnan(costs) & ~failing) | ((costs == 0.0) & np.signbit(costs))
    return costs, special


def _epoch_rows(run_ids: Any, rows: Any, curves: Any, masks: Any) -> Any:
    """``epochs`` rows ``(run_id, epoch, 9 values, special_mask)`` in (run_id, epoch) order.

    ``curves`` is ``(runs, 9, 12)`` (the six file columns, then the three official costs) in
    file-row order, ``rows`` the file rows of ``run_ids``.
    """
    epochs = list(range(1, NUM_EPOCHS + 1))
    for start in range(0, len(run_ids), _EPOCH_CHUNK_RUNS):
        chunk = rows[start : start + _EPOCH_CHUNK_RUNS]
        values = curves[chunk].transpose(0, 2, 1).tolist()  # (runs, 12, 9)
        bits = masks[chunk].tolist()  # (runs, 12)
        for run_id, run_values, run_bits in zip(
            run_ids[start : start + _EPOCH_CHUNK_RUNS].tolist(), values, bits, strict=True
        ):
            for epoch, epoch_values, mask in zip(epochs, run_values, run_bits, strict=True):
                yield (run_id, epoch, *epoch_values, mask)


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
    folder = Path(data_dir)
    if not folder.is_dir():
        raise BuildError(f"{folder}: no such data folder", output)
    paths = {name: folder / name for name in SOURCE_FILES}
    for path in paths.values():
        if not path.is_file():
            raise BuildError(
                f"{path}: missing (the data folder needs {', '.join(SOURCE_FILES)})", output
            )
    total_steps, step = 6, 0

    def advance() -> None:
        nonlocal step
        step += 1
        if progress is not None:
            progress(step, total_steps)

    cellinfo = _read_cellinfo(paths["cellinfo.pkl"])
    advance()
    surrogate = _read_surrogate(paths["avgaccs200.pkl"])
    advance()
    keys, columns = _read_bench12(paths["bench12.pkl"])
    advance()

    bench_path = paths["bench12.pkl"]
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

    curve_lists = [columns[c] for c in CURVE_COLUMNS]
    curve_arrays = [_floats(columns[c], c, bench_path) for c in CURVE_COLUMNS]
    shape = (len(keys), len(EPOCH_METRICS), NUM_EPOCHS)
    curves = np.stack(curve_arrays, axis=1).reshape(shape)
    curve_specials = np.stack(
        [_special(v, a) for v, a in zip(curve_lists, curve_arrays, strict=True)], axis=1
    ).reshape(shape)
    total_arrays = [_floats(columns[c], c, bench_path) for c in TOTAL_COLUMNS]
    specials = [_special(columns[c], a) for c, a in zip(TOTAL_COLUMNS, total_arrays, strict=True)]
    # runs row values: the three totals, then the accuracies after epoch 12 (a copy of the
    # epochs row 12), with their special bits 0..5.
    finals = curves[:, :3, NUM_EPOCHS - 1]
    final_specials = curve_specials[:, :3, NUM_EPOCHS - 1]
    run_values = np.concatenate([np.stack(total_arrays, axis=1), finals], axis=1).tolist()
    run_masks = _masks(np.concatenate([np.stack(specials, axis=1), final_specials], axis=1))
    run_masks = run_masks.tolist()
    nones = np.stack(
        [
            np.isnan(a) & ~special
            for a, special in zip(
                curve_arrays, curve_specials.reshape(len(keys), -1).T, strict=True
            )
        ],
        axis=1,
    ).reshape(shape)
    costs, cost_specials = _official_costs(curves, total_arrays, nones)
    epoch_values = np.concatenate([curves, costs], axis=1)  # (runs, 9, 12)
    curve_masks = _masks(np.concatenate([curve_specials, cost_specials], axis=1).transpose(0, 2, 1))
    run_rows = []
    orphan_runs = 0
    for row, key in enumerate(keys):
        hash_id = hash_ids.get(key[0])
        if hash_id is None:  # a hash no cell code maps to: unreachable through the API
            orphan_runs += 1
            continue
        ids = (hash_id, lr_idx[key[1]], bs_idx[key[2]], seed_idx[key[3]])
        run_rows.append(
            (
                ((ids[0] * len(lrs) + ids[1]) * len(batch_sizes) + ids[2]) * len(seeds) + ids[3],
                *ids,
                *run_values[row],
                run_masks[row],
                row,
            )
        )
    run_rows.sort()  # run_id order: the B-trees fill by appending
    file_rows = np.asarray([r[-1] for r in run_rows], dtype=np.int64)
    run_ids = np.asarray([r[0] for r in run_rows], dtype=np.int64)
    surrogate_rows = []
    orphan_surrogate = 0
    for index, ((cell_hash, lr, batch_size), value) in enumerate(surrogate.items()):
        h, lr_i, bs_i = hash_ids.get(cell_hash), lr_idx.get(lr), bs_idx.get(batch_size)
        if h is None or lr_i is None or bs_i is None:
            orphan_surrogate += 1
            continue
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise CorruptSourceError(
                f"{paths['avgaccs200.pkl']}: accuracy of {(cell_hash, lr, batch_size)!r} is "
                f"{value!r}, not a number",
                paths["avgaccs200.pkl"],
                record_index=index,
            )
        conf_id = (h * len(lrs) + lr_i) * len(batch_sizes) + bs_i
        surrogate_rows.append((conf_id, h, lr_i, bs_i, float(value)))
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
        connection.executemany(
            "INSERT INTO hashes(hash_id, cell_hash) VALUES (?, ?)",
            [(i, h) for h, i in hash_ids.items()],
        )
        connection.executemany(
            "INSERT INTO cells(cell_idx, cellcode, hash_id, canonical_cellcode,"
            " canonical_class) VALUES (?, ?, ?, ?, ?)",
            [
                (i, c, hash_ids[cellinfo[c]], classes[c], class_numbers[classes[c]])
                for i, c in enumerate(codes)
            ],
        )
        connection.executemany("INSERT INTO lrs VALUES (?, ?)", enumerate(lrs))
        connection.executemany("INSERT INTO batch_sizes VALUES (?, ?)", enumerate(batch_sizes))
        connection.executemany("INSERT INTO seeds VALUES (?, ?)", enumerate(seeds))
        advance()
        connection.executemany(
            "INSERT INTO runs(run_id, hash_id, lr_idx, bs_idx, seed_idx, total_train_time,"
            " total_trainval_time, total_test_time, final_train_acc, final_valid_acc,"
            " final_test_acc, special_mask) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (r[:-1] for r in run_rows),
        )
        connection.executemany(
            f"INSERT INTO epochs(run_id, epoch, {', '.join(EPOCH_METRICS + COST_COLUMNS)},"
            " special_mask) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            _epoch_rows(run_ids, file_rows, epoch_values, curve_masks),
        )
        connection.executemany(
            "INSERT INTO surrogate(conf_id, hash_id, lr_idx, bs_idx, avg_acc) VALUES (?,?,?,?,?)",
            surrogate_rows,
        )
        for table, count in rows.items():
            session.count(table, count)
        session.set_meta(extra_meta)
    advance()
    return session.result()


check_public(globals())
