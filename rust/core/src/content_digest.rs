//! The databases' content checksum (`meta.content_sha256`), value by value.
//!
//! The definition lives in `nasbench_lite._core.integrity._encode`: a SHA-256 over every data
//! table in name order, each announced by `b"T" + name`, then its rows in primary-key order,
//! each value tagged with its type and each row ended by `b"\n"`:
//!
//! * NULL → `n`;
//! * integer → `i`, u32 LE length, the decimal text;
//! * float → `f`, the f64 LE bytes;
//! * text → `s`, u64 LE length, the UTF-8 bytes;
//! * blob → `b`, u64 LE length, the bytes.
//!
//! [`ContentDigest`] writes exactly those bytes (the Python side only fetches the rows), so the
//! digest of a database does not depend on which implementation computed it. Small values
//! are gathered in a buffer and hashed a block at a time; large blobs go to the hasher directly.

use sha2::{Digest, Sha256};

/// Bytes gathered before they are hashed (one hasher call per this many bytes of small values).
const BUFFER: usize = 1 << 16;

/// A running content checksum (see the module documentation).
pub struct ContentDigest {
    sha256: Sha256,
    buffer: Vec<u8>,
}

impl Default for ContentDigest {
    fn default() -> Self {
        Self::new()
    }
}

impl ContentDigest {
    /// An empty digest.
    pub fn new() -> ContentDigest {
        ContentDigest {
            sha256: Sha256::new(),
            buffer: Vec::with_capacity(BUFFER + 64),
        }
    }

    fn flush_if_full(&mut self) {
        if self.buffer.len() >= BUFFER {
            self.sha256.update(&self.buffer);
            self.buffer.clear();
        }
    }

    /// Starts a table (`b"T" + name`).
    pub fn table(&mut self, name: &str) {
        self.buffer.push(b'T');
        self.buffer.extend_from_slice(name.as_bytes());
        self.flush_if_full();
    }

    /// A NULL value.
    pub fn null(&mut self) {
        self.buffer.push(b'n');
    }

    /// An integer given by its decimal text (any size).
    pub fn int_text(&mut self, text: &[u8]) {
        self.buffer.push(b'i');
        self.buffer
            .extend_from_slice(&(text.len() as u32).to_le_bytes());
        self.buffer.extend_from_slice(text);
        self.flush_if_full();
    }

    /// A 64-bit integer.
    pub fn int(&mut self, value: i64) {
        // i64 has at most 20 characters ("-9223372036854775808").
        let mut text = [0u8; 20];
        let mut at = text.len();
        let mut rest = value.unsigned_abs();
        loop {
            at -= 1;
            text[at] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        if value < 0 {
            at -= 1;
            text[at] = b'-';
        }
        self.int_text(&text[at..]);
    }

    /// A float.
    pub fn float(&mut self, value: f64) {
        self.buffer.push(b'f');
        self.buffer.extend_from_slice(&value.to_le_bytes());
        self.flush_if_full();
    }

    /// A text value, as its UTF-8 bytes.
    pub fn text(&mut self, utf8: &[u8]) {
        self.tagged(b's', utf8);
    }

    /// A blob.
    pub fn blob(&mut self, data: &[u8]) {
        self.tagged(b'b', data);
    }

    fn tagged(&mut self, tag: u8, data: &[u8]) {
        self.buffer.push(tag);
        self.buffer
            .extend_from_slice(&(data.len() as u64).to_le_bytes());
        if data.len() >= BUFFER {
            self.sha256.update(&self.buffer);
            self.buffer.clear();
            self.sha256.update(data);
        } else {
            self.buffer.extend_from_slice(data);
            self.flush_if_full();
        }
    }

    /// Ends a row.
    pub fn end_row(&mut self) {
        self.buffer.push(b'\n');
        self.flush_if_full();
    }

    /// The hex digest of everything written so far (the digest can go on).
    pub fn hex(&self) -> String {
        let mut sha256 = self.sha256.clone();
        sha256.update(&self.buffer);
        sha256
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex_of(bytes: &[u8]) -> String {
        Sha256::digest(bytes)
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }

    #[test]
    fn writes_the_defined_bytes() {
        let mut digest = ContentDigest::new();
        digest.table("t");
        digest.int(-12);
        digest.null();
        digest.float(0.5);
        digest.text("é".as_bytes());
        digest.blob(&[0, 1]);
        digest.end_row();
        let mut expected = b"Tt".to_vec();
        expected.extend_from_slice(b"i\x03\x00\x00\x00-12n");
        expected.push(b'f');
        expected.extend_from_slice(&0.5f64.to_le_bytes());
        expected.extend_from_slice(b"s\x02\x00\x00\x00\x00\x00\x00\x00\xc3\xa9");
        expected.extend_from_slice(b"b\x02\x00\x00\x00\x00\x00\x00\x00\x00\x01\n");
        assert_eq!(digest.hex(), hex_of(&expected));
    }

    #[test]
    fn integers_print_like_python() {
        for value in [0, 7, -1, 10, i64::MIN, i64::MAX, 1_000_000_007] {
            let mut native = ContentDigest::new();
            native.int(value);
            let mut text = ContentDigest::new();
            text.int_text(value.to_string().as_bytes());
            assert_eq!(native.hex(), text.hex(), "{value}");
        }
    }

    #[test]
    fn large_blobs_and_many_values_hash_as_one_stream() {
        let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let mut digest = ContentDigest::new();
        let mut expected = Vec::new();
        for i in 0..10_000 {
            digest.float(i as f64);
            expected.push(b'f');
            expected.extend_from_slice(&(i as f64).to_le_bytes());
        }
        digest.blob(&big);
        expected.push(b'b');
        expected.extend_from_slice(&(big.len() as u64).to_le_bytes());
        expected.extend_from_slice(&big);
        digest.end_row();
        expected.push(b'\n');
        assert_eq!(digest.hex(), hex_of(&expected));
    }
}
