"""bz2 decode time: the native decoder (``_native.bz2_decompress``, issue #14) vs libbzip2.

Python's ``bz2.decompress`` is libbzip2 (the C library the native readers used before #14).
Each file is decoded by both, alternating, best of ``--repeat`` rounds per file; the table
gives ms per file and MB/s of output for each and the speed-up. Both outputs are compared
once per file. Files: ``--archive DIR`` (e.g. an official NATS-Bench ``-simple`` archive
folder; ``--files`` of its ``*.pbz2`` files, evenly spaced) or, by default, a synthetic set
(pickled float curves compressed at level 9, plus text and runs). The header and footer show
the ``uptime`` load: on a shared machine a load above the core count makes every figure
pessimistic. No timing is asserted anywhere.

Usage::

    .venv/bin/python benchmarks/bench_bz2.py
    .venv/bin/python benchmarks/bench_bz2.py --archive /path/NATS-tss-v1_0-3ffb9-simple --files 40
"""

from __future__ import annotations

import argparse
import bz2
import pickle
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))
from nasbench_lite import _native  # noqa: E402


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def synthetic(count: int) -> list[tuple[str, bytes]]:
    """Compressed samples shaped like the NATS files: dicts of float curves, text, runs."""
    rng = random.Random(14)
    out = []
    for i in range(count):
        curves = {
            f"seed-{s}": {
                "train_loss": [rng.random() for _ in range(200)],
                "eval_acc1es": {f"ori-test@{e}": rng.uniform(0, 100) for e in range(200)},
            }
            for s in range(3)
        }
        raw = pickle.dumps(curves, protocol=4)
        if i % 3 == 1:
            raw += b"|nor_conv_3x3~0|+|skip_connect~0|" * 500
        if i % 3 == 2:
            raw += b"\0" * 20_000
        out.append((f"synthetic-{i}", bz2.compress(raw, 9)))
    return out


def archive(folder: Path, count: int) -> list[tuple[str, bytes]]:
    paths = sorted(folder.glob("*.pbz2"))
    if not paths:
        raise SystemExit(f"no *.pbz2 files in {folder}")
    step = max(1, len(paths) // count)
    return [(p.name, p.read_bytes()) for p in paths[::step][:count]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, help="folder of *.pbz2 files (read only)")
    parser.add_argument("--files", type=int, default=30, help="files to sample")
    parser.add_argument("--repeat", type=int, default=7, help="rounds per file (best kept)")
    args = parser.parse_args(argv)

    files = archive(args.archive, args.files) if args.archive else synthetic(args.files)
    print(f"# load at start: {uptime()}")
    print(f"# {len(files)} files from {args.archive or 'the synthetic set'}")
    ours_total = theirs_total = 0.0
    out_bytes = in_bytes = 0
    for _name, data in files:
        expect = bz2.decompress(data)
        if _native.bz2_decompress(data, limits={"max_bz2_ratio": 1 << 40}) != expect:
            raise SystemExit(f"output differs on {_name}")
        best_ours = best_theirs = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            _native.bz2_decompress(data, limits={"max_bz2_ratio": 1 << 40})
            best_ours = min(best_ours, time.perf_counter() - start)
            start = time.perf_counter()
            bz2.decompress(data)
            best_theirs = min(best_theirs, time.perf_counter() - start)
        ours_total += best_ours
        theirs_total += best_theirs
        out_bytes += len(expect)
        in_bytes += len(data)
    n = len(files)
    print(f"# mean file: {in_bytes / n / 1e3:.1f} kB -> {out_bytes / n / 1e3:.1f} kB")
    print(f"{'decoder':<28} {'ms/file':>9} {'MB/s out':>9}")
    for label, total in [("native (#14)", ours_total), ("libbzip2 (Python bz2)", theirs_total)]:
        print(f"{label:<28} {total * 1e3 / n:>9.3f} {out_bytes / total / 1e6:>9.1f}")
    print(f"speed-up: {theirs_total / ours_total:.2f}x")
    print(f"# load at end: {uptime()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
