"""``nasbench-lite build nats-space``: both NATS spaces, classes and costs in one SQLite file."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from nasbench_lite import nats
from nasbench_lite._core.database import Database
from nasbench_lite.benchmarks.nats_space.build import build_nats_space
from nasbench_lite.errors import OutputExistsError


@pytest.fixture(scope="module")
def space_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("nats") / "nats-space.sqlite"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "nasbench_lite",
            "build",
            "nats-space",
            "-o",
            str(path),
            "-q",
            "--json",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["rows"] == {"topologies": 15625, "sizes": 32768}
    return path


def test_contents(space_db: Path) -> None:
    with sqlite3.connect(f"file:{space_db}?mode=ro", uri=True) as con:
        archs = [r[0] for r in con.execute("SELECT arch_str FROM topologies ORDER BY arch_index")]
        classes = con.execute("SELECT count(DISTINCT class_index) FROM topologies").fetchone()[0]
        sizes = [r[0] for r in con.execute("SELECT arch_str FROM sizes ORDER BY arch_index")]
        row = con.execute(
            "SELECT unique_str, cifar10_params, cifar10_flops, cifar100_params,"
            " imagenet16_120_flops FROM topologies WHERE arch_index = 0"
        ).fetchone()
        plan = con.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM topologies WHERE arch_str = ?", (archs[5],)
        ).fetchall()
    assert archs == nats.topology_strings()
    assert sizes == nats.size_strings()
    assert classes == 6466
    assert row[0] == nats.unique_str(archs[0])
    # Index 0 is the NAR example cell: NATS params 0.129306 / 0.135156, flop 15.64737.
    assert (row[1], row[2], row[3]) == (129306, 15647370, 135156)
    assert row[4] == nats.cost_many([archs[0]], "ImageNet16-120")["official_flops"][0]
    assert "topologies_arch" in str(plan)
    with Database(space_db, kind="nats_space") as db:
        assert db.meta["topology_classes"] == "6466"


def test_existing_output_is_kept(space_db: Path) -> None:
    with pytest.raises(OutputExistsError):
        build_nats_space(space_db)
    with Database(space_db) as db:
        assert db.kind == "nats_space"
