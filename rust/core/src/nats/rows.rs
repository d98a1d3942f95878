//! What the builder stores per architecture file, computed off the interpreter: each run's
//! curves blob ([`super::encode::encode_curves`]) and NaN mask, and the `summaries` rows.
//!
//! The Python builder (`benchmarks/nats/build.py`, `_reference_rows`) is the reference: for
//! each hp, the runs grouped by dataset (first-appearance order), each group in seed order,
//! flops / params / latency as `aggregate.compute_costs` computes them (None when it raises
//! `NotInDatabaseError`), and each set's accuracy the mean over the trials when every trial
//! has it. The test suite compares both on every fixture and on damaged copies.

use super::encode::encode_curves;
use super::finals::python_sum;
use super::walk::{walk_arch, ArchRuns, Run, Walk};
use super::ArchFile;
use crate::pickle::{read_file, Limits, PickleError};
use rayon::prelude::*;

/// `FINAL_FIELDS` positions.
const LATENCY: usize = 20;
const PARAMS: usize = 21;
const FLOPS: usize = 22;
/// `<set>_accuracy` positions (train, x-valid, x-test, ori-test).
const ACCURACIES: [usize; 4] = [1, 4, 7, 10];

/// One `summaries` row (hp and dataset as positions).
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Position of the hp in [`ArchRuns::hps`].
    pub hp_order: u32,
    /// Position of the dataset in `DATASETS`.
    pub dataset: u8,
    /// Number of trials.
    pub n_seeds: u32,
    /// `(flops, params, latency)`; None where `compute_costs` raises.
    pub costs: Option<(f64, f64, Option<f64>)>,
    /// Mean accuracy per set (train, x-valid, x-test, ori-test), None unless every trial has it.
    pub accuracies: [Option<f64>; 4],
}

/// One file's runs ready to insert (its per-epoch arrays dropped once encoded).
#[derive(Debug, Clone, PartialEq)]
pub struct ArchRows {
    /// The runs (`values` / `present` emptied).
    pub walked: ArchRuns,
    /// Per run its `curves.data` blob.
    pub blobs: Vec<Vec<u8>>,
    /// Per run its `nan_mask` (bit `i`: final field `i` is NaN).
    pub nan_masks: Vec<u32>,
    /// The `summaries` rows in insertion order.
    pub summaries: Vec<Summary>,
}

/// The result of reading one file for the builder.
#[derive(Debug, Clone, PartialEq)]
pub enum Built {
    /// The file follows the strict layout.
    Rows(ArchRows),
    /// It does not: the reference reads it (the reason is for diagnostics only).
    Irregular(String),
}

/// A final field as the API reads it back: None when absent, NaN kept.
fn final_of(run: &Run, field: usize) -> Option<f64> {
    (run.finals_absent >> field & 1 == 0).then_some(run.finals[field])
}

/// `aggregate._legacy_fix`: the values `compute_costs` averages, None where it raises.
fn legacy_fix(values: &[Option<f64>], seeds: &[i64]) -> Option<Vec<f64>> {
    let values: Vec<f64> = values.iter().copied().collect::<Option<_>>()?;
    // `f"{x:.5f}"` and Rust's `{:.5}` round the same way; they spell NaN differently, which
    // only matters between the two languages, never within one comparison.
    let first = format!("{:.5}", values[0]);
    if values.len() > 1 && values[1..].iter().any(|v| format!("{v:.5}") != first) {
        let at = seeds.iter().position(|&s| s == 888)?;
        return Some(vec![values[at]]);
    }
    Some(values)
}

/// `compute_costs(...)`'s flops, params and latency; None where it raises.
fn costs(group: &[&Run], compensated: bool) -> Option<(f64, f64, Option<f64>)> {
    let seeds: Vec<i64> = group.iter().map(|r| r.seed).collect();
    let column =
        |field: usize| -> Vec<Option<f64>> { group.iter().map(|r| final_of(r, field)).collect() };
    let flops = legacy_fix(&column(FLOPS), &seeds)?;
    let params = legacy_fix(&column(PARAMS), &seeds)?;
    let latencies: Vec<f64> = column(LATENCY)
        .into_iter()
        .flatten()
        .filter(|&x| x > 0.0)
        .collect();
    let mean = |v: &[f64]| python_sum(v.iter().copied(), compensated) / v.len() as f64;
    // The time means themselves are not stored, but `mean_or_none` raises (so every cost is
    // None) when a key's first trial has a value and a later one has not.
    let mut first_has: [Option<bool>; 8] = [None; 8];
    for run in group {
        let labels = std::iter::once(0_usize).chain(run.eval_sets.iter().map(|&s| 1 + s as usize));
        for label in labels {
            for k in 0..2 {
                let key = 2 * label + k;
                let has = final_of(run, 12 + key).is_some();
                match first_has[key] {
                    None => first_has[key] = Some(has),
                    Some(true) if !has => return None,
                    _ => {}
                }
            }
        }
    }
    let latency = (!latencies.is_empty()).then(|| mean(&latencies));
    Some((mean(&flops), mean(&params), latency))
}

fn summaries(walked: &ArchRuns, compensated: bool) -> Vec<Summary> {
    let mut out = Vec::new();
    for hp_order in 0..walked.hps.len() as u32 {
        let mut groups: Vec<(u8, Vec<&Run>)> = Vec::new();
        for run in walked.runs.iter().filter(|r| r.hp_order == hp_order) {
            match groups.iter_mut().find(|(d, _)| *d == run.dataset) {
                Some((_, group)) => group.push(run),
                None => groups.push((run.dataset, vec![run])),
            }
        }
        for (dataset, mut group) in groups {
            group.sort_by_key(|r| r.seed_order);
            let mut accuracies = [None; 4];
            for (slot, &field) in accuracies.iter_mut().zip(&ACCURACIES) {
                let values: Option<Vec<f64>> = group.iter().map(|r| final_of(r, field)).collect();
                *slot = values.map(|v| python_sum(v.iter().copied(), compensated) / v.len() as f64);
            }
            out.push(Summary {
                hp_order,
                dataset,
                n_seeds: group.len() as u32,
                costs: costs(&group, compensated),
                accuracies,
            });
        }
    }
    out
}

/// Encodes one walked file: blobs, NaN masks and summaries; drops the per-epoch arrays.
pub fn arch_rows(mut walked: ArchRuns, compensated: bool) -> ArchRows {
    let mut blobs = Vec::with_capacity(walked.runs.len());
    let mut nan_masks = Vec::with_capacity(walked.runs.len());
    for run in &walked.runs {
        let (n_series, epochs) = (run.n_series(), run.epochs as usize);
        let span = run.offset..run.offset + n_series * epochs;
        let mut dicts = vec![true; n_series];
        dicts[..4].copy_from_slice(&run.train_dicts);
        blobs.push(encode_curves(
            &walked.values[span.clone()],
            &walked.present[span],
            n_series,
            epochs,
            &dicts,
            run.latency.as_deref(),
        ));
        let nan = run
            .finals
            .iter()
            .enumerate()
            .fold(0_u32, |mask, (i, v)| mask | (u32::from(v.is_nan()) << i));
        nan_masks.push(nan & !run.finals_absent);
    }
    let summaries = summaries(&walked, compensated);
    walked.values = Vec::new();
    walked.present = Vec::new();
    ArchRows {
        walked,
        blobs,
        nan_masks,
        summaries,
    }
}

/// Reads, decompresses, parses, walks and encodes `files` in parallel (rayon), in order.
///
/// A file the pickle reader refuses is `Err` (naming the file); one outside the strict layout
/// is `Ok(Built::Irregular)`.
pub fn build_arch_files(
    files: &[ArchFile],
    limits: &Limits,
    compensated_sum: bool,
) -> Vec<Result<Built, PickleError>> {
    files
        .par_iter()
        .map(|file| {
            read_file(&file.path, limits).map(|parsed| {
                match walk_arch(&parsed, file.index, &file.arch_str, compensated_sum) {
                    Walk::Runs(walked) => Built::Rows(arch_rows(walked, compensated_sum)),
                    Walk::Irregular(reason) => Built::Irregular(reason),
                }
            })
        })
        .collect()
}
