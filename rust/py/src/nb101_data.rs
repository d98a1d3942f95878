//! The official NB101 dataset: the streaming TFRecord reader and the TFRecord writer side;
//! and the database's packed runs (`cell_lookup.runs_packed`) read for a first-sight query.

use crate::arrays::{column, table};
use crate::errors::{run_detached, NativeError, NativeResult};
use nasbench_lite_core::formats::tfrecord;
use nasbench_lite_core::nb101::data::DatasetReader;
use nasbench_lite_core::CoreError;
use numpy::{PyArray1, PyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};
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

/// Bytes of one `cell_lookup.runs_packed` record: epochs (i64 LE) then eight f64 LE.
const RUN_RECORD_BYTES: usize = 72;
/// Records one cell may pack (the official data: 12, four budgets of three repeats): a
/// damaged or hostile row cannot make one query build millions of objects.
const MAX_RUN_RECORDS: usize = 1 << 16;

/// The eight metrics of every record of `packed` at `epochs`, in stored order; an error
/// message when `packed` is not whole records.
fn runs_at(packed: &[u8], epochs: i64) -> Result<Vec<[f64; 8]>, String> {
    if !packed.len().is_multiple_of(RUN_RECORD_BYTES) {
        return Err(format!(
            "runs_packed has {} bytes, not whole {RUN_RECORD_BYTES}-byte records",
            packed.len()
        ));
    }
    if packed.len() / RUN_RECORD_BYTES > MAX_RUN_RECORDS {
        return Err(format!(
            "runs_packed holds {} records, more than {MAX_RUN_RECORDS}",
            packed.len() / RUN_RECORD_BYTES
        ));
    }
    let mut runs = Vec::new();
    for record in packed.chunks_exact(RUN_RECORD_BYTES) {
        let (head, values) = record.split_at(8);
        let mut word = [0u8; 8];
        word.copy_from_slice(head);
        if i64::from_le_bytes(word) != epochs {
            continue;
        }
        let mut metrics = [0f64; 8];
        for (metric, bytes) in metrics.iter_mut().zip(values.chunks_exact(8)) {
            word.copy_from_slice(bytes);
            *metric = f64::from_le_bytes(word);
        }
        runs.push(metrics);
    }
    Ok(runs)
}

/// `layout.unpack_runs`: `{repeat: (8 floats)}` of the records at `epochs` of a packed
/// `cell_lookup.runs_packed` value (borrowed, not copied), repeats numbered in stored order.
/// Raises ValueError when the bytes are not whole records.
#[pyfunction]
pub fn nb101_unpack_runs<'py>(
    py: Python<'py>,
    packed: &[u8],
    epochs: i64,
) -> PyResult<Bound<'py, PyDict>> {
    let runs = runs_at(packed, epochs).map_err(PyValueError::new_err)?;
    let out = PyDict::new(py);
    for (repeat, metrics) in runs.iter().enumerate() {
        out.set_item(repeat, PyTuple::new(py, metrics)?)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(epochs: i64, first: f64) -> Vec<u8> {
        let mut out = epochs.to_le_bytes().to_vec();
        for k in 0..8 {
            out.extend_from_slice(&(first + f64::from(k)).to_le_bytes());
        }
        out
    }

    #[test]
    fn records_at_one_budget_in_stored_order() {
        let nan = f64::from_bits(0x7FF8_0000_0000_ABCD);
        let mut packed = [record(12, 0.0), record(108, 10.0), record(108, 20.0)].concat();
        packed[8 + 2 * RUN_RECORD_BYTES..16 + 2 * RUN_RECORD_BYTES]
            .copy_from_slice(&nan.to_le_bytes());
        let runs = runs_at(&packed, 108).unwrap();
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0][7], 17.0);
        assert_eq!(runs[1][0].to_bits(), nan.to_bits());
        assert!(runs_at(&packed, 4).unwrap().is_empty());
        assert!(runs_at(&packed[..71], 12).is_err());
        assert!(runs_at(&[], 12).unwrap().is_empty());
        let huge = vec![0u8; RUN_RECORD_BYTES * (MAX_RUN_RECORDS + 1)];
        assert!(runs_at(&huge, 0).unwrap_err().contains("more than"));
        assert_eq!(
            runs_at(&huge[RUN_RECORD_BYTES..], 0).unwrap().len(),
            MAX_RUN_RECORDS
        );
    }
}
