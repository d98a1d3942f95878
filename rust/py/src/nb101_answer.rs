//! Pieces of NB101 answers built natively from a cell's stored rows.
//!
//! * [`nb101_adjacency`]: the answer's `module_adjacency` ndarray decoded from the stored
//!   `edge_bits` in one call, a fresh array per answer (no process-wide cache of decoded
//!   arrays is needed);
//! * [`nb101_first_sight_runs`]: `repeat -> values` of the first-sight statement's rows, the
//!   whole row list in one call;
//! * [`nb101_computed_stats`]: the official `computed_stats` dicts of one cell
//!   (`get_metrics_from_hash`, `computed_statistics[hash]`) from its rows, and
//!   [`nb101_computed_by_cell`] those of a page of cells (`computed_statistics.items()`).
//!
//! The work is a few dozen nanoseconds: the GIL is kept. Values outside what a database of
//! the space holds (more than 7 vertices, NULL values, non-int columns of a hostile file) are
//! not errors here: the functions answer None and the caller runs its Python path, which
//! answers or fails as it always did.

use crate::errors::{NativeError, NativeResult};
use nasbench_lite_core::nb101::stored::adjacency_from_bits;
use numpy::{PyArray2, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyInt, PyList, PyTuple};

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

/// Runs `visit` on each row of `rows`, an exact list of exact tuples (what apsw's `fetchall`
/// returns); false when `rows` has another shape or `visit` declines a row (the caller's
/// Python path then answers). Monomorphised per caller: no cost on the first-sight path.
#[inline]
fn each_exact_row<'py>(
    rows: &Bound<'py, PyAny>,
    mut visit: impl FnMut(&Bound<'py, PyTuple>) -> PyResult<bool>,
) -> PyResult<bool> {
    let Ok(rows) = rows.cast_exact::<PyList>() else {
        return Ok(false);
    };
    for row in rows.iter() {
        let Ok(row) = row.cast_exact::<PyTuple>() else {
            return Ok(false);
        };
        if !visit(row)? {
            return Ok(false);
        }
    }
    Ok(true)
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
    let runs = PyDict::new(py);
    let complete = each_exact_row(rows, |row| {
        if row.len() < VALUES_AT {
            return Ok(false);
        }
        let repeat = row.get_borrowed_item(REPEAT_AT)?;
        // An exact int key: its hash and equality run no Python code.
        if !repeat.is_exact_instance_of::<PyInt>() || row.get_borrowed_item(SENTINEL_AT)?.is_none()
        {
            return Ok(false);
        }
        // Later rows of a repeat win, as in the dict display they replace.
        runs.set_item(repeat, row.get_slice(VALUES_AT, row.len()))?;
        Ok(true)
    })?;
    // No row at all (a cell not in the database): the Python path answers.
    Ok((complete && !runs.is_empty()).then_some(runs))
}

/// Column of a `get_metrics_from_hash` row holding the budget (the repeat follows, then the
/// metric values, one per field name); in the rows of [`nb101_computed_by_cell`] the cell id
/// comes first and the budget second.
const CELL_EPOCHS_AT: usize = 5;
const PAGE_EPOCHS_AT: usize = 1;

/// One cell's `computed_stats` being filled from its rows, ordered by (epochs, repeat).
struct Computed<'py> {
    stats: Bound<'py, PyDict>,
    /// The budget last appended to and its list.
    current: Option<(Bound<'py, PyAny>, Bound<'py, PyList>)>,
}

impl<'py> Computed<'py> {
    fn new(py: Python<'py>) -> Self {
        Self {
            stats: PyDict::new(py),
            current: None,
        }
    }

    /// Appends `row`'s metrics dict to its budget's list; false (nothing appended) when the
    /// row is not one the native path takes: another width, a budget that is not an exact
    /// int, a value that is not an exact float. A row without a budget (the LEFT JOIN's row
    /// of a cell without runs) is skipped.
    fn append(
        &mut self,
        row: &Bound<'py, PyTuple>,
        epochs_at: usize,
        fields: &Bound<'py, PyTuple>,
    ) -> PyResult<bool> {
        let py = row.py();
        if row.len() != epochs_at + 2 + fields.len() {
            return Ok(false);
        }
        let epochs = row.get_borrowed_item(epochs_at)?;
        if epochs.is_none() {
            return Ok(true);
        }
        if !epochs.is_exact_instance_of::<PyInt>() {
            return Ok(false);
        }
        let metrics = PyDict::new(py);
        for (at, field) in fields.iter().enumerate() {
            let value = row.get_borrowed_item(epochs_at + 2 + at)?;
            if !value.is_exact_instance_of::<PyFloat>() {
                return Ok(false);
            }
            metrics.set_item(field, value)?;
        }
        let same_budget = match &self.current {
            Some((budget, _)) => budget.eq(&*epochs)?,
            None => false,
        };
        if !same_budget {
            // A budget met again after another (never in statement order) joins its list.
            let list = match self.stats.get_item(&*epochs)? {
                Some(found) => found.cast_into::<PyList>()?,
                None => {
                    let list = PyList::empty(py);
                    self.stats.set_item(&*epochs, &list)?;
                    list
                }
            };
            self.current = Some((epochs.to_owned(), list));
        }
        if let Some((_, list)) = &self.current {
            list.append(metrics)?;
        }
        Ok(true)
    }
}

/// `computed_stats` of one cell, `{epochs: [{field: value} per row]}`, from the rows of
/// `get_metrics_from_hash`'s statement (see `_native.pyi`), or None where the Python path
/// answers: rows of another shape, a value that is not an exact float (a NULL, which may be a
/// NaN kept in `special_values`), or a budget that is not an exact int.
#[pyfunction]
pub fn nb101_computed_stats<'py>(
    py: Python<'py>,
    rows: &Bound<'py, PyAny>,
    fields: &Bound<'py, PyTuple>,
) -> PyResult<Option<Bound<'py, PyDict>>> {
    let mut computed = Computed::new(py);
    let complete = each_exact_row(rows, |row| computed.append(row, CELL_EPOCHS_AT, fields))?;
    Ok(complete.then_some(computed.stats))
}

/// `cell_id -> computed_stats` of the `runs` rows `(cell_id, epochs, repeat, values...)` of a
/// page of cells ordered by (cell_id, epochs, repeat), as [`nb101_computed_stats`] builds them
/// per cell; None where the Python path answers (as there, or a cell id that is not an exact
/// int). Cells without rows are absent.
#[pyfunction]
pub fn nb101_computed_by_cell<'py>(
    py: Python<'py>,
    rows: &Bound<'py, PyAny>,
    fields: &Bound<'py, PyTuple>,
) -> PyResult<Option<Bound<'py, PyDict>>> {
    let by_cell = PyDict::new(py);
    let mut cell: Option<(Bound<'py, PyAny>, Computed<'py>)> = None;
    let complete = each_exact_row(rows, |row| {
        let Some(cell_id) = row.get_borrowed_item(0).ok().map(|id| id.to_owned()) else {
            return Ok(false);
        };
        if !cell_id.is_exact_instance_of::<PyInt>() {
            return Ok(false);
        }
        let same_cell = match &cell {
            Some((id, _)) => id.eq(&cell_id)?,
            None => false,
        };
        if !same_cell {
            if let Some((id, done)) = cell.take() {
                by_cell.set_item(id, done.stats)?;
            }
            if by_cell.contains(&cell_id)? {
                return Ok(false); // rows not grouped by cell: the Python path groups them
            }
            cell = Some((cell_id, Computed::new(py)));
        }
        match &mut cell {
            Some((_, computed)) => computed.append(row, PAGE_EPOCHS_AT, fields),
            None => Ok(false),
        }
    })?;
    if !complete {
        return Ok(None);
    }
    if let Some((id, done)) = cell {
        by_cell.set_item(id, done.stats)?;
    }
    Ok(Some(by_cell))
}
