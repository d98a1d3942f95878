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


def trace_statements(db: Any) -> list[str]:
    """Records the SQL text of every statement a database handle runs from now on.

    Traces the handle's own connection and its point-lookup connections (``point_query``).

    Args:
        db: A ``nasbench_lite._core.database.Database``.

    Returns:
        The list the statements are appended to, in order.
    """
    statements: list[str] = []

    def trace(_cursor: Any, sql: str, _bindings: Any) -> bool:
        statements.append(sql)
        return True

    for connection in (db.connection, *db._point_connections):
        connection.exec_trace = trace
    return statements


@pytest.fixture
def statement_trace() -> Any:
    """:func:`trace_statements`, for tests that count the statements of a call."""
    return trace_statements
