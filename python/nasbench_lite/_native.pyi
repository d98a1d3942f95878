"""Type stubs for the private native module built from rust/py (see rust/py/src/lib.rs)."""

from typing import final

import numpy as np
import numpy.typing as npt

__all__ = [
    "_selftest_panic",
    "MAX_BATCH_VERTICES",
    "Nb101Stream",
    "check_and_hash",
    "count_labelled",
    "enumerate_vertices",
    "frame_tfrecords",
    "hash_graph",
    "md5_kernel",
    "nb101_costs",
    "nb101_spec_digest",
    "sql_schema",
]

MAX_BATCH_VERTICES: int

def hash_graph(matrix: npt.NDArray[np.int64], labels: npt.NDArray[np.int64]) -> str: ...
def nb101_spec_digest(
    matrix: object, ops: object, op_codes: dict[str, int]
) -> tuple[int, int, str | None, bytes, bool, list[str]] | None: ...
def check_and_hash(
    matrices: npt.NDArray[np.uint8], codes: npt.NDArray[np.int8]
) -> tuple[
    npt.NDArray[np.uint8],
    npt.NDArray[np.uint8],
    npt.NDArray[np.int32],
    npt.NDArray[np.uint8],
    npt.NDArray[np.uint8],
]: ...
def enumerate_vertices(
    num_vertices: int, max_edges: int, num_ops: int
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
def sql_schema(name: str) -> str: ...

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
