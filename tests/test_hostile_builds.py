"""Every builder on a full disk and under SIGKILL; readers while a database is overwritten (#13).

Complements tests/test_outputs.py and tests/test_hostile_cli.py, which exercise the same
properties on the NATS space builder only:

* a full disk (a tmpfs of a few KiB, mounted by the test; skipped with the reason where mounting
  is not allowed) fails every source builder with ``BuildError`` naming the output and the free
  space, leaving nothing behind (before #13: ``apsw.FullError`` and "cannot rollback");
* SIGKILL at seeded random points of every source builder leaves the output absent or complete
  and intact, and the next build removes the temporaries (``NASBENCH_LITE_KILL_TRIALS``);
* several reader processes, each querying from two threads, survive repeated in-place
  overwrites and truncations of the database they read (before #13: SIGBUS in every reader).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import kind_dbs
import nashpobench2_fixture as nhb2_fx
import nb101_tfrecord as tfr
import pytest
from nasbench_lite import nb101
from nasbench_lite._core.integrity import verify_database
from nasbench_lite.errors import BuildError
from nasbench_lite.spaces.nb201.space import topology_strings
from nats_fixture import write_archive
from test_hostile_cli import _tmpfs

KILL_TRIALS = int(os.environ.get("NASBENCH_LITE_KILL_TRIALS", "4"))

#: kind -> (builder module, builder function, how its sources are passed).
BUILDERS = {
    "nb101": ("nasbench_lite.benchmarks.nb101.build", "build_nb101", "list"),
    "nats": ("nasbench_lite.benchmarks.nats.build", "build_nats", "one"),
    "nashpobench2": ("nasbench_lite.benchmarks.nashpobench2.build", "build_nashpobench2", "one"),
    "nar": ("nasbench_lite.benchmarks.nar.build", "build_nar", "list"),
}

BUILD = textwrap.dedent(
    """
    import importlib, json, sys
    module, function, how, sources, out = json.loads(sys.argv[1])
    build = getattr(importlib.import_module(module), function)
    print("started", flush=True)
    build(sources if how == "list" else sources[0], out, force=True)
    """
)


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Sources in the official formats, large enough that a build takes a moment."""
    folder = tmp_path_factory.mktemp("sources")
    cells = tfr.cells_from_rows(nb101.enumerate_cells(max_vertices=5).to_pylist())
    tfr.write_tfrecord(folder / "nb101.tfrecord", tfr.synthetic_dataset(cells, seed=2))
    write_archive(folder / "archive", topology_strings()[:40], "tss", list(range(40)), seed=1)
    nhb2_fx.write_dataset(folder / "nhb2", nhb2_fx.sample_cellcodes(200, seed=1), seed=5)
    nar = folder / "nar"
    nar.mkdir()
    kind_dbs.small_nar(nar)
    return {
        "nb101": [str(folder / "nb101.tfrecord")],
        "nats": [str(folder / "archive")],
        "nashpobench2": [str(folder / "nhb2")],
        "nar": [str(nar / "nb101.json"), str(nar / "nb201.json")],
    }


def _build(kind: str, sources: list[str], out: Path, **options: Any) -> Any:
    import importlib

    module, function, how = BUILDERS[kind]
    build = getattr(importlib.import_module(module), function)
    return build(sources if how == "list" else sources[0], out, **options)


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_full_disk_is_a_build_error_for_every_builder(
    sources: dict[str, list[str]], kind: str
) -> None:
    with _tmpfs("16k") as folder:
        out = folder / f"{kind}.sqlite"
        with pytest.raises(BuildError, match=r"disk full.*free") as info:
            _build(kind, sources[kind], out)
        assert info.value.path == out
        assert list(folder.iterdir()) == []  # no temporary, no partial output


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_sigkill_at_random_points_of_every_builder(
    tmp_path: Path, sources: dict[str, list[str]], kind: str
) -> None:
    rng = random.Random(f"kill-{kind}")
    out = tmp_path / f"{kind}.sqlite"
    module, function, how = BUILDERS[kind]
    argv = [
        sys.executable,
        "-c",
        BUILD,
        json.dumps([module, function, how, sources[kind], str(out)]),
    ]
    started = time.monotonic()
    subprocess.run(argv, check=True, capture_output=True)  # how long one build takes here
    duration = time.monotonic() - started
    out.unlink()
    for _ in range(KILL_TRIALS):
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert proc.stdout is not None
        proc.stdout.readline()
        time.sleep(rng.uniform(0.0, duration))
        proc.kill()
        proc.wait()
        proc.stdout.close()
        if out.exists():
            assert verify_database(out)["kind"] == kind  # complete and intact, or absent
        out.unlink(missing_ok=True)
    subprocess.run(argv, check=True, capture_output=True)
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # stale temporaries removed
    assert verify_database(out)["kind"] == kind


READER = textwrap.dedent(
    """
    import os, sys, threading
    import nasbench_lite
    from nasbench_lite.errors import NasbenchLiteError
    path, kind, stop = sys.argv[1], sys.argv[2], sys.argv[3]
    reader = nasbench_lite.open(path)
    if kind == "nats":
        query = lambda: reader.get_more_info(1, "cifar10", hp="12")
    else:
        first = next(iter(reader.hash_iterator()))
        query = lambda: reader.get_metrics_from_hash(first)
    counts = {"ok": 0, "typed": 0}
    lock = threading.Lock()
    def loop():
        while not os.path.exists(stop):
            try:
                query()
                outcome = "ok"
            except NasbenchLiteError:
                outcome = "typed"
            with lock:
                counts[outcome] += 1
    threads = [threading.Thread(target=loop) for _ in range(2)]
    print("open", flush=True)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print("done", counts["ok"], counts["typed"], flush=True)
    """
)


@pytest.mark.parametrize("kind", ["nats", "nb101"])
def test_readers_survive_in_place_overwrites_while_querying(tmp_path: Path, kind: str) -> None:
    dbs = {
        "nats": kind_dbs.small_nats(tmp_path),
        "nb101": kind_dbs.small_nb101(tmp_path),
    }
    live, other, stop = tmp_path / "live.sqlite", tmp_path / "other.sqlite", tmp_path / "stop"
    shutil.copy(dbs[kind], live)
    shutil.copy(dbs["nb101" if kind == "nats" else "nats"], other)
    keep = dbs[kind].read_bytes()
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER, str(live), kind, str(stop)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for proc in readers:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "open"
    rng = random.Random(13)
    for trial in range(12):  # overwrite in place (same inode) while the readers query
        choice = trial % 4
        if choice == 0:
            live.write_bytes(keep[: rng.randrange(len(keep))])  # truncate
        elif choice == 1:
            shutil.copyfile(other, live)  # another database, in place
        elif choice == 2:
            shutil.copyfile(dbs[kind], live)  # identical bytes, in place
        else:
            with open(live, "r+b") as handle:  # garbage over the middle
                handle.seek(len(keep) // 2)
                handle.write(os.urandom(8192))
        time.sleep(0.2)
    stop.write_text("")
    for proc in readers:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, (proc.returncode, err[-2000:])  # -7 would be SIGBUS
        assert out.startswith("done"), err[-2000:]
