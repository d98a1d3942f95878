"""Seeded mutation fuzz campaign over every source reader, the databases and the CLI (issue #13).

``python benchmarks/fuzz_campaign.py [--inputs N] [--seed S] [--only READER ...]`` writes N
seeded mutants per reader (default 300) and runs each in a long-lived, resource-capped worker
process (``--worker``: ``RLIMIT_AS`` 3 GiB), one input at a time. Per input the worker resets
its peak RSS (``/proc/self/clear_refs``) and reports the outcome and ``VmHWM``:

* ``accepted`` -- the reader took the input (and any oracle agrees, see below);
* ``typed`` -- a ``NasbenchLiteError`` (CLI: exit 1 with one line on stderr);
* ``untyped`` -- any other exception (CLI: exit 3, another code, or a traceback);
* ``crash`` -- the worker died (a signal, an abort); it is restarted;
* ``hang`` -- no answer within ``--timeout`` seconds; the worker is killed and restarted;
* ``memory`` -- ``MemoryError`` or a peak RSS above ``--memory-mib``;
* ``silent wrong`` -- accepted although the oracle says the input is bad or the answer
  differs: NB101 -- the strict reader of ``tests/nb101_tfrecord.py`` refuses the file or
  counts other records; native pickle -- the Python reference reader (``safe_pickle``) reads
  a different value; NAR -- ``json.loads`` refuses the file; databases -- a query answers
  differently from the intact database and ``verify`` passes.

Readers: ``nb101`` (TFRecord builder: mutated file bytes, mutated JSON rows and mutated
protobuf messages, re-framed with valid CRCs), ``native_pickle`` (Rust) and ``safe_pickle``
(Python) on NATS per-arch pickles, ``stream_pickle`` (the single-file NATS reader),
``nats_build`` (archive builder, per-arch and meta file), ``nhb2_build`` (the three
NAS-HPO-Bench-II pickles), ``nar`` (NAR JSON), ``database`` (open + ``verify_database`` on byte
corruptions of a small database of every kind) and ``cli`` (``query``, ``verify``, ``info``,
``export``, ``sql`` on the same corruptions), and ``hostile_cases``: the fixed hostile pickles
of issue #13 (deep tuples, bz2 bombs, huge memo index, 256 MiB bytes, quadratic buffering, huge
int) through every pickle reader and builder (``--inputs`` does not apply; the valid plain data
among them counts as accepted). Prints one table row per reader and the load average before
and after. Needs the test helpers in ``tests/`` (run from a source checkout).
"""

from __future__ import annotations

import argparse
import base64
import bz2
import contextlib
import io
import json
import os
import pickle
import random
import resource
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parent.parent / "tests"
sys.path.insert(0, str(TESTS))

READERS = (
    "nb101",
    "native_pickle",
    "safe_pickle",
    "stream_pickle",
    "nats_build",
    "nhb2_build",
    "nar",
    "database",
    "cli",
    "hostile_cases",
)
OUTCOMES = ("accepted", "typed", "untyped", "crash", "hang", "memory", "silent wrong")
AS_LIMIT = 3 << 30
TSS = [
    "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|",
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|",
]

# --------------------------------------------------------------------------------------------
# Mutators (parent side)

_PICKLE_OPS = (
    b"().0128NKMJhjqr\x94\x95\x85\x86\x87tsuea}]\x8c\x8d\x8eXBC\x8a\x8bG\x93Rb\x8f\x90\x91"
)
_JSON_TOKENS = [b"{", b"[", b"}", b"]", b'"', b",", b":", b"1e999", b"-", b"null", b"\\u", b"\xff"]
_JSON_TOKENS += [b"9" * 5000, b"[" * 3000, b'"\\ud800"', b"true", b"0.5", b"-0"]
_PROTO_KEYS = [0x00, 0x02, 0x08, 0x09, 0x0A, 0x0B, 0x10, 0x19, 0x30, 0x32, 0x35, 0xFF, 0x80]
_BOUNDARY = [0, 1, 0x7F, 0xFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF, 1 << 27]


def mutate_bytes(rng: random.Random, data: bytes, tokens: list[bytes]) -> bytes:
    """1-4 edits: bit flip, token insert, deletion, duplicated run, boundary int, truncation."""
    out = bytearray(data)
    for _ in range(rng.randrange(1, 5)):
        at = rng.randrange(max(len(out), 1))
        choice = rng.randrange(6)
        if choice == 0 and out:
            out[at] ^= 1 << rng.randrange(8)
        elif choice == 1:
            out[at:at] = rng.choice(tokens)
        elif choice == 2:
            del out[at : at + rng.randrange(1, 16)]
        elif choice == 3:
            run = out[at : at + rng.randrange(1, 64)]
            out[at:at] = run * rng.randrange(1, 4)
        elif choice == 4:
            out[at : at + 4] = rng.choice(_BOUNDARY).to_bytes(4, "little")
        elif rng.random() < 0.3:
            del out[at:]
    return bytes(out)


def _pickle_tokens() -> list[bytes]:
    return [bytes([op]) for op in _PICKLE_OPS]


def _maybe_bz2(rng: random.Random, data: bytes) -> bytes:
    return bz2.compress(data) if rng.random() < 0.3 else data


def nb101_mutants(rng: random.Random, count: int) -> Iterator[bytes]:
    import nb101_tfrecord as tfr
    from nasbench_lite import nb101

    cells = tfr.cells_from_rows(nb101.enumerate_cells(max_vertices=3).to_pylist())
    records = tfr.synthetic_dataset(cells, epochs=(4, 108), repeats=2, seed=5)
    payloads = [r.payload() for r in records]
    whole = tfr.encode_tfrecord(payloads)
    tokens = [bytes([k]) for k in _PROTO_KEYS]
    for _ in range(count):
        level = rng.randrange(3)
        if level == 0:  # file bytes: framing and CRCs
            yield mutate_bytes(rng, whole, tokens + _JSON_TOKENS[:6])
            continue
        items = list(payloads)
        index = rng.randrange(len(items))
        if level == 1:  # the JSON row, re-framed with valid CRCs
            items[index] = mutate_bytes(rng, items[index], _JSON_TOKENS)
        else:  # the ModelMetrics protobuf, re-encoded and re-framed
            row = json.loads(items[index])
            proto = mutate_bytes(rng, base64.b64decode(row[4]), tokens)
            row[4] = base64.b64encode(proto).decode("ascii")
            items[index] = json.dumps(row).encode()
        yield tfr.encode_tfrecord(items)


def _arch_pickle() -> bytes:
    import numpy as np
    from nats_fixture import make_arch

    return pickle.dumps(make_arch(np.random.default_rng(3), 0, TSS[0], "tss"), protocol=4)


def pickle_mutants(rng: random.Random, count: int) -> Iterator[bytes]:
    pristine = _arch_pickle()
    for _ in range(count):
        yield mutate_bytes(rng, pristine, _pickle_tokens())


def stream_mutants(rng: random.Random, count: int) -> Iterator[bytes]:
    import numpy as np
    from nats_fixture import make_arch

    data = {i: make_arch(np.random.default_rng(1), i, TSS[i], "tss") for i in range(2)}
    document = {
        "meta_archs": TSS,
        "arch2infos": data,
        "evaluated_indexes": {0, 1},
        "total_archs": 2,
    }
    pristine = pickle.dumps(document, protocol=4)
    for _ in range(count):
        yield _maybe_bz2(rng, mutate_bytes(rng, pristine, _pickle_tokens()))


def nats_build_mutants(rng: random.Random, count: int, work: Path) -> Iterator[tuple[bytes, str]]:
    from nats_fixture import write_archive

    archive = work / "nats-pristine"
    write_archive(archive, TSS, "tss", [0, 1])
    names = ["000001.pickle.pbz2", "meta.pickle.pbz2"]
    pristine = {name: bz2.decompress((archive / name).read_bytes()) for name in names}
    for _ in range(count):
        name = rng.choice(names)
        yield _maybe_bz2(rng, mutate_bytes(rng, pristine[name], _pickle_tokens())), name


def nhb2_mutants(rng: random.Random, count: int, work: Path) -> Iterator[tuple[bytes, str]]:
    from nashpobench2_fixture import sample_cellcodes, write_dataset

    folder = work / "nhb2-pristine"
    write_dataset(folder, sample_cellcodes(6), seeds=(0,))
    names = ["bench12.pkl", "cellinfo.pkl", "avgaccs200.pkl"]
    pristine = {name: (folder / name).read_bytes() for name in names}
    for _ in range(count):
        name = rng.choice(names)
        yield mutate_bytes(rng, pristine[name], _pickle_tokens()), name


def nar_mutants(rng: random.Random, count: int) -> Iterator[tuple[bytes, str]]:
    names = ["nasbench101_vertice_example.json", "nasbench201_vertice_example.json"]
    pristine = {name: (TESTS / "data" / name).read_bytes() for name in names}
    for _ in range(count):
        name = rng.choice(names)
        yield mutate_bytes(rng, pristine[name], _JSON_TOKENS), name


def _page_size(data: bytes) -> int:
    raw = int.from_bytes(data[16:18], "big")
    return 65536 if raw == 1 else max(raw, 512)


def db_mutants(rng: random.Random, count: int, dbs: dict[str, Path]) -> Iterator[tuple[bytes, str]]:
    """Byte corruptions of every kind: flips (header, any page), zeroed, swapped or copied
    pages, truncation, appended garbage."""
    kinds = sorted(dbs)
    pristine = {kind: dbs[kind].read_bytes() for kind in kinds}
    for _ in range(count):
        kind = rng.choice(kinds)
        data = bytearray(pristine[kind])
        size = _page_size(data)
        pages = max(len(data) // size, 1)
        choice = rng.randrange(7)
        if choice == 0:  # flips anywhere
            for _ in range(rng.randrange(1, 9)):
                data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        elif choice == 1:  # header (first 100 bytes) and page headers
            page = rng.randrange(pages)
            base = page * size + (100 if page == 0 else 0)
            data[rng.choice([rng.randrange(100), base + rng.randrange(12)])] ^= rng.randrange(
                1, 256
            )
        elif choice == 2:
            page = rng.randrange(pages)
            data[page * size : (page + 1) * size] = bytes(size)
        elif choice == 3 and pages > 1:
            a, b = rng.sample(range(pages), 2)
            page_a = data[a * size : (a + 1) * size]
            data[a * size : (a + 1) * size] = data[b * size : (b + 1) * size]
            if rng.random() < 0.5:  # swap rather than copy
                data[b * size : (b + 1) * size] = page_a
        elif choice == 4:
            del data[rng.randrange(len(data)) :]
        elif choice == 5:
            data += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 2 * size)))
        else:  # a run of random bytes inside one page
            at = rng.randrange(len(data))
            data[at : at + 32] = bytes(rng.randrange(256) for _ in range(32))
        yield bytes(data), kind


def hostile_cases() -> Iterator[tuple[bytes, str]]:
    """The fixed hostile inputs of issue #13 (tests/test_hostile_pickles.py), every reader."""
    from test_hostile_pickles import BUILDERS, CASES, PICKLE_READERS

    for name in sorted(CASES):
        for reader in PICKLE_READERS + BUILDERS:
            yield CASES[name], reader


# --------------------------------------------------------------------------------------------
# Worker (child side)


class SilentWrong(Exception):
    """The reader accepted an input that the oracle says is bad, or answered differently."""


def _reset_peak() -> None:
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")


def _peak_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _cli(argv: list[str]) -> tuple[int, str, str]:
    from nasbench_lite import cli

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue()


class Worker:
    """Runs one job at a time; fixtures are made once per worker, in its own folder."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.expected: dict[str, tuple[list[str], str]] = {}

    def run(self, job: dict[str, Any]) -> None:
        getattr(self, f"check_{job['reader']}")(Path(job["path"]), job.get("extra"))

    def check_nb101(self, path: Path, _: Any) -> None:
        import nb101_tfrecord as tfr
        from nasbench_lite.benchmarks.nb101.build import build_nb101

        out = self.work / "nb101.sqlite"
        summary = build_nb101([path], out, force=True)
        try:
            records = 0
            for _, payload in tfr.iter_records(path.read_bytes()):
                tfr.check_record(tfr.parse_payload(payload))
                records += 1
        except tfr.TFRecordFormatError as exc:
            raise SilentWrong(f"built, but the strict reader refuses: {exc}") from exc
        if summary.rows["records"] != records:
            raise SilentWrong(f"{summary.rows['records']} records built, {records} in the file")

    def check_native_pickle(self, path: Path, _: Any) -> None:
        from nasbench_lite._core.formats import native_pickle, safe_pickle
        from nasbench_lite.errors import NasbenchLiteError
        from pickle_dump import dump

        data = path.read_bytes()
        value = native_pickle.loads(data, name=str(path), limits=native_pickle.NATS_ARCH_LIMITS)
        try:
            reference = safe_pickle.loads(data)
        except NasbenchLiteError:
            return  # the reference refuses (its own limits or rules): no value to compare
        if dump(value) != dump(reference):
            raise SilentWrong("native and Python readers read different values")

    def check_safe_pickle(self, path: Path, _: Any) -> None:
        from nasbench_lite._core.formats import safe_pickle

        safe_pickle.load_path(path)

    def check_stream_pickle(self, path: Path, _: Any) -> None:
        from nasbench_lite._core.formats.stream_pickle import iter_benchmark_file
        from nasbench_lite.benchmarks.nats.source import SINGLE_FILE_POLICY

        for _ in iter_benchmark_file(path, SINGLE_FILE_POLICY):
            pass

    def check_nats_build(self, path: Path, name: str) -> None:
        from nasbench_lite.benchmarks.nats.build import build_nats
        from nats_fixture import write_archive

        archive = self.work / "archive"
        if not archive.exists():
            write_archive(archive, TSS, "tss", [0, 1])
            self.nats_pristine = {n.name: n.read_bytes() for n in archive.iterdir()}
        for file_name, data in self.nats_pristine.items():
            (archive / file_name).write_bytes(data)
        shutil.copy(path, archive / name)
        build_nats(archive, self.work / "nats.sqlite", force=True)

    def check_nhb2_build(self, path: Path, name: str) -> None:
        from nasbench_lite.benchmarks.nashpobench2.build import build_nashpobench2
        from nashpobench2_fixture import sample_cellcodes, write_dataset

        folder = self.work / "nhb2"
        if not folder.exists():
            write_dataset(folder, sample_cellcodes(6), seeds=(0,))
            self.nhb2_pristine = {n.name: n.read_bytes() for n in folder.iterdir()}
        for file_name, data in self.nhb2_pristine.items():
            (folder / file_name).write_bytes(data)
        shutil.copy(path, folder / name)
        build_nashpobench2(folder, self.work / "nhb2.sqlite", force=True)

    def check_nar(self, path: Path, name: str) -> None:
        from nasbench_lite.benchmarks.nar.build import build_nar

        source = self.work / name
        shutil.copy(path, source)
        build_nar([source], self.work / "nar.sqlite", force=True)
        try:
            json.loads(source.read_bytes())
        except (ValueError, RecursionError) as exc:
            raise SilentWrong(f"built, but json.loads refuses: {exc!s:.200}") from exc

    def check_hostile_cases(self, path: Path, reader: str) -> None:
        import hostile_child

        work = Path(tempfile.mkdtemp(dir=self.work))
        try:
            hostile_child.run(reader, path, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def check_database(self, path: Path, extra: dict[str, str]) -> None:
        import nasbench_lite
        from nasbench_lite._core.integrity import verify_database

        with nasbench_lite.open(path):
            pass
        verify_database(path)

    def _expected(self, kind: str, pristine: str) -> tuple[list[str], str]:
        if kind not in self.expected:
            from test_registry import _query_args

            args = _query_args(kind, Path(pristine))
            code, out, err = _cli(["query", pristine, "--json", *args])
            if code != 0:
                raise RuntimeError(f"the intact {kind} database does not answer: {err}")
            self.expected[kind] = (args, out)
        return self.expected[kind]

    def check_cli(self, path: Path, extra: dict[str, str]) -> None:
        from nasbench_lite.errors import CorruptDatabaseError

        args, expected = self._expected(extra["kind"], extra["pristine"])
        export = self.work / "export"
        shutil.rmtree(export, ignore_errors=True)
        runs = {
            "query": ["query", str(path), "--json", *args],
            "verify": ["verify", str(path), "-q"],
            "info": ["info", str(path), "--json"],
            "export": ["export", str(path), "--out", str(export), "--quiet", "--force"],
            "sql": ["sql", "SELECT count(*) FROM meta", str(path)],
        }
        codes = {}
        for command, argv in runs.items():
            code, out, err = _cli(argv)
            if code not in (0, 1) or "Traceback" in err or (code == 1 and err.count("\n") != 1):
                raise RuntimeError(f"{command}: exit {code}: {err[:300]}")
            codes[command] = (code, out)
        if codes["query"][0] == 0 and codes["query"][1] != expected and codes["verify"][0] == 0:
            raise SilentWrong("query answers differently and verify passes")
        if any(code == 1 for code, _ in codes.values()):
            raise CorruptDatabaseError("refused by at least one command (exit 1, one line)")


def worker_main() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))
    results = os.fdopen(os.dup(1), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the process's lifetime
    from nasbench_lite.errors import NasbenchLiteError

    with tempfile.TemporaryDirectory(prefix="fuzz-worker-") as tmp:
        worker = Worker(Path(tmp))
        for line in sys.stdin:
            job = json.loads(line)
            _reset_peak()
            detail = ""
            try:
                worker.run(job)
                outcome = "accepted"
            except SilentWrong as exc:
                outcome, detail = "silent wrong", str(exc)
            except NasbenchLiteError:
                outcome = "typed"
            except MemoryError:
                outcome = "memory"
            except Exception as exc:  # noqa: BLE001 - the point is to report anything else
                outcome, detail = "untyped", f"{type(exc).__name__}: {exc!s:.300}"
            reply = {"outcome": outcome, "detail": detail, "peak_kib": _peak_kib()}
            results.write(json.dumps(reply) + "\n")


# --------------------------------------------------------------------------------------------
# Parent


class Runner:
    """Feeds jobs to a worker; restarts it after a crash or a hang."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.proc: subprocess.Popen[str] | None = None

    def _start(self) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, __file__, "--worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )

    def run(self, job: dict[str, Any]) -> dict[str, Any]:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = self._start()
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.write(json.dumps(job) + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            self.proc = None
            return {"outcome": "crash", "detail": "worker gone", "peak_kib": 0}
        selector = selectors.DefaultSelector()
        selector.register(self.proc.stdout, selectors.EVENT_READ)
        ready = selector.select(self.timeout)
        selector.close()
        if not ready:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
            return {"outcome": "hang", "detail": f"no answer in {self.timeout} s", "peak_kib": 0}
        line = self.proc.stdout.readline()
        if not line:
            code = self.proc.wait()
            self.proc = None
            return {"outcome": "crash", "detail": f"worker exit {code}", "peak_kib": 0}
        return dict(json.loads(line))

    def close(self) -> None:
        if self.proc is not None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            self.proc.wait()


def jobs_for(reader: str, rng: random.Random, count: int, work: Path) -> Iterator[dict[str, Any]]:
    """(job, input file) for ``count`` mutants of ``reader``."""
    folder = work / reader
    folder.mkdir()
    mutants: Iterator[Any]
    if reader == "nb101":
        mutants = ((m, None) for m in nb101_mutants(rng, count))
    elif reader in ("native_pickle", "safe_pickle"):
        mutants = ((m, None) for m in pickle_mutants(rng, count))
    elif reader == "stream_pickle":
        mutants = ((m, None) for m in stream_mutants(rng, count))
    elif reader == "nats_build":
        mutants = nats_build_mutants(rng, count, folder)
    elif reader == "nhb2_build":
        mutants = nhb2_mutants(rng, count, folder)
    elif reader == "nar":
        mutants = nar_mutants(rng, count)
    elif reader == "hostile_cases":
        mutants = hostile_cases()
    else:
        import kind_dbs

        dbs = kind_dbs.build_all(folder / "pristine")
        mutants = (
            (data, {"kind": kind, "pristine": str(dbs[kind])})
            for data, kind in db_mutants(rng, count, dbs)
        )
    for index, (data, extra) in enumerate(mutants):
        # Hostile cases keep the pickle suffix the readers see in the suite.
        suffix = ".pickle.pbz2" if reader == "hostile_cases" else ""
        path = folder / f"input-{index % 2}{suffix}"
        path.write_bytes(data)
        yield {"reader": reader, "path": str(path), "extra": extra}


def campaign(args: argparse.Namespace) -> int:
    print(f"load average before: {os.getloadavg()}", flush=True)
    header = f"| reader | inputs | {' | '.join(OUTCOMES)} | max peak RSS (MiB) | seconds |"
    rows = [header, "|" + "---|" * (len(OUTCOMES) + 4)]
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="fuzz-campaign-") as tmp:
        for reader in args.only or READERS:
            rng = random.Random(f"{args.seed}-{reader}")
            runner = Runner(args.timeout)
            counts: Counter[str] = Counter()
            peak = 0
            start = time.monotonic()
            for job in jobs_for(reader, rng, args.inputs, Path(tmp)):
                result = runner.run(job)
                outcome = result["outcome"]
                if result["peak_kib"] > args.memory_mib * 1024 and outcome in ("accepted", "typed"):
                    outcome = "memory"
                counts[outcome] += 1
                peak = max(peak, result["peak_kib"])
                if outcome not in ("accepted", "typed") and len(failures) < 50:
                    failures.append(f"{reader}: {outcome}: {result['detail']}")
                    if args.keep:
                        keep = Path(args.keep) / f"{reader}-{sum(counts.values())}"
                        keep.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy(job["path"], keep)
            runner.close()
            cells = " | ".join(f"{counts[o]:,}" for o in OUTCOMES)
            seconds = time.monotonic() - start
            total = sum(counts.values())
            row = f"| {reader} | {total:,} | {cells} | {peak / 1024:.0f} | {seconds:.0f} |"
            rows.append(row)
            print(row, flush=True)
    print()
    print("\n".join(rows))
    print(f"load average after: {os.getloadavg()}")
    for line in failures:
        print(line)
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--inputs", type=int, default=300, help="mutants per reader")
    parser.add_argument("--seed", default="13")
    parser.add_argument("--only", nargs="*", choices=READERS)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per input")
    parser.add_argument("--memory-mib", type=int, default=1024, help="peak RSS counted as memory")
    parser.add_argument("--keep", help="copy failing inputs into this folder")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker_main()
        return 0
    return campaign(args)


if __name__ == "__main__":
    sys.exit(main())
