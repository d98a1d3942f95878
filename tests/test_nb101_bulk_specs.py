"""``query_many`` on ModelSpecs: the one-pass native read of each spec's cached state
(``nb101_cached_checks``) against the per-spec official path (``check_spec`` + ``hash_spec``).

Specs are random: valid, outside the space (too many vertices or edges, wrong first/last op,
unknown ops), prunable, disconnected, built the general way (float arrays), changed after
construction (ops edited, the pruned matrix read and edited, ``valid_spec`` flipped) and of a
subclass; every row must get exactly the per-spec outcome.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import nb101_tfrecord as tfr
import numpy as np
import pytest
from nasbench_lite import _native, nb101
from nasbench_lite.benchmarks.nb101.build import build_nb101
from nasbench_lite.benchmarks.nb101.bulk import _hash_specs
from nasbench_lite.errors import InvalidInputError, NasbenchLiteError
from nasbench_lite.nb101.api import NASBench
from nasbench_lite.spaces.nb101.spec import _UNSET, ModelSpec, check_spec

OPS = ["conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"]


class _Subclass(ModelSpec):
    def hash_spec(self, canonical_ops: Any = None) -> str:
        return "0" * 32  # a subclass may answer differently: it must be asked


def _per_spec(specs: list[ModelSpec]) -> list[str]:
    """The path ``query_many`` took before: the official check, then ``hash_spec``."""
    out = []
    for spec in specs:
        try:
            check_spec(spec)
            out.append(spec.hash_spec())
        except NasbenchLiteError:
            out.append("")
    return out


def _random_spec(rng: np.random.Generator) -> ModelSpec:
    n = int(rng.integers(1, 9))
    density = float(rng.uniform(0.2, 0.9))
    matrix = np.triu((rng.random((n, n)) < density).astype(int), 1)
    ops = ["input", *(OPS[int(i)] for i in rng.integers(0, 3, size=max(n - 2, 0))), "output"][:n]
    roll = rng.random()
    if roll < 0.05 and n > 2:
        ops[int(rng.integers(1, n - 1))] = "sepconv5x5"  # unknown op (maybe pruned away)
    elif roll < 0.08:
        ops[0] = "conv1x1-bn-relu"
    elif roll < 0.11:
        ops[-1] = "maxpool3x3"
    kind = rng.random()
    if kind < 0.1:
        spec = ModelSpec(matrix.astype(float), ops)  # the general (numpy) path
    elif kind < 0.2:
        spec = ModelSpec(matrix.astype(bool).tolist(), ops)
    elif kind < 0.25:
        spec = _Subclass(matrix.tolist(), ops)
    else:
        spec = ModelSpec(matrix.tolist(), ops)
    change = rng.random()
    if change < 0.05 and spec.ops:
        spec.ops[-1] = "conv3x3-bn-relu"  # edited in place
    elif change < 0.08 and spec.ops:
        spec.ops = tuple(spec.ops)  # type: ignore[assignment]
    elif change < 0.11 and spec.matrix is not None and spec.matrix.shape[0] > 1:
        spec.matrix[0, -1] = 1 - spec.matrix[0, -1]  # the pruned matrix handed out and edited
    elif change < 0.14:
        spec.valid_spec = not spec.valid_spec
    elif change < 0.17:
        spec = copy.deepcopy(spec)
    elif change < 0.2 and spec.matrix is not None:
        _ = spec.matrix  # read only: the array path, same answer
    return spec


def test_cached_checks_match_the_per_spec_path() -> None:
    rng = np.random.default_rng(16)
    specs = [_random_spec(rng) for _ in range(6000)]
    raw, valid = _hash_specs(specs)
    expected = _per_spec(specs)
    got = [r.tobytes().decode("ascii") if v else "" for r, v in zip(raw, valid, strict=True)]
    assert got == expected
    assert not raw[~valid].any()  # invalid rows carry no hash bytes
    # The sample covers every kind of outcome.
    assert 0.2 < float(np.mean(valid)) < 0.9
    assert any(len(s.original_ops) == 8 and e for s, e in zip(specs, expected, strict=True))
    # ... and all three native outcomes (valid, invalid, left to the per-spec path).
    _, outcome = _native.nb101_cached_checks(specs, ModelSpec, _UNSET)
    assert set(outcome.tolist()) == {0, 1, 2}
    assert int(np.count_nonzero(outcome == 2)) < len(specs) // 2


def test_uncommon_spec_states() -> None:
    base = [[0, 1, 1], [0, 0, 1], [0, 0, 0]]
    good = ModelSpec(base, ["input", "maxpool3x3", "output"])
    flipped = ModelSpec(base, ["input", "maxpool3x3", "output"])
    flipped.valid_spec = 1  # type: ignore[assignment]  # truthy, not a bool: official path
    swapped = ModelSpec(base, ["input", "maxpool3x3", "output"])
    swapped.ops = ["input", "conv1x1-bn-relu", "output"]  # a new list, same length
    many_edges = ModelSpec(
        np.triu(np.ones((7, 7), dtype=int), 1).tolist(), ["input", *OPS, *OPS[:2], "output"]
    )
    eight = ModelSpec(
        np.triu(np.ones((8, 8), dtype=int), 1).tolist(), ["input", *(OPS * 2), "output"]
    )
    specs = [good, flipped, swapped, many_edges, eight]
    raw, valid = _hash_specs(specs)
    got = [r.tobytes().decode("ascii") if v else "" for r, v in zip(raw, valid, strict=True)]
    assert got == _per_spec(specs)
    assert list(valid) == [True, True, True, False, False]
    assert got[2] != got[0]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    cells = tfr.cells_from_rows(nb101.enumerate_cells(max_vertices=4).to_pylist())
    folder = tmp_path_factory.mktemp("bulk_specs")
    source = folder / "nasbench_full.tfrecord"
    tfr.write_tfrecord(source, tfr.synthetic_dataset(cells, seed=3))
    build_nb101([source], folder / "nb101.sqlite")
    return folder / "nb101.sqlite", cells


def test_query_many_specs_equals_query_many_hashes(built: tuple[Path, Any]) -> None:
    path, cells = built
    rng = np.random.default_rng(5)
    specs = [ModelSpec(m, o) for _, m, o in cells] + [_random_spec(rng) for _ in range(300)]
    hashes = _per_spec(specs)
    with NASBench(path, seed=0) as api:
        by_specs = api.query_many(specs, repeat="mean").to_pylist()
        by_hashes = api.query_many([h or "0" * 32 for h in hashes], repeat="mean").to_pylist()
    for row, spec_row, hash_row, module_hash in zip(
        range(len(specs)), by_specs, by_hashes, hashes, strict=True
    ):
        assert spec_row["valid"] == bool(module_hash), row
        assert spec_row["hash"] == (module_hash or None), row
        if module_hash:
            assert {k: v for k, v in spec_row.items() if k != "valid"} == {
                k: v for k, v in hash_row.items() if k != "valid"
            }
        else:
            assert not spec_row["found"]
    assert all(r["found"] for r in by_specs[: len(cells)])
    # The (matrices, ops) form: the same rows, and an invalid one (output first) stays invalid.
    matrices = np.zeros((len(cells) + 1, 4, 4), dtype=np.uint8)
    ops = []
    for row, (_, matrix, names) in enumerate(cells):
        size = len(names)
        matrices[row, :size, :size] = matrix
        ops.append([*names, *[""] * (4 - size)])
    matrices[-1, 0, 1] = 1
    ops.append(["output", "input", "", ""])
    with NASBench(path, seed=0) as api:
        by_arrays = api.query_many((matrices, ops), repeat="mean").to_pylist()
    assert by_arrays[:-1] == by_specs[: len(cells)]
    assert (by_arrays[-1]["valid"], by_arrays[-1]["found"], by_arrays[-1]["hash"]) == (
        False,
        False,
        None,
    )


#: Configs a client may set (a smaller space, fewer ops, another op order).
CHANGED_CONFIGS = [
    {"max_edges": 3},
    {"module_vertices": 4},
    {"available_ops": [OPS[0], OPS[2]]},
    {"available_ops": [OPS[1], OPS[0], OPS[2]]},
]


@pytest.mark.parametrize("change", CHANGED_CONFIGS, ids=repr)
def test_query_many_checks_specs_against_the_config_as_query(
    built: tuple[Path, Any], change: dict[str, Any]
) -> None:
    path, cells = built
    rng = np.random.default_rng(8)
    specs = [ModelSpec(m, o) for _, m, o in cells] + [_random_spec(rng) for _ in range(300)]
    with NASBench(path, seed=0) as api:
        api.config.update(copy.deepcopy(change))
        rows = api.query_many(specs, repeat="mean").to_pylist()
        assert [row["valid"] for row in rows] == [api.is_valid(spec) for spec in specs]
        assert 0 < sum(row["valid"] for row in rows) < len(specs)
        for spec, row in zip(specs, rows, strict=True):
            if not row["valid"]:
                assert row["hash"] is None
                continue
            expected = spec.hash_spec(api.config["available_ops"])
            assert row["hash"] == expected
            try:
                api.query(spec)
            except KeyError:
                assert not row["found"]  # relabelled by another op order: not in the data
            else:
                assert row["found"]
        # The batch check of (matrices, ops) knows only the official config: a typed error.
        matrices = np.zeros((1, 7, 7), dtype=np.uint8)
        with pytest.raises(InvalidInputError, match="config differs"):
            api.query_many((matrices, np.array([["input"] + [""] * 6])))
