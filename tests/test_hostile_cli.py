"""Hostile command lines and environments (#13): one line, exit 1, never a traceback.

Covers ``query --hash ""``, a non-UTF-8 ``--hash``, 60,000-deep JSON and a 5,000-digit entry in
``--matrix``, a folder the user cannot enter, a full disk (a 1 MB tmpfs, where this process may
mount one), Ctrl-C during start-up and the cap on echoed values.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import kind_dbs
import nasbench_lite
import pytest
from nasbench_lite import cli
from nasbench_lite.benchmarks.nats_space.build import build_nats_space
from nasbench_lite.errors import ECHO_LIMIT, BuildError, InvalidInputError, echo


@pytest.fixture(scope="module")
def nb101_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return kind_dbs.small_nb101(tmp_path_factory.mktemp("nb101"))


def _cli(*argv: str | bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "nasbench_lite", *argv], capture_output=True, timeout=300
    )


def _one_line_error(result: subprocess.CompletedProcess[bytes]) -> str:
    err = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 1, err
    assert "Traceback" not in err and err.count("\n") == 1, err
    assert err.startswith("nasbench-lite: error:"), err
    return err


def test_query_empty_and_non_utf8_hash(nb101_db: Path) -> None:
    assert "not in" in _one_line_error(_cli("query", str(nb101_db), "--hash", ""))
    non_utf8 = os.fsencode(str(nb101_db)), b"\xff\xfe\x80"
    result = _cli("query", non_utf8[0], "--hash", non_utf8[1])
    assert "Unicode" in _one_line_error(result)


def test_deep_and_long_matrix_json() -> None:
    deep = "[" * 60_000 + "]" * 60_000
    ops = '["input","output"]'
    assert "nested too deeply" in _one_line_error(_cli("hash", "--matrix", deep, "--ops", ops))
    digits = "[[0," + "9" * 5000 + "],[0,0]]"
    assert "too long" in _one_line_error(_cli("hash", "--matrix", digits, "--ops", ops))


def test_long_values_are_capped_in_messages(nb101_db: Path) -> None:
    err = _one_line_error(_cli("query", str(nb101_db), "--hash", "f" * 100_000))
    assert len(err) < 2 * ECHO_LIMIT + 100
    assert len(echo("x" * 100_000)) < ECHO_LIMIT + 30
    assert echo(10**5000).startswith("<int>")  # repr refuses > 4,300 digits; echo never raises


def test_unbindable_arguments_are_typed(nb101_db: Path) -> None:
    with nasbench_lite.open(nb101_db) as api:
        for bad in ("\udc80", "a\ud800b"):
            with pytest.raises(InvalidInputError):
                api.get_metrics_from_hash(bad)


@contextlib.contextmanager
def _tmpfs(size: str) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="nbl-tmpfs-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        folder.rmdir()
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.decode().strip()[:100]})")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)
        folder.rmdir()


def test_disk_full_is_a_build_error_naming_path_and_free_space() -> None:
    with _tmpfs("1m") as folder:
        out = folder / "space.sqlite"
        with pytest.raises(BuildError, match=r"disk full.*MB free") as info:
            build_nats_space(out)
        assert info.value.path == out
        assert list(folder.iterdir()) == []
        (folder / "space.sqlite").write_bytes(b"x")  # the disk is usable again afterwards


def test_disk_full_through_the_cli() -> None:
    with _tmpfs("1m") as folder:
        result = _cli("build", "nats-space", "-o", str(folder / "s.sqlite"), "-q")
        assert "disk full" in _one_line_error(result)
        assert list(folder.iterdir()) == []


#: Run as root without the capabilities that bypass file permissions.
NO_DAC = [
    "setpriv",
    "--bounding-set=-dac_override,-dac_read_search",
    "--inh-caps=-dac_override,-dac_read_search",
    "--",
]


def test_folder_the_user_cannot_enter(nb101_db: Path) -> None:
    base = Path(tempfile.mkdtemp(prefix="nbl-perm-"))
    try:
        base.chmod(0o755)
        locked = base / "locked"
        locked.mkdir()
        shutil.copy(nb101_db, locked / "db.sqlite")
        locked.chmod(0)
        prefix: list[str] = []
        if os.geteuid() == 0:
            if shutil.which("setpriv") is None:
                pytest.skip("running as root without setpriv: permissions cannot be enforced")
            prefix = NO_DAC
        runs = [
            ("info", str(locked / "db.sqlite")),
            ("build", "nats-space", "-o", str(locked / "new.sqlite"), "-q"),
            ("verify", str(locked / "db.sqlite")),
        ]
        for argv in runs:
            result = subprocess.run(
                [*prefix, sys.executable, "-m", "nasbench_lite", *argv],
                capture_output=True,
                timeout=300,
            )
            err = _one_line_error(result)
            assert "ermission" in err or "cannot" in err, (argv, err)
    finally:
        (base / "locked").chmod(0o755)
        shutil.rmtree(base)


def test_ctrl_c_during_start_up() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-X", "importtime", "-m", "nasbench_lite", "info", "/nonexistent"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    os.kill(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    text = err.decode()
    assert "Traceback" not in text.replace("import time:", ""), text[-1500:]
    assert proc.returncode in (1, 130, -signal.SIGINT), text[-500:]


def test_internal_error_is_exit_3_on_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(args: object) -> int:
        raise ZeroDivisionError("a bug")

    parser = cli.build_parser()
    monkeypatch.setattr(cli, "build_parser", lambda: parser)
    parser.set_defaults(handler=broken)
    for action in parser._subparsers._group_actions:  # type: ignore[union-attr]
        for sub in action.choices.values():  # type: ignore[union-attr]
            sub.set_defaults(handler=broken)
    monkeypatch.delenv("NASBENCH_LITE_TRACEBACK", raising=False)
    assert cli.main(["info", "x.sqlite"]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "ZeroDivisionError" in err
