"""The CLI rough edges of #17, each through a subprocess where the bug showed (real files).

Each test checks the exit code, a one-line stderr without a traceback and that outputs are
left untouched; no test asserts a tight duration (the Ctrl-C bound is generous).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import nasbench_lite
import pytest
from cli_terminal import COMMAND, run_with_terminal_stderr
from kind_dbs import build_all
from nasbench_lite import cli, nats
from nasbench_lite._cli_support import typed_value
from nasbench_lite.errors import InvalidInputError
from nasbench_lite.registry import kinds


def run_cli(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMAND, *args], capture_output=True, text=True, timeout=300, **kwargs)  # type: ignore[call-overload]


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("nasbench-lite: error: ")
    for needle in needles:
        assert needle in result.stderr


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def dbs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_all(tmp_path_factory.mktemp("kinds"))


# ------------------------------------------------------------------ SIGPIPE (`| head`)
def test_closed_stdout_pipe_exits_quietly(dbs: dict[str, Path]) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader (`head`) is gone before anything is written
    try:
        proc = subprocess.run(
            [*COMMAND, "info", str(dbs["nb101"])],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert proc.returncode == 141  # 128 + SIGPIPE, what the shell reports for `cat` too
    assert proc.stderr == ""


def test_info_into_head_through_a_shell(dbs: dict[str, Path]) -> None:
    line = " ".join([*COMMAND, "info", str(dbs["nats_space"])])
    result = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {line} | head -n 1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.startswith(str(dbs["nats_space"]))
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr


# ------------------------------------------------------------------ export to a bad path
def test_export_to_a_bad_path_is_one_line(dbs: dict[str, Path], tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"keep")
    for bad in (blocker, blocker / "sub"):
        assert_one_line_error(run_cli("export", str(dbs["nats_space"]), "-o", str(bad)), "a-file")
    assert tree(tmp_path) == {"a-file": b"keep"}
    if Path("/proc/self").is_dir():  # a folder only the OS refuses (root passes access checks)
        assert_one_line_error(
            run_cli("export", str(dbs["nats_space"]), "-o", "/proc/nasbench-lite-export"),
            "cannot write",
        )


def test_export_existing_table_refused_before_writing(dbs: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "export"
    assert run_cli("export", str(dbs["nats_space"]), "-o", str(out), "-q").returncode == 0
    before = tree(out)
    assert_one_line_error(run_cli("export", str(dbs["nats_space"]), "--out", str(out)), "--force")
    assert tree(out) == before


# ------------------------------------------------------------------ enumerate formats
def test_enumerate_format_follows_the_extension(tmp_path: Path) -> None:
    as_json = tmp_path / "cells.json"
    done = run_cli("enumerate", "nb101", "--out", str(as_json), "--max-vertices", "4", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["format"] == "json"
    cells = json.loads(as_json.read_text())  # real JSON, not Parquet bytes
    assert len(cells) == 91
    assert cells[1]["hash"] == "b49ac8c578b4561d79ac7087988f1c61"
    assert cells[1]["ops"] == ["input", "conv3x3-bn-relu", "output"]
    assert cells[1]["adjacency"] == [[0, 1, 0], [0, 0, 1], [0, 0, 0]]
    lines = tmp_path / "cells.jsonl"
    assert run_cli("enumerate", "nb101", "-o", str(lines), "--max-vertices", "4").returncode == 0
    assert [json.loads(row) for row in lines.read_text().splitlines()] == cells
    parquet = tmp_path / "cells.parquet"
    assert run_cli("enumerate", "nb101", "-o", str(parquet), "--max-vertices", "3").returncode == 0
    assert parquet.read_bytes()[:4] == b"PAR1"


@pytest.mark.parametrize("name", ["cells.txt", "cells", "cells.sqlite"])
def test_enumerate_refuses_unknown_extensions(tmp_path: Path, name: str) -> None:
    result = run_cli("enumerate", "nb101", "-o", str(tmp_path / name), "--max-vertices", "3")
    assert_one_line_error(result, "unknown output extension", ".jsonl")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ outputs checked first
def _build_args(kind_command: str, tmp_path: Path) -> list[str]:
    kind = next(k for k in kinds() if k.command == kind_command)
    positional = [o for o in kind.build_options if not o.flags[0].startswith("-")]
    # Sources that would fail if they were read: the output check must come first.
    bad_source = tmp_path / "corrupt.src"
    bad_source.write_bytes(b"\x00not an official file")
    return ["build", kind_command, *[str(bad_source) for _ in positional]]


@pytest.mark.parametrize("command", [k.command for k in kinds()])
def test_every_build_checks_its_output_first(tmp_path: Path, command: str) -> None:
    existing = tmp_path / "existing.sqlite"
    existing.write_bytes(b"precious")
    args = _build_args(command, tmp_path)
    assert_one_line_error(run_cli(*args, "-o", str(existing)), "already exists", "--force")
    assert existing.read_bytes() == b"precious"
    missing = tmp_path / "no-such-folder" / "x.sqlite"
    assert_one_line_error(run_cli(*args, "--out", str(missing)), "does not exist")
    assert_one_line_error(run_cli(*args, "-o", str(tmp_path)), "is a directory")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corrupt.src", "existing.sqlite"]


def test_output_checks_precede_the_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import nasbench_lite.benchmarks.nb101_space.build as space_build
    import nasbench_lite.nb101 as nb101

    def no_work(*args: object, **kwargs: object) -> None:
        raise AssertionError("the work started before the output was checked")

    monkeypatch.setattr(space_build, "build_nb101_space", no_work)
    monkeypatch.setattr(nb101, "enumerate_cells", no_work)
    existing = tmp_path / "cells.parquet"
    existing.write_bytes(b"precious")
    assert cli.main(["build", "nb101-space", "-o", str(existing), "-q"]) == 1
    assert cli.main(["enumerate", "nb101", "-o", str(existing), "-q"]) == 1
    assert cli.main(["enumerate", "nb101", "-o", str(tmp_path / "nope" / "c.csv"), "-q"]) == 1
    assert existing.read_bytes() == b"precious"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into any folder")
def test_unwritable_output_folder_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        result = run_cli("build", "nats-space", "-o", str(locked / "x.sqlite"))
        assert_one_line_error(result, "not writable")
    finally:
        locked.chmod(0o755)


# ------------------------------------------------------------------ typed JSON
def test_info_json_is_typed(dbs: dict[str, Path]) -> None:
    result = run_cli("info", str(dbs["nb101"]), "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["json_schema_version"] == 1
    meta = document["meta"]
    assert meta["rows.cells"] == 91 and meta["schema_version"] == 3
    assert isinstance(meta["sources"], list) and meta["sources"][0]["size"] > 0
    assert isinstance(meta["builder_version"], str) and isinstance(meta["created_at"], str)
    nats_meta = json.loads(run_cli("info", str(dbs["nats"]), "--json").stdout)["meta"]
    assert nats_meta["space"] == "tss" and isinstance(nats_meta["total_archs"], int)


def test_every_json_output_carries_the_schema_version(dbs: dict[str, Path], tmp_path: Path) -> None:
    outputs = [
        run_cli("build", "nats-space", "-o", str(tmp_path / "s.sqlite"), "--json"),
        run_cli("export", str(dbs["nar"]), "-o", str(tmp_path / "e"), "--json"),
        run_cli("query", str(dbs["nats"]), "--arch", "0", "--json"),
        run_cli("hash", "--matrix", "[[0,1],[0,0]]", "--ops", '["input","output"]', "--json"),
    ]
    for result in outputs:
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["json_schema_version"] == 1
    built = json.loads(outputs[0].stdout)
    assert built["meta"]["rows.topologies"] == 15625 and built["meta"]["sources"] == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12", 12),
        ("-3", -3),
        ("0", 0),
        ("01", "01"),  # a NATS hp label, not a number
        ("1.5", 1.5),
        ("[4, 12, 36, 108]", [4, 12, 36, 108]),
        ('{"a": 1}', {"a": 1}),
        ("[not json", "[not json"),
        ("nasbench_lite 0.1.0", "nasbench_lite 0.1.0"),
        ("2026-12-01T11:48:44Z", "2026-12-01T11:48:44Z"),
        ("", ""),
    ],
)
def test_typed_value(text: str, value: object) -> None:
    assert typed_value(text) == value
    assert type(typed_value(text)) is type(value)


# ------------------------------------------------------------------ -o/--out everywhere
@pytest.mark.parametrize("spelling", ["-o", "--out", "--output"])
def test_build_output_spellings(spelling: str) -> None:
    args = cli.build_parser().parse_args(["build", "nb101-space", spelling, "x.sqlite"])
    assert args.output == Path("x.sqlite")


@pytest.mark.parametrize("spelling", ["-o", "--out"])
def test_enumerate_and_export_output_spellings(spelling: str) -> None:
    parser = cli.build_parser()
    assert parser.parse_args(["enumerate", "nb101", spelling, "c.csv"]).out == Path("c.csv")
    assert parser.parse_args(["export", "db", spelling, "folder"]).out == Path("folder")


# ------------------------------------------------------------------ progress bars
def test_progress_bar_on_a_terminal_counts_integers(tmp_path: Path) -> None:
    total = nasbench_lite.nb101.count_labelled_graphs(5)
    code, shown = run_with_terminal_stderr(
        "enumerate", "nb101", "-o", str(tmp_path / "c.parquet"), "--max-vertices", "5"
    )
    assert code == 0, shown
    assert f"{total}/{total}" in shown  # whole counts, no 1.2k or 12.0
    counts = re.findall(r"(\S+)/(\S+) \[", shown)
    assert counts and all(a.isdigit() and b.isdigit() for a, b in counts), counts


def test_progress_bar_silent_when_quiet_or_not_a_terminal(tmp_path: Path) -> None:
    code, shown = run_with_terminal_stderr(
        "enumerate", "nb101", "-o", str(tmp_path / "q.parquet"), "--max-vertices", "4", "-q"
    )
    assert code == 0 and shown == ""
    piped = run_cli("build", "nats-space", "-o", str(tmp_path / "s.sqlite"))
    assert piped.returncode == 0 and piped.stderr == ""  # a log file gets no bar


# ------------------------------------------------------------------ Ctrl-C
def test_ctrl_c_stops_a_build_promptly_and_leaves_the_old_output(tmp_path: Path) -> None:
    out = tmp_path / "space.sqlite"
    out.write_bytes(b"precious")
    proc = subprocess.Popen(
        [*COMMAND, "build", "nb101-space", "-o", str(out), "--force"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any(tmp_path.glob(".space.sqlite.*")):
        time.sleep(0.02)
    assert proc.poll() is None, "the build finished before it could be interrupted"
    sent = time.monotonic()
    os.kill(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    elapsed = time.monotonic() - sent
    assert elapsed < 5, elapsed  # generous: the fix makes it a few milliseconds
    assert proc.returncode == 130
    assert stderr.strip() == "nasbench-lite: interrupted"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["space.sqlite"]
    assert out.read_bytes() == b"precious"


# ------------------------------------------------------------------ library edges
def test_nats_create_without_a_path_is_a_typed_error() -> None:
    with pytest.raises(InvalidInputError, match="parameter 'path'") as info:
        nats.create(None, "tss")  # type: ignore[call-overload]
    assert "nasbench_lite.compat.nats_bench.create" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_public_objects_have_informative_reprs(dbs: dict[str, Path]) -> None:
    from nasbench_lite._core.building import BuildSession
    from nasbench_lite._core.schema import load_schema
    from nasbench_lite.nb101 import ModelSpec, check_many, space_chunks

    objects: list[object] = []
    for kind, path in dbs.items():
        reader = nasbench_lite.open(path)
        objects.append(reader)
        text = repr(reader)
        assert type(reader).__name__ in text
        assert path.name in text
        if kind != "nats":  # the NATS readers keep the official layout: counts + file
            assert f"kind={kind!r}" in text and "schema_version=" in text
    nb101_reader = nasbench_lite.open(dbs["nb101"])
    objects += [
        nb101_reader.hash_iterator(),
        ModelSpec([[0, 1], [0, 0]], ["input", "output"]),
        check_many([[[0, 1], [0, 0]]], [["input", "output"]]),
        space_chunks(3)[0],
        load_schema("nats"),
        BuildSession(dbs["nb101"], load_schema("nb101")),
        *kinds(),
    ]
    nats_reader = nasbench_lite.open(dbs["nats"])
    from nasbench_lite.benchmarks.nats.results import load_trials

    index = sorted(nats_reader.evaluated_indexes)[0]
    trials = load_trials(nats_reader._db, index, "cifar10", "12")
    assert trials is not None
    objects.append(trials)
    for obj in objects:
        text = repr(obj)
        assert " at 0x" not in text, text
        assert len(text) < 400, text
        assert text.startswith((type(obj).__name__, "<hashes of")), text
