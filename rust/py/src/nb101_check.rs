//! NB101 hashing and validity checks: `hash_graph`, `check_and_hash` and the messages and
//! exceptions of the original API for the rows it rejects.

use crate::arrays::{column, contiguous, padded_cells, table};
use crate::errors::{run_detached, NativeError, NativeResult};
use nasbench_lite_core::md5x;
use nasbench_lite_core::nb101::hash::{self, MAX_BATCH_VERTICES};
use nasbench_lite_core::nb101::spec::{self, label_name, SpecError, Status};
use nasbench_lite_core::CoreError;
use numpy::{
    IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2, PyReadonlyArray3,
    PyUntypedArrayMethods,
};
use pyo3::prelude::*;
use pyo3::types::{PyInt, PyString};
use rayon::prelude::*;

/// Hex fingerprint of one graph (any size, integer entries and labels): `hash_module`.
#[pyfunction]
pub fn hash_graph(
    py: Python<'_>,
    matrix: PyReadonlyArray2<'_, i64>,
    labels: PyReadonlyArray1<'_, i64>,
) -> NativeResult<String> {
    let n = matrix.shape()[0];
    let matrix = contiguous(&matrix)?;
    let labels = contiguous(&labels)?;
    let digest = run_detached(py, || hash::hash_graph(n, matrix, labels))??;
    Ok(hash::to_hex_string(&digest))
}

type CheckArrays<'py> = (
    Bound<'py, PyArray2<u8>>,
    Bound<'py, PyArray1<u8>>,
    Bound<'py, PyArray1<i32>>,
    Bound<'py, PyArray1<u8>>,
    Bound<'py, PyArray1<u8>>,
);

/// Checks, prunes and hashes a batch of padded NB101 cells.
///
/// Args: `matrices` (N, W, W) uint8 0/1, `codes` (N, W) int8 op codes (see `spec.rs`).
/// Returns (hex (N, 32) uint8 ASCII, status (N,) uint8, detail (N,) int32,
/// pruned vertex count (N,) uint8, pruned edge count (N,) uint8).
#[pyfunction]
pub fn check_and_hash<'py>(
    py: Python<'py>,
    matrices: PyReadonlyArray3<'py, u8>,
    codes: PyReadonlyArray2<'py, i8>,
) -> NativeResult<CheckArrays<'py>> {
    let cells = padded_cells(&matrices, &codes, MAX_BATCH_VERTICES)?;
    let results = run_detached(py, || {
        spec::check_and_hash(cells.width, cells.matrices, cells.codes)
    })??;
    let hex = table(py, &results, 32, |r| match r.status {
        Status::Valid => hash::to_hex(&r.digest),
        _ => [0u8; 32],
    })?;
    Ok((
        hex,
        column(py, &results, |r| r.status as u8),
        column(py, &results, |r| r.detail),
        column(py, &results, |r| r.num_vertices),
        column(py, &results, |r| r.num_edges),
    ))
}

type HashRowsArrays<'py> = (
    Bound<'py, PyArray2<u32>>,
    Bound<'py, PyArray1<u8>>,
    Bound<'py, PyArray1<i32>>,
);

/// Rows hashed per parallel task when the hex digests are widened to UCS-4.
const HEX_ROWS_PER_TASK: usize = 4096;

/// `hash_many`'s native half: [`check_and_hash`] returning only what `hash_many` reads.
///
/// Args: as [`check_and_hash`]. Returns (hex (N, 32) uint32 UCS-4 code points, so that
/// `.view('<U32')` is the numpy string column without a conversion pass; zero for rejected
/// rows, i.e. ''), status (N,) uint8, detail (N,) int32).
#[pyfunction]
pub fn hash_rows<'py>(
    py: Python<'py>,
    matrices: PyReadonlyArray3<'py, u8>,
    codes: PyReadonlyArray2<'py, i8>,
) -> NativeResult<HashRowsArrays<'py>> {
    let cells = padded_cells(&matrices, &codes, MAX_BATCH_VERTICES)?;
    let (results, hex) = run_detached(py, || {
        let results = spec::check_and_hash(cells.width, cells.matrices, cells.codes)?;
        let mut hex = vec![0u32; results.len() * 32];
        hex.par_chunks_mut(HEX_ROWS_PER_TASK * 32)
            .zip(results.par_chunks(HEX_ROWS_PER_TASK))
            .for_each(|(hex, results)| {
                for (chars, result) in hex.chunks_exact_mut(32).zip(results) {
                    if result.status == Status::Valid {
                        for (char, digit) in chars.iter_mut().zip(hash::to_hex(&result.digest)) {
                            *char = u32::from(digit);
                        }
                    }
                }
            });
        Ok::<_, CoreError>((results, hex))
    })??;
    let rows = results.len();
    let hex = numpy::ndarray::Array2::from_shape_vec((rows, 32), hex)
        .map_err(|e| NativeError::Internal(format!("hex column: {e}")))?
        .into_pyarray(py);
    Ok((
        hex,
        column(py, &results, |r| r.status as u8),
        column(py, &results, |r| r.detail),
    ))
}

/// Op codes (see `spec.rs`) of a `(N, W)` numpy array of op names given as its UCS-4 storage
/// `(N, W, K)` uint32 (`names.view(np.uint32).reshape(N, W, K)`); names compare as numpy
/// compares strings (trailing NULs are padding). Unknown names get the "unsupported" code.
#[pyfunction]
pub fn op_codes_of_names<'py>(
    py: Python<'py>,
    chars: PyReadonlyArray3<'py, u32>,
) -> NativeResult<Bound<'py, PyArray2<i8>>> {
    let shape = chars.shape();
    let (rows, width, per_name) = (shape[0], shape[1], shape[2]);
    let flat = contiguous(&chars)?;
    let codes = run_detached(py, || spec::op_codes_of_names(flat, per_name))??;
    Ok(numpy::ndarray::Array2::from_shape_vec((rows, width), codes)
        .map_err(|e| NativeError::Internal(format!("op codes: {e}")))?
        .into_pyarray(py))
}

/// The name of the op at `ops[row][vertex]` as the caller wrote it: the string itself, or the
/// op name of an integer label (the label's digits when it names no op).
fn given_op_name(ops: &Bound<'_, PyAny>, row: usize, vertex: usize) -> NativeResult<String> {
    let given = ops.get_item(row)?.get_item(vertex)?;
    if let Ok(name) = given.cast::<PyString>() {
        return Ok(name.to_str()?.to_string());
    }
    if given.is_instance_of::<PyInt>() || given.hasattr("__index__")? {
        // Labels beyond i64 simply name no op.
        let label = given.extract::<i64>().ok();
        if let Some(name) = label
            .and_then(|l| i8::try_from(l).ok())
            .and_then(label_name)
        {
            return Ok(name.to_string());
        }
    }
    Ok(given.str()?.to_str()?.to_string())
}

/// The [`SpecError`] of every row (`None` for valid rows) given `check_and_hash`'s status and
/// detail columns; `ops` is the caller's op names or labels, used to name unsupported ops.
fn row_errors(
    status: &PyReadonlyArray1<'_, u8>,
    detail: &PyReadonlyArray1<'_, i32>,
    ops: &Bound<'_, PyAny>,
    first_only: bool,
) -> NativeResult<Vec<Option<SpecError>>> {
    let (status, detail) = (contiguous(status)?, contiguous(detail)?);
    if status.len() != detail.len() {
        return Err(NativeError::invalid_input(format!(
            "{} statuses but {} details",
            status.len(),
            detail.len()
        )));
    }
    let mut errors = Vec::with_capacity(status.len());
    for (row, (&code, &detail)) in status.iter().zip(detail).enumerate() {
        let status = Status::from_code(code).ok_or_else(|| {
            NativeError::invalid_input(format!("row {row}: unknown check status {code}"))
        })?;
        let mut name_error = None;
        let error = SpecError::from_status(status, detail, |vertex| {
            given_op_name(ops, row, vertex).unwrap_or_else(|e| {
                name_error = Some(e);
                String::new()
            })
        });
        if let Some(e) = name_error {
            return Err(e);
        }
        let stop = first_only && error.is_some();
        errors.push(error);
        if stop {
            break;
        }
    }
    Ok(errors)
}

/// The original API's message for every row of a `check_and_hash` result (`''` if valid).
///
/// Returns an (N,) object array of str.
#[pyfunction]
pub fn check_reasons<'py>(
    py: Python<'py>,
    status: PyReadonlyArray1<'py, u8>,
    detail: PyReadonlyArray1<'py, i32>,
    ops: Bound<'py, PyAny>,
) -> NativeResult<Bound<'py, PyArray1<Py<PyAny>>>> {
    let errors = row_errors(&status, &detail, &ops, false)?;
    let empty = PyString::intern(py, "");
    let reasons: Vec<Py<PyAny>> = errors
        .iter()
        .map(|error| match error {
            Some(error) => PyString::new(py, &error.to_string()).into_any().unbind(),
            None => empty.clone().into_any().unbind(),
        })
        .collect();
    Ok(reasons.into_pyarray(py))
}

/// Raises for the first invalid row of a `check_and_hash` result: `InvalidSpecError` for what
/// the `ModelSpec` constructor rejects, else `OutOfDomainError`, message
/// `"row {i}: {reason}"` and `.row = i`. Returns None when every row is valid.
#[pyfunction]
pub fn raise_first_invalid(
    status: PyReadonlyArray1<'_, u8>,
    detail: PyReadonlyArray1<'_, i32>,
    ops: Bound<'_, PyAny>,
) -> NativeResult<()> {
    let errors = row_errors(&status, &detail, &ops, true)?;
    match errors
        .into_iter()
        .enumerate()
        .find_map(|(row, e)| e.map(|e| (row, e)))
    {
        Some((row, error)) => Err(CoreError::InvalidSpec { row, error }.into()),
        None => Ok(()),
    }
}

/// Name of the MD5 kernel this CPU uses ("Avx512", "Avx2" or "Portable").
#[pyfunction]
pub fn md5_kernel() -> String {
    format!("{:?}", md5x::Kernel::detect())
}
