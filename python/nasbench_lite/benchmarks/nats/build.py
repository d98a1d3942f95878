"""``nasbench-lite build nats SOURCE``: one NATS-Bench space's results in one SQLite file.

``SOURCE`` is an official ``-simple``/``-full`` archive directory or the single
``.pickle.pbz2`` benchmark file (see :mod:`nasbench_lite.benchmarks.nats.source`). Architectures
are read,
checked and written one at a time, so memory stays flat whatever the source size; the output
replaces ``-o`` only when the whole build succeeded
(:func:`~nasbench_lite._core.building.atomic_output`).
Every architecture of the meta list is stored, with or without results.
"""

from __future__ import annotations

import collections
import gc
import json
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nasbench_lite._core.arguments import check_public
from nasbench_lite._core.building import BuildSession, BuildSummary, file_sha256
from nasbench_lite._core.formats.native_pickle import NATS_ARCH_LIMITS, load_path
from nasbench_lite._core.schema import load_schema
from nasbench_lite._native import NatsBuildBatch, NatsCurvesPacker
from nasbench_lite.benchmarks.nats.aggregate import compute_costs, mean_or_none
from nasbench_lite.benchmarks.nats.packing import GroupDirectory, page_size_of
from nasbench_lite.benchmarks.nats.source import (
    ArchRuns,
    RunRecord,
    archive_files,
    detect_space,
    load_archive_meta,
    read_build_batch,
    read_meta,
    stored_runs,
)
from nasbench_lite.benchmarks.nats.trial import FINAL_FIELDS, SET_COLUMNS, finals_from_row
from nasbench_lite.errors import (
    BuildError,
    CorruptSourceError,
    InvalidInputError,
    NotInDatabaseError,
)

__all__ = ["build_nats"]

_RUN_COLUMNS = (
    "arch_index, hp, dataset, seed, run_id, dataset_order, seed_order, seed_label, epochs,"
    " eval_names, config_id, " + ", ".join(FINAL_FIELDS) + ", nan_mask"
)
_RUN_SQL = f"INSERT INTO runs ({_RUN_COLUMNS}) VALUES ({', '.join('?' * (12 + len(FINAL_FIELDS)))})"
#: Where each group's curves rows are (packing.GroupDirectory, written after the stream).
_SHAPE_SQL = "INSERT INTO curve_shapes VALUES (?, ?, ?, ?, ?)"
_ACCURACY_COLUMNS = [f"{c}_accuracy" for c in SET_COLUMNS.values()]
_SUMMARY_SQL = (
    "INSERT INTO summaries (hp, dataset, arch_index, n_seeds, flops, params, latency, "
    + ", ".join(_ACCURACY_COLUMNS)
    + f") VALUES ({', '.join('?' * (7 + len(_ACCURACY_COLUMNS)))})"
)


@dataclass
class _Segment:
    """Consecutive strict-layout files of one native batch (their rows come from Rust)."""

    batch: NatsBuildBatch
    start: int
    stop: int
    files: list[tuple[int, Path]]


#: Per architecture file, in index order: ``(index, runs, path)`` for a file the Python
#: reference read, or a :class:`_Segment` of natively read files. An archive's stream first
#: yields None once it has started reading (the builder primes it before writing ``archs``).
ArchStream = Iterator[tuple[int, ArchRuns, Path] | _Segment | None]

#: Per-architecture files read per native call (read, decompressed, parsed, walked and encoded
#: in parallel); 32 keep both cores busy through uneven files and hold a few MB.
_BATCH_FILES = 32
_IN_FLIGHT = 3


def _segments(batch: NatsBuildBatch, files: list[tuple[int, Path]], archs: list[str]) -> ArchStream:
    """A native batch as segments, with its irregular files read by the reference walker."""
    start = 0
    for position, _reason in batch.irregular():
        if position > start:
            yield _Segment(batch, start, position, files[start:position])
        index, path = files[position]
        data = load_path(path, limits=NATS_ARCH_LIMITS)
        yield index, stored_runs(index, archs[index], data, path), path
        start = position + 1
    if start < len(files):
        yield _Segment(batch, start, len(files), files[start:])


def _archive_source(directory: Path) -> tuple[list[str], ArchStream, dict[str, str]]:
    archs = load_archive_meta(directory)
    files = list(archive_files(directory, len(archs)))

    def stream() -> ArchStream:
        # Batches of files are read, walked and encoded in Rust (GIL released, rayon on every
        # core), a few batches ahead, while this thread writes the rows Rust made (in the
        # build's one transaction). A file outside the strict layout goes through the Python
        # reference walker, which accepts it or names the bad key.
        batches = [files[i : i + _BATCH_FILES] for i in range(0, len(files), _BATCH_FILES)]

        def load(batch: list[tuple[int, Path]]) -> NatsBuildBatch:
            return read_build_batch(batch, archs)

        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="nats-read") as pool:
            pending = collections.deque(pool.submit(load, b) for b in batches[:_IN_FLIGHT])
            yield None  # primed: the first batches are being read (see build_nats)
            for number, batch in enumerate(batches):
                native = pending.popleft().result()
                if number + _IN_FLIGHT < len(batches):
                    pending.append(pool.submit(load, batches[number + _IN_FLIGHT]))
                yield from _segments(native, batch, archs)

    info = {
        "source.form": "archive directory",
        "source.meta_sha256": file_sha256(directory / "meta.pickle.pbz2"),
        "source.files": str(len(files)),
    }
    return archs, stream(), info


def _file_source(path: Path) -> tuple[list[str], ArchStream, dict[str, str]]:
    from nasbench_lite._core.formats.stream_pickle import iter_benchmark_file
    from nasbench_lite.benchmarks.nats.source import SINGLE_FILE_POLICY

    events = iter_benchmark_file(path, SINGLE_FILE_POLICY)
    first_key, first_value = next(events, ("", None))
    if first_key != "meta_archs":
        raise CorruptSourceError(
            f"{path}: 'meta_archs' must come first in the benchmark dict, found {first_key!r}", path
        )
    archs = read_meta({"meta_archs": first_value}, path)

    def stream() -> ArchStream:
        for key, value in events:
            if key != "arch":
                continue
            index, data = value
            if not isinstance(index, int) or not 0 <= index < len(archs):
                raise CorruptSourceError(
                    f"{path}: 'arch2infos' key {index!r} is not an index", path
                )
            yield index, stored_runs(index, archs[index], data, path), path

    info = {"source.form": "single benchmark file", "source.sha256": file_sha256(path)}
    return archs, stream(), info


def _summary(
    index: int, hp: str, runs: list[RunRecord], finals: list[dict[str, Any]]
) -> tuple[Any, ...]:
    seeds = [r.seed for r in runs]
    try:
        costs = compute_costs(finals, seeds, [r.eval_names for r in runs])
        flops, params, latency = costs["flops"], costs["params"], costs["latency"]
    except NotInDatabaseError:  # get_cost_info raises the same error; find_best skips them
        flops = params = latency = None
    metrics = []
    for column in _ACCURACY_COLUMNS:
        values = [f[column] for f in finals]
        # A set is comparable only when every trial has it (else get_metrics raises).
        metrics.append(mean_or_none(values) if all(v is not None for v in values) else None)
    return (hp, runs[0].dataset, index, len(seeds), flops, params, latency, *metrics)


def build_nats(
    source: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    space: str | None = None,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> BuildSummary:
    """Builds a NATS-Bench database from an official archive directory or benchmark file.

    Args:
        source: The ``NATS-{tss,sss}-...-simple`` directory or ``...pickle.pbz2`` file.
        output: SQLite file to write.
        space: ``'tss'`` or ``'sss'`` (default: detected from the architecture strings).
        force: Replace an existing output.
        progress: Optional ``progress(done, total)`` in architectures read.

    Returns:
        A :class:`~nasbench_lite._core.building.BuildSummary`.

    Raises:
        CorruptSourceError: A file that does not match the official layout (names file and key).
        UnsafePickleError: A pickle naming code to run (nothing is run).
        OutputExistsError: ``output`` exists and ``force`` is False.
        BuildError: Unreadable source or unwritable output.
    """
    source = Path(source)
    if space not in (None, "tss", "sss"):
        raise InvalidInputError(f"space must be 'tss' or 'sss', got {space!r}")
    if source.is_dir():
        archs, stream, source_info = _archive_source(source)
    elif source.is_file():
        archs, stream, source_info = _file_source(source)
    else:
        raise BuildError(f"{source}: no such file or directory", source)
    detected = detect_space(archs, source) if space is None else space
    if space is not None and archs and detect_space(archs, source) != space:
        raise BuildError(f"{source}: --space {space} given but the architectures are not {space}")
    total = len(archs) if source.is_file() else int(source_info["source.files"])
    page_size = page_size_of(detected)
    with BuildSession(
        output, load_schema("nats"), force=force, page_size=page_size, protect=[source]
    ) as session:
        connection = session.connection
        # The archive's reader threads start on the first files while this thread writes the
        # architecture list (the unique strings and classes take ~1 s for tss).
        if source.is_dir():
            next(stream, None)
        rows = _write_archs(connection, archs, detected, source)
        # packing.CurvesPacker's order, computed natively (the same ids; tested against it)
        packer = NatsCurvesPacker(page_size)
        counts = _write_results(connection, archs, stream, total, progress, packer)
        connection.execute(
            "UPDATE archs SET has_results = 1 WHERE arch_index IN"
            " (SELECT DISTINCT arch_index FROM arch_hps)"
        )
        session.after_load("CREATE UNIQUE INDEX archs_arch ON archs(arch_str)")
        if detected == "tss":
            session.after_load("CREATE INDEX archs_class ON archs(class_index)")
        session.sources.append(_fingerprint(source, source_info))
        session.set_meta(
            {
                "space": detected,
                "source.name": source.name,
                **source_info,
                "total_archs": rows,
                "archs_with_results": counts["archs_with_results"],
                "runs": counts["runs"],
                "hps": json.dumps(sorted(counts["hps"])),
                "datasets": json.dumps(sorted(counts["datasets"])),
            }
        )
    rows_out = {
        "archs": rows,
        "archs_with_results": counts["archs_with_results"],
        "runs": counts["runs"],
    }
    summary = session.result()
    return BuildSummary(summary.path, summary.kind, rows_out, summary.meta)


def _fingerprint(source: Path, info: dict[str, str]) -> dict[str, Any]:
    """``meta.sources`` entry from the digests the source readers computed anyway."""
    if source.is_file():
        return {"name": source.name, "size": source.stat().st_size, "sha256": info["source.sha256"]}
    # An archive directory: its meta file's digest (hashing every per-arch file would read the
    # archive twice), and the file count.
    return {
        "name": source.name,
        "size": None,
        "sha256": None,
        "files": int(info["source.files"]),
        "meta_sha256": info["source.meta_sha256"],
    }


def _write_archs(connection: Any, archs: list[str], space: str, source: Path) -> int:
    if space == "tss":
        from nasbench_lite.spaces.nb201.space import isomorphism_classes, unique_str

        try:
            uniques: list[Any] = [unique_str(a) for a in archs]
            classes: list[Any] = isomorphism_classes(archs).tolist() if archs else []
        except InvalidInputError as exc:
            raise CorruptSourceError(f"{source}: meta_archs: {exc}", source) from None
    else:
        uniques = classes = [None] * len(archs)
    connection.executemany(
        "INSERT INTO archs VALUES (?, ?, ?, ?, 0)",
        zip(range(len(archs)), archs, uniques, classes, strict=True),
    )
    return len(archs)


#: One file's (or segment's) rows: ``(config_rows, hp_rows, run_rows, curve_rows,
#: summary_rows, hps, datasets, runs)``, as ``NatsBuildBatch.rows`` returns them.
Rows = tuple[list[Any], list[Any], list[Any], list[Any], list[Any], list[str], list[str], int]


def _reference_rows(index: int, arch_runs: ArchRuns, run_id: int, configs: dict[str, int]) -> Rows:
    """The rows of one file read by the Python reference (what ``NatsBuildBatch.rows`` gives).

    ``configs`` maps config JSON to its id and gains the new ones.
    """
    hp_rows, run_rows, curve_rows, summary_rows, config_rows = [], [], [], [], []
    hps: list[str] = []
    datasets: list[str] = []
    first_run = run_id
    for hp, hp_order, runs in arch_runs:
        hps.append(hp)
        hp_rows.append((index, hp, hp_order))
        by_dataset: dict[str, list[tuple[RunRecord, dict[str, Any]]]] = {}
        for record, values, nan_mask, blob in runs:
            if record.dataset not in datasets:
                datasets.append(record.dataset)
            config_id = None
            if record.config is not None:
                config_id = configs.get(record.config)
                if config_id is None:
                    config_id = configs[record.config] = len(configs)
                    config_rows.append((config_id, record.config))
            run_rows.append(
                (
                    index, hp, record.dataset, record.seed, run_id, record.dataset_order,
                    record.seed_order, record.seed_label, record.epochs,
                    ",".join(record.eval_names), config_id,
                    *values, nan_mask,
                )
            )  # fmt: skip
            curve_rows.append((run_id, blob))
            run_id += 1
            # The exact scalars the API will read back (NaN restored from the mask).
            finals = finals_from_row(values, nan_mask)
            by_dataset.setdefault(record.dataset, []).append((record, finals))
        for pairs in by_dataset.values():
            pairs.sort(key=lambda p: p[0].seed_order)
            summary_rows.append(_summary(index, hp, [p[0] for p in pairs], [p[1] for p in pairs]))
    return (
        config_rows, hp_rows, run_rows, curve_rows, summary_rows, hps, datasets, run_id - first_run
    )  # fmt: skip


def _write_results(
    connection: Any,
    archs: list[str],
    stream: ArchStream,
    total: int,
    progress: Callable[[int, int], None] | None,
    packer: NatsCurvesPacker,
) -> dict[str, Any]:
    # Millions of short-lived row tuples, none in a cycle: the cyclic collector would only
    # rescan them (measured ~3% of this thread); it is restored after the stream.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _write_stream(connection, stream, total, progress, packer)
    finally:
        if collecting:
            gc.enable()


def _write_stream(
    connection: Any,
    stream: ArchStream,
    total: int,
    progress: Callable[[int, int], None] | None,
    packer: NatsCurvesPacker,
) -> dict[str, Any]:
    configs: dict[str, int] = {}
    directory = GroupDirectory()
    seen: set[int] = set()
    run_id = 0
    hps: set[str] = set()
    datasets: set[str] = set()
    done = 0
    for item in stream:
        if item is None:
            continue
        if isinstance(item, _Segment):
            indexes = [index for index, _ in item.files]
            paths = [path for _, path in item.files]
            # rows built natively, runs and curves already in the packer's order and ids
            rows: Rows = packer.add_batch(item.batch, item.start, item.stop, configs)
            packed = True
        else:
            index, arch_runs, path = item
            indexes, paths = [index], [path]
            rows = _reference_rows(index, arch_runs, run_id, configs)
            packed = False
        for index, path in zip(indexes, paths, strict=True):
            if index in seen:
                raise CorruptSourceError(f"{path}: architecture {index} appears twice", path)
            seen.add(index)
        config_rows, hp_rows, run_rows, curve_rows, summary_rows, new_hps, new_datasets, n = rows
        run_id += n
        hps.update(new_hps)
        datasets.update(new_datasets)
        # One executemany per table and segment (the build's transaction).
        if config_rows:
            connection.executemany("INSERT INTO configs VALUES (?, ?)", config_rows)
        connection.executemany("INSERT INTO arch_hps VALUES (?, ?, ?)", hp_rows)
        # runs get their run ids in curves' page-packed storage order (see packing.py)
        if not packed:
            run_rows, curve_rows = packer.add(run_rows, curve_rows)
        connection.executemany(_RUN_SQL, run_rows)
        directory.add(run_rows)
        connection.executemany("INSERT INTO curves VALUES (?, ?)", curve_rows)
        connection.executemany(_SUMMARY_SQL, summary_rows)
        if progress is not None:
            for _ in indexes:
                done += 1
                progress(done, total)
    run_rows, curve_rows = packer.finish()
    connection.executemany(_RUN_SQL, run_rows)
    directory.add(run_rows)
    connection.executemany("INSERT INTO curves VALUES (?, ?)", curve_rows)
    connection.executemany(_SHAPE_SQL, directory.shape_rows())
    connection.executemany("INSERT INTO curve_index VALUES (?, ?)", directory.index_rows())
    return {"archs_with_results": len(seen), "runs": run_id, "hps": hps, "datasets": datasets}


check_public(globals())
