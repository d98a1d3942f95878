//! NATS `curves.data` blobs (format 3) read natively (`nasbench_lite_core::nats::curves`).
//!
//! One call answers a mid-run `get_more_info` for every trial of an (architecture, hp,
//! dataset): the blobs are borrowed from their `bytes` objects (no copy), the work is a few
//! microseconds, so the GIL is kept. A damaged blob raises `CorruptDatabaseError`, the class
//! the Python decoder (`layout.Curves`) raises, with the same message.

use crate::errors::{NativeError, NativeResult};
use nasbench_lite_core::nats::curves::{self, CurvesBlob, MidRun, SetSeries};
use nasbench_lite_core::CoreError;
use numpy::{IntoPyArray, PyArray2, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyType};

static CORRUPT_DATABASE: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// Core errors of this module: a damaged blob is a corrupt *database*, not a corrupt source.
fn database_error(py: Python<'_>, error: CoreError) -> NativeError {
    match error {
        CoreError::CorruptSource { message, .. } => {
            match CORRUPT_DATABASE.import(py, "nasbench_lite.errors", "CorruptDatabaseError") {
                Ok(class) => match class.call1((message,)) {
                    Ok(instance) => NativeError::Python(PyErr::from_value(instance)),
                    Err(err) => NativeError::Python(err),
                },
                Err(err) => NativeError::Python(err),
            }
        }
        other => other.into(),
    }
}

/// `results._mid_run_sets` for every trial at once (see `_native.pyi`).
///
/// `sets` is packed little-endian `i32`s (`array('i', ...).tobytes()`: borrowed, not
/// converted item by item), `width` sets per trial of `(acc, loss, time, is_train)` (acc < 0:
/// the trial lacks the set). Returns the per-set values (None: not every trial has the set),
/// the epochs of the out-of-range trial (an int), or None when the trials disagree on
/// which times exist.
#[pyfunction]
#[pyo3(signature = (blobs, sets, width, eval_counts, iepoch, chosen, compensated_sum = false))]
#[allow(clippy::too_many_arguments)]
pub fn nats_mid_run_sets<'py>(
    py: Python<'py>,
    blobs: Vec<Bound<'py, PyBytes>>,
    sets: &[u8],
    width: usize,
    eval_counts: Vec<usize>,
    iepoch: i64,
    chosen: i64,
    compensated_sum: bool,
) -> NativeResult<Bound<'py, PyAny>> {
    if width == 0 || sets.len() != 16 * width * blobs.len() {
        return Err(NativeError::invalid_input(
            "sets must hold 4 i32 values per set, width sets per blob",
        ));
    }
    let sets: Vec<i32> = sets
        .chunks_exact(4)
        .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let index =
        |v: i32| usize::try_from(v).map_err(|_| NativeError::invalid_input("series index below 0"));
    let mut per_trial = Vec::with_capacity(blobs.len());
    for trial in sets.chunks_exact(4 * width) {
        let row = trial
            .chunks_exact(4)
            .map(|s| {
                Ok(if s[0] < 0 {
                    None
                } else {
                    Some(SetSeries {
                        acc: index(s[0])?,
                        loss: index(s[1])?,
                        time: index(s[2])?,
                        is_train: s[3] != 0,
                    })
                })
            })
            .collect::<NativeResult<Vec<_>>>()?;
        per_trial.push(row);
    }
    let slices: Vec<&[u8]> = blobs.iter().map(|b| b.as_bytes()).collect();
    let chosen = usize::try_from(chosen).ok();
    let outcome = curves::mid_run_sets(
        &slices,
        &per_trial,
        &eval_counts,
        iepoch,
        chosen,
        compensated_sum,
    )
    .map_err(|e| database_error(py, e))?;
    Ok(match outcome {
        MidRun::OutOfRange { epochs } => match epochs.into_pyobject(py) {
            Ok(epochs) => epochs.into_any(),
            Err(never) => match never {},
        },
        MidRun::Disagree => py.None().into_bound(py),
        MidRun::Sets(sets) => sets.into_pyobject(py)?.into_any(),
    })
}

/// Every value of one blob: `(series, epochs)` float64 values (0.0 where absent) and the
/// presence mask, as `layout.Curves.arrays` (the reference it is tested against).
#[pyfunction]
#[allow(clippy::type_complexity)]
pub fn nats_curves_arrays<'py>(
    py: Python<'py>,
    blob: &[u8],
) -> NativeResult<(Bound<'py, PyArray2<f64>>, Bound<'py, PyArray2<bool>>)> {
    let parsed = CurvesBlob::parse(blob).map_err(|e| database_error(py, e))?;
    let (values, present) = parsed.arrays().map_err(|e| database_error(py, e))?;
    let shape = (parsed.n_series(), parsed.epochs());
    let values = values
        .into_pyarray(py)
        .reshape(shape)
        .map_err(NativeError::from)?;
    let present = present
        .into_pyarray(py)
        .reshape(shape)
        .map_err(NativeError::from)?;
    Ok((values, present))
}
