"""NAS-HPO-Bench-II cell codes: digit mapping, canonical classes, enumeration (no data needed).

The canonical classes are checked against properties computed here independently: relabelling
the two inner nodes, changing edges that cannot reach the output, and the number of live
convolutions/poolings (which an isomorphism must keep).
"""

from __future__ import annotations

import itertools

import pytest
from nasbench_lite.errors import OutOfDomainError
from nasbench_lite.nashpobench2 import (
    EDGES,
    OPS,
    all_cellcodes,
    canonical_cellcode,
    canonical_classes,
    cellcode_from_ops,
    enumerate_cellcodes,
    ops_of,
)

CONV, POOL, SKIP, ZERO = "0123"


@pytest.fixture(scope="module")
def classes() -> dict[str, str]:
    return canonical_classes(all_cellcodes())


def digits(code: str) -> list[str]:
    return [c for c in code if c != "|"]


def code_of(d: list[str]) -> str:
    return f"{d[0]}|{d[1]}{d[2]}|{d[3]}{d[4]}{d[5]}"


def evaluate(code: str, x: float = 1.0) -> float:
    """The cell's output with skip = identity, zero = 0 (convs/pools left out: 0)."""
    ops = ops_of(code)
    nodes = [x]
    for j in range(1, 4):
        total = 0.0
        for (i, target), op in zip(EDGES, ops, strict=True):
            if target == j and op == "skip":
                total += nodes[i]
        nodes.append(total)
    return nodes[3]


def test_digit_mapping_matches_the_training_code() -> None:
    # nashpobench2/models/cells.py doctest: '2|22|222' maps ones to fours (all skips).
    assert ops_of("2|22|222") == ("skip",) * 6
    assert evaluate("2|22|222") == 4.0
    assert OPS == ("conv3x3", "avgpool3x3", "skip", "zero")
    assert ops_of("0|10|210") == (
        "conv3x3",
        "avgpool3x3",
        "conv3x3",
        "skip",
        "avgpool3x3",
        "conv3x3",
    )
    assert EDGES == ((0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3))


def test_codes_round_trip_and_order() -> None:
    codes = all_cellcodes()
    assert len(codes) == len(set(codes)) == 4**6
    assert codes == sorted(codes)
    for code in codes:
        assert cellcode_from_ops(ops_of(code)) == code


@pytest.mark.parametrize(
    "bad", ["0|00|00", "0|00|0004", "4|00|000", "0-00-000", 7, None, ["0|00|000"]]
)
def test_malformed_codes(bad: object) -> None:
    with pytest.raises(OutOfDomainError, match="A\\|BC\\|DEF"):
        ops_of(bad)  # type: ignore[arg-type]
    with pytest.raises(OutOfDomainError):
        canonical_classes([bad])  # type: ignore[list-item]


def test_bad_ops() -> None:
    with pytest.raises(OutOfDomainError, match="six operations"):
        cellcode_from_ops(["conv3x3"] * 5)
    with pytest.raises(OutOfDomainError, match="six operations"):
        cellcode_from_ops(["conv1x1"] * 6)


def swap_inner_nodes(code: str) -> str | None:
    """The code with nodes 1 and 2 exchanged, when the 1->2 edge is zero (else None)."""
    a, b, c, d, e, f = digits(code)
    if c != ZERO:
        return None
    return code_of([b, a, ZERO, d, f, e])


def test_node_relabelling_keeps_the_class(classes: dict[str, str]) -> None:
    swapped = 0
    for code in all_cellcodes():
        other = swap_inner_nodes(code)
        if other is not None:
            assert classes[code] == classes[other], (code, other)
            swapped += other != code
    assert swapped > 500


def live_edges(code: str) -> list[bool]:
    """Whether each edge lies on an input -> output path of non-zero edges."""
    ops = digits(code)
    edges = [(i, j) for (i, j), op in zip(EDGES, ops, strict=True) if op != ZERO]
    forward, backward = {0}, {3}
    for _ in range(3):
        forward |= {j for i, j in edges if i in forward}
        backward |= {i for i, j in edges if j in backward}
    return [
        op != ZERO and i in forward and j in backward for (i, j), op in zip(EDGES, ops, strict=True)
    ]


def test_dead_edges_do_not_matter(classes: dict[str, str]) -> None:
    changed = 0
    for code in all_cellcodes():
        live = live_edges(code)
        for position in range(6):
            if live[position]:
                continue
            for op in "0123":
                d = digits(code)
                d[position] = op
                other = code_of(d)
                if live_edges(other) == live:
                    assert classes[other] == classes[code], (code, other)
                    changed += 1
    assert changed > 1000


def test_live_operation_counts_separate_classes(classes: dict[str, str]) -> None:
    def counts(code: str) -> tuple[int, int]:
        live = live_edges(code)
        ops = digits(code)
        return (
            sum(1 for op, alive in zip(ops, live, strict=True) if alive and op == CONV),
            sum(1 for op, alive in zip(ops, live, strict=True) if alive and op == POOL),
        )

    by_class: dict[str, set[tuple[int, int]]] = {}
    for code, rep in classes.items():
        by_class.setdefault(rep, set()).add(counts(code))
    assert all(len(c) == 1 for c in by_class.values())
    # Parallel and serial convolutions are different networks, so different classes.
    assert classes["2|33|003"] != classes["0|33|303"]


def test_cut_off_cells_form_one_class(classes: dict[str, str]) -> None:
    cut = [code for code in all_cellcodes() if not any(live_edges(code))]
    assert len(cut) > 100
    assert {classes[code] for code in cut} == {min(cut)}
    reached = [code for code in all_cellcodes() if any(live_edges(code))]
    assert min(cut) not in {classes[code] for code in reached}


def test_skip_chains_collapse(classes: dict[str, str]) -> None:
    # Output = input through skips only, whatever the route.
    only_skips = [
        code
        for code in all_cellcodes()
        if all(
            op == SKIP for op, alive in zip(digits(code), live_edges(code), strict=True) if alive
        )
        and any(live_edges(code))
    ]
    assert "2|22|222" in only_skips and "3|33|233" in only_skips
    assert len({classes[code] for code in only_skips}) == 1


def test_representative_is_smallest_member(classes: dict[str, str]) -> None:
    members: dict[str, list[str]] = {}
    for code, rep in classes.items():
        members.setdefault(rep, []).append(code)
    for rep, codes in members.items():
        assert rep == min(codes)
    for code in itertools.islice(all_cellcodes(), 0, 4096, 97):
        assert canonical_cellcode(code) == classes[code]


def test_enumeration_table(classes: dict[str, str]) -> None:
    table = enumerate_cellcodes()
    assert table.num_rows == 4096
    rows = table.to_pylist()
    assert [r["cellcode"] for r in rows] == all_cellcodes()
    assert [r["cell_idx"] for r in rows] == list(range(4096))
    for row in rows[::31]:
        assert tuple(row[f"op_{i}_{j}"] for i, j in EDGES) == ops_of(row["cellcode"])
    assert [r["canonical_cellcode"] for r in rows] == [classes[c] for c in all_cellcodes()]
    reps = sorted(set(classes.values()))
    assert [r["canonical_class"] for r in rows] == [reps.index(classes[c]) for c in all_cellcodes()]
