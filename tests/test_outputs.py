"""Build outputs (#13): PID-named temporaries, stale cleanup, signals, no-clobber races, --force.

SIGKILL trials: ``NASBENCH_LITE_KILL_TRIALS`` (default 4) kills of a real builder subprocess at
seeded random points.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from nasbench_lite._core.integrity import verify_database
from nasbench_lite._core.outputs import atomic_output, remove_stale_temporaries, temporary_name
from nasbench_lite.errors import BuildError, OutputExistsError

KILL_TRIALS = int(os.environ.get("NASBENCH_LITE_KILL_TRIALS", "4"))

BUILDER = textwrap.dedent(
    """
    import sys
    from nasbench_lite.benchmarks.nats_space.build import build_nats_space
    print("started", flush=True)
    build_nats_space(sys.argv[1], force=True)
    """
)

SLEEPER = textwrap.dedent(
    """
    import sys, time
    from nasbench_lite._core.building import BuildSession
    from nasbench_lite._core.schema import load_schema
    with BuildSession(sys.argv[1], load_schema("nar")):
        print("ready", flush=True)
        time.sleep(60)
    """
)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_temporary_carries_the_pid(tmp_path: Path) -> None:
    out = tmp_path / "x.sqlite"
    with atomic_output(out) as temp:
        assert f".nbl-{os.getpid()}-" in temp.name
        assert temp.parent == tmp_path
        temp.write_bytes(b"data")
    assert out.read_bytes() == b"data"
    assert [p.name for p in tmp_path.iterdir()] == ["x.sqlite"]


def test_stale_temporaries_of_dead_builds_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "x.sqlite"
    stale = temporary_name(out, _dead_pid())
    stale.write_bytes(b"half")
    sidecar = Path(f"{stale}-journal")
    sidecar.write_bytes(b"j")
    live = temporary_name(out, os.getppid())  # a running process: left alone
    live.write_bytes(b"busy")
    other = tmp_path / ".x.sqlite.tmp"  # not ours: left alone
    other.write_bytes(b"user")
    with atomic_output(out) as temp:
        temp.write_bytes(b"ok")
    names = {p.name for p in tmp_path.iterdir()}
    assert names == {"x.sqlite", live.name, other.name}
    assert remove_stale_temporaries(tmp_path) == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_during_build_removes_the_temporary(tmp_path: Path, signum: int) -> None:
    out = tmp_path / "x.sqlite"
    proc = subprocess.Popen(
        [sys.executable, "-c", SLEEPER, str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    assert any(".nbl-" in p.name for p in tmp_path.iterdir())
    os.kill(proc.pid, signum)
    proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert list(tmp_path.iterdir()) == []


def test_sigkill_at_random_points_leaves_nothing_half_written(tmp_path: Path) -> None:
    rng = random.Random(13)
    out = tmp_path / "space.sqlite"
    for _ in range(KILL_TRIALS):
        proc = subprocess.Popen(
            [sys.executable, "-c", BUILDER, str(out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert proc.stdout is not None
        proc.stdout.readline()
        time.sleep(rng.uniform(0.0, 3.0))
        proc.kill()
        proc.wait()
        proc.stdout.close()
        if out.exists():
            verify_database(out)  # complete and intact, or absent: never half-written
        out.unlink(missing_ok=True)
    # The next build removes whatever the killed builds left behind.
    subprocess.run([sys.executable, "-c", BUILDER, str(out)], check=True, capture_output=True)
    assert [p.name for p in tmp_path.iterdir()] == ["space.sqlite"]
    assert verify_database(out)["kind"] == "nats_space"


def test_file_appearing_during_build_is_not_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "x.sqlite"
    with pytest.raises(OutputExistsError), atomic_output(out) as temp:
        temp.write_bytes(b"new")
        out.write_bytes(b"precious")
    assert out.read_bytes() == b"precious"
    assert [p.name for p in tmp_path.iterdir()] == ["x.sqlite"]


def test_two_interleaved_builds_one_wins(tmp_path: Path) -> None:
    out = tmp_path / "x.sqlite"
    first = atomic_output(out)
    second = atomic_output(out)
    temp1, temp2 = first.__enter__(), second.__enter__()
    temp1.write_bytes(b"one")
    temp2.write_bytes(b"two")
    first.__exit__(None, None, None)
    with pytest.raises(OutputExistsError):
        second.__exit__(None, None, None)
    assert out.read_bytes() == b"one"
    assert [p.name for p in tmp_path.iterdir()] == ["x.sqlite"]


def _racer(out: str, barrier: multiprocessing.synchronize.Barrier, results: object) -> None:
    try:
        with atomic_output(out) as temp:
            temp.write_bytes(str(os.getpid()).encode())
            barrier.wait(timeout=30)
        results.put("won")  # type: ignore[attr-defined]
    except OutputExistsError:
        results.put("refused")  # type: ignore[attr-defined]


def test_concurrent_builds_exactly_one_wins(tmp_path: Path) -> None:
    out = str(tmp_path / "x.sqlite")
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(4)
    results = context.Queue()
    procs = [context.Process(target=_racer, args=(out, barrier, results)) for _ in range(4)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    outcomes = sorted(results.get(timeout=10) for _ in procs)
    assert outcomes == ["refused", "refused", "refused", "won"]
    assert [p.name for p in tmp_path.iterdir()] == ["x.sqlite"]


def test_dangling_symlink_refused_without_force(tmp_path: Path) -> None:
    out = tmp_path / "x.sqlite"
    out.symlink_to(tmp_path / "missing")
    with pytest.raises(OutputExistsError), atomic_output(out) as temp:
        temp.write_bytes(b"x")
    assert out.is_symlink()
    with atomic_output(out, force=True) as temp:
        temp.write_bytes(b"x")
    assert not out.is_symlink() and out.read_bytes() == b"x"


def test_force_replaces_regular_files_and_symlinks_to_them(tmp_path: Path) -> None:
    real = tmp_path / "real.sqlite"
    real.write_bytes(b"old")
    link = tmp_path / "link.sqlite"
    link.symlink_to(real)
    for target in (real, link):
        with atomic_output(target, force=True) as temp:
            temp.write_bytes(b"new")
        assert target.read_bytes() == b"new"


def test_force_never_replaces_a_directory_fifo_device_socket(tmp_path: Path) -> None:
    folder = tmp_path / "dir"
    folder.mkdir()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    sock_path = tmp_path / "sock"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    try:
        for target in (folder, fifo, sock_path, Path("/dev/null")):
            with (
                pytest.raises(BuildError, match="regular file|directory"),
                atomic_output(target, force=True) as temp,
            ):
                temp.write_bytes(b"x")
    finally:
        sock.close()
    assert folder.is_dir() and fifo.is_fifo()


def test_force_never_replaces_the_source(tmp_path: Path) -> None:
    source = tmp_path / "source.json"
    source.write_bytes(b"[]")
    hard = tmp_path / "hard.json"
    os.link(source, hard)
    link = tmp_path / "link.json"
    link.symlink_to(source)
    for target in (source, hard, link):
        with (
            pytest.raises(BuildError, match="own source"),
            atomic_output(target, force=True, sources=[source]) as temp,
        ):
            temp.write_bytes(b"x")
    assert source.read_bytes() == b"[]"


def test_builder_refuses_its_own_source_with_force(tmp_path: Path) -> None:
    from nasbench_lite.cli import main

    source = tmp_path / "nb201.json"
    source.write_bytes(
        (Path(__file__).parent / "data" / "nasbench201_vertice_example.json").read_bytes()
    )
    before = source.read_bytes()
    assert main(["build", "nar", str(source), "-o", str(source), "--force", "-q"]) == 1
    assert source.read_bytes() == before


def test_interrupt_right_after_the_temporary_is_created_removes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The CLI's Ctrl-C handler (another thread) calls remove_partial_outputs and exits at once.
    # Make that happen at the worst moment: the instant the temporary's descriptor is closed,
    # i.e. the file exists on disk. Before the fix it was not registered yet and survived.
    from nasbench_lite._core import outputs

    monkeypatch.setattr(outputs, "_closing", False)
    monkeypatch.setattr(outputs, "_PARTIAL_OUTPUTS", set())
    real_close = os.close
    seen: list[list[str]] = []

    def close_then_interrupt(fd: int) -> None:
        real_close(fd)
        outputs.remove_partial_outputs()
        seen.append(sorted(p.name for p in tmp_path.iterdir()))
        raise KeyboardInterrupt

    monkeypatch.setattr(outputs.os, "close", close_then_interrupt)
    with pytest.raises(KeyboardInterrupt), atomic_output(tmp_path / "out.sqlite"):
        pass
    monkeypatch.setattr(outputs.os, "close", real_close)
    assert seen == [[]]
    assert list(tmp_path.iterdir()) == []
    # The process is going away: no later build may create a temporary.
    with pytest.raises(BuildError, match="exiting"), atomic_output(tmp_path / "other.sqlite"):
        pass
    assert list(tmp_path.iterdir()) == []


def test_a_temporary_that_cannot_be_created_is_not_left_registered(tmp_path: Path) -> None:
    from nasbench_lite._core import outputs

    with pytest.raises(BuildError, match="null"), atomic_output(tmp_path / "a\x00b.sqlite"):
        pass
    assert not any("\x00" in str(temp) for temp in outputs._PARTIAL_OUTPUTS)
