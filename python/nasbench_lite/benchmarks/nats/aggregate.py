"""The official per-architecture arithmetic over trials (``ArchResults`` methods).

Shared by the builder (``summaries`` table) and the API, so both give the values the official
package computes: Python ``sum`` in the file's seed order divided by the count, the
"legacy issue" fix of ``get_compute_costs`` (when the trials disagree on FLOPs or parameters
at 5 decimals, the seed-888 trial's value is used), and ``None`` when the first trial has none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from nasbench_lite.benchmarks.nats.layout import SET_COLUMNS
from nasbench_lite.errors import NotInDatabaseError

__all__ = ["compute_costs", "costs_of", "costs_of_columns", "mean_or_none"]


def mean_or_none(values: Sequence[Any]) -> Any:
    """``get_metrics(is_random=False)``: mean when the first value is not None, else None.

    Raises:
        NotInDatabaseError: Some but not all trials have the value (the official API fails
            with a TypeError there).
    """
    if not values or values[0] is None:
        return None
    if None in values:  # (identity first, and a float never equals None)
        raise NotInDatabaseError("the trials of this architecture disagree on which values exist")
    return sum(values) / len(values)


def _legacy_fix(raw: list[float | None], seeds: Sequence[int], what: str) -> list[float]:
    if any(v is None for v in raw):
        raise NotInDatabaseError(f"the source file has no {what} for a trial")
    text = [f"{x:.5f}" for x in raw]
    if len(text) > 1 and len(set(text)) > 1:  # inconsistent (a legacy migration issue)
        if 888 not in seeds:
            raise NotInDatabaseError(
                f"the trials disagree on {what} and there is no seed-888 trial, which the "
                "official API would use (it fails with a ValueError here)"
            )
        return [raw[list(seeds).index(888)]]  # type: ignore[list-item]
    return raw  # type: ignore[return-value]


#: Per set label, its ``get_times`` keys and the ``runs`` columns holding them.
_TIME_KEYS = {
    label: (
        (f"T-{label}@epoch", f"{column}_time_epoch"),
        (f"T-{label}@total", f"{column}_time_total"),
    )
    for label, column in SET_COLUMNS.items()
}


def compute_costs(
    finals: Sequence[dict[str, Any]], seeds: Sequence[int], eval_names: Sequence[Sequence[str]]
) -> dict[str, Any]:
    """``ArchResults.get_compute_costs``: flops, params, latency and mean times.

    Args:
        finals: Per trial (seed order) its decoded finals blob.
        seeds: The trials' seeds, same order.
        eval_names: Per trial its eval-set names in file order (they order the time keys).

    Returns:
        ``{'flops', 'params', 'latency', 'T-train@epoch', 'T-train@total', 'T-<set>@...'}``.

    Raises:
        NotInDatabaseError: Costs the official API cannot compute either.
    """
    return costs_of(lambda k, name: finals[k][name], len(finals), seeds, eval_names)


def costs_of(
    final: Callable[[int, str], Any],
    count: int,
    seeds: Sequence[int],
    eval_names: Sequence[Sequence[str]],
) -> dict[str, Any]:
    """:func:`compute_costs` reading trial ``k``'s final scalar ``name`` as ``final(k, name)``.

    (The API passes ``Trials.final``, so no per-trial dict is built on an uncached call.)

    Raises:
        NotInDatabaseError: Costs the official API cannot compute either.
    """
    trials = range(count)
    flops = _legacy_fix([final(k, "flops") for k in trials], seeds, "FLOPs")
    params = _legacy_fix([final(k, "params") for k in trials], seeds, "parameter counts")
    latencies = [x for x in [final(k, "latency") for k in trials] if x > 0]
    info: dict[str, Any] = {
        "flops": sum(flops) / len(flops),
        "params": sum(params) / len(params),
        "latency": sum(latencies) / len(latencies) if latencies else None,
    }
    time_values: dict[str, list[Any]] = {}
    for k, names in zip(trials, eval_names, strict=True):
        for label in ("train", *names):
            for key, column in _TIME_KEYS[label]:
                values = time_values.get(key)
                if values is None:
                    time_values[key] = [final(k, column)]
                else:
                    values.append(final(k, column))
    for key, values in time_values.items():
        info[key] = mean_or_none(values)
    return info


def costs_of_columns(
    column: Callable[[str], Sequence[Any]],
    seeds: Sequence[int],
    eval_names: Sequence[Sequence[str]],
) -> dict[str, Any]:
    """:func:`costs_of` reading every trial's final scalar ``name`` at once, as ``column(name)``.

    Same values, keys (and key order) and errors as :func:`costs_of`; the uncached API path
    (one call per set of values instead of one per trial and value).

    Raises:
        NotInDatabaseError: Costs the official API cannot compute either.
    """
    names = eval_names[0] if eval_names else ()
    if any(other != names for other in eval_names):  # (the real files: never)
        columns = {name: column(name) for _, pairs in _TIME_KEYS.items() for _, name in pairs}
        columns.update((name, column(name)) for name in ("flops", "params", "latency"))
        return costs_of(lambda k, name: columns[name][k], len(eval_names), seeds, eval_names)
    flops = _legacy_fix(list(column("flops")), seeds, "FLOPs")
    params = _legacy_fix(list(column("params")), seeds, "parameter counts")
    latencies = [x for x in column("latency") if x > 0]
    info: dict[str, Any] = {
        "flops": sum(flops) / len(flops),
        "params": sum(params) / len(params),
        "latency": sum(latencies) / len(latencies) if latencies else None,
    }
    for label in ("train", *names):
        for key, name in _TIME_KEYS[label]:
            info[key] = mean_or_none(column(name))
    return info
