"""The ``nasbench-lite`` command line: thin subcommands over the library.

Exit codes: 0 success, 1 a user error (bad input, missing file, existing output...) reported on
one line without a traceback, 2 a usage error (argparse), 3 an internal error (a bug).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from nasbench_lite import __version__
from nasbench_lite._core.kinds import Progress
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


def _progress_factory(args: argparse.Namespace) -> Progress:
    def factory(
        total: int | None, label: str, unit: str
    ) -> AbstractContextManager[Callable[[int, int], None]]:
        return progressbar(total, label, quiet=args.quiet, unit=unit)

    return factory


def _cmd_build(args: argparse.Namespace) -> int:
    kind = args.kind
    summary = kind.build(args, _progress_factory(args))
    payload = {
        "path": str(summary.path),
        "kind": summary.kind,
        "rows": summary.rows,
        "meta": summary.meta,
    }
    _emit(payload, args.json, kind.build_lines(summary))
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from nasbench_lite.registry import export_database

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

    from nasbench_lite._core.building import atomic_output
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
    from nasbench_lite.spaces.nb101.parse import spec_from_json
    from nasbench_lite.spaces.nb101.spec import check_spec

    spec = spec_from_json(args.matrix, args.ops)
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
    from nasbench_lite.registry import kinds, open_database

    with open_database(args.db) as reader:
        kind = next(k for k in kinds() if k.name == reader.meta.get("kind"))
        if kind.query is None:
            raise InvalidInputError(f"{args.db}: {kind.name} databases have no query command")
        payload, lines = kind.query(reader, args)
    _emit(payload, args.json, lines)
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    from nasbench_lite.registry import open_database

    with open_database(args.db) as reader:
        meta = dict(reader.meta)
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


def _add_build_targets(
    commands: Any, common: argparse.ArgumentParser, output: argparse.ArgumentParser
) -> None:
    from nasbench_lite.registry import kinds

    build = commands.add_parser("build", help="build a database", description="Build a database.")
    targets = build.add_subparsers(dest="target", required=True, metavar="TARGET")
    for kind in kinds():
        target = targets.add_parser(
            kind.command,
            parents=[common, output],
            help=kind.title,
            description=kind.description or kind.title,
        )
        for option in kind.build_options:
            option.add_to(target)
        target.set_defaults(handler=_cmd_build, kind=kind)


def _add_query(commands: Any, common: argparse.ArgumentParser) -> None:
    from nasbench_lite.registry import kinds

    query = commands.add_parser(
        "query",
        parents=[common],
        help="look a cell/architecture/configuration up in any database",
        description=(
            "Look one entry up in a database of any kind; the options each kind reads are "
            "listed in its group below (NB101: a cell by hash or matrix/ops; NATS: --arch ...)."
        ),
    )
    query.add_argument("db", type=Path, help="database file")
    seen: set[str] = set()
    for kind in kinds():
        fresh = [o for o in kind.query_options if o.flags[0] not in seen]
        if not fresh:
            continue
        group = query.add_argument_group(f"{kind.name} databases")
        for option in fresh:
            option.add_to(group)
            seen.add(option.flags[0])
    query.set_defaults(handler=_cmd_query)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``nasbench-lite``, generated from the registry of kinds."""
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

    _add_build_targets(commands, common, output)

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

    _add_query(commands, common)

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
