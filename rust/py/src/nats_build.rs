//! The NATS builder's native batches (`nasbench_lite_core::nats::rows`).
//!
//! [`read_nats_build_batch`] reads, decompresses, parses, walks and encodes a batch of
//! per-architecture files in parallel with the GIL released and keeps the results in Rust
//! ([`NatsBuildBatch`]); the writer thread then asks it for ready-to-insert rows
//! ([`NatsBuildBatch::rows`]: tuples of plain values and blobs, one list per table), so no
//! Python code runs per value or per run. [`nats_encode_curves`] exposes the blob encoder alone
//! (tested against `layout.encode_curves`).

use crate::arrays::contiguous;
use crate::errors::{run_detached, NativeError, NativeResult};
use crate::nats::arch_files;
use crate::pickle::limits_from;
use nasbench_lite_core::nats::encode::encode_curves;
use nasbench_lite_core::nats::pack::Packer;
use nasbench_lite_core::nats::rows::{build_arch_files, ArchRows, Built};
use nasbench_lite_core::nats::{DATASETS, EVAL_SETS};
use numpy::{PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyFloat, PyList, PyString, PyTuple};
use pyo3::IntoPyObjectExt;
use std::collections::HashMap;
use std::path::PathBuf;

/// One batch of files read for the builder (see the module documentation).
#[pyclass(frozen, module = "nasbench_lite._native")]
pub struct NatsBuildBatch {
    items: Vec<Built>,
    indexes: Vec<i64>,
}

fn optional_float(py: Python<'_>, value: Option<f64>) -> Bound<'_, PyAny> {
    match value {
        Some(v) => PyFloat::new(py, v).into_any(),
        None => py.None().into_bound(py),
    }
}

#[pymethods]
impl NatsBuildBatch {
    fn __len__(&self) -> usize {
        self.items.len()
    }

    /// `(position, reason)` of each file outside the strict layout (the reference reads them).
    fn irregular(&self) -> Vec<(usize, String)> {
        self.items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| match item {
                Built::Irregular(reason) => Some((i, reason.clone())),
                Built::Rows(_) => None,
            })
            .collect()
    }

    /// The rows of files `start..stop` (all regular), run ids from `run_id`.
    ///
    /// `configs` maps config JSON to its id and gains the new ones. Returns `(config_rows,
    /// hp_rows, run_rows, curve_rows, summary_rows, hps, datasets, runs)`: lists of tuples in
    /// the column order of `build.py`'s statements, the hp and dataset names seen, the number
    /// of runs.
    fn rows<'py>(
        &self,
        py: Python<'py>,
        start: usize,
        stop: usize,
        run_id: i64,
        configs: &Bound<'py, PyDict>,
    ) -> NativeResult<Bound<'py, PyTuple>> {
        if start > stop || stop > self.items.len() {
            return Err(NativeError::invalid_input("rows: range outside the batch"));
        }
        let datasets: Vec<Bound<'py, PyString>> =
            DATASETS.iter().map(|d| PyString::new(py, d)).collect();
        let config_rows = PyList::empty(py);
        let hp_rows = PyList::empty(py);
        let run_rows = PyList::empty(py);
        let curve_rows = PyList::empty(py);
        let summary_rows = PyList::empty(py);
        let mut hps_seen: Vec<String> = Vec::new();
        let mut datasets_seen = [false; 4];
        let mut next_run = run_id;
        for position in start..stop {
            let Built::Rows(rows) = &self.items[position] else {
                return Err(NativeError::invalid_input(
                    "rows: the range holds a file outside the strict layout",
                ));
            };
            let index = self.indexes[position];
            let ArchRows {
                walked,
                blobs,
                nan_masks,
                summaries,
            } = rows;
            let hps: Vec<Bound<'py, PyString>> =
                walked.hps.iter().map(|h| PyString::new(py, h)).collect();
            for (order, hp) in walked.hps.iter().enumerate() {
                hp_rows.append((index, &hps[order], order))?;
                if !hps_seen.contains(hp) {
                    hps_seen.push(hp.clone());
                }
            }
            for ((run, blob), &nan_mask) in walked.runs.iter().zip(blobs).zip(nan_masks) {
                datasets_seen[run.dataset as usize] = true;
                let config_id: Option<usize> = match &run.config {
                    None => None,
                    Some(text) => Some(match configs.get_item(text)? {
                        Some(id) => id.extract()?,
                        None => {
                            let id = configs.len();
                            configs.set_item(text, id)?;
                            config_rows.append((id, text))?;
                            id
                        }
                    }),
                };
                let names: Vec<&str> = run
                    .eval_sets
                    .iter()
                    .map(|&s| EVAL_SETS[s as usize])
                    .collect();
                let mut cells: Vec<Bound<'py, PyAny>> = Vec::with_capacity(35);
                cells.push(index.into_bound_py_any(py)?);
                cells.push(hps[run.hp_order as usize].clone().into_any());
                cells.push(datasets[run.dataset as usize].clone().into_any());
                cells.push(run.seed.into_bound_py_any(py)?);
                cells.push(next_run.into_bound_py_any(py)?);
                cells.push(run.dataset_order.into_bound_py_any(py)?);
                cells.push(run.seed_order.into_bound_py_any(py)?);
                cells.push(run.seed_label.as_deref().into_bound_py_any(py)?);
                cells.push(run.epochs.into_bound_py_any(py)?);
                cells.push(PyString::new(py, &names.join(",")).into_any());
                cells.push(config_id.into_bound_py_any(py)?);
                for (bit, &value) in run.finals.iter().enumerate() {
                    let null = (run.finals_absent | nan_mask) >> bit & 1 == 1;
                    cells.push(optional_float(py, (!null).then_some(value)));
                }
                cells.push(nan_mask.into_bound_py_any(py)?);
                run_rows.append(PyTuple::new(py, cells)?)?;
                curve_rows.append((next_run, PyBytes::new(py, blob)))?;
                next_run += 1;
            }
            for summary in summaries {
                let (flops, params, latency) = match summary.costs {
                    Some((f, p, l)) => (Some(f), Some(p), l),
                    None => (None, None, None),
                };
                let mut cells: Vec<Bound<'py, PyAny>> = vec![
                    hps[summary.hp_order as usize].clone().into_any(),
                    datasets[summary.dataset as usize].clone().into_any(),
                    index.into_bound_py_any(py)?,
                    summary.n_seeds.into_bound_py_any(py)?,
                    optional_float(py, flops),
                    optional_float(py, params),
                    optional_float(py, latency),
                ];
                cells.extend(summary.accuracies.iter().map(|&a| optional_float(py, a)));
                summary_rows.append(PyTuple::new(py, cells)?)?;
            }
        }
        let seen: Vec<&Bound<'py, PyString>> = datasets
            .iter()
            .zip(datasets_seen)
            .filter_map(|(d, seen)| seen.then_some(d))
            .collect();
        let items: [Bound<'py, PyAny>; 8] = [
            config_rows.into_any(),
            hp_rows.into_any(),
            run_rows.into_any(),
            curve_rows.into_any(),
            summary_rows.into_any(),
            PyList::new(py, hps_seen)?.into_any(),
            PyList::new(py, seen)?.into_any(),
            (next_run - run_id).into_bound_py_any(py)?,
        ];
        Ok(PyTuple::new(py, items)?)
    }
}

/// Reads a batch of NATS-Bench per-architecture files for the builder (GIL released).
///
/// The first file the pickle reader refuses (in order) raises its `UnsafePickleError` /
/// `CorruptSourceError`; files outside the strict layout are listed by `irregular()`.
#[pyfunction]
#[pyo3(signature = (paths, indexes, arch_strs, *, limits = None, compensated_sum = false))]
pub fn read_nats_build_batch<'py>(
    py: Python<'py>,
    paths: Vec<PathBuf>,
    indexes: Vec<i64>,
    arch_strs: Vec<String>,
    limits: Option<&Bound<'py, PyDict>>,
    compensated_sum: bool,
) -> NativeResult<NatsBuildBatch> {
    let files = arch_files(paths, &indexes, arch_strs)?;
    let limits = limits_from(limits)?;
    let results = run_detached(py, || build_arch_files(&files, &limits, compensated_sum))?;
    let items = results
        .into_iter()
        .map(|result| result.map_err(NativeError::Pickle))
        .collect::<NativeResult<Vec<Built>>>()?;
    Ok(NatsBuildBatch { items, indexes })
}

/// `layout.encode_curves(values, present, dict_present, latency)` natively (same bytes).
#[pyfunction]
#[pyo3(signature = (values, present, dict_present, latency = None))]
pub fn nats_encode_curves<'py>(
    py: Python<'py>,
    values: PyReadonlyArray2<'py, f64>,
    present: PyReadonlyArray2<'py, bool>,
    dict_present: Vec<bool>,
    latency: Option<Vec<f64>>,
) -> NativeResult<Bound<'py, PyBytes>> {
    let shape = values.shape().to_vec();
    if present.shape() != shape.as_slice() || dict_present.len() != shape[0] {
        return Err(NativeError::invalid_input(
            "values and present must have one shape, dict_present one flag per series",
        ));
    }
    if shape[0] > usize::from(u16::MAX) || shape[1] > usize::from(u16::MAX) || shape[1] == 0 {
        return Err(NativeError::invalid_input(
            "series and epochs must be in 1..=65535",
        ));
    }
    let (values, present) = (contiguous(&values)?, contiguous(&present)?);
    let blob = encode_curves(
        values,
        present,
        shape[0],
        shape[1],
        &dict_present,
        latency.as_deref(),
    );
    Ok(PyBytes::new(py, &blob))
}

/// A run row waiting for its final id: its primary-key tail `(hp, dataset, seed)` and the row.
type PendingRun = ((String, String, i64), Py<PyTuple>);

/// `packing.CurvesPacker` natively (`nasbench_lite_core::nats::pack`): the same run ids, the
/// same rows out, without Python bytecode per group and cell.
#[pyclass(module = "nasbench_lite._native")]
pub struct NatsCurvesPacker {
    inner: Packer<PendingRun, Py<PyAny>>,
}

/// `runs` row positions of the key and of `run_id` (`build._RUN_SQL` order).
const RUN_ID: usize = 4;

impl NatsCurvesPacker {
    fn ready<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let runs = PyList::empty(py);
        for (_, mut pending) in self.inner.take_finished() {
            pending.sort_by(|a, b| a.1 .0.cmp(&b.1 .0));
            for (run_id, (_, row)) in pending {
                let row = row.bind(py);
                let mut cells: Vec<Bound<'py, PyAny>> = Vec::with_capacity(row.len());
                for (position, cell) in row.iter().enumerate() {
                    cells.push(if position == RUN_ID {
                        run_id.into_bound_py_any(py)?
                    } else {
                        cell
                    });
                }
                runs.append(PyTuple::new(py, cells)?)?;
            }
        }
        let curves = PyList::empty(py);
        for (run_id, blob) in self.inner.take_curves() {
            curves.append((run_id, blob))?;
        }
        PyTuple::new(py, [runs.into_any(), curves.into_any()])
    }
}

#[pymethods]
impl NatsCurvesPacker {
    #[new]
    #[pyo3(signature = (page_size, window = 64))]
    fn new(page_size: usize, window: usize) -> PyResult<Self> {
        if !(512..=65536).contains(&page_size) || window == 0 {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "page_size must be in 512..=65536 and window positive",
            ));
        }
        Ok(NatsCurvesPacker {
            inner: Packer::new(page_size, window),
        })
    }

    /// Leaf pages the `curves` rows given so far fill.
    #[getter]
    fn leaves(&self) -> u64 {
        self.inner.leaves
    }

    /// The next run id.
    #[getter]
    fn next_id(&self) -> u64 {
        self.inner.next_id
    }

    /// Queues rows; returns the `runs` and `curves` rows ready to insert (`CurvesPacker.add`).
    fn add<'py>(
        &mut self,
        py: Python<'py>,
        run_rows: &Bound<'py, PyAny>,
        curve_rows: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let mut blobs: HashMap<i64, (Py<PyAny>, usize)> = HashMap::new();
        for item in curve_rows.try_iter()? {
            let (run_id, blob): (i64, Bound<'py, PyAny>) = item?.extract()?;
            let len = blob.len()?;
            blobs.insert(run_id, (blob.unbind(), len));
        }
        let mut groups: Vec<(i64, Vec<(PendingRun, Py<PyAny>, usize)>)> = Vec::new();
        let mut positions: HashMap<(i64, String, String), usize> = HashMap::new();
        for row in run_rows.try_iter()? {
            let row = row?.cast_into::<PyTuple>()?;
            let arch: i64 = row.get_item(0)?.extract()?;
            let hp: String = row.get_item(1)?.extract()?;
            let dataset: String = row.get_item(2)?.extract()?;
            let seed: i64 = row.get_item(3)?.extract()?;
            let run_id: i64 = row.get_item(RUN_ID)?.extract()?;
            let (blob, len) = blobs
                .get(&run_id)
                .map(|(blob, len)| (blob.clone_ref(py), *len))
                .ok_or_else(|| pyo3::exceptions::PyKeyError::new_err(run_id))?;
            let key = (arch, hp.clone(), dataset.clone());
            let at = *positions.entry(key).or_insert_with(|| {
                groups.push((arch, Vec::new()));
                groups.len() - 1
            });
            groups[at]
                .1
                .push((((hp, dataset, seed), row.unbind()), blob, len));
        }
        for (arch, runs) in groups {
            self.inner.add_group(arch, runs);
        }
        self.ready(py)
    }

    /// Everything still waiting, with ids (`CurvesPacker.finish`).
    fn finish<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        self.inner.finish();
        self.ready(py)
    }
}
