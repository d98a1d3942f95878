"""NAS-Bench-101 network cost model: exact against the NAR record and official parameter counts."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from cells import INCEPTION
from nasbench_lite import nb101
from nasbench_lite.errors import OutOfDomainError

DATA = Path(__file__).parent / "data"


def test_nar_example_record_exactly() -> None:
    record = json.loads((DATA / "nasbench101_vertice_example.json").read_text())[0]
    spec = nb101.ModelSpec(record["module_adjacency"], record["module_operations"])
    costs = nb101.cell_costs(spec)
    assert costs["vertex_flops"] == record["vertex_flops"]
    assert costs["vertex_params"] == record["vertex_params"]
    assert costs["flops"] == record["flops"]
    assert costs["trainable_parameters"] == record["trainable_parameters"] == 8_555_530
    # Only the stem (3,712) and the classifier (5,130) lie outside the per-vertex numbers.
    per_vertex = sum(sum(v) for v in costs["vertex_params"].values())
    assert per_vertex + 3_712 + 5_130 == costs["trainable_parameters"]


def test_official_parameter_count_of_the_readme_cell() -> None:
    assert nb101.trainable_parameters(nb101.ModelSpec(*INCEPTION)) == 2_694_282


def test_costs_follow_the_pruned_cell() -> None:
    # A dangling conv1x1 is pruned away: same costs as the chain without it.
    dangling = nb101.ModelSpec(
        [[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0], [0, 0, 0, 0]],
        ["input", "conv3x3-bn-relu", "conv1x1-bn-relu", "output"],
    )
    chain = nb101.ModelSpec(
        [[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["input", "conv3x3-bn-relu", "output"]
    )
    assert nb101.cell_costs(dangling) == nb101.cell_costs(chain)
    assert len(nb101.cell_costs(chain)["vertex_flops"]["stack0/module0"]) == 3


def test_input_to_output_projection_is_counted_in_totals_only() -> None:
    two = nb101.ModelSpec([[0, 1], [0, 0]], ["input", "output"])
    costs = nb101.cell_costs(two)
    # Every module is one 1x1 projection (in_c -> out_c) + BN, no vertex costs at all.
    modules = [
        (128, 128),
        (128, 128),
        (128, 128),
        (128, 256),
        (256, 256),
        (256, 256),
        (256, 512),
        (512, 512),
        (512, 512),
    ]
    expected = 3_712 + 5_130 + sum(i * o + 2 * o for i, o in modules)
    assert costs["trainable_parameters"] == expected
    assert all(v == [0, 0] for v in costs["vertex_params"].values())
    sides = [32] * 3 + [16] * 3 + [8] * 3
    projections = sum(2 * s * s * i * o for s, (i, o) in zip(sides, modules, strict=True))
    skeleton = 2 * 32 * 32 * 27 * 128 + 4 * 16 * 16 * 128 + 4 * 8 * 8 * 256 + 8 * 8 * 512 + 10250
    assert costs["flops"] == projections + skeleton


def test_batch_equals_single_and_rejects_invalid_rows() -> None:
    table = nb101.enumerate_cells(max_vertices=5).to_pylist()
    sample = random.Random(0).sample(table, 300)
    matrices = np.zeros((len(sample) + 1, 7, 7), dtype=np.uint8)
    ops = [[""] * 7 for _ in range(len(sample) + 1)]
    for row, cell in enumerate(sample):
        n = cell["num_vertices"]
        matrices[row, :n, :n] = cell["adjacency"]
        ops[row][:n] = cell["ops"]
    ops[-1][:2] = ["input", "output"]  # no edge: disconnected
    result = nb101.cost_many(matrices, ops)
    assert result["valid"].tolist() == [True] * len(sample) + [False]
    assert result["flops"][-1] == 0 and result["trainable_parameters"][-1] == 0
    for row, cell in enumerate(sample):
        single = nb101.cell_costs(nb101.ModelSpec(cell["adjacency"], cell["ops"]))
        assert single["flops"] == result["flops"][row]
        assert single["trainable_parameters"] == result["trainable_parameters"][row]
        n = cell["num_vertices"]
        assert (
            single["vertex_params"]["stack2/module1"]
            == result["vertex_params"][row, 7, :n].tolist()
        )


def test_invalid_specs_raise() -> None:
    with pytest.raises(OutOfDomainError):
        nb101.cell_costs(nb101.ModelSpec([[0, 0], [0, 0]], ["input", "output"]))
    with pytest.raises(OutOfDomainError):
        nb101.trainable_parameters(
            nb101.ModelSpec([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["input", "conv5x5", "output"])
        )


def _relabel(matrix: Any, ops: list[str], rng: random.Random, keep_feeder_order: bool) -> Any:
    """A random isomorphic relabelling that stays upper triangular (a random topological order
    of the interior vertices); optionally keeping the output feeders in their relative order."""
    m = np.asarray(matrix)
    n = len(ops)
    out = n - 1
    feeders = [v for v in range(1, out) if m[v, out]]
    order: list[int] = []
    remaining = set(range(1, out))
    while remaining:
        ready = [v for v in remaining if not any(m[u, v] for u in remaining if u != v)]
        if keep_feeder_order:
            placed_feeders = [f for f in feeders if f in order]
            next_feeder = (
                feeders[len(placed_feeders)] if len(placed_feeders) < len(feeders) else None
            )
            ready = [v for v in ready if v not in feeders or v == next_feeder]
        v = rng.choice(sorted(ready))
        order.append(v)
        remaining.remove(v)
    perm = [0, *order, out]  # new position i holds old vertex perm[i]
    new = m[np.ix_(perm, perm)]
    assert not np.tril(new).any()
    return new, [ops[v] for v in perm]


def test_costs_are_invariant_under_relabellings_that_keep_the_feeder_order() -> None:
    rng = random.Random(11)
    table = nb101.enumerate_cells().to_pylist()
    for cell in rng.sample(table, 400):
        spec = nb101.ModelSpec(cell["adjacency"], cell["ops"])
        matrix, ops = _relabel(cell["adjacency"], cell["ops"], rng, keep_feeder_order=True)
        other = nb101.ModelSpec(matrix, ops)
        assert other.hash_spec() == spec.hash_spec()
        a, b = nb101.cell_costs(spec), nb101.cell_costs(other)
        assert (a["flops"], a["trainable_parameters"]) == (b["flops"], b["trainable_parameters"])
        for key in a["vertex_flops"]:
            assert sorted(a["vertex_flops"][key]) == sorted(b["vertex_flops"][key])


def test_feeder_order_matters_in_the_official_channel_rule() -> None:
    # 128 output channels over 3 feeders: the first two (in index order) get 43, the last 42.
    # Swapping which op comes first changes the count, exactly as the official builder does;
    # that is why the database stores the costs of the dataset's own representative.
    first = nb101.ModelSpec(
        [[0, 1, 1, 1, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 1], [0, 0, 0, 0, 1], [0, 0, 0, 0, 0]],
        ["input", "conv3x3-bn-relu", "maxpool3x3", "maxpool3x3", "output"],
    )
    last = nb101.ModelSpec(
        [[0, 1, 1, 1, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 1], [0, 0, 0, 0, 1], [0, 0, 0, 0, 0]],
        ["input", "maxpool3x3", "maxpool3x3", "conv3x3-bn-relu", "output"],
    )
    assert first.hash_spec() == last.hash_spec()
    assert nb101.trainable_parameters(first) > nb101.trainable_parameters(last)


def test_more_channels_never_mean_fewer_parameters() -> None:
    # Adding an input edge to a conv adds its projection; turning a maxpool into a conv adds
    # weights: parameter counts only grow.
    base = nb101.ModelSpec([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["input", "maxpool3x3", "output"])
    conv = nb101.ModelSpec(
        [[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["input", "conv1x1-bn-relu", "output"]
    )
    wide = nb101.ModelSpec(
        [[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["input", "conv3x3-bn-relu", "output"]
    )
    counts = [nb101.trainable_parameters(s) for s in (base, conv, wide)]
    assert counts == sorted(counts) and len(set(counts)) == 3
