"""A cell given as JSON text (the CLI's ``--matrix`` / ``--ops``) -> :class:`ModelSpec`."""

from __future__ import annotations

import json
from typing import Any

from nasbench_lite._core.arguments import check_public
from nasbench_lite.errors import InvalidInputError
from nasbench_lite.spaces.nb101.spec import ModelSpec

__all__ = ["spec_from_json"]


def _json_argument(text: str, name: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(
            f"--{name} is not valid JSON: {exc.msg} (at char {exc.pos})"
        ) from exc
    except RecursionError as exc:
        raise InvalidInputError(f"--{name} is nested too deeply") from exc
    except ValueError as exc:  # an integer of more than sys.get_int_max_str_digits() digits
        raise InvalidInputError(f"--{name} holds a number too long to read ({exc})") from exc


def spec_from_json(matrix: str, ops: str) -> ModelSpec:
    """Parses an adjacency matrix and an op list given as JSON.

    Args:
        matrix: E.g. ``'[[0,1],[0,0]]'``.
        ops: E.g. ``'["input","output"]'``.

    Returns:
        The (unchecked) spec.

    Raises:
        InvalidInputError: Not JSON, or not a list of lists / a list of strings.
    """
    matrix_value = _json_argument(matrix, "matrix")
    ops_value = _json_argument(ops, "ops")
    if not isinstance(ops_value, list) or not all(isinstance(op, str) for op in ops_value):
        raise InvalidInputError("--ops must be a JSON list of op-name strings")
    if not isinstance(matrix_value, list):
        raise InvalidInputError("--matrix must be a JSON list of lists (the adjacency matrix)")
    return ModelSpec(matrix_value, ops_value)


check_public(globals())
