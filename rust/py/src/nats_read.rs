//! NATS `runs` rows read natively at the last epoch (`nasbench_lite_core::nats::read`).
//!
//! One call answers the sets of a final-epoch `get_more_info` for every trial of an
//! (architecture, hp, dataset), straight from the row tuples the SQLite statement returned:
//! only the values the sets need are read (no transposition, no per-trial dict). The work is a
//! microsecond, so the GIL is kept. A row of another shape (a hostile database: a TEXT value
//! in a REAL column...) is not an error here: the function answers `None` and the caller runs
//! the Python reference, which raises what it always raised.

use crate::errors::{NativeError, NativeResult};
use nasbench_lite_core::nats::read::{
    self, SetFields, SetValue, TrialFinals, FLOPS, LATENCY, N_FINALS, PARAMS,
};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyList, PyTuple};

/// Columns of a row before the final scalars: seed, epochs, eval_names, run_id, nan_mask.
const FINALS_AT: usize = 5;
const NAN_MASK_AT: usize = 4;

/// The needed final scalars of one row (NaN restored from `nan_mask`), or None when the row
/// is not a tuple of the expected types.
fn trial_finals(row: &Bound<'_, PyAny>, needed: &[usize]) -> Option<TrialFinals> {
    trial_finals_in(row, needed, None)
}

/// [`trial_finals`] of a row whose value columns (after `nan_mask`) are the `FINAL_FIELDS`
/// positions `columns` (None: all of them, in order). None also when a needed field is not
/// among `columns`.
fn trial_finals_in(
    row: &Bound<'_, PyAny>,
    needed: &[usize],
    columns: Option<&[u8]>,
) -> Option<TrialFinals> {
    let row = row.cast::<PyTuple>().ok()?;
    if row.len() < FINALS_AT + columns.map_or(N_FINALS, <[u8]>::len) {
        return None;
    }
    let mask: u64 = row.get_item(NAN_MASK_AT).ok()?.extract().ok()?;
    let mut finals: TrialFinals = [None; N_FINALS];
    for &field in needed {
        let at = match columns {
            None => field,
            Some(columns) => columns.iter().position(|&c| usize::from(c) == field)?,
        };
        let item = row.get_item(FINALS_AT + at).ok()?;
        finals[field] = if item.is_none() {
            (mask >> field & 1 == 1).then_some(f64::NAN)
        } else {
            Some(item.cast_exact::<PyFloat>().ok()?.value())
        };
    }
    Some(finals)
}

/// `results._final_info_reference`'s sets for every trial at once (see `_native.pyi`).
///
/// `sets` holds three `FINAL_FIELDS` positions per set (loss, accuracy, all_time), one byte
/// each. Returns, per set, `(loss, accuracy, all_time)`, None (a trial lacks the accuracy) or
/// False (the trials disagree on a loss or time); or None for rows of another shape.
#[pyfunction]
#[pyo3(signature = (rows, sets, chosen, compensated_sum = false))]
pub fn nats_final_sets<'py>(
    py: Python<'py>,
    rows: &Bound<'py, PyList>,
    sets: &[u8],
    chosen: i64,
    compensated_sum: bool,
) -> NativeResult<Bound<'py, PyAny>> {
    final_sets_in(py, rows, sets, chosen, compensated_sum, None)
}

/// [`nats_final_sets`] of rows whose value columns are `columns` (see [`trial_finals_in`]).
fn final_sets_in<'py>(
    py: Python<'py>,
    rows: &Bound<'py, PyList>,
    sets: &[u8],
    chosen: i64,
    compensated_sum: bool,
    columns: Option<&[u8]>,
) -> NativeResult<Bound<'py, PyAny>> {
    let Some(values) = final_values(rows, sets, chosen, compensated_sum, columns)? else {
        return Ok(py.None().into_bound(py));
    };
    let out = PyList::empty(py);
    for value in values {
        match value {
            SetValue::Missing => out.append(py.None())?,
            SetValue::Disagree => out.append(PyBool::new(py, false))?,
            SetValue::Values(loss, accuracy, all_time) => {
                out.append((loss, accuracy, all_time).into_pyobject(py)?)?
            }
        }
    }
    Ok(out.into_any())
}

/// The per-set values of [`final_sets_in`], or None for rows of another shape.
fn final_values(
    rows: &Bound<'_, PyList>,
    sets: &[u8],
    chosen: i64,
    compensated_sum: bool,
    columns: Option<&[u8]>,
) -> NativeResult<Option<Vec<SetValue>>> {
    if !sets.len().is_multiple_of(3) {
        return Err(NativeError::invalid_input(
            "sets must hold 3 field positions per set",
        ));
    }
    let fields: Vec<SetFields> = sets
        .chunks_exact(3)
        .map(|s| SetFields {
            loss: usize::from(s[0]),
            accuracy: usize::from(s[1]),
            all_time: usize::from(s[2]),
        })
        .collect();
    let needed: Vec<usize> = sets.iter().map(|&f| usize::from(f)).collect();
    if needed.iter().any(|&f| f >= N_FINALS) {
        return Err(NativeError::invalid_input(
            "final field position out of range",
        ));
    }
    let mut trials = Vec::with_capacity(rows.len());
    for row in rows.iter() {
        match trial_finals_in(&row, &needed, columns) {
            Some(finals) => trials.push(finals),
            None => return Ok(None),
        }
    }
    let chosen = usize::try_from(chosen).ok();
    Ok(Some(read::final_sets(
        &trials,
        &fields,
        chosen,
        compensated_sum,
    )?))
}

/// `read::trial_costs` of rows of the full layout, or None where the Python reference
/// answers (rows of another shape included); errors as [`nats_costs`].
fn row_costs(
    rows: &Bound<'_, PyList>,
    time_fields: &[u8],
    compensated_sum: bool,
) -> NativeResult<Option<read::Costs>> {
    let fields: Vec<usize> = time_fields.iter().map(|&f| usize::from(f)).collect();
    if fields.iter().any(|&f| f >= N_FINALS) {
        return Err(NativeError::invalid_input(
            "final field position out of range",
        ));
    }
    let mut needed = vec![FLOPS, PARAMS, LATENCY];
    needed.extend_from_slice(&fields);
    let mut trials = Vec::with_capacity(rows.len());
    for row in rows.iter() {
        match trial_finals(&row, &needed) {
            Some(finals) => trials.push(finals),
            None => return Ok(None),
        }
    }
    Ok(read::trial_costs(&trials, &fields, compensated_sum))
}

/// `costs.trial_costs` of every trial at once (see `_native.pyi`), or None where the Python
/// reference answers (rows of another shape included).
///
/// `time_fields` holds one `FINAL_FIELDS` position per time key, `time_keys` the keys, in
/// output order. Returns `{'flops', 'params', 'latency', *time_keys}`.
#[pyfunction]
#[pyo3(signature = (rows, time_fields, time_keys, compensated_sum = false))]
pub fn nats_costs<'py>(
    py: Python<'py>,
    rows: &Bound<'py, PyList>,
    time_fields: &[u8],
    time_keys: &Bound<'py, PyTuple>,
    compensated_sum: bool,
) -> NativeResult<Bound<'py, PyAny>> {
    if time_keys.len() != time_fields.len() {
        return Err(NativeError::invalid_input(
            "time_keys and time_fields differ in length",
        ));
    }
    let Some(costs) = row_costs(rows, time_fields, compensated_sum)? else {
        return Ok(py.None().into_bound(py));
    };
    let out = PyDict::new(py);
    out.set_item("flops", costs.flops)?;
    out.set_item("params", costs.params)?;
    out.set_item("latency", costs.latency)?;
    for (key, value) in time_keys.iter().zip(costs.times) {
        out.set_item(key, value)?;
    }
    Ok(out.into_any())
}

/// `results.more_info` at the last epoch as the finished dict (see `_native.pyi`), or None
/// where the Python path must answer: [`nats_final_sets`] then [`nats_info_dict`]. With
/// `columns`, the rows hold only those `FINAL_FIELDS` after `nan_mask` (a compact statement).
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (rows, sets, keys, required, chosen, total, comment = None, compensated_sum = false, columns = None))]
pub fn nats_final_info<'py>(
    py: Python<'py>,
    rows: &Bound<'py, PyList>,
    sets: &[u8],
    keys: &Bound<'py, PyTuple>,
    required: &[u8],
    chosen: i64,
    total: f64,
    comment: Option<&Bound<'py, PyAny>>,
    compensated_sum: bool,
    columns: Option<Vec<u8>>,
) -> NativeResult<Bound<'py, PyAny>> {
    if sets.len() != 3 * required.len() {
        return Err(NativeError::invalid_input(
            "sets and required must describe the same sets",
        ));
    }
    let values = final_sets_in(py, rows, sets, chosen, compensated_sum, columns.as_deref())?;
    match values.cast::<PyList>() {
        Ok(values) => nats_info_dict(py, values, keys, required, total, comment),
        Err(_) => Ok(py.None().into_bound(py)),
    }
}

/// `simulate_train_eval`'s `(valid accuracy, latency, time cost)` at the last epoch (see
/// `_native.pyi`): what [`nats_final_info`] on `one` and [`nats_costs`] on `two` give, read
/// from their dicts as the Python path reads them, without building either; None wherever
/// that path would not take the values straight from the two dicts (a dict declined, no valid
/// set, a time of None): the caller then runs it, after the same draws.
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (one, sets, required, chosen, total, valid_set, train_set, two, time_fields, compensated_sum = false))]
pub fn nats_simulate<'py>(
    py: Python<'py>,
    one: &Bound<'py, PyList>,
    sets: &[u8],
    required: &[u8],
    chosen: i64,
    total: f64,
    valid_set: i64,
    train_set: i64,
    two: &Bound<'py, PyList>,
    time_fields: &[u8],
    compensated_sum: bool,
) -> NativeResult<Bound<'py, PyAny>> {
    if sets.len() != 3 * required.len() {
        return Err(NativeError::invalid_input(
            "sets and required must describe the same sets",
        ));
    }
    let declined = || Ok(py.None().into_bound(py));
    let (Ok(valid_set), Ok(train_set)) = (usize::try_from(valid_set), usize::try_from(train_set))
    else {
        return declined();
    };
    if total == 0.0 || valid_set >= required.len() || train_set >= required.len() {
        return declined();
    }
    let Some(values) = final_values(one, sets, chosen, compensated_sum, None)? else {
        return declined();
    };
    // (nats_info_dict's checks: a required set missing, or the trials disagreeing)
    for (value, &needed) in values.iter().zip(required) {
        match value {
            SetValue::Missing if needed != 0 => return declined(),
            SetValue::Disagree => return declined(),
            _ => {}
        }
    }
    let (
        SetValue::Values(_, valid_accuracy, Some(valid_time)),
        SetValue::Values(_, _, Some(train_time)),
    ) = (&values[valid_set], &values[train_set])
    else {
        return declined();
    };
    let Some(costs) = row_costs(two, time_fields, compensated_sum)? else {
        return declined();
    };
    let time_cost = train_time + valid_time / total;
    Ok((*valid_accuracy, costs.latency, time_cost)
        .into_pyobject(py)?
        .into_any())
}

/// The `get_more_info` dict of per-set values (see `_native.pyi`), or None where the Python
/// path must answer (a set the call requires is missing, the trials disagree, a value of
/// another type, or `total` 0): it raises the official errors.
///
/// `values` holds per set `(loss, accuracy, all_time)` or None (left out), as
/// [`nats_final_sets`] and `nats_mid_run_sets` give them; `keys` the four output keys of each
/// set (loss, accuracy, per-time, all-time), `required` one byte per set (missing = error);
/// `comment`, when given, follows the first set's keys; per-time is all-time over `total`.
#[pyfunction]
#[pyo3(signature = (values, keys, required, total, comment = None))]
pub fn nats_info_dict<'py>(
    py: Python<'py>,
    values: &Bound<'py, PyList>,
    keys: &Bound<'py, PyTuple>,
    required: &[u8],
    total: f64,
    comment: Option<&Bound<'py, PyAny>>,
) -> NativeResult<Bound<'py, PyAny>> {
    let n_sets = required.len();
    if keys.len() != 4 * n_sets || values.len() != n_sets {
        return Err(NativeError::invalid_input(
            "values, keys and required must describe the same sets",
        ));
    }
    let declined = || Ok(py.None().into_bound(py));
    if total == 0.0 {
        return declined(); // (the Python path divides by zero)
    }
    let out = PyDict::new(py);
    for (k, value) in values.iter().enumerate() {
        if value.is_none() {
            if required[k] != 0 {
                return declined();
            }
            continue;
        }
        let Ok(triple) = value.cast::<PyTuple>() else {
            return declined(); // (False: the trials disagree)
        };
        if triple.len() != 3 {
            return declined();
        }
        let all_time = triple.get_item(2)?;
        let per_time = match all_time.cast_exact::<PyFloat>() {
            Ok(time) => PyFloat::new(py, time.value() / total).into_any(),
            Err(_) if all_time.is_none() => py.None().into_bound(py),
            Err(_) => return declined(),
        };
        out.set_item(keys.get_item(4 * k)?, triple.get_item(0)?)?;
        out.set_item(keys.get_item(4 * k + 1)?, triple.get_item(1)?)?;
        out.set_item(keys.get_item(4 * k + 2)?, per_time)?;
        out.set_item(keys.get_item(4 * k + 3)?, all_time)?;
        if k == 0 {
            if let Some(text) = comment {
                out.set_item("comment", text)?;
            }
        }
    }
    Ok(out.into_any())
}
