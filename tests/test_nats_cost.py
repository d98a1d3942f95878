"""NAS-Bench-201 topology costs: the NAR record exactly, and the official NATS params/flop."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from nasbench_lite import nats
from nasbench_lite.errors import InvalidInputError

DATA = Path(__file__).parent / "data"


def all_arch_strings() -> list[str]:
    return [
        f"|{a}~0|+|{b}~0|{c}~1|+|{d}~0|{e}~1|{f}~2|"
        for a, b, c, d, e, f in itertools.product(nats.OPS, repeat=6)
    ]


def test_nar_nb201_example_exactly() -> None:
    record = json.loads((DATA / "nasbench201_vertice_example.json").read_text())["0"]
    costs = nats.cell_costs(record["arch_str"])
    suffixes = ("_total_flops", "_total_params", "_opt_flops", "_opt_params")
    assert costs.keys() == {k for k in record if k.endswith(suffixes)}
    assert len(costs) == 12
    for key, value in costs.items():
        assert value == record[key], key


def test_official_nats_params_and_flops_on_real_archive_values() -> None:
    rows = json.loads((DATA / "nats_tss_costs.json").read_text())
    checked = 0
    for row in rows:
        for dataset, official in row["hp12_costs"].items():
            costs = nats.cost_many([row["arch_str"]], dataset)
            assert costs["total_params"][0] / 1e6 == official["params"]
            assert costs["official_flops"][0] / 1e6 == official["flop"]
            checked += 1
    assert checked == 12


def test_whole_space_batch_agrees_with_single_cells() -> None:
    archs = all_arch_strings()
    assert len(archs) == 15625
    costs = nats.cost_many(archs, "cifar100")
    assert costs["opt_flops"].shape == (15625, 15, 6)
    for i in (0, 1, 777, 15624):
        single = nats.cell_costs(archs[i])
        assert single["cifar100_total_flops"] == costs["total_flops"][i]
        assert single["cifar100_opt_params"]["cells12"] == costs["opt_params"][i, 10].tolist()
    # The all-none cell is the bare skeleton; more convolutions never cost less.
    assert costs["total_params"][0] == costs["total_params"].min()
    conv3 = np.array([sum(op == "nor_conv_3x3" for op in nats.parse_arch(a)) for a in archs])
    for k in range(6):
        assert costs["total_params"][conv3 == k + 1].min() > costs["total_params"][conv3 == k].min()


def test_costs_depend_only_on_the_multiset_of_edge_ops() -> None:
    # Every edge of a cell sees the same channels and resolution, so permuting edges
    # (isomorphic or not) leaves every total unchanged.
    archs = all_arch_strings()
    rng = np.random.default_rng(0)
    for i in rng.choice(len(archs), 200, replace=False).tolist():
        ops = list(nats.parse_arch(archs[i]))
        rng.shuffle(ops)
        a, b, c, d, e, f = ops
        other = f"|{a}~0|+|{b}~0|{c}~1|+|{d}~0|{e}~1|{f}~2|"
        for dataset in nats.DATASETS:
            x, y = nats.cost_many([archs[i]], dataset), nats.cost_many([other], dataset)
            assert x["total_flops"] == y["total_flops"] and x["total_params"] == y["total_params"]


@pytest.mark.parametrize(
    "bad",
    [
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|",
        "|conv_5x5~0|+|none~0|none~1|+|none~0|none~1|none~2|",
        "|none~0|+|none~1|none~0|+|none~0|none~1|none~2|",
        "|none0|+|none~0|none~1|+|none~0|none~1|none~2|",
    ],
)
def test_malformed_arch_strings(bad: str) -> None:
    with pytest.raises(InvalidInputError):
        nats.cell_costs(bad)


def test_unknown_dataset() -> None:
    with pytest.raises(InvalidInputError, match="unknown dataset"):
        nats.cost_many(all_arch_strings()[:1], "imagenet")
