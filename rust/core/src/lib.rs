//! nasbench-lite-core: the algorithms behind nasbench_lite, in plain Rust (no Python).
//!
//! * [`bz2`] — a bz2 decompressor (multi-stream, CRC-checked, output-capped), libbzip2-compatible.
//! * [`content_digest`] — the databases' content checksum (`meta.content_sha256`).
//! * [`error`] — [`CoreError`], the one error type every module returns; bad data is an
//!   `Err`, never a panic.
//! * [`md5x`] — multi-buffer MD5 with runtime-selected SIMD kernels (one step schedule).
//! * [`formats`] — official on-disk formats: [`formats::tfrecord`] framing and the
//!   [`formats::protobuf`] wire format.
//! * [`nb101`] — NAS-Bench-101: [`nb101::hash`], [`nb101::prune`], [`nb101::spec`],
//!   [`nb101::enumerate`], [`nb101::cost101`], [`nb101::record`] and the dataset reader
//!   [`nb101::data`].
//! * [`nats`] — NATS-Bench per-architecture files walked from the parsed pickle into flat
//!   arrays (the Python walker stays the reference; irregular files go back to it).
//! * [`pickle`] — a restricted, bounded pickle reader (protocols 2–5, allow-listed globals)
//!   with bz2 input, for the pickle-based official sources.

pub mod bz2;
pub mod content_digest;
pub mod error;
pub mod formats;
pub mod md5x;
pub mod nats;
pub mod nb101;
pub mod pickle;

pub use error::{CoreError, CoreResult};
