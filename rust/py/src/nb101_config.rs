//! The official limits of an NB101 `NASBench.config`: whether a config still holds what the
//! `ModelSpec` fast path's construction-time verdict assumes (7 vertices, 9 edges, the three
//! official ops in their order). `nb101_spec_verdict` asks it once or more per search step,
//! so the usual objects are recognised by identity before anything is read by value.

use crate::nb101_spec::{SPEC_MAX_EDGES, SPEC_MAX_VERTICES};
use nasbench_lite_core::nb101::spec::OP_NAMES;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyInt, PyList, PyString};

/// The objects an official config normally holds: the small ints 7 and 9 (CPython keeps one
/// object each) and the op names first matched by text (the config module's constants, the
/// same objects in every `build_config()`), compared by identity before by value.
static OFFICIAL_OBJECTS: PyOnceLock<OfficialObjects> = PyOnceLock::new();

/// `module_vertices`, `max_edges` and the `available_ops` items of [`OFFICIAL_OBJECTS`].
type OfficialObjects = (Py<PyAny>, Py<PyAny>, [Py<PyAny>; 3]);

/// Whether `config`'s values at `keys` are the `known` objects themselves (the list of
/// `available_ops` by its items): the common case of [`official_limits`], read through
/// borrowed references (no reference counting: this runs once or more per search step).
/// False (the caller then reads by value) for anything else, including a lookup error.
fn holds_by_identity(
    config: &Bound<'_, PyDict>,
    keys: [&Bound<'_, PyString>; 3],
    known: &OfficialObjects,
) -> bool {
    let (seven, nine, names) = known;
    // SAFETY: `config` and the keys are live objects and the GIL is held. A lookup may run
    // Python code (the `__eq__` of a str-subclass key already in the dict, which could change
    // the dict), so each borrowed result is used right after its own lookup, before the next
    // one, while nothing else can run: the first two only compared, `ops` read (type, size,
    // items) and never kept.
    unsafe {
        let item = |key: &Bound<'_, PyString>| {
            let found = pyo3::ffi::PyDict_GetItemWithError(config.as_ptr(), key.as_ptr());
            if found.is_null() {
                pyo3::ffi::PyErr_Clear(); // missing or failed: read by value instead
            }
            found
        };
        if item(keys[0]) != seven.as_ptr() || item(keys[1]) != nine.as_ptr() {
            return false;
        }
        let ops = item(keys[2]);
        if ops.is_null() {
            return false;
        }
        if pyo3::ffi::Py_TYPE(ops) != std::ptr::addr_of_mut!(pyo3::ffi::PyList_Type)
            || pyo3::ffi::PyList_Size(ops) != names.len() as isize
        {
            return false;
        }
        names
            .iter()
            .enumerate()
            .all(|(at, name)| pyo3::ffi::PyList_GetItem(ops, at as isize) == name.as_ptr())
    }
}

/// Whether `config` is an exact dict holding what the construction-time verdict assumes:
/// `module_vertices` 7 and `max_edges` 9 as exact ints, and `available_ops` an exact list of
/// the official op names (exact strs) in their order, which the cached hash's labels follow.
/// Only exact types are taken, so no value's own methods run. Called once or more per search
/// step, so the usual objects are recognised by identity first (a few pointer compares).
pub(crate) fn official_limits(config: &Bound<'_, PyAny>) -> PyResult<bool> {
    let py = config.py();
    let Ok(config) = config.cast_exact::<PyDict>() else {
        return Ok(false);
    };
    let keys = [
        intern!(py, "module_vertices"),
        intern!(py, "max_edges"),
        intern!(py, "available_ops"),
    ];
    if let Some(known) = OFFICIAL_OBJECTS.get(py) {
        if holds_by_identity(config, keys, known) {
            return Ok(true);
        }
    }
    let (Some(vertices), Some(edges), Some(ops)) = (
        config.get_item(keys[0])?,
        config.get_item(keys[1])?,
        config.get_item(keys[2])?,
    ) else {
        return Ok(false);
    };
    let Ok(ops) = ops.cast_exact::<PyList>() else {
        return Ok(false);
    };
    if ops.len() != OP_NAMES.len() {
        return Ok(false);
    }
    let int_equals = |value: &Bound<'_, PyAny>, wanted: i64| {
        value.is_exact_instance_of::<PyInt>() && value.extract::<i64>().is_ok_and(|v| v == wanted)
    };
    if !int_equals(&vertices, SPEC_MAX_VERTICES as i64) || !int_equals(&edges, SPEC_MAX_EDGES) {
        return Ok(false);
    }
    for (op, name) in ops.iter().zip(OP_NAMES) {
        match op.cast_exact::<PyString>() {
            Ok(text) if text.to_str()? == name => {}
            _ => return Ok(false),
        }
    }
    // Official by value: these objects answer by identity from now on (first call wins).
    let names = [ops.get_item(0)?, ops.get_item(1)?, ops.get_item(2)?].map(Bound::unbind);
    let _ = OFFICIAL_OBJECTS.set(py, (vertices.unbind(), edges.unbind(), names));
    Ok(true)
}

/// Whether `config` holds the official limits and ops (see [`official_limits`]): the bulk
/// checks, made under those, answer for it (`query_many`).
#[pyfunction]
pub fn nb101_official_config(config: &Bound<'_, PyAny>) -> PyResult<bool> {
    official_limits(config)
}
