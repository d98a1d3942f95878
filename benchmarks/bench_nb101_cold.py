"""Cold start of the native NB101 API for ``bench_nb101_search.py`` (issue #16).

Fresh interpreters time ``import nasbench_lite.nb101``, opening a database and a first query
(and whether any of it imported numpy), medians of ``runs``; the rows, targets and the
``--cold-only`` report of the search benchmark are built from them here. Also the time
formatter the search benchmark's table uses.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench_nb101_core import cpu_model, load_average


def fmt_us(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.1f} us"


def cold_first_query(database: Path, matrix: list[list[int]], ops: list[str], runs: int) -> Any:
    """Median (import, open, first query, total, numpy imported?) in fresh interpreters."""
    # The first query reads what a search reads (the accuracies), not the adjacency ndarray,
    # which is built (importing numpy) only when read. CPU seconds of the same span are
    # reported too: on a loaded machine the wall clock mostly measures waiting for a core.
    code = (
        "import sys, time\n"
        "c0, t0 = time.process_time(), time.perf_counter()\n"
        "from nasbench_lite.nb101 import api\n"
        "t1 = time.perf_counter()\n"
        f"nasbench = api.NASBench({str(database)!r}, seed=0)\n"
        "t2 = time.perf_counter()\n"
        f"data = nasbench.query(api.ModelSpec({matrix!r}, {ops!r}))\n"
        "accuracy = data['validation_accuracy'], data['test_accuracy']\n"
        "t3, c3 = time.perf_counter(), time.process_time()\n"
        "numpy_after_open = NUMPY\n"
        "print(t1 - t0, t2 - t1, t3 - t2, t3 - t0, c3 - c0, int(numpy_after_open))\n"
    )
    probe = (
        "import sys, time\n"
        "c0, t0 = time.process_time(), time.perf_counter()\n"
        "import nasbench_lite.nb101\n"
        "t1, c1 = time.perf_counter(), time.process_time()\n"
        "print(t1 - t0, c1 - c0, int('numpy' in sys.modules))\n"
    )
    code = code.replace("NUMPY", "'numpy' in sys.modules", 1)
    # As installed: pip compiles every module to bytecode, but this checkout may run with
    # PYTHONDONTWRITEBYTECODE=1 (then each import compiles our sources again, ~3x the import
    # time). The children keep their bytecode under the work folder (PYTHONPYCACHEPREFIX,
    # never in the source tree), written by one untimed run of each script.
    env = dict(os.environ, PYTHONPYCACHEPREFIX=str(database.parent / "pycache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)

    def child(script: str) -> list[str]:
        return subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env
        ).stdout.split()

    child(code)
    child(probe)
    results = [[float(x) for x in child(code)] for _ in range(runs)]
    imports = []
    for _ in range(runs):
        out = child(probe)
        imports.append((float(out[0]), float(out[1]), int(out[2])))
    columns = list(zip(*results, strict=True))
    return (
        [statistics.median(c) for c in columns[:5]],
        bool(max(columns[5])),
        (statistics.median(x for x, _, _ in imports), statistics.median(c for _, c, _ in imports)),
        bool(max(n for _, _, n in imports)),
    )


def cold_rows(cold: Any) -> list[tuple[str, ...]]:
    """The two cold-start table rows of :func:`cold_first_query`'s result."""
    (imp, opn, first, total, total_cpu), numpy_in_query, import_pair, numpy_on_import = cold
    import_only, import_cpu = import_pair
    return [
        (
            "cold import+open+first query (native)",
            "-",
            "-",
            "",
            f"{fmt_us(total)} (import {fmt_us(imp)}, open {fmt_us(opn)}, query {fmt_us(first)};"
            f" CPU {fmt_us(total_cpu)}; numpy imported: {'yes' if numpy_in_query else 'no'})",
            "",
        ),
        (
            "import nasbench_lite.nb101",
            "-",
            "-",
            "",
            f"{fmt_us(import_only)} (CPU {fmt_us(import_cpu)}; numpy imported:"
            f" {'yes' if numpy_on_import else 'no'})",
            "",
        ),
    ]


def cold_targets(cold: Any) -> list[tuple[str, bool]]:
    """The cold-start targets of #16 and whether the measured medians meet them."""
    (_, _, _, total, _), numpy_in_query, (import_only, _), numpy_on_import = cold
    return [
        ("cold import+open+first query < 50 ms", total < 0.050 and not numpy_in_query),
        (
            "import nasbench_lite.nb101 without numpy < 30 ms",
            import_only < 0.030 and not numpy_on_import,
        ),
    ]


def cold_only(database: Path, runs: int, load_start: str) -> int:
    """Prints only the cold-start rows (a cell of the database as the first query)."""
    from nasbench_lite.nb101 import api as native_api

    with native_api.NASBench(database, seed=0) as nasbench:
        fixed, _ = nasbench.get_metrics_from_hash(next(iter(nasbench.hash_iterator())))
    matrix, ops = fixed["module_adjacency"].tolist(), list(fixed["module_operations"])
    cold = cold_first_query(database, matrix, ops, runs)
    print(f"NB101 cold start, {runs} fresh interpreters each (medians)")
    print(f"CPU: {cpu_model()}, {os.cpu_count()} cores; load average {load_start} ->", end=" ")
    print(load_average())
    for row in cold_rows(cold):
        print(f"{row[0]}: {row[4]}")
    for label, ok in cold_targets(cold):
        print(f"target {label}: {'met' if ok else 'NOT met'}")
    return 0
