"""Export: one folder per table, data-dictionary field metadata, empty tables, atomic replace."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from nasbench_lite import cli
from nasbench_lite._core.database import Database
from nasbench_lite._core.exporting import export_tables
from nasbench_lite.benchmarks.nar.build import build_nar
from nasbench_lite.errors import OutputExistsError
from nasbench_lite.registry import export_database

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def nar_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A NAR database from the NB201 example only: nar101 and mismatches are empty."""
    out = tmp_path_factory.mktemp("nar") / "nar.sqlite"
    build_nar([DATA / "nasbench201_vertice_example.json"], out)
    return out


def test_one_folder_per_table_with_metadata(nar_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    written = export_database(nar_db, out)
    assert sorted(p.name for p in out.iterdir()) == sorted([*written, "README.txt"])
    assert all(f"{table}/part-0.parquet" in (out / "README.txt").read_text() for table in written)
    assert {"nar201", "nar101", "mismatches", "meta", "data_dictionary"} <= set(written)
    nar201 = ds.dataset(out / "nar201").to_table()
    assert nar201.num_rows == len(pq.read_table(written["nar201"]))
    assert "mismatches" not in nar201.column_names  # never merged with another table
    field = nar201.schema.field("cifar100_test_acc")
    assert field.metadata[b"unit"] == b"%"
    assert b"x-test" in field.metadata[b"split"]
    assert nar201.schema.metadata[b"table"] == b"nar201"
    assert nar201.schema.metadata[b"kind"] == b"nar"


def test_the_export_root_is_not_one_silently_merged_dataset(nar_db: Path, tmp_path: Path) -> None:
    import pyarrow as pa

    out = tmp_path / "export"
    export_database(nar_db, out)
    with pytest.raises(pa.ArrowInvalid, match="README.txt"):
        ds.dataset(out).to_table()
    for table in ("nar201", "data_dictionary"):  # one folder = one table
        assert ds.dataset(out / table).schema.metadata[b"table"] == table.encode()


def test_empty_tables_keep_their_columns_and_types(nar_db: Path, tmp_path: Path) -> None:
    written = export_database(nar_db, tmp_path / "export")
    mismatches = pq.read_table(written["mismatches"])
    assert mismatches.num_rows == 0
    assert mismatches.column_names == [
        "dataset", "record", "field", "file_value", "computed_value"
    ]  # fmt: skip
    nar101 = pq.read_table(written["nar101"])
    assert str(nar101.schema.field("flops").type) == "int64"
    assert str(nar101.schema.field("avg_test_accuracy").type) == "double"
    assert (
        cli.main(["export", str(nar_db), "--out", str(tmp_path / "csv"), "-q", "--format", "csv"])
        == 0
    )
    header = (tmp_path / "csv" / "mismatches" / "part-0.csv").read_text()
    assert header.replace('"', "").strip() == "dataset,record,field,file_value,computed_value"


def test_existing_output_needs_force(nar_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    export_database(nar_db, out)
    (out / "stale.txt").write_text("old")
    with pytest.raises(OutputExistsError):
        export_database(nar_db, out)
    assert cli.main(["export", str(nar_db), "--out", str(out), "-q"]) == 1
    assert (out / "stale.txt").exists()
    assert cli.main(["export", str(nar_db), "--out", str(out), "-q", "--force"]) == 0
    assert not (out / "stale.txt").exists() and (out / "nar201" / "part-0.parquet").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["export"]  # no temporary folders left


def test_a_failed_export_leaves_the_old_folder_untouched(nar_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    export_database(nar_db, out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def failing(db: Database) -> Iterator[Any]:
        import pyarrow as pa

        yield pa.record_batch([pa.array([1])], names=["x"])
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        export_tables(nar_db, out, force=True, exporters={"nar201": failing})
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in tmp_path.iterdir()] == ["export"]
    with pytest.raises(RuntimeError):
        export_tables(nar_db, tmp_path / "fresh", exporters={"nar201": failing})
    assert not (tmp_path / "fresh").exists()


def test_every_exported_field_of_every_kind_is_documented(tmp_path: Path) -> None:
    import kind_dbs

    for kind, path in kind_dbs.build_all(tmp_path / "dbs").items():
        for table, file in export_database(path, tmp_path / kind).items():
            for field in pq.read_schema(file):
                metadata = field.metadata or {}
                assert metadata.get(b"meaning"), (kind, table, field.name)
                assert b"unit" in metadata and b"split" in metadata, (kind, table, field.name)
