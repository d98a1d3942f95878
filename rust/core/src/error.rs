//! The one error type of the core crate: every fallible function returns [`CoreError`].
//!
//! Bad data (a malformed argument, a cell outside the space, a corrupt source file) is always
//! an `Err`, never a panic; a panic in this crate means a broken invariant, i.e. a bug. The
//! Python binding turns each variant into its exception class once (`rust/py/src/errors.rs`).

use crate::nb101::spec::SpecError;
use std::fmt;
use std::io;

/// Why a core function refused its input.
#[derive(Debug)]
pub enum CoreError {
    /// Arguments no algorithm accepts: wrong lengths or shapes, values out of range.
    InvalidInput {
        message: String,
        /// The first offending row of a batch, when the problem is row-specific.
        row: Option<usize>,
    },
    /// A NAS-Bench-101 cell that `ModelSpec` or `_check_spec` rejects, at `row` of a batch.
    InvalidSpec { row: usize, error: SpecError },
    /// A source file that does not match its official format.
    CorruptSource {
        /// 0-based index of the offending record, when the problem is tied to one.
        record: Option<u64>,
        /// Byte offset of that record in the file.
        offset: Option<u64>,
        message: String,
    },
    /// Reading a source failed at the operating-system level.
    Io(io::Error),
}

/// Shorthand for results of the core crate.
pub type CoreResult<T> = Result<T, CoreError>;

impl CoreError {
    /// An [`CoreError::InvalidInput`] not tied to a row.
    pub fn invalid_input(message: impl Into<String>) -> Self {
        CoreError::InvalidInput {
            message: message.into(),
            row: None,
        }
    }

    /// A [`CoreError::CorruptSource`] located at a record.
    pub fn corrupt_record(record: u64, offset: u64, message: impl Into<String>) -> Self {
        CoreError::CorruptSource {
            record: Some(record),
            offset: Some(offset),
            message: message.into(),
        }
    }

    /// A [`CoreError::CorruptSource`] about a whole payload or file (no record known).
    pub fn corrupt(message: impl Into<String>) -> Self {
        CoreError::CorruptSource {
            record: None,
            offset: None,
            message: message.into(),
        }
    }

    /// The same error located at `record` / `offset` unless it already names a record.
    pub fn at_record(self, record: u64, offset: u64) -> Self {
        match self {
            CoreError::CorruptSource {
                record: None,
                offset: None,
                message,
            } => CoreError::corrupt_record(record, offset, message),
            other => other,
        }
    }
}

impl fmt::Display for CoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CoreError::InvalidInput { message, .. } => f.write_str(message),
            CoreError::InvalidSpec { row, error } => write!(f, "row {row}: {error}"),
            CoreError::CorruptSource {
                record: Some(record),
                offset: Some(offset),
                message,
            } => write!(f, "record {record} (byte {offset}): {message}"),
            CoreError::CorruptSource {
                record: Some(record),
                offset: None,
                message,
            } => write!(f, "record {record}: {message}"),
            CoreError::CorruptSource { message, .. } => f.write_str(message),
            CoreError::Io(error) => write!(f, "read error: {error}"),
        }
    }
}

impl std::error::Error for CoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CoreError::Io(error) => Some(error),
            _ => None,
        }
    }
}

impl From<io::Error> for CoreError {
    fn from(error: io::Error) -> Self {
        CoreError::Io(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_their_location() {
        assert_eq!(
            CoreError::corrupt_record(3, 120, "bad JSON row").to_string(),
            "record 3 (byte 120): bad JSON row"
        );
        assert_eq!(CoreError::corrupt("no records").to_string(), "no records");
        let located = CoreError::corrupt("bad base64").at_record(2, 40);
        assert!(matches!(
            located,
            CoreError::CorruptSource {
                record: Some(2),
                offset: Some(40),
                ..
            }
        ));
        // An error that already names its record keeps it.
        let kept = CoreError::corrupt_record(1, 10, "x").at_record(2, 40);
        assert_eq!(kept.to_string(), "record 1 (byte 10): x");
        let spec = CoreError::InvalidSpec {
            row: 4,
            error: SpecError::NotUpperTriangular,
        };
        assert_eq!(spec.to_string(), "row 4: matrix must be upper triangular");
        let io = CoreError::from(io::Error::other("disk gone"));
        assert_eq!(io.to_string(), "read error: disk gone");
        assert!(std::error::Error::source(&io).is_some());
        assert_eq!(
            CoreError::invalid_input("n must be 2..=8").to_string(),
            "n must be 2..=8"
        );
    }
}
