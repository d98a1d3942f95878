"""Ctrl-C during a read-only command's long SQLite work (#17 leftover), through a subprocess.

The child runs ``nasbench-lite sql`` with a statement SQLite needs minutes for; once the child
has the database open (seen in ``/proc/PID/fd``, so SIGINT does not land during start-up) it
gets SIGINT and must end with exit code 130 and the CLI's one-line message. The bound is
generous (a child that waits for SQLite to finish would need far longer), not a speed check.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from kind_dbs import small_nb101_space

COMMAND = [sys.executable, "-m", "nasbench_lite"]
#: A statement that keeps SQLite busy inside one step for minutes (10^10 recursive rows).
LONG_SQL = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10000000000) "
    "SELECT count(*) FROM c JOIN nb101_space.cells"
)

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/fd").is_dir(), reason="needs /proc to see when the child opened the db"
)


def _has_open(pid: int, path: Path) -> bool:
    try:
        entries = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for entry in entries:
        try:
            if os.readlink(f"/proc/{pid}/fd/{entry}") == str(path):
                return True
        except OSError:
            continue
    return False


def _interrupt_when_open(args: list[str], db: Path) -> tuple[int | None, str, float]:
    """Starts the CLI, sends SIGINT once it has ``db`` open; (exit code, stderr, seconds)."""
    proc = subprocess.Popen(
        [*COMMAND, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None and not _has_open(proc.pid, db):
            time.sleep(0.02)
        assert proc.poll() is None, "the command ended before it could be interrupted"
        time.sleep(0.3)  # let it reach the long SQLite step
        sent = time.monotonic()
        os.kill(proc.pid, signal.SIGINT)
        try:
            _, stderr = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            return None, "", time.monotonic() - sent
        return proc.returncode, stderr, time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()  # reaps the child and closes its pipe


@pytest.fixture(scope="module")
def space_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_nb101_space(tmp_path_factory.mktemp("interrupt") / "space.sqlite").resolve()


def test_ctrl_c_interrupts_a_long_sql_statement(space_db: Path) -> None:
    code, stderr, waited = _interrupt_when_open(["sql", LONG_SQL, str(space_db)], space_db)
    assert code == 130, f"exit {code} after {waited:.1f} s (None: still running after 10 s)"
    assert stderr.strip() == "nasbench-lite: interrupted"


def test_sigterm_during_a_cli_build_removes_its_temporary_file(tmp_path: Path) -> None:
    """A build runs in the CLI's worker thread, where Python runs no signal handlers: the main
    thread must turn SIGTERM into the same cleanup as Ctrl-C (exit 143, no temporary left)."""
    out = tmp_path / "space.sqlite"
    proc = subprocess.Popen(
        [*COMMAND, "build", "nb101-space", "-o", str(out), "-q"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if any(p.name.endswith(".tmp") for p in tmp_path.iterdir()):
                break
            time.sleep(0.02)
        assert proc.poll() is None, "the build ended before it could be terminated"
        os.kill(proc.pid, signal.SIGTERM)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 143, stderr
    assert stderr.strip() == "nasbench-lite: terminated"
    assert list(tmp_path.iterdir()) == []
