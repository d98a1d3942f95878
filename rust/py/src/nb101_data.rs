//! The official NB101 dataset: the streaming TFRecord reader and the TFRecord writer side.

use crate::arrays::{column, table};
use crate::errors::{run_detached, NativeError, NativeResult};
use nasbench_lite_core::formats::tfrecord;
use nasbench_lite_core::nb101::data::DatasetReader;
use nasbench_lite_core::CoreError;
use numpy::{PyArray1, PyArray2};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::fs::File;
use std::io::BufReader;

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

/// Streaming reader of an official NAS-Bench-101 TFRecord (see `nb101/data.rs`).
#[pyclass(module = "nasbench_lite._native")]
pub struct Nb101Stream {
    path: String,
    reader: DatasetReader<BufReader<File>>,
}

fn open_source(path: &str) -> NativeResult<BufReader<File>> {
    let file = File::open(path).map_err(|e| NativeError::from(CoreError::Io(e)).with_path(path))?;
    Ok(BufReader::with_capacity(1 << 20, file))
}

#[pymethods]
impl Nb101Stream {
    /// Opens `path`; raises OSError (FileNotFoundError, ...) naming it when that fails.
    #[new]
    fn new(path: String) -> NativeResult<Self> {
        Ok(Self {
            reader: DatasetReader::new(open_source(&path)?),
            path,
        })
    }

    /// Continues with another file; cells and repeat counts carry over.
    fn start_source(&mut self, path: String) -> NativeResult<()> {
        self.reader.start_source(open_source(&path)?);
        self.path = path;
        Ok(())
    }

    /// Next batch as ((hash, num_vertices, adjacency, ops, params), (cell, epochs, repeat,
    /// values)) or None at the end of the file. Raises CorruptSourceError on a bad record.
    fn next_batch<'py>(
        &mut self,
        py: Python<'py>,
        max_records: usize,
    ) -> NativeResult<Option<(NewCellArrays<'py>, RunArrays<'py>)>> {
        let reader = &mut self.reader;
        let outcome = run_detached(py, || reader.next_batch(max_records.max(1)))?;
        let batch = match outcome {
            Ok(Some(batch)) => batch,
            Ok(None) => return Ok(None),
            Err(error) => return Err(NativeError::from(error).with_path(&self.path)),
        };
        let (cells, runs) = (&batch.new_cells, &batch.runs);
        Ok(Some((
            (
                table(py, cells, 32, |c| c.hash)?,
                column(py, cells, |c| c.num_vertices as u8),
                table(py, cells, 49, |c| c.adjacency)?,
                table(py, cells, 7, |c| c.ops)?,
                column(py, cells, |c| i64::from(c.trainable_parameters)),
            ),
            (
                column(py, runs, |r| r.cell),
                column(py, runs, |r| r.epochs),
                column(py, runs, |r| r.repeat),
                table(py, runs, 8, |r| r.values)?,
            ),
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

/// Frames payloads as TFRecords (u64 length, masked CRC32C of it, payload, masked CRC32C).
///
/// Writing side of the format, used to produce files in the official layout (benchmarks,
/// fixtures); one call per batch of payloads.
#[pyfunction]
pub fn frame_tfrecords<'py>(
    py: Python<'py>,
    payloads: Vec<Vec<u8>>,
) -> NativeResult<Bound<'py, PyBytes>> {
    let framed = run_detached(py, move || {
        let mut out = Vec::with_capacity(payloads.iter().map(|p| p.len() + 16).sum());
        for payload in &payloads {
            out.extend_from_slice(&tfrecord::frame(payload));
        }
        out
    })?;
    Ok(PyBytes::new(py, &framed))
}
