//! The `ModelSpec` fast path: one small spec checked, pruned and hashed from plain Python
//! lists, without numpy (a search loop builds one spec per step; arrays would cost more than
//! the work).

use crate::errors::{NativeError, NativeResult};
use nasbench_lite_core::nb101::{hash, single_spec};
use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyInt, PyList, PyString, PyType};

/// Pruned cells whose hash the single-spec path remembers (about 50 bytes each).
const SPEC_MEMO_CELLS: usize = 1 << 18;

/// The process's memo of pruned cell -> hash for [`nb101_spec_digest`]: the hash is a pure
/// function of the cell, so sharing it changes no result, only the time to get it.
static SPEC_MEMO: std::sync::LazyLock<std::sync::Mutex<single_spec::DigestMemo>> =
    std::sync::LazyLock::new(|| {
        std::sync::Mutex::new(single_spec::DigestMemo::new(SPEC_MEMO_CELLS))
    });

/// Fast-path result: `(kept, num_edges, hash, entries, all_bool, pruned_ops)`.
type SpecDigestResult<'py> = (
    u8,
    u32,
    Option<String>,
    Bound<'py, PyBytes>,
    bool,
    Bound<'py, PyList>,
);

/// `ModelSpec` fast path for one small spec, without numpy.
///
/// `matrix` is a list of n lists of n Python ints or bools (exact types), `ops` a list of n op
/// names and `op_codes` maps the available op names to their codes 0..3 (any other op is
/// unknown). Returns `(kept, num_edges, hash, entries, all_bool, pruned_ops)`: `kept` has bit v
/// set for each vertex surviving pruning (0: disconnected), `num_edges` counts the pruned
/// edges, `hash` is the hex `hash_spec()` (None when disconnected or a kept interior op is
/// unknown), `entries` the n*n entries row-major as bytes (the constructor's copy of the
/// matrix), `all_bool` whether every entry was a bool (numpy would infer dtype bool) and
/// `pruned_ops` a new list of the kept vertices' ops. Returns None when the spec needs the
/// general path: another input type, not square, entries other than 0/1, set entries on or
/// below the diagonal, 0 or more than 8 vertices. Raises TypeError for an unhashable op. Too
/// little work to be worth releasing the GIL.
#[pyfunction]
pub fn nb101_spec_digest<'py>(
    py: Python<'py>,
    matrix: &Bound<'py, PyAny>,
    ops: &Bound<'py, PyAny>,
    op_codes: &Bound<'py, PyDict>,
) -> PyResult<Option<SpecDigestResult<'py>>> {
    let (Ok(rows), Ok(ops)) = (matrix.cast_exact::<PyList>(), ops.cast_exact::<PyList>()) else {
        return Ok(None);
    };
    let n = rows.len();
    if n == 0 || n > single_spec::MAX_SINGLE_VERTICES || ops.len() != n {
        return Ok(None);
    }
    let mut entries = [0u8; single_spec::MAX_SINGLE_VERTICES * single_spec::MAX_SINGLE_VERTICES];
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
            entries[v * n + w] = value as u8;
        }
    }
    let entries = &entries[..n * n];
    let Some(digest) = digest_of(n, entries, ops, op_codes)? else {
        return Ok(None);
    };
    let kept_ops: Vec<Bound<'py, PyAny>> = ops
        .iter()
        .enumerate()
        .filter(|(v, _)| digest.kept >> v & 1 == 1)
        .map(|(_, op)| op)
        .collect();
    Ok(Some((
        digest.kept,
        digest.num_edges,
        digest.digest.map(|d| hash::to_hex_string(&d)),
        PyBytes::new(py, entries),
        all_bool,
        PyList::new(py, kept_ops)?,
    )))
}

/// The op code of each of `ops` (`op_codes[op]`, unknown ops [`single_spec::UNKNOWN_OP`]),
/// then check, prune and hash of the `n x n` 0/1 `entries` through the process's memo.
/// `Ok(None)` when the spec needs the general path; TypeError for an unhashable op.
fn digest_of(
    n: usize,
    entries: &[u8],
    ops: &Bound<'_, PyList>,
    op_codes: &Bound<'_, PyDict>,
) -> PyResult<Option<single_spec::SpecDigest>> {
    let mut codes = [single_spec::UNKNOWN_OP; single_spec::MAX_SINGLE_VERTICES];
    for (v, op) in ops
        .iter()
        .take(single_spec::MAX_SINGLE_VERTICES)
        .enumerate()
    {
        if let Some(code) = op_codes.get_item(&op)? {
            codes[v] = code.extract::<i8>().unwrap_or(single_spec::UNKNOWN_OP);
        }
    }
    let mut wide = [0i64; single_spec::MAX_SINGLE_VERTICES * single_spec::MAX_SINGLE_VERTICES];
    for (slot, &entry) in wide.iter_mut().zip(entries) {
        *slot = i64::from(entry);
    }
    Ok(single_spec::spec_digest_with(
        n,
        &wide[..n * n],
        &codes[..n],
        |key| match SPEC_MEMO.lock() {
            Ok(mut memo) => memo.digest(key),
            Err(_) => single_spec::hash_key(key), // a poisoned memo is only bypassed
        },
    ))
}

/// Fast-path result of an ndarray's buffer: `(kept, num_edges, hash, entries)`.
type RawDigestResult<'py> = (u8, u32, Option<String>, Bound<'py, PyBytes>);

/// `ModelSpec` fast path for a numpy matrix, read from its raw buffer (`ndarray.tobytes()`).
///
/// `raw` holds `n * n` entries of `itemsize` bytes in the machine's byte order (a native
/// integer or bool dtype), `n` being `len(ops)`; `ops` is a list of n op names and `op_codes`
/// maps the available op names to their codes. Returns `(kept, num_edges, hash, entries)` as
/// [`nb101_spec_digest`] does (`entries`: the n*n entries as 0/1 bytes), or None when the spec
/// needs the general path (entries other than 0/1, set entries on or below the diagonal, a
/// length that disagrees, 0 or more than 8 vertices, another width). The kept ops are the
/// caller's to pick (bit v of `kept`). Raises TypeError for an unhashable op.
#[pyfunction]
pub fn nb101_spec_digest_raw<'py>(
    py: Python<'py>,
    raw: &[u8],
    itemsize: usize,
    ops: &Bound<'py, PyList>,
    op_codes: &Bound<'py, PyDict>,
) -> PyResult<Option<RawDigestResult<'py>>> {
    let n = ops.len();
    let Some(entries) = single_spec::binary_entries(raw, n, itemsize) else {
        return Ok(None);
    };
    let entries = &entries[..n * n];
    let Some(digest) = digest_of(n, entries, ops, op_codes)? else {
        return Ok(None);
    };
    Ok(Some((
        digest.kept,
        digest.num_edges,
        digest.digest.map(|d| hash::to_hex_string(&d)),
        PyBytes::new(py, entries),
    )))
}

/// Outcome of [`nb101_cached_checks`] for one spec: valid, its hash written.
const CACHED_VALID: u8 = 0;
/// Outcome: outside the space (`check_spec` raises `OutOfDomainError`).
const CACHED_INVALID: u8 = 1;
/// Outcome: the cached state does not decide; the caller runs the general path.
const CACHED_UNDECIDED: u8 = 2;
/// `module_vertices` and `max_edges` of the official config (as `check_spec` applies them).
const SPEC_MAX_VERTICES: usize = 7;
const SPEC_MAX_EDGES: i64 = 9;

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
