"""Decode time of the real NATS-Bench files: the native Rust pickle reader vs Python.

Files: ``tests/data/nats/*.pickle.pbz2`` (real official archive files: two per-architecture
files and the two meta files). Per file, best of ``--repeat`` runs of:

* Python: ``bz2.decompress``; ``pickle.loads`` (the unrestricted C unpickler, with NumPy);
  ``nasbench_lite.safe_pickle.loads`` (the restricted unpickler the builders use today); the
  total ``bz2 + safe_pickle``, what a builder pays per file today.
* Rust (``rust/core/examples/pickle_tool.rs bench``): ``decompress_bz2``; ``parse`` (opcodes to
  the value arena, limits, depth check and compaction, drop included); ``read_file`` (read +
  bz2 + parse). Python objects are not built: that is the later binding's one pass over the
  arena, not measured here.

Then a batch: ``--copies`` copies of the four files (a builder's stream of files), read by
Python in a loop (bz2 + safe_pickle) and by Rust's ``read_files`` on one thread and on rayon's
pool. The header shows the CPU, core count and ``uptime`` load at start and end: on a shared
machine a load above the core count means every figure is pessimistic. No timing is asserted.

Usage::

    .venv/bin/python benchmarks/bench_pickle.py               # builds the example first
    .venv/bin/python benchmarks/bench_pickle.py --repeat 20 --copies 50 --no-build
"""

from __future__ import annotations

import argparse
import bz2
import os
import pickle
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))
from nasbench_lite import safe_pickle  # noqa: E402

TOOL = ROOT / "target" / "release" / "examples" / "pickle_tool"


def best_ms(run: Callable[[], object], repeat: int) -> float:
    """Best wall time of ``repeat`` calls, in ms."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best * 1e3


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--no-build", action="store_true", help="use the built example as is")
    args = parser.parse_args(argv)
    if not args.no_build:
        subprocess.run(
            ["cargo", "build", "--release", "--quiet", "-p", "nasbench-lite-core"]
            + ["--example", "pickle_tool"],
            cwd=ROOT,
            check=True,
        )
    files = sorted((ROOT / "tests" / "data" / "nats").glob("*.pickle.pbz2"))
    print(f"# native pickle reader vs Python — {cpu_model()}, {os.cpu_count()} cores")
    print(f"# load at start: {uptime()}")
    print(f"# Python {platform.python_version()}, repeat {args.repeat} (best of), times in ms\n")

    rust = subprocess.run(
        [str(TOOL), "bench", str(args.repeat), str(args.copies), *map(str, files)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    rust_files = {
        Path(row.split("\t")[1]).name: row.split("\t") for row in rust if row.startswith("file")
    }
    many = next(row.split("\t") for row in rust if row.startswith("many"))

    head = (
        "| file | pickle KB | Rust objects | py bz2 | py pickle.loads | py safe_pickle "
        "| **py total** | rust bz2 | rust parse | **rust read_file** | total speed-up |"
    )
    print(head)
    print("|" + "---|" * 11)
    python_total = 0.0
    for path in files:
        raw = path.read_bytes()
        data = bz2.decompress(raw)
        py_bz2 = best_ms(lambda: bz2.decompress(raw), args.repeat)  # noqa: B023
        py_pickle = best_ms(lambda: pickle.loads(data), args.repeat)  # noqa: B023
        py_safe = best_ms(lambda: safe_pickle.loads(data), args.repeat)  # noqa: B023
        total = py_bz2 + py_safe
        python_total += total
        _, _, size, nodes, r_bz2, r_parse, r_total = rust_files[path.name]
        print(
            f"| {path.name} | {int(size) / 1024:.0f} | {nodes} | {py_bz2:.2f} | {py_pickle:.2f} "
            f"| {py_safe:.2f} | **{total:.2f}** | {float(r_bz2):.2f} | {float(r_parse):.2f} "
            f"| **{float(r_total):.2f}** | {total / float(r_total):.2f}x |"
        )

    _, count, threads, sequential, parallel = many
    batch = [path for _ in range(args.copies) for path in files]

    def python_batch() -> None:
        for path in batch:
            safe_pickle.loads(bz2.decompress(path.read_bytes()))

    py_batch = best_ms(python_batch, min(args.repeat, 3))
    print(
        f"\nBatch of {count} files ({args.copies} x the 4 above), best of {min(args.repeat, 3)}:\n"
    )
    print("| reader | ms | files/s | vs Python |")
    print("|---|---|---|---|")
    for label, ms in (
        ("Python loop (bz2 + safe_pickle)", py_batch),
        ("Rust read_files, 1 thread", float(sequential)),
        (f"Rust read_files, rayon ({threads} threads)", float(parallel)),
    ):
        print(f"| {label} | {ms:.1f} | {int(count) / ms * 1e3:.0f} | {py_batch / ms:.2f}x |")
    print(f"\n# load at end: {uptime()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
