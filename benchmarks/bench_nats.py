"""Benchmark of NATS-Bench: official ``nats_bench`` (fast mode) vs ``nasbench_lite.nats``.

Everything runs on the real official files: ``shared/fixtures/nats/NATS-{tss,sss}-...-simple/``
(meta + architectures 0, 11, 284; falls back to ``tests/data/nats``). For more architectures a
*scaled archive* is written in a temp folder: the real ``meta.pickle.pbz2`` plus ``--archs N``
per-architecture files (indexes 0..N-1) made from the real fixture files re-labelled for the new
index (loaded with ``nasbench_lite._core.formats.safe_pickle.load_path``;
``arch_index``/``arch_str`` of every
hp state and the trials' ``arch_config['arch_str']`` (sss also ``['channels']``) set to the meta
entry; written with ``bz2.BZ2File`` + ``pickle.dump(protocol=4)`` as the official
``pickle_save``). Indexes 0, 11, 284 keep their own real file. ``build_nats`` reads it like a
real ``-simple`` archive.

Parts (one Markdown table each, per space; columns measure | nasbench_lite | official | ratio):

1. Build: ``build_nats`` in a subprocess on the 3 real fixture archs and on the scaled archive;
   marginal time and DB bytes per architecture (difference of the two builds, so the fixed
   cost of the meta list, unique strings and indexes is not counted per arch), projected to the
   full space (15,625 tss / 32,768 sss; measured with ``--full``); peak RSS of the build
   (``VmHWM`` of the child). Official: bytes per arch of the real ``-simple`` files; a
   child that loads ``--official-archs`` files through the fast-mode path (``_prepare_info``,
   what every first query runs) gives the load rate and the memory retained per arch.
2. Cold start in fresh interpreters (median of ``--cold-runs``): import + ``create`` + one
   ``get_more_info`` (ours on the built DB; official on the real ``-simple`` dir, which
   unpickles the architecture's file).
3. Per-call latency of every call form (p50): ``get_more_info`` for every hp (tss 200/12,
   sss 90/12/01), ``iepoch`` None / mid-run / last, ``is_random`` False / True / a seed of the
   trial; ``get_cost_info``, ``get_latency`` and ``simulate_train_eval`` per hp. Official, per
   form, a fresh API on the scaled archive: the FIRST touch of ``--first-touch`` archs
   (includes loading the file: the cost when a search visits a new arch), then warm calls on
   those archs (at most ``--calls`` and ``--budget`` seconds). Ours warm: a cached API after the
   same first touches, the same warm call list; ours uncached: ``cache_size=0``, every call
   reads the DB, on random archs. Targets (#14): warm >= 5x the official warm call, uncached
   >= 200x its first touch, final-epoch calls <= 10 us p50 warm.
4. ``find_best`` on a DB holding the full space (with ``--full``; otherwise linear
   extrapolation from the 3-arch and N-arch DBs, labelled). Official: find_best over the real
   fixture archs in fast mode (load every file + search), per arch x the full space.
5. ``statistics`` (ours: SQL; official: a loop over the
   loaded archs, which in fast mode means loading all of them first).
6. ``query_many(None, dataset, hp, is_random=...)``: the table of every architecture with
   results (final epoch with ``'mean'`` and ``'random'``, one mid-run ``iepoch``, a short hp),
   median of repeated calls on the N-arch DB; full space measured with ``--full``, otherwise
   extrapolated like 4 (target: the full table of final metrics in < 1 s; measured full-space
   times were ~1.6-2x the 300-arch extrapolation, the query scanning all of ``runs``); plus a fresh
   interpreter running import + ``create`` + one full table. Official: a loop of
   ``get_more_info`` over every arch, timed as the first touch of ``--first-touch`` archs of a
   fresh API (and again warm), mean per arch x N.

Answers are checked (untimed) before timing: on sampled archs, ``get_more_info``,
``get_cost_info`` and ``simulate_train_eval`` (seeded) equal the official ones on the same files;
``find_best`` and ``statistics`` on the fixture DB equal the official ones over the fixture archs;
before each ``query_many`` is timed, its rows for ~10 archs equal ``get_more_info`` (seeded with
the row's seed for ``'random'``) and ``get_cost_info`` of both APIs, null where get_more_info has
no such key.
A disagreement raises ``MismatchError``. No timing is asserted. Timed loops run with GC off.

Usage::

    .venv/bin/python benchmarks/bench_nats.py                # both spaces, 300 archs: ~70 s
    .venv/bin/python benchmarks/bench_nats.py --space tss --archs 1000
    .venv/bin/python benchmarks/bench_nats.py --full --workdir /tmp/nats   # ~15 min, ~4.5 GB
    .venv/bin/python benchmarks/bench_nats.py --build-only   # part 1 and the answer check

``--full`` writes and builds all 15,625 / 32,768 architectures. Measured on a shared 2-core
machine: writing 3.2 min (tss) + 1.4 min (sss) with 2 jobs, building 4.7 min + 3.5 min, 14.6
min in all; 1.31 + 1.11 GB (tss files + DB) and 1.13 + 1.02 GB (sss). With ``--build-only`` on
reused archives at load ~5: 5.2 + 3.8 min in all, the builds 12.9 / 4.3 ms CPU per arch (the
wall time follows the machine's load; the CPU time bounds it at CPU x archs / 2 cores).
``--workdir`` keeps the archives (reused by the next run: ``.complete-N`` marker) and the DBs
(always rebuilt); without it a temp folder is used and removed.
"""

from __future__ import annotations

import argparse
import bz2
import gc
import json
import math
import os
import pickle
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FIXTURES = ROOT.parent / "shared" / "fixtures" / "nats"
TEST_FIXTURES = ROOT / "tests" / "data" / "nats"
MB = 1_000_000
DATASETS = ("cifar10-valid", "cifar10", "cifar100", "ImageNet16-120")
SIM_DATASETS = ("cifar10", "cifar100", "ImageNet16-120")
QUERY_INDEX = 11  # a real fixture architecture (its own file in the scaled archive)
#: Targets from the issue.
TARGET_FIRST_TOUCH_RATIO = 200.0  # official first touch / ours uncached, per call form
TARGET_WARM_RATIO = 5.0  # official warm / ours warm
TARGET_FINAL_WARM_S = 10e-6  # final-epoch calls, p50 warm
TARGET_FIND_BEST_S = 0.100
TARGET_BUILD_RSS = 500 * MB
TARGET_BUILD_S = {"tss": 90.0, "sss": 60.0}  # the full space's build, wall time
TARGET_QUERY_MANY_S = 1.0  # the full table of final metrics for every architecture
#: Bookkeeping columns of a ``query_many`` row (the rest mirror get_more_info / get_cost_info).
QM_ID_COLUMNS = ("arch_index", "seed", "n_trials", "iepoch")
QM_COST_COLUMNS = ("flops", "params", "latency")


class MismatchError(RuntimeError):
    """Our answer differs from the official API's on the same files."""


@dataclass(frozen=True)
class Space:
    name: str
    base: str
    total: int
    hps: tuple[str, str]  # (short, full)
    mid: dict[str, int]  # a mid-run iepoch per hp
    all_hps: tuple[str, ...]
    epochs: dict[str, int]  # epochs per hp

    @property
    def full_hp(self) -> str:
        return self.hps[1]


SPACES = {
    "tss": Space(
        "tss",
        "NATS-tss-v1_0-3ffb9",
        15_625,
        ("12", "200"),
        {"12": 5, "200": 99},
        ("200", "12"),
        {"12": 12, "200": 200},
    ),
    "sss": Space(
        "sss",
        "NATS-sss-v1_0-50262",
        32_768,
        ("12", "90"),
        {"01": 0, "12": 5, "90": 44},
        ("90", "12", "01"),
        {"01": 1, "12": 12, "90": 90},
    ),
}


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


@contextmanager
def no_gc() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def fmt_s(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    if seconds < 120:
        return f"{seconds:.2f} s"
    return f"{seconds:.0f} s ({seconds / 60:.1f} min)"


def fmt_bytes(n: float) -> str:
    if n >= 1e9:
        return f"{n / 1e9:.2f} GB"
    if n >= 1e6:
        return f"{n / 1e6:.1f} MB"
    if n >= 1e3:
        return f"{n / 1e3:.1f} kB"
    return f"{n:.0f} B"


def fmt_p(samples: Sequence[float]) -> str:
    return f"p50 {fmt_s(statistics.median(samples))} / mean {fmt_s(statistics.fmean(samples))}"


def faster(ours: float, official: float) -> str:
    """``official / ours`` as 'Nx faster' (or 'Nx slower')."""
    if ours <= 0 or official <= 0:
        return "-"
    ratio = official / ours
    if ratio >= 1:
        return f"{ratio:,.0f}x faster" if ratio >= 10 else f"{ratio:.1f}x faster"
    return f"{1 / ratio:.1f}x slower"


def met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def git_state() -> str:
    """HEAD commit and whether the library sources differ from it (the code measured)."""
    try:
        sha = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "python", "sql"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"
    changes = " (clean)"
    if dirty:
        changes = " + uncommitted: " + ", ".join(line[3:] for line in dirty.splitlines())
    return f"git {sha}{changes}"


LIBRARY = (ROOT / "python").resolve()


def source_mtimes() -> dict[Path, int]:
    """mtime of every library source file (to detect edits during the run)."""
    return {
        p.resolve(): p.stat().st_mtime_ns
        for p in LIBRARY.rglob("*")
        if p.suffix in (".py", ".so") and p.is_file()
    }


def changed_sources(start: dict[Path, int]) -> list[str]:
    """Library files used by this benchmark that changed since ``start``."""
    import nasbench_lite.benchmarks.nats.build  # noqa: F401  (what the build children ran)

    used = set()
    for module in list(sys.modules.values()):
        name = getattr(module, "__file__", None)
        if name and Path(name).resolve().is_relative_to(LIBRARY):
            used.add(Path(name).resolve())
    now = source_mtimes()
    return sorted(str(p.relative_to(LIBRARY)) for p in used if start.get(p) != now.get(p))


def run_child(code: str, *args: str) -> tuple[dict[str, Any], float]:
    """Runs ``python -c code args``; returns its last stdout line as JSON and its wall time."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"child failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result, wall


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Child scripts (timed inside the child: interpreter start-up excluded)
# --------------------------------------------------------------------------------------------

BUILD_CHILD = """
import json, resource, sys, time
def peak():
    # VmHWM: this process's own high-water mark. ru_maxrss is not used: Linux carries the
    # parent's RSS at fork over exec into it.
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
def cpu():
    # CPU seconds of every thread of this process (the native readers included).
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
t0 = time.perf_counter()
from nasbench_lite.benchmarks.nats.build import build_nats
t1 = time.perf_counter()
rss_import = peak()
c1 = cpu()
summary = build_nats(sys.argv[1], sys.argv[2], force=True)
t2 = time.perf_counter()
c2 = cpu()
print(json.dumps({
    "import": t1 - t0, "build": t2 - t1, "cpu": c2 - c1, "rss_import": rss_import,
    "rss_peak": peak(),
    "archs": summary.rows["archs_with_results"], "runs": summary.rows["runs"],
}))
"""

OFFICIAL_LOAD_CHILD = """
import gc, json, resource, sys, time
def rss():
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
from nats_bench import create
api = create(sys.argv[1], sys.argv[2], fast_mode=True, verbose=False)
gc.collect()
rss_open = rss()
loads = []
for index in range(int(sys.argv[3])):
    t0 = time.perf_counter()
    api._prepare_info(index)  # what get_more_info / find_best run on a new architecture
    loads.append(time.perf_counter() - t0)
gc.collect()
print(json.dumps({"loads": loads, "rss_open": rss_open, "rss_loaded": rss()}))
"""

COLD_OURS = """
import json, sys, time
t0 = time.perf_counter()
from nasbench_lite.nats import create
t1 = time.perf_counter()
api = create(sys.argv[1], sys.argv[2])
info = api.get_more_info(int(sys.argv[3]), "cifar100", hp=sys.argv[4], is_random=False)
t2 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "first": t2 - t1, "answer": info}))
"""

COLD_OFFICIAL = """
import json, sys, time
t0 = time.perf_counter()
from nats_bench import create
t1 = time.perf_counter()
api = create(sys.argv[1], sys.argv[2], fast_mode=True, verbose=False)
info = api.get_more_info(int(sys.argv[3]), "cifar100", hp=sys.argv[4], is_random=False)
t2 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "first": t2 - t1, "answer": info}))
"""


COLD_QUERY_MANY = """
import json, sys, time
t0 = time.perf_counter()
from nasbench_lite.nats import create
t1 = time.perf_counter()
api = create(sys.argv[1], sys.argv[2])
table = api.query_many(None, sys.argv[3], hp=sys.argv[4], is_random="mean")
t2 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "first": t2 - t1, "rows": table.num_rows}))
"""


# --------------------------------------------------------------------------------------------
# Inputs: the real fixture archive and the scaled archive
# --------------------------------------------------------------------------------------------


def arch_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.pickle.pbz2") if p.name[:6].isdigit())


def fixture_dir(space: Space, fixtures: Path, work: Path) -> Path:
    """The real ``-simple`` fixture dir, or one assembled from ``tests/data/nats``."""
    real = fixtures / f"{space.base}-simple"
    if (real / "meta.pickle.pbz2").is_file() and arch_files(real):
        return real
    made = work / f"{space.name}-fixture"
    made.mkdir(parents=True, exist_ok=True)
    shutil.copy(TEST_FIXTURES / f"{space.name}-meta.pickle.pbz2", made / "meta.pickle.pbz2")
    for path in sorted(TEST_FIXTURES.glob(f"{space.name}-[0-9]*.pickle.pbz2")):
        shutil.copy(path, made / path.name.split("-", 1)[1])
    if not arch_files(made):
        raise SystemExit(f"no NATS fixture files in {fixtures} or {TEST_FIXTURES}")
    return made


def relabel(data: Any, index: int, arch_str: str, space: str) -> None:
    """Gives an architecture's results the identity of ``index`` (in place)."""
    for state in data.values():
        state["arch_index"] = index
        state["arch_str"] = arch_str
        for result in state["all_results"].values():
            config = result.get("arch_config")
            if isinstance(config, dict):
                config["arch_str"] = arch_str
                if space == "sss" and "channels" in config:
                    config["channels"] = arch_str


def _write_files(job: tuple[str, str, str, list[int]]) -> int:
    """Writes the scaled archive's files for ``indexes`` (runs in a worker process)."""
    from nasbench_lite._core.formats.safe_pickle import load_path

    space, source, output, indexes = job
    src, out = Path(source), Path(output)
    meta = load_path(src / "meta.pickle.pbz2")["meta_archs"]
    templates = {int(p.name[:6]): load_path(p) for p in arch_files(src)}
    order = sorted(templates)
    written = 0
    for index in indexes:
        data = templates[index] if index in templates else templates[order[index % len(order)]]
        relabel(data, index, meta[index], space)
        path = out / f"{index:06d}.pickle.pbz2"
        with bz2.BZ2File(path, "wb") as handle:  # = nats_bench.api_utils.pickle_save
            pickle.dump(data, handle, protocol=4)
        written += path.stat().st_size
    return written


def write_archive(space: Space, source: Path, out: Path, n: int, jobs: int) -> tuple[float, int]:
    """Writes (or reuses) the scaled archive; returns (seconds, bytes of the arch files)."""
    marker = out / f".complete-{n}"
    if marker.is_file():
        return 0.0, sum(p.stat().st_size for p in arch_files(out))
    if out.is_symlink():  # a shared read-only archive linked in: never rewrite through it
        raise SystemExit(f"{out} is a link without {marker.name}: not rewriting it")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copy(source / "meta.pickle.pbz2", out / "meta.pickle.pbz2")
    start = time.perf_counter()
    chunks = [list(range(i, n, jobs * 8)) for i in range(min(n, jobs * 8))]
    work = [(space.name, str(source), str(out), chunk) for chunk in chunks]
    if jobs > 1 and n > 50:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            written = sum(pool.map(_write_files, work))
    else:
        written = sum(map(_write_files, work))
    seconds = time.perf_counter() - start
    marker.write_text("ok\n")
    return seconds, written


def compare_load(fixture_files: Sequence[Path], archive: Path) -> tuple[float, float]:
    """Median ms of the official ``pickle_load`` on the real files and on their copies."""
    from nats_bench.api_utils import pickle_load

    def median_ms(paths: Sequence[Path]) -> float:
        times = []
        for _ in range(5):
            for path in paths:
                t0 = time.perf_counter()
                pickle_load(str(path))
                times.append(time.perf_counter() - t0)
        return statistics.median(times) * 1e3

    copies = [archive / p.name for p in fixture_files if (archive / p.name).is_file()]
    real = [p for p in fixture_files if (archive / p.name).is_file()]
    if not copies:
        return median_ms(fixture_files), float("nan")
    return median_ms(real), median_ms(copies)


# --------------------------------------------------------------------------------------------
# Correctness (untimed)
# --------------------------------------------------------------------------------------------


def _answer(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return ("ok", fn(*args, **kwargs))
    except Exception:  # both sides must fail on the same calls
        return ("error", None)


def verify(space: Space, db: Path, archive: Path, archs: Sequence[int]) -> tuple[int, int]:
    """Compares our answers with the official API on the same files.

    Returns:
        (answers compared, of which both sides raised).
    """
    import nats_bench
    from nasbench_lite.nats import create

    official = nats_bench.create(str(archive), space.name, fast_mode=True, verbose=False)
    ours = create(db, space.name)
    checks = failures = 0

    def same(a: Any, b: Any) -> bool:
        nonlocal checks, failures
        checks += 1
        failures += a[0] == "error"
        return bool(a == b)

    for index in archs:
        for hp in space.hps:
            for dataset in DATASETS:
                for iepoch in (None, space.mid[hp]):
                    kwargs = {"iepoch": iepoch, "hp": hp, "is_random": False}
                    a = _answer(official.get_more_info, index, dataset, **kwargs)
                    b = _answer(ours.get_more_info, index, dataset, **kwargs)
                    if not same(a, b):
                        raise MismatchError(
                            f"get_more_info({index}, {dataset}, {kwargs}): official {a!r:.300}"
                            f" vs ours {b!r:.300}"
                        )
                a = _answer(official.get_cost_info, index, dataset, hp=hp)
                b = _answer(ours.get_cost_info, index, dataset, hp=hp)
                if not same(a, b):
                    raise MismatchError(f"get_cost_info({index}, {dataset}, {hp})")
    for seed in range(3):  # is_random=True: same draws after random.seed(seed)
        random.seed(seed)
        official.reset_time()
        seeded = create(db, space.name, random_state=seed)
        for index in archs[:10]:
            for dataset in SIM_DATASETS:
                hp = space.hps[seed % 2]
                a = _answer(official.simulate_train_eval, index, dataset, hp=hp)
                b = _answer(seeded.simulate_train_eval, index, dataset, hp=hp)
                c = _answer(official.get_more_info, index, dataset, space.mid[hp], hp, True)
                d = _answer(seeded.get_more_info, index, dataset, space.mid[hp], hp, True)
                if not same(a, b) or not same(c, d):
                    raise MismatchError(f"is_random draws for {index}, {dataset}, hp={hp}")
        seeded.close()
    ours.close()
    return checks, failures


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def check_query_many(
    table: Any,
    query: dict[str, Any],
    ours: Any,
    official: Any,
    archs: Sequence[int],
) -> int:
    """Rows of a ``query_many`` table vs ``get_more_info`` + ``get_cost_info`` of both APIs.

    A row with a seed is compared with ``get_more_info(is_random=seed)``, a mean row with
    ``is_random=False``. Returns the number of rows checked.
    """
    dataset, hp, iepoch = query["dataset"], query["hp"], query["iepoch"]
    indexes = table.column("arch_index").to_pylist()
    if indexes != sorted(indexes) or len(set(indexes)) != len(indexes):
        raise MismatchError("query_many: arch_index not sorted and unique")
    position = {index: i for i, index in enumerate(indexes)}
    for index in archs:
        if index not in position:
            raise MismatchError(f"query_many({query}): arch {index} missing")
        row = table.slice(position[index], 1).to_pylist()[0]
        is_random = False if row["seed"] is None else row["seed"]
        if (query["is_random"] == "mean") != (row["seed"] is None):
            raise MismatchError(f"query_many({query}): arch {index} seed {row['seed']}")
        expected = official.get_more_info(index, dataset, iepoch, hp, is_random)
        mine = ours.get_more_info(index, dataset, iepoch=iepoch, hp=hp, is_random=is_random)
        if mine != expected:
            raise MismatchError(f"get_more_info({index}, {dataset}, {iepoch}, {hp}, {is_random})")
        metrics = {k: v for k, v in expected.items() if k != "comment"}
        for key, value in row.items():
            if key in QM_ID_COLUMNS or key in QM_COST_COLUMNS:
                continue
            if key in metrics:
                if not _same_value(value, metrics.pop(key)):
                    raise MismatchError(
                        f"query_many({query}): arch {index} {key} = {value!r}, "
                        f"get_more_info {expected[key]!r}"
                    )
            elif value is not None:
                raise MismatchError(f"query_many({query}): arch {index} {key} not in get_more_info")
        if metrics:
            raise MismatchError(f"query_many({query}): arch {index} lacks {sorted(metrics)}")
        cost = official.get_cost_info(index, dataset, hp=hp)
        for key in QM_COST_COLUMNS:
            if not _same_value(row[key], cost[key]):
                raise MismatchError(f"query_many({query}): arch {index} {key} != get_cost_info")
        seeds = official.arch2infos_dict[index][hp].get_dataset_seeds(dataset)
        last = official.arch2infos_dict[index][hp].get_metrics(dataset, "train")["iepoch"]
        if row["n_trials"] != len(seeds) or row["iepoch"] != (last if iepoch is None else iepoch):
            raise MismatchError(f"query_many({query}): arch {index} n_trials/iepoch")
    return len(archs)


def query_many_args(space: Space) -> list[tuple[str, dict[str, Any]]]:
    """(label, kwargs) of the timed ``query_many`` calls (archs=None: every arch)."""
    full, short = space.full_hp, space.hps[0]
    queries = [
        ("cifar100", full, "mean", None),
        ("cifar100", full, "random", None),
        ("cifar100", full, "mean", space.mid[full]),
        ("ImageNet16-120", short, "mean", None),
    ]
    out = []
    for dataset, hp, is_random, iepoch in queries:
        label = f"query_many(None, {dataset!r}, hp={hp!r}, is_random={is_random!r}" + (
            f", iepoch={iepoch})" if iepoch is not None else ")"
        )
        kwargs = {"dataset": dataset, "hp": hp, "is_random": is_random, "iepoch": iepoch}
        out.append((label, kwargs))
    return out


FIND_BEST_QUERIES = (
    ("cifar10", "valid", False),
    ("cifar100", "test", False),
    ("ImageNet16-120", "valid", True),  # True: with a FLOP limit
)


def find_best_args(space: Space, flop_max: float) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for dataset, setname, limited in FIND_BEST_QUERIES:
        kwargs: dict[str, Any] = {"hp": space.full_hp}
        if limited:
            kwargs["flop_max"] = flop_max
        label = f"find_best({dataset!r}, {setname!r}, hp={space.full_hp!r}" + (
            f", flop_max={flop_max:.1f})" if limited else ")"
        )
        out.append((label, {"dataset": dataset, "metric_on_set": setname, **kwargs}))
    return out


# --------------------------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------------------------


Call = tuple[tuple[Any, ...], dict[str, Any]]


def time_calls(fn: Callable[..., Any], calls: Sequence[Call]) -> list[float]:
    """Seconds of each ``fn(*args, **kwargs)``."""
    clock = time.perf_counter
    out = []
    with no_gc():
        for args, kwargs in calls:
            t0 = clock()
            fn(*args, **kwargs)
            out.append(clock() - t0)
    return out


def time_budget(fn: Callable[..., Any], calls: Sequence[Call], budget_s: float) -> list[float]:
    """Like :func:`time_calls`, but stops after ``budget_s`` seconds (at least 10 calls)."""
    clock = time.perf_counter
    out: list[float] = []
    end = clock() + budget_s
    with no_gc():
        for args, kwargs in calls:
            t0 = clock()
            fn(*args, **kwargs)
            t1 = clock()
            out.append(t1 - t0)
            if t1 > end and len(out) >= 10:
                break
    return out


@dataclass
class Form:
    """One call form of the per-call table (section 3)."""

    label: str
    method: str
    kwargs: dict[str, Any]
    datasets: tuple[str, ...]
    seeded: bool = False  # is_random = one seed of the trial's own (looked up per call)
    final: bool = False  # reads the last epoch: target <= 10 us p50 warm


def forms(space: Space) -> list[Form]:
    """Every get_more_info / get_cost_info / get_latency / simulate_train_eval form."""
    out = []
    for hp in space.all_hps:
        last = space.epochs[hp] - 1
        iepochs = {None: "None", space.mid[hp]: f"{space.mid[hp]} (mid)", last: f"{last} (last)"}
        for iepoch, epoch_label in iepochs.items():
            for is_random in (False, True, "seed"):
                out.append(
                    Form(
                        f"get_more_info hp={hp} iepoch={epoch_label} is_random={is_random}",
                        "get_more_info",
                        {"iepoch": iepoch, "hp": hp, "is_random": is_random},
                        DATASETS,
                        seeded=is_random == "seed",
                        final=iepoch is None or iepoch == last,
                    )
                )
        out.append(
            Form(f"get_cost_info hp={hp}", "get_cost_info", {"hp": hp}, DATASETS, final=True)
        )
        out.append(Form(f"get_latency hp={hp}", "get_latency", {"hp": hp}, DATASETS, final=True))
        out.append(
            Form(
                f"simulate_train_eval hp={hp}",
                "simulate_train_eval",
                {"hp": hp},
                SIM_DATASETS,
                final=True,
            )
        )
    return out


def trial_seeds(db: Path) -> dict[tuple[int, str, str], int]:
    """The first seed of every (arch, hp, dataset) (for the ``is_random=<seed>`` forms)."""
    import apsw

    connection = apsw.Connection(str(db), flags=apsw.SQLITE_OPEN_READONLY)
    rows = connection.execute(
        "SELECT arch_index, hp, dataset, MIN(seed) FROM runs GROUP BY arch_index, hp, dataset"
    ).fetchall()
    connection.close()
    return {(int(i), str(h), str(d)): int(s) for i, h, d, s in rows}


@dataclass
class Latency:
    warm: list[float]  # ours, cached API, the official warm call list
    uncached: list[float]  # ours, cache_size=0, random archs of the DB
    official_first: list[float]
    official_warm: list[float]


def measure_form(
    form: Form,
    db: Path,
    archive: Path,
    space: Space,
    n: int,
    seeds: dict[tuple[int, str, str], int],
    args: argparse.Namespace,
) -> Latency:
    import nats_bench
    from nasbench_lite.nats import create

    rng = random.Random(f"{space.name}-{form.label}")

    def call(index: int) -> Call:
        dataset = rng.choice(form.datasets)
        kwargs = dict(form.kwargs)
        if form.seeded:
            kwargs["is_random"] = seeds[(index, form.kwargs["hp"], dataset)]
        return (index, dataset), kwargs

    budget = args.budget
    touched = rng.sample(range(n), min(n, args.first_touch))
    first_calls = [call(i) for i in touched]
    warm_calls = [call(rng.choice(touched)) for _ in range(args.calls)]
    random_calls = [call(rng.randrange(n)) for _ in range(args.calls)]
    official = nats_bench.create(str(archive), space.name, fast_mode=True, verbose=False)
    official_first = time_calls(getattr(official, form.method), first_calls)
    official_warm = time_budget(getattr(official, form.method), warm_calls, budget)
    del official
    gc.collect()
    ours = create(db, space.name, random_state=0)
    time_calls(getattr(ours, form.method), first_calls)  # the same first touches, untimed
    warm = time_budget(getattr(ours, form.method), warm_calls, budget)
    ours.close()
    uncached_api = create(db, space.name, random_state=0, cache_size=0)
    uncached = time_budget(getattr(uncached_api, form.method), random_calls, budget)
    uncached_api.close()
    return Latency(warm, uncached, official_first, official_warm)


FORM_HEADER = (
    "form",
    "ours warm (cached)",
    "ours uncached",
    "official warm",
    "official first touch",
    f"warm ratio [>= {TARGET_WARM_RATIO:.0f}x]",
    f"first-touch ratio (uncached) [>= {TARGET_FIRST_TOUCH_RATIO:.0f}x]",
    f"final <= {TARGET_FINAL_WARM_S * 1e6:.0f} us",
)


def form_row(form: Form, lat: Latency) -> tuple[str, ...]:
    warm, uncached = statistics.median(lat.warm), statistics.median(lat.uncached)
    off_warm, off_first = (
        statistics.median(lat.official_warm),
        statistics.median(lat.official_first),
    )
    return (
        form.label,
        f"p50 {fmt_s(warm)}",
        f"p50 {fmt_s(uncached)}",
        f"p50 {fmt_s(off_warm)} ({len(lat.official_warm)} calls)",
        f"p50 {fmt_s(off_first)}",
        f"{off_warm / warm:,.1f}x ({met(off_warm / warm >= TARGET_WARM_RATIO)})",
        f"{off_first / uncached:,.0f}x ({met(off_first / uncached >= TARGET_FIRST_TOUCH_RATIO)});"
        f" cached {off_first / warm:,.0f}x",
        met(warm <= TARGET_FINAL_WARM_S) if form.final else "-",
    )


def repeat_timed(fn: Callable[[], Any], repeats: int) -> tuple[float, list[float], Any]:
    """(first call seconds, the next ``repeats`` call seconds, the answer)."""
    t0 = time.perf_counter()
    answer = fn()
    first = time.perf_counter() - t0
    times = []
    with no_gc():
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    return first, times, answer


# --------------------------------------------------------------------------------------------
# One space
# --------------------------------------------------------------------------------------------


@dataclass
class Report:
    space: Space
    notes: list[str] = field(default_factory=list)
    tables: list[tuple[str, list[tuple[str, str, str, str]]]] = field(default_factory=list)
    form_table: tuple[str, list[tuple[str, ...]]] | None = None


def per_call_table(
    space: Space, db: Path, archive: Path, n: int, args: argparse.Namespace
) -> tuple[str, list[tuple[str, ...]]]:
    """Section 3: every call form, ours warm / uncached against the official warm / first."""
    log(f"[{space.name}] per-call latency ({len(forms(space))} forms) ...")
    seeds = trial_seeds(db)
    rows3 = [form_row(f, measure_form(f, db, archive, space, n, seeds, args)) for f in forms(space)]
    return (
        f"3. Per-call latency, every form (p50). Official: a fresh API per form, first touch of "
        f"{min(n, args.first_touch)} archs (loads the file), then up to {args.calls:,} warm calls "
        f"on them (<= {args.budget} s). Ours warm: a cached API after the same first touches, "
        f"the same warm call list; ours uncached: cache_size=0 (every call reads the DB), up to "
        f"{args.calls:,} calls on random archs of the {n:,}-arch DB. is_random=seed: one of the "
        "trial's seeds",
        rows3,
    )


def bench_per_call_only(space: Space, args: argparse.Namespace, work: Path) -> Report:
    """``--per-call-only``: the answer check and section 3 on a workdir's archive and DB."""
    report = Report(space)
    n = space.total if args.full else min(args.archs, space.total)
    archive = work / f"{space.base}-scaled-simple"
    db = work / f"{space.name}-{n}.sqlite"
    if not archive.is_dir() or not db.is_file():
        raise SystemExit(
            f"--per-call-only needs {archive} and {db}: run once without it (same --workdir)"
        )
    log(f"[{space.name}] verifying answers against nats_bench ...")
    fixture = fixture_dir(space, args.fixtures, work)
    fixture_indexes = [int(p.name[:6]) for p in arch_files(fixture)]
    sample = sorted({QUERY_INDEX, *fixture_indexes, *random.Random(1).sample(range(n), min(n, 12))})
    sample = [i for i in sample if i < n]
    checks, failures = verify(space, db, archive, sample)
    report.notes.append(
        f"verified: {checks} answers on {len(sample)} archs equal nats_bench on the same files"
        f" ({failures} of them an error on both sides); archive and DB reused from {work}"
    )
    report.form_table = per_call_table(space, db, archive, n, args)
    report.tables.append(("2. (sections 1, 2 and 4+ skipped: --per-call-only)", []))
    return report


def bench_space(space: Space, args: argparse.Namespace, work: Path) -> Report:
    import nats_bench
    from nasbench_lite.nats import create

    report = Report(space)
    total = space.total
    n = total if args.full else min(args.archs, total)
    fixture = fixture_dir(space, args.fixtures, work)
    fixture_files = arch_files(fixture)
    fixture_indexes = [int(p.name[:6]) for p in fixture_files]
    official_bytes = statistics.fmean(p.stat().st_size for p in fixture_files)
    official_meta = (fixture / "meta.pickle.pbz2").stat().st_size

    # ---- inputs --------------------------------------------------------------------------
    archive = work / f"{space.base}-scaled-simple"
    log(f"[{space.name}] writing the scaled archive ({n:,} archs, {args.jobs} jobs) ...")
    write_s, written = write_archive(space, fixture, archive, n, args.jobs)
    report.notes.append(
        f"scaled archive: real meta + {n:,} per-arch files from the {len(fixture_files)} real "
        f"fixture files {fixture_indexes} re-labelled, {fmt_bytes(written)} "
        f"({fmt_bytes(written / n)}/arch); "
        + (f"written in {fmt_s(write_s)} ({args.jobs} jobs)" if write_s else "reused")
    )

    real_ms, scaled_ms = compare_load(fixture_files, archive)
    report.notes.append(
        f"official pickle_load of the real fixture files {real_ms:.2f} ms vs the re-labelled "
        f"copies at the same indexes {scaled_ms:.2f} ms (median; NumPy scalars in the real "
        "files become Python floats through safe_pickle)"
    )

    # ---- 1. build ------------------------------------------------------------------------
    log(f"[{space.name}] building (fixture archs, then {n:,} archs) ...")
    db_fixture = work / f"{space.name}-fixture.sqlite"
    db = work / f"{space.name}-{n}.sqlite"
    b3, b3_wall = run_child(BUILD_CHILD, str(fixture), str(db_fixture))
    bn, bn_wall = run_child(BUILD_CHILD, str(archive), str(db))
    size3, size_n = db_fixture.stat().st_size, db.stat().st_size
    k3 = b3["archs"]
    per_arch_s = (bn["build"] - b3["build"]) / (n - k3) if n > k3 else bn["build"] / n
    # CPU time (all threads) per added arch: less sensitive to the machine's load than the
    # wall time; on C cores the build takes at least this x archs / C.
    per_arch_cpu = (bn["cpu"] - b3["cpu"]) / (n - k3) if n > k3 else bn["cpu"] / n
    cores = os.cpu_count() or 1
    per_arch_b = (size_n - size3) / (n - k3) if n > k3 else size_n / n
    fixed_s = b3["build"] - k3 * per_arch_s
    fixed_b = size3 - k3 * per_arch_b
    if n == total:
        full_build_s, full_size, how = bn["build"], size_n, "measured"
    else:
        full_build_s = fixed_s + total * per_arch_s
        full_size = fixed_b + total * per_arch_b
        how = f"projected: fixed + {total:,} x marginal"
    official_total = official_meta + total * official_bytes

    k_load = min(n, args.official_archs)
    log(f"[{space.name}] official: loading {k_load} archs through the fast-mode path ...")
    ol, _ = run_child(OFFICIAL_LOAD_CHILD, str(archive), space.name, str(k_load))
    load_s = statistics.fmean(ol["loads"])
    retained = (ol["rss_loaded"] - ol["rss_open"]) / k_load
    official_full_rss = ol["rss_open"] + total * retained
    size_ratio = (full_size / total) / (official_total / total)
    rss_ok = max(b3["rss_peak"], bn["rss_peak"]) < TARGET_BUILD_RSS
    report.tables.append(
        (
            "1. Build: throughput, size, memory",
            [
                (
                    f"build time, {k3} real fixture archs (fixed cost: meta, unique strings, "
                    "indexes)",
                    fmt_s(b3["build"]),
                    "- (no build step)",
                    "-",
                ),
                (
                    f"build time, {n:,} archs (scaled archive)",
                    f"{fmt_s(bn['build'])} ({n / bn['build']:,.0f} archs/s overall; whole "
                    f"process {fmt_s(bn_wall)})",
                    "-",
                    "-",
                ),
                (
                    "build throughput (marginal, per added arch)",
                    f"{1 / per_arch_s:,.1f} archs/s ({fmt_s(per_arch_s)}/arch)",
                    f"fast-mode load of a new arch: {1 / load_s:,.1f} archs/s "
                    f"({fmt_s(load_s)}/arch, mean of {k_load})",
                    f"ours {load_s / per_arch_s:.2f}x the official load rate",
                ),
                (
                    f"build CPU time (marginal, per added arch, all threads) [full space "
                    f"< {TARGET_BUILD_S[space.name]:.0f} s needs <= "
                    f"{fmt_s(TARGET_BUILD_S[space.name] * cores / total)} on {cores} cores]",
                    f"{fmt_s(per_arch_cpu)}/arch (x {total:,} / {cores} cores = "
                    f"{fmt_s(per_arch_cpu * total / cores)}); {fmt_s(bn['cpu'])} in all",
                    "-",
                    "-",
                ),
                (
                    f"full space, {total:,} archs: build time ({how}) "
                    f"[target < {TARGET_BUILD_S[space.name]:.0f} s: "
                    f"{met(full_build_s < TARGET_BUILD_S[space.name])}]",
                    fmt_s(full_build_s),
                    f"load every arch (full traversal, e.g. find_best): {fmt_s(total * load_s)}",
                    faster(full_build_s, total * load_s) + " (one-off build vs per process)",
                ),
                (
                    "bytes per architecture [target: ours below official]",
                    f"{fmt_bytes(full_size / total)} (marginal {fmt_bytes(per_arch_b)}/arch)",
                    f"{fmt_bytes(official_total / total)} (mean .pickle.pbz2 of the "
                    f"{len(fixture_files)} real files {fmt_bytes(official_bytes)} + meta share)",
                    f"ours = {size_ratio:.0%} of official ({met(size_ratio < 1)})",
                ),
                (
                    f"size of the full space ({how})",
                    fmt_bytes(full_size),
                    f"{fmt_bytes(official_total)} (-simple dir)",
                    f"{full_size / official_total:.2f}x",
                ),
                (
                    "peak RSS [target: constant, < 500 MB]",
                    f"build {fmt_bytes(b3['rss_peak'])} ({k3} archs) / "
                    f"{fmt_bytes(bn['rss_peak'])} ({n:,} archs); import alone "
                    f"{fmt_bytes(bn['rss_import'])} ({met(rss_ok)})",
                    f"API after a full traversal {fmt_bytes(official_full_rss)} (extrapolated: "
                    f"{fmt_bytes(retained)} retained per loaded arch, {k_load} loaded)",
                    f"{official_full_rss / max(bn['rss_peak'], 1):,.0f}x less memory",
                ),
            ],
        )
    )

    # ---- correctness ---------------------------------------------------------------------
    log(f"[{space.name}] verifying answers against nats_bench ...")
    sample = sorted({QUERY_INDEX, *fixture_indexes, *random.Random(1).sample(range(n), min(n, 12))})
    sample = [i for i in sample if i < n]
    checks, failures = verify(space, db, archive, sample)
    report.notes.append(
        f"verified: {checks} answers on {len(sample)} archs equal nats_bench on the same files"
        f" ({failures} of them an error on both sides; get_more_info, get_cost_info, seeded"
        " simulate_train_eval / is_random draws)"
    )
    if args.build_only:
        return report

    # ---- 2. cold start -------------------------------------------------------------------
    log(f"[{space.name}] cold starts ({args.cold_runs} fresh interpreters per side) ...")
    cold_args = (space.name, str(QUERY_INDEX), space.full_hp)
    ours_cold = [run_child(COLD_OURS, str(db), *cold_args) for _ in range(args.cold_runs)]
    off_cold = [run_child(COLD_OFFICIAL, str(fixture), *cold_args) for _ in range(args.cold_runs)]
    if ours_cold[0][0]["answer"] != off_cold[0][0]["answer"]:
        raise MismatchError("cold get_more_info answers differ")

    def med(runs: list[tuple[dict[str, Any], float]], key: str) -> float:
        if key == "wall":
            return statistics.median(w for _, w in runs)
        if key == "total":
            return statistics.median(r["import"] + r["first"] for r, _ in runs)
        return statistics.median(r[key] for r, _ in runs)

    call = f"get_more_info({QUERY_INDEX}, 'cifar100', hp={space.full_hp!r}, is_random=False)"
    report.tables.append(
        (
            f"2. Cold start (fresh interpreter, median of {args.cold_runs}); first query: {call}",
            [
                (
                    "import",
                    fmt_s(med(ours_cold, "import")),
                    fmt_s(med(off_cold, "import")),
                    faster(med(ours_cold, "import"), med(off_cold, "import")),
                ),
                (
                    "create + first get_more_info",
                    fmt_s(med(ours_cold, "first")),
                    fmt_s(med(off_cold, "first")) + " (reads meta + unpickles the arch file)",
                    faster(med(ours_cold, "first"), med(off_cold, "first")),
                ),
                (
                    "import + create + first get_more_info",
                    fmt_s(med(ours_cold, "total")),
                    fmt_s(med(off_cold, "total")),
                    faster(med(ours_cold, "total"), med(off_cold, "total")),
                ),
                (
                    "whole process (incl. interpreter start-up)",
                    fmt_s(med(ours_cold, "wall")),
                    fmt_s(med(off_cold, "wall")),
                    faster(med(ours_cold, "wall"), med(off_cold, "wall")),
                ),
            ],
        )
    )

    # ---- 3. latency per call form -------------------------------------------------------
    ours = create(db, space.name, random_state=0)
    report.form_table = per_call_table(space, db, archive, n, args)

    # ---- 4. find_best --------------------------------------------------------------------
    log(f"[{space.name}] find_best ...")
    flop_max = ours.get_cost_info(QUERY_INDEX, "ImageNet16-120", hp=space.full_hp)["flops"]
    rows4 = []
    fixture_api = create(db_fixture, space.name)
    for label, kwargs in find_best_args(space, flop_max):
        fresh = create(db, space.name)
        first_n, times_n, _ = repeat_timed(lambda a=fresh, k=kwargs: a.find_best(**k), 20)
        fresh.close()
        small = create(db_fixture, space.name)
        _, times_3, ours_answer = repeat_timed(lambda a=small, k=kwargs: a.find_best(**k), 20)
        small.close()
        p50_n, p50_3 = statistics.median(times_n), statistics.median(times_3)
        # Official: fast mode over the real fixture archs = load each file + search.
        cold, warm = [], []
        for _ in range(args.cold_runs):
            official = nats_bench.create(str(fixture), space.name, fast_mode=True, verbose=False)
            t0 = time.perf_counter()
            for index in fixture_indexes:
                official._prepare_info(index)  # find_best(enforce_all=True) does this per arch
            answer = official.find_best(**kwargs, enforce_all=False)
            cold.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            official.find_best(**kwargs, enforce_all=False)
            warm.append(time.perf_counter() - t0)
            if answer != ours_answer:
                raise MismatchError(f"{label}: official {answer} vs ours {ours_answer}")
        per_cold = statistics.median(cold) / len(fixture_indexes)
        per_warm = statistics.median(warm) / len(fixture_indexes)
        if n == total:
            full_p50, full_how = p50_n, "measured on the full DB"
        else:
            slope = (p50_n - p50_3) / (n - k3)
            full_p50 = max(p50_n, p50_3 + slope * (total - k3))
            full_how = f"extrapolated linearly from the {k3}- and {n:,}-arch DBs"
        rows4.append(
            (
                f"{label}, {n:,}-arch DB",
                f"p50 {fmt_s(p50_n)} (first call in a fresh API {fmt_s(first_n)})",
                f"{fmt_s(per_cold * n)} (fast mode: load + search, {fmt_s(per_cold)}/arch x {n:,})",
                faster(p50_n, per_cold * n),
            )
        )
        rows4.append(
            (
                f"  same, full space {total:,} archs [target < 100 ms]",
                f"{fmt_s(full_p50)} ({full_how}; {met(full_p50 < TARGET_FIND_BEST_S)})",
                f"{fmt_s(per_cold * total)} (x {total:,}); all preloaded: "
                f"{fmt_s(per_warm * total)}",
                f"{faster(full_p50, per_cold * total)}; {faster(full_p50, per_warm * total)} "
                "vs preloaded",
            )
        )
    report.tables.append(
        (
            f"4. find_best (official: over the {len(fixture_indexes)} real fixture archs in fast "
            f"mode, median of {args.cold_runs}, per arch x N; answers checked on the fixture DB)",
            rows4,
        )
    )

    # ---- 5. get_cost_info, statistics ----------------------------------------------------
    log(f"[{space.name}] get_cost_info, statistics ...")
    rows5 = []
    for dataset in ("cifar10-valid", "ImageNet16-120"):
        hp = space.full_hp
        _, times_n, answer_n = repeat_timed(lambda d=dataset, h=hp: ours.statistics(d, h), 200)
        _, times_3, answer_3 = repeat_timed(
            lambda d=dataset, h=hp: fixture_api.statistics(d, h), 200
        )
        official = nats_bench.create(str(fixture), space.name, fast_mode=True, verbose=False)
        for index in fixture_indexes:
            official._prepare_info(index)
        _, off_times, off_answer = repeat_timed(
            lambda d=dataset, h=hp, o=official: o.statistics(d, h), 200
        )
        if off_answer != answer_3:
            raise MismatchError(f"statistics({dataset}, {hp}): {off_answer} vs {answer_3}")
        p50_n, p50_3 = statistics.median(times_n), statistics.median(times_3)
        per_arch = statistics.median(off_times) / len(fixture_indexes)
        if n == total:
            full_p50, full_how = p50_n, "measured"
        else:
            slope = (p50_n - p50_3) / (n - k3)
            full_p50 = max(p50_n, p50_3 + slope * (total - k3))
            full_how = "extrapolated"
        rows5.append(
            (
                f"statistics({dataset!r}, {hp!r}), {n:,}-arch DB -> {answer_n}",
                f"p50 {fmt_s(p50_n)}",
                f"{fmt_s(per_arch * n)} over {n:,} loaded archs (+ loading them: "
                f"{fmt_s(load_s * n)})",
                faster(p50_n, per_arch * n),
            )
        )
        rows5.append(
            (
                f"  same, full space {total:,} archs",
                f"{fmt_s(full_p50)} ({full_how})",
                f"{fmt_s(per_arch * total)} if all loaded; cold (load all + loop) "
                f"{fmt_s((per_arch + load_s) * total)}",
                f"{faster(full_p50, per_arch * total)} vs loaded; "
                f"{faster(full_p50, (per_arch + load_s) * total)} vs cold",
            )
        )
    report.tables.append(("5. get_cost_info and statistics", rows5))

    # ---- 6. query_many: the full table ---------------------------------------------------
    log(f"[{space.name}] query_many (full tables) ...")
    rows6 = []
    official = nats_bench.create(str(archive), space.name, fast_mode=True, verbose=False)
    check_archs = sorted(
        {QUERY_INDEX, *(i for i in fixture_indexes if i < n), *random.Random(2).sample(range(n), 6)}
    )
    checked = 0
    for label, kwargs in query_many_args(space):
        slow = kwargs["iepoch"] is not None  # decodes every curve
        repeats = 3 if slow else 10
        table = ours.query_many(None, **kwargs)  # checked before timing
        if table.num_rows != n:
            raise MismatchError(f"{label}: {table.num_rows} rows, expected {n}")
        checked += check_query_many(table, kwargs, ours, official, check_archs)
        columns = table.num_columns
        del table
        fresh = create(db, space.name, random_state=0)
        first_n, times_n, _ = repeat_timed(
            lambda a=fresh, k=kwargs: a.query_many(None, **k), repeats
        )
        fresh.close()
        small = create(db_fixture, space.name, random_state=0)
        _, times_3, _ = repeat_timed(lambda a=small, k=kwargs: a.query_many(None, **k), repeats)
        small.close()
        # Official: a loop of get_more_info over every arch; the first touch loads the file.
        loop_api = nats_bench.create(str(archive), space.name, fast_mode=True, verbose=False)
        rng = random.Random(f"{space.name}-{label}")
        touched = rng.sample(range(n), min(n, args.first_touch))
        is_random = kwargs["is_random"] == "random"
        calls = [
            ((i, kwargs["dataset"], kwargs["iepoch"], kwargs["hp"], is_random), {}) for i in touched
        ]
        first = statistics.fmean(time_calls(loop_api.get_more_info, calls))
        warm = statistics.fmean(time_calls(loop_api.get_more_info, calls))
        del loop_api
        gc.collect()
        p50_n, p50_3 = statistics.median(times_n), statistics.median(times_3)
        if n == total:
            full_p50, full_how = p50_n, "measured on the full DB"
        else:
            slope = (p50_n - p50_3) / (n - k3)
            full_p50 = max(p50_n, p50_3 + slope * (total - k3))
            full_how = f"extrapolated linearly from the {k3}- and {n:,}-arch DBs"
        rows6.append(
            (
                f"{label}, {n:,}-arch DB ({n:,} rows x {columns} columns)",
                f"p50 {fmt_s(p50_n)} of {repeats} (first call in a fresh API {fmt_s(first_n)})",
                f"{fmt_s(first * n)} (get_more_info loop, first touch: mean "
                f"{fmt_s(first)}/arch x {n:,})",
                faster(p50_n, first * n),
            )
        )
        target = "" if slow else f" [target < {TARGET_QUERY_MANY_S:.0f} s]"
        verdict = "" if slow else f"; {met(full_p50 < TARGET_QUERY_MANY_S)}"
        rows6.append(
            (
                f"  same, full space {total:,} archs{target}",
                f"{fmt_s(full_p50)} ({full_how}{verdict})",
                f"{fmt_s(first * total)} (x {total:,}); all preloaded: "
                f"{fmt_s(warm * total)} ({fmt_s(warm)}/arch)",
                f"{faster(full_p50, first * total)}; {faster(full_p50, warm * total)} vs preloaded",
            )
        )
    del official
    gc.collect()
    q_dataset, q_hp = "cifar100", space.full_hp
    cold_qm = [
        run_child(COLD_QUERY_MANY, str(db), space.name, q_dataset, q_hp)
        for _ in range(args.cold_runs)
    ]
    if any(r["rows"] != n for r, _ in cold_qm):
        raise MismatchError("cold query_many: wrong row count")
    first_qm = statistics.median(r["first"] for r, _ in cold_qm)
    total_qm = statistics.median(r["import"] + r["first"] for r, _ in cold_qm)
    wall_qm = statistics.median(w for _, w in cold_qm)
    rows6.append(
        (
            f"fresh interpreter, {n:,}-arch DB: import + create + query_many(None, "
            f"{q_dataset!r}, hp={q_hp!r}, is_random='mean') (median of {args.cold_runs})",
            f"{fmt_s(total_qm)} (create + query_many {fmt_s(first_qm)}, imports NumPy and "
            f"pyarrow; whole process {fmt_s(wall_qm)})",
            "-",
            "-",
        )
    )
    report.tables.append(
        (
            "6. query_many: the table of every architecture with results (ours: median of "
            f"repeated calls; official: a get_more_info loop over {min(n, args.first_touch)} "
            "archs of a fresh API, mean per arch x N, costs not included; "
            f"{checked} rows checked against get_more_info + get_cost_info of both APIs first)",
            rows6,
        )
    )
    fixture_api.close()
    ours.close()
    report.notes.append(
        f"databases: {n:,} archs {fmt_bytes(size_n)}, {k3} fixture archs {fmt_bytes(size3)}"
    )
    return report


# --------------------------------------------------------------------------------------------
# Output and entry point
# --------------------------------------------------------------------------------------------


def print_table(
    title: str,
    rows: Sequence[Sequence[str]],
    header: Sequence[str] = ("measure", "nasbench_lite", "official nats_bench", "ratio"),
) -> None:
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    print(f"### {title}")
    print()
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(line(row))
    print()


def machine_line(load_start: str) -> str:
    import importlib.metadata

    import nasbench_lite

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    return (
        f"machine: {cpu_model()}, {os.cpu_count()} logical CPUs ({usable} usable); Python "
        f"{platform.python_version()}; nats_bench {importlib.metadata.version('nats_bench')}; "
        f"nasbench_lite {nasbench_lite.__version__}; load average {load_start} at start, "
        f"{load_average()} at end"
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--space", choices=("tss", "sss", "both"), default="both")
    parser.add_argument(
        "--archs", type=int, default=300, help="architectures in the scaled archive (300)"
    )
    parser.add_argument(
        "--full", action="store_true", help="write and build the whole spaces (~15 min, ~4.5 GB)"
    )
    parser.add_argument(
        "--build-only",
        action="store_true",
        help="stop after part 1 (build) and the answer check",
    )
    parser.add_argument(
        "--per-call-only",
        action="store_true",
        help="only the answer check and section 3, on the archive and DB of a previous run "
        "with the same --workdir",
    )
    parser.add_argument("--calls", type=int, default=2000, help="timed calls per row (2000)")
    parser.add_argument(
        "--first-touch", type=int, default=30, help="official first touches per row (30)"
    )
    parser.add_argument(
        "--official-archs",
        type=int,
        default=100,
        help="archs the official loader child loads for load rate and memory (100)",
    )
    parser.add_argument(
        "--budget", type=float, default=0.4, help="seconds per timed call list and form (0.4)"
    )
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="writer processes")
    parser.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES)
    parser.add_argument("--workdir", type=Path, help="keep inputs and DBs here (reused)")
    args = parser.parse_args(argv)
    if args.archs < QUERY_INDEX + 1:
        parser.error(f"--archs must be at least {QUERY_INDEX + 1}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    load_start = load_average()
    code_start = git_state()
    mtimes_start = source_mtimes()
    start = time.perf_counter()
    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
        work = args.workdir
    else:
        work = Path(tempfile.mkdtemp(prefix="bench_nats_"))
    try:
        names = ("tss", "sss") if args.space == "both" else (args.space,)
        bench = bench_per_call_only if args.per_call_only else bench_space
        reports = [bench(SPACES[name], args, work) for name in names]
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    print("## NATS-Bench: nasbench_lite.nats vs official nats_bench (fast mode)")
    print()
    print(machine_line(load_start))
    changed = changed_sources(mtimes_start)
    print()
    print(f"code: {code_start}")
    if changed:
        print()
        print(
            f"**WARNING: library files used here changed during the run ({', '.join(changed)});"
            " numbers may mix two versions.**"
        )
    print()
    for report in reports:
        print(f"## {report.space.name} ({report.space.base}, {report.space.total:,} archs)")
        print()
        for note in report.notes:
            print(f"- {note}")
        print()
        for title, rows in report.tables:
            print_table(title, rows)
            if title.startswith("2.") and report.form_table is not None:
                print_table(*report.form_table, header=FORM_HEADER)
    print(
        "Notes: wall-clock times, GC off in timed loops, nothing asserted; files are in the OS "
        "page cache (no cold-disk reads on either side). Ratios are official/ours for times."
    )
    print(f"total run time: {fmt_s(time.perf_counter() - start)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
