//! The AVX2 kernel: 8 lanes, message words gathered straight from the padded buffer.

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

/// One step's arithmetic: `b + rotl(a + fun(b, c, d) + k + w, s)`.
macro_rules! step {
    ($fun:ident, $a:expr, $b:expr, $c:expr, $d:expr, $k:expr, $w:expr, $s:expr) => {
        add(
            $b,
            rol(add(add($a, $fun($b, $c, $d)), add(splat($k), $w)), $s),
        )
    };
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

/// One MD5 block over 8 lanes; lane `l` reads the 64 bytes at `base + offsets[l]`.
///
/// # Safety
/// The CPU must support AVX2 and every `base + offsets[l] .. + 64` must be readable.
#[target_feature(enable = "avx2")]
pub(super) unsafe fn compress(state: &mut [[u32; 8]; 4], base: *const u8, offsets: &[i32; 8]) {
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
    md5_rounds!(a, b, c, d, m, step, f, g, h, i);
    for (row, (start, end)) in state.iter_mut().zip([(a0, a), (b0, b), (c0, c), (d0, d)]) {
        _mm256_storeu_si256(row.as_mut_ptr() as *mut __m256i, add(start, end));
    }
}
