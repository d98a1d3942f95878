"""Small databases of every packaged kind, built from sources in the official formats.

Shared by the registry, concurrency and open() tests: ``build_all(folder)`` returns
``{kind: path}``. Each database is built through the package's own build code (the
``nb101_space`` one from a 5-vertex enumeration through the same row writer, because the full
builder insists on the published 423,624-cell hash list).
"""

from __future__ import annotations

import json
from pathlib import Path

import nashpobench2_fixture as nhb2_fx
import nb101_tfrecord as tfr
from nasbench_lite import nats, nb101
from nasbench_lite._core.building import BuildSession
from nasbench_lite._core.schema import load_schema
from nasbench_lite.benchmarks.nar.build import build_nar
from nasbench_lite.benchmarks.nashpobench2.build import build_nashpobench2
from nasbench_lite.benchmarks.nats.build import build_nats
from nasbench_lite.benchmarks.nats_space.build import build_nats_space
from nasbench_lite.benchmarks.nb101.build import build_nb101
from nasbench_lite.benchmarks.nb101_space.build import write_cells
from nasbench_lite.spaces.nb201.space import topology_strings
from nats_fixture import write_archive

DATA = Path(__file__).parent / "data"

#: The packaged kinds this module builds.
KINDS = ("nb101_space", "nb101", "nats_space", "nats", "nashpobench2", "nar")


def small_nb101_space(path: Path) -> Path:
    with BuildSession(path, load_schema("nb101_space")) as session:
        session.count("cells", write_cells(session, nb101.space_chunks(max_vertices=5)))
    return path


def small_nb101(folder: Path) -> Path:
    cells = tfr.cells_from_rows(nb101.enumerate_cells(max_vertices=4).to_pylist())
    source = folder / "nasbench_small.tfrecord"
    tfr.write_tfrecord(source, tfr.synthetic_dataset(cells, seed=3))
    build_nb101([source], folder / "nb101.sqlite")
    return folder / "nb101.sqlite"


def small_nats(folder: Path) -> Path:
    write_archive(folder / "archive", topology_strings(), "tss", [0, 1, 2, 3], seed=2)
    build_nats(folder / "archive", folder / "nats.sqlite")
    return folder / "nats.sqlite"


def small_nashpobench2(folder: Path) -> Path:
    nhb2_fx.write_dataset(folder / "nhb2", nhb2_fx.sample_cellcodes(40, seed=1), seed=5)
    build_nashpobench2(folder / "nhb2", folder / "nhb2.sqlite")
    return folder / "nhb2.sqlite"


def small_nar(folder: Path) -> Path:
    real101 = json.loads((DATA / "nasbench101_vertice_example.json").read_text())
    real201 = json.loads((DATA / "nasbench201_vertice_example.json").read_text())
    arch = "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_1x1~2|"
    real201["7"] = {"arch_str": arch, "cifar10_val_acc": 50.0, **nats.cell_costs(arch)}
    (folder / "nb101.json").write_text(json.dumps(real101))
    (folder / "nb201.json").write_text(json.dumps(real201))
    build_nar([folder / "nb101.json", folder / "nb201.json"], folder / "nar.sqlite")
    return folder / "nar.sqlite"


def build_all(folder: Path) -> dict[str, Path]:
    """One small database per packaged kind under ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "nb101_space": small_nb101_space(folder / "nb101-space.sqlite"),
        "nb101": small_nb101(folder),
        "nats_space": build_nats_space(folder / "nats-space.sqlite").path,
        "nats": small_nats(folder),
        "nashpobench2": small_nashpobench2(folder),
        "nar": small_nar(folder),
    }
