"""The ``nasbench-lite`` command line: thin subcommands over the library.

Exit codes: 0 success, 1 a user error (bad input, missing file, existing output...) reported on
one line without a traceback, 2 a usage error (argparse), 3 an internal error (a bug), 130
after Ctrl-C (nothing half-written is left), 141 when the reader of stdout went away (``| head``).
Every command that writes files takes ``-o/--out`` and ``--force`` and checks its outputs before
any work; ``--json`` output is typed and carries ``json_schema_version``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from nasbench_lite import __version__
from nasbench_lite._cli_enumerate import cmd_enumerate
from nasbench_lite._cli_support import (
    EXIT_BROKEN_PIPE,
    add_output_options,
    check_output_dir,
    check_output_file,
    emit,
    progressbar,
    run_interruptibly,
    silence_broken_stdout,
    typed_meta,
)
from nasbench_lite._core.kinds import Progress
from nasbench_lite.errors import (
    ECHO_LIMIT,
    BuildError,
    InternalError,
    InvalidInputError,
    NasbenchLiteError,
)

__all__ = ["main", "build_parser", "progressbar"]


def _emit(payload: dict[str, Any], as_json: bool, lines: list[str]) -> None:
    """Prints ``payload`` as typed JSON or the human-readable ``lines``."""
    emit(payload, as_json, lines)


def _progress_factory(args: argparse.Namespace) -> Progress:
    def factory(
        total: int | None, label: str, unit: str
    ) -> AbstractContextManager[Callable[[int, int], None]]:
        return progressbar(total, label, quiet=args.quiet, unit=unit)

    return factory


def _cmd_build(args: argparse.Namespace) -> int:
    kind = args.kind
    check_output_file(args.output, force=args.force)  # before reading any source
    summary = kind.build(args, _progress_factory(args))
    payload = {
        "path": str(summary.path),
        "kind": summary.kind,
        "rows": summary.rows,
        "meta": typed_meta(summary.meta),
    }
    _emit(payload, args.json, kind.build_lines(summary))
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from nasbench_lite.registry import export_database

    check_output_dir(args.out)

    def announce(table: str) -> None:
        if not args.quiet and sys.stderr.isatty():  # like the bars: nothing into logs
            print(f"exporting {table} ...", file=sys.stderr)

    try:
        written = export_database(
            args.db, args.out, fmt=args.format, force=args.force, progress=announce
        )
    except NasbenchLiteError:
        raise  # typed already (OutputExistsError is also an OSError)
    except OSError as exc:  # e.g. a folder the checks allow but the OS refuses (/proc/x)
        raise BuildError(f"{args.out}: cannot write the export ({exc.strerror or exc})") from exc
    _emit(
        {"files": {table: str(path) for table, path in written.items()}},
        args.json,
        [f"wrote {path}" for path in written.values()],
    )
    return 0


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
    payload: dict[str, Any] = {"path": str(args.db), "size_bytes": size, "meta": typed_meta(meta)}
    if args.columns:
        columns = _dictionary(args.db, meta.get("kind", ""))
        payload["columns"] = columns
        lines = [f"{args.db}: data dictionary ({len(columns)} columns)"]
        for entry in columns:
            lines.append(f"  {entry['table_name']}.{entry['column_name']} {entry['type']}")
            for field in ("unit", "split", "aggregation", "meaning"):
                if entry[field] != "-":
                    lines.append(f"      {field + ':':13s}{entry[field]}")
    _emit(payload, args.json, lines)
    return 0


def _cmd_sql(args: argparse.Namespace) -> int:
    import csv

    from nasbench_lite.sqlquery import run_sql

    columns, rows = run_sql(args.query, args.dbs)
    cells = [[_cell(v) for v in row] for row in rows]
    if args.json:
        print(json.dumps([dict(zip(columns, row, strict=True)) for row in cells], indent=2))
    elif args.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(cells)
    else:
        text = [[("NULL" if v is None else str(v)) for v in row] for row in cells]
        widths = [max([len(c)] + [len(r[i]) for r in text]) for i, c in enumerate(columns)]
        print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
        print("  ".join("-" * w for w in widths))
        for row in text:
            print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
        print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})", file=sys.stderr)
    return 0


def _cell(value: Any) -> Any:
    """A SQLite value for JSON/CSV/text output (blobs as hex)."""
    return value.hex() if isinstance(value, bytes) else value


def _dictionary(path: Path, kind_name: str) -> list[dict[str, str]]:
    from nasbench_lite._core.database import Database
    from nasbench_lite._core.dictionary import read_dictionary
    from nasbench_lite.registry import kinds

    schema = next((k.get_schema() for k in kinds() if k.name == kind_name), None)
    with Database(path) as db:
        return [entry.as_dict() for entry in read_dictionary(db, schema)]


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


def _verify_database(args: argparse.Namespace) -> int:
    from nasbench_lite._core.integrity import verify_database

    result = verify_database(args.file)
    tables = ", ".join(f"{name} {rows}" for name, rows in result["tables"].items())
    checked = "checksum matches" if result["checksum_stored"] else "no stored checksum"
    _emit(result, args.json, [f"{args.file}: ok ({result['kind']}; {tables}; {checked})"])
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from nasbench_lite._core.integrity import is_sqlite_file
    from nasbench_lite.sources import verify_file

    if is_sqlite_file(args.file):
        return _verify_database(args)

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
    add_output_options(output, help="SQLite file to write", dest="output", aliases=("--output",))

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
        description=(
            "Write every table of a database to OUT/<table>/part-0.parquet (zstd, columns "
            "annotated with the data dictionary) or .csv; atomic: OUT appears complete or not "
            "at all."
        ),
    )
    export.add_argument("db", type=Path, help="database file")
    add_output_options(export, help="output folder", force_help="replace an existing output folder")
    export.add_argument(
        "--format", choices=["parquet", "csv"], default="parquet", help="output format"
    )
    export.set_defaults(handler=_cmd_export)

    enumerate_ = commands.add_parser(
        "enumerate",
        help="enumerate a search space to Parquet/CSV/JSON",
        description="Enumerate a space.",
    )
    spaces = enumerate_.add_subparsers(dest="space", required=True, metavar="SPACE")
    nb101 = spaces.add_parser(
        "nb101",
        parents=[common],
        help="NAS-Bench-101 cells",
        description=(
            "Write every unique NAS-Bench-101 cell; the format follows the extension of "
            "--out (.parquet/.pq, .csv, .json array, .jsonl lines), any other is refused."
        ),
    )
    add_output_options(nb101, help="output file: .parquet/.pq, .csv, .json or .jsonl")
    nb101.add_argument("--max-vertices", type=int, default=7, help="largest vertex count (2-7)")
    nb101.add_argument("--max-edges", type=int, default=9, help="largest edge count")
    nb101.add_argument("--num-ops", type=int, default=3, help="number of interior ops (1-3)")
    nb101.set_defaults(handler=cmd_enumerate)

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
        help="check a downloaded source file or a built database",
        description=(
            "For an official source file: stream FILE through SHA-256 and compare it with the "
            "manifest of official files. For a nasbench_lite database: SQLite's integrity "
            "check, every table's row count and the content checksum stored at build time. "
            "A truncated, corrupt or altered file fails (exit code 1)."
        ),
    )
    verify.add_argument("file", type=Path, help="the downloaded file or the database")
    verify.set_defaults(handler=_cmd_verify)

    info = commands.add_parser(
        "info",
        parents=[common],
        help="describe a database",
        description="Print a database's provenance and row counts.",
    )
    info.add_argument("db", type=Path, help="database file")
    info.add_argument(
        "--columns",
        action="store_true",
        help="print the data dictionary: every column's type, unit, split and meaning",
    )
    info.set_defaults(handler=_cmd_info)

    sql = commands.add_parser(
        "sql",
        parents=[common],
        help="run plain SQL across databases",
        description=(
            "Run one read-only SQL statement with each database attached under its kind's "
            "schema name (nb101, nb101_space, nats, nats_space, nashpobench2, nar; a second "
            "database of a kind: <kind>_<space> or <kind>_2; NAME=PATH chooses). Units and "
            "splits: SELECT * FROM <name>.data_dictionary."
        ),
    )
    sql.add_argument("query", help='the statement, e.g. "SELECT * FROM nats.final_accuracy"')
    sql.add_argument("dbs", nargs="+", help="database files (optionally NAME=PATH)")
    sql.add_argument("--csv", action="store_true", help="print CSV")
    sql.set_defaults(handler=_cmd_sql)

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
    compat_run.set_defaults(handler=_cmd_compat_run, main_thread=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the CLI.

    Args:
        argv: Arguments without the program name (default: ``sys.argv[1:]``).

    Returns:
        The exit code (0 ok, 1 user error, 2 usage error, 3 internal error, 130 interrupted,
        141 stdout closed by its reader).
    """
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if getattr(args, "main_thread", False):  # a user's script keeps the main thread
            code = int(args.handler(args))
        else:  # Ctrl-C must not wait for a long native or SQLite call, read-only ones too
            code = run_interruptibly(lambda: int(args.handler(args)))
        sys.stdout.flush()  # a closed pipe shows up here for short outputs
        return code
    except BrokenPipeError:
        # `nasbench-lite info DB | head`: the reader has gone; stop quietly like other tools.
        silence_broken_stdout()
        return EXIT_BROKEN_PIPE
    except InternalError as exc:
        print(f"nasbench-lite: internal error: {_one_line(exc)}", file=sys.stderr)
        return 3
    except NasbenchLiteError as exc:
        print(f"nasbench-lite: error: {_one_line(exc)}", file=sys.stderr)
        return 1
    except OSError as exc:  # the environment (permissions, a vanished file), not a bug
        where = f": {exc.filename}" if exc.filename else ""
        print(f"nasbench-lite: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("nasbench-lite: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: one line and exit 3, the traceback only on request
        if os.environ.get("NASBENCH_LITE_TRACEBACK"):
            raise
        print(
            f"nasbench-lite: internal error: {type(exc).__name__}: {_one_line(exc)} "
            "(please report it; NASBENCH_LITE_TRACEBACK=1 shows the traceback)",
            file=sys.stderr,
        )
        return 3


def _one_line(exc: BaseException) -> str:
    """The message of ``exc`` on one line, capped (messages may quote user input)."""
    text = " ".join(str(exc).split())
    return text if len(text) <= 2 * ECHO_LIMIT else text[: 2 * ECHO_LIMIT] + "..."


if __name__ == "__main__":
    sys.exit(main())
