"""Type stubs for the private native module built from rust/py (see rust/py/src/lib.rs).

Every function raises the ``nasbench_lite.errors`` class of each failure itself:
``InvalidInputError`` for malformed arguments, ``InvalidSpecError`` / ``OutOfDomainError``
(with ``.row``) from :func:`raise_first_invalid`, ``CorruptSourceError`` for a bad source
record, ``OSError`` subclasses for unreadable files and ``InternalError`` for a Rust panic. The
pickle functions raise ``UnsafePickleError`` for a refused global / persistent id / extension
code and ``CorruptSourceError`` (naming file, limit and byte offset) for anything else; use them
through ``nasbench_lite._core.formats.native_pickle``.
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal, final

import numpy as np
import numpy.typing as npt

__all__ = [
    "_selftest_panic",
    "MAX_BATCH_VERTICES",
    "ContentDigest",
    "NatsBuildBatch",
    "NatsCurvesPacker",
    "Nb101Stream",
    "bz2_decompress",
    "check_and_hash",
    "check_pickle",
    "check_reasons",
    "count_labelled",
    "enumerate_vertices",
    "frame_tfrecords",
    "hash_graph",
    "hash_rows",
    "load_pickle",
    "load_pickle_files",
    "md5_kernel",
    "nats_curves_arrays",
    "nats_encode_curves",
    "nats_costs",
    "nats_final_info",
    "nats_simulate",
    "nats_final_sets",
    "nats_info_dict",
    "nats_mid_run_sets",
    "nb101_adjacency",
    "nb101_costs",
    "nb101_cached_checks",
    "nb101_computed_by_cell",
    "nb101_computed_stats",
    "nb101_first_sight_runs",
    "nb101_official_config",
    "nb101_spec_digest",
    "nb101_spec_init",
    "nb101_spec_register",
    "nb101_spec_verdict",
    "op_codes_of_names",
    "raise_first_invalid",
    "read_nats_arch_files",
    "read_nats_build_batch",
]

MAX_BATCH_VERTICES: int

def hash_graph(matrix: npt.NDArray[np.int64], labels: npt.NDArray[np.int64]) -> str: ...
def nb101_adjacency(num_vertices: int, edge_bits: int) -> npt.NDArray[np.int8] | None:
    """The ``module_adjacency`` of a stored cell (``cells.num_vertices`` / ``edge_bits``).

    Args:
        num_vertices: V, 0..7.
        edge_bits: ``gen_is_edge_fn`` bits (bit ``x + y(y-1)/2`` is the edge x -> y); bits
            beyond the V x V upper triangle are ignored, a negative int read as Python's
            ``&`` reads it.

    Returns:
        A new ``(V, V)`` int8 ndarray (writeable, C-contiguous, owning its data) equal to
        ``result.flat_adjacency``'s bytes; None when an argument is not an exact int, V is
        outside 0..7 or ``edge_bits`` does not fit 64 bits (the caller's reference decode
        answers those).
    """

def nb101_computed_by_cell(
    rows: list[Any], fields: tuple[str, ...]
) -> dict[int, dict[int, list[dict[str, float]]]] | None:
    """``cell_id -> computed_stats`` of ``runs`` rows ``(cell_id, epochs, repeat, values...)``.

    Args:
        rows: The rows of a page of cells, ordered by cell id, epochs and repeat.
        fields: The metric names, the keys of each repeat's dict (in their order).

    Returns:
        One entry per cell id met, built as :func:`nb101_computed_stats` builds one cell's;
        None where that returns None, for a cell id that is not an exact int, or rows whose
        cell ids are not grouped (the caller's Python path answers those).
    """

def nb101_computed_stats(
    rows: list[Any], fields: tuple[str, ...]
) -> dict[int, list[dict[str, float]]] | None:
    """The official ``computed_stats`` of one cell from ``get_metrics_from_hash``'s rows.

    Args:
        rows: The statement's rows (a list of tuples): column 5 the epochs (None: the LEFT
            JOIN's row of a cell without runs, skipped), column 6 the repeat, then one value
            per field, rows ordered by epochs and repeat.
        fields: The metric names, the keys of each repeat's dict (in their order).

    Returns:
        ``{epochs: [{field: value} per row, in order]}`` (new objects); None when ``rows`` is
        not a list of tuples of exactly ``7 + len(fields)`` columns, an epochs value is not an
        exact int, or a value is not an exact float (a NULL: the caller's Python path answers).
    """

def nb101_first_sight_runs(rows: list[Any]) -> dict[int, tuple[Any, ...]] | None:
    """``repeat -> row[6:]`` of the rows of ``NASBench.query``'s first-sight statement.

    Args:
        rows: The statement's rows (a list of tuples): column 4 the repeat, column 5 the sum
            of the values (NULL when one may be NULL), the values from column 6 on.

    Returns:
        A new dict, rows in order (a later row of a repeat wins); None when ``rows`` is not
        a non-empty list of tuples of at least 6 columns with an exact int repeat and a
        non-NULL sum in every row (the caller's Python path answers those).
    """

def nb101_spec_init(
    state: dict[str, Any],
    matrix: object,
    ops: Iterable[Any],
    data_format: object,
    op_keys: dict[str, int],
    unset: object,
) -> bool: ...
def nb101_spec_digest(
    entries: bytes, kept: int, ops: list[Any], op_keys: dict[str, int]
) -> str | None: ...
def nb101_cached_checks(
    specs: list[Any], spec_type: type, unset: object
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]]: ...
def nb101_spec_register(spec_type: type, unset: object) -> bool: ...
def nb101_official_config(config: object) -> bool:
    """Whether ``config`` (a ``NASBench.config``) holds the official ``module_vertices`` (7),
    ``max_edges`` (9) and ``available_ops`` (the three op names in their order), as exact
    int / list / str objects: the checks made under those answer for it."""

def nb101_spec_verdict(spec: object, config: object | None = None) -> str | None: ...
def check_and_hash(
    matrices: npt.NDArray[np.uint8], codes: npt.NDArray[np.int8]
) -> tuple[
    npt.NDArray[np.uint8],
    npt.NDArray[np.uint8],
    npt.NDArray[np.int32],
    npt.NDArray[np.uint8],
    npt.NDArray[np.uint8],
]: ...
def hash_rows(
    matrices: npt.NDArray[np.uint8], codes: npt.NDArray[np.int8]
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint8], npt.NDArray[np.int32]]: ...
def op_codes_of_names(chars: npt.NDArray[np.uint32]) -> npt.NDArray[np.int8]: ...
def check_reasons(
    status: npt.NDArray[np.uint8], detail: npt.NDArray[np.int32], ops: Any
) -> npt.NDArray[np.object_]: ...
def raise_first_invalid(
    status: npt.NDArray[np.uint8], detail: npt.NDArray[np.int32], ops: Any
) -> None: ...
def enumerate_vertices(
    num_vertices: int,
    max_edges: int,
    num_ops: int,
    progress: Callable[[int], object] | None = None,
    every: int = 65536,
) -> tuple[
    npt.NDArray[np.uint32], npt.NDArray[np.uint8], npt.NDArray[np.int8], npt.NDArray[np.uint8]
]: ...
def count_labelled(num_vertices: int, max_edges: int, num_ops: int) -> int: ...
def md5_kernel() -> str: ...
def _selftest_panic(message: str) -> None: ...
def frame_tfrecords(payloads: list[bytes]) -> bytes: ...
def nb101_costs(
    matrices: npt.NDArray[np.uint8], codes: npt.NDArray[np.int8]
) -> tuple[
    npt.NDArray[np.uint8],
    npt.NDArray[np.uint64],
    npt.NDArray[np.uint64],
    npt.NDArray[np.uint64],
    npt.NDArray[np.uint64],
]: ...
def load_pickle(
    data: bytes, *, name: str | None = None, limits: dict[str, int] | None = None
) -> Any: ...
def check_pickle(
    data: bytes, *, name: str | None = None, limits: dict[str, int] | None = None
) -> None: ...
def load_pickle_files(paths: list[str], *, limits: dict[str, int] | None = None) -> list[Any]: ...
def bz2_decompress(data: bytes, *, limits: dict[str, int] | None = None) -> bytes: ...

#: One walked NATS-Bench file: ``(hps, meta, eval_names, seed_labels, configs, latencies,
#: finals, finals_absent, values, present)``; ``meta`` is int64 ``(runs, 8)``: hp position,
#: dataset position (``layout.DATASETS``), dataset order, seed, seed order, epochs, train-dict
#: bits (``TRAIN_SERIES``), offset of the run's ``(series, epochs)`` block in ``values``;
#: ``finals`` float64 ``(runs, 23)`` (``FINAL_FIELDS``) with ``finals_absent`` bit masks.
_NatsArchArrays = tuple[
    list[str],
    npt.NDArray[np.int64],
    list[tuple[str, ...]],
    list[str | None],
    list[str | None],
    list[list[float] | None],
    npt.NDArray[np.float64],
    npt.NDArray[np.uint32],
    npt.NDArray[np.float64],
    npt.NDArray[np.bool_],
]

def read_nats_arch_files(
    paths: list[str],
    indexes: list[int],
    arch_strs: list[str],
    *,
    limits: dict[str, int] | None = None,
    compensated_sum: bool = False,
) -> list[_NatsArchArrays | str]: ...
def read_nats_build_batch(
    paths: list[str],
    indexes: list[int],
    arch_strs: list[str],
    *,
    limits: dict[str, int] | None = None,
    compensated_sum: bool = False,
) -> NatsBuildBatch: ...

#: ``NatsBuildBatch.rows``: config, arch_hps, runs, curves and summaries rows (tuples in the
#: builder's column order), the hp and dataset names seen, the number of runs.
_NatsRows = tuple[
    list[tuple[Any, ...]],
    list[tuple[Any, ...]],
    list[tuple[Any, ...]],
    list[tuple[Any, ...]],
    list[tuple[Any, ...]],
    list[str],
    list[str],
    int,
]

@final
class NatsBuildBatch:
    def __len__(self) -> int: ...
    def irregular(self) -> list[tuple[int, str]]: ...
    def rows(self, start: int, stop: int, run_id: int, configs: dict[str, int]) -> _NatsRows: ...

@final
class NatsCurvesPacker:
    def __new__(cls, page_size: int, window: int = 64) -> NatsCurvesPacker: ...
    @property
    def leaves(self) -> int: ...
    @property
    def next_id(self) -> int: ...
    def add(
        self, run_rows: Sequence[Sequence[Any]], curve_rows: Sequence[tuple[int, bytes]]
    ) -> tuple[list[tuple[Any, ...]], list[tuple[int, bytes]]]: ...
    def add_batch(
        self, batch: NatsBuildBatch, start: int, stop: int, configs: dict[str, int]
    ) -> _NatsRows: ...
    def finish(self) -> tuple[list[tuple[Any, ...]], list[tuple[int, bytes]]]: ...

def nats_encode_curves(
    values: npt.NDArray[np.float64],
    present: npt.NDArray[np.bool_],
    dict_present: list[bool],
    latency: list[float] | None = None,
) -> bytes: ...
def nats_mid_run_sets(
    blobs: list[bytes],
    sets: bytes,
    width: int,
    eval_counts: list[int],
    iepoch: int,
    chosen: int,
    compensated_sum: bool = False,
) -> list[tuple[float, float, float | None] | None] | int | None: ...
def nats_curves_arrays(
    blob: bytes,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]: ...
def nats_costs(
    rows: list[Any],
    time_fields: bytes,
    time_keys: tuple[str, ...],
    compensated_sum: bool = False,
) -> dict[str, Any] | None: ...
def nats_final_info(
    rows: list[Any],
    sets: bytes,
    keys: tuple[str, ...],
    required: bytes,
    chosen: int,
    total: float,
    comment: str | None = None,
    compensated_sum: bool = False,
    columns: bytes | None = None,
) -> dict[str, Any] | None: ...
def nats_simulate(
    one: list[Any],
    sets: bytes,
    required: bytes,
    chosen: int,
    total: float,
    valid_set: int,
    train_set: int,
    two: list[Any],
    time_fields: bytes,
    compensated_sum: bool = False,
) -> tuple[float, float | None, float] | None: ...
def nats_final_sets(
    rows: list[Any],
    sets: bytes,
    chosen: int,
    compensated_sum: bool = False,
) -> list[tuple[float | None, float, float | None] | Literal[False] | None] | None: ...
def nats_info_dict(
    values: list[Any],
    keys: tuple[str, ...],
    required: bytes,
    total: float,
    comment: str | None = None,
) -> dict[str, Any] | None: ...

_NewCells = tuple[
    npt.NDArray[np.uint8],
    npt.NDArray[np.uint8],
    npt.NDArray[np.uint8],
    npt.NDArray[np.int8],
    npt.NDArray[np.int64],
]
_Runs = tuple[
    npt.NDArray[np.uint32], npt.NDArray[np.int64], npt.NDArray[np.uint32], npt.NDArray[np.float64]
]

@final
class Nb101Stream:
    def __new__(cls, path: str) -> Nb101Stream: ...
    def start_source(self, path: str) -> None: ...
    def next_batch(self, max_records: int) -> tuple[_NewCells, _Runs] | None: ...
    def progress(self) -> tuple[int, int]: ...
    def sha256(self) -> str: ...
    def num_cells(self) -> int: ...

@final
class ContentDigest:
    def __new__(cls) -> ContentDigest: ...
    def table(self, name: str) -> None: ...
    def rows(self, rows: Iterable[Sequence[Any]]) -> int: ...
    def hexdigest(self) -> str: ...
