//! The databases' content checksum (`nasbench_lite_core::content_digest`) fed from Python rows.
//!
//! `integrity.content_checksum` hands each table's cursor to [`ContentDigest::rows`], which
//! iterates it here and encodes every value by its Python type exactly as
//! `integrity._encode` defines (so no Python code runs per value); the rare values outside the
//! fast paths (an int beyond 64 bits, a str with lone surrogates, a non-`bytes` buffer) take
//! the definition's own conversion through Python.

use crate::errors::NativeResult;
use nasbench_lite_core::content_digest::ContentDigest as Digest;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyFloat, PyInt, PyString, PyTuple};
use pyo3::PyTypeInfo;

/// A running content checksum (`meta.content_sha256`).
#[pyclass(module = "nasbench_lite._native")]
pub struct ContentDigest {
    digest: Digest,
}

fn value(digest: &mut Digest, value: &Bound<'_, PyAny>) -> PyResult<()> {
    let py = value.py();
    if value.is_none() {
        digest.null();
    } else if let Ok(int) = value.cast::<PyInt>() {
        // isinstance(value, bool | int): str(int(value)).
        match int.extract::<i64>() {
            Ok(v) => digest.int(v),
            Err(_) => {
                let exact = PyInt::type_object(py).call1((int,))?;
                digest.int_text(exact.str()?.to_str()?.as_bytes());
            }
        }
    } else if let Ok(float) = value.cast::<PyFloat>() {
        digest.float(float.value());
    } else if let Ok(text) = value.cast::<PyString>() {
        match text.to_str() {
            Ok(utf8) => digest.text(utf8.as_bytes()),
            Err(_) => {
                let data = text.call_method1("encode", ("utf-8", "surrogatepass"))?;
                digest.text(data.cast::<PyBytes>()?.as_bytes());
            }
        }
    } else if let Ok(data) = value.cast_exact::<PyBytes>() {
        digest.blob(data.as_bytes());
    } else {
        let data = PyBytes::type_object(py).call1((value,))?;
        digest.blob(data.cast::<PyBytes>()?.as_bytes());
    }
    Ok(())
}

#[pymethods]
impl ContentDigest {
    #[new]
    fn new() -> Self {
        ContentDigest {
            digest: Digest::new(),
        }
    }

    /// Starts a table.
    fn table(&mut self, name: &str) {
        self.digest.table(name);
    }

    /// Adds every row of `rows` (an iterable of tuples, e.g. a cursor); returns their count.
    fn rows(&mut self, rows: &Bound<'_, PyAny>) -> NativeResult<u64> {
        let mut count = 0u64;
        for row in rows.try_iter()? {
            let row = row?;
            if let Ok(tuple) = row.cast::<PyTuple>() {
                for item in tuple.iter_borrowed() {
                    value(&mut self.digest, &item)?;
                }
            } else {
                for item in row.try_iter()? {
                    value(&mut self.digest, &item?)?;
                }
            }
            self.digest.end_row();
            count += 1;
        }
        Ok(count)
    }

    /// The hex SHA-256 of everything added so far.
    fn hexdigest(&self) -> String {
        self.digest.hex()
    }
}
