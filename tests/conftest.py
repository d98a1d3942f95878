"""Shared pytest configuration: Hypothesis profiles and fixture-file loaders.

Hypothesis runs a fast, derandomized profile by default (the same examples on every run);
set NASBENCH_LITE_SLOW=1 for the 'slow' profile (many more, randomized examples).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from nb101_reference import load_nar_record, load_reference_specs

settings.register_profile(
    "default",
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
)
settings.register_profile(
    "slow",
    max_examples=2000,
    derandomize=False,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("slow" if os.environ.get("NASBENCH_LITE_SLOW") == "1" else "default")


@pytest.fixture(scope="session")
def reference_specs() -> list[dict[str, Any]]:
    """All rows of tests/data/reference_specs.jsonl (output of the original nasbench code)."""
    return load_reference_specs()


@pytest.fixture(scope="session")
def nar_record() -> dict[str, Any]:
    """The NAS-Bench-101 record of the NAR cell-information example."""
    return load_nar_record()


@pytest.fixture
def database_statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The SQL text of every ``Database.query`` call made while the test runs, in order."""
    from nasbench_lite._core import database

    statements: list[str] = []
    query = database.Database.query

    def counted(self: Any, sql: str, bindings: Any = ()) -> Any:
        statements.append(sql)
        return query(self, sql, bindings)

    monkeypatch.setattr(database.Database, "query", counted)
    return statements
