"""Cost-model benchmark: exact FLOPs/params for every NB101 and NB201 cell (issue #7).

Prints wall times (best of --repeat) next to the targets (< 2 s each on a 2-core machine):
* NB101: ``nb101.cost_many`` over all 423,624 enumerated cells (per-vertex arrays included),
  with the enumeration itself timed separately (it is not part of the cost computation);
* NB201: ``nats.cost_many`` over all 15,625 topology strings, per dataset and for all four;
* encodings: ``nb101.encode_many`` (19x7x7) on 10,000 cells, ``nats.encode_many`` on all 15,625.

Run: ``python benchmarks/bench_costs.py [--repeat 3]``. No timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from nasbench_lite import _native, nats, nb101


def best_of(repeat: int, work: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best kept)")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    chunks = nb101.space_chunks()
    enumeration = time.perf_counter() - start
    padded = []
    for chunk in chunks:
        n = chunk.num_vertices
        matrices = np.zeros((len(chunk.hashes), 7, 7), dtype=np.uint8)
        matrices[:, :n, :n] = chunk.adjacency()
        labels = np.full((len(chunk.hashes), 7), nb101.PAD_LABEL, dtype=np.int8)
        labels[:, :n] = chunk.labels
        padded.append((matrices, labels))
    all_matrices = np.concatenate([m for m, _ in padded])
    all_labels = np.concatenate([lab for _, lab in padded])
    cells = len(all_matrices)

    nb101_time = best_of(args.repeat, lambda: nb101.cost_many(all_matrices, all_labels))
    archs = [
        f"|{a}~0|+|{b}~0|{c}~1|+|{d}~0|{e}~1|{f}~2|"
        for a, b, c, d, e, f in itertools.product(nats.OPS, repeat=6)
    ]
    nb201_one = best_of(args.repeat, lambda: nats.cost_many(archs, "cifar100"))
    nb201_all = best_of(args.repeat, lambda: [nats.cost_many(archs, ds) for ds in nats.DATASETS])
    sample = slice(0, 10_000)
    enc101 = best_of(
        args.repeat, lambda: nb101.encode_many(all_matrices[sample], all_labels[sample])
    )
    enc201 = best_of(args.repeat, lambda: nats.encode_many(archs, "cifar100"))

    print("nasbench_lite cost-model benchmark")
    print(f"  CPU     : {cpu_model()}, {os.cpu_count()} cores, MD5 kernel {_native.md5_kernel()}")
    print(f"  versions: Python {platform.python_version()}, numpy {np.__version__}")
    print(f"  load    : {os.getloadavg()[0]:.2f} (1-min average at the end)")
    print()
    rows = [
        (f"NB101 cost_many, all {cells:,} cells", nb101_time, "< 2 s"),
        ("  (enumerating those cells first, not included)", enumeration, "-"),
        (f"NB201 cost_many, all {len(archs):,} cells, one dataset", nb201_one, "< 2 s"),
        (f"NB201 cost_many, all {len(archs):,} cells, 4 datasets", nb201_all, "-"),
        ("NB101 encode_many 'nar' (19x7x7), 10,000 cells", enc101, "-"),
        (f"NB201 encode_many (31x4x4), {len(archs):,} cells", enc201, "-"),
    ]
    print(f"{'measurement':<58} {'wall time':>10}  {'target':>7}")
    print("-" * 80)
    for name, seconds, target in rows:
        print(f"{name:<58} {seconds:>9.3f}s  {target:>7}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
