//! NATS-Bench per-architecture files (`nasbench_lite_core::nats`) as flat arrays.
//!
//! One call reads, decompresses, parses and walks a batch of files in parallel with the GIL
//! released; each file comes back as a tuple of whole arrays (no Python object per value), or
//! as the reason string of a file outside the strict layout, which the caller hands to the
//! Python reference walker (`benchmarks/nats/source.py`).

use crate::arrays::{column, table};
use crate::errors::{run_detached, NativeError, NativeResult};
use crate::pickle::limits_from;
use nasbench_lite_core::nats::{self, ArchFile, ArchRuns, Walk, EVAL_SETS};
use numpy::IntoPyArray;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};
use std::path::PathBuf;

/// Columns of the `meta` array of [`read_nats_arch_files`], in order.
const META_COLUMNS: usize = 8;

fn arch_tuple<'py>(py: Python<'py>, walked: &ArchRuns) -> NativeResult<Bound<'py, PyAny>> {
    let runs = &walked.runs;
    let meta = table(py, runs, META_COLUMNS, |r| {
        let dicts = r
            .train_dicts
            .iter()
            .enumerate()
            .fold(0_i64, |bits, (i, &d)| bits | (i64::from(d) << i));
        [
            i64::from(r.hp_order),
            i64::from(r.dataset),
            i64::from(r.dataset_order),
            r.seed,
            i64::from(r.seed_order),
            i64::from(r.epochs),
            dicts,
            r.offset as i64,
        ]
    })?;
    let finals = table(py, runs, nats::FINAL_FIELDS.len(), |r| r.finals)?;
    let absent = column(py, runs, |r| r.finals_absent);
    let set_names: Vec<Bound<'py, PyString>> =
        EVAL_SETS.iter().map(|s| PyString::new(py, s)).collect();
    let eval_names = PyList::empty(py);
    let labels = PyList::empty(py);
    let configs = PyList::empty(py);
    let latencies = PyList::empty(py);
    for run in runs {
        let names = run.eval_sets.iter().map(|&s| &set_names[s as usize]);
        eval_names.append(PyTuple::new(py, names)?)?;
        labels.append(run.seed_label.as_deref())?;
        configs.append(run.config.as_deref())?;
        latencies.append(run.latency.as_deref())?;
    }
    let values = walked.values.clone().into_pyarray(py);
    let present = walked.present.clone().into_pyarray(py);
    let items: [Bound<'py, PyAny>; 10] = [
        PyList::new(py, &walked.hps)?.into_any(),
        meta.into_any(),
        eval_names.into_any(),
        labels.into_any(),
        configs.into_any(),
        latencies.into_any(),
        finals.into_any(),
        absent.into_any(),
        values.into_any(),
        present.into_any(),
    ];
    Ok(PyTuple::new(py, items)?.into_any())
}

/// The per-file arguments of the NATS readers as [`ArchFile`]s (the three lists must align).
pub(crate) fn arch_files(
    paths: Vec<PathBuf>,
    indexes: &[i64],
    arch_strs: Vec<String>,
) -> NativeResult<Vec<ArchFile>> {
    if paths.len() != indexes.len() || paths.len() != arch_strs.len() {
        return Err(NativeError::invalid_input(
            "paths, indexes and arch_strs must have the same length",
        ));
    }
    Ok(paths
        .into_iter()
        .zip(indexes)
        .zip(arch_strs)
        .map(|((path, &index), arch_str)| ArchFile {
            path,
            index,
            arch_str,
        })
        .collect())
}

/// Reads and walks NATS-Bench per-architecture files in parallel (GIL released).
///
/// Per file, in order: a tuple `(hps, meta, eval_names, seed_labels, configs, latencies,
/// finals, finals_absent, values, present)` (see `_native.pyi`), or a `str` giving why the
/// file is outside the strict layout. The first file the pickle reader refuses (in order)
/// raises its `UnsafePickleError` / `CorruptSourceError`.
#[pyfunction]
#[pyo3(signature = (paths, indexes, arch_strs, *, limits = None, compensated_sum = false))]
pub fn read_nats_arch_files<'py>(
    py: Python<'py>,
    paths: Vec<PathBuf>,
    indexes: Vec<i64>,
    arch_strs: Vec<String>,
    limits: Option<&Bound<'py, PyDict>>,
    compensated_sum: bool,
) -> NativeResult<Vec<Bound<'py, PyAny>>> {
    let files = arch_files(paths, &indexes, arch_strs)?;
    let limits = limits_from(limits)?;
    let results = run_detached(py, || {
        nats::read_arch_files(&files, &limits, compensated_sum)
    })?;
    results
        .into_iter()
        .map(|result| match result.map_err(NativeError::Pickle)? {
            Walk::Runs(walked) => arch_tuple(py, &walked),
            Walk::Irregular(reason) => Ok(PyString::new(py, &reason).into_any()),
        })
        .collect()
}
