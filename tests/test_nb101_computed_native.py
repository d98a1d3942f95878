"""``computed_stats`` built natively (``get_metrics_from_hash``, ``computed_statistics``).

``_native.nb101_computed_stats`` builds one cell's ``{epochs: [metrics dict per repeat]}`` from
the rows of ``get_metrics_from_hash``'s statement, ``_native.nb101_computed_by_cell`` those of a
page of cells for ``computed_statistics.items()``. Both are pinned against the Python reference
they replace on the hot path (``stats.computed_from_rows``), against the official loader's
dictionaries of the same file, and on the rows they must decline (the Python path then
answers: NULLs, other types, other shapes).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import nb101_tfrecord as tfr
import pytest
from nasbench_lite import _native, nb101
from nasbench_lite.benchmarks.nb101 import reader
from nasbench_lite.benchmarks.nb101.build import build_nb101
from nasbench_lite.benchmarks.nb101.layout import METRIC_FIELDS
from nasbench_lite.benchmarks.nb101.stats import computed_from_rows
from nasbench_lite.nb101.api import NASBench


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cells = tfr.cells_from_rows(nb101.enumerate_cells(max_vertices=4).to_pylist())
    path = tmp_path_factory.mktemp("computed") / "nasbench_full.tfrecord"
    # Interleaved file order: budgets and repeats arrive mixed, as across the official files.
    tfr.write_tfrecord(path, tfr.synthetic_dataset(cells, seed=7, order="interleaved"))
    return path


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory, source: Path) -> Path:
    out = tmp_path_factory.mktemp("computed_db") / "nb101.sqlite"
    build_nb101([source], out)
    return out


@pytest.fixture(scope="module")
def loaded(source: Path) -> Any:
    return tfr.official_style_load(source)


@pytest.fixture
def bench(database: Path) -> Any:
    with NASBench(database, seed=0) as opened:
        yield opened


def test_every_cell_as_the_python_reference_and_the_official_dicts(bench: Any, loaded: Any) -> None:
    fixed_official, computed_official, _ = loaded
    assert len(computed_official) > 20
    for module_hash, official in computed_official.items():
        rows = bench._lookup(reader._CELL_SQL, (module_hash,))
        native = _native.nb101_computed_stats(rows, METRIC_FIELDS)
        assert native == computed_from_rows([row[5:] for row in rows]) == official
        assert list(native) == list(official)  # budgets in the official order too
        fixed, computed = bench.get_metrics_from_hash(module_hash)
        assert computed == official and bench.computed_statistics[module_hash] == official
        assert fixed["module_operations"] == fixed_official[module_hash]["module_operations"]


def test_items_stream_the_same_values_as_lookups(bench: Any, loaded: Any) -> None:
    streamed = dict(bench.computed_statistics.items())
    assert streamed == loaded[1]
    assert list(streamed) == list(loaded[1])  # first-appearance order


def test_answers_are_fresh_objects(bench: Any, loaded: Any) -> None:
    module_hash = next(iter(loaded[1]))
    first = bench.computed_statistics[module_hash]
    kept = copy.deepcopy(first)
    first[108][0]["final_test_accuracy"] = -1.0
    first[108].append({})
    first.pop(4)
    assert bench.computed_statistics[module_hash] == kept
    assert bench.get_metrics_from_hash(module_hash)[1] == kept


def _row(epochs: Any, repeat: int, values: list[Any], cell_id: Any = None) -> tuple[Any, ...]:
    """A get_metrics_from_hash row (cell columns first), or a page row with ``cell_id``."""
    if cell_id is not None:
        return (cell_id, epochs, repeat, *values)
    return (1, 3, 7, 0, 123, epochs, repeat, *values)


VALUES = [float(i) / 10 for i in range(8)]


def test_rows_of_one_cell_group_by_budget_in_row_order() -> None:
    rows = [
        _row(4, 0, VALUES),
        _row(4, 1, VALUES[::-1]),
        _row(108, 0, VALUES),
        _row(4, 2, VALUES),  # a budget again after another: joins its list, as setdefault
    ]
    expected = computed_from_rows([row[5:] for row in rows])
    assert _native.nb101_computed_stats(rows, METRIC_FIELDS) == expected
    assert [len(v) for v in expected.values()] == [3, 1]
    # The LEFT JOIN's row of a cell without runs: no budget at all.
    assert _native.nb101_computed_stats([_row(None, None, [None] * 8)], METRIC_FIELDS) == {}


@pytest.mark.parametrize(
    "rows",
    [
        [_row(4, 0, [*VALUES[:7], None])],  # a NULL (maybe a NaN kept in special_values)
        [_row(4, 0, [*VALUES[:7], 1])],  # an int where the column holds floats
        [_row(4.0, 0, VALUES)],  # a budget that is not an int
        [_row(4, 0, VALUES)[:-1]],  # another width
        [list(_row(4, 0, VALUES))],  # not a tuple
        (_row(4, 0, VALUES),),  # not a list
    ],
)
def test_rows_the_native_builder_declines(rows: Any) -> None:
    assert _native.nb101_computed_stats(rows, METRIC_FIELDS) is None
    page = [(9, *row[5:]) if isinstance(row, tuple) and len(row) > 5 else row for row in rows]
    if isinstance(rows, list):
        assert _native.nb101_computed_by_cell(page, METRIC_FIELDS) is None


def test_pages_group_by_cell() -> None:
    rows = [
        _row(4, 0, VALUES, cell_id=3),
        _row(108, 0, VALUES, cell_id=3),
        _row(4, 0, VALUES[::-1], cell_id=5),
        _row(4, 1, VALUES, cell_id=5),
    ]
    built = _native.nb101_computed_by_cell(rows, METRIC_FIELDS)
    assert built == {
        3: computed_from_rows([row[1:] for row in rows[:2]]),
        5: computed_from_rows([row[1:] for row in rows[2:]]),
    }
    # Cell ids not grouped (never in statement order): declined, the Python path groups.
    assert _native.nb101_computed_by_cell([*rows, rows[0]], METRIC_FIELDS) is None
    assert _native.nb101_computed_by_cell([_row(4, 0, VALUES, cell_id="3")], METRIC_FIELDS) is None
    assert _native.nb101_computed_by_cell([], METRIC_FIELDS) == {}
