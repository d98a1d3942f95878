//! Bytes in: plain or bz2-compressed pickles, from memory or files, one or many in parallel.

use super::error::{ErrorKind, Limit, PickleError};
use super::limits::Limits;
use super::parser;
use super::value::Pickle;
use rayon::prelude::*;
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Parses a pickle held in memory (protocols 2–5, see the module documentation).
///
/// # Errors
/// A [`PickleError`] with the byte offset of the failing opcode.
pub fn parse(data: &[u8], limits: &Limits) -> Result<Pickle, PickleError> {
    parser::parse(data, limits)
}

/// True when `data` starts like a bz2 stream (`BZh`), as NATS-Bench's `*.pickle.pbz2` do.
pub fn is_bz2(data: &[u8]) -> bool {
    data.starts_with(b"BZh")
}

/// Decompresses a bz2 stream (concatenated streams too, like Python's `bz2`), refusing to
/// produce more than [`Limits::bz2_cap`] bytes, with our own decoder ([`crate::bz2`], #14:
/// libbzip2 was ~75% of the NATS builder's CPU).
///
/// # Errors
/// [`ErrorKind::Bz2`] for corrupt data (offset = bytes produced before it);
/// [`ErrorKind::LimitExceeded`] (`max_bz2_ratio` or `max_input_bytes`, offset = the cap) for a
/// bomb.
pub fn decompress_bz2(compressed: &[u8], limits: &Limits) -> Result<Vec<u8>, PickleError> {
    let cap = limits.bz2_cap(compressed.len() as u64);
    crate::bz2::decompress(compressed, cap).map_err(|error| match error.kind {
        crate::bz2::Bz2ErrorKind::Corrupt(message) => PickleError {
            kind: ErrorKind::Bz2(super::error::truncate(message)),
            offset: Some(error.produced),
            path: None,
        },
        crate::bz2::Bz2ErrorKind::Cap => {
            let (limit, max) = if cap == limits.max_input_bytes {
                (Limit::InputBytes, limits.max_input_bytes)
            } else {
                (Limit::Bz2Ratio, limits.max_bz2_ratio)
            };
            PickleError {
                kind: ErrorKind::LimitExceeded { limit, max },
                offset: Some(cap),
                path: None,
            }
        }
    })
}

/// Parses a plain or bz2-compressed pickle held in memory (detected from its first bytes).
///
/// # Errors
/// See [`parse`] and [`decompress_bz2`].
pub fn load(data: &[u8], limits: &Limits) -> Result<Pickle, PickleError> {
    if is_bz2(data) {
        parse(&decompress_bz2(data, limits)?, limits)
    } else {
        parse(data, limits)
    }
}

/// Reads and parses one file, plain or bz2-compressed. Errors name the file.
///
/// # Errors
/// [`ErrorKind::Io`] when it cannot be read, [`ErrorKind::LimitExceeded`] when it is larger
/// than `max_input_bytes`, else see [`load`].
pub fn read_file(path: &Path, limits: &Limits) -> Result<Pickle, PickleError> {
    read_bytes(path, limits)
        .and_then(|data| load(&data, limits))
        .map_err(|error| error.with_path(path))
}

fn read_bytes(path: &Path, limits: &Limits) -> Result<Vec<u8>, PickleError> {
    let io = |error: std::io::Error| PickleError {
        kind: ErrorKind::Io(error.to_string()),
        offset: None,
        path: None,
    };
    let file = File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    let too_big = PickleError {
        kind: ErrorKind::LimitExceeded {
            limit: Limit::InputBytes,
            max: limits.max_input_bytes,
        },
        offset: None,
        path: None,
    };
    if size > limits.max_input_bytes {
        return Err(too_big);
    }
    let mut data = Vec::with_capacity(size as usize);
    file.take(limits.max_input_bytes.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(io)?;
    if data.len() as u64 > limits.max_input_bytes {
        return Err(too_big); // the file grew while being read
    }
    Ok(data)
}

/// Reads and parses many files in parallel (rayon's pool), one result per path, in order.
pub fn read_files<P: AsRef<Path> + Sync>(
    paths: &[P],
    limits: &Limits,
) -> Vec<Result<Pickle, PickleError>> {
    paths
        .par_iter()
        .map(|path| read_file(path.as_ref(), limits))
        .collect()
}

/// Parses many in-memory pickles (plain or bz2) in parallel, one result per input, in order.
pub fn load_many<B: AsRef<[u8]> + Sync>(
    inputs: &[B],
    limits: &Limits,
) -> Vec<Result<Pickle, PickleError>> {
    inputs
        .par_iter()
        .map(|data| load(data.as_ref(), limits))
        .collect()
}
