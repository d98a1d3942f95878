"""``nasbench.lib.model_builder``: the network-construction module, without TensorFlow.

:func:`compute_vertex_channels` (pure cell algebra, often used to size cells) is offered, from
:func:`nasbench_lite.nb101.vertex_channels`; the functions that build TensorFlow graphs
(``build_model_fn``, ``build_module``, ``projection``, ``truncate``) raise
:class:`~nasbench_lite.compat.nasbench.api.TrainingNotOfferedError`.
"""

from __future__ import annotations

from typing import Any, NoReturn

from nasbench_lite.compat.nasbench.api import TrainingNotOfferedError
from nasbench_lite.errors import CompatAssertionError, InvalidInputError
from nasbench_lite.nb101 import vertex_channels

__all__ = [
    "build_model_fn",
    "build_module",
    "compute_vertex_channels",
    "projection",
    "truncate",
]


def compute_vertex_channels(input_channels: int, output_channels: int, matrix: Any) -> list[int]:
    """Channel count of every vertex of a pruned cell, as the network builder assigns them.

    Args:
        input_channels: Channels entering the module.
        output_channels: Channels the module produces.
        matrix: The pruned adjacency matrix (``ModelSpec.matrix``).

    Returns:
        One count per vertex, input first: output feeders share ``output_channels`` (earlier
        ones take the remainder), other interior vertices take the largest count among their
        interior successors.

    Raises:
        CompatAssertionError: The matrix is not a pruned cell (an ``AssertionError``, where
            the original's sanity ``assert`` fails).
    """
    try:
        return vertex_channels(input_channels, output_channels, matrix)
    except InvalidInputError as exc:
        raise CompatAssertionError(str(exc)) from exc


def _not_offered(name: str) -> NoReturn:
    raise TrainingNotOfferedError(
        f"model_builder.{name} builds a TensorFlow network, which nasbench_lite does not offer"
        " (use the official google-research/nasbench package to train)"
    )


def build_model_fn(spec: Any, config: Any, num_train_images: Any) -> NoReturn:
    """Raises :class:`TrainingNotOfferedError` (builds a TensorFlow ``model_fn``)."""
    _not_offered("build_model_fn")


def build_module(spec: Any, inputs: Any, channels: Any, is_training: Any) -> NoReturn:
    """Raises :class:`TrainingNotOfferedError` (builds one TensorFlow module)."""
    _not_offered("build_module")


def projection(inputs: Any, channels: Any, is_training: Any, data_format: Any) -> NoReturn:
    """Raises :class:`TrainingNotOfferedError` (a TensorFlow 1x1 projection)."""
    _not_offered("projection")


def truncate(inputs: Any, channels: Any, data_format: Any) -> NoReturn:
    """Raises :class:`TrainingNotOfferedError` (slices a TensorFlow tensor)."""
    _not_offered("truncate")
