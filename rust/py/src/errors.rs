//! Core errors and Rust panics → `nasbench_lite.errors` exceptions, in this one place.
//!
//! Every binding function returns [`NativeResult`]; its error converts into a `PyErr` once,
//! here, with the exception classes looked up once per process (a [`PyOnceLock`] each). The
//! orphan rule forbids `From<CoreError> for PyErr` itself, so [`NativeError`] wraps the core
//! error together with the context only the binding knows (the source path).

use nasbench_lite_core::nb101::spec::SpecError;
use nasbench_lite_core::CoreError;
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Result of every binding function.
pub type NativeResult<T> = Result<T, NativeError>;

/// An error on its way to Python.
#[derive(Debug)]
pub enum NativeError {
    /// An error of the core crate; `path` names the source file it concerns, when known.
    Core {
        error: CoreError,
        path: Option<String>,
    },
    /// An error of the restricted pickle reader (it names its file and byte offset):
    /// `UnsafePickleError` for a refused global / persistent id / extension code, else
    /// `CorruptSourceError`.
    Pickle(nasbench_lite_core::pickle::PickleError),
    /// A bug in nasbench_lite (a panic or a broken invariant): `InternalError`.
    Internal(String),
    /// An exception Python already raised (argument conversion, numpy).
    Python(PyErr),
}

impl NativeError {
    /// The same error, naming the source file it concerns.
    pub fn with_path(self, source: &str) -> Self {
        match self {
            NativeError::Core { error, .. } => NativeError::Core {
                error,
                path: Some(source.to_string()),
            },
            other => other,
        }
    }

    /// Malformed arguments (`InvalidInputError`, a `ValueError`).
    pub fn invalid_input(message: impl Into<String>) -> Self {
        CoreError::invalid_input(message).into()
    }
}

impl From<CoreError> for NativeError {
    fn from(error: CoreError) -> Self {
        NativeError::Core { error, path: None }
    }
}

impl From<nasbench_lite_core::pickle::PickleError> for NativeError {
    fn from(error: nasbench_lite_core::pickle::PickleError) -> Self {
        NativeError::Pickle(error)
    }
}

impl From<PyErr> for NativeError {
    fn from(error: PyErr) -> Self {
        NativeError::Python(error)
    }
}

/// One `nasbench_lite.errors` class, imported on first use and kept for the process.
struct ErrorClass {
    name: &'static str,
    class: PyOnceLock<Py<PyType>>,
}

impl ErrorClass {
    const fn new(name: &'static str) -> Self {
        Self {
            name,
            class: PyOnceLock::new(),
        }
    }

    /// An instance built from `args`, or `None` when the package cannot be imported.
    fn instance<'py>(
        &self,
        py: Python<'py>,
        args: impl pyo3::call::PyCallArgs<'py>,
    ) -> Option<Bound<'py, PyAny>> {
        let class = self
            .class
            .import(py, "nasbench_lite.errors", self.name)
            .ok()?;
        class.call1(args).ok()
    }
}

static INVALID_INPUT: ErrorClass = ErrorClass::new("InvalidInputError");
static INVALID_SPEC: ErrorClass = ErrorClass::new("InvalidSpecError");
static OUT_OF_DOMAIN: ErrorClass = ErrorClass::new("OutOfDomainError");
static CORRUPT_SOURCE: ErrorClass = ErrorClass::new("CorruptSourceError");
static INTERNAL: ErrorClass = ErrorClass::new("InternalError");
static UNSAFE_PICKLE: ErrorClass = ErrorClass::new("UnsafePickleError");

/// `UnsafePickleError(message, path, module, name)` or `CorruptSourceError(message, path,
/// None, offset)`; the message names the file, the limit or refusal, and the byte offset.
fn pickle_to_pyerr(py: Python<'_>, error: nasbench_lite_core::pickle::PickleError) -> PyErr {
    use nasbench_lite_core::pickle::ErrorKind;
    let message = error.to_string();
    let path = error
        .path
        .as_ref()
        .map(|p| p.to_string_lossy().into_owned());
    let instance = match &error.kind {
        ErrorKind::UnsafeGlobal { module, name } => {
            UNSAFE_PICKLE.instance(py, (message.as_str(), path, module.as_str(), name.as_str()))
        }
        ErrorKind::UnsafeOpcode { what, .. } => {
            UNSAFE_PICKLE.instance(py, (message.as_str(), path, "", *what))
        }
        _ => CORRUPT_SOURCE.instance(py, (message.as_str(), path, None::<u64>, error.offset)),
    };
    instance
        .map(PyErr::from_value)
        .unwrap_or_else(|| PyValueError::new_err(message))
}

/// `InvalidSpecError` or `OutOfDomainError` for row `row`, with its `.row` attribute set.
fn spec_error(py: Python<'_>, row: usize, error: &SpecError) -> PyErr {
    let message = format!("row {row}: {error}");
    let class = if error.is_constructor_error() {
        &INVALID_SPEC
    } else {
        &OUT_OF_DOMAIN
    };
    match class.instance(py, (message.as_str(),)) {
        Some(instance) => match instance.setattr("row", row) {
            Ok(()) => PyErr::from_value(instance),
            Err(err) => err,
        },
        None => PyValueError::new_err(message),
    }
}

/// `OSError(errno, strerror, filename)`, which Python narrows to `FileNotFoundError` etc.
fn os_error(error: std::io::Error, path: Option<String>) -> PyErr {
    match error.raw_os_error() {
        Some(errno) => {
            let text = error.to_string();
            // io::Error appends " (os error N)"; Python prints the errno itself.
            let strerror = text
                .strip_suffix(&format!(" (os error {errno})"))
                .unwrap_or(&text)
                .to_string();
            PyOSError::new_err((errno, strerror, path))
        }
        None => match path {
            Some(path) => PyOSError::new_err(format!("{path}: {error}")),
            None => PyErr::from(error),
        },
    }
}

fn core_to_pyerr(py: Python<'_>, error: CoreError, path: Option<String>) -> PyErr {
    match error {
        CoreError::InvalidInput { message, row } => INVALID_INPUT
            .instance(py, (message.as_str(), row))
            .map(PyErr::from_value)
            .unwrap_or_else(|| PyValueError::new_err(message)),
        CoreError::InvalidSpec { row, error } => spec_error(py, row, &error),
        CoreError::Io(error) => os_error(error, path),
        CoreError::CorruptSource {
            record,
            offset,
            message,
        } => {
            let located = CoreError::CorruptSource {
                record,
                offset,
                message,
            };
            let message = match &path {
                Some(path) => format!("{path}: {located}"),
                None => located.to_string(),
            };
            CORRUPT_SOURCE
                .instance(py, (message.as_str(), path, record, offset))
                .map(PyErr::from_value)
                .unwrap_or_else(|| PyValueError::new_err(message))
        }
    }
}

/// `nasbench_lite.errors.InternalError(message)` (a `RuntimeError`).
fn internal_error(py: Python<'_>, message: String) -> PyErr {
    INTERNAL
        .instance(py, (message.as_str(),))
        .map(PyErr::from_value)
        .unwrap_or_else(|| PyRuntimeError::new_err(message))
}

/// The one conversion of binding errors into Python exceptions.
impl From<NativeError> for PyErr {
    fn from(error: NativeError) -> PyErr {
        match error {
            NativeError::Python(err) => err,
            // Binding functions convert their errors while attached, so this is cheap.
            NativeError::Core { error, path } => {
                Python::attach(|py| core_to_pyerr(py, error, path))
            }
            NativeError::Pickle(error) => Python::attach(|py| pickle_to_pyerr(py, error)),
            NativeError::Internal(message) => Python::attach(|py| internal_error(py, message)),
        }
    }
}

/// Runs `work` detached from the interpreter (other threads run Python meanwhile); a panic
/// becomes `InternalError` instead of aborting the process.
pub fn run_detached<T: Send>(py: Python<'_>, work: impl FnOnce() -> T + Send) -> NativeResult<T> {
    py.detach(|| catch_unwind(AssertUnwindSafe(work)))
        .map_err(|payload| {
            let reason = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            NativeError::Internal(format!("native code failed: {reason}"))
        })
}

/// Panics inside the native layer on purpose, so the test suite can check that a Rust panic
/// reaches Python as `nasbench_lite.errors.InternalError` instead of aborting the process.
#[pyfunction]
pub fn _selftest_panic(py: Python<'_>, message: String) -> NativeResult<()> {
    run_detached(py, move || -> () { panic!("{message}") })
}
