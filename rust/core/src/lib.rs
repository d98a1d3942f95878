//! nasbench-lite-core: the graph algorithms behind nasbench_lite, in plain Rust (no Python).
//!
//! * [`md5x`] — multi-buffer MD5 with runtime-selected SIMD kernels.
//! * [`hash`] — the NAS-Bench-101 `hash_module`, scalar reference and batch engine.
//! * [`prune`] — `ModelSpec._prune` on bitmask cells.
//! * [`spec`] — batch constructor checks + pruning + `_check_spec` + hashing.
//! * [`enumerate`] — the exhaustive enumeration of `generate_graphs.py`.

pub mod cost101;
pub mod enumerate;
pub mod hash;
pub mod md5x;
pub mod nb101_data;
pub mod nb101_record;
pub mod pickle;
pub mod prune;
pub mod spec;
pub mod tfrecord;
