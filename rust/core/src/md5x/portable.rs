//! The portable kernel: 4 lanes of plain `u32` arithmetic, for CPUs without AVX2.
//!
//! LLVM mostly keeps this scalar; the four independent lanes still give the out-of-order core
//! four dependency chains to overlap, which a one-message MD5 cannot.

type Lanes = [u32; 4];

/// Lane-wise `op`, as a plain indexed loop over the four lanes.
#[inline(always)]
fn lanes(op: impl Fn(usize) -> u32) -> Lanes {
    let mut out = [0u32; 4];
    for (lane, slot) in out.iter_mut().enumerate() {
        *slot = op(lane);
    }
    out
}

#[inline(always)]
fn add(x: Lanes, y: Lanes) -> Lanes {
    lanes(|l| x[l].wrapping_add(y[l]))
}

// The round functions work on single words: `step!` applies them lane by lane.
#[inline(always)]
fn f(b: u32, c: u32, d: u32) -> u32 {
    (b & c) | (!b & d)
}

#[inline(always)]
fn g(b: u32, c: u32, d: u32) -> u32 {
    (b & d) | (c & !d)
}

#[inline(always)]
fn h(b: u32, c: u32, d: u32) -> u32 {
    b ^ c ^ d
}

#[inline(always)]
fn i(b: u32, c: u32, d: u32) -> u32 {
    c ^ (b | !d)
}

/// One step's arithmetic, `b + rotl(a + fun(b, c, d) + k + w, s)`, fused into one lane loop.
macro_rules! step {
    ($fun:ident, $a:expr, $b:expr, $c:expr, $d:expr, $k:expr, $w:expr, $s:expr) => {{
        let (a, b, c, d, w): (Lanes, Lanes, Lanes, Lanes, Lanes) = ($a, $b, $c, $d, $w);
        lanes(|l| {
            b[l].wrapping_add(
                a[l].wrapping_add($fun(b[l], c[l], d[l]))
                    .wrapping_add($k)
                    .wrapping_add(w[l])
                    .rotate_left($s),
            )
        })
    }};
}

/// One MD5 block over 4 lanes; `w[word][lane]` holds the message words, word-major.
pub(super) fn compress(state: &mut [Lanes; 4], w: &[Lanes; 16]) {
    let [a0, b0, c0, d0] = *state;
    let (mut a, mut b, mut c, mut d) = (a0, b0, c0, d0);
    md5_rounds!(a, b, c, d, w, step, f, g, h, i);
    *state = [add(a0, a), add(b0, b), add(c0, c), add(d0, d)];
}
