//! NAS-Bench-101: cell algebra of the space and the reader of its official dataset.
//!
//! * [`hash`] — `graph_util.hash_module`: scalar reference and the multi-buffer batch engine.
//! * [`prune`] — `ModelSpec._prune` on bitmask cells.
//! * [`spec`] — batch `ModelSpec` constructor checks + pruning + `_check_spec` + hashing, with
//!   the original API's messages ([`spec::SpecError`]).
//! * [`enumerate`] — the exhaustive enumeration of `generate_graphs.py`.
//! * [`cost101`] — exact parameter and FLOP counts of the network built from a cell.
//! * [`record`] — one dataset record: the JSON row and its `ModelMetrics` protobuf.
//! * [`data`] — the streaming, verifying reader of the official TFRecord files.

pub mod cost101;
pub mod data;
pub mod enumerate;
pub mod hash;
pub mod prune;
pub mod record;
pub mod spec;
