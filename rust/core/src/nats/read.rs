//! Final-epoch `get_more_info` values of the NATS database's `runs` rows, for every trial of an
//! (architecture, hp, dataset) at once.
//!
//! The Python reference is `benchmarks/nats/results.py::_final_info_reference` (the official
//! `ArchResults.get_metrics` at the last epoch): per set, it is reported only when *every*
//! trial has its final accuracy; one chosen trial gives its own values, otherwise the mean is
//! Python's `sum / len` in seed order ([`python_sum`]), and a loss or time some but not all
//! trials have is a disagreement (the official API fails with a `TypeError` there).

use super::finals::{python_sum, FINAL_FIELDS};
use crate::error::{CoreError, CoreResult};

/// Number of final scalars of a trial (`runs` columns after `nan_mask`).
pub const N_FINALS: usize = FINAL_FIELDS.len();

/// The final scalars of one trial, NaN restored; `None` where the column is NULL.
pub type TrialFinals = [Option<f64>; N_FINALS];

/// One set of `get_more_info`: the `FINAL_FIELDS` positions of its loss, accuracy, all_time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetFields {
    pub loss: usize,
    pub accuracy: usize,
    pub all_time: usize,
}

/// What one set gives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SetValue {
    /// A trial lacks the set's final accuracy: the set is left out (or, for the sets the
    /// official API requires, the call fails).
    Missing,
    /// The trials disagree on whether a loss or time exists (mean only).
    Disagree,
    /// `(loss, accuracy, all_time)`.
    Values(Option<f64>, f64, Option<f64>),
}

/// `mean_or_none` of the reference: None when the first trial has none, the mean when all
/// have one, `Err(())` when only some have one.
fn mean_or_none(
    values: impl Iterator<Item = Option<f64>> + Clone,
    count: f64,
    compensated: bool,
) -> Result<Option<f64>, ()> {
    let mut items = values.clone();
    match items.next() {
        None | Some(None) => return Ok(None),
        Some(Some(_)) => {}
    }
    if items.any(|v| v.is_none()) {
        return Err(());
    }
    Ok(Some(python_sum(values.flatten(), compensated) / count))
}

/// Every set of `sets` at the last epoch, from every trial's final scalars (seed order).
///
/// `chosen`: the position of the one trial asked for, or None for the mean.
///
/// # Errors
/// [`CoreError::InvalidInput`] for no trial, a `chosen` beyond the trials or a field position
/// beyond [`N_FINALS`].
pub fn final_sets(
    trials: &[TrialFinals],
    sets: &[SetFields],
    chosen: Option<usize>,
    compensated: bool,
) -> CoreResult<Vec<SetValue>> {
    if trials.is_empty() {
        return Err(CoreError::invalid_input("no trials"));
    }
    if chosen.is_some_and(|k| k >= trials.len()) {
        return Err(CoreError::invalid_input("chosen trial beyond the trials"));
    }
    let count = trials.len() as f64;
    let mut out = Vec::with_capacity(sets.len());
    for set in sets {
        if [set.loss, set.accuracy, set.all_time]
            .iter()
            .any(|&f| f >= N_FINALS)
        {
            return Err(CoreError::invalid_input(
                "final field position out of range",
            ));
        }
        if trials.iter().any(|t| t[set.accuracy].is_none()) {
            out.push(SetValue::Missing);
            continue;
        }
        let accuracy = |t: &TrialFinals| t[set.accuracy].unwrap_or(f64::NAN);
        out.push(match chosen {
            Some(k) => {
                let t = &trials[k];
                SetValue::Values(t[set.loss], accuracy(t), t[set.all_time])
            }
            None => {
                let loss = mean_or_none(trials.iter().map(|t| t[set.loss]), count, compensated);
                let time = mean_or_none(trials.iter().map(|t| t[set.all_time]), count, compensated);
                match (loss, time) {
                    (Ok(loss), Ok(time)) => SetValue::Values(
                        loss,
                        python_sum(trials.iter().map(accuracy), compensated) / count,
                        time,
                    ),
                    _ => SetValue::Disagree,
                }
            }
        });
    }
    Ok(out)
}

/// `FINAL_FIELDS` positions of the cost scalars.
pub const LATENCY: usize = 20;
pub const PARAMS: usize = 21;
pub const FLOPS: usize = 22;

/// What `costs.trial_costs` answers on the common path: every trial with the same eval sets,
/// the same non-zero FLOPs and the same parameter count.
#[derive(Debug, Clone, PartialEq)]
pub struct Costs {
    pub flops: f64,
    pub params: f64,
    /// Mean of the positive latencies; None when there is none.
    pub latency: Option<f64>,
    /// Per time field asked for: the mean, None when the first trial has none.
    pub times: Vec<Option<f64>>,
}

/// One column of every trial, all present and equal to a non-zero number (the case where
/// `_legacy_fix` keeps every value, so the mean is their Python sum over their count).
fn same_nonzero(trials: &[TrialFinals], field: usize) -> Option<Vec<f64>> {
    let first = trials.first()?[field]?;
    if first == 0.0 || first.is_nan() {
        return None;
    }
    trials
        .iter()
        .map(|t| t[field].filter(|&v| v == first))
        .collect()
}

/// `costs.trial_costs` (the official `get_compute_costs`) of trials, or None where the Python
/// reference must answer: FLOPs or params that differ, are zero, NaN or absent (the legacy
/// fix formats and compares them), an absent latency, or a time some but not all trials have
/// (the reference raises).
///
/// `time_fields`: the `FINAL_FIELDS` positions of the time keys, in output order.
pub fn trial_costs(
    trials: &[TrialFinals],
    time_fields: &[usize],
    compensated: bool,
) -> Option<Costs> {
    if trials.is_empty() || time_fields.iter().any(|&f| f >= N_FINALS) {
        return None;
    }
    let count = trials.len() as f64;
    let mean =
        |values: &[f64]| python_sum(values.iter().copied(), compensated) / values.len() as f64;
    let flops = mean(&same_nonzero(trials, FLOPS)?);
    let params = mean(&same_nonzero(trials, PARAMS)?);
    let latencies: Vec<f64> = trials
        .iter()
        .map(|t| t[LATENCY])
        .collect::<Option<Vec<f64>>>()?
        .into_iter()
        .filter(|&x| x > 0.0)
        .collect();
    let latency = (!latencies.is_empty()).then(|| mean(&latencies));
    let mut times = Vec::with_capacity(time_fields.len());
    for &field in time_fields {
        times.push(match trials[0][field] {
            None => None,
            Some(_) => {
                let values: Vec<f64> = trials.iter().map(|t| t[field]).collect::<Option<_>>()?;
                Some(python_sum(values, compensated) / count)
            }
        });
    }
    Some(Costs {
        flops,
        params,
        latency,
        times,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRAIN: SetFields = SetFields {
        loss: 0,
        accuracy: 1,
        all_time: 2,
    };
    const VALID: SetFields = SetFields {
        loss: 3,
        accuracy: 4,
        all_time: 5,
    };

    fn trial(values: &[(usize, f64)]) -> TrialFinals {
        let mut t = [None; N_FINALS];
        for &(f, v) in values {
            t[f] = Some(v);
        }
        t
    }

    #[test]
    fn mean_is_python_sum_over_count_in_order() {
        let a = trial(&[(0, 0.1), (1, 90.0), (2, 3.0), (4, 1.0)]);
        let b = trial(&[(0, 0.2), (1, 91.5), (2, 3.5), (4, 2.0)]);
        let c = trial(&[(0, 0.3), (1, 92.25), (2, 4.0), (4, 3.0)]);
        let out = final_sets(&[a, b, c], &[TRAIN, VALID], None, false).unwrap();
        let expected_loss = ((0.0 + 0.1) + 0.2 + 0.3) / 3.0;
        assert_eq!(
            out[0],
            SetValue::Values(
                Some(expected_loss),
                (90.0 + 91.5 + 92.25) / 3.0,
                Some(10.5 / 3.0)
            )
        );
        // x-valid: every trial has its accuracy, none its loss or time
        assert_eq!(out[1], SetValue::Values(None, 2.0, None));
    }

    #[test]
    fn a_missing_accuracy_hides_the_set_even_for_one_chosen_trial() {
        let a = trial(&[(0, 0.1), (1, 90.0), (4, 1.0)]);
        let b = trial(&[(0, 0.2), (1, 91.0)]);
        let out = final_sets(&[a, b], &[TRAIN, VALID], Some(0), false).unwrap();
        assert_eq!(out[0], SetValue::Values(Some(0.1), 90.0, None));
        assert_eq!(out[1], SetValue::Missing);
    }

    #[test]
    fn some_but_not_all_times_disagree_for_the_mean_only() {
        let a = trial(&[(0, 0.1), (1, 90.0), (2, 1.0)]);
        let b = trial(&[(0, 0.2), (1, 91.0)]);
        let mean = final_sets(&[a, b], &[TRAIN], None, false).unwrap();
        assert_eq!(mean[0], SetValue::Disagree);
        let one = final_sets(&[a, b], &[TRAIN], Some(1), false).unwrap();
        assert_eq!(one[0], SetValue::Values(Some(0.2), 91.0, None));
        // the first trial without a value: None, not a disagreement (official mean_or_none)
        let first_none = final_sets(&[b, a], &[TRAIN], None, false).unwrap();
        assert_eq!(
            first_none[0],
            SetValue::Values(Some(0.15000000000000002), 90.5, None)
        );
    }

    #[test]
    fn costs_are_means_and_odd_cases_go_to_the_reference() {
        let row = |flops: f64, latency: f64, time: Option<f64>| {
            let mut t = [None; N_FINALS];
            t[FLOPS] = Some(flops);
            t[PARAMS] = Some(0.5);
            t[LATENCY] = Some(latency);
            t[12] = time;
            t
        };
        let a = row(10.0, 0.1, Some(1.0));
        let b = row(10.0, -1.0, Some(2.0));
        let c = row(10.0, 0.2, Some(4.0));
        let out = trial_costs(&[a, b, c], &[12, 13], false).unwrap();
        assert_eq!(out.flops, 10.0);
        assert_eq!(out.params, 0.5);
        assert_eq!(out.latency, Some((0.1 + 0.2) / 2.0));
        assert_eq!(out.times, vec![Some(7.0 / 3.0), None]);
        assert_eq!(
            trial_costs(&[row(1.0, -1.0, None)], &[12], false)
                .unwrap()
                .latency,
            None
        );
        // differing or zero FLOPs, a time only some trials have: the reference decides
        assert!(trial_costs(&[a, row(11.0, 0.1, Some(1.0))], &[12], false).is_none());
        assert!(trial_costs(&[row(0.0, 0.1, None)], &[12], false).is_none());
        assert!(trial_costs(&[a, row(10.0, 0.1, None)], &[12], false).is_none());
        assert!(trial_costs(&[], &[12], false).is_none());
        assert!(trial_costs(&[a], &[N_FINALS], false).is_none());
    }

    #[test]
    fn nan_propagates_and_bad_arguments_are_errors() {
        let a = trial(&[(0, f64::NAN), (1, 90.0)]);
        let out = final_sets(&[a], &[TRAIN], None, false).unwrap();
        match out[0] {
            SetValue::Values(Some(loss), acc, None) => assert!(loss.is_nan() && acc == 90.0),
            other => panic!("unexpected {other:?}"),
        }
        assert!(final_sets(&[], &[TRAIN], None, false).is_err());
        assert!(final_sets(&[a], &[TRAIN], Some(1), false).is_err());
        let bad = SetFields {
            loss: N_FINALS,
            accuracy: 0,
            all_time: 0,
        };
        assert!(final_sets(&[a], &[bad], None, false).is_err());
    }
}
