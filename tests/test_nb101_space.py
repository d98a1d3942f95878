"""The enumerated NAS-Bench-101 space (enumerate_cells, space_chunks, count_labelled_graphs).

Counts and the SHA-256 of the sorted hash list come from running the original
generate_graphs.py (shared/formats/nb101.md §4 and the fixture README); small spaces are also
compared, row by row and in order, with a pure-Python port of generate_graphs.py.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from nasbench_lite import _native
from nasbench_lite.benchmarks.nb101_space.layout import CELL_COLUMNS
from nasbench_lite.errors import InvalidInputError
from nasbench_lite.nb101 import (
    PAD_LABEL,
    ModelSpec,
    SpaceChunk,
    count_labelled_graphs,
    enumerate_cells,
    hash_many,
    is_valid,
    space_chunks,
)
from nb101_reference import (
    LABEL_OF_NAME,
    edge_bit,
    load_reference_specs,
    reference_enumerate,
    reference_hash,
)

FULL_ROWS = 423_624
FULL_SHA256 = "a7f10bf770c1b5b8a221e37824e42b3b1a237a5d21ccf545bbe8e23abd933403"
# SHA-256 of the hashes in row (first-seen) order joined by "\n", and of the JSON that
# generate_graphs.py writes (json.dump(buckets, f, sort_keys=True): hash -> [matrix, labels]).
# Recorded from the exhaustive implementation (hash every labelled graph, keep the first per
# hash) at commit fd2ab32, before enumeration switched to isomorphism-class representatives
# (#16); they pin the representatives and their order, which the sorted-list digest does not.
FULL_ORDERED_SHA256 = "63741aca67fbd69c75601cfc30c31a168b22e344c9c308f8a2985c4b8bafecfd"
FULL_JSON_SHA256 = "b62900d1b8b3b850df432da5dce9e7a9248655bba8ada9f03e54cdcc6487a39a"
# Original generate_graphs.py, cumulative by max_vertices (nb101.md §4).
UNIQUE_CUMULATIVE = {2: 1, 3: 7, 4: 91, 5: 2_532, 6: 64_542, 7: 423_624}
LABELLED_CUMULATIVE = {2: 1, 3: 7, 4: 97, 5: 3_364, 6: 128_509, 7: 1_293_208}
EXACT_SIZE = {2: 1, 3: 6, 4: 84, 5: 2_441, 6: 62_010, 7: 359_082}
NAME_OF_LABEL = {label: name for name, label in LABEL_OF_NAME.items()}
# enumerate_cells names its columns as the nb101_space database names them (up to ``ops``),
# with the integer labels where the database stores the costs.
COLUMNS = [*CELL_COLUMNS[: CELL_COLUMNS.index("ops") + 1], "labels"]


# --------------------------------------------------------------------------------------------
# Helpers and fixtures


def decode(table: pa.Table) -> dict[str, np.ndarray]:
    """Table columns as numpy: (N, 7, 7) zero-padded adjacency and (N, 7) PAD_LABEL-padded
    labels, relying only on list offsets (not on the row order)."""
    nv = table.column("num_vertices").to_numpy().astype(np.int64)
    n = len(nv)
    adjacency = table.column("adjacency").combine_chunks()
    labels = table.column("labels").combine_chunks()
    outer = adjacency.offsets.to_numpy()
    inner = adjacency.flatten().offsets.to_numpy()
    values = adjacency.flatten().flatten().to_numpy()
    label_offsets = labels.offsets.to_numpy()
    label_values = labels.flatten().to_numpy()
    assert np.array_equal(np.diff(outer), nv)
    assert np.array_equal(np.diff(label_offsets), nv)
    assert np.all(np.diff(inner) == np.repeat(nv, nv))
    matrices = np.zeros((n, 7, 7), dtype=np.uint8)
    padded_labels = np.full((n, 7), PAD_LABEL, dtype=np.int8)
    for v in range(2, 8):
        rows = np.flatnonzero(nv == v)
        if not len(rows):
            continue
        starts = inner[outer[rows]]  # first value of each cell
        index = starts[:, None] + np.arange(v * v)[None, :]
        matrices[rows, :v, :v] = values[index].reshape(-1, v, v)
        lstart = label_offsets[rows]
        padded_labels[rows, :v] = label_values[lstart[:, None] + np.arange(v)[None, :]]
    return {
        "num_vertices": nv,
        "matrices": matrices,
        "labels": padded_labels,
        "hash": np.asarray(table.column("hash").to_numpy(zero_copy_only=False)).astype("U32"),
        "edge_bits": table.column("edge_bits").to_numpy().astype(np.int64),
        "num_edges": table.column("num_edges").to_numpy().astype(np.int64),
        "cell_id": table.column("cell_id").to_numpy().astype(np.int64),
    }


@pytest.fixture(scope="module")
def full_table() -> pa.Table:
    """The whole default space (computed once per module; a few seconds)."""
    return enumerate_cells()


@pytest.fixture(scope="module")
def full(full_table: pa.Table) -> dict[str, np.ndarray]:
    return decode(full_table)


@pytest.fixture(scope="module")
def reference_small() -> tuple[dict[str, Any], int]:
    """Pure-Python generate_graphs.py for max_vertices=5 (default ops and edges)."""
    return reference_enumerate(5)


# --------------------------------------------------------------------------------------------
# Counts


@pytest.mark.parametrize("max_vertices", sorted(LABELLED_CUMULATIVE))
def test_count_labelled_graphs(max_vertices: int) -> None:
    assert count_labelled_graphs(max_vertices) == LABELLED_CUMULATIVE[max_vertices]


def test_count_labelled_graphs_default() -> None:
    assert count_labelled_graphs() == 1_293_208
    assert count_labelled_graphs(7, 9, 3) == 1_293_208


@pytest.mark.parametrize("max_vertices", [2, 3, 4, 5, 6])
def test_enumerate_cells_row_counts(max_vertices: int) -> None:
    table = enumerate_cells(max_vertices=max_vertices)
    assert table.num_rows == UNIQUE_CUMULATIVE[max_vertices]
    sizes = table.column("num_vertices").to_numpy()
    for v in range(2, 8):
        assert int(np.sum(sizes == v)) == (EXACT_SIZE[v] if v <= max_vertices else 0)


def test_space_chunks_counts() -> None:
    seen: list[int] = []
    chunks = space_chunks(max_vertices=6, progress=seen.append)
    assert [c.num_vertices for c in chunks] == [2, 3, 4, 5, 6]
    assert [len(c.hashes) for c in chunks] == [EXACT_SIZE[v] for v in range(2, 7)]
    per_size = [LABELLED_CUMULATIVE[v] - LABELLED_CUMULATIVE.get(v - 1, 0) for v in range(2, 7)]
    assert [c.labelled_graphs for c in chunks] == per_size
    # Increments that add up to each vertex count's graphs; V = 6 (125,145) reports inside.
    assert all(step > 0 for step in seen) and len(seen) > len(per_size)
    totals = list(itertools.accumulate(seen))
    assert all(LABELLED_CUMULATIVE[v] in totals for v in range(2, 7))
    assert totals[-1] == LABELLED_CUMULATIVE[6]


# --------------------------------------------------------------------------------------------
# The full default space


def test_full_space_size_and_schema(full_table: pa.Table) -> None:
    assert full_table.num_rows == FULL_ROWS
    assert full_table.column_names == COLUMNS
    assert full_table.schema.field("cell_id").type == pa.int32()
    assert full_table.schema.field("num_vertices").type == pa.int8()
    assert full_table.schema.field("edge_bits").type == pa.uint32()


def test_full_space_exact_size_breakdown(full: dict[str, np.ndarray]) -> None:
    counts = {v: int(np.sum(full["num_vertices"] == v)) for v in range(0, 9)}
    assert counts == {0: 0, 1: 0, 2: 1, 3: 6, 4: 84, 5: 2_441, 6: 62_010, 7: 359_082, 8: 0}


def test_full_space_hashes_unique_and_sha256(full: dict[str, np.ndarray]) -> None:
    hashes = full["hash"]
    assert len(np.unique(hashes)) == FULL_ROWS
    assert all(len(h) == 32 for h in hashes[:1000])
    joined = "\n".join(sorted(hashes.tolist()))
    assert hashlib.sha256(joined.encode("ascii")).hexdigest() == FULL_SHA256


def test_full_space_cell_ids_and_order(full: dict[str, np.ndarray]) -> None:
    assert np.array_equal(full["cell_id"], np.arange(FULL_ROWS))
    nv = full["num_vertices"]
    assert np.all(np.diff(nv) >= 0)  # ordered by vertex count
    assert nv[0] == 2 and nv[-1] == 7


def generate_graphs_json_sha256(full: dict[str, np.ndarray]) -> str:
    """SHA-256 of ``json.dumps(buckets, sort_keys=True)`` for the decoded table, streamed."""
    digest = hashlib.sha256(b"{")
    order = np.argsort(full["hash"], kind="stable")
    for i, row in enumerate(order.tolist()):
        n = int(full["num_vertices"][row])
        value = [full["matrices"][row, :n, :n].tolist(), full["labels"][row, :n].tolist()]
        entry = f"{json.dumps(str(full['hash'][row]))}: {json.dumps(value)}"
        digest.update(((", " if i else "") + entry).encode())
    digest.update(b"}")
    return digest.hexdigest()


def test_json_digest_streams_what_json_dump_writes() -> None:
    small = decode(enumerate_cells(max_vertices=4))
    buckets = {
        str(small["hash"][i]): (
            small["matrices"][i, :n, :n].tolist(),
            small["labels"][i, :n].tolist(),
        )
        for i, n in enumerate(small["num_vertices"].tolist())
    }
    text = json.dumps(buckets, sort_keys=True)
    assert generate_graphs_json_sha256(small) == hashlib.sha256(text.encode()).hexdigest()


def test_full_space_ordered_hashes_and_json_output(full: dict[str, np.ndarray]) -> None:
    ordered = "\n".join(full["hash"].tolist())
    assert hashlib.sha256(ordered.encode("ascii")).hexdigest() == FULL_ORDERED_SHA256
    assert generate_graphs_json_sha256(full) == FULL_JSON_SHA256


def test_full_space_first_seen_order(full: dict[str, np.ndarray]) -> None:
    """Within a vertex count: edge bits ascending, then labellings in itertools.product order
    (lexicographic, last interior vertex fastest); each (bits, labelling) at most once."""
    nv, bits, labels = full["num_vertices"], full["edge_bits"], full["labels"].astype(np.int64)
    # Encode (nv, bits, labels...) as one sortable key: labels are 0..2 / -1 / -2 / pad.
    key = nv.copy()
    key = key * (1 << 21) + bits
    for column in range(7):
        key = key * 8 + (labels[:, column] + 3)
    assert np.all(np.diff(key) > 0)


def test_full_space_rows_are_consistent(full_table: pa.Table, full: dict[str, np.ndarray]) -> None:
    matrices, labels, nv = full["matrices"].astype(np.int64), full["labels"], full["num_vertices"]
    # edge_bits decode (gen_is_edge_fn) to the adjacency; num_edges counts them.
    decoded = np.zeros_like(matrices)
    for y in range(1, 7):
        for x in range(y):
            decoded[:, x, y] = (full["edge_bits"] >> edge_bit(x, y)) & 1
    assert np.array_equal(decoded, matrices)
    assert np.array_equal(matrices.sum(axis=(1, 2)), full["num_edges"])
    assert full["num_edges"].max() == 9 and full["num_edges"].min() == 1
    # Upper triangular, full DAG (nothing to prune): every real vertex but the output has an
    # out-edge, every real vertex but the input has an in-edge.
    assert not np.any(np.tril(matrices))
    positions = np.arange(7)[None, :]
    real = positions < nv[:, None]
    out_degree, in_degree = matrices.sum(axis=2), matrices.sum(axis=1)
    assert np.all((out_degree > 0) | ~real | (positions == nv[:, None] - 1))
    assert np.all((in_degree > 0) | ~real | (positions == 0))
    # Labels: input -1 first, output -2 last, ops 0..2 between, padding after.
    rows = np.arange(len(nv))
    assert np.all(labels[:, 0] == -1)
    assert np.all(labels[rows, nv - 1] == -2)
    interior = real & (positions > 0) & (positions < nv[:, None] - 1)
    assert np.all((labels >= 0) == interior)
    assert np.all(labels[interior] <= 2)
    assert np.all((labels == PAD_LABEL) == ~real)
    # ops are the names of the labels (spot-checked through Python objects).
    sample = full_table.slice(0, 300).to_pylist() + full_table.slice(FULL_ROWS - 300).to_pylist()
    for row in sample:
        assert row["ops"] == [NAME_OF_LABEL[label] for label in row["labels"]]
        assert len(row["adjacency"]) == row["num_vertices"]


def test_full_space_rehash_all_rows(full: dict[str, np.ndarray]) -> None:
    """hash_many on every representative (integer-label form) reproduces its hash."""
    hashes = hash_many(full["matrices"], full["labels"])
    assert np.array_equal(hashes, full["hash"])


def test_full_space_rehash_sample_by_name(full_table: pa.Table) -> None:
    rng = np.random.default_rng(20240101)
    index = np.sort(rng.choice(FULL_ROWS, size=4000, replace=False))
    rows = full_table.take(pa.array(index)).to_pylist()
    matrices = np.zeros((len(rows), 7, 7), dtype=np.int64)
    for i, row in enumerate(rows):
        n = row["num_vertices"]
        matrices[i, :n, :n] = row["adjacency"]
    ops = [row["ops"] for row in rows]  # ragged names
    assert hash_many(matrices, ops).tolist() == [row["hash"] for row in rows]


def test_full_space_rehash_sample_with_model_spec(full_table: pa.Table) -> None:
    rng = np.random.default_rng(7)
    index = np.sort(rng.choice(FULL_ROWS, size=300, replace=False))
    for row in full_table.take(pa.array(index)).to_pylist():
        spec = ModelSpec(row["adjacency"], row["ops"])
        assert is_valid(spec)
        assert spec.matrix.tolist() == row["adjacency"]  # representatives need no pruning
        assert spec.hash_spec() == row["hash"]
    for row in full_table.take(pa.array(index[:40])).to_pylist():
        assert reference_hash(row["adjacency"], row["labels"]) == row["hash"]


def test_reference_enumerated_rows_are_first_seen_representatives(full_table: pa.Table) -> None:
    rows = [r for r in load_reference_specs() if r["kind"] == "enumerated"]
    assert len(rows) == 120
    by_hash = _rows_by_hash(full_table, [r["hash"] for r in rows])
    for ref in rows:
        row = by_hash[ref["hash"]]
        assert row["adjacency"] == ref["matrix"]
        assert row["ops"] == ref["ops"]
        assert row["labels"] == ref["labels"]


def test_inception_and_nar_cells_are_the_dataset_representatives(
    full_table: pa.Table, nar_record: dict[str, Any]
) -> None:
    """The dataset stores the generate_graphs representative (notebook Inception cell, NAR)."""
    canonical = next(
        r for r in load_reference_specs() if r.get("name") == "notebook_inception_canonical"
    )
    by_hash = _rows_by_hash(full_table, [canonical["hash"], nar_record["unique_hash"]])
    assert by_hash[canonical["hash"]]["adjacency"] == canonical["matrix"]
    assert by_hash[canonical["hash"]]["ops"] == canonical["ops"]
    nar = by_hash[nar_record["unique_hash"]]
    assert nar["adjacency"] == nar_record["module_adjacency"]
    assert nar["ops"] == nar_record["module_operations"]


def _rows_by_hash(table: pa.Table, wanted: list[str]) -> dict[str, dict[str, Any]]:
    hashes = np.asarray(table.column("hash").to_numpy(zero_copy_only=False)).astype("U32")
    index = np.flatnonzero(np.isin(hashes, np.array(wanted)))
    found = {row["hash"]: row for row in table.take(pa.array(index)).to_pylist()}
    assert set(wanted) <= set(found)
    return found


def test_smaller_spaces_are_prefixes_of_the_full_space(full_table: pa.Table) -> None:
    # The enumeration per vertex count does not depend on max_vertices.
    small = enumerate_cells(max_vertices=5)
    assert small.equals(full_table.slice(0, UNIQUE_CUMULATIVE[5]))


def test_space_chunks_match_the_table(full_table: pa.Table) -> None:
    chunks = space_chunks(max_vertices=5)
    assert all(isinstance(c, SpaceChunk) for c in chunks)
    table = full_table.slice(0, UNIQUE_CUMULATIVE[5])
    rows = table.to_pylist()
    flat = [(c, i) for c in chunks for i in range(len(c.hashes))]
    assert len(flat) == len(rows)
    for (chunk, i), row in zip(flat, rows, strict=True):
        assert chunk.hashes[i] == row["hash"]
        assert int(chunk.edge_bits[i]) == row["edge_bits"]
        assert int(chunk.num_edges[i]) == row["num_edges"]
        assert chunk.labels[i].tolist() == row["labels"]
    chunk = chunks[-1]
    n = chunk.num_vertices
    adjacency = chunk.adjacency()
    assert adjacency.shape == (len(chunk.hashes), n, n)
    strings = chunk.adjacency_strings()
    ops_strings = chunk.ops_strings()
    names = chunk.op_names()
    for i in range(0, len(chunk.hashes), 97):
        assert strings[i] == "".join(str(int(x)) for x in adjacency[i].reshape(-1))
        assert len(strings[i]) == n * n
        assert ops_strings[i] == ",".join(names[i].tolist())
        assert names[i].tolist() == [NAME_OF_LABEL[int(label)] for label in chunk.labels[i]]


# --------------------------------------------------------------------------------------------
# Against the pure-Python port of generate_graphs.py


def _table_as_reference(table: pa.Table) -> list[tuple[str, int, int, list[list[int]], list[int]]]:
    return [
        (r["hash"], r["num_vertices"], r["edge_bits"], r["adjacency"], r["labels"])
        for r in table.to_pylist()
    ]


def test_enumeration_equals_reference_port(reference_small: tuple[dict[str, Any], int]) -> None:
    buckets, visited = reference_small
    assert len(buckets) == UNIQUE_CUMULATIVE[5]
    assert visited == LABELLED_CUMULATIVE[5]
    expected = [(h, n, bits, m, labels) for h, (n, bits, m, labels) in buckets.items()]
    assert _table_as_reference(enumerate_cells(max_vertices=5)) == expected


@pytest.mark.parametrize(
    ("max_vertices", "max_edges", "num_ops"),
    [(5, 9, 1), (5, 9, 2), (5, 4, 3), (4, 3, 2), (5, 0, 3), (3, 21, 3), (5, 6, 2)],
)
def test_enumeration_options_equal_reference_port(
    max_vertices: int, max_edges: int, num_ops: int
) -> None:
    buckets, visited = reference_enumerate(max_vertices, max_edges, num_ops)
    table = enumerate_cells(max_vertices=max_vertices, max_edges=max_edges, num_ops=num_ops)
    expected = [(h, n, bits, m, labels) for h, (n, bits, m, labels) in buckets.items()]
    assert _table_as_reference(table) == expected
    assert count_labelled_graphs(max_vertices, max_edges, num_ops) == visited
    assert table.column_names == COLUMNS
    assert table.column("cell_id").to_pylist() == list(range(table.num_rows))


def test_num_ops_restricts_to_the_first_ops() -> None:
    table = enumerate_cells(max_vertices=6, num_ops=2)
    labels = np.concatenate([np.asarray(x) for x in table.column("labels").to_pylist()])
    assert set(labels.tolist()) == {-2, -1, 0, 1}
    ops = {op for row in table.column("ops").to_pylist() for op in row}
    assert ops == {"input", "output", "conv3x3-bn-relu", "conv1x1-bn-relu"}


# --------------------------------------------------------------------------------------------
# Bad arguments


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_vertices": 1},
        {"max_vertices": 0},
        {"max_vertices": 8},
        {"max_vertices": -3},
        {"num_ops": 0},
        {"num_ops": 4},
        {"max_edges": -1},
    ],
    ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()),
)
def test_bad_arguments(kwargs: dict[str, int]) -> None:
    for function in (count_labelled_graphs, enumerate_cells, space_chunks):
        with pytest.raises(InvalidInputError) as info:
            function(**kwargs)
        assert isinstance(info.value, ValueError)


def test_native_progress_reports_graphs_done_inside_a_vertex_count() -> None:
    done: list[int] = []
    with_progress = _native.enumerate_vertices(6, 9, 3, done.append, 40_000)
    # V = 6: 1,545 DAGs x 81 labellings; whole DAGs per batch, at least 40,000 graphs each.
    assert done == [40_014, 80_028, 120_042, 125_145]
    for got, expected in zip(with_progress, _native.enumerate_vertices(6, 9, 3), strict=True):
        np.testing.assert_array_equal(got, expected)


def test_raising_progress_stops_the_enumeration() -> None:
    class Stop(Exception):
        pass

    calls: list[int] = []

    def stop(done: int) -> None:
        calls.append(done)
        raise Stop(done)

    with pytest.raises(Stop):
        _native.enumerate_vertices(6, 9, 3, stop, 1)
    assert len(calls) == 1
    with pytest.raises(Stop):
        space_chunks(max_vertices=6, progress=stop)


def test_progress_interval_must_be_positive() -> None:
    with pytest.raises(InvalidInputError, match="every"):
        _native.enumerate_vertices(4, 9, 3, None, 0)
