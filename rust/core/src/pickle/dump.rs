//! A canonical text form of a parsed pickle, for tests and the comparison harness against the
//! Python unpickler (`tests/pickle_dump.py` writes the same form from Python objects).
//!
//! `N` None, `T`/`F` bools, `i<decimal>` 64-bit ints, `I<hex>` larger ints (minimal
//! little-endian two's complement), `f<hex>` floats (big-endian IEEE bits), `s<hex>` str (UTF-8,
//! surrogatepass), `b<hex>` bytes, `B<hex>` bytearray, `(a,b)` tuple, `[a,b]` list, `{k:v}` dict,
//! `O{k:v}` OrderedDict, `S{..}` set and `Z{..}` frozenset (items sorted), `D<dtype.str>` dtype,
//! `A(<dtype.str>;<dims joined by x>;C|F;<hex>)` array. Shared objects are written out at each
//! use; a cycle is an error.

use super::value::{Id, Node, Pickle};
use std::fmt::Write;

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Why a pickle has no text form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DumpError {
    /// The value contains itself.
    Cycle,
    /// The text would exceed the given size.
    TooLarge,
}

/// The canonical text of `pickle`'s result, at most `max_len` bytes. Iterative (no recursion).
///
/// # Errors
/// [`DumpError::Cycle`] for self-containing values, [`DumpError::TooLarge`] past `max_len`.
pub fn dump(pickle: &Pickle, max_len: usize) -> Result<String, DumpError> {
    let nodes = pickle.nodes();
    let mut text: Vec<Option<String>> = vec![None; nodes.len()];
    let mut open = vec![false; nodes.len()];
    let mut stack: Vec<(Id, bool)> = vec![(pickle.root(), false)];
    while let Some((id, expanded)) = stack.pop() {
        let i = id as usize;
        if text[i].is_some() {
            continue;
        }
        let node = &nodes[i];
        if !expanded {
            if open[i] {
                return Err(DumpError::Cycle);
            }
            open[i] = true;
            stack.push((id, true));
            stack.extend(
                node.children()
                    .filter(|&c| text[c as usize].is_none())
                    .map(|c| (c, false)),
            );
            continue;
        }
        let part = |c: Id| text[c as usize].as_deref().unwrap_or("?");
        let join = |items: &mut dyn Iterator<Item = String>| items.collect::<Vec<_>>().join(",");
        let rendered = match node {
            Node::None => "N".to_owned(),
            Node::Bool(b) => if *b { "T" } else { "F" }.to_owned(),
            Node::Int(v) => format!("i{v}"),
            Node::BigInt(span) => format!("I{}", hex(pickle.bytes(*span))),
            Node::Float(v) => format!("f{:016x}", v.to_bits()),
            Node::Str(span) | Node::SurrogateStr(span) => format!("s{}", hex(pickle.bytes(*span))),
            Node::Bytes(span) => format!("b{}", hex(pickle.bytes(*span))),
            Node::ByteArray(span) => format!("B{}", hex(pickle.bytes(*span))),
            Node::Tuple(items) => {
                format!("({})", join(&mut items.iter().map(|&c| part(c).to_owned())))
            }
            Node::List(items) => {
                format!("[{}]", join(&mut items.iter().map(|&c| part(c).to_owned())))
            }
            Node::Dict(pairs) | Node::OrderedDict(pairs) => {
                let body = join(
                    &mut pairs
                        .iter()
                        .map(|&(k, v)| format!("{}:{}", part(k), part(v))),
                );
                let prefix = if matches!(node, Node::OrderedDict(_)) {
                    "O"
                } else {
                    ""
                };
                format!("{prefix}{{{body}}}")
            }
            Node::Set(_) | Node::FrozenSet(_) => {
                let mut parts: Vec<String> = node.children().map(|c| part(c).to_owned()).collect();
                parts.sort();
                parts.dedup();
                let prefix = if matches!(node, Node::Set(_)) {
                    "S"
                } else {
                    "Z"
                };
                format!("{prefix}{{{}}}", parts.join(","))
            }
            Node::Dtype(dtype) => format!("D{}", dtype.numpy_str()),
            Node::Array(array) => {
                let dims: Vec<String> = array.shape.iter().map(u64::to_string).collect();
                let order = if array.fortran_order { "F" } else { "C" };
                format!(
                    "A({};{};{order};{})",
                    array.dtype.numpy_str(),
                    dims.join("x"),
                    hex(&array.data)
                )
            }
        };
        if rendered.len() > max_len {
            return Err(DumpError::TooLarge);
        }
        text[i] = Some(rendered);
    }
    Ok(text[pickle.root() as usize].take().unwrap_or_default())
}
