//! The `ModelSpec` fast path: one small spec checked, pruned and hashed from plain Python
//! lists, without numpy (a search loop builds one spec per step; arrays would cost more than
//! the work).

use nasbench_lite_core::nb101::{hash, single_spec};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyInt, PyList};

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
    let mut codes = [single_spec::UNKNOWN_OP; single_spec::MAX_SINGLE_VERTICES];
    for (v, op) in ops.iter().enumerate() {
        if let Some(code) = op_codes.get_item(&op)? {
            codes[v] = code.extract::<i8>().unwrap_or(single_spec::UNKNOWN_OP);
        }
    }
    let entries = &entries[..n * n];
    let wide: Vec<i64> = entries.iter().map(|&e| e as i64).collect();
    let Some(digest) = single_spec::spec_digest_with(n, &wide, &codes[..n], |key| {
        match SPEC_MEMO.lock() {
            Ok(mut memo) => memo.digest(key),
            Err(_) => single_spec::hash_key(key), // a poisoned memo is only bypassed
        }
    }) else {
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
