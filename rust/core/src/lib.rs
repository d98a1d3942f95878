//! nasbench-lite-core: the graph algorithms behind nasbench_lite, in plain Rust (no Python).
//!
//! * [`md5x`] — multi-buffer MD5 with runtime-selected SIMD kernels.
//! * [`hash`] — the NAS-Bench-101 `hash_module`, scalar reference and batch engine.
//! * [`prune`] — `ModelSpec._prune` on bitmask cells.
//! * [`spec`] — batch constructor checks + pruning + `_check_spec` + hashing.
//! * [`single_spec`] — the same for one spec, without arrays (the `ModelSpec` fast path).
//! * [`enumerate`] — the exhaustive enumeration of `generate_graphs.py`.

pub mod cost101;
pub mod enumerate;
pub mod hash;
pub mod md5x;
pub mod nb101_data;
pub mod nb101_record;
pub mod prune;
pub mod single_spec;
pub mod spec;
pub mod tfrecord;
