//! The AVX-512F kernel: 16 lanes, native rotates, round functions as ternary logic.

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

/// One step's arithmetic: `b + rotl(a + fun(b, c, d) + k + w, s)`.
macro_rules! step {
    ($fun:ident, $a:expr, $b:expr, $c:expr, $d:expr, $k:expr, $w:expr, $s:expr) => {
        add(
            $b,
            rol(add(add($a, $fun($b, $c, $d)), add(splat($k), $w)), $s),
        )
    };
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

/// One MD5 block over 16 lanes; lane `l` reads the 64 bytes at `base + offsets[l]`.
///
/// # Safety
/// The CPU must support AVX-512F and every `base + offsets[l] .. + 64` must be readable.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn compress(state: &mut [[u32; 16]; 4], base: *const u8, offsets: &[i32; 16]) {
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
    md5_rounds!(a, b, c, d, m, step, f, g, h, i);
    for (row, (start, end)) in state.iter_mut().zip([(a0, a), (b0, b), (c0, c), (d0, d)]) {
        _mm512_storeu_si512(row.as_mut_ptr() as *mut __m512i, add(start, end));
    }
}
