//! Exhaustive enumeration of the NB101 space, one vertex count per call.

use crate::arrays::{column, table};
use crate::errors::{run_detached, NativeError, NativeResult};
use nasbench_lite_core::nb101::{enumerate, hash};
use numpy::{PyArray1, PyArray2};
use pyo3::prelude::*;
use std::ops::ControlFlow;

type EnumerationArrays<'py> = (
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<u8>>,
    Bound<'py, PyArray2<i8>>,
    Bound<'py, PyArray2<u8>>,
);

/// Unique cells with exactly `num_vertices` vertices, first-seen order of the original.
///
/// Returns (edge bits (M,), edge counts (M,), labels (M, V) int8, hex (M, 32) uint8 ASCII).
/// `progress`, when given, is called with the number of labelled graphs of this vertex count
/// done so far, after each batch of at least `every` of them (and at the end); the GIL is
/// taken only for that call, and an exception it raises stops the enumeration and propagates.
/// Raises InvalidInputError unless 2 <= num_vertices <= 8, 1 <= num_ops <= 6 and every >= 1.
#[pyfunction]
#[pyo3(signature = (num_vertices, max_edges, num_ops, progress=None, every=65536))]
pub fn enumerate_vertices<'py>(
    py: Python<'py>,
    num_vertices: usize,
    max_edges: u32,
    num_ops: u32,
    progress: Option<Py<PyAny>>,
    every: u64,
) -> NativeResult<EnumerationArrays<'py>> {
    if every == 0 {
        return Err(NativeError::invalid_input("every must be at least 1"));
    }
    let mut raised: Option<PyErr> = None;
    let cells = run_detached(py, || {
        let mut report = |done: u64| match &progress {
            None => ControlFlow::Continue(()),
            Some(callback) => Python::attach(|py| match callback.call1(py, (done,)) {
                Ok(_) => ControlFlow::Continue(()),
                Err(error) => {
                    raised = Some(error);
                    ControlFlow::Break(())
                }
            }),
        };
        let every = if progress.is_some() { every } else { u64::MAX };
        enumerate::enumerate_vertices_with_progress(
            num_vertices,
            max_edges,
            num_ops,
            every,
            &mut report,
        )
    })??;
    let Some(cells) = cells else {
        return Err(raised.map(NativeError::Python).unwrap_or_else(|| {
            NativeError::Internal("enumeration stopped without a cause".into())
        }));
    };
    Ok((
        column(py, &cells, |c| c.edge_bits),
        column(py, &cells, |c| c.num_edges),
        table(py, &cells, num_vertices, |c| {
            c.labels[..num_vertices].iter().copied()
        })?,
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
