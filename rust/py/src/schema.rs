//! The SQL schemas embedded at build time. Kept only until the Python package reads its
//! schemas as package data (issue #12); nothing else in the binding knows about SQL.

use crate::errors::{NativeError, NativeResult};
use pyo3::prelude::*;

/// The SQL schema file `sql/<name>.sql`, embedded at compile time.
#[pyfunction]
pub fn sql_schema(name: &str) -> NativeResult<&'static str> {
    match name {
        "nb101_space" => Ok(include_str!("../../../sql/nb101_space.sql")),
        "nb101" => Ok(include_str!("../../../sql/nb101.sql")),
        "nashpobench2" => Ok(include_str!("../../../sql/nashpobench2.sql")),
        "nar" => Ok(include_str!("../../../sql/nar.sql")),
        "nats_space" => Ok(include_str!("../../../sql/nats_space.sql")),
        "nats" => Ok(include_str!("../../../sql/nats.sql")),
        other => Err(NativeError::invalid_input(format!(
            "no embedded schema named {other:?}"
        ))),
    }
}
