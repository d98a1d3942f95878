//! `nasbench_lite._native`: the thin PyO3 adapter over `nasbench-lite-core`.
//!
//! Every function takes and returns whole numpy arrays (one call per batch), releases the GIL
//! while the core works, and turns a Rust panic into `nasbench_lite.errors.InternalError`
//! instead of aborting the interpreter. Input validation that needs Python context (dtypes, op
//! names, messages) happens in the Python package; this layer only checks shapes it relies on.

use nasbench_lite_core::nb101_data::{DataError, DatasetReader};
use nasbench_lite_core::{enumerate, hash, md5x, single_spec, spec};
use numpy::{
    IntoPyArray, PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2,
    PyReadonlyArray3, PyUntypedArrayMethods,
};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyInt, PyList};
use std::fs::File;
use std::io::BufReader;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs `work` without the GIL; a panic becomes `nasbench_lite.errors.InternalError`.
fn run_detached<T: Send>(py: Python<'_>, work: impl FnOnce() -> T + Send) -> PyResult<T> {
    let outcome = py.detach(|| catch_unwind(AssertUnwindSafe(work)));
    outcome.map_err(|payload| {
        let reason = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        internal_error(py, format!("native code failed: {reason}"))
    })
}

fn internal_error(py: Python<'_>, message: String) -> PyErr {
    match py
        .import("nasbench_lite.errors")
        .and_then(|m| m.getattr("InternalError"))
    {
        Ok(class) => match class.call1((message.clone(),)) {
            Ok(instance) => PyErr::from_value(instance),
            Err(_) => PyRuntimeError::new_err(message),
        },
        Err(_) => PyRuntimeError::new_err(message),
    }
}

fn corrupt_source(py: Python<'_>, path: &str, error: &DataError) -> PyErr {
    let class = py
        .import("nasbench_lite.errors")
        .and_then(|m| m.getattr("CorruptSourceError"));
    let message = format!("{path}: {error}");
    match class.and_then(|c| c.call1((message.clone(), path, error.record, error.offset))) {
        Ok(instance) => PyErr::from_value(instance),
        Err(_) => PyValueError::new_err(message),
    }
}

type NewCellArrays<'py> = (
    Bound<'py, PyArray2<u8>>,
    Bound<'py, PyArray1<u8>>,
    Bound<'py, PyArray2<u8>>,
    Bound<'py, PyArray2<i8>>,
    Bound<'py, PyArray1<i64>>,
);

type RunArrays<'py> = (
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray2<f64>>,
);

/// Streaming reader of an official NAS-Bench-101 TFRecord (see `nb101_data.rs`).
#[pyclass(module = "nasbench_lite._native")]
struct Nb101Stream {
    path: String,
    reader: DatasetReader<BufReader<File>>,
}

impl Nb101Stream {
    fn open_file(path: &str) -> PyResult<BufReader<File>> {
        let file = File::open(path)
            .map_err(|e| pyo3::exceptions::PyOSError::new_err(format!("{path}: {e}")))?;
        Ok(BufReader::with_capacity(1 << 20, file))
    }
}

#[pymethods]
impl Nb101Stream {
    #[new]
    fn new(path: String) -> PyResult<Self> {
        Ok(Self {
            reader: DatasetReader::new(Self::open_file(&path)?),
            path,
        })
    }

    /// Continues with another file; cells and repeat counts carry over.
    fn start_source(&mut self, path: String) -> PyResult<()> {
        self.reader.start_source(Self::open_file(&path)?);
        self.path = path;
        Ok(())
    }

    /// Next batch as ((hash, num_vertices, adjacency, ops, params), (cell, epochs, repeat,
    /// values)) or None at the end of the file. Raises CorruptSourceError on a bad record.
    fn next_batch<'py>(
        &mut self,
        py: Python<'py>,
        max_records: usize,
    ) -> PyResult<Option<(NewCellArrays<'py>, RunArrays<'py>)>> {
        let reader = &mut self.reader;
        let outcome = run_detached(py, || reader.next_batch(max_records.max(1)))?;
        let batch = match outcome {
            Ok(Some(batch)) => batch,
            Ok(None) => return Ok(None),
            Err(error) => return Err(corrupt_source(py, &self.path, &error)),
        };
        let k = batch.new_cells.len();
        let cells = &batch.new_cells;
        let hashes = cells
            .iter()
            .flat_map(|c| c.hash)
            .collect::<Vec<_>>()
            .into_pyarray(py)
            .reshape([k, 32])?;
        let vertices = cells
            .iter()
            .map(|c| c.num_vertices as u8)
            .collect::<Vec<_>>()
            .into_pyarray(py);
        let adjacency = cells
            .iter()
            .flat_map(|c| c.adjacency)
            .collect::<Vec<_>>()
            .into_pyarray(py)
            .reshape([k, 49])?;
        let ops = cells
            .iter()
            .flat_map(|c| c.ops)
            .collect::<Vec<_>>()
            .into_pyarray(py)
            .reshape([k, 7])?;
        let params = cells
            .iter()
            .map(|c| c.trainable_parameters as i64)
            .collect::<Vec<_>>()
            .into_pyarray(py);
        let m = batch.runs.len();
        let runs = &batch.runs;
        let cell = runs
            .iter()
            .map(|r| r.cell)
            .collect::<Vec<_>>()
            .into_pyarray(py);
        let epochs = runs
            .iter()
            .map(|r| r.epochs)
            .collect::<Vec<_>>()
            .into_pyarray(py);
        let repeat = runs
            .iter()
            .map(|r| r.repeat)
            .collect::<Vec<_>>()
            .into_pyarray(py);
        let values = runs
            .iter()
            .flat_map(|r| r.values)
            .collect::<Vec<_>>()
            .into_pyarray(py)
            .reshape([m, 8])?;
        Ok(Some((
            (hashes, vertices, adjacency, ops, params),
            (cell, epochs, repeat, values),
        )))
    }

    /// (bytes read, records read) so far.
    fn progress(&self) -> (u64, u64) {
        self.reader.progress()
    }

    /// SHA-256 (hex) of the bytes read so far: the whole file after the last batch.
    fn sha256(&self) -> String {
        self.reader.sha256_hex()
    }

    /// Number of distinct cells seen so far.
    fn num_cells(&self) -> usize {
        self.reader.num_cells()
    }
}

fn contiguous<T>(slice: Result<&[T], numpy::AsSliceError>) -> PyResult<&[T]> {
    slice.map_err(|_| PyValueError::new_err("array must be C-contiguous"))
}

/// Hex fingerprint of one graph (any size, integer entries and labels): `hash_module`.
#[pyfunction]
fn hash_graph(
    py: Python<'_>,
    matrix: PyReadonlyArray2<'_, i64>,
    labels: PyReadonlyArray1<'_, i64>,
) -> PyResult<String> {
    let shape = matrix.shape();
    let n = shape[0];
    if shape[1] != n || labels.len() != n {
        return Err(PyValueError::new_err(
            "hash_graph needs an n x n matrix and n labels",
        ));
    }
    let matrix = contiguous(matrix.as_slice())?.to_vec();
    let labels = contiguous(labels.as_slice())?.to_vec();
    run_detached(py, move || {
        hash::to_hex_string(&hash::hash_graph(n, &matrix, &labels))
    })
}

/// Pruned cells whose hash the single-spec path remembers (about 50 bytes each).
const SPEC_MEMO_CELLS: usize = 1 << 18;

/// The process's memo of pruned cell -> hash for [`nb101_spec_digest`]: the hash is a pure
/// function of the cell, so sharing it changes no result, only the time to get it.
static SPEC_MEMO: std::sync::LazyLock<std::sync::Mutex<single_spec::DigestMemo>> =
    std::sync::LazyLock::new(|| {
        std::sync::Mutex::new(single_spec::DigestMemo::new(SPEC_MEMO_CELLS))
    });

/// Fast-path result: `(kept, num_edges, hash, entries, all_bool, pruned_ops)`.
type SpecDigestResult<'py> = (
    u8,
    u32,
    Option<String>,
    Bound<'py, PyBytes>,
    bool,
    Bound<'py, PyList>,
);

/// `ModelSpec` fast path for one small spec, without numpy.
///
/// `matrix` is a list of n lists of n Python ints or bools (exact types), `ops` a list of n op
/// names and `op_codes` maps the available op names to their codes 0..3 (any other op is
/// unknown). Returns `(kept, num_edges, hash, entries, all_bool, pruned_ops)`: `kept` has bit v
/// set for each vertex surviving pruning (0: disconnected), `num_edges` counts the pruned
/// edges, `hash` is the hex `hash_spec()` (None when disconnected or a kept interior op is
/// unknown), `entries` the n*n entries row-major as bytes (the constructor's copy of the
/// matrix), `all_bool` whether every entry was a bool (numpy would infer dtype bool) and
/// `pruned_ops` a new list of the kept vertices' ops. Returns None when the spec needs the
/// general path: another input type, not square, entries other than 0/1, set entries on or
/// below the diagonal, 0 or more than 8 vertices. Raises TypeError for an unhashable op. Too
/// little work to be worth releasing the GIL.
#[pyfunction]
fn nb101_spec_digest<'py>(
    py: Python<'py>,
    matrix: &Bound<'py, PyAny>,
    ops: &Bound<'py, PyAny>,
    op_codes: &Bound<'py, PyDict>,
) -> PyResult<Option<SpecDigestResult<'py>>> {
    let (Ok(rows), Ok(ops)) = (matrix.cast_exact::<PyList>(), ops.cast_exact::<PyList>()) else {
        return Ok(None);
    };
    let n = rows.len();
    if n == 0 || n > single_spec::MAX_SINGLE_VERTICES || ops.len() != n {
        return Ok(None);
    }
    let mut entries = [0u8; single_spec::MAX_SINGLE_VERTICES * single_spec::MAX_SINGLE_VERTICES];
    let mut all_bool = true;
    for (v, row) in rows.iter().enumerate() {
        let Ok(row) = row.cast_exact::<PyList>() else {
            return Ok(None);
        };
        if row.len() != n {
            return Ok(None);
        }
        for (w, item) in row.iter().enumerate() {
            let value = if item.is_exact_instance_of::<PyBool>() {
                item.is_truthy()?
            } else if item.is_exact_instance_of::<PyInt>() {
                all_bool = false;
                match item.extract::<i64>() {
                    Ok(0) => false,
                    Ok(1) => true,
                    _ => return Ok(None),
                }
            } else {
                return Ok(None);
            };
            entries[v * n + w] = value as u8;
        }
    }
    let mut codes = [single_spec::UNKNOWN_OP; single_spec::MAX_SINGLE_VERTICES];
    for (v, op) in ops.iter().enumerate() {
        if let Some(code) = op_codes.get_item(&op)? {
            codes[v] = code.extract::<i8>().unwrap_or(single_spec::UNKNOWN_OP);
        }
    }
    let entries = &entries[..n * n];
    let wide: Vec<i64> = entries.iter().map(|&e| e as i64).collect();
    let Some(digest) = single_spec::spec_digest_with(n, &wide, &codes[..n], |key| {
        match SPEC_MEMO.lock() {
            Ok(mut memo) => memo.digest(key),
            Err(_) => single_spec::hash_key(key), // a poisoned memo is only bypassed
        }
    }) else {
        return Ok(None);
    };
    let kept_ops: Vec<Bound<'py, PyAny>> = ops
        .iter()
        .enumerate()
        .filter(|(v, _)| digest.kept >> v & 1 == 1)
        .map(|(_, op)| op)
        .collect();
    Ok(Some((
        digest.kept,
        digest.num_edges,
        digest.digest.map(|d| hash::to_hex_string(&d)),
        PyBytes::new(py, entries),
        all_bool,
        PyList::new(py, kept_ops)?,
    )))
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
fn check_and_hash<'py>(
    py: Python<'py>,
    matrices: PyReadonlyArray3<'py, u8>,
    codes: PyReadonlyArray2<'py, i8>,
) -> PyResult<CheckArrays<'py>> {
    let shape = matrices.shape().to_vec();
    let (rows, width) = (shape[0], shape[1]);
    if shape[2] != width || codes.shape() != [rows, width] || width > hash::MAX_BATCH_VERTICES {
        return Err(PyValueError::new_err(
            "expected matrices (N, W, W) and codes (N, W) with W <= 8",
        ));
    }
    let matrices = contiguous(matrices.as_slice())?;
    let codes = contiguous(codes.as_slice())?;
    let results = run_detached(py, || spec::check_and_hash(width, matrices, codes))?;
    let mut hex = Vec::with_capacity(rows * 32);
    for r in &results {
        if r.status == spec::Status::Valid {
            hex.extend_from_slice(&hash::to_hex(&r.digest));
        } else {
            hex.extend_from_slice(&[0u8; 32]);
        }
    }
    let hex = hex.into_pyarray(py).reshape([rows, 32])?;
    let status = results
        .iter()
        .map(|r| r.status as u8)
        .collect::<Vec<_>>()
        .into_pyarray(py);
    let detail = results
        .iter()
        .map(|r| r.detail)
        .collect::<Vec<_>>()
        .into_pyarray(py);
    let vertices = results
        .iter()
        .map(|r| r.num_vertices)
        .collect::<Vec<_>>()
        .into_pyarray(py);
    let edges = results
        .iter()
        .map(|r| r.num_edges)
        .collect::<Vec<_>>()
        .into_pyarray(py);
    Ok((hex, status, detail, vertices, edges))
}

type EnumerationArrays<'py> = (
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<u8>>,
    Bound<'py, PyArray2<i8>>,
    Bound<'py, PyArray2<u8>>,
);

/// Unique cells with exactly `num_vertices` vertices, first-seen order of the original.
///
/// Returns (edge bits (M,), edge counts (M,), labels (M, V) int8, hex (M, 32) uint8 ASCII).
#[pyfunction]
fn enumerate_vertices<'py>(
    py: Python<'py>,
    num_vertices: usize,
    max_edges: u32,
    num_ops: u32,
) -> PyResult<EnumerationArrays<'py>> {
    if !(2..=hash::MAX_BATCH_VERTICES).contains(&num_vertices) || !(1..=6).contains(&num_ops) {
        return Err(PyValueError::new_err(
            "num_vertices must be in 2..=8 and num_ops in 1..=6",
        ));
    }
    let cells = run_detached(py, || {
        enumerate::enumerate_vertices(num_vertices, max_edges, num_ops)
    })?;
    let rows = cells.len();
    let bits = cells
        .iter()
        .map(|c| c.edge_bits)
        .collect::<Vec<_>>()
        .into_pyarray(py);
    let edges = cells
        .iter()
        .map(|c| c.num_edges)
        .collect::<Vec<_>>()
        .into_pyarray(py);
    let labels = cells
        .iter()
        .flat_map(|c| c.labels.iter().copied())
        .collect::<Vec<_>>()
        .into_pyarray(py)
        .reshape([rows, num_vertices])?;
    let hex = cells
        .iter()
        .flat_map(|c| hash::to_hex(&c.digest))
        .collect::<Vec<_>>()
        .into_pyarray(py)
        .reshape([rows, 32])?;
    Ok((bits, edges, labels, hex))
}

/// Number of labelled graphs the original enumeration visits for exactly `num_vertices`.
#[pyfunction]
fn count_labelled(
    py: Python<'_>,
    num_vertices: usize,
    max_edges: u32,
    num_ops: u32,
) -> PyResult<u64> {
    if !(2..=hash::MAX_BATCH_VERTICES).contains(&num_vertices) {
        return Err(PyValueError::new_err("num_vertices must be in 2..=8"));
    }
    run_detached(py, || {
        enumerate::count_labelled(num_vertices, max_edges, num_ops)
    })
}

type CostArrays<'py> = (
    Bound<'py, PyArray1<u8>>,
    Bound<'py, numpy::PyArray3<u64>>,
    Bound<'py, numpy::PyArray3<u64>>,
    Bound<'py, PyArray1<u64>>,
    Bound<'py, PyArray1<u64>>,
);

/// Network costs of a batch of padded NB101 cells (same input layout as `check_and_hash`).
///
/// Returns (status (N,) uint8 as in `check_and_hash`, vertex FLOPs (N, 9, 7), vertex params
/// (N, 9, 7) of the pruned cell, total FLOPs (N,), trainable parameters (N,)); cost entries of
/// invalid rows are 0.
#[pyfunction]
fn nb101_costs<'py>(
    py: Python<'py>,
    matrices: PyReadonlyArray3<'py, u8>,
    codes: PyReadonlyArray2<'py, i8>,
) -> PyResult<CostArrays<'py>> {
    let shape = matrices.shape().to_vec();
    let (rows, width) = (shape[0], shape[1]);
    if shape[2] != width || codes.shape() != [rows, width] || width > 7 {
        return Err(PyValueError::new_err(
            "expected matrices (N, W, W) and codes (N, W) with W <= 7",
        ));
    }
    let matrices = contiguous(matrices.as_slice())?;
    let codes = contiguous(codes.as_slice())?;
    let results = run_detached(py, || {
        use rayon::prelude::*;
        (0..rows)
            .into_par_iter()
            .map(|r| {
                let (result, cell) = spec::check_row(
                    width,
                    &matrices[r * width * width..(r + 1) * width * width],
                    &codes[r * width..(r + 1) * width],
                );
                (
                    result.status as u8,
                    cell.map(|c| nasbench_lite_core::cost101::cell_costs(&c)),
                )
            })
            .collect::<Vec<_>>()
    })?;
    let status = results
        .iter()
        .map(|r| r.0)
        .collect::<Vec<_>>()
        .into_pyarray(py);
    let zero = nasbench_lite_core::cost101::CellCosts {
        vertex_flops: [[0; 7]; 9],
        vertex_params: [[0; 7]; 9],
        flops: 0,
        trainable_parameters: 0,
    };
    let costs: Vec<&nasbench_lite_core::cost101::CellCosts> = results
        .iter()
        .map(|r| r.1.as_ref().unwrap_or(&zero))
        .collect();
    let vflops = costs
        .iter()
        .flat_map(|c| c.vertex_flops.iter().flatten().copied())
        .collect::<Vec<_>>();
    let vparams = costs
        .iter()
        .flat_map(|c| c.vertex_params.iter().flatten().copied())
        .collect::<Vec<_>>();
    let flops = costs
        .iter()
        .map(|c| c.flops)
        .collect::<Vec<_>>()
        .into_pyarray(py);
    let params = costs
        .iter()
        .map(|c| c.trainable_parameters)
        .collect::<Vec<_>>()
        .into_pyarray(py);
    Ok((
        status,
        vflops.into_pyarray(py).reshape([rows, 9, 7])?,
        vparams.into_pyarray(py).reshape([rows, 9, 7])?,
        flops,
        params,
    ))
}

/// Frames payloads as TFRecords (u64 length, masked CRC32C of it, payload, masked CRC32C).
///
/// Writing side of the format, used to produce files in the official layout (benchmarks,
/// fixtures); one call per batch of payloads.
#[pyfunction]
fn frame_tfrecords<'py>(
    py: Python<'py>,
    payloads: Vec<Vec<u8>>,
) -> PyResult<Bound<'py, pyo3::types::PyBytes>> {
    let framed = run_detached(py, move || {
        let mut out = Vec::with_capacity(payloads.iter().map(|p| p.len() + 16).sum());
        for payload in &payloads {
            out.extend_from_slice(&nasbench_lite_core::tfrecord::frame(payload));
        }
        out
    })?;
    Ok(pyo3::types::PyBytes::new(py, &framed))
}

/// Panics inside the native layer on purpose, so the test suite can check that a Rust panic
/// reaches Python as `nasbench_lite.errors.InternalError` instead of aborting the process.
#[pyfunction]
fn _selftest_panic(py: Python<'_>, message: String) -> PyResult<()> {
    run_detached(py, move || -> () { panic!("{message}") })
}

/// Name of the MD5 kernel this CPU uses ("Avx512", "Avx2" or "Portable").
#[pyfunction]
fn md5_kernel() -> String {
    format!("{:?}", md5x::Kernel::detect())
}

/// The SQL schema file `sql/<name>.sql`, embedded at compile time (single source of truth).
#[pyfunction]
fn sql_schema(name: &str) -> PyResult<&'static str> {
    match name {
        "nb101_space" => Ok(include_str!("../../../sql/nb101_space.sql")),
        "nb101" => Ok(include_str!("../../../sql/nb101.sql")),
        "nashpobench2" => Ok(include_str!("../../../sql/nashpobench2.sql")),
        "nar" => Ok(include_str!("../../../sql/nar.sql")),
        "nats_space" => Ok(include_str!("../../../sql/nats_space.sql")),
        "nats" => Ok(include_str!("../../../sql/nats.sql")),
        other => Err(PyValueError::new_err(format!(
            "no embedded schema named {other:?}"
        ))),
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(hash_graph, m)?)?;
    m.add_function(wrap_pyfunction!(nb101_spec_digest, m)?)?;
    m.add_function(wrap_pyfunction!(check_and_hash, m)?)?;
    m.add_function(wrap_pyfunction!(enumerate_vertices, m)?)?;
    m.add_function(wrap_pyfunction!(count_labelled, m)?)?;
    m.add_function(wrap_pyfunction!(md5_kernel, m)?)?;
    m.add_function(wrap_pyfunction!(frame_tfrecords, m)?)?;
    m.add_function(wrap_pyfunction!(nb101_costs, m)?)?;
    m.add_function(wrap_pyfunction!(_selftest_panic, m)?)?;
    m.add_function(wrap_pyfunction!(sql_schema, m)?)?;
    m.add_class::<Nb101Stream>()?;
    m.add("MAX_BATCH_VERTICES", hash::MAX_BATCH_VERTICES)?;
    Ok(())
}
