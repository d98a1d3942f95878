"""Compat infrastructure: the source cache (``database_for``), the import aliases and the runner.

Sources are written in the official formats by the fixture modules (NAS-HPO-Bench-II pickles,
NB101 TFRecords, the real NATS archive files of tests/data/nats). Cross-process behaviour runs
real child processes; the concurrent case holds the cache lock in the test until both children
are seen blocked on it in ``/proc/locks``, so the two really ask at the same time.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import nashpobench2_fixture as fx
import pytest
from nasbench_lite._core.database import Database
from nasbench_lite.compat import _cache
from nasbench_lite.compat._cache import database_for
from nasbench_lite.errors import (
    CorruptSourceError,
    DatabaseError,
    InvalidInputError,
    NasbenchLiteError,
    SourceNotFoundError,
)
from nasbench_lite.nashpobench2 import API, build_nashpobench2
from nats_fixture import real_archive

TSS_BASE = "NATS-tss-v1_0-3ffb9"
CHILD = """
import json, os, sys
from nasbench_lite.compat._cache import database_for
print("ready", flush=True)
path = database_for(sys.argv[1], "nashpobench2")
print(json.dumps([str(path), os.stat(path).st_ino]), flush=True)
"""


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("NASBENCH_LITE_CACHE", str(folder))
    return folder


@pytest.fixture(scope="module")
def nhb2_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("nhb2") / "data"
    fx.write_dataset(folder, fx.sample_cellcodes(40, seed=5), seed=7)
    return folder


def copy_source(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def child(source: Path, cache: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "NASBENCH_LITE_CACHE": str(cache)}
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(source)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def finish(process: subprocess.Popen[str]) -> tuple[list[Any], str]:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    lines = out.splitlines()
    assert lines[0] == "ready"
    return json.loads(lines[1]), err


def builds(stderr: str) -> int:
    return stderr.count("nasbench_lite: building a database from")


def cached_files(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.glob("*.sqlite"))


# -- cache -----------------------------------------------------------------------------------
def test_built_once_then_reused_by_later_processes(
    nhb2_source: Path, cache: Path, tmp_path: Path
) -> None:
    source = copy_source(nhb2_source, tmp_path / "data")
    (first, ino), err = finish(child(source, cache))
    assert builds(err) == 1 and "building nashpobench2" in err  # notice + progress bar
    (second, ino2), err2 = finish(child(source, cache))
    assert (second, ino2) == (first, ino) and builds(err2) == 0 and err2 == ""
    assert Path(first).parent == cache and cached_files(cache) == [Path(first).name]
    # The cached database answers as one built directly from the source.
    direct = tmp_path / "direct.sqlite"
    build_nashpobench2(source, direct)
    with API(first) as cached, API(direct) as built:
        key = cached.get_key_from_idx(17)
        assert cached.query_by_key(**key) == built.query_by_key(**key)
        assert cached.cellcodes == built.cellcodes


def test_two_concurrent_processes_build_once(
    nhb2_source: Path, cache: Path, tmp_path: Path
) -> None:
    source = copy_source(nhb2_source, tmp_path / "data")
    cache.mkdir()
    lock = cache / (_cache._cache_name("nashpobench2", source) + ".lock")
    with open(lock, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        children = [child(source, cache) for _ in range(2)]
        for process in children:
            assert process.stdout is not None and process.stdout.readline() == "ready\n"
        inode = os.stat(lock).st_ino
        deadline = time.monotonic() + 120
        while _blocked_waiters(inode) < 2:  # both children wait on the lock held here
            assert time.monotonic() < deadline, "children never blocked on the cache lock"
            time.sleep(0.05)
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    results = []
    for process in children:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        results.append((json.loads(out.splitlines()[0]), builds(err)))
    assert results[0][0] == results[1][0]  # same file, same inode: nobody rebuilt after
    assert sorted(n for _, n in results) == [0, 1]
    assert cached_files(cache) == [Path(results[0][0][0]).name]
    assert not [p for p in cache.iterdir() if p.name.endswith(".tmp")]  # no half file left


def _blocked_waiters(inode: int) -> int:
    """Lock requests waiting (``->`` lines of /proc/locks) on the file with this inode."""
    count = 0
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "->" in fields and fields[fields.index("->") + 5].endswith(f":{inode}"):
            count += 1
    return count


def test_identity_change_rebuilds_touch_reuses(
    nhb2_source: Path, cache: Path, tmp_path: Path
) -> None:
    source = copy_source(nhb2_source, tmp_path / "data")
    first = database_for(source, "nashpobench2", quiet=True)
    inode = os.stat(first).st_ino
    with API(first) as api:
        key = api.get_key_from_idx(5)
        before = api.query_by_key(**key)
    # Only the modification time changes: the SHA-256 recorded in meta proves the content.
    os.utime(source / "bench12.pkl", ns=(1, 10**18))
    assert database_for(source, "nashpobench2", quiet=True) == first
    assert os.stat(first).st_ino == inode
    sidecar = json.loads(Path(str(first) + ".identity.json").read_text())
    assert [f[2] for f in sidecar["identity"]["files"] if f[0] == "bench12.pkl"] == [10**18]
    # New content (other values, same codes): rebuilt in place of the old file.
    fx.write_dataset(source, fx.sample_cellcodes(40, seed=5), seed=8)
    again = database_for(source, "nashpobench2", quiet=True)
    assert again == first and os.stat(again).st_ino != inode
    with API(again) as api:
        assert api.query_by_key(**key) != before
    assert cached_files(cache) == [first.name]


def test_damaged_cache_file_is_rebuilt(nhb2_source: Path, tmp_path: Path) -> None:
    source = copy_source(nhb2_source, tmp_path / "data")
    first = database_for(source, "nashpobench2", quiet=True)
    first.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)  # e.g. truncated by a crash
    assert database_for(source, "nashpobench2", quiet=True) == first
    with API(first) as api:  # a whole database again
        assert len(api) == len(api.cellcodes) * 48 > 0


def test_other_source_path_gets_its_own_database(nhb2_source: Path, tmp_path: Path) -> None:
    one = database_for(copy_source(nhb2_source, tmp_path / "a"), "nashpobench2", quiet=True)
    two = database_for(copy_source(nhb2_source, tmp_path / "b"), "nashpobench2", quiet=True)
    assert one != two and one.is_file() and two.is_file()


def test_database_passthrough(nhb2_source: Path, cache: Path, tmp_path: Path) -> None:
    db = tmp_path / "nhb2.sqlite"
    build_nashpobench2(nhb2_source, db)
    assert database_for(db, "nashpobench2") == db
    assert database_for(str(db), "nashpobench2", quiet=True) == db
    assert not cache.exists()  # nothing built, nothing cached
    with pytest.raises(DatabaseError, match="not a 'nats' one"):
        database_for(db, "nats")
    not_ours = tmp_path / "other.sqlite"
    import apsw

    connection = apsw.Connection(str(not_ours))
    connection.execute("CREATE TABLE t(x)")
    connection.close()
    with pytest.raises(DatabaseError, match="not a nasbench_lite database"):
        database_for(not_ours, "nashpobench2")


def test_missing_sources_name_path_and_download(tmp_path: Path) -> None:
    cases = [
        (tmp_path / "nasbench_only108.tfrecord", "nb101", "storage.googleapis.com/nasbench"),
        (tmp_path / "NATS-tss-v1_0-3ffb9-simple", "nats", "NATS-Bench README"),
        (tmp_path / "data", "nashpobench2", "bench12.pkl, cellinfo.pkl and avgaccs200.pkl"),
    ]
    for path, kind, hint in cases:
        with pytest.raises(SourceNotFoundError) as info:
            database_for(path, kind)
        error = info.value
        assert isinstance(error, FileNotFoundError) and isinstance(error, NasbenchLiteError)
        assert str(path) in str(error) and hint in str(error)
        assert error.path == path and error.kind == kind and error.filename == str(path)
    # A data folder lacking one of the three files names that file.
    folder = tmp_path / "partial"
    folder.mkdir()
    (folder / "bench12.pkl").write_bytes(b"")
    with pytest.raises(SourceNotFoundError, match="cellinfo.pkl"):
        database_for(folder, "nashpobench2")


def test_nats_default_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "torch"
    monkeypatch.setenv("TORCH_HOME", str(home))
    with pytest.raises(SourceNotFoundError) as info:
        database_for(None, "nats", space="topology")
    folder, single = home / f"{TSS_BASE}-simple", home / f"{TSS_BASE}.pickle.pbz2"
    assert info.value.path == folder and str(single) in str(info.value)
    assert f"{TSS_BASE}-simple.tar" in str(info.value)
    real_archive(home, "tss", [11])
    path = database_for(None, "nats", space="tss", quiet=True)
    with Database(path, kind="nats") as db:
        assert db.meta["space"] == "tss" and db.meta["source.name"] == folder.name
    assert database_for(folder, "nats", quiet=True) == path  # the same source, the same file
    with pytest.raises(InvalidInputError, match="tss space, not sss"):
        database_for(folder, "nats", space="sss")
    with pytest.raises(InvalidInputError, match="needs a space"):
        database_for(None, "nats")
    # Without TORCH_HOME the official default is $HOME/.torch.
    monkeypatch.delenv("TORCH_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    with pytest.raises(SourceNotFoundError) as info:
        database_for(None, "nats", space="sss")
    assert info.value.path == tmp_path / "home" / ".torch" / "NATS-sss-v1_0-50262-simple"


def test_nb101_tfrecord_source(tmp_path: Path) -> None:
    import nb101_tfrecord as tfr
    from nasbench_lite import nb101

    cells = tfr.cells_from_rows(nb101.enumerate_cells(max_vertices=4).to_pylist())[:4]
    source = tmp_path / "nasbench_only108.tfrecord"
    tfr.write_tfrecord(source, tfr.synthetic_dataset(cells, epochs=(108,)))
    path = database_for(source, "nb101", quiet=True)
    with Database(path, kind="nb101") as db:
        assert db.meta["rows.cells"] == "4"
    assert database_for(source, "nb101", quiet=True) == path


def test_corrupt_source_caches_nothing(cache: Path, tmp_path: Path) -> None:
    source = tmp_path / "broken.tfrecord"
    source.write_bytes(b"\x05\x00\x00\x00\x00\x00\x00\x00garbage-not-a-record")
    with pytest.raises(CorruptSourceError):
        database_for(source, "nb101", quiet=True)
    assert cached_files(cache) == []
    assert not [p for p in cache.iterdir() if p.suffix == ".tmp"]


def test_bad_kind_and_space(nhb2_source: Path) -> None:
    with pytest.raises(InvalidInputError, match="kind must be one of"):
        database_for(nhb2_source, "nb201")
    with pytest.raises(InvalidInputError, match="space must be one of"):
        database_for(None, "nats", space="foo")


# -- aliases and runner ----------------------------------------------------------------------
ALIAS_NOTE = "nasbench_lite.compat: alias active:"


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, check=False, timeout=600)


def without_note(stderr: bytes) -> bytes:
    first, _, rest = stderr.partition(b"\n")
    assert first.decode().startswith(ALIAS_NOTE), stderr
    return rest


def test_runner_script_semantics(tmp_path: Path, cache: Path) -> None:
    folder = tmp_path / "scripts"
    folder.mkdir()
    (folder / "helper_mod.py").write_text("VALUE = 41\n")
    script = folder / "semantics.py"
    script.write_text(
        textwrap.dedent(
            """
            import sys
            import helper_mod  # found through sys.path[0] = the script's folder
            print(__name__, sys.argv[1:], helper_mod.VALUE + 1)
            print(sys.path[0] == __file__.rsplit("/", 1)[0])
            if sys.argv[1] == "fail":
                raise RuntimeError("boom")
            sys.exit(int(sys.argv[1]))
            """
        )
    )
    env = {**os.environ, "NASBENCH_LITE_CACHE": str(cache)}
    for runner in (
        [sys.executable, "-m", "nasbench_lite.compat"],
        [sys.executable, "-m", "nasbench_lite", "compat-run"],
    ):
        for code in ("0", "3"):
            plain = run([sys.executable, str(script), code, "--x"], tmp_path, env)
            ours = run([*runner, str(script), code, "--x"], tmp_path, env)
            assert ours.returncode == plain.returncode == int(code)
            assert ours.stdout == plain.stdout == f"__main__ ['{code}', '--x'] 42\nTrue\n".encode()
            assert without_note(ours.stderr) == plain.stderr == b""
        plain = run([sys.executable, str(script), "fail"], tmp_path, env)
        ours = run([*runner, str(script), "fail"], tmp_path, env)
        assert ours.returncode == plain.returncode == 1
        assert without_note(ours.stderr) == plain.stderr  # same traceback, no runner frames
        missing = run([*runner, str(folder / "nope.py")], tmp_path, env)
        assert missing.returncode == 2 and b"can't open file" in missing.stderr


def test_aliases_are_the_compat_modules_and_never_fall_back(tmp_path: Path, cache: Path) -> None:
    script = tmp_path / "aliases.py"
    script.write_text(
        textwrap.dedent(
            """
            import nashpobench2api, nashpobench2api.utils
            from nashpobench2api.api import NASHPOBench2API
            import nasbench_lite.compat.nashpobench2api as compat
            print(nashpobench2api is compat, NASHPOBench2API is compat.NASHPOBench2API)
            print(nashpobench2api.utils.__name__, nashpobench2api.__spec__.name)
            try:
                import nashpobench2api.no_such_module
            except ModuleNotFoundError as exc:
                print(exc.name)
            import nasbench_lite.compat as c
            c.uninstall()
            import nashpobench2api as official
            print(official.__name__, official is compat, c.installed())
            c.install()
            import nashpobench2api as again
            print(again is compat)
            """
        )
    )
    env = {**os.environ, "NASBENCH_LITE_CACHE": str(cache)}
    result = run([sys.executable, "-m", "nasbench_lite.compat", str(script)], tmp_path, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().splitlines() == [
        "True True",
        "nasbench_lite.compat.nashpobench2api.utils nasbench_lite.compat.nashpobench2api",
        "nashpobench2api.no_such_module",
        "nashpobench2api False False",
        "True",
    ]
    notes = result.stderr.decode().splitlines()
    assert len(notes) == 2 and all(n.startswith(ALIAS_NOTE) for n in notes)
    assert "shadowing the installed nats_bench, nashpobench2api" in notes[0]


def test_install_in_process_sets_official_modules_aside(capsys: pytest.CaptureFixture[str]) -> None:
    import nashpobench2api as official
    from nasbench_lite import compat

    try:
        compat.install()
        compat.install()  # idempotent: one notice
        import nashpobench2api

        assert nashpobench2api is sys.modules["nasbench_lite.compat.nashpobench2api"]
        assert compat.installed()
    finally:
        compat.uninstall()
    import nashpobench2api as back

    assert back is official and not compat.installed()
    assert capsys.readouterr().err.count(ALIAS_NOTE) == 1


# -- an unmodified client script: official packages vs the runner, byte for byte --------------
CLIENT = """
import random
import sys

import nats_bench
from nats_bench import create
from nats_bench.api_utils import time_string  # noqa: F401 - a submodule import of the client
from nashpobench2api import NASHPOBench2API as API
from nashpobench2api.utils import get_ith_op, set_ith_op

nats_dir, nhb2_dir = sys.argv[1], sys.argv[2]

# NAS-HPO-Bench-II random search as in the official bench_algos scripts: global seed per run,
# the client's own draws interleaved with the API's.
api = API(nhb2_dir)
for run in range(2):
    random.seed(run)
    api.reset_logdata()
    for trial in range(12):
        key = api.get_random_key()
        if random.random() < 0.5:
            edge = random.randrange(6)
            mutated = set_ith_op(key["cellcode"], edge, (get_ith_op(key["cellcode"], edge) + 1) % 4)
            if mutated in api.cellcodes:
                key["cellcode"] = mutated
        acc, cost = api.query_by_key(**key, iepoch=random.randint(1, 12))
        print(trial, key, repr(acc), repr(cost))
    results = api.get_results()
    print(results["final_accs"], results["best_key_trans"][-1], repr(api.get_total_cost()))
print(len(api), str(api), api.get_key_from_idx(-1), api[7])

# NATS-Bench: the calls a published client makes on the topology archive.
print(nats_bench.version(), nats_bench.search_space_info("nats-bench", "tss"))
nats = create(nats_dir, "tss", fast_mode=True, verbose=False)
print(len(nats), nats.meta_archs[11] == nats[11], nats.query_index_by_arch(nats[11]))
random.seed(3)
for hp in ("12", "200"):
    print(nats.get_more_info(11, "cifar10-valid", hp=hp, is_random=False))
    print(nats.get_more_info(11, "cifar100", hp=hp, is_random=True))
    print(nats.simulate_train_eval(11, "cifar10", hp=hp))
    print(nats.get_cost_info(11, "ImageNet16-120", hp=hp))
print(repr(random.random()))
"""


NB101_CLIENT = """
import json
import random
import sys

from nasbench import api
from nasbench.lib import graph_util

nasbench = api.NASBench(sys.argv[1], seed=5)
for matrix, ops in json.loads(sys.argv[2]):
    spec = api.ModelSpec(matrix=matrix, ops=ops)
    data = nasbench.query(spec)
    print(spec.hash_spec(["conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"]),
          repr(data["validation_accuracy"]), repr(data["training_time"]),
          data["trainable_parameters"])
print(nasbench.get_budget_counters(), repr(random.random()))
"""


def test_unmodified_client_gives_the_official_output(
    nhb2_source: Path, cache: Path, tmp_path: Path
) -> None:
    archive = real_archive(tmp_path, "tss", [11])
    # Built beforehand, so the runner's stderr has no build notice (a first run prints one).
    database_for(archive, "nats", quiet=True)
    database_for(nhb2_source, "nashpobench2", quiet=True)
    script = tmp_path / "client.py"
    script.write_text(CLIENT)
    env = {**os.environ, "NASBENCH_LITE_CACHE": str(cache)}
    args = [str(script), str(archive), str(nhb2_source)]
    official = run([sys.executable, *args], tmp_path, env)
    assert official.returncode == 0, official.stderr.decode()
    ours = run([sys.executable, "-m", "nasbench_lite.compat", *args], tmp_path, env)
    assert ours.returncode == 0, ours.stderr.decode()
    assert ours.stdout == official.stdout
    assert without_note(ours.stderr) == official.stderr  # the NHB-II query log
    assert official.stderr.count(b" sec  ") > 24  # the log really was compared


def test_unmodified_nb101_client_follows_the_official_semantics(
    cache: Path, tmp_path: Path
) -> None:
    import random

    import nb101_tfrecord as tfr
    from nasbench_lite import nb101

    cells = tfr.cells_from_rows(nb101.enumerate_cells(max_vertices=5).to_pylist())[:30]
    records = tfr.synthetic_dataset(cells, epochs=(108,))
    source = tmp_path / "nasbench_only108.tfrecord"
    tfr.write_tfrecord(source, records)
    database_for(source, "nb101", quiet=True)
    script = tmp_path / "nb101_client.py"
    script.write_text(NB101_CLIENT)
    picks = [cells[i] for i in (3, 17, 3, 29, 0, 11)]
    specs = json.dumps([[[list(map(int, row)) for row in m], ops] for _, m, ops in picks])
    env = {**os.environ, "NASBENCH_LITE_CACHE": str(cache)}
    result = run(
        [sys.executable, "-m", "nasbench_lite.compat", str(script), str(source), specs],
        tmp_path,
        env,
    )
    assert result.returncode == 0, result.stderr.decode()
    # Expected, from nb101.md: NASBench(path, seed) calls random.seed(seed); each query then
    # draws its repeat with random.randint(0, 2) on the global generator and returns the
    # final evaluation of that repeat (repeats in file order); the budget sums the times.
    runs = {(r.hash, i % 3): r for i, r in enumerate(records)}
    rng_state = random.getstate()
    try:
        random.seed(5)
        lines = ["Loading dataset from file... This may take a few minutes..."]
        lines.append("Loaded dataset in 0 seconds")
        spent = 0.0
        for module_hash, _, _ in picks:
            final = runs[module_hash, random.randint(0, 2)].evaluations[2]
            spent += final.training_time
            params = runs[module_hash, 0].trainable_parameters
            lines.append(
                f"{module_hash} {final.validation_accuracy!r} {final.training_time!r} {params}"
            )
        lines.append(f"{(spent, 108 * len(picks))} {random.random()!r}")
    finally:
        random.setstate(rng_state)
    assert result.stdout.decode().splitlines() == lines
