"""The ``nasbench-lite`` command line: thin subcommands over the library.

Exit codes: 0 success, 1 a user error (bad input, missing file, existing output...) reported on
one line without a traceback, 2 a usage error (argparse), 3 an internal error (a bug).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from nasbench_lite import __version__
from nasbench_lite._optional import import_pyarrow
from nasbench_lite.errors import InternalError, InvalidInputError, NasbenchLiteError

__all__ = ["main", "build_parser"]


@contextmanager
def progressbar(
    total: int | None, description: str, *, quiet: bool, unit: str = "it"
) -> Iterator[Callable[[int, int], None]]:
    """A tqdm bar on stderr driven by ``update(done, total)`` callbacks; silent when quiet.

    Args:
        total: Total amount of work (None: unknown until the first callback).
        description: Bar label.
        quiet: Disable the bar.
        unit: Unit name shown by the bar.

    Yields:
        The ``update(done, total)`` callback to hand to library functions.
    """
    from tqdm import tqdm

    with tqdm(
        total=total, desc=description, unit=unit, unit_scale=True, disable=quiet, file=sys.stderr
    ) as bar:

        def update(done: int, new_total: int) -> None:
            bar.total = new_total
            bar.update(done - bar.n)

        yield update


def _emit(payload: dict[str, Any], as_json: bool, lines: list[str]) -> None:
    """Prints ``payload`` as JSON or the human-readable ``lines``."""
    if as_json:
        print(json.dumps(payload, indent=2, sort_keys=True))
    else:
        print("\n".join(lines))


def _json_argument(text: str, name: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(
            f"--{name} is not valid JSON: {exc.msg} (at char {exc.pos})"
        ) from exc


def _spec_from_args(args: argparse.Namespace) -> Any:
    from nasbench_lite.nb101 import ModelSpec

    matrix = _json_argument(args.matrix, "matrix")
    ops = _json_argument(args.ops, "ops")
    if not isinstance(ops, list) or not all(isinstance(op, str) for op in ops):
        raise InvalidInputError("--ops must be a JSON list of op-name strings")
    if not isinstance(matrix, list):
        raise InvalidInputError("--matrix must be a JSON list of lists (the adjacency matrix)")
    return ModelSpec(matrix, ops)


def _cmd_build(args: argparse.Namespace) -> int:
    from nasbench_lite.build import build_nb101_space
    from nasbench_lite.nb101 import count_labelled_graphs

    with progressbar(
        count_labelled_graphs(), "enumerating NB101 cells", quiet=args.quiet, unit="graph"
    ) as update:
        summary = build_nb101_space(args.output, force=args.force, progress=update)
    _emit(
        {
            "path": str(summary.path),
            "kind": summary.kind,
            "rows": summary.rows,
            "meta": summary.meta,
        },
        args.json,
        [f"wrote {summary.path} ({summary.kind}): {summary.rows['cells']:,} cells"],
    )
    return 0


def _build_from_files(args: argparse.Namespace, builder: Any, label: str) -> Any:
    """Runs a file-reading builder with a byte-based progress bar; returns its summary."""
    total = sum(Path(s).stat().st_size for s in args.sources if Path(s).is_file())
    with progressbar(total, label, quiet=args.quiet, unit="B") as update:
        return builder(args.sources, args.output, force=args.force, progress=update)


def _emit_summary(args: argparse.Namespace, summary: Any, lines: list[str]) -> None:
    payload = {
        "path": str(summary.path),
        "kind": summary.kind,
        "rows": summary.rows,
        "meta": summary.meta,
    }
    _emit(payload, args.json, lines)


def _cmd_build_nb101(args: argparse.Namespace) -> int:
    from functools import partial

    from nasbench_lite.nb101.builder import build_nb101

    builder = partial(build_nb101, on_overlap=args.on_overlap)
    summary = _build_from_files(args, builder, "reading TFRecords")
    rows = summary.rows
    _emit_summary(
        args,
        summary,
        [
            f"wrote {summary.path} ({summary.kind}): {rows['cells']:,} cells, "
            f"{rows['records']:,} records, epochs {summary.meta['valid_epochs']}",
            *(
                f"  source {s['name']}: {s['size']:,} bytes, sha256 {s['sha256']}"
                + (f" (official {s['official']})" if s["official"] else " (not an official file)")
                for s in json.loads(summary.meta["sources"])
            ),
        ],
    )
    return 0


def _cmd_build_nats_space(args: argparse.Namespace) -> int:
    from nasbench_lite.nats.spacedb import build_nats_space

    with progressbar(48_393, "writing NATS spaces", quiet=args.quiet, unit="arch") as update:
        summary = build_nats_space(args.output, force=args.force, progress=update)
    rows, meta = summary.rows, summary.meta
    _emit_summary(
        args,
        summary,
        [
            f"wrote {summary.path} ({summary.kind}): {rows['topologies']:,} topologies "
            f"({meta['topology_classes']} isomorphism classes), {rows['sizes']:,} sizes"
        ],
    )
    return 0


def _cmd_build_nar(args: argparse.Namespace) -> int:
    from nasbench_lite.nar import build_nar

    summary = _build_from_files(args, build_nar, "reading NAR JSON")
    rows = summary.rows
    _emit_summary(
        args,
        summary,
        [
            f"wrote {summary.path}: {rows['nar101']:,} NB101 records "
            f"({rows['mismatched.nar101']:,} differ from our cost model), "
            f"{rows['nar201']:,} NB201 records ({rows['mismatched.nar201']:,} differ)"
        ],
    )
    return 0


def _cmd_build_nashpobench2(args: argparse.Namespace) -> int:
    from nasbench_lite.nashpobench2.builder import build_nashpobench2

    with progressbar(6, "building NAS-HPO-Bench-II", quiet=args.quiet, unit="step") as update:
        summary = build_nashpobench2(args.data_dir, args.output, force=args.force, progress=update)
    rows, meta = summary.rows, summary.meta
    _emit(
        {"path": str(summary.path), "kind": summary.kind, "rows": rows, "meta": meta},
        args.json,
        [
            f"wrote {summary.path} ({summary.kind}): {rows['cells']:,} cell codes "
            f"({rows['hashes']:,} official hashes, {meta['grouping.canonical_classes']} "
            f"canonical classes, {meta['grouping.codes_grouped_differently']} codes grouped "
            f"differently), {rows['runs']:,} runs, {rows['surrogate']:,} surrogate values",
        ],
    )
    return 0


def _cmd_build_nats(args: argparse.Namespace) -> int:
    from nasbench_lite.nats.builder import build_nats

    with progressbar(None, "reading NATS-Bench results", quiet=args.quiet, unit="arch") as update:
        summary = build_nats(
            args.source, args.output, space=args.space, force=args.force, progress=update
        )
    rows, meta = summary.rows, summary.meta
    _emit_summary(
        args,
        summary,
        [
            f"wrote {summary.path} ({meta['space']}): {rows['archs']:,} architectures, "
            f"{rows['archs_with_results']:,} with results, {rows['runs']:,} trials "
            f"(hp {', '.join(json.loads(meta['hps']))})"
        ],
    )
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from nasbench_lite.export import export_database

    def announce(table: str) -> None:
        if not args.quiet:
            print(f"exporting {table} ...", file=sys.stderr)

    written = export_database(
        args.db, args.out, fmt=args.format, force=args.force, progress=announce
    )
    _emit(
        {"files": {table: str(path) for table, path in written.items()}},
        args.json,
        [f"wrote {path}" for path in written.values()],
    )
    return 0


def _cmd_enumerate(args: argparse.Namespace) -> int:
    pq = import_pyarrow("parquet")

    from nasbench_lite.db import atomic_output
    from nasbench_lite.nb101 import count_labelled_graphs, enumerate_cells

    total = count_labelled_graphs(args.max_vertices, args.max_edges, args.num_ops)
    with progressbar(total, "enumerating NB101 cells", quiet=args.quiet, unit="graph") as update:
        done = 0

        def step(visited: int) -> None:
            nonlocal done
            done += visited
            update(done, total)

        table = enumerate_cells(args.max_vertices, args.max_edges, args.num_ops, progress=step)
    with atomic_output(args.out, force=args.force) as temp:
        if args.out.suffix.lower() == ".csv":
            pacsv = import_pyarrow("csv")

            flat = table.drop_columns(["adjacency", "ops", "labels"]).append_column(
                "ops", _joined(table.column("ops").to_pylist())
            )
            pacsv.write_csv(flat, temp)
        else:
            pq.write_table(table, temp, compression="zstd")
    _emit(
        {"path": str(args.out), "rows": table.num_rows},
        args.json,
        [f"wrote {args.out}: {table.num_rows:,} cells"],
    )
    return 0


def _joined(ops: list[list[str]]) -> Any:
    pa = import_pyarrow()

    return pa.array([",".join(row) for row in ops], pa.string())


def _cmd_hash(args: argparse.Namespace) -> int:
    from nasbench_lite.nb101 import check_spec

    spec = _spec_from_args(args)
    if not args.no_check:
        check_spec(spec)
    module_hash = spec.hash_spec()
    _emit(
        {
            "hash": module_hash,
            "pruned_matrix": spec.matrix.tolist() if spec.matrix is not None else None,
            "pruned_ops": spec.ops,
        },
        args.json,
        [module_hash],
    )
    return 0


def _cmd_query(args: argparse.Namespace) -> int:
    from nasbench_lite.db import Database

    with Database(args.db) as db:
        kind, nats_space = db.kind, db.meta.get("space", "")
    if kind == "nats":
        return _query_nats(args, nats_space)
    if (args.hash is None) == (args.matrix is None):
        raise InvalidInputError("give either --hash or --matrix with --ops")
    if args.matrix is not None and args.ops is None:
        raise InvalidInputError("--matrix needs --ops")
    if kind == "nb101":
        return _query_nb101_data(args)
    from nasbench_lite.nb101.spacedb import SearchSpace

    with SearchSpace(args.db) as space:
        record = space.get(args.hash) if args.hash else space.get_spec(_spec_from_args(args))
    payload = dict(record)
    payload["module_adjacency"] = record["module_adjacency"].tolist()
    lines = [
        f"hash          {record['hash']}",
        f"cell_id       {record['cell_id']}",
        f"vertices      {record['num_vertices']}",
        f"edges         {record['num_edges']}",
        f"operations    {', '.join(record['module_operations'])}",
        f"parameters    {record['trainable_parameters']:,}",
        f"flops         {record['flops']:,}",
        "adjacency",
        *("  " + " ".join(str(x) for x in row) for row in payload["module_adjacency"]),
    ]
    _emit(payload, args.json, lines)
    return 0


def _query_nats(args: argparse.Namespace, space: str) -> int:
    from nasbench_lite.nats import create

    if args.arch is None:
        raise InvalidInputError("give --arch INDEX or --arch ARCH_STRING for a NATS database")
    arch: int | str = int(args.arch) if args.arch.isdigit() else args.arch
    with create(args.db, space) as api:
        index = api.query_index_by_arch(arch)
        if index < 0:
            raise InvalidInputError(f"{arch!r} is not an architecture of the {space} space")
        is_random = False if args.seed is None else args.seed
        info = api.get_more_info(index, args.dataset, args.epoch, args.hp, is_random)
        costs = api.get_cost_info(index, args.dataset, args.hp)
        payload = {"arch_index": index, "arch_str": api[index], "info": info, "costs": costs}
    info.pop("comment", None)
    lines = [f"arch {index}  {payload['arch_str']}  ({args.dataset}, hp={args.hp})"]
    lines += [f"  {k:22s} {v}" for k, v in info.items()]
    lines += [f"  {k:22s} {v}" for k, v in costs.items()]
    _emit(payload, args.json, lines)
    return 0


def _query_nb101_data(args: argparse.Namespace) -> int:
    from nasbench_lite.nb101.api import NASBench

    with NASBench(args.db) as nasbench:
        if args.hash:
            fixed, computed = nasbench.get_metrics_from_hash(args.hash)
        else:
            fixed, computed = nasbench.get_metrics_from_spec(_spec_from_args(args))
    payload = {
        "module_adjacency": fixed["module_adjacency"].tolist(),
        "module_operations": fixed["module_operations"],
        "trainable_parameters": fixed["trainable_parameters"],
        "computed_stats": {str(e): runs for e, runs in computed.items()},
    }
    lines = [
        f"operations    {', '.join(fixed['module_operations'])}",
        f"parameters    {fixed['trainable_parameters']:,}",
        "epochs  repeat  final train / validation / test accuracy   training time (s)",
    ]
    for epochs, runs in sorted(computed.items()):
        for repeat, run in enumerate(runs):
            lines.append(
                f"{epochs:6d}  {repeat:6d}  {run['final_train_accuracy']:.6f} / "
                f"{run['final_validation_accuracy']:.6f} / {run['final_test_accuracy']:.6f}"
                f"   {run['final_training_time']:.1f}"
            )
    _emit(payload, args.json, lines)
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    from nasbench_lite.db import Database

    with Database(args.db) as db:
        meta = dict(db.meta)
    size = Path(args.db).stat().st_size
    lines = [f"{args.db} ({size / 1e6:.1f} MB)"] + [
        f"  {k:28s} {v}" for k, v in sorted(meta.items())
    ]
    _emit({"path": str(args.db), "size_bytes": size, "meta": meta}, args.json, lines)
    return 0


def _cmd_sources(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from nasbench_lite.sources import benchmarks

    chosen = [b for b in benchmarks() if args.benchmark in (None, b.id)]
    if not chosen:
        known = ", ".join(b.id for b in benchmarks())
        raise InvalidInputError(f"unknown benchmark {args.benchmark!r} (one of: {known})")
    lines = []
    for bench in chosen:
        lines += [f"{bench.name} [{bench.id}]", f"  cite     {bench.paper}"]
        lines.append(f"  licence  {bench.licence} ({bench.licence_note})")
        lines += [f"  download {page}" for page in bench.download_pages]
        lines += [f"  mirror   {mirror}" for mirror in bench.mirrors]
        for f in bench.files:
            checksum = f"sha256 {f.sha256} ({f.checksum_origin})" if f.sha256 else "no checksum"
            lines.append(f"  - {f.path}  {f.version}, {f.size_text}, {checksum}")
            lines.append(f"      {f.contents}")
            if f.url:
                lines.append(f"      url    {f.url}")
            lines.append(f"      build  {f.build or 'not read by nasbench_lite'}")
            if f.overlaps_with:
                lines.append(f"      same results as {', '.join(f.overlaps_with)}: use one")
            if f.note:
                lines.append(f"      note   {f.note}")
    _emit({"benchmarks": [asdict(b) for b in chosen]}, args.json, lines)
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from nasbench_lite.sources import verify_file

    if not args.file.is_file():
        verify_file(args.file)  # raises its typed error before any progress bar is drawn
    size = args.file.stat().st_size
    with progressbar(size, f"sha256 {args.file.name}", quiet=args.quiet, unit="B") as update:
        result = verify_file(args.file, progress=update)
    source = result.source
    _emit(
        {
            "path": str(result.path),
            "size_bytes": result.size,
            "sha256": result.sha256,
            "recognised_by": result.method,
            "benchmark": source.benchmark,
            "official_path": source.path,
            "version": source.version,
            "build": source.build,
        },
        args.json,
        [result.describe(), *([f"  build with: {source.build}"] if source.build else [])],
    )
    return 0


def _cmd_compat_run(args: argparse.Namespace) -> int:
    from nasbench_lite.compat.__main__ import run_script

    return run_script(args.script, args.args)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``nasbench-lite`` (exposed for docs and tests)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--quiet", "-q", action="store_true", help="no progress bars")
    common.add_argument("--json", action="store_true", help="print machine-readable JSON")
    # Every builder writes one file atomically: the same two options everywhere.
    output = argparse.ArgumentParser(add_help=False)
    output.add_argument("-o", "--output", type=Path, required=True, help="SQLite file to write")
    output.add_argument("--force", action="store_true", help="replace an existing output file")

    parser = argparse.ArgumentParser(
        prog="nasbench-lite",
        description="NAS benchmarks as one SQLite file each (no TensorFlow/PyTorch).",
    )
    parser.add_argument("--version", action="version", version=f"nasbench-lite {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser("build", help="build a database", description="Build a database.")
    targets = build.add_subparsers(dest="target", required=True, metavar="TARGET")
    space = targets.add_parser(
        "nb101-space",
        parents=[common, output],
        help="the NAS-Bench-101 search space (423,624 cells; no download needed)",
        description="Enumerate the NAS-Bench-101 space and write it to one SQLite file.",
    )
    space.set_defaults(handler=_cmd_build)

    nats_space = targets.add_parser(
        "nats-space",
        parents=[common, output],
        help="the NATS-Bench topology and size spaces (no download needed)",
        description=(
            "Write both NATS-Bench search spaces in official index order, with the official "
            "isomorphism classes of the topology space and exact parameter/FLOP counts."
        ),
    )
    nats_space.set_defaults(handler=_cmd_build_nats_space)

    data = targets.add_parser(
        "nb101",
        parents=[common, output],
        help="NAS-Bench-101 training data from the official TFRecord file(s)",
        description=(
            "Read nasbench_full.tfrecord and/or nasbench_only108.tfrecord (no TensorFlow) and "
            "write one SQLite file; every record is checked (CRCs, protobuf, hash)."
        ),
    )
    data.add_argument("sources", nargs="+", type=Path, help="official .tfrecord file(s)")
    data.add_argument(
        "--on-overlap",
        choices=("refuse", "skip-duplicates", "keep-all"),
        default="refuse",
        help=(
            "sources holding the same runs (full + 108-only, one file twice): refuse (default), "
            "store each run once, or keep every copy as extra repeats"
        ),
    )
    data.set_defaults(handler=_cmd_build_nb101)

    nhb2 = targets.add_parser(
        "nashpobench2",
        parents=[common, output],
        help="NAS-HPO-Bench-II from the official pickles (bench12, cellinfo, avgaccs200)",
        description=(
            "Read bench12.pkl, cellinfo.pkl and avgaccs200.pkl from DATA_DIR (with a restricted "
            "unpickler: no code in them can run) and write one SQLite file."
        ),
    )
    nhb2.add_argument("data_dir", type=Path, help="folder with the three official .pkl files")
    nhb2.set_defaults(handler=_cmd_build_nashpobench2)

    nats = targets.add_parser(
        "nats",
        parents=[common, output],
        help="NATS-Bench (tss or sss) results from an official archive directory or file",
        description=(
            "Read an official NATS-Bench '-simple' archive directory (meta.pickle.pbz2 + one "
            "file per architecture, possibly only some) or the single .pickle.pbz2 benchmark "
            "file, with a restricted unpickler (no code in them can run), and write one SQLite "
            "file; every file is checked against the official layout."
        ),
    )
    nats.add_argument("source", type=Path, help="NATS-{tss,sss}-v1_0-*-simple/ or *.pickle.pbz2")
    nats.add_argument(
        "--space", choices=("tss", "sss"), help="search space (default: detected from the source)"
    )
    nats.set_defaults(handler=_cmd_build_nats)

    nar = targets.add_parser(
        "nar",
        parents=[common, output],
        help="NAR cell-information JSON file(s), checked against the cost model",
        description=(
            "Stream the NAR NB101 and/or NB201 cell-information JSON files into one SQLite file; "
            "every record's FLOPs/params (and NB101 hash) are compared with nasbench_lite's."
        ),
    )
    nar.add_argument("sources", nargs="+", type=Path, help="NAR .json file(s)")
    nar.set_defaults(handler=_cmd_build_nar)

    export = commands.add_parser(
        "export",
        parents=[common],
        help="export a database to Parquet or CSV",
        description="Write every table of a database to DIR/<table>.parquet (zstd) or .csv.",
    )
    export.add_argument("db", type=Path, help="database file")
    export.add_argument("--out", type=Path, required=True, help="output folder")
    export.add_argument(
        "--format", choices=["parquet", "csv"], default="parquet", help="output format"
    )
    export.add_argument("--force", action="store_true", help="replace existing output files")
    export.set_defaults(handler=_cmd_export)

    enumerate_ = commands.add_parser(
        "enumerate",
        help="enumerate a search space to Parquet/CSV",
        description="Enumerate a space.",
    )
    spaces = enumerate_.add_subparsers(dest="space", required=True, metavar="SPACE")
    nb101 = spaces.add_parser(
        "nb101",
        parents=[common],
        help="NAS-Bench-101 cells",
        description="Write every unique NAS-Bench-101 cell (Parquet, or CSV by extension).",
    )
    nb101.add_argument("--out", type=Path, required=True, help="output .parquet or .csv file")
    nb101.add_argument("--max-vertices", type=int, default=7, help="largest vertex count (2-7)")
    nb101.add_argument("--max-edges", type=int, default=9, help="largest edge count")
    nb101.add_argument("--num-ops", type=int, default=3, help="number of interior ops (1-3)")
    nb101.add_argument("--force", action="store_true", help="replace an existing output file")
    nb101.set_defaults(handler=_cmd_enumerate)

    hash_ = commands.add_parser(
        "hash",
        parents=[common],
        help="official NAS-Bench-101 hash of a cell",
        description="Print the official module hash of a NAS-Bench-101 cell.",
    )
    hash_.add_argument(
        "--matrix", required=True, help="adjacency matrix as JSON, e.g. [[0,1],[0,0]]"
    )
    hash_.add_argument("--ops", required=True, help='ops as JSON, e.g. ["input","output"]')
    hash_.add_argument(
        "--no-check", action="store_true", help="hash even if the cell is outside the space"
    )
    hash_.set_defaults(handler=_cmd_hash)

    query = commands.add_parser(
        "query",
        parents=[common],
        help="look a cell up in a database",
        description=(
            "Look a cell up by hash or by matrix/ops in a search-space or NB101 data database, "
            "or an architecture (--arch) in a NATS-Bench database (get_more_info + costs)."
        ),
    )
    query.add_argument("db", type=Path, help="database file")
    query.add_argument("--hash", help="module hash")
    query.add_argument("--matrix", help="adjacency matrix as JSON")
    query.add_argument("--ops", help="ops as JSON")
    query.add_argument("--arch", help="NATS: official index or arch string")
    query.add_argument("--dataset", default="cifar10-valid", help="NATS dataset")
    query.add_argument("--hp", default="12", help="NATS hp ('12'/'200' tss, '01'/'12'/'90' sss)")
    query.add_argument("--epoch", type=int, help="NATS: 0-based epoch (default: the last)")
    query.add_argument(
        "--seed", type=int, help="NATS: one trial's seed (default: mean over the trials)"
    )
    query.set_defaults(handler=_cmd_query)

    sources = commands.add_parser(
        "sources",
        parents=[common],
        help="list the official source files (names, sizes, SHA-256, licences, links)",
        description=(
            "List each benchmark's official files from the packaged manifest: size, SHA-256 "
            "where published or computed, licence, download pages, mirrors and the build "
            "command that reads each file."
        ),
    )
    sources.add_argument("benchmark", nargs="?", help="one benchmark id (default: all)")
    sources.set_defaults(handler=_cmd_sources)

    verify = commands.add_parser(
        "verify",
        parents=[common],
        help="check a downloaded file: size + SHA-256, which benchmark/version it is",
        description=(
            "Stream FILE through SHA-256 and compare it with the manifest of official files; "
            "a truncated or altered copy of an official file fails (exit code 1)."
        ),
    )
    verify.add_argument("file", type=Path, help="the downloaded file")
    verify.set_defaults(handler=_cmd_verify)

    info = commands.add_parser(
        "info",
        parents=[common],
        help="describe a database",
        description="Print a database's provenance and row counts.",
    )
    info.add_argument("db", type=Path, help="database file")
    info.set_defaults(handler=_cmd_info)

    compat_run = commands.add_parser(
        "compat-run",
        help="run an unmodified script on the compat layer",
        description=(
            "Run SCRIPT as 'python SCRIPT ARGS...' would, with nasbench, nats_bench and "
            "nashpobench2api (and their submodules) importing nasbench_lite.compat.* instead; "
            "official files are built once into $NASBENCH_LITE_CACHE. Exit code: the script's."
        ),
    )
    compat_run.add_argument("script", help="the Python script to run")
    compat_run.add_argument(
        "args", nargs=argparse.REMAINDER, help="the script's arguments, passed as they are"
    )
    compat_run.set_defaults(handler=_cmd_compat_run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the CLI.

    Args:
        argv: Arguments without the program name (default: ``sys.argv[1:]``).

    Returns:
        The exit code (0 ok, 1 user error, 2 usage error, 3 internal error).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except InternalError as exc:
        print(f"nasbench-lite: internal error: {exc}", file=sys.stderr)
        return 3
    except NasbenchLiteError as exc:
        print(f"nasbench-lite: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("nasbench-lite: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
