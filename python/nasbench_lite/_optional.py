"""Optional dependencies, imported where used with a typed error naming the extra.

The core install (numpy, apsw, tqdm) answers single queries and builds databases; pyarrow
(``pip install 'nasbench-lite[arrow]'``) is needed only for bulk lookups returning Arrow
tables, search-space enumeration and Parquet/CSV export.
"""

from __future__ import annotations

import importlib
from typing import Any

from nasbench_lite.errors import MissingDependencyError

__all__ = ["ARROW_EXTRA", "import_pyarrow"]

#: The extra that installs pyarrow.
ARROW_EXTRA = "arrow"


def import_pyarrow(submodule: str | None = None) -> Any:
    """Imports pyarrow (or ``pyarrow.<submodule>``), or explains how to install it.

    Args:
        submodule: ``"parquet"``, ``"csv"``, ... or None for ``pyarrow`` itself.

    Returns:
        The imported module.

    Raises:
        MissingDependencyError: pyarrow is not installed (an ``ImportError`` too).
    """
    name = "pyarrow" if submodule is None else f"pyarrow.{submodule}"
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise MissingDependencyError(
            f"{name} is not installed; bulk lookups, enumeration and Parquet/CSV export need "
            f"it: pip install 'nasbench-lite[{ARROW_EXTRA}]'",
            package="pyarrow",
            extra=ARROW_EXTRA,
        ) from exc
