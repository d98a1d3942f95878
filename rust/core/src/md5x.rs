//! Multi-buffer MD5: many independent messages digested side by side.
//!
//! The NAS-Bench-101 hash needs ~57 MD5 calls per cell on tiny messages (1–5 blocks), so a
//! one-message-at-a-time MD5 is latency bound. Here the same compression function runs over
//! `L` messages at once, one message per SIMD lane: the lane loops are written as plain
//! array arithmetic and compiled several times with different `target_feature`s so the
//! compiler vectorises them (SSE2 = 4 lanes is the x86-64 baseline; AVX2 = 8; AVX-512 = 16).
//! The kernel is chosen once per call by runtime feature detection; every kernel produces the
//! same bytes, which the tests check against the `md-5` crate.

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

const INIT: [u32; 4] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];

/// Number of 64-byte blocks of a message of `len` bytes after MD5 padding.
#[inline]
pub fn padded_blocks(len: usize) -> usize {
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
    /// Portable: 4 lanes of plain Rust (vectorised with SSE2 on x86-64, NEON on aarch64).
    Portable,
    /// 8 lanes compiled for AVX2.
    Avx2,
    /// 16 lanes compiled for AVX-512F.
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

/// Digests every message of `msgs` into `out` (resized to `msgs.len()`), in order.
pub fn digest_all(msgs: &PaddedMessages, kernel: Kernel, out: &mut Vec<[u8; 16]>) {
    out.clear();
    out.resize(msgs.len(), [0; 16]);
    if msgs.is_empty() {
        return;
    }
    match kernel {
        Kernel::Portable => run_lanes::<4>(msgs, out, compress_portable),
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx2 => {
            assert!(
                std::arch::is_x86_feature_detected!("avx2"),
                "AVX2 kernel requested on a CPU without AVX2"
            );
            // SAFETY: AVX2 support was checked just above; offsets stay inside the buffer.
            run_gather::<8>(msgs, out, |state, base, offsets| unsafe {
                compress_avx2(state, base, offsets)
            })
        }
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx512 => {
            assert!(
                std::arch::is_x86_feature_detected!("avx512f"),
                "AVX-512 kernel requested on a CPU without AVX-512F"
            );
            // SAFETY: AVX-512F support was checked just above; offsets stay inside the buffer.
            run_gather::<16>(msgs, out, |state, base, offsets| unsafe {
                compress_avx512(state, base, offsets)
            })
        }
        #[cfg(not(target_arch = "x86_64"))]
        _ => run_lanes::<4>(msgs, out, compress_portable),
    }
}

/// MD5 of one message (single-lane convenience used by the scalar reference paths).
pub fn md5(bytes: &[u8]) -> [u8; 16] {
    use md5::{Digest, Md5};
    let mut out = [0u8; 16];
    out.copy_from_slice(&Md5::digest(bytes));
    out
}

/// Calls `visit(group, blocks)` for runs of at most `L` message indices of equal block count.
fn for_each_group<const L: usize>(msgs: &PaddedMessages, mut visit: impl FnMut(&[usize], usize)) {
    let max_blocks = msgs.spans.iter().map(|s| s.1).max().unwrap_or(0);
    // Bucket message indices by block count (counting sort: block counts are tiny).
    let mut by_blocks: Vec<Vec<usize>> = vec![Vec::new(); max_blocks + 1];
    for (i, &(_, blocks)) in msgs.spans.iter().enumerate() {
        by_blocks[blocks].push(i);
    }
    for (blocks, members) in by_blocks.iter().enumerate() {
        for group in members.chunks(L) {
            visit(group, blocks);
        }
    }
}

fn initial_state<const L: usize>() -> [[u32; L]; 4] {
    INIT.map(|word| [word; L])
}

fn store_digests<const L: usize>(state: &[[u32; L]; 4], group: &[usize], out: &mut [[u8; 16]]) {
    for (lane, &msg) in group.iter().enumerate() {
        for (part, row) in state.iter().enumerate() {
            out[msg][part * 4..part * 4 + 4].copy_from_slice(&row[lane].to_le_bytes());
        }
    }
}

/// Portable runner: transposes each block into word-major lanes for `compress`.
fn run_lanes<const L: usize>(
    msgs: &PaddedMessages,
    out: &mut [[u8; 16]],
    compress: impl Fn(&mut [[u32; L]; 4], &[[u32; L]; 16]),
) {
    // Word-major layout: words[i] holds word i of every lane, so lane loops are contiguous.
    let mut words = [[0u32; L]; 16];
    for_each_group::<L>(msgs, |group, blocks| {
        let mut state = initial_state::<L>();
        for block in 0..blocks {
            for lane in 0..L {
                // Short groups repeat their first message in the spare lanes.
                let msg = group[if lane < group.len() { lane } else { 0 }];
                let start = msgs.spans[msg].0 + block * 64;
                let bytes = &msgs.buf[start..start + 64];
                for (word, chunk) in words.iter_mut().zip(bytes.chunks_exact(4)) {
                    word[lane] = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
                }
            }
            compress(&mut state, &words);
        }
        store_digests(&state, group, out);
    });
}

/// SIMD runner: the kernel gathers each lane's message words straight from the buffer.
#[cfg(target_arch = "x86_64")]
fn run_gather<const L: usize>(
    msgs: &PaddedMessages,
    out: &mut [[u8; 16]],
    compress: impl Fn(&mut [[u32; L]; 4], *const u8, &[i32; L]),
) {
    assert!(
        msgs.buf.len() < i32::MAX as usize,
        "message buffer too large for 32-bit gathers"
    );
    let base = msgs.buf.as_ptr();
    for_each_group::<L>(msgs, |group, blocks| {
        let mut state = initial_state::<L>();
        // Short groups repeat their first message in the spare lanes.
        let mut offsets: [i32; L] = std::array::from_fn(|lane| {
            msgs.spans[group[if lane < group.len() { lane } else { 0 }]].0 as i32
        });
        for _ in 0..blocks {
            compress(&mut state, base, &offsets);
            for offset in offsets.iter_mut() {
                *offset += 64;
            }
        }
        store_digests(&state, group, out);
    });
}

macro_rules! md5_steps {
    ($a:ident, $b:ident, $c:ident, $d:ident, $w:ident, $L:ident) => {{
        macro_rules! step {
            ($f:expr, $g:expr, $i:expr, $s:expr) => {{
                let mut next = [0u32; $L];
                for lane in 0..$L {
                    let (b, c, d) = ($b[lane], $c[lane], $d[lane]);
                    #[allow(clippy::redundant_closure_call)]
                    let f: u32 = ($f)(b, c, d);
                    next[lane] = b.wrapping_add(
                        $a[lane]
                            .wrapping_add(f)
                            .wrapping_add(K[$i])
                            .wrapping_add($w[$g][lane])
                            .rotate_left($s),
                    );
                }
                $a = $d;
                $d = $c;
                $c = $b;
                $b = next;
            }};
        }
        let ff = |b: u32, c: u32, d: u32| (b & c) | (!b & d);
        let gg = |b: u32, c: u32, d: u32| (b & d) | (c & !d);
        let hh = |b: u32, c: u32, d: u32| b ^ c ^ d;
        let ii = |b: u32, c: u32, d: u32| c ^ (b | !d);
        step!(ff, 0, 0, 7);
        step!(ff, 1, 1, 12);
        step!(ff, 2, 2, 17);
        step!(ff, 3, 3, 22);
        step!(ff, 4, 4, 7);
        step!(ff, 5, 5, 12);
        step!(ff, 6, 6, 17);
        step!(ff, 7, 7, 22);
        step!(ff, 8, 8, 7);
        step!(ff, 9, 9, 12);
        step!(ff, 10, 10, 17);
        step!(ff, 11, 11, 22);
        step!(ff, 12, 12, 7);
        step!(ff, 13, 13, 12);
        step!(ff, 14, 14, 17);
        step!(ff, 15, 15, 22);
        step!(gg, 1, 16, 5);
        step!(gg, 6, 17, 9);
        step!(gg, 11, 18, 14);
        step!(gg, 0, 19, 20);
        step!(gg, 5, 20, 5);
        step!(gg, 10, 21, 9);
        step!(gg, 15, 22, 14);
        step!(gg, 4, 23, 20);
        step!(gg, 9, 24, 5);
        step!(gg, 14, 25, 9);
        step!(gg, 3, 26, 14);
        step!(gg, 8, 27, 20);
        step!(gg, 13, 28, 5);
        step!(gg, 2, 29, 9);
        step!(gg, 7, 30, 14);
        step!(gg, 12, 31, 20);
        step!(hh, 5, 32, 4);
        step!(hh, 8, 33, 11);
        step!(hh, 11, 34, 16);
        step!(hh, 14, 35, 23);
        step!(hh, 1, 36, 4);
        step!(hh, 4, 37, 11);
        step!(hh, 7, 38, 16);
        step!(hh, 10, 39, 23);
        step!(hh, 13, 40, 4);
        step!(hh, 0, 41, 11);
        step!(hh, 3, 42, 16);
        step!(hh, 6, 43, 23);
        step!(hh, 9, 44, 4);
        step!(hh, 12, 45, 11);
        step!(hh, 15, 46, 16);
        step!(hh, 2, 47, 23);
        step!(ii, 0, 48, 6);
        step!(ii, 7, 49, 10);
        step!(ii, 14, 50, 15);
        step!(ii, 5, 51, 21);
        step!(ii, 12, 52, 6);
        step!(ii, 3, 53, 10);
        step!(ii, 10, 54, 15);
        step!(ii, 1, 55, 21);
        step!(ii, 8, 56, 6);
        step!(ii, 15, 57, 10);
        step!(ii, 6, 58, 15);
        step!(ii, 13, 59, 21);
        step!(ii, 4, 60, 6);
        step!(ii, 11, 61, 10);
        step!(ii, 2, 62, 15);
        step!(ii, 9, 63, 21);
    }};
}

/// One MD5 block over `L` lanes; `state` is updated in place (Davies–Meyer feed-forward).
#[inline(always)]
fn compress_lanes<const L: usize>(state: &mut [[u32; L]; 4], w: &[[u32; L]; 16]) {
    let [mut a, mut b, mut c, mut d] = *state;
    md5_steps!(a, b, c, d, w, L);
    for lane in 0..L {
        state[0][lane] = state[0][lane].wrapping_add(a[lane]);
        state[1][lane] = state[1][lane].wrapping_add(b[lane]);
        state[2][lane] = state[2][lane].wrapping_add(c[lane]);
        state[3][lane] = state[3][lane].wrapping_add(d[lane]);
    }
}

fn compress_portable(state: &mut [[u32; 4]; 4], w: &[[u32; 4]; 16]) {
    compress_lanes::<4>(state, w)
}

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

// Explicit kernels: the generic lane loops above do not vectorise reliably (LLVM keeps the
// rotating a/b/c/d arrays in memory), so the wide kernels are written with intrinsics. Each
// round is its own 16-step loop so the boolean function is fixed and the loop unrolls.

/// Runs the 64 MD5 steps on vectors of type `$v` given the vector operations as closures-free
/// macro arguments; expands inside a `#[target_feature]` function so intrinsics inline.
macro_rules! md5_rounds {
    ($a:ident, $b:ident, $c:ident, $d:ident, $m:ident, $add:ident, $rol:ident, $splat:ident,
     $f:ident, $g:ident, $h:ident, $i:ident) => {
        for (round, base) in [(0usize, 0usize), (1, 16), (2, 32), (3, 48)] {
            for step in base..base + 16 {
                let mixed = match round {
                    0 => $f($b, $c, $d),
                    1 => $g($b, $c, $d),
                    2 => $h($b, $c, $d),
                    _ => $i($b, $c, $d),
                };
                let sum = $add($add($a, mixed), $add($splat(K[step]), $m[G[step]]));
                let next = $add($b, $rol(sum, S[step]));
                $a = $d;
                $d = $c;
                $c = $b;
                $b = next;
            }
        }
    };
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn compress_avx2(state: &mut [[u32; 8]; 4], base: *const u8, offsets: &[i32; 8]) {
    use std::arch::x86_64::*;
    #[inline(always)]
    unsafe fn add(x: __m256i, y: __m256i) -> __m256i {
        _mm256_add_epi32(x, y)
    }
    #[inline(always)]
    unsafe fn splat(x: u32) -> __m256i {
        _mm256_set1_epi32(x as i32)
    }
    #[inline(always)]
    unsafe fn rol(x: __m256i, s: u32) -> __m256i {
        _mm256_or_si256(
            _mm256_sllv_epi32(x, splat(s)),
            _mm256_srlv_epi32(x, splat(32 - s)),
        )
    }
    #[inline(always)]
    unsafe fn f(b: __m256i, c: __m256i, d: __m256i) -> __m256i {
        _mm256_or_si256(_mm256_and_si256(b, c), _mm256_andnot_si256(b, d))
    }
    #[inline(always)]
    unsafe fn g(b: __m256i, c: __m256i, d: __m256i) -> __m256i {
        _mm256_or_si256(_mm256_and_si256(b, d), _mm256_andnot_si256(d, c))
    }
    #[inline(always)]
    unsafe fn h(b: __m256i, c: __m256i, d: __m256i) -> __m256i {
        _mm256_xor_si256(_mm256_xor_si256(b, c), d)
    }
    #[inline(always)]
    unsafe fn i(b: __m256i, c: __m256i, d: __m256i) -> __m256i {
        _mm256_xor_si256(
            c,
            _mm256_or_si256(b, _mm256_xor_si256(d, _mm256_set1_epi32(-1))),
        )
    }
    let lane_offsets = _mm256_loadu_si256(offsets.as_ptr() as *const __m256i);
    let mut m = [_mm256_setzero_si256(); 16];
    for (word, dst) in m.iter_mut().enumerate() {
        let at = _mm256_add_epi32(lane_offsets, splat(4 * word as u32));
        *dst = _mm256_i32gather_epi32::<1>(base as *const i32, at);
    }
    let load = |row: &[u32; 8]| _mm256_loadu_si256(row.as_ptr() as *const __m256i);
    let (a0, b0, c0, d0) = (
        load(&state[0]),
        load(&state[1]),
        load(&state[2]),
        load(&state[3]),
    );
    let (mut a, mut b, mut c, mut d) = (a0, b0, c0, d0);
    md5_rounds!(a, b, c, d, m, add, rol, splat, f, g, h, i);
    for (row, (start, end)) in state.iter_mut().zip([(a0, a), (b0, b), (c0, c), (d0, d)]) {
        _mm256_storeu_si256(row.as_mut_ptr() as *mut __m256i, add(start, end));
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn compress_avx512(state: &mut [[u32; 16]; 4], base: *const u8, offsets: &[i32; 16]) {
    use std::arch::x86_64::*;
    #[inline(always)]
    unsafe fn add(x: __m512i, y: __m512i) -> __m512i {
        _mm512_add_epi32(x, y)
    }
    #[inline(always)]
    unsafe fn splat(x: u32) -> __m512i {
        _mm512_set1_epi32(x as i32)
    }
    #[inline(always)]
    unsafe fn rol(x: __m512i, s: u32) -> __m512i {
        _mm512_rolv_epi32(x, splat(s))
    }
    // Ternary-logic truth tables for (b, c, d): F = b ? c : d, G = d ? b : c, H = b ^ c ^ d,
    // I = c ^ (b | !d).
    #[inline(always)]
    unsafe fn f(b: __m512i, c: __m512i, d: __m512i) -> __m512i {
        _mm512_ternarylogic_epi32::<0xCA>(b, c, d)
    }
    #[inline(always)]
    unsafe fn g(b: __m512i, c: __m512i, d: __m512i) -> __m512i {
        _mm512_ternarylogic_epi32::<0xE4>(b, c, d)
    }
    #[inline(always)]
    unsafe fn h(b: __m512i, c: __m512i, d: __m512i) -> __m512i {
        _mm512_ternarylogic_epi32::<0x96>(b, c, d)
    }
    #[inline(always)]
    unsafe fn i(b: __m512i, c: __m512i, d: __m512i) -> __m512i {
        _mm512_ternarylogic_epi32::<0x39>(b, c, d)
    }
    let lane_offsets = _mm512_loadu_si512(offsets.as_ptr() as *const __m512i);
    let mut m = [_mm512_setzero_si512(); 16];
    for (word, dst) in m.iter_mut().enumerate() {
        let at = _mm512_add_epi32(lane_offsets, splat(4 * word as u32));
        *dst = _mm512_i32gather_epi32::<1>(at, base as *const i32);
    }
    let load = |row: &[u32; 16]| _mm512_loadu_si512(row.as_ptr() as *const __m512i);
    let (a0, b0, c0, d0) = (
        load(&state[0]),
        load(&state[1]),
        load(&state[2]),
        load(&state[3]),
    );
    let (mut a, mut b, mut c, mut d) = (a0, b0, c0, d0);
    md5_rounds!(a, b, c, d, m, add, rol, splat, f, g, h, i);
    for (row, (start, end)) in state.iter_mut().zip([(a0, a), (b0, b), (c0, c), (d0, d)]) {
        _mm512_storeu_si512(row.as_mut_ptr() as *mut __m512i, add(start, end));
    }
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
        for kernel in Kernel::available() {
            let mut out = Vec::new();
            digest_all(&msgs, kernel, &mut out);
            for (m, d) in samples.iter().zip(&out) {
                assert_eq!(*d, md5(m), "kernel {kernel:?}, message length {}", m.len());
            }
        }
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
