"""NAS-Bench-101 cells: ``ModelSpec``, validity checks and the official module hash.

Semantics follow the original ``nasbench.lib.model_spec`` and ``nasbench.api`` exactly (see
``shared/formats/nb101.md``), with these deliberate, documented divergences:

* ``check_spec`` / ``is_valid`` on a spec with more than 7 vertices after pruning raise /
  return the intended ``OutOfDomainError('too many vertices, got N (max vertices = 7)')``; the
  original raises ``TypeError: 'module' object is not subscriptable`` there (it indexes the
  ``config`` module instead of ``self.config``).
* ``ModelSpec`` rejects matrices whose entries are not non-negative integers (NaN, negative or
  fractional values), which the original silently accepted and then hashed or pruned oddly.
* ``hash_spec`` on an unknown op or a disconnected spec raises ``OutOfDomainError`` (a
  ``ValueError``) instead of the original's bare ``ValueError`` / ``TypeError``.
"""

from __future__ import annotations

from nasbench_lite import _native
from nasbench_lite._core.arguments import check_public, raise_checked, self_checked
from nasbench_lite.errors import InvalidSpecError, OutOfDomainError
from nasbench_lite.spaces.nb101._spec_copy import copy_state
from nasbench_lite.spaces.nb101.graph_hash import hash_graph

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (import stays cheap)
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

    import numpy.typing as npt

__all__ = [
    "INPUT",
    "OUTPUT",
    "CONV3X3",
    "CONV1X1",
    "MAXPOOL3X3",
    "AVAILABLE_OPS",
    "MAX_VERTICES",
    "MAX_EDGES",
    "ModelSpec",
    "check_spec",
    "check_spec_against",
    "hash_graph",
    "is_valid",
]

INPUT = "input"
OUTPUT = "output"
CONV3X3 = "conv3x3-bn-relu"
CONV1X1 = "conv1x1-bn-relu"
MAXPOOL3X3 = "maxpool3x3"
#: The official op list; an op's position is its label in the hash (conv3x3=0 ...).
AVAILABLE_OPS: tuple[str, ...] = (CONV3X3, CONV1X1, MAXPOOL3X3)
#: ``module_vertices`` and ``max_edges`` of the official config.
MAX_VERTICES = 7
MAX_EDGES = 9


_MAX_ENTRY = 2**31
#: ``AVAILABLE_OPS`` as the list ``config['available_ops']`` holds (compared, never mutated).
_AVAILABLE_OPS_LIST = list(AVAILABLE_OPS)
#: Op name -> key for the native fast path: the available ops' hash labels 0..2, then 'input'
#: and 'output' (absent: any other op).
_OP_KEYS = {**{op: code for code, op in enumerate(AVAILABLE_OPS)}, INPUT: 3, OUTPUT: 4}
#: ``(entries, dtype)`` -> the ``original_matrix`` ndarray first built from them, never handed
#: out: later specs of the same input get a copy of it (numpy's cheapest way to a new array).
_ARRAYS: dict[tuple[bytes, Any], Any] = {}
_ARRAY_SPECS = 16_384
#: The native constructor step, bound once (one global lookup per spec instead of two).
_spec_init = _native.nb101_spec_init
_spec_digest = _native.nb101_spec_digest
#: :meth:`ModelSpec._fast_hash` as one native call (no Python frame): is_valid, check_spec and
#: the readers' query / is_valid ask it once or more per search step.
spec_verdict = _native.nb101_spec_verdict
#: Side of the square matrix with ``n * n`` entries.
_SIDES = {n * n: n for n in range(1, 9)}


class _Unset:
    """Marks a lazily built ndarray attribute not built yet; copies and pickles as itself, so
    a copied or unpickled spec still builds its arrays on first read."""

    __slots__ = ()

    def __reduce__(self) -> str:
        return "_UNSET"

    def __repr__(self) -> str:
        return "<not built yet>"


_UNSET: Any = _Unset()


def _numpy() -> Any:
    """numpy, imported on first use: building a spec and hashing it never needs it."""
    import numpy

    return numpy


def _as_matrix(matrix: Any) -> npt.NDArray[Any]:
    """Copies ``matrix`` into an ndarray, rejecting entries that are not non-negative integers."""
    np = _numpy()
    array = np.array(matrix)
    if array.dtype == np.bool_ or array.size == 0:
        return array  # type: ignore[no-any-return]
    if array.dtype.kind not in "iuf":
        raise InvalidSpecError(f"matrix entries must be numbers, got dtype {array.dtype}")
    if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
        raise InvalidSpecError("matrix entries must be finite (found NaN or infinity)")
    if np.any(array < 0) or np.any(array != np.floor(array)):
        raise InvalidSpecError("matrix entries must be non-negative integers")
    # Degrees are summed in int64; bound entries so no sum can overflow.
    if np.any(array >= _MAX_ENTRY):
        raise InvalidSpecError(f"matrix entries must be below {_MAX_ENTRY}")
    return array  # type: ignore[no-any-return]


def _is_upper_triangular(matrix: npt.NDArray[Any]) -> bool:
    """True when every entry on or below the diagonal is zero."""
    np = _numpy()
    return not np.any(np.tril(matrix) != 0)


class ModelSpec:
    """A NAS-Bench-101 cell: adjacency matrix plus one op per vertex (the official ModelSpec).

    Construction checks shape and triangularity (raising :class:`InvalidSpecError`, a
    ``ValueError``, with the original messages) and prunes the spec: vertices not on a path from
    the input to the output are removed, the rest renumbered in their original order. When the
    input cannot reach the output the spec is invalid: ``valid_spec`` is False and ``matrix`` /
    ``ops`` are None (no exception, as in the original).

    Small 0/1 matrices (nested lists or int/bool ndarrays, at most 8 vertices) take a native
    fast path: checking, pruning and the default ``hash_spec`` happen in one call without numpy,
    and ``original_matrix`` / ``matrix`` are built as ndarrays (same dtype, same values as the
    original's) only when first read. Reading ``matrix`` hands out the array itself, as the
    original does; from then on ``hash_spec`` / :func:`check_spec` use that array, so changes
    made to it are seen exactly as in the original.

    Attributes:
        original_matrix: Copy of the matrix as given (ndarray).
        original_ops: Copy of the ops as given.
        matrix: Pruned matrix (ndarray), or None when invalid.
        ops: Pruned ops, or None when invalid.
        valid_spec: False when pruning found input and output disconnected.
        data_format: Kept for signature compatibility ('channels_last' or 'channels_first').
    """

    data_format: str
    original_ops: list[str]
    ops: list[str] | None
    valid_spec: bool
    #: Fast path: the entries as given (row-major 0/1 bytes), the dtype of ``original_matrix``,
    #: the kept vertex mask, the pruned edge count, the default ``hash_spec`` (None: not
    #: computed; a spec outside the space is hashed only when ``hash_spec`` is asked) and the
    #: pruned ops it is (or will be) computed for.
    _entries: bytes
    _dtype: Any
    _kept: int
    _num_edges: int
    _digest: str | None = None
    _hashed_ops: list[str]
    #: :func:`check_spec`'s verdict at construction: the hash when the spec is inside the space,
    #: '' when it is not; None (this default) on the general path. See :meth:`_fast_hash`.
    _checked: str | None = None
    #: ``original_matrix`` / ``matrix`` once built (``_UNSET`` until then; the fast path leaves
    #: ``_original`` to this class default: one attribute less to write per spec).
    _original: Any = _UNSET
    _matrix: Any

    @self_checked  # a search builds one spec per step: no wrapper call on success
    def __init__(self, matrix: Any, ops: Sequence[str], data_format: str = "channels_last") -> None:
        """Builds and prunes a spec.

        Args:
            matrix: Square upper-triangular 0/1 matrix (nested lists or ndarray).
            ops: One op name per vertex ('input', ops..., 'output').
            data_format: Unused here; kept for compatibility with the official API.

        Raises:
            InvalidSpecError: 'matrix must be square', 'length of ops must match matrix
                dimensions', 'matrix must be upper triangular', or non-integer entries.
        """
        # Sets data_format, original_ops (a copy, as the original's deepcopy) and _digest; for
        # small 0/1 lists and ndarrays also checks and prunes natively, hashes a spec inside
        # the space (through a process-wide memo of pruned cells) and writes the fast-path
        # attributes of the class body and the kept ops as new lists.
        try:
            if _spec_init(self.__dict__, matrix, ops, data_format, _OP_KEYS, _UNSET):
                return
            self._init_general(matrix, ops)
        except Exception as exc:  # noqa: BLE001 - translated exactly as check_public would
            raise_checked(ModelSpec.__init__, exc, self, matrix, ops, data_format)

    def _init_general(self, matrix: Any, ops: Sequence[str]) -> None:
        """``__init__`` for what the native fast path declines (numpy, every error message)."""
        np = _numpy()
        try:
            array = np.array(matrix)
        except ValueError as exc:  # ragged nested lists
            raise InvalidSpecError("matrix must be square") from exc
        shape = np.shape(array)
        if len(shape) != 2 or shape[0] != shape[1]:
            raise InvalidSpecError("matrix must be square")
        if shape[0] != len(ops):
            raise InvalidSpecError("length of ops must match matrix dimensions")
        array = _as_matrix(array)
        if not _is_upper_triangular(array):
            raise InvalidSpecError("matrix must be upper triangular")
        self._original = array.copy()
        self._matrix = array.copy()
        self.ops = list(self.original_ops)
        self.valid_spec = True
        self._prune()

    def _fast_hash(self) -> str | None:
        """The construction-time verdict of :func:`check_spec` while it still holds.

        Hot callers call :data:`spec_verdict` (the same, natively) directly.

        Returns:
            The default ``hash_spec()`` when the spec is inside the space, '' when it is not,
            None when the general checks must decide: a general-path spec (or a subclass), or
            the pruned matrix was handed out, or ``ops`` / ``valid_spec`` were changed since.
        """
        return spec_verdict(self)

    # -- lazily built arrays ----------------------------------------------------------------
    @property
    def original_matrix(self) -> npt.NDArray[Any]:
        """Copy of the matrix as given (built from the fast path's entries on first read)."""
        if self._original is _UNSET:
            self._original = self._entries_array().copy()
        return self._original  # type: ignore[no-any-return]

    @original_matrix.setter
    def original_matrix(self, value: Any) -> None:
        self._original = value

    def _entries_array(self) -> npt.NDArray[Any]:
        """The construction-time entries as an ndarray of the spec's dtype (shared: copy it)."""
        key = (self._entries, self._dtype)
        array = _ARRAYS.get(key)
        if array is None:
            np = _numpy()
            size = _SIDES[len(self._entries)]
            flat = np.frombuffer(self._entries, dtype=np.uint8)
            array = flat.reshape(size, size).astype(self._dtype)
            if len(_ARRAYS) >= _ARRAY_SPECS:
                _ARRAYS.clear()
            _ARRAYS[key] = array
        return array  # type: ignore[no-any-return]

    @property
    def matrix(self) -> npt.NDArray[Any] | None:
        """Pruned matrix, or None when invalid (built on first read)."""
        if self._matrix is _UNSET:
            # From the entries as given, as the original prunes at construction: changes made
            # to original_matrix since do not reach it.
            np = _numpy()
            size = _SIDES[len(self._entries)]
            keep = [v for v in range(size) if self._kept >> v & 1]
            self._matrix = self._entries_array()[np.ix_(keep, keep)].copy()
        return self._matrix  # type: ignore[no-any-return]

    @matrix.setter
    def matrix(self, value: Any) -> None:
        self._matrix = value

    def _fast_edges(self) -> int | None:
        """Edge count of the pruned matrix while it has not been handed out, else None."""
        return self._num_edges if self._matrix is _UNSET else None

    def _prune(self) -> None:
        """Removes vertices not reachable both from the input and towards the output."""
        np = _numpy()
        matrix = self._original
        num_vertices = matrix.shape[0]
        rows = (matrix != 0).tolist()  # plain lists: faster than numpy for 7 x 7
        from_input = _reachable(rows, 0, forward=True)
        to_output = _reachable(rows, num_vertices - 1, forward=False)
        extraneous = set(range(num_vertices)) - (from_input & to_output)
        # Original rule: more than V-2 extraneous vertices means input and output are
        # disconnected (this also marks a 1-vertex spec invalid).
        if len(extraneous) > num_vertices - 2:
            self._matrix = None
            self.ops = None
            self.valid_spec = False
            return
        keep = [v for v in range(num_vertices) if v not in extraneous]
        self._matrix = matrix[np.ix_(keep, keep)].copy()
        self.ops = [self.original_ops[v] for v in keep]

    def hash_spec(self, canonical_ops: Sequence[str] | None = None) -> str:
        """The official module hash of the pruned spec (32 lowercase hex chars).

        Args:
            canonical_ops: Op list whose positions label the interior vertices; defaults to
                :data:`AVAILABLE_OPS` (what the dataset used). Input is labelled -1 and output
                -2 whatever their op names.

        Returns:
            The hash, identical to the original ``hash_spec`` for every spec.

        Raises:
            OutOfDomainError: The spec is disconnected, or an interior op is not in
                ``canonical_ops``.
        """
        # The fast path's hash holds while the pruned matrix was never handed out and ops are
        # unchanged (exact list/tuple types: comparing arrays elementwise would not give a
        # bool). A spec outside the space was not hashed at construction: hashed here, once.
        if (
            self._matrix is _UNSET
            and type(self.ops) is list
            and self.ops == self._hashed_ops
            and (
                canonical_ops is None
                or (
                    type(canonical_ops) in (list, tuple)
                    and list(canonical_ops) == _AVAILABLE_OPS_LIST
                )
            )
        ):
            digest = self._digest
            if digest is None:
                digest = _spec_digest(self._entries, self._kept, self.ops, _OP_KEYS)
                self._digest = digest
            if digest is not None:
                return digest
        matrix, ops = self.matrix, self.ops
        if matrix is None or ops is None:
            raise OutOfDomainError("invalid spec, provided graph is disconnected.")
        ops_list = list(AVAILABLE_OPS if canonical_ops is None else canonical_ops)
        labels = [-1]
        for op in ops[1:-1]:
            if op not in ops_list:
                raise OutOfDomainError(f"unsupported op {op} (available ops = {ops_list})")
            labels.append(ops_list.index(op))
        labels.append(-2)
        np = _numpy()
        array = np.ascontiguousarray(matrix, dtype=np.int64)
        return str(_native.hash_graph(array, np.asarray(labels, dtype=np.int64)))

    def visualize(self) -> Any:
        """A ``graphviz.Digraph`` of the pruned cell (the official ``visualize``).

        Returns:
            The digraph: one node per vertex named by its index and labelled with its op
            ('input' / 'output' at the ends), one edge per matrix entry.

        Raises:
            ImportError: The optional ``graphviz`` package is not installed.
            OutOfDomainError: The spec is disconnected (nothing left after pruning).
        """
        import importlib

        graphviz = importlib.import_module("graphviz")  # optional, only for drawing

        matrix, ops = self.matrix, self.ops
        if matrix is None or ops is None:
            raise OutOfDomainError("invalid spec, provided graph is disconnected.")
        size = matrix.shape[0]
        graph = graphviz.Digraph()
        for vertex in range(size):
            name = INPUT if vertex == 0 else OUTPUT if vertex == size - 1 else ops[vertex]
            graph.node(str(vertex), str(name))
        for src, dst in zip(*_numpy().nonzero(matrix), strict=True):
            graph.edge(str(src), str(dst))
        return graph

    def __deepcopy__(self, memo: dict[int, Any]) -> ModelSpec:
        """``copy.deepcopy`` of the spec: what the generic deep copy gives, ~10x faster.

        Searches deep-copy specs (or their parts) on every mutation; see
        :func:`~nasbench_lite.spaces.nb101._spec_copy.copy_state` for what is shared and what
        copied.
        """
        clone = object.__new__(type(self))
        copy_state(self, clone, memo, _UNSET)
        return clone

    def __repr__(self) -> str:
        return f"ModelSpec(matrix={self.original_matrix.tolist()!r}, ops={self.original_ops!r})"


def _reachable(rows: list[list[bool]], start: int, *, forward: bool) -> set[int]:
    """Vertices reached from ``start`` along edges (forward) or against them (backward)."""
    size = len(rows)
    seen = {start}
    frontier = [start]
    while frontier:
        top = frontier.pop()
        for nxt in range(size):
            edge = rows[top][nxt] if forward else rows[nxt][top]
            if edge and nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return seen


@self_checked  # called once or more per search step: no wrapper call on success
def check_spec(spec: ModelSpec) -> None:
    """Raises unless ``spec`` is inside the NAS-Bench-101 space (the official ``_check_spec``).

    Checks, in the original order, on the pruned spec: connectivity, at most 7 vertices, at
    most 9 edges, first op 'input', last op 'output', interior ops in :data:`AVAILABLE_OPS`.

    Args:
        spec: The spec to check.

    Raises:
        OutOfDomainError: With the original message of the first failed check (for > 7
            vertices the intended message, where the original raised TypeError).
    """
    try:
        if spec_verdict(spec):
            return  # passed at construction and nothing it depends on changed since
        _check_general(spec)
    except OutOfDomainError:
        raise
    except Exception as exc:  # noqa: BLE001 - translated exactly as check_public would
        raise_checked(check_spec, exc, spec)


def check_spec_against(spec: ModelSpec, config: Mapping[str, Any]) -> None:
    """:func:`check_spec` under an official-style ``config`` (``NASBench.config``), as the
    official ``NASBench._check_spec`` applies it: its ``module_vertices``, ``max_edges`` and
    ``available_ops``, each read when its check is reached.

    Args:
        spec: The spec to check.
        config: A mapping with those keys (``nasbench.lib.config.build_config()``).

    Raises:
        OutOfDomainError: With the official message of the first failed check.
        KeyError: ``config`` lacks a limit that a check reaches (as the official code).
    """
    if spec_verdict(spec, config):
        return  # the official limits, passed at construction, nothing changed since
    _check_general(spec, config)


def _check_general(spec: ModelSpec, config: Mapping[str, Any] | None = None) -> None:
    """:func:`check_spec` when the construction-time verdict does not decide, under the
    official limits or those of ``config``."""
    num_edges = spec._fast_edges() if spec.valid_spec else None
    if num_edges is None:
        if not spec.valid_spec or spec.matrix is None or spec.ops is None:
            raise OutOfDomainError("invalid spec, provided graph is disconnected.")
        num_edges = int(spec.matrix.sum())
    if spec.ops is None:
        raise OutOfDomainError("invalid spec, provided graph is disconnected.")
    num_vertices = len(spec.ops)
    # The official texts, %-formatted as there (a config's limits need not be ints).
    max_vertices = MAX_VERTICES if config is None else config["module_vertices"]
    if num_vertices > max_vertices:
        raise OutOfDomainError(
            "too many vertices, got %d (max vertices = %d)"  # noqa: UP031 - official text
            % (num_vertices, max_vertices)
        )
    max_edges = MAX_EDGES if config is None else config["max_edges"]
    if num_edges > max_edges:
        raise OutOfDomainError(
            "too many edges, got %d (max edges = %d)" % (num_edges, max_edges)  # noqa: UP031
        )
    if spec.ops[0] != INPUT:
        raise OutOfDomainError("first operation should be 'input'")
    if spec.ops[-1] != OUTPUT:
        raise OutOfDomainError("last operation should be 'output'")
    for op in spec.ops[1:-1]:
        available = _AVAILABLE_OPS_LIST if config is None else config["available_ops"]
        if op not in available:
            raise OutOfDomainError(
                "unsupported op %s (available ops = %s)" % (op, available)  # noqa: UP031
            )


@self_checked  # called once or more per search step: no wrapper call on success
def is_valid(spec: ModelSpec) -> bool:
    """True when :func:`check_spec` passes (the official ``NASBench.is_valid``).

    Args:
        spec: The spec to check.

    Returns:
        Whether the spec is inside the space. Does not consult any dataset.
    """
    try:
        verdict = spec_verdict(spec)
        if verdict is not None:
            return verdict != ""
        _check_general(spec)
    except OutOfDomainError:
        return False
    except Exception as exc:  # noqa: BLE001 - translated exactly as check_public would
        raise_checked(is_valid, exc, spec)
    return True


_native.nb101_spec_register(ModelSpec, _UNSET)
check_public(globals())
