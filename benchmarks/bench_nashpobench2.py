"""Benchmark of NAS-HPO-Bench-II: official ``nashpobench2api`` vs ``nasbench_lite.nashpobench2``.

1. Writes a full-size synthetic data set in the official pickle layout
   (``tests/nashpobench2_fixture.py``: all 4,096 cell codes, 8 learning rates x 6 batch sizes,
   3 seeds, 12-epoch curves, 200-epoch surrogate), unless ``--data`` already holds one.
2. Builds our database (wall time, size).
3. Open + first query in a fresh interpreter, median of ``--cold-runs``: the official API
   (import + load the three pickles + ``query_by_key``) vs ours (import + ``API(db)`` +
   ``query_by_key``); timed inside the child.
4. Per-query latency over ``--queries`` random keys (same keys, logging on, verbose off):
   ``query_by_key`` 12-epoch valid, 12-epoch test with ``iepoch``, 200-epoch.
5. ``query_many`` over the whole 192K-configuration grid (ours only; the official API has no
   bulk call, so its loop over ``api[i]`` is shown for comparison).

Results must agree: every timed query's answer is compared with the official one.

Usage: ``python benchmarks/bench_nashpobench2.py [--data DIR] [--queries N] [--cold-runs N]``
(needs ``pip install nashpobench2api``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

COLD_OFFICIAL = """
import json, time
t0 = time.perf_counter()
from nashpobench2api import NASHPOBench2API
t1 = time.perf_counter()
api = NASHPOBench2API({data!r}, verbose=False)
api.query_by_key('0|10|210', 0.1, 256)
t2 = time.perf_counter()
print(json.dumps([t1 - t0, t2 - t1]))
"""

COLD_OURS = """
import json, time
t0 = time.perf_counter()
from nasbench_lite.nashpobench2 import API
t1 = time.perf_counter()
api = API({db!r})
api.query_by_key('0|10|210', 0.1, 256)
t2 = time.perf_counter()
print(json.dumps([t1 - t0, t2 - t1]))
"""


def cold(script: str, runs: int) -> tuple[float, float]:
    """Median (import, open + first query) seconds over fresh interpreters."""
    samples = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", script], check=True, capture_output=True, text=True
        ).stdout
        samples.append(json.loads(out.strip().splitlines()[-1]))
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def per_query(fn, keys, **kwargs) -> tuple[float, float, list]:  # type: ignore[no-untyped-def]
    """(p50 us, mean us, answers) of fn(**key, **kwargs) over keys."""
    times, answers = [], []
    clock = time.perf_counter
    for key in keys:
        t0 = clock()
        answers.append(fn(**key, **kwargs))
        times.append(clock() - t0)
    return statistics.median(times) * 1e6, statistics.fmean(times) * 1e6, answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="folder for the synthetic pickles")
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--cold-runs", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_nhb2_"))
    try:
        run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, work: Path) -> None:
    """Runs the whole benchmark in the scratch folder ``work``."""
    import nashpobench2_fixture as fx
    from nasbench_lite.nashpobench2 import API, build_nashpobench2
    from nashpobench2api import NASHPOBench2API

    data = args.data or work / "data"
    if not (data / "bench12.pkl").is_file():
        t0 = time.perf_counter()
        fx.write_dataset(data, seed=1)
        print(
            f"wrote full-size synthetic data in {time.perf_counter() - t0:.1f} s", file=sys.stderr
        )
    pickles = sum(
        (data / n).stat().st_size for n in ("bench12.pkl", "cellinfo.pkl", "avgaccs200.pkl")
    )
    db = work / "nhb2.sqlite"
    t0 = time.perf_counter()
    summary = build_nashpobench2(data, db, force=True)
    build_s = time.perf_counter() - t0

    official_cold = cold(COLD_OFFICIAL.format(data=str(data)), args.cold_runs)
    ours_cold = cold(COLD_OURS.format(db=str(db)), args.cold_runs)

    official = NASHPOBench2API(str(data), verbose=False)
    ours = API(db)
    warm = API(db)
    t0, c0 = time.perf_counter(), time.process_time()
    warm.preload()
    preload_s, preload_cpu = time.perf_counter() - t0, time.process_time() - c0
    rng = random.Random(0)
    keys = [
        {
            "cellcode": rng.choice(official.cellcodes),
            "lr": rng.choice(official.lrs),
            "batch_size": rng.choice(official.batch_sizes),
        }
        for _ in range(args.queries)
    ]
    rows = []
    for label, kwargs in [
        ("query_by_key 12-epoch valid (logged)", {}),
        ("query_by_key 12-epoch test, iepoch=6", {"mode": "test", "iepoch": 6}),
        ("query_by_key 200-epoch surrogate", {"epoch": 200}),
    ]:
        p50_o, mean_o, answers_o = per_query(official.query_by_key, keys, **kwargs)
        p50_n, mean_n, answers_n = per_query(ours.query_by_key, keys, **kwargs)
        p50_w, mean_w, answers_w = per_query(warm.query_by_key, keys, **kwargs)
        if not answers_o == answers_n == answers_w:
            raise SystemExit(f"MISMATCH in {label}")
        rows.append(
            (
                label,
                f"{p50_o:.1f} us (mean {mean_o:.1f})",
                f"{p50_n:.1f} us (mean {mean_n:.1f})",
                f"{p50_o / p50_n:.1f}x",
            )
        )
        rows.append(
            (
                "  same, after preload()",
                "-",
                f"{p50_w:.1f} us (mean {mean_w:.1f})",
                f"{p50_o / p50_w:.1f}x",
            )
        )
    if official.get_results(epoch=12)["final_accs"] != ours.get_results(epoch=12)["final_accs"]:
        raise SystemExit("MISMATCH in get_results")

    t0 = time.perf_counter()
    loop = [official[i] for i in range(len(official))]
    official_all = time.perf_counter() - t0
    fresh = API(db)
    t0 = time.perf_counter()
    table = fresh.query_many()
    first_bulk = time.perf_counter() - t0
    t0 = time.perf_counter()
    fresh.query_many()
    second_bulk = time.perf_counter() - t0
    if [a for a, _ in loop] != table.column("acc").to_pylist():
        raise SystemExit("MISMATCH in query_many")
    t0 = time.perf_counter()
    fresh.query_many(seed="mean")
    mean_bulk = time.perf_counter() - t0

    print(
        f"NAS-HPO-Bench-II, full-size synthetic data: {len(official):,} configurations, "
        f"{summary.rows['runs']:,} runs, pickles {pickles / 1e6:.1f} MB, "
        f"database {os.path.getsize(db) / 1e6:.1f} MB (built in {build_s:.1f} s)"
    )
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end"
    )
    print()
    print(f"| {'measure':44s} | {'official nashpobench2api':28s} | {'nasbench_lite':28s} | ratio |")
    print(f"|{'-' * 46}|{'-' * 30}|{'-' * 30}|-------|")
    table_rows = [
        (
            "import (fresh process, median)",
            f"{official_cold[0] * 1e3:.1f} ms",
            f"{ours_cold[0] * 1e3:.1f} ms",
            "-",
        ),
        (
            "open + first query (fresh process, median)",
            f"{official_cold[1] * 1e3:.0f} ms",
            f"{ours_cold[1] * 1e3:.1f} ms",
            f"{official_cold[1] / ours_cold[1]:.0f}x",
        ),
        (
            "preload() (all runs into memory)",
            "-",
            f"{preload_s * 1e3:.0f} ms (CPU {preload_cpu * 1e3:.0f} ms)",
            "-",
        ),
        *rows,
        (
            f"all {len(official):,} configurations",
            f"{official_all * 1e3:.0f} ms (api[i] loop)",
            f"{first_bulk * 1e3:.0f} ms (query_many, 1st)",
            f"{official_all / first_bulk:.1f}x",
        ),
        ("  query_many again (arrays cached)", "-", f"{second_bulk * 1e3:.0f} ms", "-"),
        ("  query_many(seed='mean')", "-", f"{mean_bulk * 1e3:.0f} ms", "-"),
    ]
    for row in table_rows:
        print(f"| {row[0]:44s} | {row[1]:28s} | {row[2]:28s} | {row[3]:>5s} |")


if __name__ == "__main__":
    main()
