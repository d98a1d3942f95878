"""``NASBench.query_many``: whole-population lookups in one SQL statement, vectorised after it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from nasbench_lite._optional import import_pyarrow
from nasbench_lite.errors import InvalidInputError, OutOfDomainError
from nasbench_lite.spaces.nb101.batch import check_many
from nasbench_lite.spaces.nb101.spec import AVAILABLE_OPS, MAX_VERTICES, ModelSpec

if TYPE_CHECKING:
    import pyarrow as pa

    from nasbench_lite.benchmarks.nb101.reader import NASBench

__all__ = ["query_many"]

_FIELDS = 8  # per repeat: 4 halfway values then 4 final values (see api.METRIC_FIELDS)


def query_many(
    api: NASBench,
    models: Any,
    epochs: int,
    stop_halfway: bool,
    repeat: str | int,
    count_budget: bool,
) -> pa.Table:
    """Implements :meth:`~nasbench_lite.benchmarks.nb101.reader.NASBench.query_many`."""
    pa = import_pyarrow()

    if epochs not in api.valid_epochs:
        raise OutOfDomainError(f"invalid number of epochs, must be one of {api.valid_epochs}")
    fixed_repeat = isinstance(repeat, int) and not isinstance(repeat, bool)
    if not fixed_repeat and repeat not in ("random", "mean", "all"):
        raise InvalidInputError(f"repeat must be 'random', 'mean', 'all' or an int, got {repeat!r}")
    if count_budget and not (fixed_repeat or repeat == "random"):
        raise InvalidInputError("count_budget needs repeat='random' or an int repeat")
    hashes, valid = _hashes_of(models)
    count = len(hashes)
    rows = api._query(
        "SELECT j.key, c.trainable_parameters, r.repeats, r.metrics FROM json_each(?) j"
        " JOIN cells c ON c.hash = j.value"
        " JOIN runs r ON r.cell_id = c.cell_id AND r.epochs = ?",
        (json.dumps(hashes), epochs),
    )
    rows = [row for row in rows if valid[row[0]]]
    positions = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
    params = np.zeros(count, dtype=np.int64)
    params[positions] = [row[1] for row in rows]
    counts = np.zeros(count, dtype=np.int64)
    counts[positions] = [row[2] for row in rows]
    width = int(counts.max()) if count else 0
    # runs[i, r] = the 8 values of repeat r of input i (NaN where absent).
    runs = np.full((count, max(width, 1), _FIELDS), np.nan)
    if rows and bool(np.all(counts[positions] == width)):
        blob = b"".join(row[3] for row in rows)
        runs[positions] = np.frombuffer(blob, dtype="<f8").reshape(len(rows), width, _FIELDS)
    else:
        for position, _, n, blob in rows:
            runs[position, :n] = np.frombuffer(blob, dtype="<f8").reshape(n, _FIELDS)
    half = runs[:, :, 0:4] if stop_halfway else runs[:, :, 4:8]
    found = counts > 0
    if repeat == "all":
        per_input = np.where(found, counts, 1)
        index = np.repeat(np.arange(count), per_input)
        starts = np.cumsum(per_input) - per_input
        chosen = np.arange(len(index)) - np.repeat(starts, per_input)
        hit = found[index]
        values = half[index, chosen]
        repeats_out = np.where(hit, chosen, -1)
    else:
        index = np.arange(count)
        if repeat == "mean":
            with np.errstate(invalid="ignore"):
                values = np.nanmean(np.where(found[:, None, None], half, 0.0), axis=1)
            hit = found
            repeats_out = np.full(count, -1)
        else:
            chosen = np.full(count, -1, dtype=np.int64)
            if fixed_repeat:
                chosen[found] = int(repeat)
            else:
                chosen[found] = api._draw_repeats(int(found.sum()))
            hit = found & (chosen >= 0) & (chosen < counts)
            values = np.full((count, 4), np.nan)
            values[hit] = half[hit, chosen[hit]]
            repeats_out = np.where(hit, chosen, -1)
    if count_budget:
        with api.locked():
            api.training_time_spent += float(values[hit, 0].sum())
            api.total_epochs_spent += int(hit.sum()) * (epochs // 2 if stop_halfway else epochs)
    mask = ~hit
    hash_array = np.asarray(hashes, dtype=object)[index]
    return pa.table(
        {
            "index": pa.array(index, pa.int64()),
            "hash": pa.array(hash_array, pa.string(), mask=hash_array == ""),
            "valid": pa.array(np.asarray(valid, dtype=bool)[index]),
            "found": pa.array(hit),
            "epochs": pa.array(np.full(len(index), epochs, dtype=np.int32)),
            "repeat": pa.array(repeats_out.astype(np.int8), pa.int8(), mask=repeats_out < 0),
            "trainable_parameters": pa.array(params[index], pa.int64(), mask=mask),
            "training_time": pa.array(values[:, 0], pa.float64(), mask=mask),
            "train_accuracy": pa.array(values[:, 1], pa.float64(), mask=mask),
            "validation_accuracy": pa.array(values[:, 2], pa.float64(), mask=mask),
            "test_accuracy": pa.array(values[:, 3], pa.float64(), mask=mask),
        }
    )


def _hashes_of(models: Any) -> tuple[list[str], list[bool]]:
    """Module hashes (``''`` when invalid) and validity of every input row."""
    if isinstance(models, tuple) and len(models) == 2 and not isinstance(models[0], str):
        result = check_many(models[0], models[1])
        return result.hash.tolist(), result.valid.tolist()
    items = list(models.tolist() if isinstance(models, np.ndarray) else models)
    if all(isinstance(item, str) for item in items):
        return [str(item) for item in items], [True] * len(items)
    if not all(isinstance(item, ModelSpec) for item in items):
        raise InvalidInputError("models must be ModelSpecs, module hashes, or (matrices, ops)")
    return _hash_specs(items)


def _hash_specs(specs: list[ModelSpec]) -> tuple[list[str], list[bool]]:
    """Hashes pruned specs in one native batch; specs that cannot fit (disconnected, more than
    7 vertices, entries other than 0/1) are invalid anyway."""
    width = MAX_VERTICES
    matrices: npt.NDArray[np.uint8] = np.zeros((len(specs), width, width), dtype=np.uint8)
    ops = np.full((len(specs), width), "", dtype=f"U{max(len(op) for op in AVAILABLE_OPS)}")
    usable = np.zeros(len(specs), dtype=bool)
    by_size: dict[int, list[int]] = {}
    for row, spec in enumerate(specs):
        if spec.matrix is not None and spec.ops is not None and len(spec.ops) <= width:
            by_size.setdefault(len(spec.ops), []).append(row)
    for n, rows in by_size.items():
        block = np.stack([specs[r].matrix for r in rows])  # type: ignore[misc]
        names = np.array([specs[r].ops for r in rows], dtype=object)
        fits = ((block == 0) | (block == 1)).all(axis=(1, 2))
        known = np.isin(names, ["", "input", "output", *AVAILABLE_OPS]).all(axis=1)
        good = np.asarray(rows)[fits & known]
        matrices[good, :n, :n] = block[fits & known]
        ops[good, :n] = names[fits & known].astype(str)
        usable[good] = True
    result = check_many(matrices, ops)
    valid = result.valid & usable
    return np.where(valid, result.hash, "").tolist(), valid.tolist()
