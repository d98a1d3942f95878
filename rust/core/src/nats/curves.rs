//! Reader of the NATS `curves.data` blobs, format 3 (the Python reference is
//! `benchmarks/nats/layout.py`: `encode_curves` writes them, `Curves` reads them).
//!
//! A blob is uncompressed and every value sits at a fixed offset, so a mid-run
//! `get_more_info` reads a handful of values per trial. [`CurvesBlob::parse`] checks the
//! header and descriptors exactly as `_Layout` / `Curves.__init__` do (same refusals, same
//! messages); [`mid_run_sets`] is `results._mid_run_sets` for every trial of an
//! (architecture, hp, dataset) in one call, values bit for bit (Python's `sum` via
//! [`python_sum`], IEEE division for the decimal kinds). A damaged blob is an `Err`
//! ([`CoreError::CorruptSource`]; the binding raises `CorruptDatabaseError`), never a panic:
//! every read is bounds-checked against the layout the blob declares.

use super::finals::python_sum;
use crate::error::{CoreError, CoreResult};

/// The blob format version this module reads (and `encode` writes).
pub const CURVES_VERSION: u8 = 3;
const HEADER: usize = 5;
// Series kinds and presence codes of format 3, shared with the encoder (`super::encode`).
pub(super) const NONE: u8 = 0;
pub(super) const CONST: u8 = 1;
pub(super) const DEC16: u8 = 2;
pub(super) const DEC24: u8 = 3;
pub(super) const DEC32: u8 = 4;
pub(super) const SPLIT: u8 = 5;
pub(super) const SPLIT4: u8 = 6;
pub(super) const F8: u8 = 7;
pub(super) const ABSENT: u8 = 0;
pub(super) const ALL: u8 = 1;
pub(super) const BITMAP: u8 = 2;
pub(super) const MAX_DECIMALS: u8 = 6;
/// Series index of `train_times` (layout `TRAIN_SERIES`).
const TRAIN_TIME: usize = 3;
const POW10: [f64; 7] = [1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6];

/// Bytes of a row field per kind (0: the kind has no row field).
fn field_size(kind: u8) -> usize {
    match kind {
        DEC16 => 2,
        DEC24 => 3,
        DEC32 => 4,
        SPLIT => 7,
        SPLIT4 => 6,
        F8 => 8,
        _ => 0,
    }
}

fn corrupt(message: &str) -> CoreError {
    CoreError::corrupt(message)
}

/// One series' place in a blob.
#[derive(Debug, Clone, Copy)]
struct Series {
    dict_present: bool,
    presence: u8,
    kind: u8,
    param: u8,
    /// CONST: absolute offset of its value; row kinds: offset in a row.
    offset: usize,
    bitmap: usize,
    table: usize,
    nibbles: usize,
}

/// A parsed format-3 blob: random access to single values.
#[derive(Debug)]
pub struct CurvesBlob<'a> {
    blob: &'a [u8],
    series: Vec<Series>,
    epochs: usize,
    rows: usize,
    row_size: usize,
}

/// One set's `(loss, accuracy, all_time)` at an epoch (`all_time` None: not timed).
pub type SetValues = (f64, f64, Option<f64>);

/// What [`CurvesBlob::metric`] finds: the official method would raise, would not (values
/// not read), or the values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Metric {
    Missing,
    Exists,
    Values(SetValues),
}

impl<'a> CurvesBlob<'a> {
    /// Checks the header and descriptors (`layout._Layout` / `Curves.__init__`).
    pub fn parse(blob: &'a [u8]) -> CoreResult<Self> {
        if blob.len() < HEADER {
            return Err(corrupt("curves blob shorter than its header"));
        }
        let version = blob[0];
        let n_series = usize::from(u16::from_le_bytes([blob[1], blob[2]]));
        let epochs = usize::from(u16::from_le_bytes([blob[3], blob[4]]));
        if version != CURVES_VERSION {
            return Err(CoreError::corrupt(format!(
                "curves blob version {version} not understood"
            )));
        }
        if blob.len() < HEADER + 2 * n_series {
            return Err(corrupt("curves blob shorter than its descriptors"));
        }
        let mut series = Vec::with_capacity(n_series);
        for s in 0..n_series {
            let flags = blob[HEADER + 2 * s];
            let param = blob[HEADER + 2 * s + 1];
            let (presence, kind) = (flags >> 1 & 3, flags >> 3);
            if kind > F8 || presence > BITMAP || (kind == NONE) != (presence == ABSENT) {
                return Err(corrupt(
                    "curves blob with an unknown or inconsistent series kind",
                ));
            }
            if matches!(kind, DEC16 | DEC24 | DEC32) && param > MAX_DECIMALS {
                return Err(corrupt("curves blob with too many decimals"));
            }
            if kind == SPLIT4 && param > 15 {
                return Err(corrupt(
                    "curves blob with a 4-bit index into a table of > 16",
                ));
            }
            series.push(Series {
                dict_present: flags & 1 != 0,
                presence,
                kind,
                param,
                offset: 0,
                bitmap: 0,
                table: 0,
                nibbles: 0,
            });
        }
        // The sections in the encoder's order (see the layout.py docstring).
        let mut offset = HEADER + 2 * n_series;
        for s in series.iter_mut().filter(|s| s.kind == CONST) {
            s.offset = offset;
            offset += 8;
        }
        for s in series.iter_mut().filter(|s| s.presence == BITMAP) {
            s.bitmap = offset;
            offset += epochs.div_ceil(8);
        }
        for s in series
            .iter_mut()
            .filter(|s| matches!(s.kind, SPLIT | SPLIT4))
        {
            s.table = offset;
            offset += 2 * (usize::from(s.param) + 1);
        }
        for s in series.iter_mut().filter(|s| s.kind == SPLIT4) {
            s.nibbles = offset;
            offset += epochs.div_ceil(2);
        }
        let mut row_size = 0;
        for s in series.iter_mut() {
            let size = field_size(s.kind);
            if size > 0 {
                s.offset = row_size;
                row_size += size;
            }
        }
        let latency = offset + epochs * row_size;
        if blob.len() < latency + 4 {
            return Err(corrupt("curves blob shorter than its layout"));
        }
        Ok(Self {
            blob,
            series,
            epochs,
            rows: offset,
            row_size,
        })
    }

    /// Epochs of the trial.
    pub fn epochs(&self) -> usize {
        self.epochs
    }

    /// Series in the blob.
    pub fn n_series(&self) -> usize {
        self.series.len()
    }

    fn get(&self, s: usize) -> CoreResult<&Series> {
        self.series
            .get(s)
            .ok_or_else(|| corrupt("curves blob with fewer series than its trial's sets"))
    }

    /// Whether the file had a dict for series `s`.
    pub fn dict_present(&self, s: usize) -> CoreResult<bool> {
        Ok(self.get(s)?.dict_present)
    }

    /// Whether series `s` has any value (its presence is not "absent").
    pub fn has_any(&self, s: usize) -> CoreResult<bool> {
        Ok(self.get(s)?.presence != ABSENT)
    }

    fn bit(&self, series: &Series, e: usize) -> bool {
        self.blob[series.bitmap + (e >> 3)] >> (e & 7) & 1 != 0
    }

    /// Whether series `s` has a value at epoch `e < epochs`.
    pub fn present(&self, s: usize, e: usize) -> CoreResult<bool> {
        let series = self.get(s)?;
        Ok(match series.presence {
            ALL => true,
            ABSENT => false,
            _ => self.bit(series, e),
        })
    }

    /// The value of series `s` at epoch `e < epochs` (`Curves.value`; check presence first).
    pub fn value(&self, s: usize, e: usize) -> CoreResult<f64> {
        let series = self.get(s)?;
        let blob = self.blob;
        let at = self.rows + e * self.row_size + series.offset;
        let le = |i: usize| blob[i];
        Ok(match series.kind {
            SPLIT | SPLIT4 => {
                let index = if series.kind == SPLIT4 {
                    blob[series.nibbles + (e >> 1)] >> ((e & 1) << 2) & 15
                } else {
                    blob[at + 6]
                };
                if index > series.param {
                    return Err(corrupt("curves blob with a table index outside its table"));
                }
                let top = series.table + 2 * usize::from(index);
                let mut bytes = [0u8; 8];
                bytes[..6].copy_from_slice(&blob[at..at + 6]);
                bytes[6..].copy_from_slice(&blob[top..top + 2]);
                f64::from_le_bytes(bytes)
            }
            CONST => f64_at(blob, series.offset),
            NONE => 0.0,
            F8 => f64_at(blob, at),
            DEC16 => {
                let k = i16::from_le_bytes([le(at), le(at + 1)]);
                f64::from(k) / POW10[usize::from(series.param)]
            }
            DEC24 => {
                let low = i32::from(u16::from_le_bytes([le(at), le(at + 1)]));
                let k = low | i32::from(le(at + 2) as i8) << 16;
                f64::from(k) / POW10[usize::from(series.param)]
            }
            _ => {
                let k = i32::from_le_bytes([le(at), le(at + 1), le(at + 2), le(at + 3)]);
                f64::from(k) / POW10[usize::from(series.param)]
            }
        })
    }

    /// `Curves.metric`: `get_train` / `get_eval` of the set with these series at epoch `e`
    /// (`set.is_train` is not used: the caller resolves `timed`).
    ///
    /// `timed`: whether the official method reads the times (`all_time` summed over
    /// `0..=e`); `read` false: only check that the values exist.
    pub fn metric(
        &self,
        set: SetSeries,
        timed: bool,
        e: usize,
        read: bool,
        compensated: bool,
    ) -> CoreResult<Metric> {
        let SetSeries {
            acc, loss, time, ..
        } = set;
        for s in [loss, acc] {
            let series = self.get(s)?;
            if series.presence == ABSENT
                || !series.dict_present
                || (series.presence == BITMAP && !self.bit(series, e))
            {
                return Ok(Metric::Missing);
            }
        }
        if timed {
            let series = self.get(time)?;
            if series.presence == ABSENT || !series.dict_present {
                return Ok(Metric::Missing);
            }
            if series.presence == BITMAP && !(0..=e).all(|i| self.bit(series, i)) {
                return Ok(Metric::Missing);
            }
        }
        if !read {
            return Ok(Metric::Exists);
        }
        let all_time = if timed {
            let series = self.get(time)?;
            Some(if series.kind == CONST {
                let value = f64_at(self.blob, series.offset);
                python_sum(std::iter::repeat_n(value, e + 1), compensated)
            } else {
                let values = (0..=e)
                    .map(|i| self.value(time, i))
                    .collect::<CoreResult<Vec<f64>>>()?;
                python_sum(values, compensated)
            })
        } else {
            None
        };
        let loss_value = self.value(loss, e)?;
        let acc_value = self.value(acc, e)?;
        Ok(Metric::Values((loss_value, acc_value, all_time)))
    }

    /// Every value as `(series, epochs)` row-major values (0.0 where absent) and the mask
    /// (`Curves.arrays`).
    pub fn arrays(&self) -> CoreResult<(Vec<f64>, Vec<bool>)> {
        let (n, epochs) = (self.series.len(), self.epochs);
        let mut values = vec![0.0; n * epochs];
        let mut present = vec![false; n * epochs];
        for s in 0..n {
            for e in 0..epochs {
                if self.present(s, e)? {
                    present[s * epochs + e] = true;
                    values[s * epochs + e] = self.value(s, e)?;
                }
            }
        }
        Ok((values, present))
    }
}

fn f64_at(blob: &[u8], at: usize) -> f64 {
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&blob[at..at + 8]);
    f64::from_le_bytes(bytes)
}

/// Where one set of one trial sits in its blob: accuracy, loss and time series, and whether
/// it is the train set (timed when the times have a dict) or an eval set (timed when any of
/// the trial's eval time series has values, as the official `get_eval` tests `eval_times`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetSeries {
    pub acc: usize,
    pub loss: usize,
    pub time: usize,
    pub is_train: bool,
}

/// The outcome of [`mid_run_sets`] (what `results._mid_run_sets` returns or raises).
#[derive(Debug, Clone, PartialEq)]
pub enum MidRun {
    /// `OutOfDomainError(f"invalid iepoch={iepoch} < {epochs}")` of the trial with `epochs`.
    OutOfRange { epochs: usize },
    /// `mean_or_none` found trials disagreeing on which times exist (`NotInDatabaseError`).
    Disagree,
    /// Per set (train first) its values, None where a trial lacks it. A later trial out of
    /// range after a missing train gives `[None]`, as the Python reference.
    Sets(Vec<Option<SetValues>>),
}

/// `results._mid_run_sets` over every trial (seed order) at epoch `iepoch`.
///
/// Args: `blobs` per trial; `sets[k]` per trial its sets (None: the trial lacks that set),
/// every trial the same number; `eval_counts[k]` the trial's number of eval sets; `chosen`
/// the trial whose values are returned (None: the mean over the trials).
///
/// # Errors
/// [`CoreError::CorruptSource`] for a damaged blob (first trial in order), and
/// [`CoreError::InvalidInput`] for inconsistent argument lengths.
pub fn mid_run_sets(
    blobs: &[&[u8]],
    sets: &[Vec<Option<SetSeries>>],
    eval_counts: &[usize],
    iepoch: i64,
    chosen: Option<usize>,
    compensated: bool,
) -> CoreResult<MidRun> {
    let n = blobs.len();
    if sets.len() != n || eval_counts.len() != n || chosen.is_some_and(|c| c >= n) || n == 0 {
        return Err(CoreError::invalid_input(
            "blobs, sets and eval_counts must have one entry per trial (and chosen < trials)",
        ));
    }
    let width = sets[0].len();
    if sets.iter().any(|s| s.len() != width) || width == 0 {
        return Err(CoreError::invalid_input(
            "every trial must list the same number of sets",
        ));
    }
    let curves = blobs
        .iter()
        .map(|b| CurvesBlob::parse(b))
        .collect::<CoreResult<Vec<_>>>()?;
    let mut per_trial: Vec<Vec<Metric>> = Vec::with_capacity(n);
    for (k, c) in curves.iter().enumerate() {
        if iepoch < 0 || iepoch as u64 >= c.epochs as u64 {
            if per_trial.iter().all(|t| t[0] != Metric::Missing) {
                return Ok(MidRun::OutOfRange { epochs: c.epochs });
            }
            return Ok(MidRun::Sets(vec![None]));
        }
        let e = iepoch as usize;
        let train_timed = c.dict_present(TRAIN_TIME)?;
        let mut eval_timed = false;
        for i in 0..eval_counts[k] {
            if c.has_any(6 + 3 * i)? {
                eval_timed = true;
                break;
            }
        }
        let read = chosen.is_none_or(|c| c == k);
        let row = sets[k]
            .iter()
            .map(|set| match set {
                None => Ok(Metric::Missing),
                Some(s) => c.metric(
                    *s,
                    if s.is_train { train_timed } else { eval_timed },
                    e,
                    read,
                    compensated,
                ),
            })
            .collect::<CoreResult<Vec<_>>>()?;
        per_trial.push(row);
    }
    let have = |j: usize| per_trial.iter().all(|t| t[j] != Metric::Missing);
    let values = |m: &Metric| match m {
        Metric::Values(v) => Some(*v),
        _ => None,
    };
    if let Some(chosen) = chosen {
        return Ok(MidRun::Sets(
            (0..width)
                .map(|j| {
                    if have(j) {
                        values(&per_trial[chosen][j])
                    } else {
                        None
                    }
                })
                .collect(),
        ));
    }
    let mut out = Vec::with_capacity(width);
    for j in 0..width {
        if !have(j) {
            out.push(None);
            continue;
        }
        let column: Vec<SetValues> = per_trial.iter().filter_map(|t| values(&t[j])).collect();
        if column.len() == 1 {
            out.push(Some(column[0]));
            continue;
        }
        let count = column.len() as f64;
        let loss = python_sum(column.iter().map(|v| v.0), compensated) / count;
        let acc = python_sum(column.iter().map(|v| v.1), compensated) / count;
        // mean_or_none: None when the first trial has no time, an error when only some do.
        let all_time = match column[0].2 {
            None => None,
            Some(_) if column.iter().any(|v| v.2.is_none()) => return Ok(MidRun::Disagree),
            Some(_) => Some(python_sum(column.iter().filter_map(|v| v.2), compensated) / count),
        };
        out.push(Some((loss, acc, all_time)));
    }
    Ok(MidRun::Sets(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 4 train series (CONST time, DEC16 acc, DEC24 acc5, F8 loss), 3 epochs, no eval set.
    fn blob() -> Vec<u8> {
        let mut b = vec![CURVES_VERSION, 4, 0, 3, 0];
        let flags = |kind: u8| 1 | ALL << 1 | kind << 3;
        b.extend([
            flags(DEC16),
            1,
            flags(DEC24),
            3,
            flags(F8),
            0,
            flags(CONST),
            0,
        ]);
        b.extend(2.5_f64.to_le_bytes()); // the CONST value
        for e in 0..3_i32 {
            b.extend((305 + e as i16).to_le_bytes()); // 30.5, 30.6, 30.7
            let k = -1_000_000 - e; // -1000.000 - e / 1000
            b.extend(&k.to_le_bytes()[..3]);
            b.extend((0.1 * f64::from(e)).to_le_bytes());
        }
        b.extend((-1_i32).to_le_bytes());
        b
    }

    #[test]
    fn values_are_read_at_their_offsets() {
        let data = blob();
        let c = CurvesBlob::parse(&data).unwrap();
        assert_eq!((c.epochs(), c.n_series()), (3, 4));
        assert_eq!(
            c.value(0, 1).unwrap().to_bits(),
            (306.0_f64 / 10.0).to_bits()
        );
        assert_eq!(c.value(1, 2).unwrap(), -1_000_002.0 / 1000.0);
        assert_eq!(c.value(2, 2).unwrap(), 0.1 * 2.0);
        assert_eq!(c.value(3, 0).unwrap(), 2.5);
        let set = SetSeries {
            acc: 0,
            loss: 2,
            time: 3,
            is_train: true,
        };
        let got = c.metric(set, true, 2, true, false).unwrap();
        assert_eq!(got, Metric::Values((0.2, 30.7, Some(7.5))));
        assert_eq!(
            c.metric(set, true, 2, false, false).unwrap(),
            Metric::Exists
        );
    }

    #[test]
    fn mid_run_means_follow_python_sum() {
        let data = blob();
        let blobs = [&data[..], &data[..]];
        let set = Some(SetSeries {
            acc: 0,
            loss: 2,
            time: 3,
            is_train: true,
        });
        let sets = vec![vec![set, None], vec![set, None]];
        let got = mid_run_sets(&blobs, &sets, &[0, 0], 1, None, false).unwrap();
        let mean = |x: f64| (x + x) / 2.0;
        assert_eq!(
            got,
            MidRun::Sets(vec![Some((mean(0.1), mean(30.6), Some(mean(5.0)))), None])
        );
        let out = mid_run_sets(&blobs, &sets, &[0, 0], 3, Some(1), false).unwrap();
        assert_eq!(out, MidRun::OutOfRange { epochs: 3 });
        assert!(mid_run_sets(&blobs, &sets, &[0], 1, None, false).is_err());
    }

    #[test]
    fn every_truncation_and_mutation_is_an_error_or_a_value_never_a_panic() {
        let data = blob();
        for cut in 0..data.len() {
            assert!(CurvesBlob::parse(&data[..cut]).is_err(), "cut {cut}");
        }
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let set = Some(SetSeries {
            acc: 4,
            loss: 5,
            time: 6,
            is_train: false,
        });
        for _ in 0..20_000 {
            let mut bad = data.clone();
            for _ in 0..1 + next() % 4 {
                let at = (next() % bad.len() as u64) as usize;
                bad[at] = next() as u8;
            }
            if let Ok(c) = CurvesBlob::parse(&bad) {
                let _ = c.arrays();
            }
            let sets = vec![vec![set]];
            let _ = mid_run_sets(&[&bad], &sets, &[1], (next() % 4) as i64, None, true);
        }
    }
}
