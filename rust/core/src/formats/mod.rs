//! Readers of the official on-disk formats, benchmark-independent.
//!
//! * [`tfrecord`] — TFRecord framing with masked-CRC32C checks and a running SHA-256.
//! * [`protobuf`] — the protocol-buffer wire format, bounds-checked, for hand-written decoders.

pub mod protobuf;
pub mod tfrecord;
