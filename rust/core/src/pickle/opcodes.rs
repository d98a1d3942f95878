//! The opcode loop: protocols 2–5 (binary opcodes), no recursion; refused opcodes are typed.

use super::calls;
use super::error::{ErrorKind, Limit, PickleError};
use super::parser::{Parser, BYTEARRAY, MUTABLE, SCALAR};
use super::value::{Id, Node};

impl Parser<'_> {
    #[inline]
    pub(super) fn string_node(&mut self, bytes: &[u8]) -> Result<Node, PickleError> {
        // Most keys are short ASCII (`'x-valid@42'`): one word-wise check, no UTF-8 decoder.
        if bytes.is_ascii() {
            return Ok(Node::Str(self.store(bytes)));
        }
        match std::str::from_utf8(bytes) {
            Ok(_) => Ok(Node::Str(self.store(bytes))),
            Err(_) if is_surrogatepass_utf8(bytes) => Ok(Node::SurrogateStr(self.store(bytes))),
            Err(_) => Err(self.err("str is not valid UTF-8")),
        }
    }

    /// An int from little-endian two's complement bytes (`LONG1`/`LONG4`, NumPy scalars).
    pub(crate) fn int_node(&mut self, bytes: &[u8]) -> Node {
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
            Node::BigInt(self.store(bytes))
        }
    }

    pub(super) fn long(&mut self, len: usize) -> Result<(), PickleError> {
        // ceil(8 * len * log10(2)) decimal digits at most.
        let digits = (len as u128 * 8 * 30103).div_ceil(100_000);
        if digits > self.limits.max_int_digits as u128 {
            return Err(self.limit(Limit::IntDigits, self.limits.max_int_digits));
        }
        let bytes = self.take(len)?;
        let node = self.int_node(bytes);
        self.push_new(node, SCALAR)
    }

    /// Runs opcodes up to STOP; returns the result's id.
    pub(super) fn run(&mut self) -> Result<Id, PickleError> {
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
                    let items = self.pop_mark()?;
                    self.recycle(items)
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
                    let bytes = self.take(len)?;
                    let bytes = self.store(bytes);
                    if op == 0x96 {
                        self.push_new(Node::ByteArray(bytes), BYTEARRAY)?
                    } else {
                        self.push_new(Node::Bytes(bytes), SCALAR)?
                    }
                }
                b')' => self.tuple(&[])?,
                b't' => {
                    let items = self.pop_mark()?;
                    self.tuple(&items)?;
                    self.recycle(items)
                }
                0x85..=0x87 => {
                    let count = usize::from(op - 0x84);
                    if self.stack.len() < self.fence() + count {
                        return Err(self.err("unpickling stack underflow"));
                    }
                    let mut items = [0; 3];
                    items[..count].copy_from_slice(&self.stack[self.stack.len() - count..]);
                    self.stack.truncate(self.stack.len() - count);
                    self.tuple(&items[..count])?
                }
                b']' => self.push_new(Node::List(Vec::new()), MUTABLE)?,
                b'}' => self.push_new(Node::Dict(Vec::new()), MUTABLE)?,
                0x8f => self.push_new(Node::Set(Vec::new()), MUTABLE)?,
                b'l' => {
                    let items = self.pop_mark()?;
                    self.push_new(Node::List(Vec::new()), MUTABLE)?;
                    self.append(&items)?;
                    self.recycle(items)
                }
                b'd' => {
                    let items = self.pop_mark()?;
                    self.push_new(Node::Dict(Vec::new()), MUTABLE)?;
                    self.set_items(&items)?;
                    self.recycle(items)
                }
                b'a' => {
                    let item = self.pop()?;
                    self.append(&[item])?
                }
                b'e' => {
                    let items = self.pop_mark()?;
                    self.append(&items)?;
                    self.recycle(items)
                }
                b's' => {
                    let value = self.pop()?;
                    let key = self.pop()?;
                    self.set_items(&[key, value])?
                }
                b'u' => {
                    let items = self.pop_mark()?;
                    self.set_items(&items)?;
                    self.recycle(items)
                }
                0x90 => {
                    let items = self.pop_mark()?;
                    self.add_items(&items)?;
                    self.recycle(items)
                }
                0x91 => {
                    let items = self.pop_mark()?;
                    for &item in &items {
                        self.data(item)?;
                        self.hashable(item)?;
                    }
                    self.check_len(items.len())?;
                    let meta = self.container_meta(&items, true);
                    self.push_new(Node::FrozenSet(items.as_slice().into()), meta)?;
                    self.recycle(items)
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
                    match (self.text(module), self.text(name)) {
                        (Some(module), Some(name)) => {
                            let (module, name) = (module.to_owned(), name.to_owned());
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
