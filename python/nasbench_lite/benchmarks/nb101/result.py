"""What ``NASBench.query`` returns: the official dict, with its adjacency ndarray built on read.

A search loop reads ``validation_accuracy`` / ``test_accuracy`` from each answer and seldom
the ``module_adjacency`` ndarray; building that array is what imports numpy (75-200 ms on a
loaded machine) in a fresh process. :class:`QueryResult` is a ``dict`` with the seven official
keys in the official order whose ``module_adjacency`` value is built (an int8 ndarray of its
own, decoded natively from the stored bits) the first time anything reads it: indexing,
``get``, ``values``, ``items``, iteration by ``dict(...)`` / ``{**result}`` / ``update``,
comparison, ``repr``, copying or pickling. Keys, ``len`` and ``in`` never build it. Copies
and pickles are plain dicts.
"""

from __future__ import annotations

from nasbench_lite._native import nb101_adjacency

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the cold path
if TYPE_CHECKING:
    from _collections_abc import dict_items, dict_values
    from collections.abc import Iterator
    from typing import Any

__all__ = ["Cell", "QueryResult", "flat_adjacency", "plain_dict"]

_ADJACENCY = "module_adjacency"


def _flat_positions(num_vertices: int) -> list[int]:
    """Row-major index in a V x V matrix of each ``edge_bits`` bit (bit ``x + y(y-1)/2`` is
    the edge x -> y, ``gen_is_edge_fn``), in bit order."""
    return [x * num_vertices + y for y in range(1, num_vertices) for x in range(y)]


#: ``_flat_positions`` per vertex count (2..7).
_POSITIONS = {n: _flat_positions(n) for n in range(2, 8)}


def flat_adjacency(num_vertices: int, edge_bits: int) -> bytes:
    """The V x V adjacency of stored ``edge_bits`` as row-major 0/1 bytes (no numpy): the
    reference of ``_native.nb101_adjacency`` and its path for cells outside the space.

    Args:
        num_vertices: V.
        edge_bits: ``cells.edge_bits`` (bits beyond the V x V upper triangle are ignored).

    Returns:
        ``V * V`` bytes.
    """
    positions = _POSITIONS.get(num_vertices)
    if positions is None:
        positions = _flat_positions(num_vertices)
    flat = bytearray(num_vertices * num_vertices)
    # Visit only the set bits (at most 9): measured ~5x faster than numpy fancy indexing.
    bits = edge_bits & ((1 << len(positions)) - 1)
    while bits:
        lowest = bits & -bits
        flat[positions[lowest.bit_length() - 1]] = 1
        bits ^= lowest
    return bytes(flat)


class Cell:
    """A decoded stored graph shared by the answers about it: its vertex count, the stored
    ``edge_bits`` and the ops; each answer that reads the adjacency gets an ndarray of its own,
    built from ``edge_bits`` (a search reading only accuracies builds none)."""

    __slots__ = ("edge_bits", "ops", "size")

    def __init__(self, size: int, edge_bits: int, ops: list[str]) -> None:
        self.size = size
        self.edge_bits = edge_bits
        self.ops = ops

    def adjacency(self) -> Any:
        """A fresh ``size x size`` int8 ndarray of the stored adjacency (writeable, C order)."""
        # One native call builds the array from the stored bits (the first ndarray an answer
        # hands out imports numpy there): cheaper than decoding in Python, and than copying a
        # shared decoded array, so nothing is cached per graph.
        array = nb101_adjacency(self.size, self.edge_bits)
        if array is None:  # outside the space (a hostile file): the reference decode
            import numpy as np

            flat = flat_adjacency(self.size, self.edge_bits)
            array = np.frombuffer(flat, dtype=np.int8).reshape(self.size, self.size).copy()
        return array


class _Pending:
    """Stands in the dict for the adjacency until it is built (never seen by callers)."""

    __slots__ = ()

    def __repr__(self) -> str:  # pragma: no cover - only visible to a debugger
        return "<module_adjacency not built yet>"


_PENDING: Any = _Pending()


class QueryResult(dict):  # type: ignore[type-arg]
    """The official ``query`` dict; ``module_adjacency`` is built when first read.

    Behaves as the plain dict the official API returns for every read, comparison and copy
    (see the module docstring); only ``type(result) is dict`` differs.
    """

    __slots__ = ("_cell",)
    _cell: Cell

    @classmethod
    def build(
        cls,
        cell: Cell,
        params: int,
        training_time: float,
        train: float,
        validation: float,
        test: float,
    ) -> QueryResult:
        """An answer about ``cell`` (keys in the official order, adjacency pending)."""
        # dict's own constructor with keywords: the fastest way to fill the seven keys.
        result = cls(
            module_adjacency=_PENDING,
            module_operations=cell.ops[:],
            trainable_parameters=params,
            training_time=training_time,
            train_accuracy=train,
            validation_accuracy=validation,
            test_accuracy=test,
        )
        result._cell = cell
        return result

    def _built(self) -> QueryResult:
        """Replaces the pending adjacency (if still there) by its ndarray; returns self."""
        if dict.get(self, _ADJACENCY) is _PENDING:
            dict.__setitem__(self, _ADJACENCY, self._cell.adjacency())
        return self

    def __getitem__(self, key: Any) -> Any:
        value = dict.__getitem__(self, key)
        if value is _PENDING:
            value = self._cell.adjacency()
            dict.__setitem__(self, key, value)
        return value

    def get(self, key: Any, default: Any = None) -> Any:
        """``dict.get``."""
        value = dict.get(self, key, default)
        if value is _PENDING:
            return self[key]
        return value

    def pop(self, key: Any, *default: Any) -> Any:
        """``dict.pop``."""
        self._built()
        return dict.pop(self, key, *default)

    def popitem(self) -> tuple[Any, Any]:
        """``dict.popitem``."""
        self._built()
        return dict.popitem(self)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        """``dict.setdefault``."""
        self._built()
        return dict.setdefault(self, key, default)

    def values(self) -> dict_values[Any, Any]:
        """``dict.values``."""
        return dict.values(self._built())

    def items(self) -> dict_items[Any, Any]:
        """``dict.items``."""
        return dict.items(self._built())

    def copy(self) -> dict[str, Any]:
        """A plain dict copy (as ``dict.copy`` of any subclass)."""
        return plain_dict(self._built())

    def __iter__(self) -> Iterator[Any]:
        # Overriding __iter__ makes dict(result), {**result} and update(result) read the
        # values through __getitem__ instead of the raw storage.
        return dict.__iter__(self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, QueryResult):
            other._built()
        return dict.__eq__(self._built(), other)

    def __ne__(self, other: object) -> bool:
        if isinstance(other, QueryResult):
            other._built()
        return dict.__ne__(self._built(), other)

    __hash__ = None

    def __or__(self, other: Any) -> Any:
        if isinstance(other, QueryResult):
            other._built()
        return dict.__or__(self._built(), other)

    def __ror__(self, other: Any) -> Any:
        return dict.__ror__(self._built(), other)

    def __repr__(self) -> str:
        return dict.__repr__(self._built())

    def __reduce__(self) -> tuple[Any, ...]:
        # Copies, deep copies and pickles are plain dicts: nothing refers to this class.
        return (dict, (plain_dict(self._built()),))


def plain_dict(result: dict[str, Any]) -> dict[str, Any]:
    """The plain ``dict`` of an answer, adjacency built (what the compat layer returns).

    A pending adjacency is built for the copy alone (``result`` would build its own when
    read); call it on ``result._built()`` for a copy that shares the array, as ``copy`` does.

    Args:
        result: An answer of ``NASBench.query`` (a :class:`QueryResult`, or a plain dict).

    Returns:
        A ``dict`` with the same keys, order and values.
    """
    # dict(items view) copies the raw storage in C (dict.copy of a subclass that overrides
    # __iter__ would read every key back through __getitem__); the adjacency is put in after.
    plain = dict(dict.items(result))
    if plain.get(_ADJACENCY) is _PENDING and isinstance(result, QueryResult):
        plain[_ADJACENCY] = result._cell.adjacency()  # the copy's own; result stays pending
    return plain
