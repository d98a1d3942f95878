"""NAR JSON import: streamed (records split across chunks), checked against the cost model."""

from __future__ import annotations

import copy
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from nasbench_lite import nats, nb101
from nasbench_lite._core.formats import json_stream
from nasbench_lite.benchmarks.nar import build as nar
from nasbench_lite.errors import CorruptSourceError

DATA = Path(__file__).parent / "data"


def nb101_records(count: int) -> list[dict[str, Any]]:
    real = json.loads((DATA / "nasbench101_vertice_example.json").read_text())[0]
    records = [real]
    table = nb101.enumerate_cells().slice(100_000, count).to_pylist()
    for cell in table:
        spec = nb101.ModelSpec(cell["adjacency"], cell["ops"])
        record = {
            "module_adjacency": cell["adjacency"],
            "module_operations": cell["ops"],
            "unique_hash": cell["hash"],
            "avg_test_accuracy": 0.9,
            "note": "naïve ünïcode",  # multi-byte UTF-8 that chunk boundaries may split
        }
        record.update(nb101.cell_costs(spec))
        records.append(record)
    return records


def nb201_records() -> dict[str, Any]:
    real = json.loads((DATA / "nasbench201_vertice_example.json").read_text())["0"]
    records = {"0": real}
    for index, arch in [
        (7, "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_1x1~2|")
    ]:
        record = {"arch_str": arch, "cifar10_val_acc": 50.0}
        record.update(nats.cell_costs(arch))
        records[str(index)] = record
    return records


@pytest.fixture(params=[1 << 20, 97], ids=["1MiB-chunks", "97-byte-chunks"])
def chunk(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(json_stream, "CHUNK_BYTES", request.param)
    return int(request.param)


def test_import_checks_every_record(tmp_path: Path, chunk: int) -> None:
    records101 = nb101_records(40)
    tampered = records101[5]
    tampered["flops"] += 1
    tampered["vertex_params"]["stack1/module2"][1] += 7
    wrong_hash = records101[6]
    wrong_hash["unique_hash"] = "0" * 32
    source101 = tmp_path / "nb101.json"
    source101.write_text(json.dumps(records101, indent=2, ensure_ascii=False), encoding="utf-8")
    source201 = tmp_path / "nb201.json"
    records201 = nb201_records()
    records201["9"] = copy.deepcopy(records201["7"])
    records201["9"]["cifar100_total_params"] = 1
    records201["9"]["arch_str"] = records201["7"]["arch_str"]
    source201.write_text(json.dumps(records201))
    out = tmp_path / "nar.sqlite"
    summary = nar.build_nar([source101, source201], out)
    assert summary.rows == {
        "nar101": len(records101),
        "nar201": 3,
        "mismatched.nar101": 2,
        "mismatched.nar201": 1,
    }
    with sqlite3.connect(out) as con:
        mismatches = con.execute(
            "SELECT dataset, record, field FROM mismatches ORDER BY dataset, field"
        ).fetchall()
        first = con.execute(
            "SELECT hash, trainable_parameters, flops, avg_test_accuracy, matches_computed"
            " FROM nar101 WHERE record_index = 0"
        ).fetchone()
        flags = dict(con.execute("SELECT record_index, matches_computed FROM nar101"))
        meta = dict(con.execute("SELECT key, value FROM meta"))
    assert mismatches == [
        ("nar101", tampered["unique_hash"], "flops"),
        ("nar101", "0" * 32, "unique_hash"),
        ("nar101", tampered["unique_hash"], "vertex_params"),
        ("nar201", "9", "cifar100_total_params"),
    ]
    assert first == (
        "00005c142e6f48ac74fdcf73e3439874",
        8555530,
        2527684618,
        records101[0]["avg_test_accuracy"],
        1,
    )
    assert sorted(k for k, v in flags.items() if v == 0) == [5, 6]
    import hashlib

    sources = json.loads(meta["sources"])
    assert sources[0]["sha256"] == hashlib.sha256(source101.read_bytes()).hexdigest()
    assert [s["dataset"] for s in sources] == ["nar101", "nar201"]


def test_streaming_never_holds_the_whole_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(json_stream, "CHUNK_BYTES", 4096)
    source = tmp_path / "big.json"
    records = nb101_records(300)
    source.write_text(json.dumps(records))
    seen = 0
    with open(source, "rb") as handle:
        reader = json_stream.HashingReader(handle)
        for key, record in json_stream.iter_json_records(reader, source):
            assert record["unique_hash"] == records[int(key)]["unique_hash"]
            seen += 1
    assert seen == len(records)


@pytest.mark.parametrize(
    "text",
    ['{"0": {"arch_str": 5}}', '[{"unique_hash": 1}', "[1, 2 3]", "true", '{"0" {}}', ""],
)
def test_malformed_files_fail_cleanly(tmp_path: Path, text: str) -> None:
    source = tmp_path / "bad.json"
    source.write_text(text)
    out = tmp_path / "nar.sqlite"
    with pytest.raises(CorruptSourceError):
        nar.build_nar([source], out)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json"]


def test_cli_build_nar(tmp_path: Path) -> None:
    source = tmp_path / "nb201.json"
    source.write_text(json.dumps(nb201_records()))
    out = tmp_path / "nar.sqlite"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "nasbench_lite",
            "build",
            "nar",
            str(source),
            "-o",
            str(out),
            "-q",
            "--json",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["rows"]["nar201"] == 2


def test_duplicate_keys_are_corrupt(tmp_path: Path) -> None:
    records = nb101_records(3)
    source = tmp_path / "dup.json"
    source.write_text(json.dumps([*records, records[1]]))
    with pytest.raises(CorruptSourceError, match="twice"):
        nar.build_nar([source], tmp_path / "nar.sqlite")
    assert not (tmp_path / "nar.sqlite").exists()
