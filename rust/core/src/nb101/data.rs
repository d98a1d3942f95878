//! Streams an official NAS-Bench-101 TFRecord into batches of new cells and runs.
//!
//! Mirrors what the official loader builds, with checks it never made: every record's CRCs,
//! its JSON/base64/protobuf, that its stored hash equals our hash of its adjacency/ops, that a
//! cell's trainable parameters never change, and that epochs are one of the official budgets.
//! Cells are numbered in order of first appearance and a run's repeat index is its order of
//! appearance among the records of the same (cell, epochs), exactly like the official lists.

use super::hash::to_hex;
use super::record::{parse_payload, Record};
use super::spec::{check_and_hash, Status, PAD};
use crate::error::{CoreError, CoreResult};
use crate::formats::tfrecord::RecordReader;
use rayon::prelude::*;
use std::collections::HashMap;
use std::io::Read;

/// Epoch budgets of the official dataset.
pub const VALID_EPOCHS: [i64; 4] = [4, 12, 36, 108];

fn too_few_evaluations(index: u64, offset: u64, record: &Record) -> CoreError {
    CoreError::corrupt_record(
        index,
        offset,
        format!(
            "{} evaluations; the official loader reads evaluation_data[1] and [2]",
            record.metrics.evaluations.len()
        ),
    )
}

/// A cell seen for the first time: the fixed statistics the official loader keeps.
#[derive(Clone, Debug, PartialEq)]
pub struct NewCell {
    pub hash: [u8; 32],
    pub num_vertices: usize,
    pub adjacency: [u8; 49],
    pub ops: [i8; 7],
    pub trainable_parameters: i32,
}

/// One (cell, epochs, repeat) data point.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    pub cell: u32,
    pub epochs: i64,
    pub repeat: u32,
    /// halfway training_time, train, validation, test accuracy; then the same for final.
    pub values: [f64; 8],
}

/// What one call to [`DatasetReader::next_batch`] produced.
#[derive(Debug, Default)]
pub struct Batch {
    pub new_cells: Vec<NewCell>,
    pub runs: Vec<Run>,
}

struct KnownCell {
    index: u32,
    num_vertices: usize,
    adjacency: [u8; 49],
    ops: [i8; 7],
    trainable_parameters: i32,
}

/// Streaming reader of NAS-Bench-101 TFRecords.
///
/// Several source files can be read in sequence ([`DatasetReader::start_source`]): cell
/// numbering, repeat counting and consistency checks continue across them.
pub struct DatasetReader<R: Read> {
    records: RecordReader<R>,
    cells: HashMap<[u8; 32], KnownCell>,
    repeats: HashMap<(u32, i64), u32>,
}

impl<R: Read> DatasetReader<R> {
    pub fn new(inner: R) -> Self {
        Self {
            records: RecordReader::new(inner),
            cells: HashMap::new(),
            repeats: HashMap::new(),
        }
    }

    /// Continues with another source file, keeping the cells and repeats seen so far.
    pub fn start_source(&mut self, inner: R) {
        self.records = RecordReader::new(inner);
    }

    /// Bytes and records consumed so far in the current source.
    pub fn progress(&self) -> (u64, u64) {
        (self.records.offset(), self.records.records())
    }

    /// SHA-256 of the bytes of the current source read so far (the whole file at its end).
    pub fn sha256_hex(&self) -> String {
        self.records.sha256_hex()
    }

    pub fn num_cells(&self) -> usize {
        self.cells.len()
    }

    /// Reads, checks and converts up to `max_records` records; `Ok(None)` at the end.
    ///
    /// # Errors
    /// [`CoreError::CorruptSource`] located at the first bad record (framing, JSON, base64,
    /// protobuf, hash, epochs, evaluations or parameter consistency); [`CoreError::Io`] when
    /// reading fails. Nothing of a failing batch is returned.
    pub fn next_batch(&mut self, max_records: usize) -> CoreResult<Option<Batch>> {
        let mut payloads: Vec<(u64, u64, Vec<u8>)> = Vec::with_capacity(max_records);
        while payloads.len() < max_records {
            let (offset, index) = (self.records.offset(), self.records.records());
            let mut payload = Vec::new();
            if !self.records.next_record(&mut payload)? {
                break;
            }
            payloads.push((index, offset, payload));
        }
        if payloads.is_empty() {
            return Ok(None);
        }
        let parsed: Vec<CoreResult<Record>> = payloads
            .par_iter()
            .map(|(_, _, payload)| parse_payload(payload))
            .collect();
        let mut records = Vec::with_capacity(parsed.len());
        for ((index, offset, _), result) in payloads.iter().zip(parsed) {
            let record = result.map_err(|e| e.at_record(*index, *offset))?;
            if !VALID_EPOCHS.contains(&record.epochs) {
                return Err(CoreError::corrupt_record(
                    *index,
                    *offset,
                    format!("epochs {} is not one of {VALID_EPOCHS:?}", record.epochs),
                ));
            }
            if record.metrics.evaluations.len() < 3 {
                return Err(too_few_evaluations(*index, *offset, &record));
            }
            records.push(record);
        }
        self.verify_hashes(&payloads, &records)?;
        let mut batch = Batch::default();
        for ((index, offset, _), record) in payloads.iter().zip(&records) {
            let cell = match self.cells.get(&record.hash) {
                Some(known) => {
                    if known.trainable_parameters != record.metrics.trainable_parameters {
                        return Err(CoreError::corrupt_record(
                            *index,
                            *offset,
                            format!(
                                "trainable_parameters {} differs from {} in the cell's first record",
                                record.metrics.trainable_parameters, known.trainable_parameters
                            ),
                        ));
                    }
                    known.index
                }
                None => {
                    let index = self.cells.len() as u32;
                    self.cells.insert(
                        record.hash,
                        KnownCell {
                            index,
                            num_vertices: record.num_vertices,
                            adjacency: record.adjacency,
                            ops: record.ops,
                            trainable_parameters: record.metrics.trainable_parameters,
                        },
                    );
                    batch.new_cells.push(NewCell {
                        hash: record.hash,
                        num_vertices: record.num_vertices,
                        adjacency: record.adjacency,
                        ops: record.ops,
                        trainable_parameters: record.metrics.trainable_parameters,
                    });
                    index
                }
            };
            let repeat = self.repeats.entry((cell, record.epochs)).or_insert(0);
            // At least three evaluations (checked above): halfway is [1], final is [2].
            let [_, half, last, ..] = record.metrics.evaluations.as_slice() else {
                return Err(too_few_evaluations(*index, *offset, record));
            };
            batch.runs.push(Run {
                cell,
                epochs: record.epochs,
                repeat: *repeat,
                values: [
                    half.training_time,
                    half.train_accuracy,
                    half.validation_accuracy,
                    half.test_accuracy,
                    last.training_time,
                    last.train_accuracy,
                    last.validation_accuracy,
                    last.test_accuracy,
                ],
            });
            *repeat += 1;
        }
        Ok(Some(batch))
    }

    /// Hashes every record whose (adjacency, ops) is not already known under its stored hash.
    fn verify_hashes(
        &self,
        payloads: &[(u64, u64, Vec<u8>)],
        records: &[Record],
    ) -> CoreResult<()> {
        let todo: Vec<usize> = (0..records.len())
            .filter(|&i| {
                let r = &records[i];
                match self.cells.get(&r.hash) {
                    Some(k) => {
                        k.num_vertices != r.num_vertices
                            || k.adjacency != r.adjacency
                            || k.ops != r.ops
                    }
                    None => true,
                }
            })
            .collect();
        let mut matrices = vec![0u8; todo.len() * 49];
        let mut codes = vec![PAD; todo.len() * 7];
        for (slot, &i) in todo.iter().enumerate() {
            let r = &records[i];
            let n = r.num_vertices;
            for v in 0..n {
                for w in 0..n {
                    matrices[slot * 49 + v * 7 + w] = r.adjacency[v * n + w];
                }
                codes[slot * 7 + v] = r.ops[v];
            }
        }
        let results = check_and_hash(7, &matrices, &codes)?;
        for (slot, &i) in todo.iter().enumerate() {
            let (index, offset, _) = &payloads[i];
            let stored = String::from_utf8_lossy(&records[i].hash).into_owned();
            let result = &results[slot];
            if result.status != Status::Valid {
                return Err(CoreError::corrupt_record(
                    *index,
                    *offset,
                    format!(
                        "cell {stored} is not a valid NAS-Bench-101 spec ({:?})",
                        result.status
                    ),
                ));
            }
            let computed = to_hex(&result.digest);
            if computed != records[i].hash {
                return Err(CoreError::corrupt_record(
                    *index,
                    *offset,
                    format!(
                        "stored hash {stored} but its adjacency/ops hash to {}",
                        String::from_utf8_lossy(&computed)
                    ),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::tfrecord::frame;
    use base64::Engine;

    /// Serialized ModelMetrics with three evaluations whose values derive from `seed`.
    fn metrics(seed: f64, params: i32) -> String {
        let mut out = Vec::new();
        for k in 0..3 {
            let mut inner = Vec::new();
            for field in 1..=5u8 {
                inner.push((field << 3) | 1);
                inner.extend_from_slice(&(seed + k as f64 + field as f64 / 10.0).to_le_bytes());
            }
            out.push(0x0a);
            out.push(inner.len() as u8);
            out.extend_from_slice(&inner);
        }
        out.push(0x10);
        let mut v = params as u64;
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(byte);
                break;
            }
            out.push(byte | 0x80);
        }
        base64::engine::general_purpose::STANDARD.encode(out)
    }

    const CHAIN: &str = "b49ac8c578b4561d79ac7087988f1c61";
    const TWO: &str = "043721b9c7fe8c5fad811d47d83132ec";

    fn chain(epochs: i64, seed: f64, params: i32) -> Vec<u8> {
        frame(
            format!(
                "[\"{CHAIN}\", {epochs}, \"010001000\", \"input,conv3x3-bn-relu,output\", \"{}\"]",
                metrics(seed, params)
            )
            .as_bytes(),
        )
    }

    fn two(epochs: i64) -> Vec<u8> {
        frame(
            format!(
                "[\"{TWO}\", {epochs}, \"0100\", \"input,output\", \"{}\"]",
                metrics(9.0, 5)
            )
            .as_bytes(),
        )
    }

    fn read_all(data: &[u8], batch: usize) -> CoreResult<Vec<Batch>> {
        let mut reader = DatasetReader::new(data);
        let mut out = Vec::new();
        while let Some(b) = reader.next_batch(batch)? {
            out.push(b);
        }
        Ok(out)
    }

    #[test]
    fn cells_and_repeats_follow_file_order() {
        let data = [
            chain(108, 0.0, 7),
            two(108),
            chain(108, 1.0, 7),
            chain(4, 2.0, 7),
            two(108),
        ]
        .concat();
        for batch_size in [1, 2, 100] {
            let batches = read_all(&data, batch_size).unwrap();
            let cells: Vec<NewCell> = batches.iter().flat_map(|b| b.new_cells.clone()).collect();
            let runs: Vec<Run> = batches.iter().flat_map(|b| b.runs.clone()).collect();
            assert_eq!(cells.len(), 2);
            assert_eq!(&cells[0].hash, CHAIN.as_bytes());
            let keys: Vec<(u32, i64, u32)> =
                runs.iter().map(|r| (r.cell, r.epochs, r.repeat)).collect();
            assert_eq!(
                keys,
                vec![
                    (0, 108, 0),
                    (1, 108, 0),
                    (0, 108, 1),
                    (0, 4, 0),
                    (1, 108, 1)
                ]
            );
            // Seed 1: evaluation k holds 1 + k + field/10; halfway = evaluation 1, final = 2.
            assert_eq!(runs[2].values, [2.2, 2.3, 2.4, 2.5, 3.2, 3.3, 3.4, 3.5]);
        }
    }

    #[test]
    fn sources_continue_numbering() {
        let first = [chain(108, 0.0, 7)].concat();
        let second = [two(108), chain(108, 1.0, 7)].concat();
        let mut reader = DatasetReader::new(&first[..]);
        let a = reader.next_batch(10).unwrap().unwrap();
        assert!(reader.next_batch(10).unwrap().is_none());
        reader.start_source(&second[..]);
        let b = reader.next_batch(10).unwrap().unwrap();
        assert_eq!(a.new_cells.len() + b.new_cells.len(), 2);
        assert_eq!((b.runs[1].cell, b.runs[1].repeat), (0, 1));
    }

    /// (record index, message) of a corrupt-source error.
    fn located(err: CoreError) -> (Option<u64>, String) {
        match err {
            CoreError::CorruptSource {
                record, message, ..
            } => (record, message),
            other => panic!("expected a corrupt-source error, got {other:?}"),
        }
    }

    #[test]
    fn rejects_bad_records_with_their_index() {
        let wrong_hash = frame(
            format!(
                "[\"{TWO}\", 108, \"010001000\", \"input,conv3x3-bn-relu,output\", \"{}\"]",
                metrics(0.0, 7)
            )
            .as_bytes(),
        );
        let data = [chain(108, 0.0, 7), wrong_hash].concat();
        let (record, message) = located(read_all(&data, 10).unwrap_err());
        assert_eq!(record, Some(1));
        assert!(message.contains("hash to b49ac8c5"), "{message}");

        let data = [chain(108, 0.0, 7), chain(7, 0.0, 7)].concat();
        assert!(located(read_all(&data, 10).unwrap_err())
            .1
            .contains("epochs 7"));

        let data = [chain(108, 0.0, 7), chain(12, 0.0, 8)].concat();
        let (record, message) = located(read_all(&data, 1).unwrap_err());
        assert_eq!(record, Some(1));
        assert!(message.contains("trainable_parameters 8"));

        let mut data = [chain(108, 0.0, 7), two(4)].concat();
        let cut = data.len() - 3;
        data.truncate(cut);
        let (record, message) = located(read_all(&data, 10).unwrap_err());
        assert_eq!(record, Some(1));
        assert!(message.contains("truncated"));
    }

    #[test]
    fn payload_errors_are_located_at_their_record() {
        let not_json = frame(b"{not json");
        let data = [chain(108, 0.0, 7), two(108), not_json].concat();
        let err = read_all(&data, 10).unwrap_err();
        let offset = (chain(108, 0.0, 7).len() + two(108).len()) as u64;
        assert!(
            matches!(&err, CoreError::CorruptSource { record: Some(2), offset: Some(o), .. }
                if *o == offset),
            "{err:?}"
        );
        assert!(err.to_string().starts_with("record 2 (byte "), "{err}");
        let few_evaluations = frame(
            format!(
                "[\"{CHAIN}\", 108, \"010001000\", \"input,conv3x3-bn-relu,output\", \"{}\"]",
                base64::engine::general_purpose::STANDARD.encode([0x10, 0x07])
            )
            .as_bytes(),
        );
        let (record, message) = located(read_all(&few_evaluations, 10).unwrap_err());
        assert_eq!(record, Some(0));
        assert!(message.contains("0 evaluations"), "{message}");
        let invalid_cell = frame(
            format!(
                "[\"{CHAIN}\", 108, \"010000000\", \"input,conv3x3-bn-relu,output\", \"{}\"]",
                metrics(0.0, 7)
            )
            .as_bytes(),
        );
        let (_, message) = located(read_all(&invalid_cell, 10).unwrap_err());
        assert!(
            message.contains("not a valid NAS-Bench-101 spec"),
            "{message}"
        );
    }
}
