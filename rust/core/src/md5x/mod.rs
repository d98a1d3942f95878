//! Multi-buffer MD5: many independent messages digested side by side.
//!
//! The NAS-Bench-101 hash needs ~57 MD5 calls per cell on tiny messages (1–5 blocks), so a
//! one-message-at-a-time MD5 is latency bound. Here the compression function runs over `L`
//! messages at once, one message per SIMD lane. Messages are grouped by block count so every
//! lane of a group does the same work.
//!
//! The 64-step schedule (additive constants `K`, rotations `S`, message-word order `G`) is
//! written once, here, and expanded by one macro, `md5_rounds!`, into every kernel:
//! * `portable` — 4 interleaved lanes of plain `u32` arithmetic (any target);
//! * `avx2` — 8 lanes written with AVX2 intrinsics (gathers straight from the buffer);
//! * `avx512` — 2 x 16 lanes with AVX-512F (native rotates, ternary-logic boolean functions,
//!   blocks transposed in registers).
//!
//! [`few`] digests at most 8 messages of mixed lengths at once for latency-bound callers (one
//! cell hashed on its own), with its own 8-lane AVX-512VL kernel.
//!
//! The wide kernels use intrinsics because LLVM does not vectorise the portable lane loops
//! reliably (it keeps the rotating a/b/c/d arrays in memory). The kernel is chosen once per
//! call by runtime feature detection ([`Kernel::detect`]); every kernel produces the same bytes,
//! which the tests check against the `md-5` crate.

/// Per-step additive constants, `floor(abs(sin(i + 1)) * 2^32)` (RFC 1321).
const K: [u32; 64] = [
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
];

/// Per-step left-rotation amounts (RFC 1321).
const S: [u32; 64] = [
    7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, //
    5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, //
    4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, //
    6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
];

/// Message word used by each step (RFC 1321).
const G: [usize; 64] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, //
    1, 6, 11, 0, 5, 10, 15, 4, 9, 14, 3, 8, 13, 2, 7, 12, //
    5, 8, 11, 14, 1, 4, 7, 10, 13, 0, 3, 6, 9, 12, 15, 2, //
    0, 7, 14, 5, 12, 3, 10, 1, 8, 15, 6, 13, 4, 11, 2, 9,
];

const INIT: [u32; 4] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];

/// The 64 MD5 steps of one block, for any lane type.
///
/// `$a..$d` are the running state words and `$m` the 16 message words; `$step!(fun, a, b,
/// c, d, k, w, s)` is the kernel's macro computing `b + rotl(a + fun(b, c, d) + k + w, s)` on
/// its lanes and `$f, $g, $h, $i` are the four round functions of `(b, c, d)`. The macro expands inside each kernel so
/// that those operations inline into that kernel's `#[target_feature]` context. Every step is
/// spelled out with constant table indices (no loop), so constants and rotation counts fold
/// into immediates whatever LLVM decides about unrolling.
macro_rules! md5_rounds {
    ($a:ident, $b:ident, $c:ident, $d:ident, $m:ident, $step:ident,
     $f:ident, $g:ident, $h:ident, $i:ident) => {
        md5_rounds!(@round 0, $f, $a, $b, $c, $d, $m, $step);
        md5_rounds!(@round 16, $g, $a, $b, $c, $d, $m, $step);
        md5_rounds!(@round 32, $h, $a, $b, $c, $d, $m, $step);
        md5_rounds!(@round 48, $i, $a, $b, $c, $d, $m, $step);
    };
    (@round $base:expr, $($arg:ident),+) => {
        md5_rounds!(@step $base, $($arg),+);
        md5_rounds!(@step $base + 1, $($arg),+);
        md5_rounds!(@step $base + 2, $($arg),+);
        md5_rounds!(@step $base + 3, $($arg),+);
        md5_rounds!(@step $base + 4, $($arg),+);
        md5_rounds!(@step $base + 5, $($arg),+);
        md5_rounds!(@step $base + 6, $($arg),+);
        md5_rounds!(@step $base + 7, $($arg),+);
        md5_rounds!(@step $base + 8, $($arg),+);
        md5_rounds!(@step $base + 9, $($arg),+);
        md5_rounds!(@step $base + 10, $($arg),+);
        md5_rounds!(@step $base + 11, $($arg),+);
        md5_rounds!(@step $base + 12, $($arg),+);
        md5_rounds!(@step $base + 13, $($arg),+);
        md5_rounds!(@step $base + 14, $($arg),+);
        md5_rounds!(@step $base + 15, $($arg),+);
    };
    (@step $index:expr, $fun:ident, $a:ident, $b:ident, $c:ident, $d:ident, $m:ident,
     $step:ident) => {{
        const STEP: usize = $index;
        let next = $step!(
            $fun,
            $a,
            $b,
            $c,
            $d,
            $crate::md5x::K[STEP],
            $m[$crate::md5x::G[STEP]],
            $crate::md5x::S[STEP]
        );
        $a = $d;
        $d = $c;
        $c = $b;
        $b = next;
    }};
}

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx512;
pub mod few;
mod portable;

/// Number of 64-byte blocks of a message of `len` bytes after MD5 padding.
#[inline]
pub const fn padded_blocks(len: usize) -> usize {
    (len + 8) / 64 + 1
}

/// Messages stored back to back, each already padded to whole MD5 blocks.
///
/// Writing the padding once while the message is built lets the kernels read plain blocks.
#[derive(Default)]
pub struct PaddedMessages {
    buf: Vec<u8>,
    /// (byte offset, number of blocks) of each message.
    spans: Vec<(usize, usize)>,
}

impl PaddedMessages {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn clear(&mut self) {
        self.buf.clear();
        self.spans.clear();
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Appends a message of exactly `len` bytes written by `fill`, then its padding.
    #[inline]
    pub fn push_with(&mut self, len: usize, fill: impl FnOnce(&mut [u8])) {
        let blocks = padded_blocks(len);
        let start = self.buf.len();
        self.buf.resize(start + blocks * 64, 0);
        fill(&mut self.buf[start..start + len]);
        self.pad_from(start, len, blocks);
    }

    /// Appends a copy of `bytes` as one message.
    pub fn push(&mut self, bytes: &[u8]) {
        self.push_with(bytes.len(), |dst| dst.copy_from_slice(bytes));
    }

    /// Starts a message appended piecewise with [`Self::extend`]; close it with [`Self::finish`].
    #[inline]
    pub fn begin(&mut self) -> usize {
        self.buf.len()
    }

    /// Appends bytes to the message started by [`Self::begin`].
    #[inline]
    pub fn extend(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Pads the message that started at `start` (the value [`Self::begin`] returned).
    #[inline]
    pub fn finish(&mut self, start: usize) {
        let len = self.buf.len() - start;
        let blocks = padded_blocks(len);
        self.buf.resize(start + blocks * 64, 0);
        self.pad_from(start, len, blocks);
    }

    #[inline]
    fn pad_from(&mut self, start: usize, len: usize, blocks: usize) {
        let msg = &mut self.buf[start..start + blocks * 64];
        msg[len] = 0x80;
        let bit_len = (len as u64).wrapping_mul(8);
        msg[blocks * 64 - 8..].copy_from_slice(&bit_len.to_le_bytes());
        self.spans.push((start, blocks));
    }
}

/// Which compression kernel a digest run uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// Portable: 4 interleaved lanes of plain Rust arithmetic, on any CPU.
    Portable,
    /// 8 lanes compiled for AVX2.
    Avx2,
    /// 16 or 32 lanes (two interleaved chains) compiled for AVX-512F.
    Avx512,
}

impl Kernel {
    /// The widest kernel this CPU supports.
    pub fn detect() -> Kernel {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                return Kernel::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return Kernel::Avx2;
            }
        }
        Kernel::Portable
    }

    /// Every kernel this CPU can run (for tests that compare them).
    pub fn available() -> Vec<Kernel> {
        let mut kernels = vec![Kernel::Portable];
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                kernels.push(Kernel::Avx2);
            }
            if std::arch::is_x86_feature_detected!("avx512f") {
                kernels.push(Kernel::Avx512);
            }
        }
        kernels
    }
}

/// Messages of fixed lengths, laid out once and rewritten in place many times.
///
/// The NB101 hash sends every vertex one message per refinement round, and a vertex's message
/// length (`32 * (degree + 1) + 2`) is the same in every round. So the layout is computed once
/// per batch: messages grouped by block count (the kernels need equal-length lanes), padding
/// and bit lengths written once, and each round only overwrites the message bytes.
#[derive(Default)]
pub struct MessageSlots {
    buf: Vec<u8>,
    /// Byte offset of each message, by message index.
    starts: Vec<usize>,
    /// Message indices ordered by block count: the lanes of one kernel call are consecutive.
    by_blocks: Vec<u32>,
    /// `(start, end, blocks)` ranges of `by_blocks` with equal block counts.
    runs: Vec<(usize, usize, usize)>,
    /// Scratch of [`Self::layout`]: message count per block count.
    counts: Vec<usize>,
}

impl MessageSlots {
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of messages.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// True when there is no message.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Lays out one message per entry of `lengths` (previous messages are dropped); their
    /// bytes start zeroed and are set with [`Self::message_mut`].
    pub fn layout(&mut self, lengths: impl Iterator<Item = usize> + Clone) {
        self.starts.clear();
        self.by_blocks.clear();
        self.runs.clear();
        self.counts.clear();
        for len in lengths.clone() {
            let blocks = padded_blocks(len);
            if self.counts.len() <= blocks {
                self.counts.resize(blocks + 1, 0);
            }
            self.counts[blocks] += 1;
        }
        // Counting sort by block count: first position of each block count in `by_blocks`, and
        // the byte offset where its messages start.
        let mut first = 0;
        let mut offset = 0;
        let mut next_slot = Vec::with_capacity(self.counts.len());
        for (blocks, &count) in self.counts.iter().enumerate() {
            next_slot.push((first, offset));
            if count > 0 {
                self.runs.push((first, first + count, blocks));
            }
            first += count;
            offset += count * blocks * 64;
        }
        self.buf.clear();
        self.buf.resize(offset, 0);
        self.by_blocks.resize(first, 0);
        for (msg, len) in lengths.enumerate() {
            let blocks = padded_blocks(len);
            let (slot, start) = next_slot[blocks];
            next_slot[blocks] = (slot + 1, start + blocks * 64);
            self.by_blocks[slot] = msg as u32;
            self.starts.push(start);
            let padded = &mut self.buf[start..start + blocks * 64];
            padded[len] = 0x80;
            padded[blocks * 64 - 8..]
                .copy_from_slice(&((len as u64).wrapping_mul(8)).to_le_bytes());
        }
    }

    /// The bytes of message `msg`, which must be given its layout length `len` (the padding
    /// after them is fixed).
    #[inline]
    pub fn message_mut(&mut self, msg: usize, len: usize) -> &mut [u8] {
        let start = self.starts[msg];
        &mut self.buf[start..start + len]
    }

    /// Byte offset of message `msg` in the buffer of [`Self::buffer_mut`].
    #[inline]
    pub fn start(&self, msg: usize) -> usize {
        self.starts[msg]
    }

    /// The whole buffer and every message's byte offset in it, for writers that fill many
    /// messages at once (they must stay within each message's layout length).
    #[inline]
    pub fn buffer_mut(&mut self) -> (&mut [u8], &[usize]) {
        (&mut self.buf, &self.starts)
    }

    fn groups(&self) -> Groups<'_> {
        Groups {
            buf: &self.buf,
            starts: &self.starts,
            by_blocks: &self.by_blocks,
            runs: &self.runs,
        }
    }
}

/// A digest run's view of its messages: buffer, offsets and grouping by block count.
struct Groups<'a> {
    buf: &'a [u8],
    starts: &'a [usize],
    by_blocks: &'a [u32],
    runs: &'a [(usize, usize, usize)],
}

impl Groups<'_> {
    /// Calls `visit(group, blocks)` for runs of at most `L` message indices of equal blocks.
    #[inline]
    fn for_each<const L: usize>(&self, mut visit: impl FnMut(&[u32], usize)) {
        for &(start, end, blocks) in self.runs {
            for group in self.by_blocks[start..end].chunks(L) {
                visit(group, blocks);
            }
        }
    }
}

/// Digests every message of `slots` into `out` (resized to `slots.len()`), by message index.
///
/// Kernel choice and fallback as in [`digest_all`].
pub fn digest_slots(slots: &MessageSlots, kernel: Kernel, out: &mut Vec<[u8; 16]>) {
    out.clear();
    out.resize(slots.len(), [0; 16]);
    digest_groups(&slots.groups(), kernel, out);
}

/// Digests every message of `msgs` into `out` (resized to `msgs.len()`), in order.
///
/// A kernel this CPU cannot run, or a buffer too large for 32-bit gather offsets, falls back
/// to the portable kernel: every kernel gives the same bytes, so the choice only changes speed.
pub fn digest_all(msgs: &PaddedMessages, kernel: Kernel, out: &mut Vec<[u8; 16]>) {
    out.clear();
    out.resize(msgs.len(), [0; 16]);
    let starts: Vec<usize> = msgs.spans.iter().map(|s| s.0).collect();
    let max_blocks = msgs.spans.iter().map(|s| s.1).max().unwrap_or(0);
    let mut by_blocks = Vec::with_capacity(msgs.len());
    let mut runs = Vec::new();
    for blocks in 0..=max_blocks {
        let start = by_blocks.len();
        by_blocks.extend((0..msgs.len() as u32).filter(|&i| msgs.spans[i as usize].1 == blocks));
        if by_blocks.len() > start {
            runs.push((start, by_blocks.len(), blocks));
        }
    }
    let groups = Groups {
        buf: &msgs.buf,
        starts: &starts,
        by_blocks: &by_blocks,
        runs: &runs,
    };
    digest_groups(&groups, kernel, out);
}

fn digest_groups(groups: &Groups<'_>, kernel: Kernel, out: &mut [[u8; 16]]) {
    if groups.starts.is_empty() {
        return;
    }
    #[cfg(target_arch = "x86_64")]
    {
        let gatherable = groups.buf.len() <= i32::MAX as usize;
        if kernel == Kernel::Avx512 && gatherable && std::arch::is_x86_feature_detected!("avx512f")
        {
            // SAFETY: AVX-512F is available (checked above) and `run_gather` hands the kernel
            // only offsets of whole blocks inside `groups.buf`.
            if groups.starts.len() <= 16 {
                // One cell's round (7 messages of 2-5 blocks): one call per block of the
                // longest message instead of one per block of every block-count group.
                return run_mixed_16(groups, out);
            }
            // Full groups take two interleaved 16-lane chains, short ones one chain.
            return run_gather::<32>(groups, out, |state, base, offsets, lanes| unsafe {
                if lanes > 16 {
                    avx512::compress_pair(state, base, offsets)
                } else {
                    let mut half = [[0u32; 16]; 4];
                    for (row, full) in half.iter_mut().zip(state.iter()) {
                        row.copy_from_slice(&full[..16]);
                    }
                    let lane_offsets: &[i32; 16] = offsets[..16].try_into().unwrap_or(&[0; 16]);
                    avx512::compress(&mut half, base, lane_offsets);
                    for (full, row) in state.iter_mut().zip(half.iter()) {
                        full[..16].copy_from_slice(row);
                    }
                }
            });
        }
        if kernel == Kernel::Avx2 && gatherable && std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: as above, with AVX2.
            return run_gather::<8>(groups, out, |state, base, offsets, _| unsafe {
                avx2::compress(state, base, offsets)
            });
        }
    }
    let _ = kernel; // only the portable kernel exists off x86-64
    run_lanes::<4>(groups, out, portable::compress)
}

/// MD5 of one message (single-lane convenience used by the scalar reference paths).
pub fn md5(bytes: &[u8]) -> [u8; 16] {
    use md5::{Digest, Md5};
    let mut out = [0u8; 16];
    out.copy_from_slice(&Md5::digest(bytes));
    out
}

fn initial_state<const L: usize>() -> [[u32; L]; 4] {
    INIT.map(|word| [word; L])
}

#[inline]
fn store_digests<const L: usize>(state: &[[u32; L]; 4], group: &[u32], out: &mut [[u8; 16]]) {
    for (lane, &msg) in group.iter().enumerate() {
        let digest = &mut out[msg as usize];
        for (part, row) in state.iter().enumerate() {
            digest[part * 4..part * 4 + 4].copy_from_slice(&row[lane].to_le_bytes());
        }
    }
}

/// Portable runner: transposes each block into word-major lanes for `compress`.
fn run_lanes<const L: usize>(
    groups: &Groups<'_>,
    out: &mut [[u8; 16]],
    compress: impl Fn(&mut [[u32; L]; 4], &[[u32; L]; 16]),
) {
    // Word-major layout: words[i] holds word i of every lane, so lane loops are contiguous.
    let mut words = [[0u32; L]; 16];
    groups.for_each::<L>(|group, blocks| {
        let mut state = initial_state::<L>();
        for block in 0..blocks {
            for lane in 0..L {
                // Short groups repeat their first message in the spare lanes.
                let msg = group[if lane < group.len() { lane } else { 0 }] as usize;
                let start = groups.starts[msg] + block * 64;
                let bytes = &groups.buf[start..start + 64];
                for (word, chunk) in words.iter_mut().zip(bytes.chunks_exact(4)) {
                    word[lane] = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
                }
            }
            compress(&mut state, &words);
        }
        store_digests(&state, group, out);
    });
}

/// At most 16 messages of any lengths in one set of 16 lanes: every block of the longest message
/// is compressed on all lanes, and lanes whose message has ended keep their previous state.
#[cfg(target_arch = "x86_64")]
fn run_mixed_16(groups: &Groups<'_>, out: &mut [[u8; 16]]) {
    let count = groups.starts.len();
    let mut blocks = [0usize; 16];
    let mut msgs = [0u32; 16];
    let mut lane = 0;
    for &(start, end, run_blocks) in groups.runs {
        for &msg in &groups.by_blocks[start..end] {
            msgs[lane] = msg;
            blocks[lane] = run_blocks;
            lane += 1;
        }
    }
    // Spare lanes repeat the first message (any readable block would do).
    let mut offsets: [i32; 16] =
        std::array::from_fn(|l| groups.starts[msgs[if l < count { l } else { 0 }] as usize] as i32);
    let longest = blocks[..count].iter().copied().max().unwrap_or(0);
    let mut state = initial_state::<16>();
    for block in 0..longest {
        let before = state;
        // SAFETY: the caller checked AVX-512F; every offset is a whole block of its message
        // (a finished lane stays on its last block), inside `groups.buf`.
        unsafe { avx512::compress(&mut state, groups.buf.as_ptr(), &offsets) };
        for l in 0..count {
            if block >= blocks[l] {
                for (row, saved) in state.iter_mut().zip(&before) {
                    row[l] = saved[l];
                }
            } else if block + 1 < blocks[l] {
                offsets[l] += 64;
            }
        }
    }
    store_digests(&state, &msgs[..count], out);
}

/// SIMD runner: the kernel gathers each lane's message words straight from the buffer.
///
/// Callers guarantee `groups.buf.len() <= i32::MAX`, so every block offset fits an `i32`.
#[cfg(target_arch = "x86_64")]
fn run_gather<const L: usize>(
    groups: &Groups<'_>,
    out: &mut [[u8; 16]],
    compress: impl Fn(&mut [[u32; L]; 4], *const u8, &[i32; L], usize),
) {
    let base = groups.buf.as_ptr();
    groups.for_each::<L>(|group, blocks| {
        let mut state = initial_state::<L>();
        // Short groups repeat their first message in the spare lanes.
        let mut offsets: [i32; L] = std::array::from_fn(|lane| {
            groups.starts[group[if lane < group.len() { lane } else { 0 }] as usize] as i32
        });
        for _ in 0..blocks {
            compress(&mut state, base, &offsets, group.len());
            for offset in offsets.iter_mut() {
                *offset += 64;
            }
        }
        store_digests(&state, group, out);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_messages() -> Vec<Vec<u8>> {
        // Lengths straddling every padding boundary, with varied content.
        (0..300usize)
            .map(|len| (0..len).map(|i| (i * 31 + len * 7) as u8).collect())
            .collect()
    }

    #[test]
    fn every_kernel_matches_md5_crate() {
        let samples = sample_messages();
        let mut msgs = PaddedMessages::new();
        for m in &samples {
            msgs.push(m);
        }
        // Kernels this CPU lacks fall back to the portable one: every request gives MD5.
        for kernel in [Kernel::Portable, Kernel::Avx2, Kernel::Avx512] {
            let mut out = Vec::new();
            digest_all(&msgs, kernel, &mut out);
            for (m, d) in samples.iter().zip(&out) {
                assert_eq!(*d, md5(m), "kernel {kernel:?}, message length {}", m.len());
            }
        }
    }

    #[test]
    fn fixed_slots_rewritten_in_place_match_md5_crate() {
        let samples = sample_messages();
        let mut slots = MessageSlots::new();
        // Reverse lengths so layout order (by block count) differs from message order.
        let lengths: Vec<usize> = samples.iter().rev().map(Vec::len).collect();
        slots.layout(lengths.iter().copied());
        for round in 0..3u8 {
            let contents: Vec<Vec<u8>> = lengths
                .iter()
                .map(|&len| {
                    (0..len)
                        .map(|i| (i as u8).wrapping_mul(round + 3))
                        .collect()
                })
                .collect();
            for (msg, bytes) in contents.iter().enumerate() {
                slots.message_mut(msg, bytes.len()).copy_from_slice(bytes);
            }
            for kernel in [Kernel::Portable, Kernel::Avx2, Kernel::Avx512] {
                let mut out = Vec::new();
                digest_slots(&slots, kernel, &mut out);
                for (bytes, d) in contents.iter().zip(&out) {
                    assert_eq!(*d, md5(bytes), "kernel {kernel:?}, length {}", bytes.len());
                }
            }
        }
        slots.layout(std::iter::empty());
        let mut out = vec![[0u8; 16]];
        digest_slots(&slots, Kernel::detect(), &mut out);
        assert!(out.is_empty() && slots.is_empty());
    }

    #[test]
    fn small_mixed_length_sets_match_md5_crate() {
        // Up to 16 messages of different block counts take the mixed-lane path on AVX-512.
        let samples = sample_messages();
        for count in [1, 2, 7, 15, 16, 17] {
            let chosen: Vec<&Vec<u8>> = samples.iter().step_by(300 / count).take(count).collect();
            let mut slots = MessageSlots::new();
            slots.layout(chosen.iter().map(|m| m.len()));
            for (msg, bytes) in chosen.iter().enumerate() {
                slots.message_mut(msg, bytes.len()).copy_from_slice(bytes);
            }
            for kernel in Kernel::available() {
                let mut out = Vec::new();
                digest_slots(&slots, kernel, &mut out);
                let expected: Vec<[u8; 16]> = chosen.iter().map(|m| md5(m)).collect();
                assert_eq!(out, expected, "kernel {kernel:?}, {count} messages");
            }
        }
    }

    #[test]
    fn empty_input_gives_no_digests() {
        let mut out = vec![[1u8; 16]];
        digest_all(&PaddedMessages::new(), Kernel::detect(), &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn known_vector() {
        let mut msgs = PaddedMessages::new();
        msgs.push(b"abc");
        let mut out = Vec::new();
        digest_all(&msgs, Kernel::detect(), &mut out);
        let hex: String = out[0].iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "900150983cd24fb0d6963f7d28e17f72");
    }

    #[test]
    fn padding_block_counts() {
        assert_eq!(padded_blocks(0), 1);
        assert_eq!(padded_blocks(55), 1);
        assert_eq!(padded_blocks(56), 2);
        assert_eq!(padded_blocks(119), 2);
        assert_eq!(padded_blocks(120), 3);
    }
}
