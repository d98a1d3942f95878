//! Streaming TFRecord reader with masked-CRC32C verification (no TensorFlow).
//!
//! Record layout: u64 LE payload length, u32 LE masked CRC32C of those 8 bytes, the payload,
//! u32 LE masked CRC32C of the payload. Mask: rotate right by 15 bits, add 0xA282EAD8.
//! The reader keeps one payload buffer, so memory is constant in the file size, and it feeds
//! every byte it reads to a SHA-256 so provenance costs no second pass over the file.

use sha2::{Digest, Sha256};
use std::fmt;
use std::io::{self, Read};

/// TensorFlow's CRC mask.
pub fn masked_crc32c(data: &[u8]) -> u32 {
    let crc = crc32c::crc32c(data);
    crc.rotate_right(15).wrapping_add(0xa282_ead8)
}

/// Why a TFRecord stream could not be read.
#[derive(Debug)]
pub enum TfRecordError {
    Io(io::Error),
    /// The stream ended inside a record (after `record` complete records, at byte `offset`).
    Truncated {
        record: u64,
        offset: u64,
    },
    /// The length field's CRC does not match.
    LengthCrc {
        record: u64,
        offset: u64,
        expected: u32,
        actual: u32,
    },
    /// The payload's CRC does not match.
    PayloadCrc {
        record: u64,
        offset: u64,
        expected: u32,
        actual: u32,
    },
    /// A length no real record can have (guards against allocating garbage sizes).
    Oversized {
        record: u64,
        offset: u64,
        length: u64,
    },
}

impl fmt::Display for TfRecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TfRecordError::Io(e) => write!(f, "read error: {e}"),
            TfRecordError::Truncated { record, offset } => {
                write!(f, "truncated file: record {record} at byte {offset} is incomplete")
            }
            TfRecordError::LengthCrc { record, offset, expected, actual } => write!(
                f,
                "record {record} at byte {offset}: length CRC mismatch (stored {expected:#010x}, computed {actual:#010x})"
            ),
            TfRecordError::PayloadCrc { record, offset, expected, actual } => write!(
                f,
                "record {record} at byte {offset}: payload CRC mismatch (stored {expected:#010x}, computed {actual:#010x})"
            ),
            TfRecordError::Oversized { record, offset, length } => write!(
                f,
                "record {record} at byte {offset}: implausible payload length {length}"
            ),
        }
    }
}

impl std::error::Error for TfRecordError {}

/// Largest payload accepted (NAS-Bench-101 payloads are ~1 KB; this only stops garbage).
pub const MAX_PAYLOAD: u64 = 64 << 20;

/// Reads records one at a time from any byte stream.
pub struct RecordReader<R: Read> {
    inner: R,
    sha256: Sha256,
    offset: u64,
    records: u64,
}

impl<R: Read> RecordReader<R> {
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            sha256: Sha256::new(),
            offset: 0,
            records: 0,
        }
    }

    /// Bytes consumed so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Complete records read so far.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// SHA-256 of every byte read so far (the whole file once `next_record` returned `None`).
    pub fn sha256_hex(&self) -> String {
        self.sha256
            .clone()
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Fills `buf` completely; returns how many bytes were read before EOF.
    fn read_full(&mut self, buf: &mut [u8]) -> Result<usize, TfRecordError> {
        let mut filled = 0;
        while filled < buf.len() {
            match self.inner.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(TfRecordError::Io(e)),
            }
        }
        self.sha256.update(&buf[..filled]);
        Ok(filled)
    }

    /// Reads the next record's payload into `payload`; `Ok(false)` at a clean end of stream.
    pub fn next_record(&mut self, payload: &mut Vec<u8>) -> Result<bool, TfRecordError> {
        let start = self.offset;
        let truncated = TfRecordError::Truncated {
            record: self.records,
            offset: start,
        };
        let mut header = [0u8; 12];
        let got = self.read_full(&mut header)?;
        if got == 0 {
            return Ok(false);
        }
        if got < header.len() {
            return Err(truncated);
        }
        let length_bytes: [u8; 8] = header[..8].try_into().expect("8 bytes");
        let stored = u32::from_le_bytes(header[8..12].try_into().expect("4 bytes"));
        let computed = masked_crc32c(&length_bytes);
        if stored != computed {
            return Err(TfRecordError::LengthCrc {
                record: self.records,
                offset: start,
                expected: stored,
                actual: computed,
            });
        }
        let length = u64::from_le_bytes(length_bytes);
        if length > MAX_PAYLOAD {
            return Err(TfRecordError::Oversized {
                record: self.records,
                offset: start,
                length,
            });
        }
        payload.resize(length as usize, 0);
        let got = self.read_full(payload)?;
        let mut footer = [0u8; 4];
        if got < payload.len() || self.read_full(&mut footer)? < 4 {
            return Err(truncated);
        }
        let stored = u32::from_le_bytes(footer);
        let computed = masked_crc32c(payload);
        if stored != computed {
            return Err(TfRecordError::PayloadCrc {
                record: self.records,
                offset: start,
                expected: stored,
                actual: computed,
            });
        }
        self.offset += 16 + length;
        self.records += 1;
        Ok(true)
    }
}

/// Frames one payload as a TFRecord (used by tests and benchmarks to write files).
pub fn frame(payload: &[u8]) -> Vec<u8> {
    let length = (payload.len() as u64).to_le_bytes();
    let mut out = Vec::with_capacity(payload.len() + 16);
    out.extend_from_slice(&length);
    out.extend_from_slice(&masked_crc32c(&length).to_le_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&masked_crc32c(payload).to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32c_vector() {
        assert_eq!(crc32c::crc32c(b"123456789"), 0xe306_9283);
    }

    #[test]
    fn round_trip_and_checksum() {
        let data: Vec<u8> = [frame(b"hello"), frame(b""), frame(&[7u8; 300])].concat();
        let mut reader = RecordReader::new(&data[..]);
        let mut payload = Vec::new();
        let mut seen = Vec::new();
        while reader.next_record(&mut payload).unwrap() {
            seen.push(payload.clone());
        }
        assert_eq!(seen, vec![b"hello".to_vec(), vec![], vec![7u8; 300]]);
        assert_eq!(reader.offset(), data.len() as u64);
        let expected: String = Sha256::digest(&data)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(reader.sha256_hex(), expected);
    }

    fn first_error(data: &[u8]) -> TfRecordError {
        let mut reader = RecordReader::new(data);
        let mut payload = Vec::new();
        loop {
            match reader.next_record(&mut payload) {
                Ok(true) => continue,
                Ok(false) => panic!("expected an error"),
                Err(e) => return e,
            }
        }
    }

    #[test]
    fn corruptions_are_detected() {
        let good = [frame(b"first"), frame(b"second")].concat();
        let mut bad_len = good.clone();
        bad_len[21 + 8] ^= 1; // length CRC of record 1 (record 0 is 16 + 5 bytes)
        assert!(matches!(
            first_error(&bad_len),
            TfRecordError::LengthCrc {
                record: 1,
                offset: 21,
                ..
            }
        ));
        let mut bad_payload = good.clone();
        bad_payload[12] ^= 0x20;
        assert!(matches!(
            first_error(&bad_payload),
            TfRecordError::PayloadCrc { record: 0, .. }
        ));
        for cut in [1, 5, 11, 12, 20] {
            let truncated = &good[..good.len() - cut];
            assert!(
                matches!(
                    first_error(truncated),
                    TfRecordError::Truncated { record: 1, .. }
                ),
                "cut {cut}"
            );
        }
        let mut huge = frame(b"x");
        let length = (MAX_PAYLOAD + 1).to_le_bytes();
        huge[..8].copy_from_slice(&length);
        huge[8..12].copy_from_slice(&masked_crc32c(&length).to_le_bytes());
        assert!(matches!(
            first_error(&huge),
            TfRecordError::Oversized { .. }
        ));
    }
}
