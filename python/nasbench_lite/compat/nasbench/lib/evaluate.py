"""``nasbench.lib.evaluate``: training and evaluation of a spec, which needs TensorFlow.

The names exist so that imports keep working; calling them raises
:class:`~nasbench_lite.compat.nasbench.api.TrainingNotOfferedError`.
"""

from __future__ import annotations

from typing import Any, NoReturn

from nasbench_lite.compat.nasbench.api import TrainingNotOfferedError

__all__ = ["AbortError", "augment_and_evaluate", "train_and_evaluate"]


class AbortError(Exception):
    """The official signal that an evaluation failed for a valid reason (kept for imports)."""


def _not_offered(name: str) -> NoReturn:
    raise TrainingNotOfferedError(
        f"evaluate.{name} trains a network with TensorFlow, which nasbench_lite does not offer;"
        " query the tabulated results with api.NASBench instead"
    )


def train_and_evaluate(spec: Any, config: Any, model_dir: Any) -> NoReturn:
    """Raises :class:`TrainingNotOfferedError`."""
    _not_offered("train_and_evaluate")


def augment_and_evaluate(
    spec: Any, config: Any, model_dir: Any, epochs_per_eval: int = 5
) -> NoReturn:
    """Raises :class:`TrainingNotOfferedError`."""
    _not_offered("augment_and_evaluate")
