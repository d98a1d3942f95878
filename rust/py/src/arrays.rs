//! Columns ↔ numpy arrays: the conversions every binding function shares.
//!
//! Results leave Rust as whole arrays built from a slice of records with one accessor per
//! column ([`column`], [`table`], [`table3`]); inputs arrive as read-only C-contiguous arrays
//! whose shapes are checked once ([`padded_cells`]).

use crate::errors::{NativeError, NativeResult};
use numpy::ndarray::{Array2, Array3};
use numpy::{
    Element, IntoPyArray, PyArray1, PyArray2, PyArray3, PyReadonlyArray2, PyReadonlyArray3,
    PyUntypedArrayMethods,
};
use pyo3::prelude::*;

/// A 1-D array holding `value(item)` for every item.
pub fn column<'py, S, T: Element>(
    py: Python<'py>,
    items: &[S],
    value: impl Fn(&S) -> T,
) -> Bound<'py, PyArray1<T>> {
    items.iter().map(value).collect::<Vec<T>>().into_pyarray(py)
}

/// An `(items, width)` array whose row `i` holds the `width` values of `values(items[i])`.
pub fn table<'py, 'a, S, T: Element, I: IntoIterator<Item = T>>(
    py: Python<'py>,
    items: &'a [S],
    width: usize,
    values: impl Fn(&'a S) -> I,
) -> NativeResult<Bound<'py, PyArray2<T>>> {
    let flat: Vec<T> = items.iter().flat_map(values).collect();
    Array2::from_shape_vec((items.len(), width), flat)
        .map(|array| array.into_pyarray(py))
        .map_err(|e| NativeError::Internal(format!("column of width {width}: {e}")))
}

/// An `(items, rows, cols)` array whose block `i` holds the values of `values(items[i])`.
pub fn table3<'py, 'a, S, T: Element, I: IntoIterator<Item = T>>(
    py: Python<'py>,
    items: &'a [S],
    (rows, cols): (usize, usize),
    values: impl Fn(&'a S) -> I,
) -> NativeResult<Bound<'py, PyArray3<T>>> {
    let flat: Vec<T> = items.iter().flat_map(values).collect();
    Array3::from_shape_vec((items.len(), rows, cols), flat)
        .map(|array| array.into_pyarray(py))
        .map_err(|e| NativeError::Internal(format!("block of {rows} x {cols}: {e}")))
}

/// The elements of a C-contiguous array, or `InvalidInputError` for a strided view.
pub fn contiguous<'a, T: Element, D: numpy::ndarray::Dimension>(
    array: &'a numpy::PyReadonlyArray<'_, T, D>,
) -> NativeResult<&'a [T]> {
    array
        .as_slice()
        .map_err(|_| NativeError::invalid_input("array must be C-contiguous"))
}

/// A batch of padded NB101 cells as the core reads it.
pub struct PaddedCells<'a> {
    pub width: usize,
    /// Row-major `width x width` 0/1 matrices, back to back.
    pub matrices: &'a [u8],
    /// Rows of `width` op codes.
    pub codes: &'a [i8],
}

/// Checks `matrices` (N, W, W) uint8 against `codes` (N, W) int8 with `W <= max_width`.
pub fn padded_cells<'a>(
    matrices: &'a PyReadonlyArray3<'_, u8>,
    codes: &'a PyReadonlyArray2<'_, i8>,
    max_width: usize,
) -> NativeResult<PaddedCells<'a>> {
    let shape = matrices.shape();
    let (rows, width) = (shape[0], shape[1]);
    if shape[2] != width || codes.shape() != [rows, width] || width > max_width {
        return Err(NativeError::invalid_input(format!(
            "expected matrices (N, W, W) and codes (N, W) with W <= {max_width}, got {:?} and {:?}",
            shape,
            codes.shape()
        )));
    }
    Ok(PaddedCells {
        width,
        matrices: contiguous(matrices)?,
        codes: contiguous(codes)?,
    })
}
