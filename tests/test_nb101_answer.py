"""The pieces of an NB101 answer built natively on a first sight (#16).

``_native.nb101_adjacency`` decodes ``module_adjacency`` from the stored ``edge_bits`` (it
replaced a process-wide cache of decoded arrays: every answer gets a new int8 array of its
own). These tests pin its values against independent sources (the enumeration's matrices, the
Python reference decode, the pruned matrix of the queried spec) and its fallback for values
outside the space. ``_native.nb101_first_sight_runs`` turns the rows of the first-sight
statement into ``repeat -> values``: pinned against the Python reference it replaced.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import nb101_tfrecord as tfr
import numpy as np
import pytest
from nasbench_lite import _native, nb101
from nasbench_lite.benchmarks.nb101.build import build_nb101
from nasbench_lite.benchmarks.nb101.result import Cell, flat_adjacency
from nasbench_lite.compat.nasbench import api as compat_api
from nasbench_lite.nb101.api import NASBench

OPS = ["conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"]


def _reference(num_vertices: int, edge_bits: int) -> Any:
    flat = flat_adjacency(num_vertices, edge_bits)
    return np.frombuffer(flat, dtype=np.int8).reshape(num_vertices, num_vertices)


def _assert_fresh_int8(array: Any, num_vertices: int) -> None:
    assert type(array) is np.ndarray and array.dtype == np.int8
    assert array.shape == (num_vertices, num_vertices)
    assert array.flags.writeable and array.flags.c_contiguous and array.flags.owndata
    assert array.base is None


@pytest.fixture(scope="module")
def space() -> Any:
    return nb101.enumerate_cells()


def _rows(space: Any, small: int, large: int, seed: int) -> list[dict[str, Any]]:
    """Every cell of up to ``small`` vertices and ``large`` seeded others, as dicts."""
    vertices = space.column("num_vertices").to_pylist()
    few = [i for i, v in enumerate(vertices) if v <= small]
    others = [i for i, v in enumerate(vertices) if v > small]
    return space.take(few + random.Random(seed).sample(others, large)).to_pylist()


@pytest.fixture(scope="module")
def sample(space: Any) -> list[dict[str, Any]]:
    """Every cell of up to 5 vertices and a seeded sample of the 6- and 7-vertex ones."""
    return _rows(space, 5, 600, seed=16)


def test_every_vertex_count_decodes_as_the_enumeration(space: Any) -> None:
    picked = _rows(space, 5, 5000, seed=3)
    assert {row["num_vertices"] for row in picked} == {2, 3, 4, 5, 6, 7}
    for row in picked:
        n = row["num_vertices"]
        array = _native.nb101_adjacency(n, row["edge_bits"])
        assert array is not None
        _assert_fresh_int8(array, n)
        assert array.tolist() == row["adjacency"], row["hash"]


def test_all_graphs_of_small_cells_match_the_reference_decode() -> None:
    rng = random.Random(11)
    for n in range(8):
        edges = n * (n - 1) // 2
        bits_list = (
            range(1 << edges) if edges <= 10 else [rng.getrandbits(edges) for _ in range(3000)]
        )
        for bits in bits_list:
            array = _native.nb101_adjacency(n, bits)
            assert array is not None
            assert np.array_equal(array, _reference(n, bits)), (n, bits)
            # Bits beyond the triangle are ignored, negative ints read as Python's `&` does.
            beyond = bits | rng.getrandbits(40) << edges
            assert np.array_equal(_native.nb101_adjacency(n, beyond), array), (n, beyond)
            negative = bits - (1 << 62) if bits < (1 << 62) else bits
            assert np.array_equal(_native.nb101_adjacency(n, negative), _reference(n, negative)), (
                n,
                negative,
            )


def test_every_call_returns_an_array_of_its_own() -> None:
    first = _native.nb101_adjacency(4, 0b101011)
    second = _native.nb101_adjacency(4, 0b101011)
    assert first is not None and second is not None and first is not second
    first[:] = 5
    # bits 0, 1, 3, 5: edges 0->1, 0->2, 0->3, 2->3 (bit x + y(y-1)/2 is x -> y)
    assert second.tolist() == [[0, 1, 1, 1], [0, 0, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0]]
    cell = Cell(4, 0b101011, ["input", "maxpool3x3", "maxpool3x3", "output"])
    assert cell.adjacency() is not cell.adjacency()
    assert cell.adjacency().tolist() == second.tolist()


@pytest.mark.parametrize(
    ("num_vertices", "edge_bits"),
    [(8, 1 << 27 | 5), (9, 3), (7, 1 << 64 | 1), (7, -(1 << 70)), (7, True)],
)
def test_values_outside_the_space_take_the_reference_decode(
    num_vertices: Any, edge_bits: Any
) -> None:
    assert _native.nb101_adjacency(num_vertices, edge_bits) is None
    array = Cell(num_vertices, edge_bits, []).adjacency()
    _assert_fresh_int8(array, int(num_vertices))
    assert np.array_equal(array, _reference(num_vertices, edge_bits))


@pytest.mark.parametrize(
    ("num_vertices", "edge_bits", "error"),
    [
        (-1, 0, ValueError),
        (True, 0, TypeError),
        (7.0, 1, TypeError),
        (7, 1.0, TypeError),
        (7, "3", TypeError),
    ],
)
def test_malformed_values_fail_as_the_reference(
    num_vertices: Any, edge_bits: Any, error: type[Exception]
) -> None:
    assert _native.nb101_adjacency(num_vertices, edge_bits) is None
    with pytest.raises(error):
        Cell(num_vertices, edge_bits, []).adjacency()


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory, sample: Any) -> Path:
    folder = tmp_path_factory.mktemp("answer-adjacency")
    source = folder / "nasbench_only108.tfrecord"
    cells = tfr.cells_from_rows(sample)
    tfr.write_tfrecord(source, tfr.synthetic_dataset(cells, epochs=(108,), seed=4))
    build_nb101([source], folder / "nb101.sqlite")
    return folder / "nb101.sqlite"


def _padded_spec(row: dict[str, Any], rng: random.Random, make_spec: Any) -> Any:
    """A 7-vertex spec that prunes to the cell: vertices off every input -> output path."""
    n = row["num_vertices"]
    matrix = np.zeros((7, 7), dtype=np.int64)
    matrix[: n - 1, : n - 1] = np.array(row["adjacency"])[: n - 1, : n - 1]
    matrix[: n - 1, 6] = np.array(row["adjacency"])[: n - 1, n - 1]
    ops = [*row["ops"][:-1], *rng.choices(OPS, k=7 - n), "output"]
    for extra in range(n - 1, 6):
        matrix[extra, 6] = 1  # reaches the output, never reached from the input: pruned
    return make_spec(matrix, ops)


@pytest.mark.parametrize("api", ["native", "compat"])
def test_answers_hold_the_pruned_matrix_of_the_spec(
    database: Path, sample: Any, api: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(5)
    nasbench: Any
    if api == "native":
        nasbench, make_spec = NASBench(database, seed=0), nb101.ModelSpec
    else:
        nasbench, make_spec = compat_api.NASBench(str(database), seed=0), compat_api.ModelSpec
    capsys.readouterr()
    with nasbench:
        for row in sample:
            n = row["num_vertices"]
            spec = _padded_spec(row, rng, make_spec)
            assert spec.hash_spec() == row["hash"]
            assert np.array_equal(spec.matrix, row["adjacency"])  # pruned back to the cell
            for _ in range(2):  # first sight, then the cached rows
                data = nasbench.query(spec)
                array = data["module_adjacency"]
                _assert_fresh_int8(array, n)
                assert np.array_equal(array, spec.matrix), row["hash"]
                assert data["module_operations"] == spec.ops
                array[:] = 3  # the caller's own: the next answer is unchanged


def _runs_reference(rows: list[Any]) -> dict[Any, Any]:
    """What ``_first_sight`` built in Python (the dict display / comprehension)."""
    return {row[4]: row[6:] for row in rows}


def _row(repeat: Any, values: tuple[Any, ...], sentinel: Any = 0.0) -> tuple[Any, ...]:
    return (7, 1234, 56, 789, repeat, sentinel, *values)


def test_first_sight_runs_match_the_python_reference() -> None:
    rng = random.Random(2)
    for count in (1, 2, 3, 4, 7):
        rows = [_row(r, tuple(rng.random() for _ in range(4))) for r in range(count)]
        runs = _native.nb101_first_sight_runs(rows)
        assert runs == _runs_reference(rows) and list(runs) == list(range(count))
        assert all(type(v) is tuple for v in runs.values())
        # The very float objects of the rows, not copies that could round differently.
        assert all(runs[r][i] is rows[r][6 + i] for r in range(count) for i in range(4))
    # Rows in file order, a repeated repeat keeps the last row (as the display did); rows of
    # other widths (the eight-value statement) keep all their values.
    rows = [_row(2, (1.0, 2.0)), _row(0, (3.0, -0.0, 5.0)), _row(2, (6.0,)), _row(1, ())]
    runs = _native.nb101_first_sight_runs(rows)
    assert runs == _runs_reference(rows) and list(runs) == [2, 0, 1]
    assert runs[2] == (6.0,) and runs[1] == ()
    assert _native.nb101_first_sight_runs(rows) is not runs  # a new dict per call


@pytest.mark.parametrize(
    "rows",
    [
        [],
        (_row(0, (1.0,)),),  # not a list
        [_row(0, (1.0,)), [7, 1, 2, 3, 1, 0.0, 1.0]],  # a row that is not a tuple
        [_row(0, (1.0,)), (7, 1, 2, 3, 1)],  # a short row
        [_row(0, (1.0, None), sentinel=None), _row(1, (1.0, 2.0))],  # a NULL value
        [_row(None, (None, None), sentinel=None)],  # the LEFT JOIN row of no runs
        [_row(0, (1.0,)), _row(1.0, (1.0,))],  # a repeat that is not an exact int
        [_row(True, (1.0,))],
    ],
)
def test_first_sight_runs_leave_other_rows_to_the_python_path(rows: Any) -> None:
    assert _native.nb101_first_sight_runs(rows) is None
