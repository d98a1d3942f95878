//! The opcode loop: protocols 2–5, a flat arena, an explicit stack, no recursion.

use super::calls::{self, Global};
use super::error::{ErrorKind, Limit, PickleError};
use super::finish;
use super::limits::Limits;
use super::value::{Id, Node, Pickle};
use std::collections::HashMap;

/// An arena slot: a value, or an allowed global (only ever called, never returned).
#[derive(Debug)]
pub(crate) enum Obj {
    Node(Node),
    Global(Global),
}

/// What the parser tracks per object: a lower bound of its nesting depth (exact for immutable
/// objects; [`finish`] computes the exact one) and whether Python could hash it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Meta {
    pub depth: u32,
    pub hashable: bool,
}

pub(crate) const SCALAR: Meta = Meta {
    depth: 0,
    hashable: true,
};
const MUTABLE: Meta = Meta {
    depth: 1,
    hashable: false,
};
pub(crate) const BYTEARRAY: Meta = Meta {
    depth: 0,
    hashable: false,
};

/// The memo: dense indices (what `MEMOIZE` writes) in a vector, sparse ones in a map.
#[derive(Default)]
struct Memo {
    dense: Vec<Id>,
    sparse: HashMap<u32, Id>,
    entries: usize,
}

const EMPTY: Id = Id::MAX;

impl Memo {
    fn put(&mut self, index: u32, id: Id, max_entries: usize) -> Result<(), Limit> {
        let slot = index as usize;
        // Grow the vector only near its end (memory stays proportional to the entries).
        if slot >= self.dense.len() && slot < 2 * self.entries + 16 {
            let start = self.dense.len();
            self.dense.resize(slot + 1, EMPTY);
            if !self.sparse.is_empty() {
                for i in start..=slot {
                    if let Some(moved) = self.sparse.remove(&(i as u32)) {
                        self.dense[i] = moved;
                    }
                }
            }
        }
        let fresh = if let Some(entry) = self.dense.get_mut(slot) {
            std::mem::replace(entry, id) == EMPTY
        } else {
            self.sparse.insert(index, id).is_none()
        };
        if fresh {
            self.entries += 1;
            if self.entries > max_entries {
                return Err(Limit::MemoEntries);
            }
        }
        Ok(())
    }

    fn get(&self, index: u32) -> Option<Id> {
        match self.dense.get(index as usize) {
            Some(&id) if id != EMPTY => Some(id),
            Some(_) => None,
            None => self.sparse.get(&index).copied(),
        }
    }
}

pub(crate) struct Parser<'a> {
    data: &'a [u8],
    pos: usize,
    /// Offset of the opcode being executed (every error reports it).
    pub(crate) at: usize,
    pub(crate) limits: &'a Limits,
    pub(crate) objs: Vec<Obj>,
    pub(crate) meta: Vec<Meta>,
    stack: Vec<Id>,
    marks: Vec<usize>,
    memo: Memo,
}

/// Parses one pickle (protocol 2–5) held in memory.
pub(crate) fn parse(data: &[u8], limits: &Limits) -> Result<Pickle, PickleError> {
    let mut parser = Parser {
        data,
        pos: 0,
        at: 0,
        limits,
        objs: Vec::new(),
        meta: Vec::new(),
        stack: Vec::new(),
        marks: Vec::new(),
        memo: Memo::default(),
    };
    if data.len() as u64 > limits.max_input_bytes {
        return Err(PickleError::limit(
            Limit::InputBytes,
            limits.max_input_bytes,
            0,
        ));
    }
    match data {
        [0x80, 2..=5, ..] => {}
        [] => return Err(PickleError::at(ErrorKind::Truncated, 0)),
        _ => {
            return Err(PickleError::malformed(
                "not a pickle of protocol 2 to 5 (no PROTO opcode)",
                0,
            ))
        }
    }
    let root = parser.run()?;
    finish::finish(parser.objs, root, limits, parser.at)
}

impl<'a> Parser<'a> {
    pub(crate) fn err(&self, message: impl Into<String>) -> PickleError {
        PickleError::malformed(message, self.at)
    }

    fn limit(&self, limit: Limit, max: usize) -> PickleError {
        PickleError::limit(limit, max as u64, self.at)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], PickleError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.data.len());
        let end = end.ok_or_else(|| PickleError::at(ErrorKind::Truncated, self.at))?;
        let bytes = &self.data[self.pos..end];
        self.pos = end;
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], PickleError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn byte(&mut self) -> Result<u8, PickleError> {
        Ok(self.array::<1>()?[0])
    }

    fn u32(&mut self) -> Result<u32, PickleError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    /// A length argument, checked against the bytes left and `max_str_len` before anything is read.
    fn length(&mut self, raw: u64) -> Result<usize, PickleError> {
        if raw > (self.data.len() - self.pos) as u64 {
            return Err(PickleError::at(ErrorKind::Truncated, self.at));
        }
        if raw > self.limits.max_str_len as u64 {
            return Err(self.limit(Limit::StrLen, self.limits.max_str_len));
        }
        Ok(raw as usize)
    }

    /// A newline-terminated line (the `GLOBAL`/`INST` arguments).
    fn line(&mut self) -> Result<&'a str, PickleError> {
        let rest = &self.data[self.pos..];
        let window = &rest[..rest.len().min(self.limits.max_str_len.saturating_add(1))];
        let Some(len) = window.iter().position(|&b| b == b'\n') else {
            return Err(if window.len() < rest.len() {
                self.limit(Limit::StrLen, self.limits.max_str_len)
            } else {
                PickleError::at(ErrorKind::Truncated, self.at)
            });
        };
        let line = self.take(len + 1)?;
        std::str::from_utf8(&line[..len]).map_err(|_| self.err("global name is not UTF-8"))
    }

    /// Adds an object to the arena (not to the stack).
    pub(crate) fn alloc(&mut self, obj: Obj, meta: Meta) -> Result<Id, PickleError> {
        if self.objs.len() >= self.limits.max_total_objects {
            return Err(self.limit(Limit::TotalObjects, self.limits.max_total_objects));
        }
        if meta.depth as usize > self.limits.max_nesting {
            return Err(self.limit(Limit::Nesting, self.limits.max_nesting));
        }
        self.objs.push(obj);
        self.meta.push(meta);
        Ok((self.objs.len() - 1) as Id)
    }

    fn push(&mut self, id: Id) -> Result<(), PickleError> {
        if self.stack.len() + self.marks.len() >= self.limits.max_stack_depth {
            return Err(self.limit(Limit::StackDepth, self.limits.max_stack_depth));
        }
        self.stack.push(id);
        Ok(())
    }

    fn push_new(&mut self, node: Node, meta: Meta) -> Result<(), PickleError> {
        let id = self.alloc(Obj::Node(node), meta)?;
        self.push(id)
    }

    fn fence(&self) -> usize {
        self.marks.last().copied().unwrap_or(0)
    }

    fn pop(&mut self) -> Result<Id, PickleError> {
        if self.stack.len() <= self.fence() {
            return Err(self.err("unpickling stack underflow"));
        }
        Ok(self.stack.pop().unwrap_or_default())
    }

    fn top(&self) -> Result<Id, PickleError> {
        if self.stack.len() <= self.fence() {
            return Err(self.err("unpickling stack underflow"));
        }
        Ok(self.stack[self.stack.len() - 1])
    }

    /// Pops the topmost MARK and the objects above it.
    fn pop_mark(&mut self) -> Result<Vec<Id>, PickleError> {
        let mark = self
            .marks
            .pop()
            .ok_or_else(|| self.err("could not find MARK"))?;
        Ok(self.stack.split_off(mark))
    }

    pub(crate) fn node(&self, id: Id) -> Option<&Node> {
        match &self.objs[id as usize] {
            Obj::Node(node) => Some(node),
            Obj::Global(_) => None,
        }
    }

    /// The name of an object's type, for messages.
    pub(crate) fn type_name(&self, id: Id) -> &'static str {
        match &self.objs[id as usize] {
            Obj::Node(node) => node.type_name(),
            Obj::Global(global) => global.name(),
        }
    }

    /// Refuses a global where data is stored (lists, dicts, sets, the result).
    pub(crate) fn data(&self, id: Id) -> Result<(), PickleError> {
        match &self.objs[id as usize] {
            Obj::Node(_) => Ok(()),
            Obj::Global(global) => {
                Err(self.err(format!("{} is a callable, not data", global.name())))
            }
        }
    }

    /// Refuses an unhashable dict key or set item, as Python's `TypeError` would.
    pub(crate) fn hashable(&self, id: Id) -> Result<(), PickleError> {
        if self.meta[id as usize].hashable {
            Ok(())
        } else {
            Err(self.err(format!("unhashable type: '{}'", self.type_name(id))))
        }
    }

    pub(crate) fn check_len(&self, len: usize) -> Result<(), PickleError> {
        if len > self.limits.max_container_len {
            return Err(self.limit(Limit::ContainerLen, self.limits.max_container_len));
        }
        Ok(())
    }

    /// Depth and hashability of a new container of `items`.
    pub(crate) fn container_meta(&self, items: &[Id], immutable: bool) -> Meta {
        let mut meta = Meta {
            depth: 1,
            hashable: immutable,
        };
        for &item in items {
            let child = self.meta[item as usize];
            meta.depth = meta.depth.max(child.depth.saturating_add(1));
            meta.hashable &= child.hashable;
        }
        meta
    }

    /// Records that `target` now holds `items` (a lower bound of its depth).
    fn grow(&mut self, target: Id, items: &[Id]) -> Result<(), PickleError> {
        let deepest = items
            .iter()
            .map(|&i| self.meta[i as usize].depth)
            .max()
            .unwrap_or(0);
        let depth = &mut self.meta[target as usize].depth;
        *depth = (*depth).max(deepest.saturating_add(1));
        if *depth as usize > self.limits.max_nesting {
            return Err(self.limit(Limit::Nesting, self.limits.max_nesting));
        }
        Ok(())
    }

    fn tuple(&mut self, items: Vec<Id>) -> Result<(), PickleError> {
        self.check_len(items.len())?;
        let meta = self.container_meta(&items, true);
        self.push_new(Node::Tuple(items.into_boxed_slice()), meta)
    }

    fn append(&mut self, items: Vec<Id>) -> Result<(), PickleError> {
        for &item in &items {
            self.data(item)?;
        }
        let target = self.top()?;
        let max = self.limits.max_container_len;
        match &mut self.objs[target as usize] {
            Obj::Node(Node::List(list)) if list.len() + items.len() <= max => {
                list.extend_from_slice(&items)
            }
            Obj::Node(Node::List(_)) => return Err(self.limit(Limit::ContainerLen, max)),
            _ => return Err(self.err(format!("APPEND to a {}", self.type_name(target)))),
        }
        self.grow(target, &items)
    }

    fn set_items(&mut self, items: Vec<Id>) -> Result<(), PickleError> {
        if !items.len().is_multiple_of(2) {
            return Err(self.err("odd number of items for SETITEMS"));
        }
        for pair in items.chunks_exact(2) {
            self.data(pair[0])?;
            self.data(pair[1])?;
            self.hashable(pair[0])?;
        }
        let target = self.top()?;
        let max = self.limits.max_container_len;
        match &mut self.objs[target as usize] {
            Obj::Node(Node::Dict(pairs) | Node::OrderedDict(pairs))
                if pairs.len() + items.len() / 2 <= max =>
            {
                pairs.extend(items.chunks_exact(2).map(|pair| (pair[0], pair[1])))
            }
            Obj::Node(Node::Dict(_) | Node::OrderedDict(_)) => {
                return Err(self.limit(Limit::ContainerLen, max))
            }
            _ => return Err(self.err(format!("SETITEM on a {}", self.type_name(target)))),
        }
        self.grow(target, &items)
    }

    fn add_items(&mut self, items: Vec<Id>) -> Result<(), PickleError> {
        for &item in &items {
            self.data(item)?;
            self.hashable(item)?;
        }
        let target = self.top()?;
        let max = self.limits.max_container_len;
        match &mut self.objs[target as usize] {
            Obj::Node(Node::Set(set)) if set.len() + items.len() <= max => {
                set.extend_from_slice(&items)
            }
            Obj::Node(Node::Set(_)) => return Err(self.limit(Limit::ContainerLen, max)),
            _ => return Err(self.err(format!("ADDITEMS to a {}", self.type_name(target)))),
        }
        self.grow(target, &items)
    }

    fn memo_put(&mut self, index: u32) -> Result<(), PickleError> {
        let id = self.top()?;
        let max = self.limits.max_memo_entries;
        self.memo
            .put(index, id, max)
            .map_err(|limit| self.limit(limit, max))
    }

    fn memo_get(&mut self, index: u32) -> Result<(), PickleError> {
        let id = self
            .memo
            .get(index)
            .ok_or_else(|| self.err(format!("memo key {index} not found")))?;
        self.push(id)
    }

    fn global(&mut self, module: &str, name: &str) -> Result<(), PickleError> {
        let global = calls::lookup(module, name).ok_or_else(|| {
            let module = super::error::truncate(module.to_owned());
            let name = super::error::truncate(name.to_owned());
            PickleError::at(ErrorKind::UnsafeGlobal { module, name }, self.at)
        })?;
        let id = self.alloc(Obj::Global(global), SCALAR)?;
        self.push(id)
    }

    fn string_node(&self, bytes: &[u8]) -> Result<Node, PickleError> {
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(Node::Str(text.into())),
            Err(_) if is_surrogatepass_utf8(bytes) => Ok(Node::SurrogateStr(bytes.into())),
            Err(_) => Err(self.err("str is not valid UTF-8")),
        }
    }

    fn long(&mut self, len: usize) -> Result<(), PickleError> {
        // ceil(8 * len * log10(2)) decimal digits at most.
        let digits = (len as u128 * 8 * 30103).div_ceil(100_000);
        if digits > self.limits.max_int_digits as u128 {
            return Err(self.limit(Limit::IntDigits, self.limits.max_int_digits));
        }
        let bytes = self.take(len)?;
        self.push_new(int_node(bytes), SCALAR)
    }

    /// Runs opcodes up to STOP; returns the result's id.
    fn run(&mut self) -> Result<Id, PickleError> {
        loop {
            self.at = self.pos;
            let op = *self
                .data
                .get(self.pos)
                .ok_or_else(|| PickleError::at(ErrorKind::Truncated, self.at))?;
            self.pos += 1;
            match op {
                0x80 => {
                    // PROTO
                    if self.byte()? > 5 {
                        return Err(self.err("unsupported pickle protocol"));
                    }
                }
                0x95 => {
                    // FRAME: the stream is in memory; only check that the frame is there.
                    let len = u64::from_le_bytes(self.array()?);
                    if len > (self.data.len() - self.pos) as u64 {
                        return Err(PickleError::at(ErrorKind::Truncated, self.at));
                    }
                }
                b'.' => {
                    let root = self.pop()?;
                    self.data(root)?;
                    return Ok(root);
                }
                b'(' => {
                    if self.stack.len() + self.marks.len() >= self.limits.max_stack_depth {
                        return Err(self.limit(Limit::StackDepth, self.limits.max_stack_depth));
                    }
                    self.marks.push(self.stack.len());
                }
                b'0' => {
                    // POP: the topmost object, or the topmost MARK when nothing is above it.
                    if self.marks.last() == Some(&self.stack.len()) {
                        self.marks.pop();
                    } else {
                        self.pop()?;
                    }
                }
                b'1' => {
                    self.pop_mark()?;
                }
                b'2' => {
                    let top = self.top()?;
                    self.push(top)?;
                }
                b'N' => self.push_new(Node::None, SCALAR)?,
                0x88 => self.push_new(Node::Bool(true), SCALAR)?,
                0x89 => self.push_new(Node::Bool(false), SCALAR)?,
                b'J' => {
                    let value = i32::from_le_bytes(self.array()?);
                    self.push_new(Node::Int(value.into()), SCALAR)?
                }
                b'K' => {
                    let value = self.byte()?;
                    self.push_new(Node::Int(value.into()), SCALAR)?
                }
                b'M' => {
                    let value = u16::from_le_bytes(self.array()?);
                    self.push_new(Node::Int(value.into()), SCALAR)?
                }
                0x8a => {
                    let len = self.byte()?;
                    self.long(len.into())?
                }
                0x8b => {
                    let len = i32::from_le_bytes(self.array()?);
                    let len = usize::try_from(len)
                        .map_err(|_| self.err("LONG pickle has negative byte count"))?;
                    self.long(len)?
                }
                b'G' => {
                    let value = f64::from_be_bytes(self.array()?);
                    self.push_new(Node::Float(value), SCALAR)?
                }
                b'X' | 0x8c | 0x8d => {
                    let raw = match op {
                        b'X' => self.u32()?.into(),
                        0x8c => self.byte()?.into(),
                        _ => u64::from_le_bytes(self.array()?),
                    };
                    let len = self.length(raw)?;
                    let bytes = self.take(len)?;
                    let node = self.string_node(bytes)?;
                    self.push_new(node, SCALAR)?
                }
                b'T' | b'U' => {
                    // BINSTRING / SHORT_BINSTRING: Python 2 str, decoded as ASCII like pickle.load.
                    let raw = if op == b'U' {
                        self.byte()?.into()
                    } else {
                        let len = i32::from_le_bytes(self.array()?);
                        u64::try_from(len)
                            .map_err(|_| self.err("BINSTRING pickle has negative byte count"))?
                    };
                    let len = self.length(raw)?;
                    let bytes = self.take(len)?;
                    if !bytes.is_ascii() {
                        return Err(self.err("Python 2 str is not ASCII"));
                    }
                    let node = self.string_node(bytes)?;
                    self.push_new(node, SCALAR)?
                }
                b'B' | b'C' | 0x8e | 0x96 => {
                    let raw = match op {
                        b'B' => self.u32()?.into(),
                        b'C' => self.byte()?.into(),
                        _ => u64::from_le_bytes(self.array()?),
                    };
                    let len = self.length(raw)?;
                    let bytes: Box<[u8]> = self.take(len)?.into();
                    if op == 0x96 {
                        self.push_new(Node::ByteArray(bytes), BYTEARRAY)?
                    } else {
                        self.push_new(Node::Bytes(bytes), SCALAR)?
                    }
                }
                b')' => self.tuple(Vec::new())?,
                b't' => {
                    let items = self.pop_mark()?;
                    self.tuple(items)?
                }
                0x85..=0x87 => {
                    let count = usize::from(op - 0x84);
                    if self.stack.len() < self.fence() + count {
                        return Err(self.err("unpickling stack underflow"));
                    }
                    let items = self.stack.split_off(self.stack.len() - count);
                    self.tuple(items)?
                }
                b']' => self.push_new(Node::List(Vec::new()), MUTABLE)?,
                b'}' => self.push_new(Node::Dict(Vec::new()), MUTABLE)?,
                0x8f => self.push_new(Node::Set(Vec::new()), MUTABLE)?,
                b'l' => {
                    let items = self.pop_mark()?;
                    self.push_new(Node::List(Vec::new()), MUTABLE)?;
                    self.append(items)?
                }
                b'd' => {
                    let items = self.pop_mark()?;
                    self.push_new(Node::Dict(Vec::new()), MUTABLE)?;
                    self.set_items(items)?
                }
                b'a' => {
                    let item = self.pop()?;
                    self.append(vec![item])?
                }
                b'e' => {
                    let items = self.pop_mark()?;
                    self.append(items)?
                }
                b's' => {
                    let value = self.pop()?;
                    let key = self.pop()?;
                    self.set_items(vec![key, value])?
                }
                b'u' => {
                    let items = self.pop_mark()?;
                    self.set_items(items)?
                }
                0x90 => {
                    let items = self.pop_mark()?;
                    self.add_items(items)?
                }
                0x91 => {
                    let items = self.pop_mark()?;
                    for &item in &items {
                        self.data(item)?;
                        self.hashable(item)?;
                    }
                    self.check_len(items.len())?;
                    let meta = self.container_meta(&items, true);
                    self.push_new(Node::FrozenSet(items.into_boxed_slice()), meta)?
                }
                b'q' => {
                    let index = self.byte()?;
                    self.memo_put(index.into())?
                }
                b'r' => {
                    let index = self.u32()?;
                    self.memo_put(index)?
                }
                0x94 => {
                    let index =
                        u32::try_from(self.memo.entries).map_err(|_| self.err("memo is full"))?;
                    self.memo_put(index)?
                }
                b'h' => {
                    let index = self.byte()?;
                    self.memo_get(index.into())?
                }
                b'j' => {
                    let index = self.u32()?;
                    self.memo_get(index)?
                }
                b'c' => {
                    let module = self.line()?;
                    let name = self.line()?;
                    self.global(module, name)?
                }
                b'i' => {
                    // INST (protocol 0): refuse a non-allowed class by name, as find_class does.
                    let module = self.line()?;
                    let name = self.line()?;
                    if calls::lookup(module, name).is_none() {
                        self.global(module, name)?
                    }
                    return Err(PickleError::at(
                        ErrorKind::UnsupportedOpcode { opcode: op },
                        self.at,
                    ));
                }
                0x93 => {
                    let name = self.pop()?;
                    let module = self.pop()?;
                    match (self.node(module), self.node(name)) {
                        (Some(Node::Str(module)), Some(Node::Str(name))) => {
                            let (module, name) = (module.clone(), name.clone());
                            self.global(&module, &name)?
                        }
                        _ => return Err(self.err("STACK_GLOBAL requires str")),
                    }
                }
                b'R' => {
                    let args = self.pop()?;
                    let callable = self.pop()?;
                    let id = calls::reduce(self, callable, args)?;
                    self.push(id)?
                }
                b'b' => {
                    let state = self.pop()?;
                    let target = self.top()?;
                    calls::build(self, target, state)?
                }
                b'P' | b'Q' => {
                    let what = "a persistent id";
                    return Err(PickleError::at(
                        ErrorKind::UnsafeOpcode { opcode: op, what },
                        self.at,
                    ));
                }
                0x82..=0x84 => {
                    let what = "an extension code (copyreg registry)";
                    return Err(PickleError::at(
                        ErrorKind::UnsafeOpcode { opcode: op, what },
                        self.at,
                    ));
                }
                // NEWOBJ, NEWOBJ_EX, OBJ, out-of-band buffers, the protocol-0 text opcodes
                // (INT LONG FLOAT STRING UNICODE PUT GET) and bytes that are no opcode.
                _ => {
                    return Err(PickleError::at(
                        ErrorKind::UnsupportedOpcode { opcode: op },
                        self.at,
                    ))
                }
            }
        }
    }
}

/// An int from little-endian two's complement bytes (`LONG1`/`LONG4`, NumPy scalars).
pub(crate) fn int_node(bytes: &[u8]) -> Node {
    let negative = bytes.last().is_some_and(|&b| b & 0x80 != 0);
    let pad = if negative { 0xff } else { 0x00 };
    // Drop redundant sign bytes: the minimal encoding.
    let mut len = bytes.len();
    while len > 1 && bytes[len - 1] == pad && (bytes[len - 2] & 0x80 != 0) == negative {
        len -= 1;
    }
    let bytes = &bytes[..len];
    if bytes.len() <= 8 {
        let mut buf = [pad; 8];
        buf[..bytes.len()].copy_from_slice(bytes);
        Node::Int(i64::from_le_bytes(buf))
    } else {
        Node::BigInt(bytes.into())
    }
}

/// UTF-8 in which lone surrogates (`ED A0..BF 80..BF`) are allowed, as `surrogatepass` decodes.
fn is_surrogatepass_utf8(mut bytes: &[u8]) -> bool {
    loop {
        match std::str::from_utf8(bytes) {
            Ok(_) => return true,
            Err(error) => {
                let rest = &bytes[error.valid_up_to()..];
                match rest {
                    [0xed, 0xa0..=0xbf, 0x80..=0xbf, ..] => bytes = &rest[3..],
                    _ => return false,
                }
            }
        }
    }
}
