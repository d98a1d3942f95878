"""Reading the official NAS-HPO-Bench-II pickles: bounded, checked, typed.

``DATA_DIR`` holds ``bench12.pkl`` (column dict of the 12-epoch runs keyed by ``(cell_hash, lr,
batch_size, seed)``), ``cellinfo.pkl`` (``{'hash': {cellcode: cell_hash}, ...}``) and
``avgaccs200.pkl`` (``{'avg_acc': {(cell_hash, lr, batch_size): accuracy}}``). Each is read
whole by the native restricted reader :mod:`nasbench_lite._core.formats.native_pickle` (no code
in it can run; bounded by :data:`~nasbench_lite._core.formats.native_pickle.NASHPOBENCH2_LIMITS`)
and checked against the official layout; any deviation raises
:class:`~nasbench_lite.errors.CorruptSourceError` naming the file (and the row, where there is
one). Values are handed on as the file holds them: nothing is coerced.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nasbench_lite._core.formats import native_pickle
from nasbench_lite.benchmarks.nashpobench2.layout import CURVE_COLUMNS, TOTAL_COLUMNS
from nasbench_lite.errors import BuildError, CorruptSourceError, OutOfDomainError, echo
from nasbench_lite.spaces.nb201.cellcode import check_cellcode

__all__ = [
    "KEY_COLUMNS",
    "SOURCE_FILES",
    "Bench12",
    "check_accuracy",
    "float_column",
    "load_path",
    "read_bench12",
    "read_cellinfo",
    "read_surrogate",
    "source_paths",
]

SOURCE_FILES = ("bench12.pkl", "cellinfo.pkl", "avgaccs200.pkl")
#: bench12 columns repeating the parts of each row's key after the cell hash.
KEY_COLUMNS = ("lr", "batch_size", "seed")


@dataclass(frozen=True)
class Bench12:
    """The checked content of ``bench12.pkl``.

    Attributes:
        path: The file.
        keys: Row keys ``(cell_hash, lr, batch_size, seed)`` in file order.
        columns: The :data:`KEY_COLUMNS`, totals and per-epoch columns, each a list of the
            file's values in ``keys`` order (the key columns checked against the keys).
    """

    path: Path
    keys: list[Any]
    columns: dict[str, list[Any]]


def source_paths(data_dir: str | os.PathLike[str], output: Any) -> dict[str, Path]:
    """The three official files of a data folder, each checked to exist.

    Args:
        data_dir: Folder with the :data:`SOURCE_FILES`.
        output: The build's output (named by the error).

    Returns:
        File name -> path, in :data:`SOURCE_FILES` order.

    Raises:
        BuildError: A missing data folder or file.
    """
    folder = Path(data_dir)
    if not folder.is_dir():
        raise BuildError(f"{folder}: no such data folder", output)
    paths = {name: folder / name for name in SOURCE_FILES}
    for path in paths.values():
        if not path.is_file():
            raise BuildError(
                f"{path}: missing (the data folder needs {', '.join(SOURCE_FILES)})", output
            )
    return paths


def load_path(path: Path) -> Any:
    """One official pickle, read natively within the NAS-HPO-Bench-II limits.

    Args:
        path: The file.

    Returns:
        The unpickled value.

    Raises:
        CorruptSourceError: Not a pickle within the limits, or one naming code.
    """
    return native_pickle.load_path(path, limits=native_pickle.NASHPOBENCH2_LIMITS)


def _column(bench: dict[str, Any], name: str, keys: list[Any], path: Path) -> list[Any]:
    """Values of one bench12 column in ``keys`` order (fast path: same key order)."""
    column = bench.get(name)
    if not isinstance(column, dict):
        raise CorruptSourceError(f"{path}: column {name!r} is missing or not a dict", path)
    if len(column) == len(keys) and list(column) == keys:
        return list(column.values())
    for index, key in enumerate(keys):
        if key not in column:
            raise CorruptSourceError(
                f"{path}: column {name!r} has no value for row {key!r}", path, record_index=index
            )
    if len(column) != len(keys):
        raise CorruptSourceError(
            f"{path}: column {name!r} has {len(column)} rows, column 'lr' has {len(keys)}", path
        )
    return [column[key] for key in keys]


def read_cellinfo(path: Path) -> dict[str, Any]:
    """``cellinfo.pkl``'s ``'hash'`` table, every cell code and hash checked.

    Args:
        path: The file.

    Returns:
        Cell code -> official cell hash (str, int or bytes), in file order.

    Raises:
        CorruptSourceError: No non-empty ``'hash'`` dict, a key that is not a cell code, or a
            hash of another type.
    """
    data = load_path(path)
    table = data.get("hash") if isinstance(data, dict) else None
    if not isinstance(table, dict) or not table:
        raise CorruptSourceError(f"{path}: expected a dict with a non-empty 'hash' dict", path)
    for index, (code, value) in enumerate(table.items()):
        try:
            check_cellcode(code)
        except OutOfDomainError as exc:
            raise CorruptSourceError(f"{path}: {exc}", path, record_index=index) from None
        if not isinstance(value, str | int | bytes) or isinstance(value, bool):
            raise CorruptSourceError(
                f"{path}: cell hash of {code!r} is a {type(value).__name__}, expected str or int",
                path,
                record_index=index,
            )
    return table


def read_bench12(path: Path) -> Bench12:
    """``bench12.pkl``: row keys and the columns the database keeps, checked.

    Args:
        path: The file.

    Returns:
        A :class:`Bench12` record.

    Raises:
        CorruptSourceError: Not a column dict with an ``'lr'`` column, no rows, a key that is
            not a 4-tuple, a missing column or row, or a key column disagreeing with its key.
    """
    bench = load_path(path)
    if not isinstance(bench, dict) or not isinstance(bench.get("lr"), dict):
        raise CorruptSourceError(f"{path}: expected a column dict with an 'lr' column", path)
    keys = list(bench["lr"])
    if not keys:
        raise CorruptSourceError(f"{path}: no rows", path)
    for index, key in enumerate(keys):
        if not isinstance(key, tuple) or len(key) != 4:
            raise CorruptSourceError(
                f"{path}: row key {key!r} is not (cell_hash, lr, batch_size, seed)",
                path,
                record_index=index,
            )
    columns = {
        name: _column(bench, name, keys, path)
        for name in (*KEY_COLUMNS, *TOTAL_COLUMNS, *CURVE_COLUMNS)
    }
    for position, name in enumerate(KEY_COLUMNS, start=1):
        for index, (key, value) in enumerate(zip(keys, columns[name], strict=True)):
            if key[position] != value:
                raise CorruptSourceError(
                    f"{path}: row {key!r} has {name} = {value!r}, its key says {key[position]!r}",
                    path,
                    record_index=index,
                )
    return Bench12(path, keys, columns)


def read_surrogate(path: Path) -> dict[Any, Any]:
    """``avgaccs200.pkl``'s ``'avg_acc'`` table, every key checked.

    The values are checked by :func:`check_accuracy` where a row is kept (rows of hashes or
    hyperparameters bench12 does not have are dropped unchecked).

    Args:
        path: The file.

    Returns:
        ``(cell_hash, lr, batch_size)`` -> accuracy, in file order.

    Raises:
        CorruptSourceError: No ``'avg_acc'`` dict, or a key that is not a 3-tuple.
    """
    data = load_path(path)
    table = data.get("avg_acc") if isinstance(data, dict) else None
    if not isinstance(table, dict):
        raise CorruptSourceError(f"{path}: expected a dict with an 'avg_acc' dict", path)
    for index, key in enumerate(table):
        if not isinstance(key, tuple) or len(key) != 3:
            raise CorruptSourceError(
                f"{path}: key {key!r} is not (cell_hash, lr, batch_size)", path, record_index=index
            )
    return table


def check_accuracy(value: Any, key: Any, path: Path, index: int) -> float:
    """One surrogate accuracy, refused unless it is a number (bool is not).

    Args:
        value: The file's value.
        key: Its ``(cell_hash, lr, batch_size)`` key (named by the error).
        path: The file.
        index: Its position in the file.

    Returns:
        The value as a float.

    Raises:
        CorruptSourceError: Not an int or float.
    """
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise CorruptSourceError(
            f"{path}: accuracy of {key!r} is {value!r}, not a number", path, record_index=index
        )
    return float(value)


def float_column(values: list[Any], name: str, path: Path) -> Any:
    """One bench12 column as a float64 array (None becomes NaN), refusing non-numbers.

    Args:
        values: The file's values.
        name: The column (named by the error).
        path: The file.

    Returns:
        A ``<f8`` array of ``len(values)``.

    Raises:
        CorruptSourceError: A value that is not a number or None (strings and booleans
            included: the official loader keeps them as they are).
    """
    try:
        raw = np.asarray(values)
    except (TypeError, ValueError) as exc:
        raise CorruptSourceError(f"{path}: column {name!r} is not numeric ({exc})", path) from exc
    # numpy turns True into 1.0 and "0.5" into 0.5 without a word: look at the element types
    # unless every value is a plain float/int (the fast, normal case).
    if raw.dtype.kind not in "fiu" or not all(type(v) in (float, int) for v in values):
        # Strings (even "0.5") and booleans are refused, not coerced: the official loader keeps
        # them as they are, so a float here would be a value the source does not hold.
        for index, value in enumerate(values):
            if value is not None and (
                isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number)
            ):
                raise CorruptSourceError(
                    f"{path}: column {name!r} is not numeric: row {index} is "
                    f"{type(value).__name__} {echo(value)}, not a number",
                    path,
                    record_index=index,
                )
    try:
        return np.asarray(values, dtype="<f8")  # None stays NaN, as before
    except (TypeError, ValueError) as exc:
        raise CorruptSourceError(f"{path}: column {name!r} is not numeric ({exc})", path) from exc
