//! Pieces of an NB101 `query` answer built natively on a first sight of a cell.
//!
//! * [`nb101_adjacency`]: the answer's `module_adjacency` ndarray decoded from the stored
//!   `edge_bits` in one call, a fresh array per answer (no process-wide cache of decoded
//!   arrays is needed);
//! * [`nb101_first_sight_runs`]: `repeat -> values` of the first-sight statement's rows, the
//!   whole row list in one call.
//!
//! The work is a few dozen nanoseconds: the GIL is kept. Values outside what a database of
//! the space holds (more than 7 vertices, NULL values, non-int columns of a hostile file) are
//! not errors here: the functions answer None and the caller runs its Python path, which
//! answers or fails as it always did.

use crate::errors::{NativeError, NativeResult};
use nasbench_lite_core::nb101::stored::adjacency_from_bits;
use numpy::{PyArray2, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyInt, PyList, PyTuple};

/// `module_adjacency` of a stored cell: a new writeable, C-contiguous `(V, V)` int8 ndarray
/// owning its data (see `_native.pyi`), or None where the Python reference answers.
#[pyfunction]
pub fn nb101_adjacency<'py>(
    py: Python<'py>,
    num_vertices: &Bound<'py, PyAny>,
    edge_bits: &Bound<'py, PyAny>,
) -> NativeResult<Option<Bound<'py, PyArray2<i8>>>> {
    // Exact ints only: bools and int subclasses keep the reference's own behaviour.
    let (Ok(num_vertices), Ok(edge_bits)) = (
        num_vertices.cast_exact::<PyInt>(),
        edge_bits.cast_exact::<PyInt>(),
    ) else {
        return Ok(None);
    };
    let (Ok(n), Ok(bits)) = (num_vertices.extract::<usize>(), edge_bits.extract::<i64>()) else {
        return Ok(None); // negative V, or bits beyond 64 (never in a database of the space)
    };
    // Two's complement: the low bits are those Python's `&` reads on a negative int.
    let Some(entries) = adjacency_from_bits(n, bits as u64) else {
        return Ok(None);
    };
    // SAFETY: a new array of n x n int8 elements (numpy-allocated, C order, owning its data);
    // all n * n are written below before anything else can see the array.
    let array = unsafe {
        let array = PyArray2::<i8>::new(py, [n, n], false);
        let data = array
            .as_slice_mut()
            .map_err(|e| NativeError::Internal(format!("new adjacency array: {e}")))?;
        for (out, &entry) in data.iter_mut().zip(&entries[..n * n]) {
            *out = entry as i8;
        }
        array
    };
    Ok(Some(array))
}

/// Column of a first-sight row holding the repeat, then the NULL sentinel, then the values.
const REPEAT_AT: usize = 4;
const SENTINEL_AT: usize = 5;
const VALUES_AT: usize = 6;

/// `repeat -> row[6:]` of every row of the first-sight statement (see `_native.pyi`), or None
/// where the Python path answers: a row whose sentinel is NULL (some value may be NULL, or the
/// LEFT JOIN's row of a cell without runs), or rows of another shape.
#[pyfunction]
pub fn nb101_first_sight_runs<'py>(
    py: Python<'py>,
    rows: &Bound<'py, PyAny>,
) -> PyResult<Option<Bound<'py, PyDict>>> {
    let Ok(rows) = rows.cast_exact::<PyList>() else {
        return Ok(None);
    };
    if rows.is_empty() {
        return Ok(None);
    }
    let runs = PyDict::new(py);
    for row in rows.iter() {
        let Ok(row) = row.cast_exact::<PyTuple>() else {
            return Ok(None);
        };
        if row.len() < VALUES_AT {
            return Ok(None);
        }
        let repeat = row.get_borrowed_item(REPEAT_AT)?;
        // An exact int key: its hash and equality run no Python code.
        if !repeat.is_exact_instance_of::<PyInt>() || row.get_borrowed_item(SENTINEL_AT)?.is_none()
        {
            return Ok(None);
        }
        // Later rows of a repeat win, as in the dict display they replace.
        runs.set_item(repeat, row.get_slice(VALUES_AT, row.len()))?;
    }
    Ok(Some(runs))
}
