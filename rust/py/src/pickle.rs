//! The native restricted pickle reader (`nasbench_lite_core::pickle`) as Python functions.
//!
//! Files are read, decompressed and parsed in parallel with the GIL released; the value arenas
//! then become Python objects in one pass each (scalars, tuples and frozensets at once, mutable
//! containers created empty and filled afterwards, which is how a pickle may refer to a
//! container before it is complete). Values come out as `nasbench_lite.safe_pickle` gives
//! them: NumPy scalars as the equal Python `int`/`float`/`bool`/`str`/`bytes`, NumPy arrays as
//! arrays of the pickled dtype, shape and order.

use crate::errors::{run_detached, NativeError, NativeResult};
use nasbench_lite_core::pickle::{self, Limits, Node, Pickle, PickleError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyFrozenSet, PyList, PySet, PyString, PyTuple,
};
use std::path::PathBuf;

/// Applies `overrides` (field name → value, as `nasbench_lite._core.formats.native_pickle`
/// passes them) to the default limits; unknown names are `InvalidInputError`.
pub(crate) fn limits_from(overrides: Option<&Bound<'_, PyDict>>) -> NativeResult<Limits> {
    let mut limits = Limits::default();
    let Some(overrides) = overrides else {
        return Ok(limits);
    };
    for (key, value) in overrides.iter() {
        let name: String = key.extract()?;
        let value: u64 = value.extract().map_err(|_| {
            NativeError::invalid_input(format!("limit {name} must be an int in 0..2**64"))
        })?;
        let size = usize::try_from(value).unwrap_or(usize::MAX);
        match name.as_str() {
            "max_memo_entries" => limits.max_memo_entries = size,
            "max_stack_depth" => limits.max_stack_depth = size,
            "max_container_len" => limits.max_container_len = size,
            "max_str_len" => limits.max_str_len = size,
            "max_total_objects" => limits.max_total_objects = size,
            "max_int_digits" => limits.max_int_digits = size,
            "max_nesting" => limits.max_nesting = size,
            "max_input_bytes" => limits.max_input_bytes = value,
            "max_bz2_ratio" => limits.max_bz2_ratio = value,
            "bz2_ratio_floor" => limits.bz2_ratio_floor = value,
            _ => {
                return Err(NativeError::invalid_input(format!(
                    "unknown pickle limit {:?}",
                    name.chars().take(80).collect::<String>()
                )))
            }
        }
    }
    Ok(limits)
}

/// Python helpers looked up once per process.
struct Helpers {
    ordered_dict: PyOnceLock<Py<PyAny>>,
    int_from_bytes: PyOnceLock<Py<PyAny>>,
    numpy: PyOnceLock<Py<PyModule>>,
}

static HELPERS: Helpers = Helpers {
    ordered_dict: PyOnceLock::new(),
    int_from_bytes: PyOnceLock::new(),
    numpy: PyOnceLock::new(),
};

fn numpy(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    HELPERS
        .numpy
        .get_or_try_init(py, || Ok::<_, PyErr>(py.import("numpy")?.unbind()))
        .map(|module| module.bind(py))
}

/// A value Python refused while building the result (e.g. an unhashable key the parser could
/// not see): a `CorruptSourceError` naming the source.
fn build_error(error: PyErr, py: Python<'_>, name: Option<&str>) -> NativeError {
    let text = error.value(py).to_string();
    NativeError::Pickle(PickleError {
        kind: pickle::ErrorKind::Malformed(format!(
            "{}: {}",
            error
                .get_type(py)
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default(),
            text.chars().take(pickle::MAX_ECHO).collect::<String>()
        )),
        offset: None,
        path: name.map(PathBuf::from),
    })
}

/// Builds the Python object of a parsed pickle.
fn to_python<'py>(py: Python<'py>, parsed: &Pickle) -> PyResult<Bound<'py, PyAny>> {
    let nodes = parsed.nodes();
    let mut objects: Vec<Bound<'py, PyAny>> = Vec::with_capacity(nodes.len());
    for node in nodes {
        let object = match node {
            Node::None => py.None().into_bound(py),
            Node::Bool(value) => PyBool::new(py, *value).to_owned().into_any(),
            Node::Int(value) => value.into_pyobject(py)?.into_any(),
            Node::BigInt(span) => {
                let from_bytes = HELPERS.int_from_bytes.get_or_try_init(py, || {
                    Ok::<_, PyErr>(
                        py.get_type::<pyo3::types::PyInt>()
                            .getattr("from_bytes")?
                            .unbind(),
                    )
                })?;
                let kwargs = PyDict::new(py);
                kwargs.set_item("signed", true)?;
                from_bytes.bind(py).call(
                    (PyBytes::new(py, parsed.bytes(*span)), "little"),
                    Some(&kwargs),
                )?
            }
            Node::Float(value) => PyFloat::new(py, *value).into_any(),
            Node::Str(span) => {
                let text = std::str::from_utf8(parsed.bytes(*span)).map_err(|e| {
                    pyo3::exceptions::PyValueError::new_err(format!("str node: {e}"))
                })?;
                PyString::new(py, text).into_any()
            }
            Node::SurrogateStr(span) => PyBytes::new(py, parsed.bytes(*span))
                .call_method1("decode", ("utf-8", "surrogatepass"))?,
            Node::Bytes(span) => PyBytes::new(py, parsed.bytes(*span)).into_any(),
            Node::ByteArray(span) => PyByteArray::new(py, parsed.bytes(*span)).into_any(),
            Node::Tuple(items) => {
                PyTuple::new(py, items.iter().map(|&id| &objects[id as usize]))?.into_any()
            }
            Node::List(_) => PyList::empty(py).into_any(),
            Node::Dict(_) => PyDict::new(py).into_any(),
            Node::OrderedDict(_) => {
                let class = HELPERS.ordered_dict.get_or_try_init(py, || {
                    Ok::<_, PyErr>(py.import("collections")?.getattr("OrderedDict")?.unbind())
                })?;
                class.bind(py).call0()?
            }
            Node::Set(_) => PySet::empty(py)?.into_any(),
            Node::FrozenSet(items) => {
                PyFrozenSet::new(py, items.iter().map(|&id| &objects[id as usize]))?.into_any()
            }
            Node::Dtype(dtype) => numpy(py)?.getattr("dtype")?.call1((dtype.numpy_str(),))?,
            Node::Array(array) => {
                let np = numpy(py)?;
                let dtype = np.getattr("dtype")?.call1((array.dtype.numpy_str(),))?;
                let shape = PyTuple::new(py, array.shape.iter())?;
                let order = if array.fortran_order { "F" } else { "C" };
                // A writable array owning its data, as Python's pickle gives.
                let kwargs = PyDict::new(py);
                kwargs.set_item("dtype", dtype)?;
                kwargs.set_item("buffer", PyBytes::new(py, &array.data))?;
                kwargs.set_item("order", order)?;
                np.getattr("ndarray")?
                    .call((shape,), Some(&kwargs))?
                    .call_method1("copy", ("K",))?
            }
        };
        objects.push(object);
    }
    for (node, object) in nodes.iter().zip(&objects) {
        match node {
            Node::List(items) => {
                let list = object.cast::<PyList>()?;
                for &id in items {
                    list.append(&objects[id as usize])?;
                }
            }
            Node::Set(items) => {
                let set = object.cast::<PySet>()?;
                for &id in items {
                    set.add(&objects[id as usize])?;
                }
            }
            Node::Dict(pairs) | Node::OrderedDict(pairs) => {
                for &(key, value) in pairs {
                    object.set_item(&objects[key as usize], &objects[value as usize])?;
                }
            }
            _ => {}
        }
    }
    Ok(objects.swap_remove(parsed.root() as usize))
}

fn convert<'py>(
    py: Python<'py>,
    result: Result<Pickle, PickleError>,
    name: Option<&str>,
) -> NativeResult<Bound<'py, PyAny>> {
    let parsed = result.map_err(|mut error| {
        if error.path.is_none() {
            error.path = name.map(PathBuf::from);
        }
        NativeError::Pickle(error)
    })?;
    to_python(py, &parsed).map_err(|error| build_error(error, py, name))
}

/// Unpickles bytes (plain or bz2-compressed) with the native restricted reader.
#[pyfunction]
#[pyo3(signature = (data, *, name = None, limits = None))]
pub fn load_pickle<'py>(
    py: Python<'py>,
    data: &[u8],
    name: Option<&str>,
    limits: Option<&Bound<'py, PyDict>>,
) -> NativeResult<Bound<'py, PyAny>> {
    let limits = limits_from(limits)?;
    let result = run_detached(py, || pickle::load(data, &limits))?;
    convert(py, result, name)
}

/// Checks that bytes (plain or bz2) are a pickle the restricted reader accepts within
/// `limits`, building nothing (the Python reference runs this before CPython's unpickler).
#[pyfunction]
#[pyo3(signature = (data, *, name = None, limits = None))]
pub fn check_pickle<'py>(
    py: Python<'py>,
    data: &[u8],
    name: Option<&str>,
    limits: Option<&Bound<'py, PyDict>>,
) -> NativeResult<()> {
    let limits = limits_from(limits)?;
    run_detached(py, || pickle::load(data, &limits).map(drop))?.map_err(|mut error| {
        if error.path.is_none() {
            error.path = name.map(PathBuf::from);
        }
        NativeError::Pickle(error)
    })
}

/// Decompresses bz2 bytes (concatenated streams too) with the native decoder the pickle
/// readers use, within `limits`' `max_bz2_ratio` / `max_input_bytes` (GIL released).
#[pyfunction]
#[pyo3(signature = (data, *, limits = None))]
pub fn bz2_decompress<'py>(
    py: Python<'py>,
    data: &[u8],
    limits: Option<&Bound<'py, PyDict>>,
) -> NativeResult<Bound<'py, PyBytes>> {
    let limits = limits_from(limits)?;
    let out =
        run_detached(py, || pickle::decompress_bz2(data, &limits))?.map_err(NativeError::Pickle)?;
    Ok(PyBytes::new(py, &out))
}

/// Reads and unpickles files in parallel (GIL released), then builds their objects in order;
/// the first failing file (in `paths` order) raises.
#[pyfunction]
#[pyo3(signature = (paths, *, limits = None))]
pub fn load_pickle_files<'py>(
    py: Python<'py>,
    paths: Vec<PathBuf>,
    limits: Option<&Bound<'py, PyDict>>,
) -> NativeResult<Vec<Bound<'py, PyAny>>> {
    let limits = limits_from(limits)?;
    let results = run_detached(py, || pickle::read_files(&paths, &limits))?;
    results
        .into_iter()
        .zip(&paths)
        .map(|(result, path)| convert(py, result, Some(&path.to_string_lossy())))
        .collect()
}
