//! NATS-Bench per-architecture files walked straight from the parsed pickle into flat arrays.
//!
//! The Python builder (`benchmarks/nats/source.py::parse_arch`) is the reference: it checks a
//! file against the official layout and turns every trial into a run record, raising
//! `CorruptSourceError` with the key path of any deviation. This module does the same work for
//! the files that follow the layout *strictly* (every real official file does), without
//! creating a Python object per value: [`walk_arch`] reads the [`Pickle`](crate::pickle::Pickle) arena and returns
//! [`ArchRuns`] (one [`Run`] per trial, its per-epoch series in one flat buffer, the 23 final
//! scalars the database keeps, computed with Python's own float arithmetic).
//!
//! Anything outside that strict subset — a key type, duplicate key, integer time value, config
//! value or other shape the reference treats specially or rejects — is [`Walk::Irregular`]
//! with a short reason, never an error and never a panic: the caller then runs the reference
//! walker on that file, which either accepts it with the same results or raises the typed error
//! with the message users already see. So the two walkers can only disagree on a file that
//! this one accepts, and the test suite compares them on every fixture.
//!
//! [`read_arch_files`] reads, bz2-decompresses, parses and walks many files in parallel;
//! [`rows::build_arch_files`] also encodes what the builder stores (curves blobs, NaN masks,
//! summaries), so the builder's Python side only binds ready values.

mod config;
pub mod curves;
pub mod encode;
mod finals;
pub mod pack;
pub mod read;
pub mod rows;
mod walk;

pub use finals::{python_sum, FINAL_FIELDS};
pub use walk::{walk_arch, ArchRuns, Run, Walk, DATASETS, EVAL_SETS, TRAIN_SERIES};

use crate::pickle::{read_file, Limits, PickleError};
use rayon::prelude::*;
use std::path::PathBuf;

/// One per-architecture file to read: its path, the index it must hold and the meta file's
/// architecture string at that index.
#[derive(Debug, Clone)]
pub struct ArchFile {
    /// The `{index:06d}.pickle.pbz2` file.
    pub path: PathBuf,
    /// The official architecture index.
    pub index: i64,
    /// `meta_archs[index]`.
    pub arch_str: String,
}

/// Reads, decompresses, parses and walks `files` in parallel (rayon), one result per file in
/// order. `compensated_sum` selects Python ≥ 3.12's `sum` of floats (see [`python_sum`]).
///
/// A file the pickle reader refuses is `Err` (it names the file); a file outside the strict
/// layout is `Ok(Walk::Irregular)`.
pub fn read_arch_files(
    files: &[ArchFile],
    limits: &Limits,
    compensated_sum: bool,
) -> Vec<Result<Walk, PickleError>> {
    files
        .par_iter()
        .map(|file| {
            read_file(&file.path, limits)
                .map(|parsed| walk_arch(&parsed, file.index, &file.arch_str, compensated_sum))
        })
        .collect()
}
