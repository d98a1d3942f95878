"""NAS-Bench-101 storage layouts side by side: the previous blob layout vs plain columns (#15, #16).

One run measures two implementations on the same synthetic full-size TFRecord (the official
byte format, written by ``bench_nb101_data.generate``):

* **previous**: the package as of ``--previous-ref`` (default ``fd2ab32``: one ``runs`` row per
  (cell, epochs) with every repeat in a float64 blob, ``query_many`` by a ``json_each`` SQL
  join), extracted with ``git archive`` into a temporary folder and run with this checkout's
  native module;
* **current**: this checkout (one ``runs`` row per (cell, epochs, repeat), eight REAL columns,
  ``WITHOUT ROWID``; ``query_many`` through the per-object hash index and budget arrays).

For each: build wall time (subprocess), database size and its ratio to the TFRecord (with
``--cells`` below the full 423,624 the size is also projected linearly to full size),
``query(spec)`` first-sight and warm p50/p99 over ``--latency-calls`` pre-built specs,
``get_metrics_from_hash`` p50, and ``query_many`` on ``--qm-rows`` random hashes and pre-built
``ModelSpec`` objects: the first call on a fresh object (it loads the hash index / budget
arrays) and the best of 3 after it. Both implementations answer the same questions: the
script checks (untimed) that their ``query_many`` tables are equal. No timing is asserted.

Run (full size; reuse builds with ``--previous-db`` / ``--current-db``; two commits of the same
schema can share one database, e.g. ``--previous-ref a94f831`` for #16's ``query_many``
before/after)::

    .venv/bin/python benchmarks/bench_nb101_layout.py
    .venv/bin/python benchmarks/bench_nb101_layout.py --cells 50000   # quicker, projected
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TOTAL_CELLS = 423_624
OFFICIAL_FULL_BYTES = 1_950_000_000  # nasbench_full.tfrecord, as published (1.95 GB)

#: Timed in a fresh interpreter of each implementation.
CHILD = r"""
import gc, json, pickle, sys, time
import numpy as np
from nasbench_lite import nb101
from nasbench_lite.nb101.api import NASBench

db, inputs, calls, rows, out = sys.argv[1:6]
calls, rows = int(calls), int(rows)
with open(inputs, "rb") as handle:
    data = pickle.load(handle)
specs = [nb101.ModelSpec(m, o) for m, o in data["cells"]]
hashes = data["hashes"]
result = {}
gc.disable()

def pcts(samples):
    samples = sorted(samples)
    return samples[len(samples) // 2], samples[int(len(samples) * 0.99)]

api = NASBench(db, seed=0)
lat = []
for spec in specs[:calls]:
    t = time.perf_counter(); api.query(spec); lat.append(time.perf_counter() - t)
result["query_first"] = pcts(lat)
lat = []
for spec in specs[:calls]:
    t = time.perf_counter(); api.query(spec); lat.append(time.perf_counter() - t)
result["query_warm"] = pcts(lat)
lat = []
for h in hashes[:calls]:
    t = time.perf_counter(); api.get_metrics_from_hash(h); lat.append(time.perf_counter() - t)
result["get_metrics"] = pcts(lat)
api.close()
tables = {}
for name, models in (("hashes", hashes[:rows]), ("specs", specs[:rows])):
    api = NASBench(db, seed=1)
    t = time.perf_counter(); table = api.query_many(models, repeat="mean")
    first = time.perf_counter() - t
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter(); table = api.query_many(models, repeat="mean")
        best = min(best, time.perf_counter() - t)
    result[f"qm_{name}"] = (first, best)
    tables[name] = table.to_pydict()
    api.close()
with open(out, "wb") as handle:
    pickle.dump({"timing": result, "tables": tables}, handle)
"""


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def extract_previous(ref: str, folder: Path) -> Path:
    """The package at ``ref`` under ``folder/python`` with this checkout's native module."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "python"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    native = next((ROOT / "python" / "nasbench_lite").glob("_native*.so"))
    shutil.copy(native, folder / "python" / "nasbench_lite" / native.name)
    return folder / "python"


def run_child(python_path: Path, code: str, *args: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(python_path), "PYTHONNOUSERSITE": "1"}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-S", "-c", _site(code), *args], env=env, check=True)
    return time.perf_counter() - start


def _site(code: str) -> str:
    """``-S`` keeps the venv's .pth (this checkout) out; put the venv's site-packages back
    after the tested package path."""
    import site

    packages = [p for p in site.getsitepackages() if "site-packages" in p]
    return f"import sys; sys.path.extend({packages!r})\n" + code


BUILD = r"""
import sys
from nasbench_lite.benchmarks.nb101.build import build_nb101
build_nb101([sys.argv[1]], sys.argv[2], force=True)
"""


def sample_inputs(db: Path, rows: int, seed: int, out: Path) -> None:
    """Random cells (with replacement) as hashes and (matrix, ops) lists, from the database."""
    sys.path.insert(0, str(ROOT / "python"))
    from nasbench_lite.benchmarks.nb101.reader import decode_cell

    con = sqlite3.connect(db)
    cells = con.execute("SELECT hash, num_vertices, edge_bits, op_codes FROM cells").fetchall()
    chosen = np.random.default_rng(seed).integers(0, len(cells), size=rows)
    hashes, specs = [], []
    for i in chosen.tolist():
        module_hash, n, bits, codes = cells[i]
        matrix, ops = decode_cell(n, bits, codes)
        hashes.append(module_hash)
        specs.append((matrix.tolist(), ops))
    with open(out, "wb") as handle:
        pickle.dump({"hashes": hashes, "cells": specs}, handle)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=TOTAL_CELLS)
    parser.add_argument("--previous-ref", default="fd2ab32")
    parser.add_argument("--previous-db", type=Path, default=None)
    parser.add_argument("--current-db", type=Path, default=None)
    parser.add_argument("--source", type=Path, default=None, help="TFRecord the DBs came from")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--latency-calls", type=int, default=10_000)
    parser.add_argument("--qm-rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    load_start = load_average()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench_nb101_layout_"))
    work.mkdir(parents=True, exist_ok=True)
    previous_python = extract_previous(args.previous_ref, work)
    current_python = ROOT / "python"
    builds: dict[str, float | None] = {"previous": None, "current": None}
    source = args.source
    if args.previous_db is None or args.current_db is None:
        sys.path.insert(0, str(HERE))
        sys.path.insert(0, str(ROOT / "tests"))
        import bench_nb101_data as data_bench
        from nasbench_lite import nb101

        table = nb101.enumerate_cells()
        rng = np.random.default_rng(args.seed)
        rows = (
            np.arange(table.num_rows)
            if args.cells >= table.num_rows
            else np.sort(rng.choice(table.num_rows, size=args.cells, replace=False))
        )
        generated = data_bench.generate(
            data_bench.cell_strings(table, rows),
            [4, 12, 36, 108],
            3,
            args.seed,
            work,
            None,
            20_000,
        )
        source = generated.full
    dbs = {"previous": args.previous_db, "current": args.current_db}
    for name, python_path in (("previous", previous_python), ("current", current_python)):
        if dbs[name] is None:
            dbs[name] = work / f"{name}.sqlite"
            builds[name] = run_child(python_path, BUILD, str(source), str(dbs[name]))
    inputs = work / "inputs.pkl"
    sample_inputs(dbs["current"], args.qm_rows, args.seed, inputs)  # type: ignore[arg-type]
    results: dict[str, Any] = {}
    for name, python_path in (("previous", previous_python), ("current", current_python)):
        out = work / f"{name}.pkl"
        run_child(
            python_path,
            CHILD,
            str(dbs[name]),
            str(inputs),
            str(args.latency_calls),
            str(args.qm_rows),
            str(out),
        )
        with open(out, "rb") as handle:
            results[name] = pickle.load(handle)
    for kind in ("hashes", "specs"):  # untimed: both implementations give the same answers
        a, b = results["previous"]["tables"][kind], results["current"]["tables"][kind]
        if a != b:
            raise SystemExit(f"query_many({kind}) tables differ between implementations")
    cells = sqlite3.connect(dbs["current"]).execute("SELECT count(*) FROM cells").fetchone()[0]
    scale = TOTAL_CELLS / cells
    source_bytes = source.stat().st_size if source else None
    lines = [("measurement", f"previous ({args.previous_ref})", "current (this checkout)")]

    def us(pair: tuple[float, float]) -> str:
        return f"p50 {pair[0] * 1e6:.1f} us / p99 {pair[1] * 1e6:.1f} us"

    def ms(pair: tuple[float, float]) -> str:
        return f"first {pair[0] * 1e3:.1f} ms, best of 3 {pair[1] * 1e3:.1f} ms"

    def size(name: str) -> str:
        size_bytes = dbs[name].stat().st_size  # type: ignore[union-attr]
        text = f"{size_bytes / 1e6:.1f} MB"
        if source_bytes:
            text += f" ({size_bytes / source_bytes:.1%} of the synthetic TFRecord)"
        if scale > 1.0001:
            text += f"; full size ~{size_bytes * scale / 1e6:.0f} MB"
        projected = size_bytes * scale
        return text + f", {projected / OFFICIAL_FULL_BYTES:.1%} of the 1.95 GB official file"

    lines.append(("DB size", size("previous"), size("current")))
    if builds["current"] is not None:
        lines.append(
            ("build wall (subprocess)", f"{builds['previous']:.1f} s", f"{builds['current']:.1f} s")
        )
    for key, label, fmt in (
        ("query_first", f"query(spec), first sight, {args.latency_calls:,} specs", us),
        ("query_warm", "query(spec), warm (same specs again)", us),
        ("get_metrics", "get_metrics_from_hash", us),
        ("qm_hashes", f"query_many({args.qm_rows:,} hashes, repeat='mean')", ms),
        ("qm_specs", f"query_many({args.qm_rows:,} ModelSpecs, repeat='mean')", ms),
    ):
        lines.append(
            (
                label,
                fmt(results["previous"]["timing"][key]),
                fmt(results["current"]["timing"][key]),
            )
        )
    widths = [max(len(row[i]) for row in lines) for i in range(3)]
    print(f"cells {cells:,}; source {source}; load average {load_start} -> {load_average()}")
    for row in lines:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    print(json.dumps({"cells": cells, "results": {k: v["timing"] for k, v in results.items()}}))
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
