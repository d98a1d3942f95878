//! The 23 final scalars of a trial (`FINAL_FIELDS` of `benchmarks/nats/layout.py`), computed
//! exactly as the Python reference computes them: the official `ResultsCount` methods at the
//! last epoch, summing with Python's `sum` of floats ([`python_sum`]).

/// Names of the final scalars, in the stored order (= `layout.FINAL_FIELDS`).
pub const FINAL_FIELDS: [&str; 23] = [
    "train_loss",
    "train_accuracy",
    "train_all_time",
    "x_valid_loss",
    "x_valid_accuracy",
    "x_valid_all_time",
    "x_test_loss",
    "x_test_accuracy",
    "x_test_all_time",
    "ori_test_loss",
    "ori_test_accuracy",
    "ori_test_all_time",
    "train_time_epoch",
    "train_time_total",
    "x_valid_time_epoch",
    "x_valid_time_total",
    "x_test_time_epoch",
    "x_test_time_total",
    "ori_test_time_epoch",
    "ori_test_time_total",
    "latency",
    "params",
    "flops",
];

/// Python's builtin `sum(values)` over floats (start `0`), bit for bit.
///
/// Up to Python 3.11 it adds left to right; from 3.12 it keeps a Neumaier compensation term
/// (`compensated`), added at the end when it is non-zero and finite (CPython `builtin_sum_impl`).
/// The first item is added to the integer start exactly as `0 + x` (no compensation step).
pub fn python_sum(values: impl IntoIterator<Item = f64>, compensated: bool) -> f64 {
    let mut items = values.into_iter();
    let Some(first) = items.next() else {
        return 0.0;
    };
    let mut total = 0.0 + first;
    if !compensated {
        for x in items {
            total += x;
        }
        return total;
    }
    let mut c = 0.0_f64;
    for x in items {
        let t = total + x;
        if total.abs() >= x.abs() {
            c += (total - t) + x;
        } else {
            c += (x - t) + total;
        }
        total = t;
    }
    if c != 0.0 && c.is_finite() {
        total += c;
    }
    total
}

/// What [`super::walk`] knows of one trial, for its finals.
pub(super) struct TrialView<'a> {
    pub epochs: usize,
    /// Positions in `EVAL_SETS` of the trial's eval sets, in file order.
    pub eval_sets: &'a [u8],
    /// `(series, epochs)` values, row-major.
    pub values: &'a [f64],
    pub present: &'a [bool],
    /// Per train series, whether the file had a dict.
    pub train_dicts: [bool; 4],
    /// `T-train@epoch/total` and per `EVAL_SETS` position `T-<set>@epoch/total`, as the
    /// official `get_times` computes them from the file's dicts (None: absent).
    pub times: [[Option<f64>; 2]; 4],
    pub latency: Option<&'a [f64]>,
    pub params: Option<f64>,
    pub flops: Option<f64>,
}

impl TrialView<'_> {
    fn at(&self, row: usize, epoch: usize) -> Option<f64> {
        let i = row * self.epochs + epoch;
        self.present[i].then(|| self.values[i])
    }

    /// `_time_sum`: the sum of a time row up to `last`, when every value is present.
    fn time_sum(&self, row: usize, last: usize, compensated: bool) -> Option<f64> {
        let start = row * self.epochs;
        let present = &self.present[start..=start + last];
        present.iter().all(|&p| p).then(|| {
            python_sum(
                self.values[start..=start + last].iter().copied(),
                compensated,
            )
        })
    }

    /// `get_train()` / `get_eval(set)` at the last epoch: (loss, accuracy, all_time), None
    /// where the official method raises. `set` is None for train, else an `EVAL_SETS` position.
    fn metric_set(&self, set: Option<u8>, compensated: bool) -> Option<[Option<f64>; 3]> {
        let last = self.epochs - 1;
        let (acc_row, loss_row, time_row, has_times) = match set {
            None => {
                if !self.train_dicts[0] || !self.train_dicts[2] {
                    return None;
                }
                (0, 2, 3, self.train_dicts[3])
            }
            Some(set) => {
                let position = self.eval_sets.iter().position(|&s| s == set)?;
                let base = 4 + 3 * position;
                let any_time = (0..self.eval_sets.len()).any(|k| {
                    let start = (4 + 3 * k + 2) * self.epochs;
                    self.present[start..start + self.epochs].iter().any(|&p| p)
                });
                (base, base + 1, base + 2, any_time)
            }
        };
        let all_time = if has_times {
            self.at(time_row, last)?;
            Some(self.time_sum(time_row, last, compensated)?)
        } else {
            None
        };
        Some([self.at(loss_row, last), self.at(acc_row, last), all_time]).and_then(|v| {
            // loss and accuracy must exist (else the official method raises KeyError).
            (v[0].is_some() && v[1].is_some()).then_some(v)
        })
    }

    /// The [`FINAL_FIELDS`] values and the bit mask of the absent ones (None in Python).
    pub fn finals(&self, compensated: bool) -> ([f64; 23], u32) {
        let mut values = [0.0; 23];
        let mut absent = 0_u32;
        let mut put = |slot: usize, value: Option<f64>| match value {
            Some(v) => values[slot] = v,
            None => absent |= 1 << slot,
        };
        for s in 0..4 {
            let set = if s == 0 { None } else { Some(s as u8 - 1) };
            let triple = self.metric_set(set, compensated).unwrap_or([None; 3]);
            for (k, value) in triple.into_iter().enumerate() {
                put(3 * s + k, value);
            }
            put(12 + 2 * s, self.times[s][0]);
            put(12 + 2 * s + 1, self.times[s][1]);
        }
        let latency = match self.latency {
            None => -1.0,
            Some(list) => python_sum(list.iter().copied(), compensated) / list.len() as f64,
        };
        put(20, Some(latency));
        put(21, self.params);
        put(22, self.flops);
        (values, absent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_sum_adds_left_to_right() {
        let values = [0.1, 0.2, 0.3, 1e16, -1e16];
        assert_eq!(python_sum(values, false), ((0.1 + 0.2) + 0.3 + 1e16) - 1e16);
        assert_eq!(python_sum([-0.0], false).to_bits(), 0.0_f64.to_bits()); // 0 + -0.0
        assert_eq!(python_sum([], false), 0.0);
    }

    /// `sum(seq)` bits printed by CPython 3.11.7 (plain) and 3.12.1 (compensated) for the same
    /// sequences (written out in `sequences` below).
    #[test]
    fn sums_match_cpython_311_and_312() {
        let times: Vec<f64> = (0..200)
            .map(|i| ((i * 7919) % 1000) as f64 * 0.0137 + 12.4)
            .collect();
        let mixed: Vec<f64> = (0..90)
            .map(|i: i32| f64::from((-1_i32).pow(i as u32) * (i % 13)) * 1.37e5 + 0.3)
            .collect();
        let cancel: Vec<f64> = [1e16, 1.0, -1e16, 0.1, 0.2, 0.3].repeat(5);
        let sequences: [(&[f64], u64, u64); 7] = [
            (&cancel, 0x3fe3333333333334, 0x4020000000000000),
            (&[0.1; 10], 0x3fefffffffffffff, 0x3ff0000000000000),
            (
                &[1e308, 1e308, -1e308],
                0x7ff0000000000000,
                0x7ff0000000000000,
            ),
            (&[-0.0], 0x0, 0x0),
            (
                &[1e-300, 1e300, -1e300, 1e-300],
                0x01a56e1fc2f8f359,
                0x01b56e1fc2f8f359,
            ),
            (&times, 0x40adfb570a3d70a3, 0x40adfb570a3d70a4),
            (&mixed, 0xc12915a9ffffffe4, 0xc12915a9ffffffe9),
        ];
        for (values, plain, compensated) in sequences {
            assert_eq!(python_sum(values.iter().copied(), false).to_bits(), plain);
            assert_eq!(
                python_sum(values.iter().copied(), true).to_bits(),
                compensated
            );
        }
    }

    #[test]
    fn compensated_sum_recovers_lost_bits() {
        // Python 3.12: sum([0.1] * 10) == 1.0, sum([1e16, 1.0, -1e16]) == 1.0
        assert_eq!(python_sum([0.1; 10], true), 1.0);
        assert_eq!(python_sum([1e16, 1.0, -1e16], true), 1.0);
        assert_ne!(python_sum([0.1; 10], false), 1.0);
        assert!(python_sum([f64::INFINITY, 1.0], true).is_infinite());
    }
}
