"""pyarrow is optional: without it single queries work and Arrow features name the extra.

Each check runs in a subprocess whose ``sitecustomize`` (on PYTHONPATH) installs a meta-path
finder refusing ``pyarrow`` and its submodules, as on a core install
(``pip install nasbench-lite`` without ``[arrow]``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import nb101_tfrecord as tfr
import pytest
from nasbench_lite import nb101
from nasbench_lite.benchmarks.nb101.build import build_nb101
from nasbench_lite.errors import MissingDependencyError, NasbenchLiteError

BLOCKER = '''
import sys

class _NoPyarrow:
    """Acts as if pyarrow were not installed."""

    def find_spec(self, name, path=None, target=None):
        if name == "pyarrow" or name.startswith("pyarrow."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, _NoPyarrow())
'''


@pytest.fixture(scope="module")
def no_pyarrow_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("no_pyarrow")
    (folder / "sitecustomize.py").write_text(BLOCKER)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(folder), env.get("PYTHONPATH")]))
    return env


@pytest.fixture(scope="module")
def data_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("arrow_db")
    cells = tfr.cells_from_rows(nb101.enumerate_cells(max_vertices=4).to_pylist())
    source = folder / "nasbench_only108.tfrecord"
    tfr.write_tfrecord(source, tfr.synthetic_dataset(cells, epochs=(108,), seed=5))
    build_nb101([source], folder / "nb101.sqlite")
    return folder / "nb101.sqlite"


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env)


def test_the_error_type() -> None:
    error = MissingDependencyError("x", package="pyarrow", extra="arrow")
    assert isinstance(error, NasbenchLiteError) and isinstance(error, ImportError)
    assert error.name == "pyarrow" and error.extra == "arrow"


def test_single_queries_work_and_bulk_names_the_extra(
    no_pyarrow_env: dict[str, str], data_db: Path
) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        try:
            import pyarrow
        except ImportError:
            pass
        else:
            sys.exit("the blocker did not work")
        from nasbench_lite import nb101
        from nasbench_lite.errors import MissingDependencyError
        from nasbench_lite.nb101.api import NASBench

        spec = nb101.ModelSpec([[0, 1], [0, 0]], ["input", "output"])
        assert spec.hash_spec() == "043721b9c7fe8c5fad811d47d83132ec"
        with NASBench({str(data_db)!r}, seed=0) as api:
            first = next(iter(api.hash_iterator()))
            fixed, computed = api.get_metrics_from_hash(first)
            assert len(computed[108]) == 3
            try:
                api.query_many([first])
            except MissingDependencyError as exc:
                assert isinstance(exc, ImportError) and exc.extra == "arrow"
                print(exc)
            else:
                sys.exit("query_many worked without pyarrow")
        try:
            nb101.enumerate_cells(max_vertices=3)
        except MissingDependencyError as exc:
            print(exc)
        else:
            sys.exit("enumerate_cells worked without pyarrow")
        assert "pyarrow" not in sys.modules
        """
    )
    result = run(no_pyarrow_env, "-c", script)
    assert result.returncode == 0, result.stderr + result.stdout
    messages = result.stdout.splitlines()
    assert len(messages) == 2
    assert all("pip install 'nasbench-lite[arrow]'" in m for m in messages)


def test_cli_without_pyarrow(no_pyarrow_env: dict[str, str], data_db: Path, tmp_path: Path) -> None:
    query = run(no_pyarrow_env, "-m", "nasbench_lite", "info", str(data_db))
    assert query.returncode == 0, query.stderr
    out = tmp_path / "cells.parquet"
    enumerate_ = run(
        no_pyarrow_env, "-m", "nasbench_lite", "enumerate", "nb101", "--out", str(out), "-q"
    )
    assert enumerate_.returncode == 1
    assert enumerate_.stderr.count("\n") == 1 and "Traceback" not in enumerate_.stderr
    assert "nasbench-lite[arrow]" in enumerate_.stderr
    assert not out.exists()
    export = run(
        no_pyarrow_env, "-m", "nasbench_lite", "export", str(data_db), "--out", str(tmp_path / "x")
    )
    assert export.returncode == 1 and "nasbench-lite[arrow]" in export.stderr
    assert not (tmp_path / "x").exists() or not any((tmp_path / "x").iterdir())
