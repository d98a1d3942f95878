"""``NASBench.query``'s first sight and cached path (issue #16, schema 3).

A first sight of (cell, budget) is one SQL statement that brings every stored repeat of the
budget, so later draws of any repeat need no database; errors keep their types and texts. No
timing is asserted (see ``benchmarks/bench_nb101_search.py``).
"""

from __future__ import annotations

import inspect
import math
import random
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import kind_dbs
import nb101_tfrecord as tfr
import pytest
from nasbench_lite.errors import DatabaseError, InvalidInputError, NotInDatabaseError
from nasbench_lite.nb101 import ModelSpec
from nasbench_lite.nb101.api import NASBench


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    folder = tmp_path_factory.mktemp("query-path")
    path = kind_dbs.small_nb101(folder)
    return path, tfr.official_style_load(folder / "nasbench_small.tfrecord")


def _cell(oracle: Any, index: int) -> tuple[str, ModelSpec]:
    fixed_stats = oracle[0]
    module_hash = list(fixed_stats)[index]
    fixed = fixed_stats[module_hash]
    return module_hash, ModelSpec(fixed["module_adjacency"].tolist(), fixed["module_operations"])


def test_first_sight_is_one_statement_and_brings_every_repeat(
    built: tuple[Path, Any], statement_trace: Any
) -> None:
    path, oracle = built
    computed_stats = oracle[1]
    module_hash, spec = _cell(oracle, 7)
    with NASBench(path, seed=0) as nasbench:
        # Point lookups run on a connection of their own (Database.point_query): traced too.
        assert len(nasbench._db._point_connections) == 1
        statements = statement_trace(nasbench._db)
        first = nasbench.query(spec, epochs=36, repeat=2)
        assert len(statements) == 1
        for repeat in (0, 2, 1, 0):
            data = nasbench.query(spec, epochs=36, repeat=repeat)
            run = computed_stats[module_hash][36][repeat]
            assert data["test_accuracy"] == run["final_test_accuracy"]
            assert data["training_time"] == run["final_training_time"]
        assert len(statements) == 1  # every repeat at 36 epochs came with the first sight
        for repeat in (1, 0, 2):  # the halfway values: their own first sight, then cached
            data = nasbench.query(spec, epochs=36, stop_halfway=True, repeat=repeat)
            run = computed_stats[module_hash][36][repeat]
            assert data["test_accuracy"] == run["halfway_test_accuracy"]
            assert data["training_time"] == run["halfway_training_time"]
        data = nasbench.query(spec, epochs=36, stop_halfway=1, repeat=1)
        assert data["test_accuracy"] == computed_stats[module_hash][36][1]["halfway_test_accuracy"]
        assert len(statements) == 2  # stop_halfway=1 is stop_halfway=True
        nasbench.query(spec, epochs=12, repeat=0)  # another budget: its own first sight
        assert len(statements) == 3
        assert (
            first["validation_accuracy"]
            == (computed_stats[module_hash][36][2]["final_validation_accuracy"])
        )
        assert nasbench.get_budget_counters()[1] == 36 * 5 + 18 * 4 + 12


def test_cached_answers_need_no_database(built: tuple[Path, Any]) -> None:
    path, oracle = built
    module_hash, spec = _cell(oracle, 11)
    nasbench = NASBench(path, seed=0)
    nasbench.query(spec, repeat=0)
    nasbench._db.close()  # only the row cache is left
    answers = [nasbench.query(spec, repeat=r) for r in (2, 1, 0)]
    assert [a["test_accuracy"] for a in answers] == [
        run["final_test_accuracy"] for run in reversed(oracle[1][module_hash][108])
    ]
    assert answers[0]["module_operations"] == oracle[0][module_hash]["module_operations"]
    answers[0]["module_operations"].append("x")  # a fresh list per answer
    assert nasbench.query(spec, repeat=0)["module_operations"][-1] == "output"
    with pytest.raises(DatabaseError):
        nasbench.query(spec, epochs=4)  # not cached: needs the (closed) database


def test_a_budget_without_runs_raises_after_the_draw(
    built: tuple[Path, Any], tmp_path: Path
) -> None:
    path, oracle = built
    module_hash, spec = _cell(oracle, 3)
    copy = tmp_path / "fewer.sqlite"
    shutil.copy(path, copy)
    with sqlite3.connect(copy) as con:
        con.execute(
            "DELETE FROM runs WHERE epochs = 4 AND cell_id ="
            " (SELECT cell_id FROM cells WHERE hash = ?)",
            (module_hash,),
        )
    drawn: list[int] = []

    def draw(num_repeats: int) -> int:
        drawn.append(num_repeats)
        return 1

    with NASBench(copy, seed=0) as nasbench:
        with pytest.raises(NotInDatabaseError, match="has 0 repeats at 4 epochs; repeat 1 was"):
            nasbench.query(spec, epochs=4, repeat=draw)
        assert drawn == [3]  # found, so drawn where the official API draws
        assert nasbench.get_budget_counters() == (0.0, 0)
        assert (
            nasbench.query(spec, epochs=12, repeat=draw)["test_accuracy"]
            == (oracle[1][module_hash][12][1]["final_test_accuracy"])
        )


@pytest.mark.parametrize("num_repeats", [1, 2, 3, 4, 5, 7, 8, 9])
def test_generator_draws_are_randint_draws(built: tuple[Path, Any], num_repeats: int) -> None:
    # query draws inline what randint(0, n - 1) draws, from its own generator (repeat=None)
    # or from a random.Random given as repeat (the compat layer's global one): same indices,
    # same generator state after each query, for every n (a rejected draw is drawn again).
    path, oracle = built
    module_hash, spec = _cell(oracle, 4)
    runs = oracle[1][module_hash][108]
    given, mirror = random.Random(11), random.Random(11)
    with NASBench(path, seed=5) as nasbench:
        own = random.Random(5)
        nasbench.config["num_repeats"] = num_repeats
        for source, expected_source in ((None, own), (given, mirror)):
            for _ in range(30):
                expected = expected_source.randint(0, num_repeats - 1)
                if expected < len(runs):
                    data = nasbench.query(spec, repeat=source)
                    assert data["test_accuracy"] == runs[expected]["final_test_accuracy"]
                else:
                    with pytest.raises(NotInDatabaseError, match=f"repeat {expected} was drawn"):
                        nasbench.query(spec, repeat=source)
            assert nasbench._rng.getstate() == own.getstate()
            assert given.getstate() == mirror.getstate()


def test_a_bad_num_repeats_raises_randints_error(built: tuple[Path, Any]) -> None:
    _, spec = _cell(built[1], 4)
    with NASBench(built[0], seed=0) as nasbench:
        for source in (None, random.Random(0)):
            nasbench.config["num_repeats"] = 0
            with pytest.raises(ValueError, match="empty range"):
                nasbench.query(spec, repeat=source)
        nasbench.config["num_repeats"] = 3
        assert nasbench.get_budget_counters() == (0.0, 0)


def test_hot_methods_keep_their_signatures_and_typed_errors(built: tuple[Path, Any]) -> None:
    path, oracle = built
    _, spec = _cell(oracle, 5)
    assert list(inspect.signature(NASBench.query).parameters) == [
        "self",
        "model_spec",
        "epochs",
        "stop_halfway",
        "repeat",
    ]
    assert list(inspect.signature(NASBench.is_valid).parameters) == ["self", "model_spec"]
    with NASBench(path, seed=0) as nasbench:
        with pytest.raises(InvalidInputError, match=r"is_valid\(\): model_spec must be ModelSpec"):
            nasbench.is_valid("not a spec")  # type: ignore[arg-type]
        with pytest.raises(InvalidInputError, match=r"query\(\): epochs must be int, got list"):
            nasbench.query(spec, epochs=[108])  # type: ignore[arg-type]
        with pytest.raises(InvalidInputError, match="repeat must be an int, got 1.5"):
            nasbench.query(spec, repeat=lambda n: 1.5)  # type: ignore[arg-type,return-value]
        with pytest.raises(NotInDatabaseError) as info:
            nasbench.query(spec, repeat=3)
        assert info.value.__cause__ is None  # our own errors pass through untouched
        assert nasbench.is_valid(spec)
        assert nasbench.get_budget_counters() == (0.0, 0)


def test_nulls_without_exact_bits_read_as_nan(built: tuple[Path, Any], tmp_path: Path) -> None:
    """A NULL metric with no ``special_values`` row is a NaN; infinities of both signs (whose
    sum SQLite reports as NULL) stay as they are."""
    path, oracle = built
    module_hash, spec = _cell(oracle, 9)
    copy = tmp_path / "nulls.sqlite"
    shutil.copy(path, copy)
    where = "epochs = 108 AND cell_id = (SELECT cell_id FROM cells WHERE hash = ?)"
    with sqlite3.connect(copy) as con:
        con.execute(
            f"UPDATE runs SET final_test_accuracy = NULL WHERE repeat = 0 AND {where}",
            (module_hash,),
        )
        con.execute(
            "UPDATE runs SET final_train_accuracy = 9e999, final_validation_accuracy = -9e999"
            f" WHERE repeat = 1 AND {where}",
            (module_hash,),
        )
    reference = oracle[1][module_hash][108]
    with NASBench(copy, seed=0) as nasbench:
        nan_run = nasbench.query(spec, repeat=0)
        inf_run = nasbench.query(spec, repeat=1)
        plain = nasbench.query(spec, repeat=2)
    assert math.isnan(nan_run["test_accuracy"])
    assert nan_run["validation_accuracy"] == reference[0]["final_validation_accuracy"]
    assert (inf_run["train_accuracy"], inf_run["validation_accuracy"]) == (math.inf, -math.inf)
    assert inf_run["test_accuracy"] == reference[1]["final_test_accuracy"]
    assert plain["test_accuracy"] == reference[2]["final_test_accuracy"]


def test_cells_sharing_a_graph_answer_with_independent_writable_arrays() -> None:
    # Cells of one stored graph decode it alike; each answer gets an array of its own.
    from nasbench_lite.benchmarks.nb101.result import Cell

    first = Cell(4, 0b101011, ["input", "conv3x3-bn-relu", "maxpool3x3", "output"])
    second = Cell(4, 0b101011, ["input", "conv1x1-bn-relu", "conv1x1-bn-relu", "output"])
    # bits 0, 1, 3, 5: edges 0->1, 0->2, 0->3, 2->3 (bit x + y(y-1)/2 is x -> y)
    expected = [[0, 1, 1, 1], [0, 0, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0]]
    written = first.adjacency()
    written[0, 0] = 7
    # (the compat answer decodes its own array: test_nb101_answer_adjacency checks it)
    for array in (first.adjacency(), second.adjacency(), second.adjacency()):
        assert array.tolist() == expected and array.dtype.name == "int8"
        assert array.flags.writeable and array.flags.c_contiguous and array is not written
    other = Cell(4, 0b000001, ["input", "conv3x3-bn-relu", "maxpool3x3", "output"])
    assert other.adjacency().tolist()[0] == [0, 1, 0, 0]


def test_point_lookups_have_their_own_connection_closed_with_the_handle(
    built: tuple[Path, Any],
) -> None:
    import apsw

    path, oracle = built
    module_hash, spec = _cell(oracle, 2)
    nasbench = NASBench(path, seed=0)
    (lookups,) = nasbench._db._point_connections
    assert lookups is not nasbench._db.connection
    assert lookups.execute("PRAGMA cache_size").fetchall() == [(-4096,)]
    assert lookups.execute("PRAGMA mmap_size").fetchall() == [(0,)]
    assert (
        nasbench.query(spec, repeat=1)["test_accuracy"]
        == (oracle[1][module_hash][108][1]["final_test_accuracy"])
    )
    nasbench.close()
    with pytest.raises(apsw.ConnectionClosedError):
        lookups.execute("SELECT 1")


def test_point_lookups_never_read_a_file_replaced_after_the_open(
    built: tuple[Path, Any], tmp_path: Path
) -> None:
    from nasbench_lite._core.database import Database

    path, _ = built
    live = tmp_path / "live.sqlite"
    shutil.copy(path, live)
    other = tmp_path / "other.sqlite"
    shutil.copy(path, other)
    with sqlite3.connect(other) as con:
        con.execute("UPDATE cells SET trainable_parameters = -1")
    with Database(live, "nb101") as db:
        expected = db.query("SELECT trainable_parameters FROM cells WHERE cell_id = 1")
        other.replace(live)  # a rebuild renamed over the file after this handle opened it
        lookup = db.point_query()
        assert db._point_connections == []  # the handle's own connection answers
        assert lookup("SELECT trainable_parameters FROM cells WHERE cell_id = ?", (1,)) == expected
    assert expected != [(-1,)]
