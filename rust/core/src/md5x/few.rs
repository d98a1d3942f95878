//! A handful of messages (at most [`FEW_LANES`]) of mixed lengths digested side by side, for
//! latency-bound callers: one NAS-Bench-101 cell hashed on its own sends 7 messages per round,
//! and the next round needs all of them, so the time is the longest message's block count
//! times one block's latency.
//!
//! The batch runners ([`super::digest_slots`]) group equal block counts, keep the state in
//! memory between blocks and transpose 16 lanes; for 7 messages that bookkeeping cost as much
//! as the MD5 itself. Here every lane runs all blocks of the longest message with its state in
//! registers, and lanes whose message has ended keep their digest through a mask.

use super::{padded_blocks, Kernel, INIT};

/// `$x`, hidden from the optimiser: LLVM reassociates `a + f + k + w` so that the round
/// function (which waits for the previous step) is added first and the constant last, one
/// addition more on the dependency chain than needed. Forcing `a + k + w` to be computed on its
/// own keeps the chain at round function, add, rotate, add (4 cycles instead of 5 per step).
#[cfg(target_arch = "x86_64")]
macro_rules! opaque {
    ($x:expr) => {{
        let mut x: std::arch::x86_64::__m256i = $x;
        // SAFETY: an empty instruction sequence that only claims to modify `x`.
        unsafe {
            std::arch::asm!(
                "/* {0} */",
                inout(ymm_reg) x,
                options(pure, nomem, nostack, preserves_flags)
            );
        }
        x
    }};
}

/// One step, `b + rotl((a + k + w) + fun(b, c, d), s)`, on 8 lanes.
#[cfg(target_arch = "x86_64")]
macro_rules! step_vl {
    ($fun:ident, $a:expr, $b:expr, $c:expr, $d:expr, $k:expr, $w:expr, $s:expr) => {{
        use std::arch::x86_64::*;
        let early = opaque!(_mm256_add_epi32(
            _mm256_add_epi32($a, _mm256_set1_epi32($k as i32)),
            $w
        ));
        let mixed = _mm256_add_epi32(early, $fun($b, $c, $d));
        _mm256_add_epi32($b, _mm256_rolv_epi32(mixed, _mm256_set1_epi32($s as i32)))
    }};
}

// Ternary-logic truth tables for (b, c, d), as in the 16-lane kernel: F = b ? c : d,
// G = d ? b : c, H = b ^ c ^ d, I = c ^ (b | !d).
macro_rules! ternary_vl {
    ($name:ident, $table:literal) => {
        #[cfg(target_arch = "x86_64")]
        #[inline(always)]
        fn $name(
            b: std::arch::x86_64::__m256i,
            c: std::arch::x86_64::__m256i,
            d: std::arch::x86_64::__m256i,
        ) -> std::arch::x86_64::__m256i {
            // SAFETY: only inlined into `avx512_few`, which requires AVX-512F/VL.
            unsafe { std::arch::x86_64::_mm256_ternarylogic_epi32::<$table>(b, c, d) }
        }
    };
}
ternary_vl!(f_vl, 0xCA);
ternary_vl!(g_vl, 0xE4);
ternary_vl!(h_vl, 0x96);
ternary_vl!(i_vl, 0x39);

/// Most messages one call digests.
pub const FEW_LANES: usize = 8;

/// Messages of one call laid out at a fixed stride in one buffer, each already padded.
///
/// Message `l` starts at byte `l * stride` and spans `blocks[l]` whole 64-byte blocks (its MD5
/// padding and bit length included), `1 <= blocks[l]` and `blocks[l] * 64 <= stride`.
#[derive(Clone, Copy, Debug)]
pub struct FewMessages<'a> {
    buf: &'a [u8],
    stride: usize,
    blocks: &'a [u8],
}

impl<'a> FewMessages<'a> {
    /// The layout of `blocks.len()` messages in `buf`, or None when it does not hold: more than
    /// [`FEW_LANES`] messages, a stride that is not a whole number of blocks, a message of no
    /// block or longer than the stride, or a buffer too short for the last message.
    pub fn new(buf: &'a [u8], stride: usize, blocks: &'a [u8]) -> Option<Self> {
        let fits = blocks.len() <= FEW_LANES
            && stride.is_multiple_of(64)
            && stride <= i32::MAX as usize / FEW_LANES
            && blocks.iter().all(|&b| b >= 1 && b as usize * 64 <= stride)
            && buf.len() >= blocks.len() * stride;
        fits.then_some(Self {
            buf,
            stride,
            blocks,
        })
    }

    /// Number of messages.
    pub fn len(&self) -> usize {
        self.blocks.len()
    }

    /// True when there is no message.
    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }
}

/// Writes the MD5 padding of a message of `len` bytes that starts at `msg[0]`: the 0x80 byte,
/// zeros up to the bit length, the bit length. Returns its block count, or None when `msg` is
/// too short for the padded message.
pub fn pad_in_place(msg: &mut [u8], len: usize) -> Option<u8> {
    let blocks = padded_blocks(len);
    let padded = msg.get_mut(..blocks * 64)?;
    padded[len] = 0x80;
    padded[len + 1..blocks * 64 - 8].fill(0);
    padded[blocks * 64 - 8..].copy_from_slice(&((len as u64).wrapping_mul(8)).to_le_bytes());
    u8::try_from(blocks).ok()
}

/// Digests every message of `msgs` into `out[..msgs.len()]` with `kernel` (a kernel this CPU
/// lacks falls back to the portable one; every kernel gives the same bytes).
pub fn digest_few(msgs: &FewMessages<'_>, kernel: Kernel, out: &mut [[u8; 16]; FEW_LANES]) {
    if msgs.is_empty() {
        return;
    }
    #[cfg(target_arch = "x86_64")]
    {
        if kernel == Kernel::Avx512
            && std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512vl")
        {
            // SAFETY: AVX-512F/VL are available (checked above); `FewMessages::new` checked
            // that every block read (at most `blocks[l]` of message l, at stride `stride`)
            // lies inside `buf`.
            let state = unsafe { avx512_few(msgs) };
            return store(&state, msgs.len(), out);
        }
        if kernel != Kernel::Portable && std::arch::is_x86_feature_detected!("avx2") {
            return gathered_avx2(msgs, out);
        }
    }
    let _ = kernel; // only the portable kernel exists off x86-64
    portable_few(msgs, out);
}

/// Digest bytes of lane `l` from word-major state rows.
#[inline]
fn store<const L: usize>(state: &[[u32; L]; 4], count: usize, out: &mut [[u8; 16]; FEW_LANES]) {
    for (lane, digest) in out.iter_mut().enumerate().take(count.min(L)) {
        for (part, row) in state.iter().enumerate() {
            digest[part * 4..part * 4 + 4].copy_from_slice(&row[lane].to_le_bytes());
        }
    }
}

/// Byte offset of block `block` of message `lane`: a lane past its message rereads its last
/// block, a lane past the messages reads message 0 (readable, result discarded).
#[inline]
fn block_offset(msgs: &FewMessages<'_>, lane: usize, block: usize) -> usize {
    let lane = if lane < msgs.len() { lane } else { 0 };
    let last = msgs.blocks[lane] as usize - 1;
    lane * msgs.stride + 64 * block.min(last)
}

/// Longest message's block count.
#[inline]
fn longest(msgs: &FewMessages<'_>) -> usize {
    msgs.blocks.iter().copied().max().unwrap_or(0) as usize
}

/// The portable kernel on two groups of 4 lanes (lanes past their message keep their state).
fn portable_few(msgs: &FewMessages<'_>, out: &mut [[u8; 16]; FEW_LANES]) {
    let mut state = [[0u32; FEW_LANES]; 4];
    for group in 0..msgs.len().div_ceil(4) {
        let mut lanes = INIT.map(|word| [word; 4]);
        let mut words = [[0u32; 4]; 16];
        for block in 0..longest(msgs) {
            for lane in 0..4 {
                let start = block_offset(msgs, group * 4 + lane, block);
                let bytes = &msgs.buf[start..start + 64];
                for (word, chunk) in words.iter_mut().zip(bytes.chunks_exact(4)) {
                    word[lane] = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
                }
            }
            let before = lanes;
            super::portable::compress(&mut lanes, &words);
            for lane in 0..4 {
                let index = group * 4 + lane;
                if index >= msgs.len() || block >= msgs.blocks[index] as usize {
                    for (row, saved) in lanes.iter_mut().zip(&before) {
                        row[lane] = saved[lane];
                    }
                }
            }
        }
        for (row, part) in state.iter_mut().zip(&lanes) {
            row[group * 4..group * 4 + 4].copy_from_slice(part);
        }
    }
    store(&state, msgs.len(), out);
}

/// The AVX2 gather kernel, one call per block (CPUs without AVX-512).
#[cfg(target_arch = "x86_64")]
fn gathered_avx2(msgs: &FewMessages<'_>, out: &mut [[u8; 16]; FEW_LANES]) {
    let mut state = INIT.map(|word| [word; FEW_LANES]);
    for block in 0..longest(msgs) {
        // Offsets fit i32: `FewMessages::new` bounds the stride.
        let offsets: [i32; FEW_LANES] =
            std::array::from_fn(|lane| block_offset(msgs, lane, block) as i32);
        let before = state;
        // SAFETY: AVX2 was detected by the caller; every offset is a whole block inside `buf`.
        unsafe { super::avx2::compress(&mut state, msgs.buf.as_ptr(), &offsets) };
        for lane in 0..FEW_LANES {
            if lane >= msgs.len() || block >= msgs.blocks[lane] as usize {
                for (row, saved) in state.iter_mut().zip(&before) {
                    row[lane] = saved[lane];
                }
            }
        }
    }
    store(&state, msgs.len(), out);
}

/// 8 lanes in 256-bit registers with AVX-512VL (native rotates, ternary logic), state kept in
/// registers over all blocks.
///
/// # Safety
/// The CPU must support AVX-512F and AVX-512VL; `msgs` must satisfy [`FewMessages::new`].
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl")]
unsafe fn avx512_few(msgs: &FewMessages<'_>) -> [[u32; FEW_LANES]; 4] {
    use std::arch::x86_64::*;
    let splat = |x: u32| _mm256_set1_epi32(x as i32);
    let mut a = splat(INIT[0]);
    let mut b = splat(INIT[1]);
    let mut c = splat(INIT[2]);
    let mut d = splat(INIT[3]);
    let base = msgs.buf.as_ptr();
    let mut blocks = [0i32; FEW_LANES];
    for (slot, &count) in blocks.iter_mut().zip(msgs.blocks) {
        *slot = i32::from(count);
    }
    let blocks = _mm256_loadu_si256(blocks.as_ptr().cast());
    for block in 0..longest(msgs) {
        let rows: [__m512i; FEW_LANES] = std::array::from_fn(|lane| {
            // SAFETY: a whole block of a message inside `buf` (see `block_offset`).
            unsafe { _mm512_loadu_si512(base.add(block_offset(msgs, lane, block)).cast()) }
        });
        let m = transpose_8x16(&rows);
        let (a0, b0, c0, d0) = (a, b, c, d);
        md5_rounds!(a, b, c, d, m, step_vl, f_vl, g_vl, h_vl, i_vl);
        // Lanes whose message has more than `block` blocks take this block's result.
        let active = _mm256_cmpgt_epi32_mask(blocks, splat(block as u32));
        a = _mm256_mask_add_epi32(a0, active, a0, a);
        b = _mm256_mask_add_epi32(b0, active, b0, b);
        c = _mm256_mask_add_epi32(c0, active, c0, c);
        d = _mm256_mask_add_epi32(d0, active, d0, d);
    }
    let mut state = [[0u32; FEW_LANES]; 4];
    for (row, word) in state.iter_mut().zip([a, b, c, d]) {
        _mm256_storeu_si256(row.as_mut_ptr().cast(), word);
    }
    state
}

/// 8 rows of 16 words to 16 registers of word `w` of the 8 rows: 8 + 8 unpacks within
/// 128-bit lanes, then 8 two-source qword permutes and 8 extracts across them.
#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx512f,avx512vl")]
fn transpose_8x16(r: &[std::arch::x86_64::__m512i; FEW_LANES]) -> [std::arch::x86_64::__m256i; 16] {
    use std::arch::x86_64::*;
    // t[2i] / t[2i + 1]: in 128-bit lane k, words (4k, 4k + 1) / (4k + 2, 4k + 3) of rows
    // 2i and 2i + 1, interleaved.
    let t: [__m512i; 8] = std::array::from_fn(|j| {
        let (x, y) = (r[j & !1], r[j | 1]);
        if j & 1 == 0 {
            _mm512_unpacklo_epi32(x, y)
        } else {
            _mm512_unpackhi_epi32(x, y)
        }
    });
    // u[4h + q]: in 128-bit lane k, word 4k + q of rows 4h .. 4h + 3.
    let u: [__m512i; 8] = std::array::from_fn(|j| {
        let (h, q) = (j / 4, j % 4);
        let (x, y) = (t[4 * h + q / 2], t[4 * h + 2 + q / 2]);
        if q % 2 == 0 {
            _mm512_unpacklo_epi64(x, y)
        } else {
            _mm512_unpackhi_epi64(x, y)
        }
    });
    // Word 4k + q of all 8 rows: lane k of u[q] (rows 0..3) then lane k of u[4 + q] (rows
    // 4..7). One permute gathers lanes 0 and 2 (words q, 8 + q), another lanes 1 and 3.
    let even = _mm512_setr_epi64(0, 1, 8, 9, 4, 5, 12, 13);
    let odd = _mm512_setr_epi64(2, 3, 10, 11, 6, 7, 14, 15);
    let mut out = [_mm256_setzero_si256(); 16];
    for q in 0..4 {
        let low = _mm512_permutex2var_epi64(u[q], even, u[4 + q]);
        let high = _mm512_permutex2var_epi64(u[q], odd, u[4 + q]);
        out[q] = _mm512_castsi512_si256(low);
        out[8 + q] = _mm512_extracti64x4_epi64::<1>(low);
        out[4 + q] = _mm512_castsi512_si256(high);
        out[12 + q] = _mm512_extracti64x4_epi64::<1>(high);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::md5x::md5;

    /// Messages of the given lengths with varied content, laid out for [`digest_few`].
    fn layout(lengths: &[usize]) -> (Vec<u8>, usize, Vec<u8>, Vec<Vec<u8>>) {
        let stride = lengths.iter().map(|&l| padded_blocks(l)).max().unwrap_or(1) * 64;
        let mut buf = vec![0xAAu8; lengths.len() * stride];
        let mut blocks = Vec::new();
        let mut contents = Vec::new();
        for (lane, &len) in lengths.iter().enumerate() {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 31 + lane * 7 + len) as u8).collect();
            let msg = &mut buf[lane * stride..(lane + 1) * stride];
            msg[..len].copy_from_slice(&bytes);
            blocks.push(pad_in_place(msg, len).unwrap());
            contents.push(bytes);
        }
        (buf, stride, blocks, contents)
    }

    #[test]
    fn every_kernel_matches_md5_crate_on_mixed_lengths() {
        let sets: [&[usize]; 7] = [
            &[0],
            &[55, 56],
            &[34, 66, 98, 130, 162, 194, 226],
            &[252],
            &[1, 300, 63, 64, 119, 120, 200, 7],
            &[546, 34],
            &[],
        ];
        for lengths in sets {
            let (buf, stride, blocks, contents) = layout(lengths);
            let msgs = FewMessages::new(&buf, stride, &blocks).unwrap();
            // Requesting a kernel the CPU lacks falls back: every request must give MD5.
            for kernel in [Kernel::Portable, Kernel::Avx2, Kernel::Avx512] {
                let mut out = [[0u8; 16]; FEW_LANES];
                digest_few(&msgs, kernel, &mut out);
                for (lane, bytes) in contents.iter().enumerate() {
                    assert_eq!(out[lane], md5(bytes), "{kernel:?}, lengths {lengths:?}");
                }
            }
        }
    }

    #[test]
    fn layouts_that_do_not_hold_are_refused() {
        let buf = [0u8; 256];
        assert!(FewMessages::new(&buf, 128, &[2, 2]).is_some());
        assert!(FewMessages::new(&buf, 128, &[3]).is_none()); // longer than the stride
        assert!(FewMessages::new(&buf, 100, &[1]).is_none()); // not whole blocks
        assert!(FewMessages::new(&buf, 128, &[0]).is_none()); // no block
        assert!(FewMessages::new(&buf, 128, &[1, 1, 1]).is_none()); // buffer too short
        assert!(FewMessages::new(&[0u8; 64 * 9], 64, &[1; 9]).is_none()); // too many
        assert_eq!(pad_in_place(&mut [0u8; 64], 56), None);
        assert_eq!(pad_in_place(&mut [0u8; 128], 56), Some(2));
    }
}
