//! Exhaustive enumeration of the NB101 space, one vertex count per call.

use crate::arrays::{column, table};
use crate::errors::{run_detached, NativeResult};
use nasbench_lite_core::nb101::{enumerate, hash};
use numpy::{PyArray1, PyArray2};
use pyo3::prelude::*;

type EnumerationArrays<'py> = (
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<u8>>,
    Bound<'py, PyArray2<i8>>,
    Bound<'py, PyArray2<u8>>,
);

/// Unique cells with exactly `num_vertices` vertices, first-seen order of the original.
///
/// Returns (edge bits (M,), edge counts (M,), labels (M, V) int8, hex (M, 32) uint8 ASCII).
/// Raises InvalidInputError unless 2 <= num_vertices <= 8 and 1 <= num_ops <= 6.
#[pyfunction]
pub fn enumerate_vertices<'py>(
    py: Python<'py>,
    num_vertices: usize,
    max_edges: u32,
    num_ops: u32,
) -> NativeResult<EnumerationArrays<'py>> {
    let cells = run_detached(py, || {
        enumerate::enumerate_vertices(num_vertices, max_edges, num_ops)
    })??;
    Ok((
        column(py, &cells, |c| c.edge_bits),
        column(py, &cells, |c| c.num_edges),
        table(py, &cells, num_vertices, |c| c.labels.iter().copied())?,
        table(py, &cells, 32, |c| hash::to_hex(&c.digest))?,
    ))
}

/// Number of labelled graphs the original enumeration visits for exactly `num_vertices`.
///
/// Raises InvalidInputError unless 2 <= num_vertices <= 8, or when the count overflows.
#[pyfunction]
pub fn count_labelled(
    py: Python<'_>,
    num_vertices: usize,
    max_edges: u32,
    num_ops: u32,
) -> NativeResult<u64> {
    Ok(run_detached(py, || {
        enumerate::count_labelled(num_vertices, max_edges, num_ops)
    })??)
}
