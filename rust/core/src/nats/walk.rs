//! One per-architecture file's `OrderedDict{hp: ArchResults-state}` → [`ArchRuns`].
//!
//! Mirrors `benchmarks/nats/source.py::parse_arch` on the strict official layout (see the
//! module documentation of [`super`]); every other shape is [`Walk::Irregular`].

use super::config::config_json;
use super::finals::{python_sum, TrialView};
use crate::pickle::{Id, Node, Pickle};

/// The four training datasets (official names, stored order of `layout.DATASETS`).
pub const DATASETS: [&str; 4] = ["cifar10-valid", "cifar10", "cifar100", "ImageNet16-120"];
/// The evaluation sets (`layout.EVAL_SETS`).
pub const EVAL_SETS: [&str; 3] = ["x-valid", "x-test", "ori-test"];
/// The per-epoch training series, in row order (`layout.TRAIN_SERIES`).
pub const TRAIN_SERIES: [&str; 4] = [
    "train_acc1es",
    "train_acc5es",
    "train_losses",
    "train_times",
];
const EVAL_SERIES: [&str; 3] = ["eval_acc1es", "eval_losses", "eval_times"];
/// The reference's bound on `epochs` (exclusive).
const MAX_EPOCHS: i64 = 100_000;

/// One trial as the database stores it (the reference's `RunRecord` plus its finals).
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// Position of the hp in [`ArchRuns::hps`].
    pub hp_order: u32,
    /// Position of the dataset in [`DATASETS`].
    pub dataset: u8,
    /// Position of the dataset in the state's `dataset_seed`.
    pub dataset_order: u32,
    /// The seed.
    pub seed: i64,
    /// Position of the seed in `dataset_seed[dataset]`.
    pub seed_order: u32,
    /// `str(rc['seed'])`, None when absent.
    pub seed_label: Option<String>,
    /// Training epochs.
    pub epochs: u32,
    /// Positions in [`EVAL_SETS`] of `eval_names`, in file order.
    pub eval_sets: Vec<u8>,
    /// The stored `arch_config` JSON, None when absent.
    pub config: Option<String>,
    /// `rc['latency']` as floats, None when absent.
    pub latency: Option<Vec<f64>>,
    /// Whether each of [`TRAIN_SERIES`] was a dict in the file (False: None or absent).
    pub train_dicts: [bool; 4],
    /// Start of this run's `(4 + 3 * eval_sets, epochs)` series in [`ArchRuns::values`].
    pub offset: usize,
    /// The [`super::FINAL_FIELDS`] values (0.0 where absent).
    pub finals: [f64; 23],
    /// Bit `i` set: final field `i` is absent (None).
    pub finals_absent: u32,
}

impl Run {
    /// Number of per-epoch series (rows) of this run.
    pub fn n_series(&self) -> usize {
        4 + 3 * self.eval_sets.len()
    }
}

/// Every trial of one file, in the reference's order (hp, then `dataset_seed` order).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ArchRuns {
    /// The hp keys in file order.
    pub hps: Vec<String>,
    /// One entry per trial.
    pub runs: Vec<Run>,
    /// Every run's series back to back (0.0 where the file holds no value).
    pub values: Vec<f64>,
    /// Same length: the file holds the value.
    pub present: Vec<bool>,
}

/// The result of walking one file.
#[derive(Debug, Clone, PartialEq)]
pub enum Walk {
    /// The file follows the strict layout.
    Runs(ArchRuns),
    /// It does not: run the reference walker (the reason is for diagnostics only).
    Irregular(String),
}

type Step<T> = Result<T, String>;

fn irregular<T>(why: impl Into<String>) -> Step<T> {
    Err(why.into())
}

fn pairs<'a>(pickle: &'a Pickle, id: Id, what: &str) -> Step<&'a [(Id, Id)]> {
    match pickle.node(id) {
        Node::Dict(pairs) | Node::OrderedDict(pairs) => Ok(pairs),
        other => irregular(format!("{what} is a {}", other.type_name())),
    }
}

/// `(value, is_float)` of an exact `int` (64-bit) or `float`.
fn number(pickle: &Pickle, id: Id) -> Option<(f64, bool)> {
    match pickle.node(id) {
        Node::Int(v) => Some((*v as f64, false)),
        Node::Float(v) => Some((*v, true)),
        _ => None,
    }
}

fn optional(pickle: &Pickle, id: Option<Id>) -> Option<Id> {
    id.filter(|&id| !matches!(pickle.node(id), Node::None))
}

/// The fields of a `ResultsCount` state the reference reads (last value of a repeated key,
/// as a Python dict keeps).
#[derive(Default)]
struct RcFields {
    name: Option<Id>,
    epochs: Option<Id>,
    eval_names: Option<Id>,
    train: [Option<Id>; 4],
    eval: [Option<Id>; 3],
    latency: Option<Id>,
    params: Option<Id>,
    flop: Option<Id>,
    seed: Option<Id>,
    arch_config: Option<Id>,
}

impl RcFields {
    fn read(pickle: &Pickle, rc: &[(Id, Id)]) -> RcFields {
        let mut fields = RcFields::default();
        for &(key, value) in rc {
            let Some(key) = pickle.str_bytes(key) else {
                continue;
            };
            let slot = match key {
                b"name" => &mut fields.name,
                b"epochs" => &mut fields.epochs,
                b"eval_names" => &mut fields.eval_names,
                b"train_acc1es" => &mut fields.train[0],
                b"train_acc5es" => &mut fields.train[1],
                b"train_losses" => &mut fields.train[2],
                b"train_times" => &mut fields.train[3],
                b"eval_acc1es" => &mut fields.eval[0],
                b"eval_losses" => &mut fields.eval[1],
                b"eval_times" => &mut fields.eval[2],
                b"latency" => &mut fields.latency,
                b"params" => &mut fields.params,
                b"flop" => &mut fields.flop,
                b"seed" => &mut fields.seed,
                b"arch_config" => &mut fields.arch_config,
                _ => continue,
            };
            *slot = Some(value);
        }
        fields
    }
}

/// `'<set>@<epoch>'` (the key's UTF-8 bytes) → (position of the set in `sets`, epoch), for
/// canonical decimals only. On bytes: the keys are valid UTF-8 already (a parsed `str`), and
/// this runs once per evaluation value.
fn eval_slot(key: &[u8], sets: &[u8], epochs: usize) -> Option<(usize, usize)> {
    let at = key.iter().rposition(|&b| b == b'@')?;
    let (name, epoch) = (&key[..at], &key[at + 1..]);
    let position = sets
        .iter()
        .position(|&s| EVAL_SETS[s as usize].as_bytes() == name)?;
    if epoch.is_empty() || epoch.len() > 6 || (epoch.len() > 1 && epoch[0] == b'0') {
        return None;
    }
    let mut value = 0_usize;
    for &digit in epoch {
        if !digit.is_ascii_digit() {
            return None;
        }
        value = value * 10 + usize::from(digit - b'0');
    }
    (value < epochs).then_some((position, value))
}

struct Walker<'a> {
    pickle: &'a Pickle,
    arch_str: &'a str,
    compensated: bool,
    out: ArchRuns,
}

impl Walker<'_> {
    fn trial(&mut self, rc: Id, dataset: u8, order: (u32, u32, u32), seed: i64) -> Step<()> {
        let p = self.pickle;
        let f = RcFields::read(p, pairs(p, rc, "a trial")?);
        if f.name.and_then(|id| p.str(id)) != Some(DATASETS[dataset as usize]) {
            return irregular("trial name");
        }
        let epochs = match f.epochs.map(|id| p.node(id)) {
            Some(Node::Int(e)) if *e > 0 && *e < MAX_EPOCHS => *e as usize,
            _ => return irregular("epochs"),
        };
        let names = match f.eval_names.map(|id| p.node(id)) {
            Some(Node::List(items)) => items.as_slice(),
            Some(Node::Tuple(items)) => &items[..],
            _ => return irregular("eval_names"),
        };
        let mut sets: Vec<u8> = Vec::with_capacity(names.len());
        for &name in names {
            let set = p
                .str(name)
                .and_then(|n| EVAL_SETS.iter().position(|s| *s == n))
                .ok_or("eval set name")? as u8;
            if sets.contains(&set) {
                return irregular("repeated eval set");
            }
            sets.push(set);
        }
        let n_series = 4 + 3 * sets.len();
        let offset = self.out.values.len();
        self.out.values.resize(offset + n_series * epochs, 0.0);
        self.out.present.resize(offset + n_series * epochs, false);
        let mut train_dicts = [false; 4];
        // T-train@epoch/total from the train_times dict in its own order (get_times).
        let mut times = [[None; 2]; 4];
        for (row, field) in f.train.iter().enumerate() {
            let Some(series) = optional(p, *field) else {
                continue;
            };
            train_dicts[row] = true;
            let items = pairs(p, series, TRAIN_SERIES[row])?;
            for &(key, value) in items {
                let epoch = match p.node(key) {
                    Node::Int(e) if (0..epochs as i64).contains(e) => *e as usize,
                    _ => return irregular("epoch key"),
                };
                let (value, is_float) = number(p, value).ok_or("epoch value")?;
                if row == 3 && !is_float {
                    return irregular("integer train time");
                }
                let slot = offset + row * epochs + epoch;
                if self.out.present[slot] {
                    return irregular("repeated epoch");
                }
                self.out.values[slot] = value;
                self.out.present[slot] = true;
            }
            if row == 3 && !items.is_empty() {
                let sum = python_sum(
                    items.iter().filter_map(|&(_, v)| number(p, v).map(|n| n.0)),
                    self.compensated,
                );
                times[0] = [Some(sum / items.len() as f64), Some(sum)];
            }
        }
        for (k, field) in f.eval.iter().enumerate() {
            let series = field.ok_or("missing eval series")?;
            for &(key, value) in pairs(p, series, EVAL_SERIES[k])? {
                let key = p.str_bytes(key).ok_or("eval key type")?;
                let (position, epoch) = eval_slot(key, &sets, epochs).ok_or("eval key")?;
                let (value, is_float) = number(p, value).ok_or("eval value")?;
                if k == 2 && !is_float {
                    return irregular("integer eval time");
                }
                let slot = offset + (4 + 3 * position + k) * epochs + epoch;
                if self.out.present[slot] {
                    return irregular("repeated eval key");
                }
                self.out.values[slot] = value;
                self.out.present[slot] = true;
            }
        }
        for (position, &set) in sets.iter().enumerate() {
            // get_times: every epoch's time of the set, in epoch order, else None.
            let start = offset + (4 + 3 * position + 2) * epochs;
            if self.out.present[start..start + epochs].iter().all(|&x| x) {
                let sum = python_sum(
                    self.out.values[start..start + epochs].iter().copied(),
                    self.compensated,
                );
                times[1 + set as usize] = [Some(sum / epochs as f64), Some(sum)];
            }
        }
        let latency = match optional(p, f.latency).map(|id| p.node(id)) {
            None => None,
            Some(Node::List(items)) if !items.is_empty() => Some(items.as_slice()),
            Some(Node::Tuple(items)) if !items.is_empty() => Some(&items[..]),
            Some(_) => return irregular("latency"),
        };
        let latency = latency
            .map(|items| {
                items
                    .iter()
                    .map(|&id| number(p, id).map(|n| n.0))
                    .collect::<Option<Vec<f64>>>()
                    .ok_or("latency value")
            })
            .transpose()?;
        let scalar = |id: Option<Id>, what: &str| -> Step<Option<f64>> {
            match optional(p, id) {
                None => Ok(None),
                Some(id) => Ok(Some(number(p, id).ok_or(what)?.0)),
            }
        };
        let params = scalar(f.params, "params")?;
        let flops = scalar(f.flop, "flop")?;
        let seed_label = match optional(p, f.seed).map(|id| (id, p.node(id))) {
            None => None,
            Some((id, Node::Str(_))) => Some(p.str(id).ok_or("seed label")?.to_string()),
            Some((_, Node::Int(v))) => Some(v.to_string()),
            Some(_) => return irregular("seed label"),
        };
        let config = match optional(p, f.arch_config) {
            None => None,
            Some(id) => Some(
                config_json(p, pairs(p, id, "arch_config")?, self.arch_str).ok_or("arch_config")?,
            ),
        };
        let end = offset + n_series * epochs;
        let view = TrialView {
            epochs,
            eval_sets: &sets,
            values: &self.out.values[offset..end],
            present: &self.out.present[offset..end],
            train_dicts,
            times,
            latency: latency.as_deref(),
            params,
            flops,
        };
        let (finals, finals_absent) = view.finals(self.compensated);
        self.out.runs.push(Run {
            hp_order: order.0,
            dataset,
            dataset_order: order.1,
            seed,
            seed_order: order.2,
            seed_label,
            epochs: epochs as u32,
            eval_sets: sets,
            config,
            latency,
            train_dicts,
            offset,
            finals,
            finals_absent,
        });
        Ok(())
    }

    fn hp(&mut self, hp_order: u32, state: Id, index: i64) -> Step<()> {
        let p = self.pickle;
        let state = pairs(p, state, "an hp state")?;
        let get = |key: &str| -> Option<Id> {
            state
                .iter()
                .rev()
                .find(|(k, _)| p.str(*k) == Some(key))
                .map(|&(_, v)| v)
        };
        if !matches!(get("arch_index").map(|id| p.node(id)), Some(Node::Int(i)) if *i == index) {
            return irregular("arch_index");
        }
        if get("arch_str").and_then(|id| p.str(id)) != Some(self.arch_str) {
            return irregular("arch_str");
        }
        let dataset_seed = pairs(
            p,
            get("dataset_seed").ok_or("dataset_seed")?,
            "dataset_seed",
        )?;
        let results = pairs(p, get("all_results").ok_or("all_results")?, "all_results")?;
        // all_results keys: (dataset, seed) tuples, each once.
        let mut keyed: Vec<((u8, i64), Id, bool)> = Vec::with_capacity(results.len());
        for &(key, rc) in results {
            let Node::Tuple(items) = p.node(key) else {
                return irregular("all_results key");
            };
            let (dataset, seed) = match (items.first(), items.get(1), items.len()) {
                (Some(&d), Some(&s), 2) => (d, s),
                _ => return irregular("all_results key"),
            };
            let dataset = p
                .str(dataset)
                .and_then(|d| DATASETS.iter().position(|n| *n == d))
                .ok_or("all_results dataset")? as u8;
            let Node::Int(seed) = p.node(seed) else {
                return irregular("all_results seed");
            };
            if keyed.iter().any(|(k, _, _)| *k == (dataset, *seed)) {
                return irregular("repeated trial key");
            }
            keyed.push(((dataset, *seed), rc, false));
        }
        let mut seen_datasets: Vec<u8> = Vec::with_capacity(4);
        for (dataset_order, &(dataset, seeds)) in dataset_seed.iter().enumerate() {
            let dataset = p
                .str(dataset)
                .and_then(|d| DATASETS.iter().position(|n| *n == d))
                .ok_or("dataset name")? as u8;
            if seen_datasets.contains(&dataset) {
                return irregular("repeated dataset");
            }
            seen_datasets.push(dataset);
            let Node::List(seeds) = p.node(seeds) else {
                return irregular("seeds");
            };
            let mut seen_seeds: Vec<i64> = Vec::with_capacity(seeds.len());
            for (seed_order, &seed) in seeds.iter().enumerate() {
                let Node::Int(seed) = p.node(seed) else {
                    return irregular("seed");
                };
                if seen_seeds.contains(seed) {
                    return irregular("repeated seed");
                }
                seen_seeds.push(*seed);
                let entry = keyed
                    .iter_mut()
                    .find(|(k, _, _)| *k == (dataset, *seed))
                    .ok_or("missing trial")?;
                entry.2 = true;
                let rc = entry.1;
                self.trial(
                    rc,
                    dataset,
                    (hp_order, dataset_order as u32, seed_order as u32),
                    *seed,
                )?;
            }
        }
        if keyed.iter().any(|(_, _, used)| !used) {
            return irregular("trial not in dataset_seed");
        }
        Ok(())
    }
}

/// Walks one parsed per-architecture file.
///
/// `index` and `arch_str` are what the file must hold (from its name and the meta file);
/// `compensated_sum` selects Python ≥ 3.12's float `sum` (see [`super::python_sum`]).
pub fn walk_arch(pickle: &Pickle, index: i64, arch_str: &str, compensated_sum: bool) -> Walk {
    let mut walker = Walker {
        pickle,
        arch_str,
        compensated: compensated_sum,
        out: ArchRuns::default(),
    };
    let result = (|| -> Step<()> {
        let hps = pairs(pickle, pickle.root(), "the file")?;
        for (hp_order, &(hp, state)) in hps.iter().enumerate() {
            let hp = pickle
                .str(hp)
                .filter(|h| !h.is_empty())
                .ok_or("hp key")?
                .to_string();
            if walker.out.hps.contains(&hp) {
                return irregular("repeated hp");
            }
            walker.out.hps.push(hp);
            walker.hp(hp_order as u32, state, index)?;
        }
        Ok(())
    })();
    match result {
        Ok(()) => Walk::Runs(walker.out),
        Err(reason) => Walk::Irregular(reason),
    }
}
