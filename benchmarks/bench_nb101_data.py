"""Benchmark of the NAS-Bench-101 *training data* path: TFRecord -> SQLite build and queries.

What it does (results printed as one plain-text table, our code and a baseline side by side):

1. Writes a synthetic file in the exact official byte format (``shared/formats/nb101.md`` §5):
   real cells from ``nb101.enumerate_cells()`` (hash, adjacency digits, ops), one record per
   (epochs budget, cell, repeat) in the official order, random doubles for the evaluations.
   It is streamed to disk in chunks of ``--chunk-cells`` cells per budget; payloads are encoded
   with numpy (fixed-layout protobuf) and framed by ``nasbench_lite._native.frame_tfrecords``.
   The first records of every chunk are re-encoded with the test-suite reference writer
   (``tests/nb101_tfrecord.py``: ``record_payload`` + ``encode_model_metrics``) and must be
   byte-identical. The same pass writes a 108-epoch-only file (the 108 records, same bytes) and,
   when ``--baseline-cells`` is smaller than ``--cells``, a baseline file holding every record of
   a seeded random subset of cells (so it is an exact subset of the full file).
2. Builds the database with ``build_nb101`` in a subprocess (wall time, peak RSS via
   ``/usr/bin/time -v`` or ``getrusage(RUSAGE_CHILDREN)`` in a wrapper process), reports the DB
   size and the DB/TFRecord size ratio; the same for the 108-epoch-only file.
3. Cold "import nasbench_lite.nb101.api + NASBench(db) + ModelSpec + first query" in a fresh
   interpreter, median of ``--cold-runs`` (5); timed inside the child (interpreter start-up not
   included; the whole-process wall time is reported too). "Cold" means a fresh process: the
   database file is usually in the OS page cache (the script cannot drop caches).
4. ``query`` latency p50/p99 over ``--latency-calls`` (10,000) random pre-built ModelSpecs and
   ``get_metrics_from_hash`` latency over the same cells' hashes.
5. ``query_many`` throughput on ``--qm-rows`` (100,000) rows: list of ModelSpec, ``(matrices,
   ops)`` arrays, list of hashes; best of 3 with the garbage collector off, then best of 3 with
   it on (as callers run; #16's targets -- 100k specs < 200 ms, 100k hashes < 100 ms -- are
   judged on these).
6. Baseline: ``official_style_load`` from ``tests/nb101_tfrecord.py`` (a transcription of the
   official ``api.NASBench.__init__``: reads the whole file into memory, verifies CRCs, JSON,
   base64, protobuf, builds the dicts) in a subprocess, then one official-style ``query``
   (``ModelSpec`` from ``bench_nb101_core`` + ``_check_spec`` + hash + deepcopy + random repeat).
   Its CRC32C and protobuf decoding are pure Python, whereas TensorFlow's reader does the CRCs in
   C++; so the baseline is run twice: as written, and with the CRC32C computed natively (a
   closer, more conservative stand-in for the real official loader). When the baseline runs on a
   subset file, its load time and peak RSS are extrapolated linearly in the record count, and
   labelled "extrapolated". Time-to-first-answer ratio = baseline (import + load + first query)
   / ours (import + open + first query).
7. Correctness (untimed, raises ``DataMismatchError``): for ``--verify-hashes`` (200) random
   hashes, ``get_metrics_from_hash`` of our database equals the baseline's dicts exactly (int8
   adjacency, ops, parameters, every float bit for bit); the 108-only database returns exactly
   the 108-epoch part; every ``query_many`` row is found and the three input forms agree.

No timing is asserted. Timed regions run with the garbage collector disabled (except the
second ``query_many`` measurement of each input form).

Run (full size, ~5.08M records, ~2 GB synthetic file; several minutes)::

    cd /work/main && .venv/bin/python benchmarks/bench_nb101_data.py

Smoke run (5,000 cells, < 60 s)::

    .venv/bin/python benchmarks/bench_nb101_data.py --quick

From Python: ``sys.path.insert(0, "benchmarks"); from bench_nb101_data import main;
main(["--quick"])`` returns 0.
"""

from __future__ import annotations

import argparse
import base64
import gc
import json
import os
import pickle
import platform
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TESTS = ROOT / "tests"
for _path in (str(TESTS), str(HERE)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import nb101_tfrecord as tfr  # noqa: E402  (tests/: the reference writer and official loader)
from bench_nb101_core import Cells, cpu_model, load_average  # noqa: E402

TOTAL_CELLS = 423_624
QUICK_CELLS = 5_000
FULL_BASELINE_CELLS = 50_000
MB = 1_000_000
#: Target sizes/ratios (from the project brief).
TARGET_108_DB_BYTES = 130 * MB
TARGET_FIRST_ANSWER_RATIO = 1000.0


class DataMismatchError(RuntimeError):
    """Our data disagrees with the baseline (or the generator with the reference writer)."""


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


def fmt_bytes(n: float) -> str:
    if n >= 1e9:
        return f"{n / 1e9:.2f} GB"
    if n >= 1e6:
        return f"{n / 1e6:.1f} MB"
    if n >= 1e3:
        return f"{n / 1e3:.1f} kB"
    return f"{n:.0f} B"


def fmt_s(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    if seconds < 120:
        return f"{seconds:.2f} s"
    return f"{seconds:.0f} s ({seconds / 60:.1f} min)"


def fmt_rate(rows_per_second: float, unit: str = "rows/s") -> str:
    if rows_per_second >= 1e6:
        return f"{rows_per_second / 1e6:.2f} M {unit}"
    if rows_per_second >= 1e3:
        return f"{rows_per_second / 1e3:.1f} k {unit}"
    return f"{rows_per_second:.0f} {unit}"


def pcts(samples: Sequence[float]) -> tuple[float, float]:
    arr = np.asarray(samples)
    return float(np.percentile(arr, 50)), float(np.percentile(arr, 99))


def fmt_p(p50: float, p99: float) -> str:
    return f"p50 {fmt_s(p50)} / p99 {fmt_s(p99)}"


def versions() -> str:
    import apsw
    import nasbench_lite
    import pyarrow

    return (
        f"Python {platform.python_version()}, numpy {np.__version__}, pyarrow "
        f"{pyarrow.__version__}, apsw {apsw.apsw_version()}, SQLite {apsw.sqlite_lib_version()}, "
        f"nasbench_lite {nasbench_lite.__version__}"
    )


def git_state() -> str:
    """Commit of the project and whether the working tree has changes (the code measured)."""
    try:
        sha = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"
    return f"git {sha}" + (" + uncommitted changes to tracked files" if dirty else " (clean)")


TIME_BIN = "/usr/bin/time"


@dataclass
class Measured:
    stdout: str
    wall: float  # whole child process, seconds (measured by this process)
    max_rss: int  # bytes
    rss_tool: str


def run_measured(cmd: Sequence[str]) -> Measured:
    """Runs ``cmd``; returns its stdout, wall time and peak RSS (bytes)."""
    if os.path.exists(TIME_BIN) and os.access(TIME_BIN, os.X_OK):
        start = time.perf_counter()
        proc = subprocess.run([TIME_BIN, "-v", *cmd], capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            raise RuntimeError(f"{cmd[:3]} failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
        rss = None
        for line in proc.stderr.splitlines():
            if "Maximum resident set size" in line:
                rss = int(line.rsplit(":", 1)[1]) * 1024
        if rss is None:
            raise RuntimeError(f"no RSS in /usr/bin/time output:\n{proc.stderr[-2000:]}")
        return Measured(proc.stdout, wall, rss, "/usr/bin/time -v")
    wrapper = (
        "import resource, subprocess, sys\n"
        "rc = subprocess.call(sys.argv[1:])\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
        "sys.exit(rc)\n"
    )
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", wrapper, *cmd], capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[:3]} failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    rss = int(proc.stderr.strip().splitlines()[-1]) * 1024  # Linux: kilobytes
    return Measured(proc.stdout, wall, rss, "getrusage(RUSAGE_CHILDREN)")


def last_json(stdout: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    return result


# --------------------------------------------------------------------------------------------
# 1. Synthetic official-format file
# --------------------------------------------------------------------------------------------


def _metrics_dtype() -> np.dtype[Any]:
    """``ModelMetrics.evaluation_data`` x 3 (empty checkpoint paths) as a fixed byte layout."""
    fields: list[tuple[str, str]] = []
    for k in range(3):
        fields += [(f"msg{k}", "u1"), (f"len{k}", "u1")]
        for name in ("epoch", "time", "train", "valid", "test"):
            fields += [(f"tag_{name}{k}", "u1"), (f"{name}{k}", "<f8")]
        fields += [(f"tag_path{k}", "u1"), (f"path_len{k}", "u1")]
    return np.dtype(fields)


EVALS_DTYPE = _metrics_dtype()  # 3 x 49 bytes
TOTAL_DTYPE = np.dtype([("tag", "u1"), ("total", "<f8")])  # ModelMetrics.total_time
_TAGS = {"epoch": 0x09, "time": 0x11, "train": 0x19, "valid": 0x21, "test": 0x29}
EVAL_BODY = 5 * 9 + 2  # five tagged doubles + empty checkpoint_path


@dataclass
class CellStrings:
    """The benchmarked cells in file order, as the record fields need them."""

    rows: np.ndarray  # indices into enumerate_cells()
    hashes: list[str]
    digits: list[str]  # row-major adjacency digits
    ops: list[str]  # comma-joined op names


def cell_strings(table: Any, rows: np.ndarray) -> CellStrings:
    from nasbench_lite import nb101

    num_vertices = table.column("num_vertices").to_numpy().astype(np.int64)[rows]
    edge_bits = table.column("edge_bits").to_numpy().astype(np.int64)[rows]
    labels = table.column("labels").combine_chunks()
    offsets = labels.offsets.to_numpy()
    flat = labels.values.to_numpy()
    hashes = table.column("hash").to_numpy(zero_copy_only=False)[rows].tolist()
    n = len(rows)
    digits: list[str] = [""] * n
    ops: list[str] = [""] * n
    names = {-1: "input", -2: "output", **dict(enumerate(nb101.AVAILABLE_OPS))}
    cache: dict[bytes, str] = {}
    for v in np.unique(num_vertices).tolist():
        sel = np.flatnonzero(num_vertices == v)
        square = np.zeros((len(sel), v, v), dtype=np.uint8)
        for y in range(1, v):
            for x in range(y):
                square[:, x, y] = (edge_bits[sel] >> (x + y * (y - 1) // 2)) & 1
        text = (square.reshape(len(sel), v * v) + ord("0")).view(f"S{v * v}").reshape(-1)
        lab = flat[offsets[rows[sel]][:, None] + np.arange(v)].astype(np.int8)
        for i, row, d in zip(sel.tolist(), lab, text.tolist(), strict=True):
            digits[i] = d.decode("ascii")
            key = row.tobytes()
            name = cache.get(key)
            if name is None:
                name = cache[key] = ",".join(names[int(x)] for x in row)
            ops[i] = name
    return CellStrings(rows, hashes, digits, ops)


@dataclass
class Generated:
    full: Path
    only108: Path | None
    baseline: Path
    records: int = 0
    records108: int = 0
    baseline_records: int = 0
    seconds: float = 0.0
    checked: int = 0
    sizes: dict[str, int] = field(default_factory=dict)


def generate(
    cells: CellStrings,
    epochs: Sequence[int],
    repeats: int,
    seed: int,
    workdir: Path,
    baseline_mask: np.ndarray | None,
    chunk_cells: int,
    check_per_chunk: int = 8,
) -> Generated:
    """Streams the synthetic files to disk; returns paths, counts and the generation time."""
    from nasbench_lite import _native

    start = time.perf_counter()
    n_cells = len(cells.hashes)
    out = Generated(
        full=workdir / "nasbench_full_synthetic.tfrecord",
        only108=workdir / "nasbench_only108_synthetic.tfrecord" if 108 in epochs else None,
        baseline=workdir / "baseline_subset.tfrecord" if baseline_mask is not None else Path(),
    )
    if baseline_mask is None:
        out.baseline = out.full
    params = np.random.default_rng([seed, 1]).integers(100_000, 50_000_000, size=n_cells)
    params_bytes = [b"\x10" + tfr.encode_varint(int(p)) for p in params.tolist()]
    rng = np.random.default_rng([seed, 2])
    end = b'"]'
    b64 = base64.b64encode
    handles = {"full": open(out.full, "wb", buffering=16 * 2**20)}  # noqa: SIM115
    if out.only108 is not None:
        handles["108"] = open(out.only108, "wb", buffering=16 * 2**20)  # noqa: SIM115
    if baseline_mask is not None:
        handles["base"] = open(out.baseline, "wb", buffering=16 * 2**20)  # noqa: SIM115
    try:
        for budget in epochs:
            e = int(budget)
            for c0 in range(0, n_cells, chunk_cells):
                c1 = min(n_cells, c0 + chunk_cells)
                nc = c1 - c0
                n = nc * repeats
                u = rng.random((n, 12))
                half = e / 2 * (5.0 + 10.0 * u[:, 0])
                final = half + e / 2 * (5.0 + 10.0 * u[:, 1])
                total = final + 1.0 + 99.0 * u[:, 2]
                ev = np.zeros(n, dtype=EVALS_DTYPE)
                for k, (ep, tm) in enumerate(((0.0, 0.0), (e / 2, half), (float(e), final))):
                    ev[f"msg{k}"] = 0x0A
                    ev[f"len{k}"] = EVAL_BODY
                    for name, tag in _TAGS.items():
                        ev[f"tag_{name}{k}"] = tag
                    ev[f"epoch{k}"] = ep
                    ev[f"time{k}"] = tm
                    ev[f"train{k}"] = u[:, 3 + 3 * k]
                    ev[f"valid{k}"] = u[:, 4 + 3 * k]
                    ev[f"test{k}"] = u[:, 5 + 3 * k]
                    ev[f"tag_path{k}"] = 0x32
                tt = np.zeros(n, dtype=TOTAL_DTYPE)
                tt["tag"] = 0x19
                tt["total"] = total
                prefixes = [
                    f'["{h}", {e}, "{d}", "{o}", "'.encode("ascii")
                    for h, d, o in zip(
                        cells.hashes[c0:c1], cells.digits[c0:c1], cells.ops[c0:c1], strict=True
                    )
                ]
                pre = [p for p in prefixes for _ in range(repeats)]
                pv = [p for p in params_bytes[c0:c1] for _ in range(repeats)]
                payloads = [
                    p + b64(a + b + t) + end
                    for p, a, b, t in zip(
                        pre,
                        ev.view(f"V{EVALS_DTYPE.itemsize}").tolist(),
                        pv,
                        tt.view(f"V{TOTAL_DTYPE.itemsize}").tolist(),
                        strict=True,
                    )
                ]
                # Byte-for-byte check against the test-suite reference writer.
                for i in range(min(check_per_chunk, n)):
                    c = c0 + i // repeats
                    v = int(len(cells.digits[c]) ** 0.5)
                    matrix = [
                        [int(ch) for ch in cells.digits[c][r * v : (r + 1) * v]] for r in range(v)
                    ]
                    points = [
                        tfr.EvalPoint(ep, tm, *(float(x) for x in u[i, 3 + 3 * k : 6 + 3 * k]))
                        for k, (ep, tm) in enumerate(
                            ((0.0, 0.0), (e / 2, float(half[i])), (float(e), float(final[i])))
                        )
                    ]
                    metrics = tfr.encode_model_metrics(points, int(params[c]), float(total[i]))
                    reference = tfr.record_payload(
                        cells.hashes[c], e, matrix, cells.ops[c].split(","), metrics
                    )
                    if reference != payloads[i]:
                        raise DataMismatchError(
                            f"generator payload differs from tfr.record_payload at epochs {e}, "
                            f"cell {c}:\n{payloads[i]!r}\n{reference!r}"
                        )
                    out.checked += 1
                framed = _native.frame_tfrecords(payloads)
                handles["full"].write(framed)
                out.records += n
                if e == 108 and "108" in handles:
                    handles["108"].write(framed)
                    out.records108 += n
                if baseline_mask is not None:
                    keep = np.flatnonzero(np.repeat(baseline_mask[c0:c1], repeats)).tolist()
                    if keep:
                        handles["base"].write(_native.frame_tfrecords([payloads[i] for i in keep]))
                        out.baseline_records += len(keep)
                del payloads, pre, pv, framed, ev, tt, u
    finally:
        for handle in handles.values():
            handle.close()
    if baseline_mask is None:
        out.baseline_records = out.records
    out.seconds = time.perf_counter() - start
    out.sizes["full"] = out.full.stat().st_size
    if out.only108 is not None:
        out.sizes["108"] = out.only108.stat().st_size
    out.sizes["baseline"] = out.baseline.stat().st_size
    return out


# --------------------------------------------------------------------------------------------
# Child-process code
# --------------------------------------------------------------------------------------------

BUILD_CHILD = """
import json, sys, time
t0 = time.perf_counter()
from nasbench_lite.benchmarks.nb101.build import build_nb101
summary = build_nb101([sys.argv[1]], sys.argv[2], force=True, progress=None)
print(json.dumps({"seconds": time.perf_counter() - t0, "rows": summary.rows}))
"""

COLD_CHILD = """
import time
t0 = time.perf_counter()
from nasbench_lite.nb101 import api
t1 = time.perf_counter()
nasbench = api.NASBench(DB, seed=0)
t2 = time.perf_counter()
data = nasbench.query(api.ModelSpec(MATRIX, OPS))
t3 = time.perf_counter()
import json
print(json.dumps({"import": t1 - t0, "open": t2 - t1, "query": t3 - t2, "total": t3 - t0,
                  "test_accuracy": data["test_accuracy"]}))
"""

BASELINE_CHILD = """
import time
t0 = time.perf_counter()
import copy, json, pickle, random, sys
sys.path[:0] = PATHS
import numpy as np
import nb101_tfrecord as tfr
from bench_nb101_core import BaselineModelSpec, baseline_check_spec, ORIGINAL_AVAILABLE_OPS
if NATIVE_CRC:
    from nasbench_lite import _native
    def _masked_crc32c(data):
        # frame_tfrecords([x]) ends with the masked CRC32C of x (computed in Rust).
        return int.from_bytes(_native.frame_tfrecords([bytes(data)])[-4:], "little")
    assert _masked_crc32c(b"123456789") == tfr.masked_crc32c(b"123456789")
    tfr.masked_crc32c = _masked_crc32c

def vmrss(key="VmRSS:"):
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith(key):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0

with open(INPUTS, "rb") as handle:
    inputs = pickle.load(handle)
rss_imports = vmrss()
t1 = time.perf_counter()
fixed_stats, computed_stats, valid_epochs = tfr.official_style_load(SOURCE)
t2 = time.perf_counter()
random.seed(0)

def get_metrics_from_hash(module_hash):
    return copy.deepcopy(fixed_stats[module_hash]), copy.deepcopy(computed_stats[module_hash])

def query(spec, epochs=108, stop_halfway=False):
    if epochs not in valid_epochs:
        raise ValueError("invalid number of epochs")
    baseline_check_spec(spec)
    fixed, computed = get_metrics_from_hash(spec.hash_spec(ORIGINAL_AVAILABLE_OPS))
    run = computed[epochs][random.randint(0, 2)]
    prefix = "halfway_" if stop_halfway else "final_"
    return {
        "module_adjacency": fixed["module_adjacency"],
        "module_operations": fixed["module_operations"],
        "trainable_parameters": fixed["trainable_parameters"],
        "training_time": run[prefix + "training_time"],
        "train_accuracy": run[prefix + "train_accuracy"],
        "validation_accuracy": run[prefix + "validation_accuracy"],
        "test_accuracy": run[prefix + "test_accuracy"],
    }

matrix, ops = inputs["first"]
first = query(BaselineModelSpec(np.array(matrix), list(ops)))
t3 = time.perf_counter()
result = {"import": t1 - t0, "load": t2 - t1, "query": t3 - t2, "total": t3 - t0,
          "rss_imports": rss_imports, "rss_peak": vmrss("VmHWM:"), "cells": len(fixed_stats),
          "records": sum(len(r) for c in computed_stats.values() for r in c.values())}
if EXTRAS:
    import gc
    gc.disable()
    specs = [BaselineModelSpec(np.array(m), list(o)) for m, o in inputs["latency"]]
    samples = []
    for spec in specs:
        s = time.perf_counter(); query(spec); samples.append(time.perf_counter() - s)
    result["query_samples"] = samples
    samples = []
    for h in inputs["hashes"]:
        s = time.perf_counter(); get_metrics_from_hash(h); samples.append(time.perf_counter() - s)
    result["hash_samples"] = samples
    s = time.perf_counter()
    for spec in specs:
        query(spec)
    result["loop_query"] = time.perf_counter() - s
    s = time.perf_counter()
    for h in inputs["hashes"]:
        fixed, computed = get_metrics_from_hash(h)
        computed[108][random.randint(0, 2)]
    result["loop_hash"] = time.perf_counter() - s
    gc.enable()
    with open(VERIFY_OUT, "wb") as handle:
        pickle.dump({h: (fixed_stats[h], computed_stats[h]) for h in inputs["verify"]}, handle)
print(json.dumps(result))
"""


def child_code(template: str, **values: Any) -> str:
    head = "".join(f"{key} = {value!r}\n" for key, value in values.items())
    return head + template


# --------------------------------------------------------------------------------------------
# Verification
# --------------------------------------------------------------------------------------------


def _bits(x: float) -> bytes:
    return struct.pack("<d", x)


def compare_metrics(
    where: str, ours: Any, theirs: Any, epochs: Sequence[int] | None = None
) -> None:
    fixed, computed = ours
    t_fixed, t_computed = theirs
    adj, t_adj = fixed["module_adjacency"], t_fixed["module_adjacency"]
    if adj.dtype != np.int8 or adj.shape != t_adj.shape or not np.array_equal(adj, t_adj):
        raise DataMismatchError(f"{where}: module_adjacency {adj!r} != {t_adj!r}")
    for key in ("module_operations", "trainable_parameters"):
        if fixed[key] != t_fixed[key] or type(fixed[key]) is not type(t_fixed[key]):
            raise DataMismatchError(f"{where}: {key} {fixed[key]!r} != {t_fixed[key]!r}")
    if epochs is not None:
        t_computed = {e: t_computed[e] for e in epochs}
    if set(computed) != set(t_computed):
        raise DataMismatchError(f"{where}: epochs {sorted(computed)} != {sorted(t_computed)}")
    for e, runs in computed.items():
        t_runs = t_computed[e]
        if len(runs) != len(t_runs):
            raise DataMismatchError(f"{where}: {len(runs)} repeats at {e} != {len(t_runs)}")
        for r, (run, t_run) in enumerate(zip(runs, t_runs, strict=True)):
            if run.keys() != t_run.keys() or any(_bits(run[k]) != _bits(t_run[k]) for k in run):
                raise DataMismatchError(f"{where}: epochs {e} repeat {r}: {run} != {t_run}")


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark nasbench_lite's NAS-Bench-101 data path (TFRecord -> SQLite, "
        "queries) against a transcription of the official loader."
    )
    parser.add_argument(
        "--cells", type=int, default=None, help=f"cells in the file (default all {TOTAL_CELLS:,})"
    )
    parser.add_argument(
        "--epochs",
        type=lambda s: [int(x) for x in s.split(",") if x],
        default=[4, 12, 36, 108],
        help="epoch budgets, in file order (default 4,12,36,108)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="repeats per (cell, epochs)")
    parser.add_argument("--workdir", type=Path, default=None, help="default: a temp dir")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK_CELLS:,} cells: a < 60 s smoke run"
    )
    parser.add_argument(
        "--baseline-cells",
        type=int,
        default=None,
        help="cells the baseline loads (a random subset; its load time and RSS are "
        f"extrapolated linearly); default all cells up to {FULL_BASELINE_CELLS:,}",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--latency-calls", type=int, default=10_000)
    parser.add_argument("--qm-rows", type=int, default=100_000)
    parser.add_argument("--verify-hashes", type=int, default=200)
    parser.add_argument("--chunk-cells", type=int, default=20_000)
    args = parser.parse_args(argv)
    if args.cells is None:
        args.cells = QUICK_CELLS if args.quick else TOTAL_CELLS
    if not 1 <= args.cells <= TOTAL_CELLS:
        parser.error(f"--cells must be in 1..{TOTAL_CELLS}")
    if args.baseline_cells is None:
        args.baseline_cells = min(args.cells, FULL_BASELINE_CELLS)
    args.baseline_cells = min(args.baseline_cells, args.cells)
    if args.repeats < 1 or not args.epochs or args.baseline_cells < 1:
        parser.error("--repeats, --epochs and --baseline-cells must be positive")
    if 108 not in args.epochs:
        parser.error("--epochs must include 108 (queries use epochs=108)")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    run_start = time.perf_counter()
    load_start = load_average()

    from nasbench_lite import nb101
    from nasbench_lite.nb101.api import NASBench

    created_dir = args.workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="bench_nb101_data_")) if created_dir else args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    created: list[Path] = []
    try:
        return _run(args, workdir, created, run_start, load_start, nb101, NASBench)
    finally:
        if args.keep:
            print(f"kept: {workdir}")
        elif created_dir:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            for path in created:
                for p in (path, Path(str(path) + ".stage")):
                    if p.exists():
                        p.unlink()


def _run(
    args: argparse.Namespace,
    workdir: Path,
    created: list[Path],
    run_start: float,
    load_start: str,
    nb101: Any,
    NASBench: Any,  # noqa: N803
) -> int:
    py = sys.executable
    rng = np.random.default_rng(args.seed)

    # -- cells ----------------------------------------------------------------------------
    t = time.perf_counter()
    table = nb101.enumerate_cells()
    enum_seconds = time.perf_counter() - t
    if args.cells == table.num_rows:
        rows = np.arange(table.num_rows)
    else:
        rows = np.sort(rng.choice(table.num_rows, size=args.cells, replace=False))
    cells = cell_strings(table, rows)
    n_cells = len(rows)
    subset = args.baseline_cells < n_cells
    base_mask: np.ndarray | None = None
    base_positions = np.arange(n_cells)
    if subset:
        base_mask = np.zeros(n_cells, dtype=bool)
        base_mask[rng.choice(n_cells, size=args.baseline_cells, replace=False)] = True
        base_positions = np.flatnonzero(base_mask)

    # -- 1. generate ----------------------------------------------------------------------
    gen = generate(
        cells, args.epochs, args.repeats, args.seed, workdir, base_mask, args.chunk_cells
    )
    created += [p for p in (gen.full, gen.only108, gen.baseline) if p is not None]
    print(
        f"[1] generated {gen.records:,} records ({fmt_bytes(gen.sizes['full'])}) in "
        f"{gen.seconds:.1f} s; {gen.checked} payloads byte-identical to tfr.record_payload",
        flush=True,
    )

    # -- 2. build ---------------------------------------------------------------------------
    db_full = workdir / "nb101_full.sqlite"
    db_108 = workdir / "nb101_only108.sqlite"
    created += [db_full, db_108]
    build = run_measured([py, "-c", BUILD_CHILD, str(gen.full), str(db_full)])
    build_info = last_json(build.stdout)
    if build_info["rows"]["records"] != gen.records or build_info["rows"]["cells"] != n_cells:
        raise DataMismatchError(f"build counted {build_info['rows']}, wrote {gen.records}")
    size_full = db_full.stat().st_size
    build108 = None
    size_108 = 0
    if gen.only108 is not None:
        build108 = run_measured([py, "-c", BUILD_CHILD, str(gen.only108), str(db_108)])
        size_108 = db_108.stat().st_size
    print(f"[2] built: {build_info['seconds']:.1f} s, {fmt_bytes(size_full)}", flush=True)

    # -- inputs for the query benchmarks ---------------------------------------------------
    lat_pos = rng.choice(n_cells, size=args.latency_calls, replace=args.latency_calls > n_cells)
    lat_cells = Cells(table, rows[lat_pos])
    lat_specs = [nb101.ModelSpec(m, o) for m, o in lat_cells.baseline_inputs]
    lat_hashes = lat_cells.expected_hash.tolist()
    qm_pos = rng.choice(n_cells, size=args.qm_rows, replace=args.qm_rows > n_cells)
    qm_cells = Cells(table, rows[qm_pos])
    qm_specs = [nb101.ModelSpec(m, o) for m, o in qm_cells.baseline_inputs]
    qm_hashes = qm_cells.expected_hash.tolist()

    # -- 3. cold open + first query ----------------------------------------------------------
    first_matrix, first_ops = lat_cells.baseline_inputs[0]
    cold_code = child_code(
        COLD_CHILD, DB=str(db_full), MATRIX=first_matrix.tolist(), OPS=list(first_ops)
    )
    cold = [run_measured([py, "-c", cold_code]) for _ in range(args.cold_runs)]
    cold_info = [last_json(m.stdout) for m in cold]
    cold_total = statistics.median(c["total"] for c in cold_info)
    cold_parts = {
        k: statistics.median(c[k] for c in cold_info) for k in ("import", "open", "query")
    }
    cold_wall = statistics.median(m.wall for m in cold)
    cold_rss = statistics.median(m.max_rss for m in cold)
    print(f"[3] cold first answer: {fmt_s(cold_total)}", flush=True)

    # -- 4. single-query latency -------------------------------------------------------------
    with NASBench(db_full, seed=0) as api:
        for spec in lat_specs[:50]:  # warm-up
            api.query(spec)
        q_samples, h_samples = [], []
        with no_gc():
            for spec in lat_specs:
                s = time.perf_counter()
                api.query(spec)
                q_samples.append(time.perf_counter() - s)
            for h in lat_hashes:
                s = time.perf_counter()
                api.get_metrics_from_hash(h)
                h_samples.append(time.perf_counter() - s)
        print(f"[4] query {fmt_p(*pcts(q_samples))}", flush=True)

        # -- 5. query_many -----------------------------------------------------------------
        qm_inputs = {
            "specs": qm_specs,
            "(matrices, ops)": (qm_cells.matrices, qm_cells.op_names),
            "hashes": qm_hashes,
        }
        # Best of 3 with the garbage collector off (like every timed region here) and best of
        # 3 with it on, as callers run: the process then holds the 100k specs and the inputs,
        # so any collection a call triggers walks them (the #16 targets are judged on this).
        qm_times: dict[str, float] = {}
        qm_times_gc: dict[str, float] = {}
        qm_hash_cols: dict[str, list[str]] = {}
        for name, models in qm_inputs.items():
            best = best_gc = float("inf")
            result = None
            for _ in range(3):
                with no_gc():
                    s = time.perf_counter()
                    result = api.query_many(models, epochs=108)
                    best = min(best, time.perf_counter() - s)
            for _ in range(3):
                s = time.perf_counter()
                result = api.query_many(models, epochs=108)
                best_gc = min(best_gc, time.perf_counter() - s)
            assert result is not None
            if result.num_rows != args.qm_rows or not all(result.column("found").to_pylist()):
                raise DataMismatchError(f"query_many({name}): not every row found")
            qm_times[name] = best
            qm_times_gc[name] = best_gc
            qm_hash_cols[name] = result.column("hash").to_pylist()
        if not (qm_hash_cols["specs"] == qm_hash_cols["(matrices, ops)"] == qm_hashes):
            raise DataMismatchError("query_many input forms disagree on hashes")
        print(f"[5] query_many: GC off {qm_times}, GC on {qm_times_gc}", flush=True)

        # -- 6. baseline ---------------------------------------------------------------------
        vrng = np.random.default_rng([args.seed, 3])
        verify_pos = vrng.choice(
            base_positions, size=min(args.verify_hashes, len(base_positions)), replace=False
        )
        verify_hashes = [cells.hashes[i] for i in verify_pos.tolist()]
        b_lat_pos = vrng.choice(base_positions, size=args.latency_calls, replace=True)
        b_cells = Cells(table, rows[b_lat_pos])
        inputs = {
            "first": (b_cells.baseline_inputs[0][0].tolist(), b_cells.baseline_inputs[0][1]),
            "latency": [(m.tolist(), o) for m, o in b_cells.baseline_inputs],
            "hashes": b_cells.expected_hash.tolist(),
            "verify": verify_hashes,
        }
        inputs_path = workdir / "baseline_inputs.pkl"
        verify_path = workdir / "baseline_verify.pkl"
        created += [inputs_path, verify_path]
        with open(inputs_path, "wb") as handle:
            pickle.dump(inputs, handle)
        baselines = {}
        for variant, native_crc in (("as written", False), ("native CRC", True)):
            code = child_code(
                BASELINE_CHILD,
                PATHS=[str(TESTS), str(HERE)],
                NATIVE_CRC=native_crc,
                EXTRAS=not native_crc,
                INPUTS=str(inputs_path),
                SOURCE=str(gen.baseline),
                VERIFY_OUT=str(verify_path),
            )
            measured = run_measured([py, "-c", code])
            baselines[variant] = (measured, last_json(measured.stdout))
            print(
                f"[6] baseline ({variant}): load {baselines[variant][1]['load']:.1f} s, "
                f"peak RSS {fmt_bytes(measured.max_rss)}",
                flush=True,
            )

        # -- 7. verification -----------------------------------------------------------------
        with open(verify_path, "rb") as reader:
            expected = pickle.load(reader)
        for h in verify_hashes:
            compare_metrics(f"full DB, hash {h}", api.get_metrics_from_hash(h), expected[h])
        if gen.only108 is not None:
            with NASBench(db_108, seed=0) as api108:
                if api108.valid_epochs != {108}:
                    raise DataMismatchError(f"108-only DB valid_epochs {api108.valid_epochs}")
                for h in verify_hashes:
                    compare_metrics(
                        f"108-only DB, hash {h}",
                        api108.get_metrics_from_hash(h),
                        expected[h],
                        [108],
                    )

    # ---------------------------------------------------------------------------------------
    # Report
    # ---------------------------------------------------------------------------------------
    full_scale = n_cells == TOTAL_CELLS
    ratio = gen.records / gen.baseline_records  # linear extrapolation factor
    extrap = subset
    tag = " [extrapolated]" if extrap else ""
    b_main, b_main_info = baselines["as written"]
    b_fast, b_fast_info = baselines["native CRC"]
    if b_main_info["records"] != gen.baseline_records:
        raise DataMismatchError("baseline loaded a different number of records")

    def scaled_load(info: dict[str, Any]) -> float:
        return float(info["load"]) * ratio

    def peak_rss(measured: Measured, info: dict[str, Any]) -> int:
        # Peak up to the first answer (VmHWM read in the child before the extra latency loops);
        # the whole-process peak from run_measured() when /proc is not available.
        return int(info["rss_peak"]) or measured.max_rss

    def scaled_rss(measured: Measured, info: dict[str, Any]) -> float:
        base = float(info["rss_imports"])
        return base + (peak_rss(measured, info) - base) * ratio

    def first_answer(info: dict[str, Any]) -> float:
        return float(info["import"]) + scaled_load(info) + float(info["query"])

    ratio_main = first_answer(b_main_info) / cold_total
    ratio_fast = first_answer(b_fast_info) / cold_total

    def yes(ok: bool) -> str:
        return "yes" if ok else "NO"

    q50, q99 = pcts(q_samples)
    h50, h99 = pcts(h_samples)
    bq50, bq99 = pcts(b_main_info["query_samples"])
    bh50, bh99 = pcts(b_main_info["hash_samples"])
    n_lat = args.latency_calls
    body: list[tuple[str, str, str, str, str]] = []
    body.append(
        (
            f"generate synthetic TFRecord ({gen.records:,} records)",
            f"{fmt_s(gen.seconds)}, {fmt_bytes(gen.sizes['full'])} "
            f"({gen.sizes['full'] / gen.seconds / MB:.0f} MB/s)",
            "-",
            "-",
            "-",
        )
    )
    body.append(
        (
            "build DB, all epochs (subprocess): wall / peak RSS",
            f"{fmt_s(build_info['seconds'])} / {fmt_bytes(build.max_rss)}",
            f"load: {fmt_s(scaled_load(b_main_info))} / "
            f"{fmt_bytes(scaled_rss(b_main, b_main_info))}{tag}",
            "-",
            "-",
        )
    )
    body.append(
        (
            "  build throughput",
            f"{fmt_rate(gen.records / build_info['seconds'], 'records/s')}, "
            f"{gen.sizes['full'] / build_info['seconds'] / MB:.0f} MB/s",
            f"load: {fmt_rate(b_main_info['records'] / b_main_info['load'], 'records/s')}",
            "-",
            "-",
        )
    )
    body.append(
        (
            "DB size, all epochs (DB / TFRecord)",
            f"{fmt_bytes(size_full)} ({size_full / gen.sizes['full']:.3f})",
            "-",
            "-",
            "-",
        )
    )
    if build108 is not None:
        body.append(
            (
                f"build DB, 108 only ({gen.records108:,} records): wall / RSS",
                f"{fmt_s(last_json(build108.stdout)['seconds'])} / {fmt_bytes(build108.max_rss)}",
                "-",
                "-",
                "-",
            )
        )
        if full_scale:
            body.append(
                (
                    "DB size, 108 only (DB / TFRecord)",
                    f"{fmt_bytes(size_108)} ({size_108 / gen.sizes['108']:.3f})",
                    "-",
                    "<= 130 MB",
                    yes(size_108 <= TARGET_108_DB_BYTES),
                )
            )
        else:
            projected_108 = size_108 / n_cells * TOTAL_CELLS
            body.append(
                (
                    "DB size, 108 only (DB / TFRecord)",
                    f"{fmt_bytes(size_108)} ({size_108 / gen.sizes['108']:.3f}); "
                    f"{fmt_bytes(projected_108)} per-cell projection to {TOTAL_CELLS:,} cells",
                    "-",
                    "<= 130 MB at full size",
                    yes(projected_108 <= TARGET_108_DB_BYTES) + " (projected)",
                )
            )
    body.append(
        (
            f"first answer, fresh process (median of {args.cold_runs})",
            f"{fmt_s(cold_total)} (import {fmt_s(cold_parts['import'])} + open "
            f"{fmt_s(cold_parts['open'])} + query {fmt_s(cold_parts['query'])})",
            f"{fmt_s(first_answer(b_main_info))} (import {fmt_s(b_main_info['import'])} + "
            f"load + query {fmt_s(b_main_info['query'])}){tag}",
            "-",
            "-",
        )
    )
    body.append(
        (
            "  whole child process wall / peak RSS",
            f"{fmt_s(cold_wall)} / {fmt_bytes(cold_rss)}",
            f"peak RSS {fmt_bytes(scaled_rss(b_main, b_main_info))}{tag}",
            "-",
            "-",
        )
    )
    body.append(
        (
            "time-to-first-answer ratio (baseline as written)",
            f"{ratio_main:,.0f}x",
            "",
            ">= 1000x",
            yes(ratio_main >= TARGET_FIRST_ANSWER_RATIO),
        )
    )
    body.append(
        (
            "time-to-first-answer ratio (baseline, native CRC32C)",
            f"{ratio_fast:,.0f}x",
            f"{fmt_s(first_answer(b_fast_info))}, peak RSS "
            f"{fmt_bytes(scaled_rss(b_fast, b_fast_info))}{tag}",
            ">= 1000x",
            yes(ratio_fast >= TARGET_FIRST_ANSWER_RATIO),
        )
    )
    if not full_scale:
        full_records = TOTAL_CELLS * len(args.epochs) * args.repeats
        factor = full_records / gen.baseline_records
        for label, info in (("as written", b_main_info), ("native CRC32C", b_fast_info)):
            projected = info["import"] + info["load"] * factor + info["query"]
            body.append(
                (
                    f"  ratio projected to {TOTAL_CELLS:,} cells ({label})",
                    f"{projected / cold_total:,.0f}x",
                    f"{fmt_s(projected)} [extrapolated x{factor:.1f}]",
                    ">= 1000x",
                    yes(projected / cold_total >= TARGET_FIRST_ANSWER_RATIO) + " (projected)",
                )
            )
    body.append(
        (
            f"query(spec) latency, {n_lat:,} pre-built specs",
            fmt_p(q50, q99),
            fmt_p(bq50, bq99) + " (in-memory dicts)",
            "-",
            "-",
        )
    )
    body.append(
        (
            f"get_metrics_from_hash latency, {n_lat:,} hashes",
            fmt_p(h50, h99),
            fmt_p(bh50, bh99) + " (deepcopy)",
            "-",
            "-",
        )
    )
    n_qm = args.qm_rows
    base_loop_q = n_lat / b_main_info["loop_query"]
    base_loop_h = n_lat / b_main_info["loop_hash"]
    # #16's targets, for 100,000 rows (judged with the collector on).
    qm_targets = {"specs": 0.200, "hashes": 0.100} if n_qm == 100_000 else {}
    for name, seconds in qm_times.items():
        baseline_cell = "-"
        if name == "specs":
            baseline_cell = f"{fmt_rate(base_loop_q)} (loop of query())"
        elif name == "hashes":
            baseline_cell = f"{fmt_rate(base_loop_h)} (loop of get_metrics_from_hash)"
        body.append(
            (
                f"query_many({name}), {n_qm:,} rows, best of 3",
                f"{fmt_rate(n_qm / seconds)} ({fmt_s(seconds)})",
                baseline_cell,
                "-",
                "-",
            )
        )
        target = qm_targets.get(name)
        with_gc = qm_times_gc[name]
        body.append(
            (
                "  same, garbage collector on",
                f"{fmt_rate(n_qm / with_gc)} ({fmt_s(with_gc)})",
                "-",
                "-" if target is None else f"< {fmt_s(target)}",
                "-" if target is None else yes(with_gc < target),
            )
        )

    import pyarrow  # noqa: F401  (version in header)

    cols = ("measurement", "nasbench_lite", "baseline", "target", "met?")
    widths = [max(len(r[i]) for r in (cols, *body)) for i in range(5)]

    def render(r: tuple[str, ...]) -> str:
        return "  ".join(r[i].ljust(widths[i]) for i in range(5)).rstrip()

    line = "  ".join("-" * w for w in widths)
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = os.cpu_count() or 0
    header = [
        "nasbench_lite NAS-Bench-101 data benchmark"
        + ("  [--quick smoke run]" if args.quick else "")
        + ("" if full_scale else f"  [{n_cells:,} of {TOTAL_CELLS:,} cells]"),
        f"  CPU        : {cpu_model()}",
        f"  cores      : {os.cpu_count()} logical, {affinity} usable; RAYON_NUM_THREADS="
        f"{os.environ.get('RAYON_NUM_THREADS', 'unset')}",
        f"  versions   : {versions()}",
        f"  code       : {git_state()}",
        f"  load avg   : {load_start} at start, {load_average()} at end",
        f"  source     : synthetic file in the official format: {n_cells:,} real cells "
        f"(enumerate_cells{'' if full_scale else ', seeded random sample'}) x epochs "
        f"{','.join(map(str, args.epochs))} x {args.repeats} repeats = {gen.records:,} records, "
        f"{fmt_bytes(gen.sizes['full'])} (official nasbench_full.tfrecord: 5,083,488 records, "
        f"~1.95 GB); generated in {fmt_s(gen.seconds)}",
        f"  108 only   : {gen.records108:,} records, {fmt_bytes(gen.sizes.get('108', 0))}",
        f"  databases  : all epochs {fmt_bytes(size_full)}, 108 only {fmt_bytes(size_108)}; "
        f"RSS via {build.rss_tool}",
        "  baseline   : tests/nb101_tfrecord.official_style_load (pure-Python CRC32C, JSON, "
        "base64, protobuf) + official-style query, in a subprocess, on "
        + (
            f"a random {args.baseline_cells:,}-cell subset file ({gen.baseline_records:,} "
            f"records, {fmt_bytes(gen.sizes['baseline'])}); load time and peak RSS "
            f"EXTRAPOLATED linearly x{ratio:.2f} to {gen.records:,} records"
            if extrap
            else f"the full file ({gen.baseline_records:,} records), measured, not extrapolated"
        ),
        f"             measured on the subset: as written load {fmt_s(b_main_info['load'])}, "
        f"peak RSS {fmt_bytes(peak_rss(b_main, b_main_info))}; native-CRC load "
        f"{fmt_s(b_fast_info['load'])}, peak RSS {fmt_bytes(peak_rss(b_fast, b_fast_info))} "
        "(peak RSS = VmHWM at the first answer)"
        if extrap
        else "             (not a subset)",
        f"  verified   : {gen.checked} generated payloads == tfr.record_payload bytes; "
        f"{len(verify_hashes)} random hashes: get_metrics_from_hash == baseline dicts exactly "
        f"(full DB; 108-only DB == the 108 part); all query_many rows found, input forms agree",
        f"  enumerate  : enumerate_cells() took {fmt_s(enum_seconds)} (input preparation, untimed "
        "elsewhere)",
    ]
    print()
    print("\n".join(header))
    print()
    print(render(cols))
    print(line)
    for r in body:
        print(render(r))
    print(line)
    print(
        "notes: timings are wall clock, GC off in timed regions (except the query_many "
        "'garbage collector on' rows), nothing asserted. 'first "
        "answer' is timed inside the child from its first statement (interpreter start-up "
        "excluded for both sides); files are in the page cache. The baseline decodes protobuf "
        "in pure Python (the official loader uses TF's C++ reader and the protobuf library), "
        "so it is slower than the real loader; the native-CRC row narrows that gap."
    )
    print(f"total run time: {time.perf_counter() - run_start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
