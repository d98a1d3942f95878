//! Streaming TFRecord reader with masked-CRC32C verification (no TensorFlow).
//!
//! Record layout: u64 LE payload length, u32 LE masked CRC32C of those 8 bytes, the payload,
//! u32 LE masked CRC32C of the payload. Mask: rotate right by 15 bits, add 0xA282EAD8.
//! The reader keeps one payload buffer, so memory is constant in the file size, and it feeds
//! every byte it reads to a SHA-256 so provenance costs no second pass over the file.

use crate::error::{CoreError, CoreResult};
use sha2::{Digest, Sha256};
use std::io::{self, Read};

/// TensorFlow's CRC mask.
pub fn masked_crc32c(data: &[u8]) -> u32 {
    let crc = crc32c::crc32c(data);
    crc.rotate_right(15).wrapping_add(0xa282_ead8)
}

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
    fn read_full(&mut self, buf: &mut [u8]) -> CoreResult<usize> {
        let mut filled = 0;
        while filled < buf.len() {
            match self.inner.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(CoreError::Io(e)),
            }
        }
        self.sha256.update(&buf[..filled]);
        Ok(filled)
    }

    /// Reads the next record's payload into `payload`; `Ok(false)` at a clean end of stream.
    ///
    /// # Errors
    /// [`CoreError::CorruptSource`] (located at the record) for a truncated record, a CRC
    /// mismatch or an implausible length; [`CoreError::Io`] when reading fails.
    pub fn next_record(&mut self, payload: &mut Vec<u8>) -> CoreResult<bool> {
        let (record, start) = (self.records, self.offset);
        let truncated =
            || CoreError::corrupt_record(record, start, "truncated file: the record is incomplete");
        let crc_mismatch = |what: &str, stored: u32, computed: u32| {
            CoreError::corrupt_record(
                record,
                start,
                format!("{what} CRC mismatch (stored {stored:#010x}, computed {computed:#010x})"),
            )
        };
        let mut header = [0u8; 12];
        let got = self.read_full(&mut header)?;
        if got == 0 {
            return Ok(false);
        }
        if got < header.len() {
            return Err(truncated());
        }
        let [l0, l1, l2, l3, l4, l5, l6, l7, c0, c1, c2, c3] = header;
        let length_bytes = [l0, l1, l2, l3, l4, l5, l6, l7];
        let stored = u32::from_le_bytes([c0, c1, c2, c3]);
        let computed = masked_crc32c(&length_bytes);
        if stored != computed {
            return Err(crc_mismatch("length", stored, computed));
        }
        let length = u64::from_le_bytes(length_bytes);
        if length > MAX_PAYLOAD {
            return Err(CoreError::corrupt_record(
                record,
                start,
                format!("implausible payload length {length}"),
            ));
        }
        // MAX_PAYLOAD fits any usize, so the cast is exact.
        payload.resize(length as usize, 0);
        let got = self.read_full(payload)?;
        let mut footer = [0u8; 4];
        if got < payload.len() || self.read_full(&mut footer)? < 4 {
            return Err(truncated());
        }
        let stored = u32::from_le_bytes(footer);
        let computed = masked_crc32c(payload);
        if stored != computed {
            return Err(crc_mismatch("payload", stored, computed));
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

    /// (record, offset, message) of the first error reading `data`.
    fn first_error(data: &[u8]) -> (Option<u64>, Option<u64>, String) {
        let mut reader = RecordReader::new(data);
        let mut payload = Vec::new();
        loop {
            match reader.next_record(&mut payload) {
                Ok(true) => continue,
                Ok(false) => panic!("expected an error"),
                Err(CoreError::CorruptSource {
                    record,
                    offset,
                    message,
                }) => return (record, offset, message),
                Err(other) => panic!("expected a corrupt-source error, got {other:?}"),
            }
        }
    }

    #[test]
    fn corruptions_are_detected() {
        let good = [frame(b"first"), frame(b"second")].concat();
        let mut bad_len = good.clone();
        bad_len[21 + 8] ^= 1; // length CRC of record 1 (record 0 is 16 + 5 bytes)
        let (record, offset, message) = first_error(&bad_len);
        assert_eq!((record, offset), (Some(1), Some(21)));
        assert!(message.starts_with("length CRC mismatch"), "{message}");
        let mut bad_payload = good.clone();
        bad_payload[12] ^= 0x20;
        let (record, _, message) = first_error(&bad_payload);
        assert_eq!(record, Some(0));
        assert!(message.starts_with("payload CRC mismatch"), "{message}");
        for cut in [1, 5, 11, 12, 20] {
            let truncated = &good[..good.len() - cut];
            let (record, offset, message) = first_error(truncated);
            assert_eq!((record, offset), (Some(1), Some(21)), "cut {cut}");
            assert!(message.contains("truncated"), "cut {cut}: {message}");
        }
        let mut huge = frame(b"x");
        let length = (MAX_PAYLOAD + 1).to_le_bytes();
        huge[..8].copy_from_slice(&length);
        huge[8..12].copy_from_slice(&masked_crc32c(&length).to_le_bytes());
        let (record, _, message) = first_error(&huge);
        assert_eq!(record, Some(0));
        assert!(message.contains("implausible payload length"), "{message}");
    }

    /// A reader whose every read fails, as a vanished network mount would.
    struct FailingReader;
    impl Read for FailingReader {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::other("device gone"))
        }
    }

    #[test]
    fn read_failures_are_io_errors() {
        let mut reader = RecordReader::new(FailingReader);
        let err = reader.next_record(&mut Vec::new()).unwrap_err();
        assert!(matches!(err, CoreError::Io(_)), "{err:?}");
    }
}
