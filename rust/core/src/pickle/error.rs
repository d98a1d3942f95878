//! The one error type of the pickle reader: what went wrong, where (byte offset), in which file.

use std::fmt;
use std::path::PathBuf;

/// Longest module/name/message fragment echoed in an error (hostile files may hold megabytes).
pub const MAX_ECHO: usize = 200;

/// Which bound of [`super::Limits`] a stream exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// `max_memo_entries`.
    MemoEntries,
    /// `max_stack_depth` (objects plus marks on the unpickler stack).
    StackDepth,
    /// `max_container_len`.
    ContainerLen,
    /// `max_str_len` (one str, bytes or bytearray).
    StrLen,
    /// `max_total_objects`.
    TotalObjects,
    /// `max_int_digits`.
    IntDigits,
    /// `max_nesting`.
    Nesting,
    /// `max_input_bytes` (plain file size or decompressed size).
    InputBytes,
    /// `max_bz2_ratio` (decompressed / compressed size, above the floor).
    Bz2Ratio,
    /// Bytes copied by allowed globals (`bytearray(b)`, `set(list)`, NumPy data...): at most the
    /// input's size plus 1 MiB, so fetching one large object from the memo again and again
    /// cannot multiply memory.
    DerivedBytes,
}

impl Limit {
    /// The field name in [`super::Limits`].
    pub fn field(self) -> &'static str {
        match self {
            Limit::MemoEntries => "max_memo_entries",
            Limit::StackDepth => "max_stack_depth",
            Limit::ContainerLen => "max_container_len",
            Limit::StrLen => "max_str_len",
            Limit::TotalObjects => "max_total_objects",
            Limit::IntDigits => "max_int_digits",
            Limit::Nesting => "max_nesting",
            Limit::InputBytes => "max_input_bytes",
            Limit::Bz2Ratio => "max_bz2_ratio",
            Limit::DerivedBytes => "derived bytes (input size + 1 MiB)",
        }
    }
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum ErrorKind {
    /// A global outside the allow-list (refused before anything was looked up). The Python side
    /// raises `UnsafePickleError(module, name)`.
    UnsafeGlobal { module: String, name: String },
    /// A persistent id (`PERSID`/`BINPERSID`) or extension code (`EXT1/2/4`): both resolve
    /// application objects, so they are refused like a global (`UnsafePickleError`).
    UnsafeOpcode { opcode: u8, what: &'static str },
    /// An opcode this reader does not implement (protocol 0/1 text forms, `NEWOBJ`,
    /// out-of-band buffers) or a byte that is no opcode at all.
    UnsupportedOpcode { opcode: u8 },
    /// The stream ended before `STOP` or inside an opcode's argument.
    Truncated,
    /// A bound of [`super::Limits`] was exceeded.
    LimitExceeded { limit: Limit, max: u64 },
    /// A well-formed opcode used in a way that is not plain data (wrong types, stack underflow,
    /// unknown memo key, an allowed global called with bad arguments...).
    Malformed(String),
    /// The bz2 layer is corrupt.
    Bz2(String),
    /// The file could not be read.
    Io(String),
}

/// An error of the pickle reader, with the byte offset of the opcode (in the decompressed
/// stream) and the file, when known.
#[derive(Debug, Clone, PartialEq)]
pub struct PickleError {
    /// What went wrong.
    pub kind: ErrorKind,
    /// Offset of the failing opcode in the (decompressed) pickle stream.
    pub offset: Option<u64>,
    /// The file, for the file readers.
    pub path: Option<PathBuf>,
}

impl PickleError {
    pub(crate) fn at(kind: ErrorKind, offset: usize) -> Self {
        PickleError {
            kind,
            offset: Some(offset as u64),
            path: None,
        }
    }

    pub(crate) fn malformed(message: impl Into<String>, offset: usize) -> Self {
        Self::at(ErrorKind::Malformed(truncate(message.into())), offset)
    }

    pub(crate) fn limit(limit: Limit, max: u64, offset: usize) -> Self {
        Self::at(ErrorKind::LimitExceeded { limit, max }, offset)
    }

    pub(crate) fn with_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// True when the Python side must raise `UnsafePickleError` (a refused global, persistent
    /// id or extension code), false for a plain `CorruptSourceError`.
    pub fn is_unsafe(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::UnsafeGlobal { .. } | ErrorKind::UnsafeOpcode { .. }
        )
    }
}

/// Cuts a hostile string to [`MAX_ECHO`] characters (on a char boundary).
pub(crate) fn truncate(mut text: String) -> String {
    if text.len() > MAX_ECHO {
        let mut end = MAX_ECHO;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    text
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::UnsafeGlobal { module, name } => write!(
                f,
                "pickle refers to {module}.{name}, which is not plain data; refusing to load it \
                 (only dicts, lists, tuples, strings, numbers and NumPy scalars/arrays are accepted)"
            ),
            ErrorKind::UnsafeOpcode { opcode, what } => {
                write!(f, "pickle uses {what} (opcode {opcode:#04x}), which is not plain data")
            }
            ErrorKind::UnsupportedOpcode { opcode } => {
                write!(f, "unsupported or invalid pickle opcode {opcode:#04x}")
            }
            ErrorKind::Truncated => write!(f, "pickle data was truncated"),
            ErrorKind::LimitExceeded { limit, max } => {
                write!(f, "pickle exceeds the reader's limit {} = {max}", limit.field())
            }
            ErrorKind::Malformed(message) => write!(f, "malformed pickle: {message}"),
            ErrorKind::Bz2(message) => write!(f, "corrupt bz2 data: {message}"),
            ErrorKind::Io(message) => write!(f, "cannot read: {message}"),
        }
    }
}

impl fmt::Display for PickleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = &self.path {
            write!(f, "{}: ", path.display())?;
        }
        write!(f, "{}", self.kind)?;
        if let Some(offset) = self.offset {
            write!(f, " (at byte {offset})")?;
        }
        Ok(())
    }
}

impl std::error::Error for PickleError {}
