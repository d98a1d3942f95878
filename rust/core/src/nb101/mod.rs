//! NAS-Bench-101: cell algebra of the space and the reader of its official dataset.
//!
//! * [`hash`] — `graph_util.hash_module`: scalar reference and the multi-buffer batch engine.
//! * [`hash_one`] — the same hash for one cell at a time, shaped for latency.
//! * [`prune`] — `ModelSpec._prune` on bitmask cells.
//! * [`spec`] — batch `ModelSpec` constructor checks + pruning + `_check_spec` + hashing, with
//!   the original API's messages ([`spec::SpecError`]).
//! * [`single_spec`] — the same for one spec, without arrays (the `ModelSpec` fast path).
//! * [`stored`] — the database's cell encoding decoded (the adjacency of an answer).
//! * [`enumerate`] — the exhaustive enumeration of `generate_graphs.py`.
//! * [`cost101`] — exact parameter and FLOP counts of the network built from a cell.
//! * [`record`] — one dataset record: the JSON row and its `ModelMetrics` protobuf.
//! * [`data`] — the streaming, verifying reader of the official TFRecord files.

pub mod cost101;
pub mod data;
pub mod enumerate;
pub mod hash;
pub mod hash_one;
pub mod prune;
pub mod record;
pub mod single_spec;
pub mod spec;
pub mod stored;
#[cfg(test)]
mod test_cells;
