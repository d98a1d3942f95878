"""NATS-Bench names and the scalar-column encoding shared by the builder, API and exports.

Final scalars (:data:`FINAL_FIELDS`, the 23 values the API needs without decoding curves) are
SQL ``REAL`` columns of ``runs``; as SQLite stores NaN as NULL, ``runs.nan_mask`` has bit ``i``
set where field ``i`` is NaN, so NULL without the bit is "absent" and values round-trip bit
for bit (:func:`finals_to_row` / :func:`finals_from_row`).

The curves blob codec (``curves.data``: :func:`encode_curves`, :class:`Curves`, the format
version 3) lives in :mod:`nasbench_lite.benchmarks.nats.curves_codec`, whose docstring has the
byte layout; its names are re-exported here.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from nasbench_lite.benchmarks.nats.curves_codec import (
    CURVES_VERSION,
    Curves,
    Unavailable,
    encode_curves,
)
from nasbench_lite.errors import InvalidInputError, OutOfDomainError

__all__ = [
    "CURVES_VERSION",
    "DATASETS",
    "Curves",
    "EVAL_SETS",
    "FINAL_FIELDS",
    "SET_COLUMNS",
    "TRAIN_SERIES",
    "Unavailable",
    "check_iepoch",
    "check_limit",
    "config_from_json",
    "encode_curves",
    "finals_from_row",
    "finals_to_row",
]

#: The four NATS-Bench training datasets (official names).
DATASETS = ("cifar10-valid", "cifar10", "cifar100", "ImageNet16-120")
#: The evaluation sets NATS-Bench files use, and their SQL column prefixes.
EVAL_SETS = ("x-valid", "x-test", "ori-test")
SET_COLUMNS = {"train": "train", "x-valid": "x_valid", "x-test": "x_test", "ori-test": "ori_test"}
TRAIN_SERIES = ("train_acc1es", "train_acc5es", "train_losses", "train_times")

#: Scalars kept exactly per trial: final loss/accuracy/all_time per set, get_times, costs.
FINAL_FIELDS = (
    *(
        f"{SET_COLUMNS[s]}_{k}"
        for s in ("train", *EVAL_SETS)
        for k in ("loss", "accuracy", "all_time")
    ),
    *(f"{SET_COLUMNS[s]}_time_{k}" for s in ("train", *EVAL_SETS) for k in ("epoch", "total")),
    "latency",
    "params",
    "flops",
)


def finals_to_row(values: dict[str, float | None]) -> tuple[list[float | None], int]:
    """The :data:`FINAL_FIELDS` values as SQL column values (NaN -> NULL) and the NaN mask."""
    mask = 0
    row: list[float | None] = []
    for bit, name in enumerate(FINAL_FIELDS):
        value = values.get(name)
        if value is not None and math.isnan(value):
            mask |= 1 << bit
            value = None
        row.append(value)
    return row, mask


def finals_from_row(row: Sequence[Any], nan_mask: int) -> dict[str, float | None]:
    """Inverse of :func:`finals_to_row`."""
    return {
        name: (math.nan if nan_mask >> bit & 1 else value)
        for bit, (name, value) in enumerate(zip(FINAL_FIELDS, row, strict=True))
    }


def check_iepoch(iepoch: Any) -> None:
    """``iepoch`` must be None (last epoch) or an int; the range is checked per run.

    Raises:
        OutOfDomainError: Any other type (a bool or float included).
    """
    if iepoch is not None and (not isinstance(iepoch, int) or isinstance(iepoch, bool)):
        raise OutOfDomainError(f"iepoch must be None or an int epoch, got {iepoch!r}")


def check_limit(value: Any, name: str) -> None:
    """A ``find_best`` limit must be None or a number.

    Raises:
        InvalidInputError: Anything else.
    """
    if value is not None and (not isinstance(value, int | float) or isinstance(value, bool)):
        raise InvalidInputError(f"{name} must be None or a number, got {value!r}")


def config_from_json(text: str, arch_str: str) -> dict[str, Any]:
    """Inverse of the builder's ``arch_config`` encoding (see ``sql/nats.sql``)."""
    config: dict[str, Any] = json.loads(text)
    for key in config.pop("$arch", ()):
        config[key] = arch_str
    return config
