//! The allow-list: the only globals a pickle may name, and what `REDUCE` / `BUILD` do with
//! them. Nothing is ever looked up or run: each global is replaced by a local decoder that
//! builds plain data (NumPy scalars and arrays from their dtype and raw bytes).

use super::parser::{Meta, Parser, ARRAY, BYTEARRAY, SCALAR};
use super::value::{Dtype, DtypeKind, Id, NdArray, Node, Span};
use super::PickleError;

/// An allowed global.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Global {
    OrderedDict,
    Set,
    FrozenSet,
    ByteArray,
    Bytes,
    CodecsEncode,
    NumpyDtype,
    NumpyScalar,
    NdArrayType,
    Reconstruct,
    FromBuffer,
}

impl Global {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Global::OrderedDict => "collections.OrderedDict",
            Global::Set => "builtins.set",
            Global::FrozenSet => "builtins.frozenset",
            Global::ByteArray => "builtins.bytearray",
            Global::Bytes => "builtins.bytes",
            Global::CodecsEncode => "_codecs.encode",
            Global::NumpyDtype => "numpy.dtype",
            Global::NumpyScalar => "numpy.core.multiarray.scalar",
            Global::NdArrayType => "numpy.ndarray",
            Global::Reconstruct => "numpy.core.multiarray._reconstruct",
            Global::FromBuffer => "numpy.core.numeric._frombuffer",
        }
    }
}

/// The allowed global of that name (`__builtin__` is Python 2's `builtins`, which protocol-2
/// pickles name; `numpy._core` is NumPy 2's `numpy.core`).
pub(crate) fn lookup(module: &str, name: &str) -> Option<Global> {
    Some(match (module, name) {
        ("collections", "OrderedDict") => Global::OrderedDict,
        ("builtins" | "__builtin__", "set") => Global::Set,
        ("builtins" | "__builtin__", "frozenset") => Global::FrozenSet,
        ("builtins" | "__builtin__", "bytearray") => Global::ByteArray,
        // Protocol 2 pickles an empty bytes object as `bytes()`.
        ("builtins" | "__builtin__", "bytes") => Global::Bytes,
        ("_codecs", "encode") => Global::CodecsEncode,
        ("numpy", "dtype") => Global::NumpyDtype,
        ("numpy", "ndarray") => Global::NdArrayType,
        ("numpy.core.multiarray" | "numpy._core.multiarray", "scalar") => Global::NumpyScalar,
        ("numpy.core.multiarray" | "numpy._core.multiarray", "_reconstruct") => Global::Reconstruct,
        ("numpy.core.numeric" | "numpy._core.numeric", "_frombuffer") => Global::FromBuffer,
        _ => return None,
    })
}

/// `REDUCE`: calls the local stand-in of an allowed global; returns the new object's id.
pub(crate) fn reduce(p: &mut Parser<'_>, callable: Id, args: Id) -> Result<Id, PickleError> {
    let Some(global) = p.meta[callable as usize].global else {
        return Err(p.err(format!(
            "REDUCE on a {}: only allowed globals are called",
            p.type_name(callable)
        )));
    };
    let Some(Node::Tuple(args)) = p.node(args) else {
        return Err(p.err(format!(
            "{} called with a {} instead of an argument tuple",
            global.name(),
            p.type_name(args)
        )));
    };
    if args.len() > 4 {
        return Err(bad_args(p, global));
    }
    let args = args.to_vec();
    let (node, meta) = match global {
        Global::OrderedDict => ordered_dict(p, &args)?,
        Global::Set | Global::FrozenSet => set(p, global, &args)?,
        Global::ByteArray => match args[..] {
            [] => (Node::ByteArray(p.store(&[])), BYTEARRAY),
            [data] => {
                let span = raw_bytes(p, data, global)?;
                (Node::ByteArray(p.store_copy(span)), BYTEARRAY)
            }
            _ => return Err(bad_args(p, global)),
        },
        Global::Bytes => match args[..] {
            [] => (Node::Bytes(p.store(&[])), SCALAR),
            [data] => {
                let span = raw_bytes(p, data, global)?;
                (Node::Bytes(p.store_copy(span)), SCALAR)
            }
            _ => return Err(bad_args(p, global)),
        },
        Global::CodecsEncode => {
            let bytes = codecs_encode(p, &args)?;
            (Node::Bytes(p.store(&bytes)), SCALAR)
        }
        Global::NumpyDtype => match args[..] {
            [code, ..] if args.len() <= 3 => (Node::Dtype(dtype_from_code(p, code)?), SCALAR),
            _ => return Err(bad_args(p, global)),
        },
        Global::NumpyScalar => match args[..] {
            [dtype] => (scalar(p, dtype_of(p, dtype)?, Vec::new())?, SCALAR),
            [dtype, data] => {
                let dtype = dtype_of(p, dtype)?;
                let data = p.bytes_of(raw_bytes(p, data, global)?).to_vec();
                (scalar(p, dtype, data)?, SCALAR)
            }
            _ => return Err(bad_args(p, global)),
        },
        Global::NdArrayType => {
            return Err(p.err("numpy.ndarray may only be passed to _reconstruct"))
        }
        Global::Reconstruct => match args[..] {
            [class, _, _] if p.meta[class as usize].global == Some(Global::NdArrayType) => {
                // An empty int8 array until BUILD gives it its state, as NumPy does.
                let dtype = Dtype {
                    kind: DtypeKind::Int,
                    itemsize: 1,
                    big_endian: false,
                };
                let array = NdArray {
                    dtype,
                    shape: Box::new([0]),
                    fortran_order: false,
                    data: Box::default(),
                };
                (Node::Array(Box::new(array)), ARRAY)
            }
            _ => return Err(p.err("_reconstruct accepts only numpy.ndarray arrays")),
        },
        Global::FromBuffer => match args[..] {
            [buffer, dtype, shape, order] => {
                let fortran_order = match p.text(order) {
                    Some("C") => false,
                    Some("F") => true,
                    _ => return Err(p.err("_frombuffer order must be 'C' or 'F'")),
                };
                let dtype = dtype_of(p, dtype)?;
                let data = p.bytes_of(raw_bytes(p, buffer, global)?).into();
                (
                    Node::Array(Box::new(array(p, dtype, shape, fortran_order, data)?)),
                    ARRAY,
                )
            }
            _ => return Err(bad_args(p, global)),
        },
    };
    p.charge(derived_size(&node))?;
    p.alloc(node, meta)
}

/// Bytes a REDUCE result copied out of its arguments.
fn derived_size(node: &Node) -> usize {
    match node {
        Node::Bytes(span) | Node::ByteArray(span) | Node::Str(span) => span.len(),
        Node::Array(array) => array.data.len(),
        Node::OrderedDict(pairs) => pairs.len() * 8,
        Node::Set(items) => items.len() * 4,
        Node::FrozenSet(items) => items.len() * 4,
        _ => 0,
    }
}

/// `BUILD`: sets the state of a NumPy dtype or array; refused on anything else.
pub(crate) fn build(p: &mut Parser<'_>, target: Id, state: Id) -> Result<(), PickleError> {
    let items = match p.node(state) {
        // dtype states have 8 or 9 items, array states 4 or 5.
        Some(Node::Tuple(items)) if items.len() <= 9 => items.to_vec(),
        _ => Vec::new(),
    };
    match p.node(target) {
        Some(Node::Dtype(_)) => {
            // numpy's dtype state: (version, byteorder, subarray, names, fields, elsize, ...).
            let big_endian = match items.get(1).and_then(|&order| p.text(order)) {
                Some("<" | "|" | "=") => false,
                Some(">") => true,
                _ => return Err(p.err("malformed NumPy dtype state")),
            };
            if let Node::Dtype(dtype) = &mut p.objs[target as usize] {
                dtype.big_endian = big_endian;
            }
            Ok(())
        }
        Some(Node::Array(_)) => {
            // ndarray.__setstate__((version,) shape, dtype, is_fortran, raw bytes).
            let fields = match items.len() {
                5 => &items[1..],
                4 => &items[..],
                _ => return Err(p.err("malformed NumPy array state")),
            };
            let dtype = dtype_of(p, fields[1])?;
            let fortran_order = match p.node(fields[2]) {
                Some(&Node::Bool(flag)) => flag,
                Some(&Node::Int(flag)) => flag != 0,
                _ => return Err(p.err("malformed NumPy array state (is_fortran)")),
            };
            let data: Box<[u8]> = match p.node(fields[3]) {
                Some(&Node::Bytes(span) | &Node::ByteArray(span)) => p.bytes_of(span).into(),
                Some(other) => {
                    let what = other.type_name();
                    return Err(p.err(format!(
                        "NumPy array data is a {what}: object arrays are not plain data"
                    )));
                }
                None => return Err(p.err("malformed NumPy array state")),
            };
            p.charge(data.len())?;
            let mut array = array(p, dtype, fields[0], fortran_order, data)?;
            to_native_order(&mut array);
            if let Node::Array(target) = &mut p.objs[target as usize] {
                **target = array;
            }
            Ok(())
        }
        _ => Err(p.err(format!(
            "BUILD on a {}: only NumPy dtypes and arrays take a state",
            p.type_name(target)
        ))),
    }
}

/// NumPy's `ndarray.__setstate__` byte-swaps big-endian data to native order on load (its
/// `_frombuffer` path does not): the same here, so the result equals `pickle.loads`.
fn to_native_order(array: &mut NdArray) {
    let unit = match array.dtype.kind {
        DtypeKind::Unicode => 4,
        DtypeKind::Bytes | DtypeKind::Bool => 1,
        _ => array.dtype.itemsize as usize,
    };
    if array.dtype.big_endian && unit > 1 {
        array.data.chunks_exact_mut(unit).for_each(<[u8]>::reverse);
    }
    array.dtype.big_endian = false;
}

fn bad_args(p: &Parser<'_>, global: Global) -> PickleError {
    p.err(format!(
        "{} called with unsupported arguments",
        global.name()
    ))
}

fn raw_bytes(p: &Parser<'_>, id: Id, global: Global) -> Result<Span, PickleError> {
    match p.node(id) {
        Some(&Node::Bytes(span) | &Node::ByteArray(span)) => Ok(span),
        _ => Err(p.err(format!(
            "{} expects bytes, got a {}",
            global.name(),
            p.type_name(id)
        ))),
    }
}

fn dtype_from_code(p: &Parser<'_>, code: Id) -> Result<Dtype, PickleError> {
    match p.text(code) {
        Some(text) => Dtype::from_code(text).ok_or_else(|| {
            p.err(format!(
                "unsupported NumPy dtype {:?}",
                super::error::truncate(text.to_string())
            ))
        }),
        _ => Err(p.err("numpy.dtype code must be a str")),
    }
}

fn dtype_of(p: &Parser<'_>, id: Id) -> Result<Dtype, PickleError> {
    match p.node(id) {
        Some(&Node::Dtype(dtype)) => Ok(dtype),
        _ => Err(p.err(format!("expected a numpy.dtype, got a {}", p.type_name(id)))),
    }
}

/// Checks `shape` (a tuple of non-negative ints) against the data size.
fn array(
    p: &Parser<'_>,
    dtype: Dtype,
    shape: Id,
    fortran_order: bool,
    data: Box<[u8]>,
) -> Result<NdArray, PickleError> {
    let Some(Node::Tuple(dims)) = p.node(shape) else {
        return Err(p.err("NumPy array shape must be a tuple"));
    };
    if dims.len() > 64 {
        return Err(p.err("NumPy arrays have at most 64 dimensions"));
    }
    let mut shape = Vec::with_capacity(dims.len());
    let mut size = Some(dtype.itemsize);
    for &dim in dims.iter() {
        match p.node(dim) {
            Some(&Node::Int(n)) if n >= 0 => {
                shape.push(n as u64);
                size = size.and_then(|s| s.checked_mul(n as u64));
            }
            _ => return Err(p.err("NumPy array dimensions must be non-negative ints")),
        }
    }
    if dtype.itemsize == 0 || size != Some(data.len() as u64) {
        return Err(p.err(format!(
            "NumPy array of shape {shape:?} and dtype {} has {} bytes",
            dtype.numpy_str(),
            data.len()
        )));
    }
    Ok(NdArray {
        dtype,
        shape: shape.into(),
        fortran_order,
        data,
    })
}

/// `numpy.core.multiarray.scalar(dtype, bytes)` as the equal Python scalar.
fn scalar(p: &mut Parser<'_>, dtype: Dtype, data: Vec<u8>) -> Result<Node, PickleError> {
    let wrong_size = || {
        p.err(format!(
            "NumPy scalar of dtype {} has {} bytes",
            dtype.numpy_str(),
            data.len()
        ))
    };
    if dtype.kind == DtypeKind::Bytes {
        let end = data.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
        return Ok(Node::Bytes(p.store(&data[..end])));
    }
    if data.len() as u64 != dtype.itemsize {
        return Err(wrong_size());
    }
    // Little-endian copy of the value's bytes.
    let mut le = data.to_vec();
    if dtype.big_endian && dtype.kind != DtypeKind::Unicode {
        le.reverse();
    }
    Ok(match dtype.kind {
        DtypeKind::Bool => Node::Bool(le[0] != 0),
        DtypeKind::Int => p.int_node(&le),
        DtypeKind::UInt => {
            le.push(0); // a sign byte: u8 values above i64::MAX become big ints
            p.int_node(&le)
        }
        DtypeKind::Float if le.len() == 4 => {
            Node::Float(f32::from_le_bytes([le[0], le[1], le[2], le[3]]).into())
        }
        DtypeKind::Float => {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(&le);
            Node::Float(f64::from_le_bytes(bytes))
        }
        DtypeKind::Unicode => {
            let mut text = String::with_capacity(data.len() / 4);
            for unit in data.chunks_exact(4) {
                let unit = [unit[0], unit[1], unit[2], unit[3]];
                let code = if dtype.big_endian {
                    u32::from_be_bytes(unit)
                } else {
                    u32::from_le_bytes(unit)
                };
                text.push(
                    char::from_u32(code)
                        .ok_or_else(|| p.err("NumPy str holds an invalid code point"))?,
                );
            }
            Node::Str(p.store(text.trim_end_matches('\0').as_bytes()))
        }
        DtypeKind::Bytes => unreachable!("handled above"),
    })
}

/// `_codecs.encode(text, 'latin1')`: how protocol 2 pickles bytes.
fn codecs_encode(p: &Parser<'_>, args: &[Id]) -> Result<Box<[u8]>, PickleError> {
    let malformed = || p.err("malformed bytes object in pickle (_codecs.encode)");
    let [text, encoding] = args else {
        return Err(malformed());
    };
    match (p.text(*text), p.text(*encoding)) {
        (Some(text), Some("latin1")) => text
            .chars()
            .map(|c| u8::try_from(u32::from(c)).map_err(|_| malformed()))
            .collect(),
        _ => Err(malformed()),
    }
}

fn ordered_dict(p: &Parser<'_>, args: &[Id]) -> Result<(Node, Meta), PickleError> {
    let pairs: Vec<(Id, Id)> = match args {
        [] => Vec::new(),
        [source] => match p.node(*source) {
            Some(Node::Dict(pairs) | Node::OrderedDict(pairs)) => pairs.clone(),
            Some(Node::List(items)) => pairs_of(p, items)?,
            Some(Node::Tuple(items)) => pairs_of(p, items)?,
            _ => return Err(bad_args(p, Global::OrderedDict)),
        },
        _ => return Err(bad_args(p, Global::OrderedDict)),
    };
    p.check_len(pairs.len())?;
    let flat: Vec<Id> = pairs.iter().flat_map(|&(k, v)| [k, v]).collect();
    for &item in &flat {
        p.data(item)?;
    }
    for &(key, _) in &pairs {
        p.hashable(key)?;
    }
    let meta = p.container_meta(&flat, false);
    Ok((Node::OrderedDict(pairs), meta))
}

fn pairs_of(p: &Parser<'_>, items: &[Id]) -> Result<Vec<(Id, Id)>, PickleError> {
    items
        .iter()
        .map(|&item| match p.node(item) {
            Some(Node::Tuple(pair)) if pair.len() == 2 => Ok((pair[0], pair[1])),
            Some(Node::List(pair)) if pair.len() == 2 => Ok((pair[0], pair[1])),
            _ => Err(bad_args(p, Global::OrderedDict)),
        })
        .collect()
}

fn set(p: &Parser<'_>, global: Global, args: &[Id]) -> Result<(Node, Meta), PickleError> {
    let items: Vec<Id> = match args {
        [] => Vec::new(),
        [source] => match p.node(*source) {
            Some(Node::List(items) | Node::Set(items)) => items.clone(),
            Some(Node::Tuple(items) | Node::FrozenSet(items)) => items.to_vec(),
            _ => return Err(bad_args(p, global)),
        },
        _ => return Err(bad_args(p, global)),
    };
    p.check_len(items.len())?;
    for &item in &items {
        p.data(item)?;
        p.hashable(item)?;
    }
    if global == Global::Set {
        let meta = p.container_meta(&items, false);
        Ok((Node::Set(items), meta))
    } else {
        let meta = p.container_meta(&items, true);
        Ok((Node::FrozenSet(items.into()), meta))
    }
}
