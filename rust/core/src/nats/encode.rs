//! Writer of the NATS `curves.data` blobs, format 3: `layout.encode_curves` byte for byte.
//!
//! The Python encoder (`benchmarks/nats/layout.py::encode_curves`, NumPy) is the reference and
//! the format is documented there; [`super::curves`] reads the blobs. Each series gets the
//! kind the reference picks, tested in the same order: NONE (no value), CONST (every present
//! value has the same bits), DEC16/DEC24/DEC32 (every present value is `k / 10.0**d` in IEEE
//! division for the smallest `d <= 6`, with the reference's bound on `d` from `log10`),
//! SPLIT4 / SPLIT (at most 16 / 256 distinct top 16 bits), else F8. The test suite compares
//! both encoders on every fixture and on random series.

// The format's version, series kinds and presence codes are the reader's (one definition).
use super::curves::{
    ABSENT, ALL, BITMAP, CONST, CURVES_VERSION, DEC16, DEC24, DEC32, F8, NONE, SPLIT, SPLIT4,
};
const MAX_DECIMALS: usize = super::curves::MAX_DECIMALS as usize;
const POW10: [f64; MAX_DECIMALS + 1] = [1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6];
const I31: f64 = 2_147_483_647.0;

/// How one series is stored.
#[derive(Clone, Copy)]
struct Plan {
    kind: u8,
    param: u8,
    presence: u8,
    /// CONST: the value's bits.
    first: u64,
}

/// `_exact_decimals` for one series: the integers `k` when every present value is
/// `k / 10.0**decimals` exactly (absent values count as 0.0), `|k| <= 2**31 - 1`.
fn exact_decimals(values: &[f64], present: &[bool], decimals: usize, out: &mut [i64]) -> bool {
    let scale = POW10[decimals];
    for ((&value, &here), k) in values.iter().zip(present).zip(out.iter_mut()) {
        let value = if here { value } else { 0.0 };
        let scaled = (value * scale).round_ties_even();
        let fits = scaled.abs() <= I31; // (false for NaN)
        if !fits {
            return false;
        }
        let integer = scaled as i64;
        if here && (integer as f64 / scale).to_bits() != value.to_bits() {
            return false;
        }
        *k = integer;
    }
    true
}

/// `_choose_decimals` for one undecided series: `(kind, decimals)` when it is a short decimal.
fn choose_decimals(values: &[f64], present: &[bool], integers: &mut [i64]) -> Option<(u8, u8)> {
    if values
        .iter()
        .zip(present)
        .any(|(v, &here)| here && !v.is_finite())
    {
        return None;
    }
    let largest = values
        .iter()
        .zip(present)
        .map(|(v, &here)| if here { v.abs() } else { 0.0 })
        .fold(f64::NEG_INFINITY, f64::max);
    // The reference's bound: floor(log10((2**31 - 1) / max(largest, 1e-300))) clipped to
    // [0, 6]; a value k / 10**d is also an exact k' / 10**m for every m >= d, so a series
    // not exact at this bound is no short decimal at all.
    let most = (I31 / largest.max(1e-300)).log10().floor();
    let most = if most.is_nan() {
        0
    } else {
        most.clamp(0.0, MAX_DECIMALS as f64) as usize
    };
    if !exact_decimals(values, present, most, integers) {
        return None;
    }
    for decimals in 0..=MAX_DECIMALS {
        if exact_decimals(values, present, decimals, integers) {
            let largest = integers.iter().map(|k| k.unsigned_abs()).max().unwrap_or(0);
            let kind = if largest < (1 << 15) {
                DEC16
            } else if largest < (1 << 23) {
                DEC24
            } else {
                DEC32
            };
            return Some((kind, decimals as u8));
        }
    }
    None // (unreachable: the bound itself was exact)
}

/// The `curves.data` blob of one trial, as `layout.encode_curves` writes it.
///
/// `values` / `present` are `(n_series, epochs)` row-major (values anything where absent);
/// `dict_present` has one flag per series; `latency` is the file's list or None.
///
/// # Panics
/// When the slices do not have the lengths `n_series` and `epochs` give, or a count does not
/// fit the format's `u16` fields (the walker bounds both far below).
pub fn encode_curves(
    values: &[f64],
    present: &[bool],
    n_series: usize,
    epochs: usize,
    dict_present: &[bool],
    latency: Option<&[f64]>,
) -> Vec<u8> {
    assert_eq!(values.len(), n_series * epochs, "values shape");
    assert_eq!(present.len(), n_series * epochs, "present shape");
    assert_eq!(dict_present.len(), n_series, "dict_present length");
    let n16 = u16::try_from(n_series).expect("series count fits u16");
    let e16 = u16::try_from(epochs).expect("epochs fit u16");
    let mut plans = Vec::with_capacity(n_series);
    let mut integers = vec![0_i64; n_series * epochs];
    let mut tables: Vec<Vec<u16>> = vec![Vec::new(); n_series];
    for (s, table_slot) in tables.iter_mut().enumerate() {
        let row = s * epochs..(s + 1) * epochs;
        let (v, p) = (&values[row.clone()], &present[row.clone()]);
        let count = p.iter().filter(|&&x| x).count();
        let first_at = p.iter().position(|&x| x).unwrap_or(0);
        let first = v[first_at].to_bits();
        let presence = if count == 0 {
            ABSENT
        } else if count == epochs {
            ALL
        } else {
            BITMAP
        };
        let mut plan = Plan {
            kind: NONE,
            param: 0,
            presence,
            first,
        };
        if count > 0 {
            let same = v
                .iter()
                .zip(p)
                .all(|(x, &here)| !here || x.to_bits() == first);
            if same {
                plan.kind = CONST;
            } else if let Some((kind, decimals)) = choose_decimals(v, p, &mut integers[row]) {
                plan.kind = kind;
                plan.param = decimals;
            } else {
                let mut table: Vec<u16> = v
                    .iter()
                    .zip(p)
                    .filter(|(_, &here)| here)
                    .map(|(x, _)| (x.to_bits() >> 48) as u16)
                    .collect();
                table.sort_unstable();
                table.dedup();
                if table.len() > 256 {
                    plan.kind = F8;
                } else {
                    plan.kind = if table.len() <= 16 { SPLIT4 } else { SPLIT };
                    plan.param = (table.len() - 1) as u8;
                    *table_slot = table;
                }
            }
        }
        plans.push(plan);
    }
    let index_of = |s: usize, e: usize| -> u8 {
        let i = s * epochs + e;
        if !present[i] {
            return 0;
        }
        let top = (values[i].to_bits() >> 48) as u16;
        tables[s].binary_search(&top).unwrap_or(0) as u8
    };
    let mut out = Vec::with_capacity(5 + 2 * n_series + epochs * 8 * n_series);
    out.push(CURVES_VERSION);
    out.extend_from_slice(&n16.to_le_bytes());
    out.extend_from_slice(&e16.to_le_bytes());
    for (plan, &dict) in plans.iter().zip(dict_present) {
        out.push(u8::from(dict) | plan.presence << 1 | plan.kind << 3);
        out.push(plan.param);
    }
    for plan in plans.iter().filter(|p| p.kind == CONST) {
        out.extend_from_slice(&plan.first.to_le_bytes());
    }
    for (s, plan) in plans.iter().enumerate() {
        if plan.presence == BITMAP {
            let row = &present[s * epochs..(s + 1) * epochs];
            for chunk in row.chunks(8) {
                let byte = chunk
                    .iter()
                    .enumerate()
                    .fold(0_u8, |b, (i, &here)| b | (u8::from(here) << i));
                out.push(byte);
            }
        }
    }
    for (plan, table) in plans.iter().zip(&tables) {
        if plan.kind == SPLIT || plan.kind == SPLIT4 {
            for top in table {
                out.extend_from_slice(&top.to_le_bytes());
            }
        }
    }
    for (s, plan) in plans.iter().enumerate() {
        if plan.kind == SPLIT4 {
            for e in (0..epochs).step_by(2) {
                let high = if e + 1 < epochs {
                    index_of(s, e + 1)
                } else {
                    0
                };
                out.push(index_of(s, e) | high << 4);
            }
        }
    }
    let row_kinds: Vec<usize> = (0..n_series).filter(|&s| plans[s].kind >= DEC16).collect();
    for e in 0..epochs {
        for &s in &row_kinds {
            let i = s * epochs + e;
            let bits = if present[i] { values[i].to_bits() } else { 0 };
            match plans[s].kind {
                DEC16 => out.extend_from_slice(&(integers[i] as i16).to_le_bytes()),
                DEC24 => {
                    out.extend_from_slice(&((integers[i] & 0xFFFF) as u16).to_le_bytes());
                    out.push((integers[i] >> 16) as i8 as u8);
                }
                DEC32 => out.extend_from_slice(&(integers[i] as i32).to_le_bytes()),
                SPLIT | SPLIT4 => {
                    out.extend_from_slice(&(bits as u32).to_le_bytes());
                    out.extend_from_slice(&((bits >> 32) as u16).to_le_bytes());
                    if plans[s].kind == SPLIT {
                        out.push(index_of(s, e));
                    }
                }
                _ => out.extend_from_slice(&bits.to_le_bytes()), // F8
            }
        }
    }
    match latency {
        None => out.extend_from_slice(&(-1_i32).to_le_bytes()),
        Some(list) => {
            out.extend_from_slice(&(list.len() as i32).to_le_bytes());
            for x in list {
                out.extend_from_slice(&x.to_le_bytes());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::curves::CurvesBlob;
    use super::*;

    /// A small deterministic generator (no dependency).
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 11
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    fn random_series(rng: &mut Lcg, epochs: usize) -> (Vec<f64>, Vec<bool>) {
        let style = rng.below(8);
        let mut values = Vec::with_capacity(epochs);
        let mut present = Vec::with_capacity(epochs);
        for _ in 0..epochs {
            let here = match style {
                0 => false,
                1 => rng.below(4) != 0,
                _ => true,
            };
            let value = match style {
                2 => 7.25,
                3 => (rng.below(10_000) as f64) / 100.0,
                4 => (rng.below(2_000_000_000) as f64 - 1e9) / 1e3,
                5 => f64::from_bits(rng.next() << 11),
                6 => rng.below(1000) as f64 * 1.000_000_1,
                _ => (rng.below(100_000) as f64) / 7.0,
            };
            values.push(if here { value } else { 0.0 });
            present.push(here);
        }
        (values, present)
    }

    #[test]
    fn every_present_value_reads_back_bit_for_bit() {
        let mut rng = Lcg(7);
        for _ in 0..400 {
            let n_series = 4 + 3 * rng.below(4) as usize;
            let epochs = 1 + rng.below(40) as usize;
            let mut values = Vec::new();
            let mut present = Vec::new();
            for _ in 0..n_series {
                let (v, p) = random_series(&mut rng, epochs);
                values.extend(v);
                present.extend(p);
            }
            let dicts: Vec<bool> = (0..n_series).map(|_| rng.below(5) != 0).collect();
            let latency = (rng.below(2) == 0).then(|| vec![0.5, 0.25]);
            let blob = encode_curves(
                &values,
                &present,
                n_series,
                epochs,
                &dicts,
                latency.as_deref(),
            );
            let parsed = CurvesBlob::parse(&blob).expect("the reader accepts the blob");
            let (back, back_present) = parsed.arrays().expect("decodes");
            assert_eq!(back_present, present);
            for i in 0..values.len() {
                if present[i] {
                    assert_eq!(back[i].to_bits(), values[i].to_bits(), "value {i}");
                }
            }
            for (s, &dict) in dicts.iter().enumerate() {
                assert_eq!(parsed.dict_present(s).unwrap(), dict);
            }
        }
    }

    #[test]
    fn short_decimals_take_the_smallest_kind() {
        let values = [30.83, 12.5, 99.99, 0.0];
        let blob = encode_curves(&values, &[true; 4], 1, 4, &[true], None);
        assert_eq!(blob[5], 1 | ALL << 1 | DEC16 << 3);
        assert_eq!(blob[6], 2); // two decimals
        assert_eq!(blob.len(), 5 + 2 + 4 * 2 + 4);
    }
}
