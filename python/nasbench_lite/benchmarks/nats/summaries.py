"""``find_best`` and ``statistics`` as SQL over the build-time ``summaries`` table.

``summaries`` holds, per (hp, dataset, arch), what the official loops compare (see
``sql/nats.sql``), so both answers are one indexed query instead of a loop over loaded files.
"""

from __future__ import annotations

from typing import Any

from nasbench_lite._core.database import Database
from nasbench_lite.benchmarks.nats.layout import DATASETS, SET_COLUMNS
from nasbench_lite.benchmarks.nats.results import DATASET_SETS, remap_dataset_set_names
from nasbench_lite.errors import OutOfDomainError

__all__ = ["best_in_summaries", "trial_counts"]


def best_in_summaries(
    db: Database,
    dataset: str,
    metric_on_set: str,
    flop_max: float | None,
    param_max: float | None,
    hp: str | int,
    among: set[int] | None,
) -> tuple[int, float | None]:
    """The official ``find_best`` answer (limits already checked); see the API method.

    Raises:
        OutOfDomainError: Unknown dataset or set name.
    """
    dataset, setname = remap_dataset_set_names(dataset, metric_on_set)
    if dataset not in DATASETS:
        raise OutOfDomainError(f"unknown dataset {dataset!r} (datasets: {list(DATASETS)})")
    setname = "x-valid" if setname == "valid" else setname
    if setname not in SET_COLUMNS:
        raise OutOfDomainError(
            f"unknown metric_on_set {metric_on_set!r} (train, valid, test, x-valid, x-test, "
            "ori-test)"
        )
    if setname != "train" and setname not in DATASET_SETS[dataset]:
        raise OutOfDomainError(
            f"{dataset} has no {setname} set (it has {list(DATASET_SETS[dataset])})"
        )
    column = f"{SET_COLUMNS[setname]}_accuracy"
    sql = f"SELECT arch_index, {column} FROM summaries WHERE hp = ? AND dataset = ?"
    bindings: list[Any] = [str(hp), dataset]
    if flop_max is not None:
        sql += " AND flops <= ?"
        bindings.append(flop_max)
    if param_max is not None:
        sql += " AND params <= ?"
        bindings.append(param_max)
    sql += f" AND {column} IS NOT NULL ORDER BY {column} DESC, arch_index"
    rows = db.query(sql + (" LIMIT 1" if among is None else ""), tuple(bindings))
    rows = rows if among is None else [r for r in rows if r[0] in among][:1]
    if not rows:
        return -1, None
    return int(rows[0][0]), float(rows[0][1])


def trial_counts(db: Database, dataset: str, hp: str, among: set[int] | None) -> dict[int, int]:
    """``{number of trials: number of architectures}`` (the official ``statistics``).

    Raises:
        OutOfDomainError: Unknown dataset.
    """
    if dataset not in DATASETS:
        raise OutOfDomainError(f"{dataset} not in {list(DATASETS)}")
    counts: dict[int, int] = {}
    for index, n_seeds in db.query(
        "SELECT arch_index, n_seeds FROM summaries WHERE hp = ? AND dataset = ?", (hp, dataset)
    ):
        if among is None or index in among:
            counts[int(n_seeds)] = counts.get(int(n_seeds), 0) + 1
    with_hp = [r[0] for r in db.query("SELECT arch_index FROM arch_hps WHERE hp = ?", (hp,))]
    missing = sum(1 for i in with_hp if among is None or i in among) - sum(counts.values())
    if missing:
        counts[0] = missing
    return counts
