"""Benchmark of the NAS-Bench-101 core of ``nasbench_lite`` against a pure-Python baseline.

What it measures (printed as one plain-text table, our code and the baseline side by side):

* ``nb101.hash_many`` throughput on N distinct valid cells (N = 20,000 and 100,000 by default),
  best of ``--repeat`` runs, with op names and with integer labels as input; besides wall time,
  the process CPU time per cell (``resource.getrusage``, all threads), which a shared machine
  skews less;
* the same work done by a straightforward pure-Python re-implementation of the original
  google-research/nasbench code (``ModelSpec`` constructor + ``_prune`` + api ``_check_spec`` +
  ``graph_util.hash_module`` via ``hash_spec``), timed on a subset (``--baseline-cells``, 2,000 by
  default) and reported per cell;
* single-spec latency: ``ModelSpec(matrix, ops).hash_spec()`` and ``hash_spec()`` on a built
  spec, median over ``--single-calls`` (2,000) individually timed calls, against the baseline;
* wall time of ``nb101.enumerate_cells()`` (the whole space, 423,624 rows), best of
  ``--enum-repeat`` (2); the original ``generate_graphs.py`` is not run (it takes minutes);
* ``import nasbench_lite`` and ``from nasbench_lite import nb101`` time in a fresh interpreter
  (median of 5 subprocesses).

Inputs: rows sampled uniformly without replacement (seeded ``numpy.random.Generator``) from the
table returned by ``nb101.enumerate_cells()``, which holds each valid cell exactly once, so every
benchmarked cell is valid and has a distinct hash. Cells with fewer than 7 vertices are padded to
7 (``''`` ops, zero rows/columns) for the batch call, as ``hash_many`` documents; the baseline
gets the unpadded V x V cell, as the original ``ModelSpec`` expects.

Honesty checks (not timed): the baseline reproduces the three worked hashes of the original code
(``shared/formats/nb101.md`` §2); on EVERY benchmarked cell the baseline hash, ``hash_many``
(names and labels) and the enumeration's ``hash`` column agree; the single-spec results agree with
the baseline. Any disagreement raises :class:`HashMismatchError` and aborts the run.

No timed assertions: the script only reports numbers. Timings are wall-clock
(``time.perf_counter``) with the garbage collector disabled inside timed regions. The native core
runs batches on a rayon thread pool (``RAYON_NUM_THREADS`` is honoured); other work on the machine
skews results, so the header reports the load average at start and end.

Run (full, about a minute or two)::

    cd /work/main && .venv/bin/python benchmarks/bench_nb101_core.py

Smoke run (< 20 s; enumerates only the V <= 6 subspace for the enumeration row and the inputs)::

    .venv/bin/python benchmarks/bench_nb101_core.py --quick

From a test: ``from bench_nb101_core import main; assert main(["--quick"]) == 0``.
"""

from __future__ import annotations

import argparse
import copy
import functools
import gc
import hashlib
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

INPUT = "input"
OUTPUT = "output"
CONV3X3 = "conv3x3-bn-relu"
CONV1X1 = "conv1x1-bn-relu"
MAXPOOL3X3 = "maxpool3x3"
ORIGINAL_AVAILABLE_OPS = [CONV3X3, CONV1X1, MAXPOOL3X3]
WIDTH = 7  # module_vertices; batches are padded to this width

FULL_SIZES = (20_000, 100_000)
QUICK_SIZES = (2_000, 5_000)


class HashMismatchError(RuntimeError):
    """Our hash and the baseline (or two of our code paths) disagree: the comparison is void."""


# --------------------------------------------------------------------------------------------
# Baseline: the original google-research/nasbench algorithms, written out in plain Python.
# --------------------------------------------------------------------------------------------


def baseline_hash_module(matrix: np.ndarray, labeling: Sequence[int]) -> str:
    """``graph_util.hash_module`` of the original code (WL-style refinement with MD5)."""
    vertices = np.shape(matrix)[0]
    in_edges = np.sum(matrix, axis=0).tolist()
    out_edges = np.sum(matrix, axis=1).tolist()
    assert len(in_edges) == len(out_edges) == len(labeling)
    # str() of the (out_degree, in_degree, label) tuple of Python ints, e.g. "(1, 0, -1)".
    triples = list(zip(out_edges, in_edges, labeling, strict=True))
    hashes = [hashlib.md5(str(h).encode("utf-8")).hexdigest() for h in triples]
    for _ in range(vertices):
        new_hashes = []
        for v in range(vertices):
            in_neighbours = [hashes[w] for w in range(vertices) if matrix[w, v]]
            out_neighbours = [hashes[w] for w in range(vertices) if matrix[v, w]]
            fingerprint = (
                "".join(sorted(in_neighbours))
                + "|"
                + "".join(sorted(out_neighbours))
                + "|"
                + hashes[v]
            )
            new_hashes.append(hashlib.md5(fingerprint.encode("utf-8")).hexdigest())
        hashes = new_hashes
    return hashlib.md5(str(sorted(hashes)).encode("utf-8")).hexdigest()


def _baseline_is_upper_triangular(matrix: np.ndarray) -> bool:
    """``graph_util.is_upper_triangular`` of the original code."""
    for src in range(np.shape(matrix)[0]):
        for dst in range(0, src + 1):
            if matrix[src, dst] != 0:
                return False
    return True


class BaselineModelSpec:
    """The original ``model_spec.ModelSpec`` (constructor checks, deep copies, ``_prune``)."""

    def __init__(self, matrix: Any, ops: list[str]) -> None:
        if not isinstance(matrix, np.ndarray):
            matrix = np.array(matrix)
        shape = np.shape(matrix)
        if len(shape) != 2 or shape[0] != shape[1]:
            raise ValueError("matrix must be square")
        if shape[0] != len(ops):
            raise ValueError("length of ops must match matrix dimensions")
        if not _baseline_is_upper_triangular(matrix):
            raise ValueError("matrix must be upper triangular")
        self.original_matrix = copy.deepcopy(matrix)
        self.original_ops = copy.deepcopy(ops)
        self.matrix: np.ndarray | None = copy.deepcopy(matrix)
        self.ops: list[str] | None = copy.deepcopy(ops)
        self.valid_spec = True
        self._prune()

    def _prune(self) -> None:
        num_vertices = np.shape(self.original_matrix)[0]
        visited_from_input = {0}
        frontier = [0]
        while frontier:
            top = frontier.pop()
            for v in range(top + 1, num_vertices):
                if self.original_matrix[top, v] and v not in visited_from_input:
                    visited_from_input.add(v)
                    frontier.append(v)
        visited_from_output = {num_vertices - 1}
        frontier = [num_vertices - 1]
        while frontier:
            top = frontier.pop()
            for v in range(0, top):
                if self.original_matrix[v, top] and v not in visited_from_output:
                    visited_from_output.add(v)
                    frontier.append(v)
        extraneous = set(range(num_vertices)).difference(
            visited_from_input.intersection(visited_from_output)
        )
        if len(extraneous) > num_vertices - 2:
            self.matrix = None
            self.ops = None
            self.valid_spec = False
            return
        assert self.matrix is not None and self.ops is not None
        self.matrix = np.delete(self.matrix, list(extraneous), axis=0)
        self.matrix = np.delete(self.matrix, list(extraneous), axis=1)
        for index in sorted(extraneous, reverse=True):
            del self.ops[index]

    def hash_spec(self, canonical_ops: list[str]) -> str:
        assert self.ops is not None and self.matrix is not None
        labeling = [-1] + [canonical_ops.index(op) for op in self.ops[1:-1]] + [-2]
        return baseline_hash_module(self.matrix, labeling)


def baseline_check_spec(spec: BaselineModelSpec) -> None:
    """The original ``api.NASBench._check_spec`` with default config (7 vertices, 9 edges)."""
    if not spec.valid_spec:
        raise ValueError("invalid spec, provided graph is disconnected.")
    assert spec.matrix is not None and spec.ops is not None
    num_vertices = len(spec.ops)
    num_edges = np.sum(spec.matrix)
    if num_vertices > 7:
        raise ValueError(f"too many vertices, got {num_vertices} (max vertices = 7)")
    if num_edges > 9:
        raise ValueError(f"too many edges, got {num_edges} (max edges = 9)")
    if spec.ops[0] != INPUT:
        raise ValueError("first operation should be 'input'")
    if spec.ops[-1] != OUTPUT:
        raise ValueError("last operation should be 'output'")
    for op in spec.ops[1:-1]:
        if op not in ORIGINAL_AVAILABLE_OPS:
            raise ValueError(f"unsupported op {op}")


def baseline_cell_hash(matrix: np.ndarray, ops: list[str]) -> str:
    """Per-cell work equivalent to one ``hash_many`` row: construct, prune, check, hash."""
    spec = BaselineModelSpec(matrix, ops)
    baseline_check_spec(spec)
    return spec.hash_spec(ORIGINAL_AVAILABLE_OPS)


def check_baseline_against_original_values() -> None:
    """The baseline must reproduce the worked values of the original code (nb101.md §2)."""
    inception = [
        [0, 1, 1, 1, 0, 1, 0],
        [0, 0, 0, 0, 0, 0, 1],
        [0, 0, 0, 0, 0, 0, 1],
        [0, 0, 0, 0, 1, 0, 0],
        [0, 0, 0, 0, 0, 0, 1],
        [0, 0, 0, 0, 0, 0, 1],
        [0, 0, 0, 0, 0, 0, 0],
    ]
    inception_ops = [INPUT, CONV1X1, CONV3X3, CONV3X3, CONV3X3, MAXPOOL3X3, OUTPUT]
    cases = [
        (
            baseline_hash_module(np.array([[0, 1], [0, 0]]), [-1, -2]),
            "043721b9c7fe8c5fad811d47d83132ec",
            "2-vertex",
        ),
        (
            baseline_cell_hash(
                np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]]), [INPUT, CONV3X3, OUTPUT]
            ),
            "b49ac8c578b4561d79ac7087988f1c61",
            "chain",
        ),
        (
            baseline_cell_hash(np.array(inception), inception_ops),
            "28cfc7874f6d200472e1a9dcd8650aa0",
            "README Inception cell",
        ),
    ]
    for got, want, name in cases:
        if got != want:
            raise HashMismatchError(f"baseline hash of {name} is {got}, original gives {want}")


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


@contextmanager
def _no_gc() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def best_of(repeat: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    """Best wall time of ``repeat`` calls of ``fn`` and the result of the last call."""
    best = float("inf")
    result = None
    for _ in range(max(1, repeat)):
        with _no_gc():
            start = time.perf_counter()
            result = fn()
            elapsed = time.perf_counter() - start
        best = min(best, elapsed)
    return best, result


def best_of_with_cpu(repeat: int, fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """:func:`best_of`, also returning the smallest process CPU time (user + system, all
    threads, ``resource.getrusage``) of one call: less sensitive to other load than wall."""
    best_wall = best_cpu = float("inf")
    result = None
    for _ in range(max(1, repeat)):
        with _no_gc():
            cpu_start = _process_cpu_seconds()
            start = time.perf_counter()
            result = fn()
            elapsed = time.perf_counter() - start
            cpu = _process_cpu_seconds() - cpu_start
        best_wall, best_cpu = min(best_wall, elapsed), min(best_cpu, cpu)
    return best_wall, best_cpu, result


def _process_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def median_call_seconds(fn: Callable[[int], Any], calls: int) -> float:
    """Median wall time of ``fn(i)`` for i in range(calls), each call timed on its own."""
    times = []
    with _no_gc():
        for i in range(calls):
            start = time.perf_counter()
            fn(i)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


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


def import_seconds(statement: str, runs: int) -> float:
    """Median time of ``statement`` in fresh interpreters (measured inside the child)."""
    code = (
        f"import time\nt = time.perf_counter()\n{statement}\nprint(repr(time.perf_counter() - t))\n"
    )
    samples = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True
        )
        samples.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(samples)


def fmt_rate(cells_per_second: float) -> str:
    if cells_per_second >= 1e6:
        return f"{cells_per_second / 1e6:.2f} M cells/s"
    if cells_per_second >= 1e3:
        return f"{cells_per_second / 1e3:.1f} k cells/s"
    return f"{cells_per_second:.0f} cells/s"


def fmt_us(seconds: float) -> str:
    us = seconds * 1e6
    return f"{us:.3f} us" if us < 10 else f"{us:.1f} us"


def fmt_seconds(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def fmt_speedup(ours: float, baseline: float) -> str:
    return f"{baseline / ours:,.0f}x" if baseline / ours >= 10 else f"{baseline / ours:.1f}x"


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------


class Cells:
    """Benchmark inputs: padded batch arrays plus the unpadded per-cell form for the baseline."""

    def __init__(self, table: Any, rows: np.ndarray) -> None:
        from nasbench_lite import nb101

        num_vertices = table.column("num_vertices").to_numpy().astype(np.int64)[rows]
        edge_bits = table.column("edge_bits").to_numpy().astype(np.int64)[rows]
        labels_col = table.column("labels").combine_chunks()
        offsets = labels_col.offsets.to_numpy()
        flat = labels_col.values.to_numpy()
        n = len(rows)
        self.size = n
        self.num_vertices = num_vertices
        self.expected_hash = table.column("hash").to_numpy(zero_copy_only=False)[rows].astype("U32")

        # Matrices decoded from the gen_is_edge_fn bits (bit k = edge (x, y), k = x + y(y-1)/2),
        # written in the top-left V x V corner of a 7 x 7 zero matrix.
        self.matrices = np.zeros((n, WIDTH, WIDTH), dtype=np.uint8)
        self.labels = np.full((n, WIDTH), nb101.PAD_LABEL, dtype=np.int8)
        for v in np.unique(num_vertices).tolist():
            sel = np.flatnonzero(num_vertices == v)
            for y in range(1, v):
                for x in range(y):
                    bit = x + y * (y - 1) // 2
                    self.matrices[sel, x, y] = (edge_bits[sel] >> bit) & 1
            starts = offsets[rows[sel]]
            for column in range(v):
                self.labels[sel, column] = flat[starts + column]
        names = np.array(["", OUTPUT, INPUT, *nb101.AVAILABLE_OPS])  # index = label + 3
        self.op_names = names[self.labels.astype(np.int64) + 3]
        # Unpadded form as a user of the original would hold it: V x V int64 ndarray + list.
        self.baseline_inputs: list[tuple[np.ndarray, list[str]]] = []
        for i in range(n):
            v = int(num_vertices[i])
            self.baseline_inputs.append(
                (self.matrices[i, :v, :v].astype(np.int64), self.op_names[i, :v].tolist())
            )


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark nasbench_lite's NAS-Bench-101 core against a pure-Python baseline "
        "of the original google-research/nasbench code."
    )
    parser.add_argument(
        "--sizes",
        type=lambda s: [int(x.replace("_", "")) for x in s.split(",") if x],
        default=None,
        help="comma-separated batch sizes N for hash_many (default 20000,100000)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per hash_many timing (best)")
    parser.add_argument("--quick", action="store_true", help="small smoke run (< 20 s)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the input sampling")
    parser.add_argument(
        "--baseline-cells",
        type=int,
        default=None,
        help="cells the baseline batch is timed on (default 2000; quick 300)",
    )
    parser.add_argument(
        "--single-calls",
        type=int,
        default=None,
        help="calls for the single-spec medians (default 2000; quick 300)",
    )
    parser.add_argument(
        "--enum-repeat",
        type=int,
        default=None,
        help="runs of enumerate_cells (best; default 2, quick 1)",
    )
    parser.add_argument(
        "--import-runs", type=int, default=5, help="fresh interpreters for the import time (median)"
    )
    args = parser.parse_args(argv)
    if args.sizes is None:
        args.sizes = list(QUICK_SIZES if args.quick else FULL_SIZES)
    if not args.sizes or min(args.sizes) < 1:
        parser.error("--sizes needs positive integers")
    if args.baseline_cells is None:
        args.baseline_cells = 300 if args.quick else 2_000
    if args.single_calls is None:
        args.single_calls = 300 if args.quick else 2_000
    if args.enum_repeat is None:
        args.enum_repeat = 1 if args.quick else 2
    # Quick mode enumerates the V <= 6 subspace only (about 0.5 s instead of several seconds).
    args.enum_max_vertices = 6 if args.quick else 7
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the benchmark, prints the table and returns 0 (raises HashMismatchError on a bug)."""
    args = parse_args(argv)
    run_start = time.perf_counter()
    load_start = load_average()

    import nasbench_lite
    from nasbench_lite import _native, nb101

    check_baseline_against_original_values()

    # 1. Enumeration (also the source of the inputs).
    enum_seconds, enum_cpu_seconds, table = best_of_with_cpu(
        args.enum_repeat, lambda: nb101.enumerate_cells(max_vertices=args.enum_max_vertices)
    )
    space_rows = table.num_rows
    sizes = sorted(set(args.sizes))
    largest = sizes[-1]
    if largest > space_rows:
        raise SystemExit(f"--sizes: at most {space_rows:,} distinct cells exist, asked {largest:,}")

    # 2. Inputs: a seeded uniform sample without replacement of enumerated (unique) cells; the
    # smaller sizes are prefixes of the largest sample.
    rng = np.random.default_rng(args.seed)
    rows = rng.permutation(space_rows)[:largest]
    cells = Cells(table, rows)
    if len(set(cells.expected_hash.tolist())) != largest:
        raise HashMismatchError("sampled cells do not have distinct hashes")

    # 3. Correctness on every benchmarked cell (untimed): baseline == hash_many == enumeration.
    ours_names = nb101.hash_many(cells.matrices, cells.op_names)
    ours_labels = nb101.hash_many(cells.matrices, cells.labels)
    verify_start = time.perf_counter()
    baseline_hashes = np.array(
        [baseline_cell_hash(m, o) for m, o in cells.baseline_inputs], dtype="U32"
    )
    verify_seconds = time.perf_counter() - verify_start
    for name, got in (
        ("hash_many(op names)", ours_names),
        ("hash_many(int labels)", ours_labels),
        ("enumerate_cells()['hash']", cells.expected_hash),
    ):
        bad = np.flatnonzero(got != baseline_hashes)
        if bad.size:
            i = int(bad[0])
            m, o = cells.baseline_inputs[i]
            raise HashMismatchError(
                f"{name} disagrees with the baseline on {bad.size} of {largest} cells; first: "
                f"matrix={m.tolist()} ops={o} ours={got[i]} baseline={baseline_hashes[i]}"
            )

    # 4. Batch throughput.
    nb101.hash_many(cells.matrices[:64], cells.op_names[:64])  # warm-up (thread pool, caches)
    batch_rows = []
    for n in sizes:
        mats, names, labels = cells.matrices[:n], cells.op_names[:n], cells.labels[:n]
        t_names = best_of_with_cpu(args.repeat, functools.partial(nb101.hash_many, mats, names))[:2]
        t_labels = best_of_with_cpu(args.repeat, functools.partial(nb101.hash_many, mats, labels))[
            :2
        ]
        batch_rows.append((n, t_names, t_labels))

    subset = cells.baseline_inputs[: min(args.baseline_cells, largest)]
    t_base, _ = best_of(args.repeat, lambda: [baseline_cell_hash(m, o) for m, o in subset])
    base_per_cell = t_base / len(subset)

    # 5. Single-spec latency (cycling through the sampled cells).
    calls = args.single_calls
    inputs = cells.baseline_inputs

    def ours_single(i: int) -> str:
        m, o = inputs[i % largest]
        return nb101.ModelSpec(m, o).hash_spec()

    def base_single(i: int) -> str:
        m, o = inputs[i % largest]
        return baseline_cell_hash(m, o)

    for i in range(min(calls, largest)):  # untimed agreement check of the single-spec path
        if ours_single(i) != baseline_hashes[i]:
            raise HashMismatchError(f"ModelSpec.hash_spec disagrees with the baseline on cell {i}")
    ours_specs = [nb101.ModelSpec(*inputs[i % largest]) for i in range(calls)]
    base_specs = [BaselineModelSpec(*inputs[i % largest]) for i in range(calls)]
    t_single_ours = median_call_seconds(ours_single, calls)
    t_single_base = median_call_seconds(base_single, calls)
    t_hash_ours = median_call_seconds(lambda i: ours_specs[i].hash_spec(), calls)
    t_hash_base = median_call_seconds(
        lambda i: base_specs[i].hash_spec(ORIGINAL_AVAILABLE_OPS), calls
    )

    # 6. Import time in fresh interpreters.
    t_import = import_seconds("import nasbench_lite", args.import_runs)
    t_import_nb101 = import_seconds("from nasbench_lite import nb101", args.import_runs)
    t_import_numpy = import_seconds("import numpy", args.import_runs)

    # ---------------------------------------------------------------------------------------
    import pyarrow

    threads = os.environ.get("RAYON_NUM_THREADS", "unset (rayon default = logical CPUs)")
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = os.cpu_count() or 0
    header = [
        "nasbench_lite NAS-Bench-101 core benchmark"
        + ("  [--quick smoke run]" if args.quick else ""),
        f"  CPU            : {cpu_model()}",
        f"  cores          : {os.cpu_count()} logical, {affinity} usable by this process; "
        f"RAYON_NUM_THREADS={threads}",
        f"  MD5 kernel     : {_native.md5_kernel()}",
        f"  versions       : Python {platform.python_version()}, numpy {np.__version__}, "
        f"pyarrow {pyarrow.__version__}, nasbench_lite {nasbench_lite.__version__}",
        f"  load average   : {load_start} at start, {load_average()} at end "
        "(other work on the machine may skew the numbers)",
        f"  inputs         : {largest:,} cells sampled without replacement (seed {args.seed}) from "
        f"nb101.enumerate_cells({'max_vertices=6' if args.quick else ''}) "
        f"({space_rows:,} unique valid cells), so all valid with distinct hashes; "
        "padded to 7 vertices for hash_many, unpadded V x V for the baseline",
        "  baseline       : pure-Python transcription of google-research/nasbench "
        "(ModelSpec ctor + _prune, api._check_spec, graph_util.hash_module via hash_spec); "
        "reproduces the original's worked hashes (2-vertex, chain, README Inception cell)",
        f"  verified       : baseline == hash_many(names) == hash_many(labels) == enumeration "
        f"hash on all {largest:,} benchmarked cells (baseline pass took {verify_seconds:.1f} s, "
        f"{verify_seconds / largest * 1e6:.0f} us/cell); ModelSpec.hash_spec == baseline on "
        f"{min(calls, largest):,} cells",
    ]

    col = ("measurement", "nasbench_lite", "baseline (pure Python)", "speed-up")
    body: list[tuple[str, str, str, str]] = []
    base_rate = f"{fmt_rate(1 / base_per_cell)}, {fmt_us(base_per_cell)}/cell"
    for n, t_names, t_labels in batch_rows:
        for kind, (t, cpu) in (("op names", t_names), ("int labels", t_labels)):
            body.append(
                (
                    f"hash_many, N={n:,} ({kind}), best of {args.repeat}",
                    f"{fmt_rate(n / t)}, {fmt_us(t / n)}/cell (CPU {fmt_us(cpu / n)}/cell)",
                    base_rate + f" [{len(subset):,}-cell subset]",
                    fmt_speedup(t / n, base_per_cell),
                )
            )
    body.append(
        (
            f"ModelSpec(m, ops).hash_spec(), median of {calls:,}",
            fmt_us(t_single_ours),
            fmt_us(t_single_base),
            fmt_speedup(t_single_ours, t_single_base),
        )
    )
    body.append(
        (
            f"spec.hash_spec() on a built spec, median of {calls:,}",
            fmt_us(t_hash_ours),
            fmt_us(t_hash_base),
            fmt_speedup(t_hash_ours, t_hash_base),
        )
    )
    enum_label = (
        f"enumerate_cells() ({space_rows:,} rows), best of {args.enum_repeat}"
        if not args.quick
        else f"enumerate_cells(max_vertices=6) ({space_rows:,} rows), best of {args.enum_repeat}"
    )
    enum_figure = f"{fmt_seconds(enum_seconds)} (CPU {fmt_seconds(enum_cpu_seconds)})"
    body.append((enum_label, enum_figure, "original: minutes (not run)", "-"))
    body.append(
        (
            f"import nasbench_lite (fresh process, median of {args.import_runs})",
            fmt_seconds(t_import),
            "n/a",
            "-",
        )
    )
    body.append(
        (
            f"from nasbench_lite import nb101 (fresh, median of {args.import_runs})",
            fmt_seconds(t_import_nb101),
            f"(import numpy alone: {fmt_seconds(t_import_numpy)})",
            "-",
        )
    )

    widths = [max(len(r[i]) for r in (col, *body)) for i in range(4)]
    line = "  ".join("-" * w for w in widths)

    def render(r: tuple[str, str, str, str]) -> str:
        return "  ".join(
            (r[i].ljust(widths[i]) if i in (0,) else r[i].rjust(widths[i])) for i in range(4)
        ).rstrip()

    print("\n".join(header))
    print()
    print(render(col))
    print(line)
    for r in body:
        print(render(r))
    print(line)
    print(
        "notes: baseline batch rate is per cell over a best-of-"
        f"{args.repeat} loop on the first {len(subset):,} sampled cells; speed-ups compare "
        "per-cell wall times; hash_many's CPU time is user + system of all threads (best "
        "run), the baseline is single-threaded so its CPU time equals its wall time; GC "
        "disabled in timed regions; no timing is asserted."
    )
    print(f"total run time: {time.perf_counter() - run_start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
