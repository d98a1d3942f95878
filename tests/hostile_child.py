"""Runs one of our source readers on one (hostile) file, in a resource-capped child process.

``python hostile_child.py READER FILE [MUTANTS_SEED COUNT]`` sets ``RLIMIT_AS`` / ``RLIMIT_CPU``
itself (before any import that allocates), runs READER, and prints one JSON line: ``outcome``
(``ok`` / ``typed`` / ``untyped``), the exception class, and the peak RSS in KiB. A crash
(segfault, CPU limit) shows as a signal exit code instead. Used by tests/test_hostile_pickles.py.
"""

from __future__ import annotations

import resource
import sys

AS_LIMIT = 3 << 30  # address space: thread stacks and arenas need room, the RSS check is below
CPU_LIMIT = 60  # seconds of CPU: the quadratic buffer took > 150 s on a 232-byte input


def _cap() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_LIMIT, CPU_LIMIT))


# Only as a script: benchmarks/fuzz_campaign.py imports ``run`` into a long-lived worker that
# caps itself (a 60 s CPU limit would end the whole campaign).
if __name__ == "__main__":
    _cap()

import contextlib  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))

from nasbench_lite.errors import NasbenchLiteError  # noqa: E402

TSS_ARCH = (
    "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|"
    "+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|"
)


def _nats_archive(hostile: Path, work: Path, as_meta: bool) -> None:
    from nasbench_lite.benchmarks.nats.build import build_nats
    from nats_fixture import write_archive

    archive = work / "archive"
    write_archive(archive, [TSS_ARCH], "tss", [])
    shutil.copy(hostile, archive / ("meta.pickle.pbz2" if as_meta else "000000.pickle.pbz2"))
    build_nats(archive, work / "out.sqlite")


def _nashpobench2(hostile: Path, work: Path, name: str) -> None:
    from nasbench_lite.benchmarks.nashpobench2.build import build_nashpobench2
    from nashpobench2_fixture import sample_cellcodes, write_dataset

    folder = work / "nhb2"
    write_dataset(folder, sample_cellcodes(6), seeds=(0,))
    shutil.copy(hostile, folder / name)
    build_nashpobench2(folder, work / "out.sqlite")


def _nats_file_policy() -> Any:
    """The key policy ``benchmarks/nats/build.py`` reads a NATS-Bench single file with."""
    from nasbench_lite.benchmarks.nats.source import SINGLE_FILE_POLICY

    return SINGLE_FILE_POLICY


def run(reader: str, path: Path, work: Path) -> None:
    """Runs ``reader`` on ``path`` (exceptions propagate)."""
    if reader == "native":
        from nasbench_lite._core.formats import native_pickle

        native_pickle.loads(path.read_bytes(), name=str(path))
    elif reader == "native_file":
        from nasbench_lite._core.formats import native_pickle

        native_pickle.load_paths([path, path])
    elif reader == "safe_pickle":
        from nasbench_lite._core.formats import safe_pickle

        safe_pickle.load_path(path)
    elif reader == "stream":
        from nasbench_lite._core.formats.stream_pickle import iter_benchmark_file

        for _ in iter_benchmark_file(path, _nats_file_policy()):
            pass
    elif reader == "stream_small_blocks":
        # 1 KiB blocks and a 64 MiB argument cap: a 32 MiB string takes 32,768 blocks, which
        # the old re-concatenating buffer copied ~550 GB for (minutes: the CPU cap kills it).
        from nasbench_lite._core.formats import stream_pickle, stream_pickle_input

        stream_pickle_input.BLOCK = 1024
        stream_pickle_input.MAX_ARG = 64 << 20
        for _ in stream_pickle.iter_benchmark_file(path, _nats_file_policy()):
            pass
    elif reader == "nats_build_file":
        from nasbench_lite.benchmarks.nats.build import build_nats

        build_nats(path, work / "out.sqlite")
    elif reader in ("nats_build_arch", "nats_build_meta"):
        _nats_archive(path, work, reader == "nats_build_meta")
    elif reader.startswith("nhb2_"):
        _nashpobench2(path, work, reader[len("nhb2_") :])
    else:
        raise SystemExit(f"unknown reader {reader}")


def peak_rss_kib() -> int:
    """This process's own peak RSS in KiB.

    ``getrusage(RUSAGE_SELF).ru_maxrss`` keeps the high-water mark of the memory the process had
    before ``exec`` -- with ``vfork``/``posix_spawn`` that is the *parent's* (a pytest process
    hundreds of MB large late in a run) -- so read the current image's ``VmHWM`` instead.
    """
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def main() -> None:
    reader, path = sys.argv[1], Path(sys.argv[2])
    with tempfile.TemporaryDirectory() as tmp:
        try:
            run(reader, path, Path(tmp))
            outcome, name = "ok", ""
        except NasbenchLiteError as exc:
            outcome, name = "typed", type(exc).__name__
        except BaseException as exc:  # noqa: BLE001 - the point is to report anything else
            outcome, name = "untyped", f"{type(exc).__name__}: {str(exc)[:200]}"
    peak = peak_rss_kib()
    print(json.dumps({"outcome": outcome, "error": name, "peak_kib": peak}))


if __name__ == "__main__":
    main()
