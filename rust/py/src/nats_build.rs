//! The NATS builder's native batches (`nasbench_lite_core::nats::rows`).
//!
//! [`read_nats_build_batch`] reads, decompresses, parses, walks and encodes a batch of
//! per-architecture files in parallel with the GIL released and keeps the results in Rust
//! ([`NatsBuildBatch`]); the writer thread then asks it for ready-to-insert rows
//! ([`NatsBuildBatch::rows`]: tuples of plain values and blobs, one list per table), so no
//! Python code runs per value or per run. [`NatsCurvesPacker`] gives the runs their page-packed
//! ids (`packing.CurvesPacker` natively); its `add_batch` takes a batch's runs straight from
//! Rust, so each `runs` row is built once, with its final id. [`nats_encode_curves`] exposes
//! the blob encoder alone (tested against `layout.encode_curves`).

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

/// One run of a segment as [`NatsBuildBatch::segment`] hands it over: its file position, its
/// run and blob, its NaN mask and config id.
struct SegmentRun<'a> {
    position: usize,
    run: usize,
    blob: &'a [u8],
    config_id: Option<usize>,
}

/// A segment's rows but the runs (which the caller builds, provisional or packed).
struct SegmentRows<'py> {
    config_rows: Bound<'py, PyList>,
    hp_rows: Bound<'py, PyList>,
    summary_rows: Bound<'py, PyList>,
    hps_seen: Vec<String>,
    datasets_seen: [bool; 4],
}

impl NatsBuildBatch {
    /// Walks files `start..stop` (all regular): every table's rows but the runs, and
    /// `on_run` for each run in file and walk order.
    fn segment<'py, 'a>(
        &'a self,
        py: Python<'py>,
        start: usize,
        stop: usize,
        configs: &Bound<'py, PyDict>,
        mut on_run: impl FnMut(SegmentRun<'a>) -> PyResult<()>,
    ) -> NativeResult<SegmentRows<'py>> {
        if start > stop || stop > self.items.len() {
            return Err(NativeError::invalid_input("rows: range outside the batch"));
        }
        let datasets: Vec<Bound<'py, PyString>> =
            DATASETS.iter().map(|d| PyString::new(py, d)).collect();
        let out = SegmentRows {
            config_rows: PyList::empty(py),
            hp_rows: PyList::empty(py),
            summary_rows: PyList::empty(py),
            hps_seen: Vec::new(),
            datasets_seen: [false; 4],
        };
        let mut out = out;
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
                summaries,
                ..
            } = rows;
            let hps: Vec<Bound<'py, PyString>> =
                walked.hps.iter().map(|h| PyString::new(py, h)).collect();
            for (order, hp) in walked.hps.iter().enumerate() {
                out.hp_rows.append((index, &hps[order], order))?;
                if !out.hps_seen.contains(hp) {
                    out.hps_seen.push(hp.clone());
                }
            }
            for (number, (run, blob)) in walked.runs.iter().zip(blobs).enumerate() {
                out.datasets_seen[run.dataset as usize] = true;
                let config_id: Option<usize> = match &run.config {
                    None => None,
                    Some(text) => Some(match configs.get_item(text)? {
                        Some(id) => id.extract()?,
                        None => {
                            let id = configs.len();
                            configs.set_item(text, id)?;
                            out.config_rows.append((id, text))?;
                            id
                        }
                    }),
                };
                on_run(SegmentRun {
                    position,
                    run: number,
                    blob,
                    config_id,
                })?;
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
                out.summary_rows.append(PyTuple::new(py, cells)?)?;
            }
        }
        Ok(out)
    }

    /// The `runs` row of one run (the column order of `build._RUN_SQL`).
    fn run_row<'py>(
        &self,
        py: Python<'py>,
        position: usize,
        number: usize,
        config_id: Option<usize>,
        run_id: i64,
        datasets: &[Bound<'py, PyString>],
    ) -> PyResult<Bound<'py, PyTuple>> {
        let Built::Rows(rows) = &self.items[position] else {
            return Err(pyo3::exceptions::PyRuntimeError::new_err(
                "not a regular file",
            ));
        };
        let run = &rows.walked.runs[number];
        let nan_mask = rows.nan_masks[number];
        let names: Vec<&str> = run
            .eval_sets
            .iter()
            .map(|&s| EVAL_SETS[s as usize])
            .collect();
        let mut cells: Vec<Bound<'py, PyAny>> = Vec::with_capacity(35);
        cells.push(self.indexes[position].into_bound_py_any(py)?);
        cells.push(PyString::new(py, &rows.walked.hps[run.hp_order as usize]).into_any());
        cells.push(datasets[run.dataset as usize].clone().into_any());
        cells.push(run.seed.into_bound_py_any(py)?);
        cells.push(run_id.into_bound_py_any(py)?);
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
        PyTuple::new(py, cells)
    }

    /// The group key and primary-key tail of one run: `(hp, dataset, seed)`.
    fn run_key(&self, position: usize, number: usize) -> (String, String, i64) {
        match &self.items[position] {
            Built::Rows(rows) => {
                let run = &rows.walked.runs[number];
                (
                    rows.walked.hps[run.hp_order as usize].clone(),
                    DATASETS[run.dataset as usize].to_string(),
                    run.seed,
                )
            }
            Built::Irregular(_) => (String::new(), String::new(), 0),
        }
    }
}

fn dataset_names(py: Python<'_>) -> Vec<Bound<'_, PyString>> {
    DATASETS.iter().map(|d| PyString::new(py, d)).collect()
}

fn segment_tuple<'py>(
    py: Python<'py>,
    rows: SegmentRows<'py>,
    run_rows: Bound<'py, PyList>,
    curve_rows: Bound<'py, PyList>,
    runs: usize,
) -> NativeResult<Bound<'py, PyTuple>> {
    let seen: Vec<&str> = DATASETS
        .iter()
        .zip(rows.datasets_seen)
        .filter_map(|(d, seen)| seen.then_some(*d))
        .collect();
    let items: [Bound<'py, PyAny>; 8] = [
        rows.config_rows.into_any(),
        rows.hp_rows.into_any(),
        run_rows.into_any(),
        curve_rows.into_any(),
        rows.summary_rows.into_any(),
        PyList::new(py, rows.hps_seen)?.into_any(),
        PyList::new(py, seen)?.into_any(),
        runs.into_bound_py_any(py)?,
    ];
    Ok(PyTuple::new(py, items)?)
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
        let run_rows = PyList::empty(py);
        let curve_rows = PyList::empty(py);
        let mut next_run = run_id;
        let names = dataset_names(py);
        let rows = self.segment(py, start, stop, configs, |item| {
            let row = self.run_row(
                py,
                item.position,
                item.run,
                item.config_id,
                next_run,
                &names,
            )?;
            run_rows.append(row)?;
            curve_rows.append((next_run, PyBytes::new(py, item.blob)))?;
            next_run += 1;
            Ok(())
        })?;
        let runs = (next_run - run_id) as usize;
        segment_tuple(py, rows, run_rows, curve_rows, runs)
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

/// A `runs` row waiting for its final id.
enum PendingRow {
    /// Built by Python (the reference walker): its run id is replaced on the way out.
    Tuple(Py<PyTuple>),
    /// A run of a native batch: its row is built on the way out, with its final id.
    Native {
        batch: Py<NatsBuildBatch>,
        position: usize,
        run: usize,
        config_id: Option<usize>,
    },
}

/// A pending row with its primary-key tail `(hp, dataset, seed)` (the sort within its
/// architecture).
type PendingRun = ((String, String, i64), PendingRow);

/// A group being collected: its architecture and `(run, blob, blob length)` in row order.
type Groups = Vec<(i64, Vec<(PendingRun, Py<PyAny>, usize)>)>;

/// `packing.CurvesPacker` natively (`nasbench_lite_core::nats::pack`): the same run ids, the
/// same rows out, without Python bytecode per group and cell. [`NatsCurvesPacker::add_batch`]
/// also takes a native batch's runs directly, building each `runs` row once, with its final id.
#[pyclass(module = "nasbench_lite._native")]
pub struct NatsCurvesPacker {
    inner: Packer<PendingRun, Py<PyAny>>,
}

/// `runs` row position of `run_id` (`build._RUN_SQL` order).
const RUN_ID: usize = 4;

/// Adds a run to its (architecture, hp, dataset) group, groups in first-appearance order.
fn group_run(
    groups: &mut Groups,
    positions: &mut HashMap<(i64, String, String), usize>,
    arch: i64,
    pending: PendingRun,
    blob: Py<PyAny>,
    len: usize,
) {
    let key = (arch, pending.0 .0.clone(), pending.0 .1.clone());
    let at = *positions.entry(key).or_insert_with(|| {
        groups.push((arch, Vec::new()));
        groups.len() - 1
    });
    groups[at].1.push((pending, blob, len));
}

impl NatsCurvesPacker {
    /// The `runs` rows of finished architectures (primary-key order) and the `curves` rows
    /// placed so far (id order).
    fn ready<'py>(
        &mut self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyList>, Bound<'py, PyList>)> {
        let names = dataset_names(py);
        let runs = PyList::empty(py);
        for (_, mut pending) in self.inner.take_finished() {
            pending.sort_by(|a, b| a.1 .0.cmp(&b.1 .0));
            for (run_id, (_, row)) in pending {
                let run_id = run_id as i64;
                match row {
                    PendingRow::Tuple(row) => {
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
                    PendingRow::Native {
                        batch,
                        position,
                        run,
                        config_id,
                    } => {
                        let row = batch
                            .get()
                            .run_row(py, position, run, config_id, run_id, &names)?;
                        runs.append(row)?;
                    }
                }
            }
        }
        let curves = PyList::empty(py);
        for (run_id, blob) in self.inner.take_curves() {
            curves.append((run_id, blob))?;
        }
        Ok((runs, curves))
    }

    fn add_groups(&mut self, groups: Groups) {
        for (arch, runs) in groups {
            self.inner.add_group(arch, runs);
        }
    }
}

#[pymethods]
impl NatsCurvesPacker {
    #[new]
    #[pyo3(signature = (page_size, window = 64))]
    fn new(page_size: usize, window: usize) -> NativeResult<Self> {
        if !(512..=65536).contains(&page_size) || window == 0 {
            return Err(NativeError::invalid_input(format!(
                "page_size must be in 512..=65536 and window positive \
                 (got page_size={page_size}, window={window})"
            )));
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
    ) -> PyResult<(Bound<'py, PyList>, Bound<'py, PyList>)> {
        let mut blobs: HashMap<i64, (Py<PyAny>, usize)> = HashMap::new();
        for item in curve_rows.try_iter()? {
            let (run_id, blob): (i64, Bound<'py, PyAny>) = item?.extract()?;
            let len = blob.len()?;
            blobs.insert(run_id, (blob.unbind(), len));
        }
        let mut groups: Groups = Vec::new();
        let mut positions = HashMap::new();
        for row in run_rows.try_iter()? {
            let row = row?.cast_into::<PyTuple>()?;
            let arch: i64 = row.get_item(0)?.extract()?;
            let key = (
                row.get_item(1)?.extract()?,
                row.get_item(2)?.extract()?,
                row.get_item(3)?.extract()?,
            );
            let run_id: i64 = row.get_item(RUN_ID)?.extract()?;
            let (blob, len) = blobs
                .get(&run_id)
                .map(|(blob, len)| (blob.clone_ref(py), *len))
                .ok_or_else(|| pyo3::exceptions::PyKeyError::new_err(run_id))?;
            let pending = (key, PendingRow::Tuple(row.unbind()));
            group_run(&mut groups, &mut positions, arch, pending, blob, len);
        }
        self.add_groups(groups);
        self.ready(py)
    }

    /// `NatsBuildBatch.rows(start, stop, ...)` packed: the same 8 items, but the `runs` and
    /// `curves` rows are the ones ready to insert with their final ids (as `add` of the
    /// provisional rows returns them), each `runs` row built once.
    fn add_batch<'py>(
        &mut self,
        py: Python<'py>,
        batch: &Bound<'py, NatsBuildBatch>,
        start: usize,
        stop: usize,
        configs: &Bound<'py, PyDict>,
    ) -> NativeResult<Bound<'py, PyTuple>> {
        let native = batch.get();
        let mut groups: Groups = Vec::new();
        let mut positions = HashMap::new();
        let mut runs = 0;
        let rows = native.segment(py, start, stop, configs, |item| {
            let arch = native.indexes[item.position];
            let pending = (
                native.run_key(item.position, item.run),
                PendingRow::Native {
                    batch: batch.clone().unbind(),
                    position: item.position,
                    run: item.run,
                    config_id: item.config_id,
                },
            );
            let blob = PyBytes::new(py, item.blob).into_any().unbind();
            group_run(
                &mut groups,
                &mut positions,
                arch,
                pending,
                blob,
                item.blob.len(),
            );
            runs += 1;
            Ok(())
        })?;
        self.add_groups(groups);
        let (run_rows, curve_rows) = self.ready(py)?;
        segment_tuple(py, rows, run_rows, curve_rows, runs)
    }

    /// Everything still waiting, with ids (`CurvesPacker.finish`).
    fn finish<'py>(
        &mut self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyList>, Bound<'py, PyList>)> {
        self.inner.finish();
        self.ready(py)
    }
}
