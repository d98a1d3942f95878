//! Exact NB101 network costs of a batch of cells.

use crate::arrays::{column, padded_cells, table3};
use crate::errors::{run_detached, NativeResult};
use nasbench_lite_core::nb101::cost101::{self, CellCosts};
use nasbench_lite_core::nb101::spec::Status;
use numpy::{PyArray1, PyArray3, PyReadonlyArray2, PyReadonlyArray3};
use pyo3::prelude::*;

type CostArrays<'py> = (
    Bound<'py, PyArray1<u8>>,
    Bound<'py, PyArray3<u64>>,
    Bound<'py, PyArray3<u64>>,
    Bound<'py, PyArray1<u64>>,
    Bound<'py, PyArray1<u64>>,
);

/// The costs of a checked row, `zero` for an invalid one.
fn costs_or<'a>(row: &'a (Status, Option<CellCosts>), zero: &'a CellCosts) -> &'a CellCosts {
    row.1.as_ref().unwrap_or(zero)
}

/// Network costs of a batch of padded NB101 cells (same input layout as `check_and_hash`).
///
/// Returns (status (N,) uint8 as in `check_and_hash`, vertex FLOPs (N, 9, 7), vertex params
/// (N, 9, 7) of the pruned cell, total FLOPs (N,), trainable parameters (N,)); cost entries of
/// invalid rows are 0.
#[pyfunction]
pub fn nb101_costs<'py>(
    py: Python<'py>,
    matrices: PyReadonlyArray3<'py, u8>,
    codes: PyReadonlyArray2<'py, i8>,
) -> NativeResult<CostArrays<'py>> {
    let cells = padded_cells(&matrices, &codes, cost101::MAX_VERTICES)?;
    let rows = run_detached(py, || {
        cost101::check_and_cost(cells.width, cells.matrices, cells.codes)
    })??;
    let zero = CellCosts::default();
    Ok((
        column(py, &rows, |r| r.0 as u8),
        table3(py, &rows, (9, 7), |r| {
            costs_or(r, &zero).vertex_flops.as_flattened().to_vec()
        })?,
        table3(py, &rows, (9, 7), |r| {
            costs_or(r, &zero).vertex_params.as_flattened().to_vec()
        })?,
        column(py, &rows, |r| costs_or(r, &zero).flops),
        column(py, &rows, |r| costs_or(r, &zero).trainable_parameters),
    ))
}
