"""The registry of kinds: ``nasbench_lite.open``, typed refusals, query/info/export on every kind,
the import rules of the layout and databases written before the redesign."""

from __future__ import annotations

import ast
import gzip
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import kind_dbs
import nasbench_lite
import pytest
from nasbench_lite import cli, registry
from nasbench_lite._core.schema import load_schema
from nasbench_lite.errors import (
    DatabaseError,
    InternalError,
    NotADatabaseError,
    SchemaVersionError,
    UnknownKindError,
)

PACKAGE = Path(nasbench_lite.__file__).parent
DATA = Path(__file__).parent / "data"

#: Reader class name per kind (what ``nasbench_lite.open`` must return).
READERS = {
    "nb101_space": "SearchSpace",
    "nb101": "NASBench",
    "nats_space": "NATSSpaces",
    "nats": "NATStopology",
    "nashpobench2": "API",
    "nar": "NARData",
}

#: ``query`` arguments that find an entry in each small database.
QUERIES: dict[str, list[str]] = {
    "nb101_space": ["--hash", ""],  # filled in from the database
    "nb101": ["--hash", ""],
    "nats_space": ["--arch", "3"],
    "nats": ["--arch", "1", "--hp", "12"],
    "nashpobench2": [],  # filled in from the database
    "nar": ["--arch", "7"],
}


@pytest.fixture(scope="module")
def dbs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return kind_dbs.build_all(tmp_path_factory.mktemp("kinds"))


def test_registry_lists_every_packaged_kind_once() -> None:
    names = [k.name for k in registry.kinds()]
    assert names == list(READERS)
    for kind in registry.kinds():
        schema = kind.get_schema()
        assert schema.kind == kind.name
        assert schema.build_command.startswith(f"nasbench-lite build {kind.command}")
        assert (PACKAGE / "sql" / f"{kind.name}.sql").is_file()
    with pytest.raises(InternalError, match="share a name"):
        registry.kinds(extra=[registry.get_kind("nats")])


def test_open_returns_the_reader_of_each_kind(dbs: dict[str, Path]) -> None:
    for kind, path in dbs.items():
        with nasbench_lite.open(path) as reader:
            assert type(reader).__name__ == READERS[kind]
            assert reader.meta["kind"] == kind
            sources = json.loads(reader.meta["sources"])
            assert all({"name", "size", "sha256"} <= set(s) for s in sources)
            for key in ("schema_version", "builder_version", "created_at"):
                assert reader.meta[key]


def _sqlite_with_meta(path: Path, meta: dict[str, str]) -> Path:
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT)")
        con.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
    con.close()
    return path


def test_open_refusals_are_typed(tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\x01 not a database at all")
    with pytest.raises(NotADatabaseError) as info:
        nasbench_lite.open(junk)
    assert info.value.build_command is None
    with pytest.raises(DatabaseError, match="no such database file"):
        nasbench_lite.open(tmp_path / "missing.sqlite")
    unknown = _sqlite_with_meta(tmp_path / "u.sqlite", {"kind": "zzz", "schema_version": "1"})
    with pytest.raises(UnknownKindError) as unknown_info:
        nasbench_lite.open(unknown)
    assert unknown_info.value.kind == "zzz"
    no_meta = tmp_path / "plain.sqlite"
    sqlite3.connect(no_meta).execute("CREATE TABLE t(x)").connection.close()
    with pytest.raises(DatabaseError, match="not a nasbench_lite database"):
        nasbench_lite.open(no_meta)


@pytest.mark.parametrize(
    ("name", "command"),
    [
        ("nasbench_only108.tfrecord", "nasbench-lite build nb101"),
        ("NATS-tss-v1_0-3ffb9-full.pickle.pbz2", "nasbench-lite build nats"),
        ("bench12.pkl", "nasbench-lite build nashpobench2"),
        ("nasbench201_with_edge_flops_and_params.json", "nasbench-lite build nar"),
    ],
)
def test_official_source_passed_by_mistake_names_the_build_command(
    tmp_path: Path, name: str, command: str
) -> None:
    source = tmp_path / name
    source.write_bytes(b"\x80\x04official bytes, not SQLite")
    with pytest.raises(NotADatabaseError, match=command) as info:
        nasbench_lite.open(source)
    assert info.value.build_command is not None
    assert info.value.build_command.startswith(command)
    result = cli.main(["info", str(source)])
    assert result == 1


def test_other_schema_version_is_refused_naming_the_rebuild_command(tmp_path: Path) -> None:
    for kind in READERS:
        path = _sqlite_with_meta(
            tmp_path / f"{kind}.sqlite", {"kind": kind, "schema_version": "999"}
        )
        with pytest.raises(SchemaVersionError) as info:
            nasbench_lite.open(path)
        assert info.value.expected == load_schema(kind).version
        assert info.value.actual == "999"
        assert load_schema(kind).build_command in str(info.value)


def test_databases_built_before_the_redesign_still_open(tmp_path: Path) -> None:
    for packed in sorted((DATA / "pre_redesign").glob("*.sqlite.gz")):
        path = tmp_path / packed.name.removesuffix(".gz")
        with gzip.open(packed) as source, open(path, "wb") as target:
            shutil.copyfileobj(source, target)
        kind = path.stem
        built = (
            sqlite3.connect(path)
            .execute("SELECT value FROM meta WHERE key = 'schema_version'")
            .fetchone()[0]
        )
        if built != str(load_schema(kind).version):  # its layout changed since: rebuild
            with pytest.raises(SchemaVersionError, match="rebuild it with"):
                nasbench_lite.open(path)
            assert cli.main(["info", str(path), "--json"]) == 1
            continue
        with nasbench_lite.open(path) as reader:
            assert type(reader).__name__ == READERS[kind]
            assert cli.main(["info", str(path), "--json"]) == 0


def _query_args(kind: str, path: Path) -> list[str]:
    args = list(QUERIES[kind])
    if kind in ("nb101_space", "nb101"):
        args[1] = sqlite3.connect(path).execute("SELECT hash FROM cells LIMIT 1").fetchone()[0]
    if kind == "nashpobench2":
        with nasbench_lite.open(path) as api:
            args = ["--cellcode", api.cellcodes[0], "--lr", str(api.lrs[0])]
            args += ["--batch-size", str(api.batch_sizes[0])]
    return args


def test_cli_query_info_export_on_every_kind(
    dbs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for kind, path in dbs.items():
        assert cli.main(["query", str(path), "--json", *_query_args(kind, path)]) == 0, kind
        payload: Any = json.loads(capsys.readouterr().out)
        assert payload, kind
        assert cli.main(["info", str(path), "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["meta"]["kind"] == kind
        out = tmp_path / kind
        assert cli.main(["export", str(path), "--out", str(out), "--quiet", "--json"]) == 0
        files = json.loads(capsys.readouterr().out)["files"]
        assert "meta" in files and all(Path(f).is_file() for f in files.values())


def test_query_without_the_kind_options_is_a_one_line_error(
    dbs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    for kind in ("nb101", "nats", "nashpobench2", "nar", "nats_space"):
        assert cli.main(["query", str(dbs[kind])]) == 1
        err = capsys.readouterr().err
        assert err.startswith("nasbench-lite: error: give"), (kind, err)


def _imports(path: Path) -> set[str]:
    """Every module a file imports (absolute names, relative ones resolved to the package)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_layout_import_rules() -> None:
    benchmark_modules = ("benchmarks", "spaces", "nb101", "nats", "nashpobench2", "compat")
    forbidden_in_core = {f"nasbench_lite.{m}" for m in (*benchmark_modules, "registry", "cli")}
    for path in (PACKAGE / "_core").rglob("*.py"):
        for name in _imports(path):
            assert not any(name == f or name.startswith(f + ".") for f in forbidden_in_core), (
                f"{path.relative_to(PACKAGE)} imports {name}"
            )
    for path in [*(PACKAGE / "benchmarks").rglob("*.py"), *(PACKAGE / "spaces").rglob("*.py")]:
        names = _imports(path)
        assert "nasbench_lite.cli" not in names, path
        assert not any(n.startswith("nasbench_lite.registry") for n in names), path
    for path in (PACKAGE / "spaces").rglob("*.py"):
        assert not any(n.startswith("nasbench_lite.benchmarks") for n in _imports(path)), path


#: The files every ``benchmarks/<kind>/`` has, one job each (README "Layout / adding a
#: benchmark"); ``bulk.py`` too where the kind has bulk reads.
STANDARD_FILES = {"kind.py", "source.py", "build.py", "layout.py", "reader.py"}
#: Kinds whose split is still to come (strict: the mark fails once the files exist).
NOT_YET_SPLIT: dict[str, str] = {}


@pytest.mark.parametrize(
    "module",
    [
        pytest.param(m, marks=pytest.mark.xfail(strict=True, reason=NOT_YET_SPLIT[name]))
        if (name := m.rsplit(".", 2)[-2]) in NOT_YET_SPLIT
        else m
        for m in registry.KIND_MODULES
    ],
)
def test_every_kind_has_the_standard_files(module: str) -> None:
    kind = registry.get_kind(module.rsplit(".", 2)[-2])
    folder = PACKAGE / "benchmarks" / kind.name
    assert module == f"nasbench_lite.benchmarks.{kind.name}.kind"
    missing = STANDARD_FILES - {p.name for p in folder.iterdir()}
    assert not missing, f"{kind.name} lacks {sorted(missing)}"
