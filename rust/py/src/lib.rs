//! `nasbench_lite._native`: the thin PyO3 adapter over `nasbench-lite-core`.
//!
//! Every function takes and returns whole numpy arrays (one call per batch), releases the GIL
//! while the core works, and raises the `nasbench_lite.errors` exception of each core error
//! (`errors.rs`, the one conversion); a Rust panic becomes `InternalError` instead of aborting
//! the interpreter. This file only registers; each domain has its own file:
//!
//! * `nb101_check.rs` — hashing, checks and the original API's messages for rejected rows;
//! * `nb101_spec.rs` — the single-spec `ModelSpec` fast path (no numpy) and its cached
//!   state read for whole lists of specs;
//! * `nb101_config.rs` — whether a `NASBench.config` holds the official limits that state
//!   was checked under;
//! * `nb101_answer.rs` — a first-sight `query` answer's adjacency ndarray and per-repeat
//!   values built from the stored cell and the statement's rows;
//! * `enumeration.rs` — the exhaustive NB101 enumeration;
//! * `costs.rs` — NB101 network costs;
//! * `nb101_data.rs` — the official TFRecord dataset reader and writer;
//! * `pickle.rs` — the restricted pickle reader (bytes or files, parallel, limits);
//! * `nats.rs` — NATS-Bench per-architecture files walked into flat arrays;
//! * `nats_build.rs` — the NATS builder's batches: files read and encoded into ready rows;
//! * `nats_curves.rs` — the database's curves blobs read at an epoch (mid-run queries);
//! * `nats_read.rs` — the database's `runs` rows read at the last epoch (final queries);
//! * `content_digest.rs` — the databases' content checksum over fetched rows;
//! * `arrays.rs` — column ↔ ndarray helpers; `errors.rs` — errors and panics.

mod arrays;
mod content_digest;
mod costs;
mod enumeration;
mod errors;
mod nats;
mod nats_build;
mod nats_curves;
mod nats_read;
mod nb101_answer;
mod nb101_check;
mod nb101_config;
mod nb101_data;
mod nb101_spec;
mod pickle;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(nb101_check::hash_graph, m)?)?;
    m.add_function(wrap_pyfunction!(nb101_check::check_and_hash, m)?)?;
    m.add_function(wrap_pyfunction!(nb101_check::hash_rows, m)?)?;
    m.add_function(wrap_pyfunction!(nb101_check::op_codes_of_names, m)?)?;
    m.add_function(wrap_pyfunction!(nb101_check::check_reasons, m)?)?;
    m.add_function(wrap_pyfunction!(nb101_check::raise_first_invalid, m)?)?;
    m.add_function(wrap_pyfunction!(nb101_check::md5_kernel, m)?)?;
    m.add_function(wrap_pyfunction!(nb101_spec::nb101_spec_init, m)?)?;
    m.add_function(wrap_pyfunction!(nb101_spec::nb101_spec_digest, m)?)?;
    m.add_function(wrap_pyfunction!(nb101_spec::nb101_cached_checks, m)?)?;
    m.add_function(wrap_pyfunction!(nb101_spec::nb101_spec_register, m)?)?;
    m.add_function(wrap_pyfunction!(nb101_spec::nb101_spec_verdict, m)?)?;
    m.add_function(wrap_pyfunction!(nb101_config::nb101_official_config, m)?)?;
    m.add_function(wrap_pyfunction!(nb101_answer::nb101_adjacency, m)?)?;
    m.add_function(wrap_pyfunction!(nb101_answer::nb101_first_sight_runs, m)?)?;
    m.add_function(wrap_pyfunction!(nb101_answer::nb101_computed_stats, m)?)?;
    m.add_function(wrap_pyfunction!(nb101_answer::nb101_computed_by_cell, m)?)?;
    m.add_function(wrap_pyfunction!(enumeration::enumerate_vertices, m)?)?;
    m.add_function(wrap_pyfunction!(enumeration::count_labelled, m)?)?;
    m.add_function(wrap_pyfunction!(costs::nb101_costs, m)?)?;
    m.add_function(wrap_pyfunction!(nb101_data::frame_tfrecords, m)?)?;
    m.add_class::<nb101_data::Nb101Stream>()?;
    m.add_function(wrap_pyfunction!(pickle::load_pickle, m)?)?;
    m.add_function(wrap_pyfunction!(pickle::check_pickle, m)?)?;
    m.add_function(wrap_pyfunction!(pickle::load_pickle_files, m)?)?;
    m.add_function(wrap_pyfunction!(pickle::bz2_decompress, m)?)?;
    m.add_function(wrap_pyfunction!(nats::read_nats_arch_files, m)?)?;
    m.add_function(wrap_pyfunction!(nats_build::read_nats_build_batch, m)?)?;
    m.add_function(wrap_pyfunction!(nats_build::nats_encode_curves, m)?)?;
    m.add_class::<nats_build::NatsBuildBatch>()?;
    m.add_class::<nats_build::NatsCurvesPacker>()?;
    m.add_function(wrap_pyfunction!(nats_curves::nats_mid_run_sets, m)?)?;
    m.add_function(wrap_pyfunction!(nats_curves::nats_curves_arrays, m)?)?;
    m.add_function(wrap_pyfunction!(nats_read::nats_final_sets, m)?)?;
    m.add_class::<content_digest::ContentDigest>()?;
    m.add_function(wrap_pyfunction!(nats_read::nats_costs, m)?)?;
    m.add_function(wrap_pyfunction!(nats_read::nats_final_info, m)?)?;
    m.add_function(wrap_pyfunction!(nats_read::nats_simulate, m)?)?;
    m.add_function(wrap_pyfunction!(nats_read::nats_info_dict, m)?)?;
    m.add_function(wrap_pyfunction!(errors::_selftest_panic, m)?)?;
    m.add(
        "MAX_BATCH_VERTICES",
        nasbench_lite_core::nb101::hash::MAX_BATCH_VERTICES,
    )?;
    Ok(())
}
