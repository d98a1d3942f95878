//! Protocol-buffer wire format (proto2/proto3), read by hand: no compiler, no runtime.
//!
//! Only what a schema-specific decoder needs: field keys, varints, fixed-width scalars,
//! length-delimited slices and skipping unknown fields, all bounds-checked so a hostile
//! message is an error, never a panic or an oversized allocation (slices borrow the input).

use crate::error::{CoreError, CoreResult};

/// Wire type of varint fields (int32, int64, uint*, bool, enum).
pub const VARINT: u64 = 0;
/// Wire type of 8-byte fields (double, fixed64).
pub const FIXED64: u64 = 1;
/// Wire type of length-delimited fields (bytes, string, sub-messages, packed repeats).
pub const LENGTH_DELIMITED: u64 = 2;
/// Wire type of 4-byte fields (float, fixed32).
pub const FIXED32: u64 = 5;
/// The largest field number a `.proto` file may declare (2^29 - 1).
pub const MAX_FIELD_NUMBER: u64 = (1 << 29) - 1;

fn error(message: impl Into<String>) -> CoreError {
    CoreError::corrupt(format!("protobuf: {}", message.into()))
}

/// A cursor over one serialized message.
pub struct WireReader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> WireReader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, at: 0 }
    }

    /// True once every byte was consumed.
    pub fn done(&self) -> bool {
        self.at >= self.bytes.len()
    }

    /// The next field key as (field number, wire type).
    ///
    /// # Errors
    /// [`CoreError::CorruptSource`] for a truncated or overlong varint, or a field number
    /// outside `1..=MAX_FIELD_NUMBER` (protobuf runtimes refuse field 0 as illegal; skipping
    /// it would accept a message no official writer produces).
    pub fn key(&mut self) -> CoreResult<(u64, u64)> {
        let at = self.at;
        let key = self.varint()?;
        let field = key >> 3;
        if field == 0 || field > MAX_FIELD_NUMBER {
            return Err(error(format!(
                "field number {field} at byte {at} is outside 1..={MAX_FIELD_NUMBER}"
            )));
        }
        Ok((field, key & 7))
    }

    /// A base-128 varint (at most 10 bytes).
    ///
    /// # Errors
    /// [`CoreError::CorruptSource`] for a truncated varint or one overflowing 64 bits.
    pub fn varint(&mut self) -> CoreResult<u64> {
        let mut value = 0u64;
        // Nine bytes carry 7 bits each; a tenth may only carry the 64th bit.
        for shift in (0..63).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        match self.byte()? {
            last @ (0 | 1) => Ok(value | u64::from(last) << 63),
            _ => Err(error("varint overflows 64 bits")),
        }
    }

    fn byte(&mut self) -> CoreResult<u8> {
        let byte = *self
            .bytes
            .get(self.at)
            .ok_or_else(|| error("truncated varint"))?;
        self.at += 1;
        Ok(byte)
    }

    /// The next `n` bytes.
    ///
    /// # Errors
    /// [`CoreError::CorruptSource`] when fewer than `n` bytes are left.
    pub fn take(&mut self, n: usize) -> CoreResult<&'a [u8]> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| error("field runs past the end of the message"))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    /// A length-delimited field's bytes (its varint length, then that many bytes).
    ///
    /// # Errors
    /// As [`Self::varint`] and [`Self::take`].
    pub fn length_delimited(&mut self) -> CoreResult<&'a [u8]> {
        let length = self.varint()?;
        let length = usize::try_from(length).map_err(|_| error("field length overflows"))?;
        self.take(length)
    }

    /// A little-endian `double`.
    ///
    /// # Errors
    /// As [`Self::take`].
    pub fn fixed64(&mut self) -> CoreResult<f64> {
        let mut raw = [0u8; 8];
        raw.copy_from_slice(self.take(8)?);
        Ok(f64::from_le_bytes(raw))
    }

    /// Skips a field of the given wire type (unknown fields, as protobuf runtimes do).
    ///
    /// # Errors
    /// [`CoreError::CorruptSource`] for a group or reserved wire type, or a truncated field.
    pub fn skip(&mut self, wire_type: u64) -> CoreResult<()> {
        match wire_type {
            VARINT => self.varint().map(|_| ()),
            FIXED64 => self.take(8).map(|_| ()),
            LENGTH_DELIMITED => self.length_delimited().map(|_| ()),
            FIXED32 => self.take(4).map(|_| ()),
            other => Err(error(format!("unsupported wire type {other}"))),
        }
    }
}

/// Checks that `field` arrived with the wire type its schema declares.
///
/// # Errors
/// [`CoreError::CorruptSource`] naming the field and both wire types.
pub fn expect_wire_type(field: u64, wire_type: u64, expected: u64) -> CoreResult<()> {
    if wire_type != expected {
        return Err(error(format!(
            "field {field} has wire type {wire_type}, expected {expected}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message_of(err: CoreError) -> String {
        err.to_string()
    }

    #[test]
    fn reads_scalars_and_skips_unknown_fields() {
        // field 1 varint 300, field 2 fixed64 1.5, field 3 bytes "ab", field 4 fixed32.
        let mut bytes = vec![0x08, 0xac, 0x02, 0x11];
        bytes.extend_from_slice(&1.5f64.to_le_bytes());
        bytes.extend_from_slice(&[0x1a, 0x02, b'a', b'b', 0x25, 1, 2, 3, 4]);
        let mut wire = WireReader::new(&bytes);
        assert_eq!(wire.key().unwrap(), (1, VARINT));
        assert_eq!(wire.varint().unwrap(), 300);
        assert_eq!(wire.key().unwrap(), (2, FIXED64));
        assert_eq!(wire.fixed64().unwrap(), 1.5);
        assert_eq!(wire.key().unwrap(), (3, LENGTH_DELIMITED));
        assert_eq!(wire.length_delimited().unwrap(), b"ab");
        let (_, wire_type) = wire.key().unwrap();
        wire.skip(wire_type).unwrap();
        assert!(wire.done());
    }

    #[test]
    fn hostile_messages_are_errors() {
        let truncated = message_of(WireReader::new(&[0x80]).varint().unwrap_err());
        assert_eq!(truncated, "protobuf: truncated varint");
        let overflow = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
        assert!(message_of(WireReader::new(&overflow).varint().unwrap_err()).contains("overflows"));
        let long = [0x80; 11];
        assert!(message_of(WireReader::new(&long).varint().unwrap_err()).contains("overflows"));
        let max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert_eq!(WireReader::new(&max).varint().unwrap(), u64::MAX);
        // A length far beyond the message must not allocate or read out of bounds.
        let huge = [0xff, 0xff, 0xff, 0xff, 0x0f];
        let err = WireReader::new(&huge).length_delimited().unwrap_err();
        assert!(message_of(err).contains("past the end"));
        assert!(WireReader::new(&[1, 2, 3]).fixed64().is_err());
        assert!(message_of(WireReader::new(&[]).skip(3).unwrap_err()).contains("wire type 3"));
        assert!(expect_wire_type(1, VARINT, FIXED64).is_err());
        // Field number 0 (any wire type) and numbers past 2^29 - 1 are not protobuf.
        for key in [[0x00, 0x00], [0x02, 0x00], [0x05, 0x00]] {
            let err = WireReader::new(&key).key().unwrap_err();
            assert!(message_of(err).contains("field number 0 at byte 0"));
        }
        let past = [0x80, 0x80, 0x80, 0x80, 0x10]; // (2^29) << 3
        assert!(message_of(WireReader::new(&past).key().unwrap_err()).contains("536870912"));
        let last = [0xf8, 0xff, 0xff, 0xff, 0x0f]; // (2^29 - 1) << 3, varint
        assert_eq!(
            WireReader::new(&last).key().unwrap(),
            (MAX_FIELD_NUMBER, VARINT)
        );
        assert!(expect_wire_type(1, FIXED64, FIXED64).is_ok());
    }
}
