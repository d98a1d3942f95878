//! The unpickler's state: a flat arena, an explicit stack and marks, the memo; the container
//! operations with their bounds. The opcode loop is in `opcodes.rs`.

use super::calls::{self, Global};
use super::error::{ErrorKind, Limit, PickleError};
use super::finish;
use super::limits::Limits;
use super::value::{Id, Node, Pickle, Span};
use std::collections::HashMap;

/// What the parser tracks per object: a lower bound of its nesting depth (exact for immutable
/// objects; [`finish`] computes the exact one), whether Python could hash it, and, for the
/// arena slots that hold an allowed global (only ever called, never returned), which one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Meta {
    pub depth: u32,
    pub hashable: bool,
    pub global: Option<Global>,
}

const fn meta(depth: u32, hashable: bool) -> Meta {
    Meta {
        depth,
        hashable,
        global: None,
    }
}

pub(crate) const SCALAR: Meta = meta(0, true);
pub(super) const MUTABLE: Meta = meta(1, false);
pub(crate) const BYTEARRAY: Meta = meta(0, false);
pub(crate) const ARRAY: Meta = meta(0, false);

/// The memo: dense indices (what `MEMOIZE` writes) in a vector, sparse ones in a map.
#[derive(Default)]
pub(super) struct Memo {
    dense: Vec<Id>,
    sparse: HashMap<u32, Id>,
    pub(super) entries: usize,
}

const EMPTY: Id = Id::MAX;

impl Memo {
    pub(super) fn put(&mut self, index: u32, id: Id, max_entries: usize) -> Result<(), Limit> {
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

    pub(super) fn get(&self, index: u32) -> Option<Id> {
        match self.dense.get(index as usize) {
            Some(&id) if id != EMPTY => Some(id),
            Some(_) => None,
            None => self.sparse.get(&index).copied(),
        }
    }
}

pub(crate) struct Parser<'a> {
    pub(super) data: &'a [u8],
    pub(super) pos: usize,
    /// Offset of the opcode being executed (every error reports it).
    pub(crate) at: usize,
    pub(crate) limits: &'a Limits,
    /// The arena (a global's slot holds `Node::None`; see [`Meta::global`]).
    pub(crate) objs: Vec<Node>,
    pub(crate) meta: Vec<Meta>,
    pub(super) stack: Vec<Id>,
    pub(super) marks: Vec<usize>,
    pub(super) memo: Memo,
    scratch: Vec<Id>,
    /// Every str/bytes/big-int payload, back to back.
    pub(crate) heap: Vec<u8>,
    /// Bytes the allowed globals may still copy (see [`Limit::DerivedBytes`]).
    derived_budget: u64,
}

/// Parses one pickle (protocol 2–5) held in memory.
pub(crate) fn parse(data: &[u8], limits: &Limits) -> Result<Pickle, PickleError> {
    let mut parser = Parser {
        data,
        pos: 0,
        at: 0,
        limits,
        // Real pickles spend 6-10 bytes per object: reserve that much, up to a million.
        objs: Vec::with_capacity((data.len() / 8).min(1 << 20)),
        meta: Vec::with_capacity((data.len() / 8).min(1 << 20)),
        stack: Vec::new(),
        marks: Vec::new(),
        memo: Memo::default(),
        scratch: Vec::new(),
        heap: Vec::with_capacity(data.len() / 4),
        derived_budget: data.len() as u64 + (1 << 20),
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
    finish::finish(
        parser.objs,
        &parser.meta,
        parser.heap,
        root,
        limits,
        parser.at,
    )
}

impl<'a> Parser<'a> {
    pub(crate) fn err(&self, message: impl Into<String>) -> PickleError {
        PickleError::malformed(message, self.at)
    }

    pub(super) fn limit(&self, limit: Limit, max: usize) -> PickleError {
        PickleError::limit(limit, max as u64, self.at)
    }

    pub(super) fn take(&mut self, n: usize) -> Result<&'a [u8], PickleError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.data.len());
        let end = end.ok_or_else(|| PickleError::at(ErrorKind::Truncated, self.at))?;
        let bytes = &self.data[self.pos..end];
        self.pos = end;
        Ok(bytes)
    }

    pub(super) fn array<const N: usize>(&mut self) -> Result<[u8; N], PickleError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    pub(super) fn byte(&mut self) -> Result<u8, PickleError> {
        Ok(self.array::<1>()?[0])
    }

    pub(super) fn u32(&mut self) -> Result<u32, PickleError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    /// A length argument, checked against the bytes left and `max_str_len` before anything is read.
    pub(super) fn length(&mut self, raw: u64) -> Result<usize, PickleError> {
        if raw > (self.data.len() - self.pos) as u64 {
            return Err(PickleError::at(ErrorKind::Truncated, self.at));
        }
        if raw > self.limits.max_str_len as u64 {
            return Err(self.limit(Limit::StrLen, self.limits.max_str_len));
        }
        Ok(raw as usize)
    }

    /// A newline-terminated line (the `GLOBAL`/`INST` arguments).
    pub(super) fn line(&mut self) -> Result<&'a str, PickleError> {
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
    #[inline(always)]
    pub(crate) fn alloc(&mut self, obj: Node, meta: Meta) -> Result<Id, PickleError> {
        // Ids are u32 (and Id::MAX marks an empty memo slot), whatever the limit says.
        let max = self.limits.max_total_objects.min(Id::MAX as usize - 1);
        if self.objs.len() >= max {
            return Err(self.limit(Limit::TotalObjects, max));
        }
        if meta.depth as usize > self.limits.max_nesting {
            return Err(self.limit(Limit::Nesting, self.limits.max_nesting));
        }
        self.objs.push(obj);
        self.meta.push(meta);
        Ok((self.objs.len() - 1) as Id)
    }

    #[inline(always)]
    pub(super) fn push(&mut self, id: Id) -> Result<(), PickleError> {
        if self.stack.len() + self.marks.len() >= self.limits.max_stack_depth {
            return Err(self.limit(Limit::StackDepth, self.limits.max_stack_depth));
        }
        self.stack.push(id);
        Ok(())
    }

    #[inline(always)]
    pub(super) fn push_new(&mut self, node: Node, meta: Meta) -> Result<(), PickleError> {
        let id = self.alloc(node, meta)?;
        self.push(id)
    }

    pub(super) fn fence(&self) -> usize {
        self.marks.last().copied().unwrap_or(0)
    }

    pub(super) fn pop(&mut self) -> Result<Id, PickleError> {
        if self.stack.len() <= self.fence() {
            return Err(self.err("unpickling stack underflow"));
        }
        Ok(self.stack.pop().unwrap_or_default())
    }

    pub(super) fn top(&self) -> Result<Id, PickleError> {
        if self.stack.len() <= self.fence() {
            return Err(self.err("unpickling stack underflow"));
        }
        Ok(self.stack[self.stack.len() - 1])
    }

    /// Pops the topmost MARK and the objects above it.
    pub(super) fn pop_mark(&mut self) -> Result<Vec<Id>, PickleError> {
        let mark = self
            .marks
            .pop()
            .ok_or_else(|| self.err("could not find MARK"))?;
        // Reuse one buffer for the items (SETITEMS/APPENDS run once per container).
        let mut items = std::mem::take(&mut self.scratch);
        items.clear();
        items.extend(self.stack.drain(mark..));
        Ok(items)
    }

    /// Gives a buffer from [`Parser::pop_mark`] back.
    pub(super) fn recycle(&mut self, items: Vec<Id>) {
        self.scratch = items;
    }

    pub(crate) fn node(&self, id: Id) -> Option<&Node> {
        match self.meta[id as usize].global {
            None => Some(&self.objs[id as usize]),
            Some(_) => None,
        }
    }

    /// The name of an object's type, for messages.
    pub(crate) fn type_name(&self, id: Id) -> &'static str {
        match self.meta[id as usize].global {
            None => self.objs[id as usize].type_name(),
            Some(global) => global.name(),
        }
    }

    /// Refuses a global where data is stored (lists, dicts, sets, the result).
    pub(crate) fn data(&self, id: Id) -> Result<(), PickleError> {
        match self.meta[id as usize].global {
            None => Ok(()),
            Some(global) => Err(self.err(format!("{} is a callable, not data", global.name()))),
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

    /// Appends a payload to the heap.
    pub(crate) fn store(&mut self, bytes: &[u8]) -> Span {
        let start = self.heap.len();
        self.heap.extend_from_slice(bytes);
        Span {
            start,
            len: bytes.len(),
        }
    }

    /// Copies a payload already on the heap (a new object with the same bytes).
    pub(crate) fn store_copy(&mut self, span: Span) -> Span {
        let start = self.heap.len();
        self.heap
            .extend_from_within(span.start..span.start + span.len);
        Span {
            start,
            len: span.len,
        }
    }

    pub(crate) fn bytes_of(&self, span: Span) -> &[u8] {
        &self.heap[span.start..span.start + span.len]
    }

    /// The text of a str node (`None` for anything else).
    pub(crate) fn text(&self, id: Id) -> Option<&str> {
        match self.node(id) {
            Some(Node::Str(span)) => std::str::from_utf8(self.bytes_of(*span)).ok(),
            _ => None,
        }
    }

    /// Charges `bytes` copied out of existing objects against the derived-bytes budget.
    pub(crate) fn charge(&mut self, bytes: usize) -> Result<(), PickleError> {
        match self.derived_budget.checked_sub(bytes as u64) {
            Some(left) => {
                self.derived_budget = left;
                Ok(())
            }
            None => Err(self.limit(Limit::DerivedBytes, self.data.len() + (1 << 20))),
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
        let mut meta = meta(1, immutable);
        for &item in items {
            let child = self.meta[item as usize];
            meta.depth = meta.depth.max(child.depth.saturating_add(1));
            meta.hashable &= child.hashable;
        }
        meta
    }

    /// Records that `target` now holds `items` (a lower bound of its depth).
    pub(super) fn grow(&mut self, target: Id, items: &[Id]) -> Result<(), PickleError> {
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

    pub(super) fn tuple(&mut self, items: &[Id]) -> Result<(), PickleError> {
        self.check_len(items.len())?;
        let meta = self.container_meta(items, true);
        self.push_new(Node::Tuple(items.into()), meta)
    }

    pub(super) fn append(&mut self, items: &[Id]) -> Result<(), PickleError> {
        for &item in items {
            self.data(item)?;
        }
        let target = self.top()?;
        let max = self.limits.max_container_len;
        match &mut self.objs[target as usize] {
            Node::List(list) if list.len() + items.len() <= max => list.extend_from_slice(items),
            Node::List(_) => return Err(self.limit(Limit::ContainerLen, max)),
            _ => return Err(self.err(format!("APPEND to a {}", self.type_name(target)))),
        }
        self.grow(target, items)
    }

    pub(super) fn set_items(&mut self, items: &[Id]) -> Result<(), PickleError> {
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
            Node::Dict(pairs) | Node::OrderedDict(pairs)
                if pairs.len() + items.len() / 2 <= max =>
            {
                pairs.extend(items.chunks_exact(2).map(|pair| (pair[0], pair[1])))
            }
            Node::Dict(_) | Node::OrderedDict(_) => {
                return Err(self.limit(Limit::ContainerLen, max))
            }
            _ => return Err(self.err(format!("SETITEM on a {}", self.type_name(target)))),
        }
        self.grow(target, items)
    }

    pub(super) fn add_items(&mut self, items: &[Id]) -> Result<(), PickleError> {
        for &item in items {
            self.data(item)?;
            self.hashable(item)?;
        }
        let target = self.top()?;
        let max = self.limits.max_container_len;
        match &mut self.objs[target as usize] {
            Node::Set(set) if set.len() + items.len() <= max => set.extend_from_slice(items),
            Node::Set(_) => return Err(self.limit(Limit::ContainerLen, max)),
            _ => return Err(self.err(format!("ADDITEMS to a {}", self.type_name(target)))),
        }
        self.grow(target, items)
    }

    pub(super) fn memo_put(&mut self, index: u32) -> Result<(), PickleError> {
        let id = self.top()?;
        let max = self.limits.max_memo_entries;
        self.memo
            .put(index, id, max)
            .map_err(|limit| self.limit(limit, max))
    }

    pub(super) fn memo_get(&mut self, index: u32) -> Result<(), PickleError> {
        let id = self
            .memo
            .get(index)
            .ok_or_else(|| self.err(format!("memo key {index} not found")))?;
        self.push(id)
    }

    pub(super) fn global(&mut self, module: &str, name: &str) -> Result<(), PickleError> {
        let global = calls::lookup(module, name).ok_or_else(|| {
            let module = super::error::truncate(module.to_owned());
            let name = super::error::truncate(name.to_owned());
            PickleError::at(ErrorKind::UnsafeGlobal { module, name }, self.at)
        })?;
        let meta = Meta {
            global: Some(global),
            ..SCALAR
        };
        let id = self.alloc(Node::None, meta)?;
        self.push(id)
    }
}
