"""Read-only mapping views of a NAS-Bench-101 database, shaped like the official dictionaries.

The official ``api.NASBench`` keeps two dictionaries that many published projects read
directly: ``fixed_statistics[hash]`` (``module_adjacency``, ``module_operations``,
``trainable_parameters``) and ``computed_statistics[hash][epochs][repeat]`` (the eight
``halfway_*`` / ``final_*`` metrics). Building them means holding 423,624 entries in memory;
these views answer the same lookups from the database instead: one indexed query per item,
and iteration streams the cells in pages so that nothing is ever loaded as a whole.

Every value is a fresh object (the caller may change it without affecting the database or
later lookups), with the official types: ``int8`` adjacency, ``list`` of ``str`` ops, ``int``
parameters, ``float`` metrics, ``int`` epoch keys, repeats in source-file order.
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, Mapping, ValuesView
from typing import TYPE_CHECKING, Any

from nasbench_lite._native import nb101_computed_by_cell
from nasbench_lite.benchmarks.nb101.layout import (
    METRIC_COLUMNS,
    METRIC_FIELDS,
    SpecialValues,
    load_special,
    restore,
)

if TYPE_CHECKING:
    from nasbench_lite.benchmarks.nb101.reader import NASBench

__all__ = [
    "ComputedStatistics",
    "FixedStatistics",
    "computed_from_rows",
    "fixed_from_row",
]

FixedStats = dict[str, Any]
ComputedStats = dict[int, list[dict[str, float]]]

#: Cells fetched per round trip while iterating (bounded memory, few statements).
_PAGE = 2048


def fixed_from_row(num_vertices: int, edge_bits: int, op_codes: int, params: int) -> FixedStats:
    """The official ``fixed_statistics`` entry of one ``cells`` row.

    Args:
        num_vertices: ``cells.num_vertices``.
        edge_bits: ``cells.edge_bits``.
        op_codes: ``cells.op_codes``.
        params: ``cells.trainable_parameters``.

    Returns:
        ``{'module_adjacency': int8 ndarray, 'module_operations': [...],
        'trainable_parameters': int}``.
    """
    from nasbench_lite.benchmarks.nb101.reader import decode_cell

    matrix, ops = decode_cell(num_vertices, edge_bits, op_codes)
    return {
        "module_adjacency": matrix,
        "module_operations": ops,
        "trainable_parameters": int(params),
    }


def computed_from_rows(
    rows: list[tuple[Any, ...]], cell_id: int = 0, special: SpecialValues | None = None
) -> ComputedStats:
    """The official ``computed_statistics`` entry of one cell's ``runs`` rows.

    Args:
        rows: ``(epochs, repeat, *the eight metric columns)`` in (epochs, repeat) order; rows
            whose epochs is None (a cell without runs, from a LEFT JOIN) are skipped.
        cell_id: The cell (to find its ``special_values``).
        special: Exact NaN / -0.0 values (:func:`~nasbench_lite.benchmarks.nb101.layout.
            load_special`), None when the database has none.

    Returns:
        ``{epochs: [one metrics dict per repeat, in file order]}``.
    """
    computed: ComputedStats = {}
    for epochs, repeat, *values in rows:
        if epochs is None:
            continue
        exact = special.get((cell_id, epochs, repeat)) if special else None
        if exact or None in values:
            values = list(restore(values, exact))
        computed.setdefault(int(epochs), []).append(dict(zip(METRIC_FIELDS, values, strict=True)))
    return computed


class _StatisticsView(Mapping[str, Any]):
    """Shared plumbing: keys are the module hashes, in first-appearance (cell_id) order."""

    def __init__(self, api: NASBench) -> None:
        self._api = api

    def __len__(self) -> int:
        return int(self._api._query("SELECT count(*) FROM cells")[0][0])

    def __contains__(self, module_hash: object) -> bool:
        return isinstance(module_hash, str) and bool(
            self._api._query("SELECT 1 FROM cells WHERE hash = ?", (module_hash,))
        )

    def __iter__(self) -> Iterator[str]:
        last = -1
        while True:
            rows = self._api._query(
                "SELECT cell_id, hash FROM cells WHERE cell_id > ? ORDER BY cell_id LIMIT ?",
                (last, _PAGE),
            )
            if not rows:
                return
            yield from (row[1] for row in rows)
            last = rows[-1][0]

    def _missing(self, module_hash: object) -> KeyError:
        from nasbench_lite.errors import NotInDatabaseError

        return NotInDatabaseError(f"hash {module_hash!r} is not in {self._api._db.path}")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._api._db.path}>"


class FixedStatistics(_StatisticsView):
    """``hash -> {'module_adjacency', 'module_operations', 'trainable_parameters'}``."""

    def __getitem__(self, module_hash: str) -> FixedStats:
        rows = self._api._query(
            "SELECT num_vertices, edge_bits, op_codes, trainable_parameters FROM cells"
            " WHERE hash = ?",
            (module_hash,) if isinstance(module_hash, str) else ("",),
        )
        if not rows:
            raise self._missing(module_hash)
        return fixed_from_row(*rows[0])

    def _pages(self) -> Iterator[tuple[str, FixedStats]]:
        last = -1
        while True:
            rows = self._api._query(
                "SELECT cell_id, hash, num_vertices, edge_bits, op_codes, trainable_parameters"
                " FROM cells WHERE cell_id > ? ORDER BY cell_id LIMIT ?",
                (last, _PAGE),
            )
            if not rows:
                return
            for _, module_hash, *cell in rows:
                yield module_hash, fixed_from_row(*cell)
            last = rows[-1][0]

    def items(self) -> ItemsView[str, FixedStats]:
        """Streams ``(hash, fixed stats)`` pairs, one query per page of cells."""
        return _StreamedItems(self)

    def values(self) -> ValuesView[FixedStats]:
        """Streams the fixed stats, one query per page of cells."""
        return _StreamedValues(self)


class ComputedStatistics(_StatisticsView):
    """``hash -> {epochs: [metrics dict per repeat]}`` with the eight official metric keys."""

    def __getitem__(self, module_hash: str) -> ComputedStats:
        if not isinstance(module_hash, str):
            raise self._missing(module_hash)
        try:
            return self._api.get_metrics_from_hash(module_hash)[1]
        except KeyError:
            raise self._missing(module_hash) from None

    def _pages(self) -> Iterator[tuple[str, ComputedStats]]:
        last = -1
        while True:
            cells = self._api._query(
                "SELECT cell_id, hash FROM cells WHERE cell_id > ? ORDER BY cell_id LIMIT ?",
                (last, _PAGE),
            )
            if not cells:
                return
            first_id, last_id = cells[0][0], cells[-1][0]
            runs = self._api._query(
                f"SELECT cell_id, epochs, repeat, {METRIC_COLUMNS} FROM runs"
                " WHERE cell_id BETWEEN ? AND ? ORDER BY cell_id, epochs, repeat",
                (first_id, last_id),
            )
            # The whole page's dicts in one native call, unless some value needs its exact
            # bits back (NaN / -0.0) or the rows are not the usual plain floats.
            built = None if self._api._has_special else nb101_computed_by_cell(runs, METRIC_FIELDS)
            if built is not None:
                for cell_id, module_hash in cells:
                    computed = built.get(cell_id)
                    yield module_hash, {} if computed is None else computed
            else:
                yield from self._page_in_python(cells, runs, first_id, last_id)
            last = last_id

    def _page_in_python(
        self, cells: list[Any], runs: list[Any], first_id: int, last_id: int
    ) -> Iterator[tuple[str, ComputedStats]]:
        """:meth:`_pages` for one page the native builder declines (exact values)."""
        special = (
            load_special(self._api._query, first_id, last_id) if self._api._has_special else None
        )
        by_cell: dict[int, list[tuple[Any, ...]]] = {}
        for cell_id, *run in runs:
            by_cell.setdefault(cell_id, []).append(tuple(run))
        for cell_id, module_hash in cells:
            yield module_hash, computed_from_rows(by_cell.get(cell_id, []), cell_id, special)

    def items(self) -> ItemsView[str, ComputedStats]:
        """Streams ``(hash, computed stats)`` pairs, two queries per page of cells."""
        return _StreamedItems(self)

    def values(self) -> ValuesView[ComputedStats]:
        """Streams the computed stats, two queries per page of cells."""
        return _StreamedValues(self)


class _StreamedItems(ItemsView[str, Any]):
    """``items()`` that pages through the database instead of one lookup per key."""

    _mapping: FixedStatistics | ComputedStatistics

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        return self._mapping._pages()


class _StreamedValues(ValuesView[Any]):
    """``values()`` that pages through the database instead of one lookup per key."""

    _mapping: FixedStatistics | ComputedStatistics

    def __iter__(self) -> Iterator[Any]:
        return (value for _, value in self._mapping._pages())
