"""A kind declared by the test suite (``tests/toy_kind``: its own SQL, source, reader and
exporter) goes through build, open, query, info, export and the CLI without package edits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nasbench_lite
import pyarrow.parquet as pq
import pytest
import toy_kind
from nasbench_lite import registry
from nasbench_lite.errors import CorruptSourceError, NotADatabaseError, SchemaVersionError

TESTS = Path(__file__).parent


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env[registry.ENV_EXTRA_KINDS] = "toy_kind:KIND"
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "nasbench_lite", *args], capture_output=True, text=True, env=env
    )


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "scores.toyscores"
    path.write_text("alpha\t1.5\nbeta\t-2\ngamma\t3.25\n", encoding="utf-8")
    return path


def test_toy_kind_through_the_library(source: Path, tmp_path: Path) -> None:
    assert "toy" not in [k.name for k in registry.kinds()]  # only when passed explicitly
    out = tmp_path / "toy.sqlite"
    summary = toy_kind.build_toy(source, out)
    assert summary.rows == {"scores": 3}
    assert json.loads(summary.meta["sources"])[0]["name"] == source.name
    with registry.open_database(out, extra=[toy_kind.KIND]) as reader:
        assert isinstance(reader, toy_kind.ToyReader)
        assert reader.score("gamma") == 3.25
        assert reader.meta["schema_version"] == "1"
    with pytest.raises(Exception, match="not one this nasbench_lite reads"):
        nasbench_lite.open(out)
    with pytest.raises(NotADatabaseError, match="nasbench-lite build toy"):
        registry.open_database(source, extra=[toy_kind.KIND])
    files = registry.export_database(out, tmp_path / "export", extra=[toy_kind.KIND])
    table = pq.read_table(files["scores"])
    assert table.column("decoded").to_pylist() == ["alpha", "beta", "gamma"]


def test_toy_seeded_readers_draw_alike(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "toy.sqlite"
    toy_kind.build_toy(source, out)
    draws = []
    for _ in range(2):
        with toy_kind.ToyReader(out, random_state=5) as reader:
            draws.append([reader.random_arch() for _ in range(10)])
    assert draws[0] == draws[1]


def test_toy_bad_source_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toyscores"
    bad.write_text("alpha\tnot-a-number\n", encoding="utf-8")
    with pytest.raises(CorruptSourceError):
        toy_kind.build_toy(bad, tmp_path / "toy.sqlite")
    assert list(tmp_path.iterdir()) == [bad]


def test_toy_other_version_is_refused(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "toy.sqlite"
    toy_kind.build_toy(source, out)
    import apsw

    con = apsw.Connection(str(out))
    con.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(SchemaVersionError, match="nasbench-lite build toy SOURCE"):
        registry.open_database(out, extra=[toy_kind.KIND])


def test_toy_kind_through_the_cli(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "toy.sqlite"
    built = _cli("build", "toy", str(source), "-o", str(out), "--quiet", "--json")
    assert built.returncode == 0, built.stderr
    assert json.loads(built.stdout)["rows"] == {"scores": 3}
    queried = _cli("query", str(out), "--toy-arch", "beta", "--json")
    assert queried.returncode == 0, queried.stderr
    assert json.loads(queried.stdout) == {"arch": "beta", "score": -2.0, "json_schema_version": 1}
    info = _cli("info", str(out), "--json")
    assert json.loads(info.stdout)["meta"]["kind"] == "toy"
    exported = _cli("export", str(out), "--out", str(tmp_path / "x"), "--format", "csv", "-q")
    assert exported.returncode == 0, exported.stderr
    assert "alpha,1.5,alpha" in (tmp_path / "x" / "scores" / "part-0.csv").read_text().replace(
        '"', ""
    )
    help_text = _cli("build", "--help").stdout
    assert "toy" in help_text
    missing = _cli("query", str(out))
    assert missing.returncode == 1 and "--toy-arch" in missing.stderr
