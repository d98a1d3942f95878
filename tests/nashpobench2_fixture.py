"""Writes synthetic NAS-HPO-Bench-II data in the official pickle layout.

Layout (``shared/formats/nashpobench2.md``): ``bench12.pkl`` is a column dict (the shape of
``DataFrame.to_dict()``) whose columns map ``(cell_hash, lr, batch_size, seed)`` to a value;
the row-key tuples are shared between columns, as pandas shares its MultiIndex tuples, so the
pickle memoises them. ``cellinfo.pkl`` is ``{'hash': {cellcode: cell_hash}, ...}`` and
``avgaccs200.pkl`` is ``{'avg_acc': {(cell_hash, lr, batch_size): accuracy}}``.

Cell hashes group codes by our canonical classes, except that a few classes are split or
merged on purpose (real data and our canonical form need not agree, and the builder must take
the file's grouping as the truth). Also used by ``benchmarks/bench_nashpobench2.py`` for the
full-size data set.
"""

from __future__ import annotations

import hashlib
import pickle
import random
from pathlib import Path
from typing import Any

from nasbench_lite.spaces.nb201.cellcode import all_cellcodes, canonical_classes

LRS = (0.003125, 0.00625, 0.0125, 0.025, 0.05, 0.1, 0.2, 0.4)
BATCH_SIZES = (16, 32, 64, 128, 256, 512)
SEEDS = (222, 555, 888)
EPOCHS = 12


def cell_hashes(cellcodes: list[str], *, split: int = 2, merge: int = 1) -> dict[str, str]:
    """A cellinfo 'hash' table: our canonical classes, ``split`` classes split, ``merge`` merged.

    Args:
        cellcodes: The codes to include.
        split: Number of multi-code classes whose codes all get their own hash.
        merge: Number of class pairs that share one hash.

    Returns:
        ``{cellcode: md5 hex}``.
    """
    classes = canonical_classes(cellcodes)
    reps = sorted(set(classes.values()))
    label = {rep: rep for rep in reps}
    members: dict[str, list[str]] = {}
    for code in sorted(cellcodes):
        members.setdefault(classes[code], []).append(code)
    # Split the smallest multi-code classes (every code then gets its own hash).
    multi = sorted((len(members[rep]), rep) for rep in reps if len(members[rep]) > 1)
    split_reps = {rep for _, rep in multi[:split]}
    singles = [rep for rep in reps if len(members[rep]) == 1]
    for first, second in zip(singles[:merge], singles[merge : 2 * merge], strict=True):
        label[second] = label[first]
    table = {}
    for code in cellcodes:
        rep = classes[code]
        name = code if rep in split_reps else label[rep]
        table[code] = hashlib.md5(name.encode()).hexdigest()
    return table


def write_dataset(
    folder: Path,
    cellcodes: list[str] | None = None,
    *,
    seed: int = 0,
    seeds: tuple[int, ...] = SEEDS,
    protocol: int = 4,
    extra_cellinfo: bool = True,
) -> dict[str, Any]:
    """Writes bench12.pkl, cellinfo.pkl and avgaccs200.pkl into ``folder``.

    Args:
        folder: Output folder (created).
        cellcodes: Codes to include (default: all 4,096).
        seed: Seed of the random values.
        seeds: Training seeds (rows per configuration).
        protocol: Pickle protocol.
        extra_cellinfo: Add another column to cellinfo.pkl, as the real file has.

    Returns:
        ``{'bench12': ..., 'cellinfo': ..., 'avgaccs200': ...}``, the pickled objects.
    """
    rng = random.Random(seed)
    codes = all_cellcodes() if cellcodes is None else list(cellcodes)
    hashes = cell_hashes(codes)
    distinct = sorted(set(hashes.values()))
    keys = [(h, lr, bs, s) for h in distinct for lr in LRS for bs in BATCH_SIZES for s in seeds]
    bench: dict[str, dict[Any, Any]] = {
        "lr": {k: k[1] for k in keys},
        "batch_size": {k: k[2] for k in keys},
        "seed": {k: k[3] for k in keys},
    }
    for split in ("train", "valid", "test"):
        accs = [[rng.uniform(10.0, 95.0) for _ in range(EPOCHS)] for _ in keys]
        times = [[rng.uniform(0.5, 30.0) for _ in range(EPOCHS)] for _ in keys]
        for epoch in range(EPOCHS):
            acc_rows, time_rows = zip(keys, accs, strict=True), zip(keys, times, strict=True)
            bench[f"{split}_acc_{epoch}"] = {k: row[epoch] for k, row in acc_rows}
            bench[f"{split}_time_{epoch}"] = {k: row[epoch] for k, row in time_rows}
    # Totals as the official data has them (their own columns, close to the per-epoch sums).
    bench["total_train_time"] = {
        k: sum(bench[f"train_time_{e}"][k] for e in range(EPOCHS)) + rng.random() for k in keys
    }
    bench["total_trainval_time"] = {
        k: bench["total_train_time"][k] + sum(bench[f"valid_time_{e}"][k] for e in range(EPOCHS))
        for k in keys
    }
    bench["total_test_time"] = {
        k: sum(bench[f"test_time_{e}"][k] for e in range(EPOCHS)) for k in keys
    }
    cellinfo: dict[str, Any] = {"hash": hashes}
    if extra_cellinfo:
        cellinfo["num_edges"] = {c: sum(d != "3" for d in c if d != "|") for c in codes}
    avgaccs = {
        "avg_acc": {
            (h, lr, bs): rng.uniform(40.0, 96.0)
            for h in distinct
            for lr in LRS
            for bs in BATCH_SIZES
        }
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, obj in (("bench12", bench), ("cellinfo", cellinfo), ("avgaccs200", avgaccs)):
        with open(folder / f"{name}.pkl", "wb") as handle:
            pickle.dump(obj, handle, protocol=protocol)
    return {"bench12": bench, "cellinfo": cellinfo, "avgaccs200": avgaccs}


def sample_cellcodes(count: int, seed: int = 0) -> list[str]:
    """``count`` codes: whole canonical classes (so isomorphic codes share hashes) + singles.

    Args:
        count: About how many codes to return.
        seed: Seed of the draw.

    Returns:
        Sorted codes.
    """
    rng = random.Random(seed)
    classes = canonical_classes(all_cellcodes())
    members: dict[str, list[str]] = {}
    for code, rep in classes.items():
        members.setdefault(rep, []).append(code)
    reps = sorted(members)
    rng.shuffle(reps)
    chosen: list[str] = []
    for rep in reps:
        if len(chosen) >= count:
            break
        if len(members[rep]) <= 12:  # many small classes rather than a few huge ones
            chosen.extend(members[rep])
    return sorted(chosen)
