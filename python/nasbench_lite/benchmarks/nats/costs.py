"""``get_cost_info`` / ``get_latency`` of one (architecture, hp, dataset) from its trials.

:func:`trial_costs` is :func:`~nasbench_lite.benchmarks.nats.aggregate.costs_of_columns`
(the official ``ArchResults.get_compute_costs``) on a
:class:`~nasbench_lite.benchmarks.nats.results.Trials`, with the per-call work an uncached
call repeats taken out: the time keys and their row positions are planned once per eval-set
list; the common case (the trials share FLOPs and params) is answered natively from the
statement's row tuples (``_native.nats_costs``, ``rust/core/src/nats/read.rs``), the rest by
:func:`trial_costs_reference`, whose legacy fix compares formatted values only when the
trials' values differ (equal floats format equally). Same values, keys, key order and errors
(tests/test_nats_costs_fast.py compares them).
"""

from __future__ import annotations

from typing import Any

from nasbench_lite import _native
from nasbench_lite.benchmarks.nats.aggregate import _TIME_KEYS, _legacy_fix, costs_of_columns
from nasbench_lite.benchmarks.nats.layout import FINAL_FIELDS
from nasbench_lite.benchmarks.nats.results import COMPENSATED_SUM, Trials
from nasbench_lite.errors import NotInDatabaseError

__all__ = ["COST_FIELDS", "native_plan", "trial_costs", "trial_costs_reference"]

_AT = {name: 5 + i for i, name in enumerate(FINAL_FIELDS)}
#: The ``FINAL_FIELDS`` :func:`trial_costs` reads (what an uncached cost call selects).
COST_FIELDS = tuple(
    name for name in FINAL_FIELDS if name in ("flops", "params", "latency") or "_time_" in name
)
_FLOPS, _PARAMS, _LATENCY = _AT["flops"], _AT["params"], _AT["latency"]
#: Per eval-set names: the ``(key, row position)`` of every time key, in output order.
_PLANS: dict[tuple[str, ...], tuple[tuple[str, int], ...]] = {}
#: The same as ``_native.nats_costs`` takes them: FINAL_FIELDS positions (one byte each), keys.
_NATIVE_PLANS: dict[tuple[str, ...], tuple[bytes, tuple[str, ...]]] = {}


def _plan(names: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    plan = _PLANS.get(names)
    if plan is None:
        plan = tuple(
            (key, _AT[column]) for label in ("train", *names) for key, column in _TIME_KEYS[label]
        )
        if len(_PLANS) >= 1024:  # (bounded: a hostile database cannot grow it)
            _PLANS.clear()
            _NATIVE_PLANS.clear()
        _PLANS[names] = plan
        _NATIVE_PLANS[names] = (bytes(at - 5 for _, at in plan), tuple(key for key, _ in plan))
    return plan


def native_plan(names: tuple[str, ...]) -> tuple[bytes, tuple[str, ...]]:
    """``_native.nats_costs``'s ``(time_fields, time_keys)`` for trials with eval sets
    ``names``."""
    native = _NATIVE_PLANS.get(names)
    if native is None:
        _plan(names)
        native = _NATIVE_PLANS[names]
    return native


def _fixed(values: tuple[Any, ...], seeds: list[int], what: str) -> list[float]:
    """``_legacy_fix``, skipping the formatting when every value is the same float."""
    first = values[0]
    # (NaN != NaN and 0.0 == -0.0, which format differently: both take the reference path)
    if type(first) is float and first and first == first and values.count(first) == len(values):
        return list(values)
    return _legacy_fix(list(values), seeds, what)


def trial_costs(trials: Trials) -> dict[str, Any]:
    """``{'flops', 'params', 'latency', 'T-<set>@epoch', 'T-<set>@total', ...}``.

    Raises:
        NotInDatabaseError: Costs the official API cannot compute either.
    """
    names_list = trials.eval_names
    names = names_list[0] if names_list else ()
    if not names_list or any(other != names for other in names_list):  # (the real files: never)
        return costs_of_columns(trials.column, trials.seeds, names_list)
    native = native_plan(names)
    info = _native.nats_costs(trials.rows, native[0], native[1], COMPENSATED_SUM)
    if info is not None:
        return info
    return trial_costs_reference(trials, names)


def trial_costs_reference(trials: Trials, names: tuple[str, ...]) -> dict[str, Any]:
    """:func:`trial_costs` in Python for trials that share the eval sets ``names``: the
    reference of ``_native.nats_costs``, and the answer wherever that declines (FLOPs or
    params that differ, are zero or NaN; a time only some trials have, which raises).

    Raises:
        NotInDatabaseError: Costs the official API cannot compute either.
    """
    columns = trials.columns
    seeds = trials.seeds
    flops = _fixed(columns[_FLOPS], seeds, "FLOPs")
    params = _fixed(columns[_PARAMS], seeds, "parameter counts")
    latencies = [x for x in columns[_LATENCY] if x > 0]
    info: dict[str, Any] = {
        "flops": sum(flops) / len(flops),
        "params": sum(params) / len(params),
        "latency": sum(latencies) / len(latencies) if latencies else None,
    }
    for key, at in _plan(names):
        values = columns[at]
        if values[0] is None:  # (mean_or_none, inlined)
            info[key] = None
        elif None in values:
            raise NotInDatabaseError(
                "the trials of this architecture disagree on which values exist"
            )
        else:
            info[key] = sum(values) / len(values)
    return info
