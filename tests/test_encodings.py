"""Predictor encodings: NAR/ReNAS feature tensors (NB101 19x7x7, NB201 31x4x4), one-hot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from nasbench_lite import nats, nb101
from nasbench_lite.errors import InvalidInputError

DATA = Path(__file__).parent / "data"
NAR_TYPES = {"input": 1, "conv1x1-bn-relu": 2, "conv3x3-bn-relu": 3, "maxpool3x3": 4, "output": 5}


def nar_pad_matrix(matrix: np.ndarray, size: int = 7) -> np.ndarray:
    """NAR's padding loop, transcribed: append a zero row/column, swap the last two indices."""
    m = matrix
    for _ in range(size - len(matrix)):
        m = np.pad(m, ((0, 1), (0, 1)))
        index = list(range(len(m)))
        index[-2], index[-1] = index[-1], index[-2]
        m = m[index][:, index]
    return m


def nar_pad_vector(vector: np.ndarray, size: int = 7) -> np.ndarray:
    v = vector
    for _ in range(size - len(vector)):
        v = np.pad(v, (0, 1))
        index = list(range(len(v)))
        index[-2], index[-1] = index[-1], index[-2]
        v = v[index]
    return v


def nar_reference(matrix: Any, ops: list[str], vertex_flops: dict, vertex_params: dict) -> Any:
    """The ReNAS feature tensor exactly as NAR's encoder builds it (numpy instead of torch)."""
    m = nar_pad_matrix(np.asarray(matrix, dtype=np.float64))
    types = nar_pad_vector(np.array([NAR_TYPES[o] for o in ops], dtype=np.float64))
    channels = [m * types]
    for key in vertex_flops:
        f = nar_pad_vector(np.asarray(vertex_flops[key], dtype=np.float64) / 1e7)
        p = nar_pad_vector(np.asarray(vertex_params[key], dtype=np.float64) / 1e5)
        channels += [m * f, m * p]
    return np.stack(channels)


def test_nb101_nar_tensor_of_the_example_record() -> None:
    record = json.loads((DATA / "nasbench101_vertice_example.json").read_text())[0]
    expected = nar_reference(
        record["module_adjacency"],
        record["module_operations"],
        record["vertex_flops"],
        record["vertex_params"],
    )
    got = nb101.encode_many(np.array([record["module_adjacency"]]), [record["module_operations"]])
    assert got.shape == (1, 19, 7, 7)
    np.testing.assert_array_equal(got[0], expected)


def test_nb101_padding_matches_nar_for_small_cells() -> None:
    table = nb101.enumerate_cells(max_vertices=6).to_pylist()
    rng = np.random.default_rng(3)
    sample = [table[i] for i in rng.choice(len(table), 150, replace=False)]
    matrices = np.zeros((len(sample), 7, 7), dtype=np.uint8)
    ops = []
    for row, cell in enumerate(sample):
        n = cell["num_vertices"]
        matrices[row, :n, :n] = cell["adjacency"]
        ops.append(cell["ops"])
    got = nb101.encode_many(matrices, ops)
    for row, cell in enumerate(sample):
        costs = nb101.cell_costs(nb101.ModelSpec(cell["adjacency"], cell["ops"]))
        expected = nar_reference(
            cell["adjacency"], cell["ops"], costs["vertex_flops"], costs["vertex_params"]
        )
        np.testing.assert_array_equal(got[row], expected)


def test_adjacency_onehot() -> None:
    matrices = np.zeros((1, 3, 3), dtype=np.uint8)
    matrices[0, 0, 1] = matrices[0, 1, 2] = 1
    got = nb101.encode_many(matrices, [["input", "maxpool3x3", "output"]], kind="adjacency_onehot")
    assert got.shape == (1, 84)
    adjacency, onehot = got[0, :49].reshape(7, 7), got[0, 49:].reshape(7, 5)
    assert adjacency[0, 1] == 1 and adjacency[1, 6] == 1 and adjacency.sum() == 2
    assert onehot[0].tolist() == [1, 0, 0, 0, 0]
    assert onehot[1].tolist() == [0, 0, 0, 1, 0]
    assert onehot[6].tolist() == [0, 0, 0, 0, 1]
    assert onehot[2:6].sum() == 0


def test_nb101_encoding_rejects_unpruned_and_invalid_cells() -> None:
    dangling = np.zeros((1, 4, 4), dtype=np.uint8)
    dangling[0, 0, 1] = dangling[0, 1, 3] = dangling[0, 0, 2] = 1
    with pytest.raises(InvalidInputError, match="pruning"):
        nb101.encode_many(dangling, [["input", "conv3x3-bn-relu", "maxpool3x3", "output"]])
    with pytest.raises(InvalidInputError, match="disconnected"):
        nb101.encode_many(np.zeros((1, 2, 2)), [["input", "output"]])
    with pytest.raises(InvalidInputError):
        nb101.encode_many(np.zeros((1, 2, 2)), [["input", "output"]], kind="graph")  # type: ignore[arg-type]


def test_nb201_nar_tensor_of_the_example_record() -> None:
    record = json.loads((DATA / "nasbench201_vertice_example.json").read_text())["0"]
    coordinates = [(0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3)]
    for dataset in nats.NAR_DATASETS:
        got = nats.encode_many([record["arch_str"]], dataset)[0]
        assert got.shape == (31, 4, 4)
        np.testing.assert_array_equal(got[0], np.asarray(record["cell_adjacency"]))
        for cell, key in enumerate(record[f"{dataset}_opt_flops"]):
            flops = np.zeros((4, 4))
            params = np.zeros((4, 4))
            for (s, t), f, p in zip(
                coordinates,
                record[f"{dataset}_opt_flops"][key],
                record[f"{dataset}_opt_params"][key],
                strict=True,
            ):
                flops[s, t], params[s, t] = f, p
            np.testing.assert_array_equal(got[1 + 2 * cell], flops)
            np.testing.assert_array_equal(got[2 + 2 * cell], params)
