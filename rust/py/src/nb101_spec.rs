//! The `ModelSpec` fast path: one small spec checked, pruned and hashed from plain Python
//! lists, without numpy (a search loop builds one spec per step; arrays would cost more than
//! the work).

use crate::errors::{NativeError, NativeResult};
use nasbench_lite_core::nb101::spec::OP_NAMES;
use nasbench_lite_core::nb101::{hash, single_spec};
use numpy::ndarray::Array2;
use numpy::{
    IntoPyArray, PyArray1, PyArray2, PyArrayDescr, PyArrayDescrMethods, PyUntypedArray,
    PyUntypedArrayMethods,
};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyBytes, PyDict, PyInt, PyList, PyString, PyType};
use pyo3::PyTypeInfo;

/// Pruned cells whose hash the single-spec path remembers per memo generation (two
/// generations; about 150 bytes each with the string).
const SPEC_MEMO_CELLS: usize = 1 << 16;

/// The process's memo of pruned cell -> hex hash string for [`nb101_spec_init`]: the hash is a
/// pure function of the cell, so sharing it changes no result, only the time to get it. It
/// holds the `str` itself: specs of one cell share it (no string built per spec, and its
/// Python hash, computed once, serves every row-cache lookup of `query`). Locked only while
/// no Python code can run (no call into Python, no allocation of a GC-tracked object).
static SPEC_MEMO: std::sync::LazyLock<std::sync::Mutex<single_spec::CellMemo<Py<PyString>>>> =
    std::sync::LazyLock::new(|| std::sync::Mutex::new(single_spec::CellMemo::new(SPEC_MEMO_CELLS)));

/// The hex hash of a pruned cell, through [`SPEC_MEMO`].
fn memo_hex<'py>(py: Python<'py>, cell: &single_spec::CellKey) -> Bound<'py, PyString> {
    // What the memo lets go of is dropped after unlocking.
    let (known, _released) = match SPEC_MEMO.lock() {
        Ok(mut memo) => {
            let (known, released) = memo.get(cell);
            (known.map(|hex| hex.clone_ref(py)), released)
        }
        Err(_) => (None, None), // a poisoned memo is only bypassed
    };
    if let Some(hex) = known {
        return hex.into_bound(py);
    }
    let hex = hex_string(py, &single_spec::hash_key(cell));
    let _released = match SPEC_MEMO.lock() {
        Ok(mut memo) => memo.insert(*cell, hex.clone().unbind()),
        Err(_) => None,
    };
    hex
}

/// Largest side handled here, and the entries of such a matrix.
const SIDE: usize = single_spec::MAX_SINGLE_VERTICES;
const CELLS: usize = SIDE * SIDE;
/// Op keys of [`nb101_spec_init`]'s `op_keys` beyond the available ops `0..3`.
const KEY_INPUT: i8 = 3;
const KEY_OUTPUT: i8 = 4;
/// An op `op_keys` does not hold.
const KEY_OTHER: i8 = -1;

/// The `n x n` entries of exact nested lists of exact ints/bools as 0/1 bytes, and whether every
/// entry was a bool (numpy would infer dtype bool); None for anything else (other types, not
/// square, an entry other than 0/1).
fn list_entries(rows: &Bound<'_, PyList>, n: usize) -> PyResult<Option<([u8; CELLS], bool)>> {
    if rows.len() != n {
        return Ok(None);
    }
    let mut entries = [0u8; CELLS];
    let mut all_bool = true;
    for (v, row) in rows.iter().enumerate() {
        let Ok(row) = row.cast_exact::<PyList>() else {
            return Ok(None);
        };
        if row.len() != n {
            return Ok(None);
        }
        for (w, item) in row.iter().enumerate() {
            let value = if item.is_exact_instance_of::<PyBool>() {
                item.is_truthy()?
            } else if item.is_exact_instance_of::<PyInt>() {
                all_bool = false;
                match item.extract::<i64>() {
                    Ok(0) => false,
                    Ok(1) => true,
                    _ => return Ok(None),
                }
            } else {
                return Ok(None);
            };
            entries[v * n + w] = u8::from(value);
        }
    }
    Ok(Some((entries, all_bool)))
}

/// The `n x n` entries of an exact `numpy.ndarray` of a native-order int or bool dtype as 0/1
/// bytes, read through its strides (any layout); None for anything else (other shape, dtype
/// or byte order, an entry other than 0/1).
fn array_entries<'py>(
    matrix: &Bound<'py, PyAny>,
    n: usize,
) -> Option<([u8; CELLS], Bound<'py, PyArrayDescr>)> {
    let py = matrix.py();
    if !matrix.get_type().is(PyUntypedArray::type_object(py)) {
        return None;
    }
    let array = matrix.cast::<PyUntypedArray>().ok()?;
    let dtype = array.dtype();
    let itemsize = dtype.itemsize();
    if array.shape() != [n, n]
        || !matches!(dtype.kind(), b'i' | b'u' | b'b')
        || dtype.is_native_byteorder() == Some(false)
        || !matches!(itemsize, 1 | 2 | 4 | 8)
    {
        return None;
    }
    let strides = array.strides();
    let (row_stride, column_stride) = (strides[0], strides[1]);
    // SAFETY: the object is a live ndarray (exact type checked) of shape (n, n): every element
    // address `data + v * strides[0] + w * strides[1]` for v, w < n lies inside its buffer and
    // holds `itemsize` readable bytes (read unaligned: strides need not be multiples of it);
    // the GIL is held, so nothing frees or resizes it meanwhile.
    let data = unsafe { (*array.as_array_ptr()).fields.data as *const u8 };
    // One loop per item size, so the common int64 / bool arrays read without a size test
    // per entry. SAFETY (each call): as above, `itemsize` is the size of the type read.
    let entries = unsafe {
        match itemsize {
            1 => strided_entries::<u8>(data, n, row_stride, column_stride),
            2 => strided_entries::<u16>(data, n, row_stride, column_stride),
            4 => strided_entries::<u32>(data, n, row_stride, column_stride),
            _ => strided_entries::<u64>(data, n, row_stride, column_stride),
        }
    }?;
    Some((entries, dtype))
}

/// The `n x n` entries at `data` with the given byte strides, each a `T` read unaligned, as
/// 0/1 bytes; None when an entry is above 1 (in the machine's byte order 0 and 1 read the same
/// signed or unsigned; anything else, 2 or -1 ..., is the general path's).
///
/// # Safety
/// Every address `data + v * row_stride + w * column_stride` for `v, w < n` must hold a
/// readable `T`, and `n * n <= CELLS`.
unsafe fn strided_entries<T: Copy + Into<u64>>(
    data: *const u8,
    n: usize,
    row_stride: isize,
    column_stride: isize,
) -> Option<[u8; CELLS]> {
    let mut entries = [0u8; CELLS];
    let mut above_one = false;
    for v in 0..n {
        // SAFETY: the caller's contract; the offsets stay inside the array for v, w < n.
        let row = unsafe { data.offset(v as isize * row_stride) };
        for w in 0..n {
            let value: u64 = unsafe {
                row.offset(w as isize * column_stride)
                    .cast::<T>()
                    .read_unaligned()
            }
            .into();
            above_one |= value > 1;
            entries[v * n + w] = value as u8;
        }
    }
    (!above_one).then_some(entries)
}

/// The key of one op: an exact `str` by its text (the official names: no hashing of the fresh
/// strings a search makes every step), anything else through `op_keys`; None for an
/// unhashable op (the general path decides).
fn op_key(op: &Bound<'_, PyAny>, op_keys: &Bound<'_, PyDict>) -> Option<i8> {
    if let Ok(text) = op.cast_exact::<PyString>() {
        if let Ok(text) = text.to_str() {
            return Some(match text {
                "input" => KEY_INPUT,
                "output" => KEY_OUTPUT,
                _ => OP_NAMES
                    .iter()
                    .position(|name| *name == text)
                    .map_or(KEY_OTHER, |code| code as i8),
            });
        }
    }
    match op_keys.get_item(op) {
        Ok(Some(code)) => Some(code.extract::<i8>().unwrap_or(KEY_OTHER)),
        Ok(None) => Some(KEY_OTHER),
        Err(_) => None,
    }
}

/// A new list of the ops of the vertices set in `kept` (`ops` has at most [`SIDE`] items).
fn kept_ops<'py>(ops: &Bound<'py, PyList>, kept: u8) -> PyResult<Bound<'py, PyList>> {
    let n = ops.len();
    if u32::from(kept) == (1u32 << n) - 1 {
        return Ok(ops.get_slice(0, n)); // nothing pruned: one copy
    }
    let mut picked: [Option<Bound<'py, PyAny>>; SIDE] = Default::default();
    let mut count = 0;
    for v in (0..n.min(SIDE)).filter(|&v| kept >> v & 1 == 1) {
        picked[count] = Some(ops.get_item(v)?);
        count += 1;
    }
    PyList::new(ops.py(), picked[..count].iter().flatten())
}

/// The hex string of a digest.
fn hex_string<'py>(py: Python<'py>, digest: &[u8; 16]) -> Bound<'py, PyString> {
    let hex = hash::to_hex(digest);
    // Lowercase hex digits are ASCII, so the text is always valid UTF-8.
    PyString::new(py, std::str::from_utf8(&hex).unwrap_or_default())
}

/// What the fast path reads from one spec's arguments: the 0/1 entries, the dtype
/// `original_matrix` gets, and one op key per vertex.
struct FastInput<'py> {
    n: usize,
    entries: [u8; CELLS],
    dtype: Bound<'py, PyAny>,
    keys: [i8; SIDE],
}

/// Reads `matrix` / `ops` when the fast path takes them (see [`nb101_spec_init`]).
fn fast_input<'py>(
    matrix: &Bound<'py, PyAny>,
    ops: &Bound<'py, PyList>,
    op_keys: &Bound<'py, PyDict>,
) -> PyResult<Option<FastInput<'py>>> {
    let py = matrix.py();
    let n = ops.len();
    if n == 0 || n > SIDE {
        return Ok(None);
    }
    let (entries, dtype) = if let Ok(rows) = matrix.cast_exact::<PyList>() {
        match list_entries(rows, n)? {
            Some((entries, true)) => (entries, py.get_type::<PyBool>().into_any()),
            Some((entries, false)) => (entries, py.get_type::<PyInt>().into_any()),
            None => return Ok(None),
        }
    } else {
        match array_entries(matrix, n) {
            Some((entries, dtype)) => (entries, dtype.into_any()),
            None => return Ok(None),
        }
    };
    let mut keys = [KEY_OTHER; SIDE];
    for (key, op) in keys.iter_mut().zip(ops.iter()) {
        match op_key(&op, op_keys) {
            Some(found) => *key = found,
            None => return Ok(None),
        }
    }
    Ok(Some(FastInput {
        n,
        entries,
        dtype,
        keys,
    }))
}

/// A spec's check and prune, and its hex hash when asked for.
struct Checked<'py> {
    /// Bit v set when original vertex v survives pruning; 0 when the spec is disconnected.
    kept: u8,
    /// Edges of the pruned matrix.
    num_edges: u32,
    /// The default `hash_spec()`, None when not asked for or there is no cell to hash.
    hex: Option<Bound<'py, PyString>>,
}

/// Check and prune of the `n x n` 0/1 `entries` with op `keys`, the pruned cell hashed
/// (through the process's memo) only when `wanted(kept, num_edges)` says so; None when an
/// entry on or below the diagonal is set.
fn spec_digest_of<'py>(
    py: Python<'py>,
    n: usize,
    entries: &[u8],
    keys: &[i8],
    wanted: impl FnOnce(u8, u32) -> bool,
) -> Option<Checked<'py>> {
    let mut codes = [single_spec::UNKNOWN_OP; SIDE];
    for (code, &key) in codes.iter_mut().zip(keys) {
        if (0..3).contains(&key) {
            *code = key;
        }
    }
    let (kept, num_edges, cell) = single_spec::prune_spec_bytes(n, entries, &codes[..n])?;
    let hex = match cell {
        Some(cell) if wanted(kept, num_edges) => Some(memo_hex(py, &cell)),
        _ => None,
    };
    Some(Checked {
        kept,
        num_edges,
        hex,
    })
}

/// `check_spec`'s verdict on a connected fast-path spec with a cell to hash (every kept
/// interior op an available one): outside the space with more than 7 kept vertices, more than
/// 9 edges, or a first / last op other than 'input' / 'output'.
fn inside_space(keys: &[i8], kept: u8, num_edges: u32) -> bool {
    kept.count_ones() as usize <= SPEC_MAX_VERTICES
        && i64::from(num_edges) <= SPEC_MAX_EDGES
        && keys.first() == Some(&KEY_INPUT)
        && keys.last() == Some(&KEY_OUTPUT)
}

/// `ModelSpec.__init__` up to its general path, and the fast path for one small spec: check,
/// prune and (inside the space) hash in one call, the instance attributes written straight
/// into its `__dict__`.
///
/// `state` is the new spec's `__dict__`, `matrix` / `ops` / `data_format` the constructor's
/// arguments, `op_keys` maps the available op names to 0..3, 'input' to 3 and 'output' to 4
/// (an exact `str` op is read by its text, which gives the same key; `op_keys` answers for
/// other op objects), and `unset` marks the lazily built arrays. Always writes `data_format`
/// and `original_ops` (`list(ops)`, whose errors it raises), in that order. Takes exact lists
/// of n lists of exact ints/bools and exact ndarrays of a native-order int or bool dtype (any
/// layout), with 0/1 entries, zero on and below the diagonal, 1 to 8 vertices: writes the
/// remaining attributes (`_original` keeps its class default, `unset`) and returns True.
/// Returns False (nothing more written: `_digest` keeps its class default, None) for anything
/// else: the general path owns every error message.
///
/// `_digest` is the default `hash_spec()` of a spec inside the space. A connected spec outside
/// it (rejected by `is_valid`, never hashed by `query`) gets None: [`nb101_spec_digest`]
/// hashes it if `hash_spec()` is ever asked. Nothing is remembered per input: a search builds
/// each input once; the pruned cell's hash comes from the process's memo.
#[pyfunction]
pub fn nb101_spec_init<'py>(
    py: Python<'py>,
    state: &Bound<'py, PyDict>,
    matrix: &Bound<'py, PyAny>,
    ops: &Bound<'py, PyAny>,
    data_format: &Bound<'py, PyAny>,
    op_keys: &Bound<'py, PyDict>,
    unset: &Bound<'py, PyAny>,
) -> PyResult<bool> {
    state.set_item(intern!(py, "data_format"), data_format)?;
    // A copy, as the original's deepcopy (op names are immutable strings).
    let ops = match ops.cast_exact::<PyList>() {
        Ok(given) => given.get_slice(0, given.len()),
        Err(_) => py
            .get_type::<PyList>()
            .call1((ops,))?
            .cast_into::<PyList>()?,
    };
    state.set_item(intern!(py, "original_ops"), &ops)?;
    // Declined: `_digest` keeps its class default (None), as every fast-path attribute.
    let Some(input) = fast_input(matrix, &ops, op_keys)? else {
        return Ok(false);
    };
    let n = input.n;
    let (entries, keys) = (&input.entries[..n * n], &input.keys[..n]);
    let wanted = |kept: u8, num_edges: u32| inside_space(keys, kept, num_edges);
    let Some(digest) = spec_digest_of(py, n, entries, keys, wanted) else {
        return Ok(false); // set entries on or below the diagonal
    };
    let hex = digest.hex;
    state.set_item(intern!(py, "_digest"), &hex)?;
    state.set_item(intern!(py, "_entries"), PyBytes::new(py, entries))?;
    state.set_item(intern!(py, "_dtype"), &input.dtype)?;
    // `_original` stays the class default (`unset`): built from `_entries` when first read.
    let checked = intern!(py, "_checked");
    if digest.kept == 0 {
        state.set_item(intern!(py, "_matrix"), py.None())?;
        state.set_item(intern!(py, "ops"), py.None())?;
        state.set_item(intern!(py, "valid_spec"), false)?;
        state.set_item(checked, intern!(py, ""))?;
        return Ok(true);
    }
    state.set_item(intern!(py, "_kept"), digest.kept)?;
    state.set_item(intern!(py, "_num_edges"), digest.num_edges)?;
    state.set_item(intern!(py, "_matrix"), unset)?;
    let pruned = kept_ops(&ops, digest.kept)?;
    state.set_item(intern!(py, "_hashed_ops"), &pruned)?;
    state.set_item(intern!(py, "valid_spec"), true)?;
    match hex {
        Some(hex) => state.set_item(checked, hex)?,
        None => state.set_item(checked, intern!(py, ""))?,
    }
    state.set_item(intern!(py, "ops"), pruned.get_slice(0, pruned.len()))?;
    Ok(true)
}

/// The default `hash_spec()` of a connected fast-path spec from its construction state:
/// `entries` (`_entries`, row-major 0/1 bytes), `kept` (`_kept`) and its pruned `ops` (a list,
/// one op per kept vertex), labelled as `hash_spec` labels them (first -1, last -2, interior
/// ops by the available ops; `op_keys` as for [`nb101_spec_init`]). None when an interior op
/// is not an available one or the state does not describe a connected spec of at most 8
/// vertices (the caller's general path decides).
#[pyfunction]
pub fn nb101_spec_digest<'py>(
    py: Python<'py>,
    entries: &[u8],
    kept: u8,
    ops: &Bound<'py, PyList>,
    op_keys: &Bound<'py, PyDict>,
) -> Option<Bound<'py, PyString>> {
    let n = (1..=SIDE).find(|&n| n * n == entries.len())?;
    if kept == 0 || kept.count_ones() as usize != ops.len() || usize::from(kept) >> n != 0 {
        return None;
    }
    // Keys per original vertex: each kept one gets the op at its rank among the kept.
    let mut keys = [KEY_OTHER; SIDE];
    for (slot, v) in (0..n).filter(|&v| kept >> v & 1 == 1).enumerate() {
        keys[v] = op_key(&ops.get_item(slot).ok()?, op_keys)?;
    }
    let digest = spec_digest_of(py, n, entries, &keys[..n], |_, _| true)?;
    if digest.kept != kept {
        return None;
    }
    digest.hex
}

/// The `ModelSpec` class and its not-built-yet marker, registered once by
/// `nasbench_lite.spaces.nb101.spec` ([`nb101_spec_register`]) for [`nb101_spec_verdict`].
static SPEC_CLASS: PyOnceLock<(Py<PyType>, Py<PyAny>)> = PyOnceLock::new();

/// Registers the `ModelSpec` class and the marker of its lazily built arrays (first call
/// wins; returns whether this call registered them).
#[pyfunction]
pub fn nb101_spec_register(
    py: Python<'_>,
    spec_type: &Bound<'_, PyType>,
    unset: &Bound<'_, PyAny>,
) -> bool {
    SPEC_CLASS
        .set(py, (spec_type.clone().unbind(), unset.clone().unbind()))
        .is_ok()
}

/// `ModelSpec._fast_hash()` without a Python call: the construction-time verdict of
/// `check_spec` while it still holds.
///
/// Returns the spec's `_checked` (its default `hash_spec()` when it is inside the space, ''
/// when not), '' for any spec whose `valid_spec` is False once `_checked` is set, and None
/// when the general checks must decide: not exactly the registered class, no `_checked` (the
/// general path), `valid_spec` not exactly True, the pruned matrix handed out (`_matrix` not
/// the marker), or `ops` not a list equal (`!=`, as Python compares) to `_hashed_ops`.
/// Attributes missing from the instance `__dict__` give None too (the general path then
/// raises what reading them raises).
///
/// With `config` (a `NASBench.config`), the verdict is given only while that config holds
/// the official limits it was made under (see [`official_limits`]); None otherwise, so the
/// caller checks against the config as the official `_check_spec` does.
#[pyfunction]
#[pyo3(signature = (spec, config=None))]
pub fn nb101_spec_verdict<'py>(
    py: Python<'py>,
    spec: &Bound<'py, PyAny>,
    config: Option<&Bound<'py, PyAny>>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let Some((spec_type, unset)) = SPEC_CLASS.get(py) else {
        return Ok(None);
    };
    if let Some(config) = config {
        if !crate::nb101_config::official_limits(config)? {
            return Ok(None);
        }
    }
    if !spec.get_type().is(spec_type.bind(py)) {
        return Ok(None);
    }
    let state = spec.getattr(intern!(py, "__dict__"))?;
    let Ok(state) = state.cast_exact::<PyDict>() else {
        return Ok(None);
    };
    let Some(checked) = state.get_item(intern!(py, "_checked"))? else {
        return Ok(None); // the class default, None
    };
    if checked.is_none() {
        return Ok(None);
    }
    let Some(valid) = state.get_item(intern!(py, "valid_spec"))? else {
        return Ok(None);
    };
    if valid.is(PyBool::new(py, false)) {
        // check_spec fails on valid_spec first, whatever the rest holds
        return Ok(Some(intern!(py, "").clone().into_any()));
    }
    if !valid.is(PyBool::new(py, true)) {
        return Ok(None);
    }
    match state.get_item(intern!(py, "_matrix"))? {
        Some(matrix) if matrix.is(unset.bind(py)) => {}
        _ => return Ok(None),
    }
    let (Some(ops), Some(hashed)) = (
        state.get_item(intern!(py, "ops"))?,
        state.get_item(intern!(py, "_hashed_ops"))?,
    ) else {
        return Ok(None);
    };
    if !ops.is_exact_instance_of::<PyList>() || ops.ne(&hashed)? {
        return Ok(None);
    }
    Ok(Some(checked))
}

/// Outcome of [`nb101_cached_checks`] for one spec: valid, its hash written.
const CACHED_VALID: u8 = 0;
/// Outcome: outside the space (`check_spec` raises `OutOfDomainError`).
const CACHED_INVALID: u8 = 1;
/// Outcome: the cached state does not decide; the caller runs the general path.
const CACHED_UNDECIDED: u8 = 2;
/// `module_vertices` and `max_edges` of the official config (as `check_spec` applies them).
pub(crate) const SPEC_MAX_VERTICES: usize = 7;
pub(crate) const SPEC_MAX_EDGES: i64 = 9;

/// Reads one spec's cached fast-path state: its outcome, and its hex hash when valid.
fn cached_check<'py>(
    spec: &Bound<'py, PyAny>,
    spec_type: &Bound<'py, PyType>,
    unset: &Bound<'py, PyAny>,
) -> PyResult<(u8, Option<Bound<'py, PyString>>)> {
    let py = spec.py();
    if !spec.get_type().is(spec_type) {
        return Ok((CACHED_UNDECIDED, None));
    }
    let Ok(state) = spec
        .getattr(intern!(py, "__dict__"))?
        .cast_into_exact::<PyDict>()
    else {
        return Ok((CACHED_UNDECIDED, None));
    };
    let item = |name: &Bound<'py, PyString>| state.get_item(name);
    // `check_spec` rejects any spec whose `valid_spec` is False, whatever else it holds.
    match item(intern!(py, "valid_spec"))? {
        Some(flag) if flag.is_exact_instance_of::<PyBool>() => {
            if !flag.is_truthy()? {
                return Ok((CACHED_INVALID, None));
            }
        }
        _ => return Ok((CACHED_UNDECIDED, None)),
    }
    // The cache holds while the pruned matrix was never handed out and `ops` is still the
    // list of exact strings that was hashed.
    let matrix_unread = matches!(item(intern!(py, "_matrix"))?, Some(m) if m.is(unset));
    let (Some(ops), Some(hashed), Some(digest), Some(edges)) = (
        item(intern!(py, "ops"))?,
        item(intern!(py, "_hashed_ops"))?,
        item(intern!(py, "_digest"))?,
        item(intern!(py, "_num_edges"))?,
    ) else {
        return Ok((CACHED_UNDECIDED, None));
    };
    let (Ok(ops), Ok(hashed), Ok(edges)) = (
        ops.cast_exact::<PyList>(),
        hashed.cast_exact::<PyList>(),
        edges.extract::<i64>(),
    ) else {
        return Ok((CACHED_UNDECIDED, None));
    };
    if !matrix_unread || ops.len() != hashed.len() || ops.is_empty() {
        return Ok((CACHED_UNDECIDED, None));
    }
    for (op, was) in ops.iter().zip(hashed.iter()) {
        let (Ok(op), Ok(was)) = (op.cast_exact::<PyString>(), was.cast_exact::<PyString>()) else {
            return Ok((CACHED_UNDECIDED, None));
        };
        if op.as_ptr() != was.as_ptr() && op.to_str()? != was.to_str()? {
            return Ok((CACHED_UNDECIDED, None));
        }
    }
    // `check_spec`'s order on the pruned spec; the digest exists exactly when every kept
    // interior op is an available one (else `check_spec` rejects the spec anyway).
    let first = ops.get_item(0)?;
    let last = ops.get_item(ops.len() - 1)?;
    if ops.len() > SPEC_MAX_VERTICES
        || edges > SPEC_MAX_EDGES
        || first.cast_exact::<PyString>()?.to_str()? != "input"
        || last.cast_exact::<PyString>()?.to_str()? != "output"
    {
        return Ok((CACHED_INVALID, None));
    }
    if digest.is_none() {
        return Ok((CACHED_INVALID, None));
    }
    match digest.cast_into_exact::<PyString>() {
        Ok(text) if text.to_str()?.len() == 32 => Ok((CACHED_VALID, Some(text))),
        _ => Ok((CACHED_UNDECIDED, None)),
    }
}

/// The hash-column bytes and outcome codes of [`nb101_cached_checks`].
type CachedChecks<'py> = (Bound<'py, PyArray2<u8>>, Bound<'py, PyArray1<u8>>);

/// `check_spec(spec)` then `spec.hash_spec()` for a whole list of specs, answered from the
/// state the `ModelSpec` fast path cached at construction (no hashing, no numpy per spec).
///
/// `specs` is a list; only objects of exactly `spec_type` whose `__dict__` still holds the
/// fast path's state (`_matrix` is `unset`, `ops` equal to `_hashed_ops`, both lists of exact
/// strings, `valid_spec` an exact bool) are decided here. Returns `(hex, outcome)`: `hex`
/// (N, 32) uint8, the ASCII hash of valid specs (zeros elsewhere), and `outcome` (N,) uint8:
/// 0 valid, 1 outside the space (`check_spec` raises), 2 undecided (the caller runs the
/// general path for that spec). Reads Python objects throughout, so it holds the GIL.
#[pyfunction]
pub fn nb101_cached_checks<'py>(
    py: Python<'py>,
    specs: &Bound<'py, PyList>,
    spec_type: &Bound<'py, PyType>,
    unset: &Bound<'py, PyAny>,
) -> NativeResult<CachedChecks<'py>> {
    let count = specs.len();
    let mut hex = vec![0u8; count * 32];
    let mut outcome = vec![CACHED_UNDECIDED; count];
    for (row, spec) in specs.iter().enumerate() {
        let (code, digest) = cached_check(&spec, spec_type, unset)?;
        if let Some(digest) = digest {
            hex[row * 32..(row + 1) * 32].copy_from_slice(digest.to_str()?.as_bytes());
        }
        outcome[row] = code;
    }
    let hex = Array2::from_shape_vec((count, 32), hex)
        .map_err(|e| NativeError::Internal(format!("hash table of {count} rows: {e}")))?;
    Ok((hex.into_pyarray(py), outcome.into_pyarray(py)))
}
