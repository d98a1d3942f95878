"""Declarations of the uniform surface and the one place its Arrow tables are assembled.

:class:`Fidelity` and :class:`Objective` describe a benchmark's budgets and metrics;
:class:`Fetched` is what an adapter hands back (every stored seed of every requested
architecture as long arrays); :func:`assemble` turns it into the query table for a seed policy,
vectorised over the rows. Knows no benchmark.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from nasbench_lite._optional import import_pyarrow

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "BASE_COLUMNS",
    "HIGHER_IS_BETTER",
    "UNITS",
    "Fetched",
    "Fidelity",
    "Objective",
    "assemble",
    "declare_objectives",
    "sequential_mean",
]

#: The one unit of each quantity on the uniform surface, whatever the benchmark stores.
UNITS: dict[str, str] = {
    "accuracy": "%",
    "loss": "cross-entropy",
    "time": "seconds",
    "params": "millions of parameters",
    "flops": "MFLOPs",
    "latency": "seconds",
}

#: Fixed leading columns of every query table.
BASE_COLUMNS = ("index", "id", "found", "seed", "n_seeds", "missing_seeds")


@dataclass(frozen=True)
class Fidelity:
    """One fidelity dimension (a budget) of a benchmark.

    Attributes:
        name: Key in ``fidelity={...}`` and the table column.
        values: Every allowed value, ascending.
        default: The value used when the caller gives none (the full budget).
        unit: Unit of the values.
        description: What a value means (separate runs or epochs of one run).
    """

    name: str
    values: tuple[Any, ...]
    default: Any
    unit: str
    description: str


@dataclass(frozen=True)
class Objective:
    """One metric on the uniform surface.

    Attributes:
        name: Metric name (``'<dataset>/<split>/<quantity>'`` or ``'<dataset>/<quantity>'``).
        quantity: ``'accuracy'``, ``'loss'``, ``'time'``, ``'params'``, ``'flops'`` or
            ``'latency'`` (the unit follows from it, see :data:`UNITS`).
        unit: The unit of the values here.
        dataset: What the model was trained on (the benchmark's dataset key).
        split: Exactly which data the value was measured on.
        higher_is_better: Direction of improvement.
        per_seed: False for architecture properties (costs) that no seed changes.
        stored_as: The stored unit and the conversion applied here, if any.
    """

    name: str
    quantity: str
    unit: str
    dataset: str
    split: str
    higher_is_better: bool
    per_seed: bool = True
    stored_as: str = "as stored"

    def as_dict(self) -> dict[str, Any]:
        """The declaration as a plain dict (for JSON and tables)."""
        return dict(self.__dict__)


#: The quantities that improve upwards; every other one (loss, time, costs) improves downwards.
HIGHER_IS_BETTER = frozenset({"accuracy"})


def declare_objectives(
    dataset: str, splits: Mapping[str, str], *, stored_as: str, per_seed: bool = True
) -> tuple[Objective, ...]:
    """The :class:`Objective` of each metric of one dataset, from ``{name: split}``.

    The rest follows from the name: its last ``/`` part is the quantity, which fixes the unit
    (:data:`UNITS`) and the direction (:data:`HIGHER_IS_BETTER`), so an adapter writes down
    only what differs between its metrics.

    Args:
        dataset: What the models behind every metric were trained on.
        splits: Metric name -> exactly which data the value was measured on, in the order
            the metrics are listed.
        stored_as: The stored unit and the conversion the adapter applies, shared by these
            metrics.
        per_seed: False for architecture properties that no seed changes.

    Returns:
        One declaration per name, in the order of ``splits``.
    """
    declared = []
    for name, split in splits.items():
        quantity = name.rsplit("/", 1)[-1]
        declared.append(
            Objective(
                name,
                quantity,
                UNITS[quantity],
                dataset,
                split,
                quantity in HIGHER_IS_BETTER,
                per_seed=per_seed,
                stored_as=stored_as,
            )
        )
    return tuple(declared)


@dataclass
class Fetched:
    """Everything the adapter found for a batch of ids, one long row per (input, seed).

    Attributes:
        found: ``(n,)`` bool: the id has results at the fidelity.
        position: ``(m,)`` int64: the input each seed row belongs to (ascending; rows of one
            input in the benchmark's own seed order, which means follow).
        seed: ``(m,)`` int64 seed of each row.
        values: Per-seed metric -> ``(m,)`` float64 (entries where ``present`` is False are
            ignored).
        present: Per-seed metric -> ``(m,)`` bool: the value exists.
        arch_values: Per-architecture metric -> ``(n,)`` float64.
        arch_present: Per-architecture metric -> ``(n,)`` bool.
        expected_seeds: The seeds the benchmark ran at this fidelity (a row lacking one of
            them reports it in ``missing_seeds``).
    """

    found: npt.NDArray[np.bool_]
    position: npt.NDArray[np.int64]
    seed: npt.NDArray[np.int64]
    values: dict[str, npt.NDArray[np.float64]] = field(default_factory=dict)
    present: dict[str, npt.NDArray[np.bool_]] = field(default_factory=dict)
    arch_values: dict[str, npt.NDArray[np.float64]] = field(default_factory=dict)
    arch_present: dict[str, npt.NDArray[np.bool_]] = field(default_factory=dict)
    expected_seeds: tuple[int, ...] = ()

    @classmethod
    def of_rows(
        cls,
        count: int,
        position: npt.NDArray[np.int64],
        seed: npt.NDArray[np.int64],
        expected_seeds: tuple[int, ...],
    ) -> Fetched:
        """The long rows of a reader that returns found runs only (an id is found if it has one).

        Args:
            count: The number of requested ids.
            position: ``(m,)`` input of each row (ascending).
            seed: ``(m,)`` seed of each row.
            expected_seeds: The seeds the benchmark ran at the fidelity.

        Returns:
            The rows with ``found`` set at every position present; metrics still to fill in.
        """
        found = np.zeros(count, dtype=bool)
        found[position] = True
        return cls(found=found, position=position, seed=seed, expected_seeds=expected_seeds)


def sequential_mean(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Mean over axis 0, summed in order (the benchmarks' official means sum this way)."""
    total = np.zeros(values.shape[1:], dtype=np.float64)
    for row in values:
        total = total + row
    result: npt.NDArray[np.float64] = total / max(len(values), 1)
    return result


def _choose(
    policy: str | int,
    fetched: Fetched,
    starts: npt.NDArray[np.int64],
    counts: npt.NDArray[np.int64],
    rng: random.Random,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """``(input of each output row, long row used by it or -1)``; -1 also for 'mean' rows."""
    count = len(starts)
    if policy == "all":
        per_input = np.maximum(counts, 1)
        inputs = np.repeat(np.arange(count, dtype=np.int64), per_input)
        first = np.repeat(np.cumsum(per_input) - per_input, per_input)
        offset = np.arange(len(inputs), dtype=np.int64) - first
        rows = np.where(counts[inputs] > 0, starts[inputs] + offset, -1)
        return inputs, rows
    inputs = np.arange(count, dtype=np.int64)
    if policy == "mean":
        return inputs, np.full(count, -1, dtype=np.int64)
    if policy == "random":
        has = np.flatnonzero(counts > 0)
        picks = [rng.randrange(n) for n in counts[has].tolist()]
        rows = np.full(count, -1, dtype=np.int64)
        rows[has] = starts[has] + np.asarray(picks, dtype=np.int64)
        return inputs, rows
    rows = np.full(count, -1, dtype=np.int64)
    hit = np.flatnonzero(fetched.seed == policy)
    rows[fetched.position[hit]] = hit  # at most one row per (input, seed)
    return inputs, rows


def assemble(
    ids: list[str],
    fidelity: dict[str, Any],
    per_seed: list[str],
    per_arch: list[str],
    fidelity_names: list[str],
    policy: str | int,
    rng: random.Random,
    fetched: Fetched,
) -> pa.Table:
    """The query table (columns as documented on ``Surface.query``).

    Args:
        ids: Canonical ids, one per input.
        fidelity: The resolved fidelity.
        per_seed: Per-seed metric names, in output order.
        per_arch: Architecture-level metric names, after them.
        fidelity_names: Fidelity dimensions, in declaration order.
        policy: ``'mean'``, ``'random'``, ``'all'`` or a seed.
        rng: Generator for ``'random'``.
        fetched: The adapter's long rows.

    Returns:
        The table.
    """
    pa = import_pyarrow()

    count = len(ids)
    found_input = np.asarray(fetched.found, dtype=bool)
    position = np.asarray(fetched.position, dtype=np.int64)
    keep = found_input[position] if len(position) else np.zeros(0, dtype=bool)
    position, seed = position[keep], np.asarray(fetched.seed, dtype=np.int64)[keep]
    long_index = np.flatnonzero(keep)
    starts = np.searchsorted(position, np.arange(count), side="left").astype(np.int64)
    counts = np.searchsorted(position, np.arange(count), side="right").astype(np.int64) - starts
    view = Fetched(found_input, position, seed, expected_seeds=fetched.expected_seeds)
    inputs, rows = _choose(policy, view, starts, counts, rng)
    mean = policy == "mean"
    used = np.where(mean, counts[inputs], (rows >= 0).astype(np.int64))
    found = used > 0
    # Seeds the benchmark ran that an input lacks (or the one asked for, when absent).
    expected = np.asarray(fetched.expected_seeds, dtype=np.int64)
    extra = [int(policy)] if isinstance(policy, int) and int(policy) not in expected else []
    expected = np.concatenate([expected, np.asarray(extra, dtype=np.int64)])
    have = np.zeros((count, len(expected)), dtype=bool)
    for j, s in enumerate(expected.tolist()):
        have[position[seed == s], j] = True
    missing_mask = ~have[inputs]
    offsets = np.concatenate([[0], np.cumsum(missing_mask.sum(axis=1))]).astype(np.int32)
    missing_values = np.broadcast_to(expected, missing_mask.shape)[missing_mask]
    columns: dict[str, Any] = {
        "index": pa.array(inputs, pa.int64()),
        "id": pa.array(np.asarray(ids, dtype=object)[inputs] if count else [], pa.string()),
        "found": pa.array(found, pa.bool_()),
        "seed": pa.array(
            np.where(rows >= 0, seed[np.maximum(rows, 0)] if len(seed) else 0, 0),
            pa.int64(),
            mask=rows < 0,
        ),
        "n_seeds": pa.array(used.astype(np.int32), pa.int32()),
        "missing_seeds": pa.ListArray.from_arrays(
            pa.array(offsets, pa.int32()), pa.array(missing_values, pa.int64())
        ),
    }
    for name in fidelity_names:
        value = fidelity[name]
        columns[name] = pa.array([value] * len(inputs), _arrow_type(pa, value))
    for name in per_seed:
        data = np.asarray(fetched.values[name], dtype=np.float64)[long_index]
        ok = np.asarray(fetched.present[name], dtype=bool)[long_index]
        if mean:
            # Sequential sum over each input's seeds, in the benchmark's order; null unless
            # every seed has the value (never a mean over a subset passed off as complete).
            total = np.zeros(len(inputs))
            valid = counts[inputs] > 0
            for k in range(int(counts.max(initial=0))):
                has = k < counts[inputs]
                at = np.where(has, starts[inputs] + k, 0)
                if len(data):
                    total = np.where(has, total + data[at], total)
                    valid &= ~has | ok[at]
            result = total / np.maximum(counts[inputs], 1)
        else:
            at = np.maximum(rows, 0)
            result = data[at] if len(data) else np.zeros(len(inputs))
            valid = (rows >= 0) & (ok[at] if len(ok) else False)
        columns[name] = pa.array(result, pa.float64(), mask=~valid)
    for name in per_arch:
        data = np.asarray(fetched.arch_values[name], dtype=np.float64)[inputs]
        ok = np.asarray(fetched.arch_present[name], dtype=bool)[inputs]
        columns[name] = pa.array(data, pa.float64(), mask=~(ok & found))
    return pa.table(columns)


def _arrow_type(pa: Any, value: Any) -> Any:
    if isinstance(value, str):
        return pa.string()
    if isinstance(value, int):
        return pa.int64()
    return pa.float64()
