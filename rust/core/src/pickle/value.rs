//! The value model: a flat arena of nodes that a binding turns into Python objects in one pass.
//!
//! A pickle is a graph, not a tree: the memo shares objects (NAS-HPO-Bench-II shares its row-key
//! tuples between columns) and mutable containers may even contain themselves. So nodes refer
//! to each other by [`Id`] (an index into [`Pickle::nodes`]); sharing costs nothing, a "billion
//! laughs" of memo fetches stays linear, and dropping a deep structure never recurses. The
//! payloads of strings, bytes and big ints sit back to back in one buffer ([`Pickle::heap`],
//! addressed by [`Span`]): no allocation per string.

/// Index of a node in [`Pickle::nodes`].
pub type Id = u32;

/// Where the payload of a str, bytes, bytearray or big int lies in [`Pickle::heap`]: all of a
/// pickle's payloads share one buffer (no allocation per string).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    pub(crate) start: usize,
    pub(crate) len: usize,
}

impl Span {
    /// Payload length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True for an empty payload.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Element kind of a NumPy dtype this reader accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DtypeKind {
    /// `b1` (`numpy.bool_`).
    Bool,
    /// `i1`, `i2`, `i4`, `i8`.
    Int,
    /// `u1`, `u2`, `u4`, `u8`.
    UInt,
    /// `f4`, `f8`.
    Float,
    /// `U<n>`: UCS-4 text of n characters, NUL-padded.
    Unicode,
    /// `S<n>`: n bytes, NUL-padded.
    Bytes,
}

/// A NumPy dtype: kind, item size in bytes and byte order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dtype {
    /// Element kind.
    pub kind: DtypeKind,
    /// Bytes per element (4 per character for `U`).
    pub itemsize: u64,
    /// Big-endian (`>`) data; false for `<`, `|` and `=` (this reader runs little-endian).
    pub big_endian: bool,
}

impl Dtype {
    /// Parses the code NumPy pickles a dtype with (`numpy.dtype('f8', False, True)`).
    pub fn from_code(code: &str) -> Option<Dtype> {
        let fixed = |kind, itemsize| {
            Some(Dtype {
                kind,
                itemsize,
                big_endian: false,
            })
        };
        match code {
            "b1" => fixed(DtypeKind::Bool, 1),
            "i1" => fixed(DtypeKind::Int, 1),
            "i2" => fixed(DtypeKind::Int, 2),
            "i4" => fixed(DtypeKind::Int, 4),
            "i8" => fixed(DtypeKind::Int, 8),
            "u1" => fixed(DtypeKind::UInt, 1),
            "u2" => fixed(DtypeKind::UInt, 2),
            "u4" => fixed(DtypeKind::UInt, 4),
            "u8" => fixed(DtypeKind::UInt, 8),
            "f4" => fixed(DtypeKind::Float, 4),
            "f8" => fixed(DtypeKind::Float, 8),
            _ => {
                let (kind, digits) = match code.as_bytes().first()? {
                    b'U' => (DtypeKind::Unicode, &code[1..]),
                    b'S' => (DtypeKind::Bytes, &code[1..]),
                    _ => return None,
                };
                // Digits only (no sign, no spaces) and a size that cannot overflow below.
                if digits.is_empty()
                    || digits.len() > 12
                    || !digits.bytes().all(|b| b.is_ascii_digit())
                {
                    return None;
                }
                let count: u64 = digits.parse().ok()?;
                let itemsize = if kind == DtypeKind::Unicode {
                    count * 4
                } else {
                    count
                };
                fixed(kind, itemsize)
            }
        }
    }

    /// The dtype as NumPy's `dtype.str` (`'<f8'`, `'|b1'`, `'>U3'`), for `numpy.dtype(...)`.
    pub fn numpy_str(&self) -> String {
        let single = self.itemsize <= 1
            && matches!(
                self.kind,
                DtypeKind::Bool | DtypeKind::Int | DtypeKind::UInt
            );
        let order = if single || self.kind == DtypeKind::Bytes {
            '|'
        } else if self.big_endian {
            '>'
        } else {
            '<'
        };
        let (letter, count) = match self.kind {
            DtypeKind::Bool => ('b', self.itemsize),
            DtypeKind::Int => ('i', self.itemsize),
            DtypeKind::UInt => ('u', self.itemsize),
            DtypeKind::Float => ('f', self.itemsize),
            DtypeKind::Unicode => ('U', self.itemsize / 4),
            DtypeKind::Bytes => ('S', self.itemsize),
        };
        format!("{order}{letter}{count}")
    }
}

/// A NumPy array rebuilt from its dtype, shape and raw bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct NdArray {
    /// Element type.
    pub dtype: Dtype,
    /// Dimensions (their product times the item size is `data.len()`).
    pub shape: Box<[u64]>,
    /// `data` is in Fortran (column-major) order.
    pub fortran_order: bool,
    /// The raw element bytes, in `dtype`'s byte order.
    pub data: Box<[u8]>,
}

/// One value. Containers hold [`Id`]s of other nodes of the same [`Pickle`].
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// `None`.
    None,
    /// `True` / `False` (also NumPy `bool_` scalars).
    Bool(bool),
    /// An `int` that fits 64 bits (also NumPy integer scalars).
    Int(i64),
    /// A larger `int`: minimal little-endian two's complement (`int.from_bytes(b, 'little',
    /// signed=True)`).
    BigInt(Span),
    /// A `float` (also NumPy `float64`/`float32` scalars, widened exactly).
    Float(f64),
    /// A `str` (valid UTF-8; read it with [`Pickle::str`]).
    Str(Span),
    /// A `str` holding lone surrogates, as its UTF-8 `surrogatepass` bytes (Python's pickle
    /// accepts them; Rust's `str` cannot hold them).
    SurrogateStr(Span),
    /// A `bytes` (also NumPy `bytes_` scalars, NUL padding stripped).
    Bytes(Span),
    /// A `bytearray`.
    ByteArray(Span),
    /// A `tuple`: its items always have smaller ids than the tuple.
    Tuple(Box<[Id]>),
    /// A `list`.
    List(Vec<Id>),
    /// A `dict` as its `(key, value)` insertions in stream order; inserting them in order into
    /// a Python dict gives the pickle's dict (a repeated key keeps its first position, last value).
    Dict(Vec<(Id, Id)>),
    /// A `collections.OrderedDict`, as [`Node::Dict`].
    OrderedDict(Vec<(Id, Id)>),
    /// A `set`, as its insertions in stream order.
    Set(Vec<Id>),
    /// A `frozenset`: its items always have smaller ids than the set.
    FrozenSet(Box<[Id]>),
    /// A NumPy dtype object used as a value.
    Dtype(Dtype),
    /// A NumPy array.
    Array(Box<NdArray>),
}

impl Node {
    /// Short type name, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Node::None => "None",
            Node::Bool(_) => "bool",
            Node::Int(_) | Node::BigInt(_) => "int",
            Node::Float(_) => "float",
            Node::Str(_) | Node::SurrogateStr(_) => "str",
            Node::Bytes(_) => "bytes",
            Node::ByteArray(_) => "bytearray",
            Node::Tuple(_) => "tuple",
            Node::List(_) => "list",
            Node::Dict(_) => "dict",
            Node::OrderedDict(_) => "OrderedDict",
            Node::Set(_) => "set",
            Node::FrozenSet(_) => "frozenset",
            Node::Dtype(_) => "numpy.dtype",
            Node::Array(_) => "numpy.ndarray",
        }
    }

    /// The ids this node refers to, in order (dict pairs flattened key, value, key, value...).
    pub fn children(&self) -> Children<'_> {
        match self {
            Node::Tuple(items) | Node::FrozenSet(items) => Children::Items(items.iter()),
            Node::List(items) | Node::Set(items) => Children::Items(items.iter()),
            Node::Dict(pairs) | Node::OrderedDict(pairs) => Children::Pairs(pairs.iter(), None),
            _ => Children::Items([].iter()),
        }
    }
}

/// Iterator over [`Node::children`].
pub enum Children<'a> {
    /// Items of a sequence or set.
    Items(std::slice::Iter<'a, Id>),
    /// Keys and values of a dict; the value still to yield.
    Pairs(std::slice::Iter<'a, (Id, Id)>, Option<Id>),
}

impl Iterator for Children<'_> {
    type Item = Id;

    fn next(&mut self) -> Option<Id> {
        match self {
            Children::Items(items) => items.next().copied(),
            Children::Pairs(pairs, pending) => {
                if let Some(value) = pending.take() {
                    return Some(value);
                }
                let &(key, value) = pairs.next()?;
                *pending = Some(value);
                Some(key)
            }
        }
    }
}

/// A parsed pickle: its nodes and the id of the result.
///
/// Every node is reachable from [`Pickle::root`], and nodes are numbered in creation order, so
/// a binding can build Python objects in one pass over [`Pickle::nodes`]: scalars, tuples and
/// frozensets (whose items are already built) at once, mutable containers empty; then fill the
/// mutable containers.
#[derive(Debug, Clone, PartialEq)]
pub struct Pickle {
    pub(crate) nodes: Vec<Node>,
    pub(crate) root: Id,
    pub(crate) heap: Vec<u8>,
}

impl Pickle {
    /// The id of the unpickled object.
    pub fn root(&self) -> Id {
        self.root
    }

    /// All nodes, in creation order.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// One node.
    ///
    /// # Panics
    /// On an id that is not from this pickle.
    pub fn node(&self, id: Id) -> &Node {
        &self.nodes[id as usize]
    }

    /// The payload bytes of a span of this pickle.
    ///
    /// # Panics
    /// On a span that is not from this pickle.
    pub fn bytes(&self, span: Span) -> &[u8] {
        &self.heap[span.start..span.start + span.len]
    }

    /// The buffer holding every payload (what [`Span`]s index).
    pub fn heap(&self) -> &[u8] {
        &self.heap
    }

    /// The text of a [`Node::Str`] node, `None` for any other node.
    pub fn str(&self, id: Id) -> Option<&str> {
        match self.node(id) {
            Node::Str(span) => std::str::from_utf8(self.bytes(*span)).ok(),
            _ => None,
        }
    }

    /// The UTF-8 bytes of a [`Node::Str`] node, `None` for any other node (no re-validation:
    /// for comparing keys against known names on hot paths).
    pub fn str_bytes(&self, id: Id) -> Option<&[u8]> {
        match self.node(id) {
            Node::Str(span) => Some(self.bytes(*span)),
            _ => None,
        }
    }

    /// The value of the last `key: value` pair whose key is the str `key`, if `id` is a dict
    /// (Python's lookup for str keys).
    pub fn dict_get(&self, id: Id, key: &str) -> Option<Id> {
        match self.node(id) {
            Node::Dict(pairs) | Node::OrderedDict(pairs) => pairs
                .iter()
                .rev()
                .find(|(k, _)| matches!(self.node(*k), Node::Str(s) if self.bytes(*s) == key.as_bytes()))
                .map(|&(_, v)| v),
            _ => None,
        }
    }
}
