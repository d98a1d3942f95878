//! The native pickle reader on real files and on Python-made pickles, and a seeded mutation
//! fuzzer: every mutant must parse or fail with a typed error (a panic fails the test).
//!
//! * `tests/data/nats/*.pickle.pbz2`: real NATS-Bench archive files (see tests/data/README.md).
//! * `tests/data/pickle/corpus.jsonl`: pickles written by Python's `pickle` at protocols 2–5 with
//!   the canonical text of `pickle.loads` (tests/gen_pickle_corpus.py).
//!
//! Fuzzing runs a few seconds by default; `NASBENCH_LITE_FUZZ_ITERS=N` sets the mutants per seed
//! input (default 400).

mod common;

use common::{data_dir, fuzz_iterations, nats, Rng};
use nasbench_lite_core::pickle::dump::{dump, DumpError};
use nasbench_lite_core::pickle::{
    decompress_bz2, load, parse, read_file, read_files, Id, Limits, Node, Pickle,
};
use std::path::PathBuf;

fn get(p: &Pickle, id: Id, key: &str) -> Id {
    p.dict_get(id, key)
        .unwrap_or_else(|| panic!("no key {key:?}"))
}

fn str_of(p: &Pickle, id: Id) -> &str {
    p.str(id)
        .unwrap_or_else(|| panic!("not a str: {:?}", p.node(id)))
}

/// The value of a dict entry whose key is the tuple (str, int).
fn get_pair(p: &Pickle, id: Id, name: &str, seed: i64) -> Id {
    let Node::Dict(pairs) = p.node(id) else {
        panic!("not a dict")
    };
    pairs
        .iter()
        .find(|(k, _)| match p.node(*k) {
            Node::Tuple(items) => {
                str_of(p, items[0]) == name && p.node(items[1]) == &Node::Int(seed)
            }
            _ => false,
        })
        .map(|&(_, v)| v)
        .unwrap_or_else(|| panic!("no key ({name}, {seed})"))
}

#[test]
fn nats_tss_arch_file() {
    let p = read_file(&nats("tss-000011"), &Limits::default()).unwrap();
    let Node::OrderedDict(hps) = p.node(p.root()) else {
        panic!("root is not an OrderedDict")
    };
    let keys: Vec<&str> = hps.iter().map(|&(k, _)| str_of(&p, k)).collect();
    assert_eq!(keys, ["12", "200"]);
    let hp12 = get(&p, p.root(), "12");
    assert_eq!(p.node(get(&p, hp12, "arch_index")), &Node::Int(11));
    assert!(str_of(&p, get(&p, hp12, "arch_str")).starts_with('|'));
    let results = get(&p, hp12, "all_results");
    let trial = get_pair(&p, results, "cifar10-valid", 777);
    assert_eq!(str_of(&p, get(&p, trial, "name")), "cifar10-valid");
    // numpy.float64 scalar, decoded from its dtype and bytes.
    assert_eq!(p.node(get(&p, trial, "params")), &Node::Float(0.802426));
    assert_eq!(p.node(get(&p, trial, "flop")), &Node::Float(113.95137));
    assert_eq!(p.node(get(&p, trial, "epochs")), &Node::Int(12));
    assert_eq!(p.node(get(&p, trial, "net_state_dict")), &Node::None);
    let Node::List(latency) = p.node(get(&p, trial, "latency")) else {
        panic!()
    };
    assert_eq!(p.node(latency[0]), &Node::Float(0.016163252947623268));
    let Node::Dict(acc) = p.node(get(&p, trial, "train_acc1es")) else {
        panic!()
    };
    assert_eq!(acc.len(), 12);
    assert_eq!(
        (p.node(acc[0].0), p.node(acc[0].1)),
        (&Node::Int(0), &Node::Float(26.00399999267578))
    );
    assert!(matches!(p.node(get(&p, trial, "train_times")), Node::OrderedDict(t) if t.len() == 12));
    let Node::Dict(eval) = p.node(get(&p, trial, "eval_acc1es")) else {
        panic!()
    };
    assert_eq!(str_of(&p, eval[0].0), "x-valid@0");
    assert_eq!(p.node(eval[0].1), &Node::Float(27.508));
    let hp200 = get(&p, p.root(), "200");
    let Node::Dict(acc) = p.node(get(
        &p,
        get_pair(&p, get(&p, hp200, "all_results"), "cifar100", 999),
        "train_acc1es",
    )) else {
        panic!()
    };
    assert_eq!(acc.len(), 200);
}

#[test]
fn nats_sss_arch_file() {
    let p = read_file(&nats("sss-000284"), &Limits::default()).unwrap();
    let Node::OrderedDict(hps) = p.node(p.root()) else {
        panic!()
    };
    assert_eq!(
        hps.iter().map(|&(k, _)| str_of(&p, k)).collect::<Vec<_>>(),
        ["01", "12", "90"]
    );
    let hp01 = get(&p, p.root(), "01");
    let trial = get_pair(&p, get(&p, hp01, "all_results"), "cifar10-valid", 777);
    assert_eq!(p.node(get(&p, trial, "params")), &Node::Float(0.144834));
    assert_eq!(
        str_of(&p, get(&p, get(&p, trial, "arch_config"), "channels")),
        "8:8:40:32:40"
    );
    assert_eq!(p.node(get(&p, trial, "epochs")), &Node::Int(1));
}

#[test]
fn nats_meta_files() {
    for (name, count, first) in [
        ("tss-meta", 15625, "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|"),
        ("sss-meta", 32768, "8:8:8:8:8"),
    ] {
        let p = read_file(&nats(name), &Limits::default()).unwrap();
        let Node::List(archs) = p.node(get(&p, p.root(), "meta_archs")) else { panic!() };
        assert_eq!(archs.len(), count);
        assert_eq!(str_of(&p, archs[0]), first);
        assert!(archs.iter().all(|&a| matches!(p.node(a), Node::Str(_))));
        assert_eq!(p.node(get(&p, p.root(), "total_archs")), &Node::Int(count as i64));
        assert_eq!(p.node(get(&p, p.root(), "arch2infos")), &Node::None);
        assert_eq!(p.node(get(&p, p.root(), "evaluated_indexes")), &Node::Set(vec![]));
    }
}

#[test]
fn parallel_equals_sequential() {
    let paths: Vec<PathBuf> = [
        "tss-000011",
        "sss-000284",
        "tss-meta",
        "sss-meta",
        "missing",
    ]
    .map(nats)
    .to_vec();
    let parallel = read_files(&paths, &Limits::default());
    for (path, result) in paths.iter().zip(parallel) {
        let sequential = read_file(path, &Limits::default());
        assert_eq!(result, sequential);
    }
    let e = read_file(&nats("missing"), &Limits::default()).unwrap_err();
    assert_eq!(e.path.as_deref(), Some(nats("missing").as_path()));
    assert!(e.to_string().contains("missing.pickle.pbz2: cannot read"));
}

#[test]
fn per_kind_limits_name_the_file() {
    let tight = Limits {
        max_input_bytes: 100_000,
        ..Limits::default()
    };
    let e = read_file(&nats("tss-000011"), &tight).unwrap_err();
    assert!(e.to_string().contains("max_input_bytes = 100000"), "{e}");
    let few = Limits {
        max_total_objects: 1000,
        ..Limits::default()
    };
    let e = read_file(&nats("tss-meta"), &few).unwrap_err();
    assert!(e.to_string().contains("tss-meta.pickle.pbz2: pickle exceeds the reader's limit max_total_objects = 1000 (at byte"), "{e}");
}

fn corpus() -> Vec<(String, Vec<u8>, String, Option<String>)> {
    let text = std::fs::read_to_string(data_dir().join("pickle/corpus.jsonl")).unwrap();
    text.lines()
        .map(|line| {
            let row: serde_json::Value = serde_json::from_str(line).unwrap();
            let hex = row["pickle"].as_str().unwrap();
            let bytes = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect();
            let name = format!(
                "{} (protocol {})",
                row["name"].as_str().unwrap(),
                row["protocol"]
            );
            (
                name,
                bytes,
                row["dump"].as_str().unwrap().to_owned(),
                row["reference"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

#[test]
fn python_made_pickles_match_pickle_loads() {
    let rows = corpus();
    assert!(rows.len() > 500);
    let mut with_reference = 0;
    for (name, bytes, expected, reference) in &rows {
        let pickle = parse(bytes, &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let text = dump(&pickle, 1 << 24).unwrap();
        assert_eq!(&text, expected, "{name}");
        if let Some(reference) = reference {
            assert_eq!(&text, reference, "{name} vs safe_pickle");
            with_reference += 1;
        }
        check_invariants(&pickle);
    }
    assert!(with_reference > 400);
}

/// Ids in range, every node reachable, tuple/frozenset items older than the container.
fn check_invariants(p: &Pickle) {
    let n = p.nodes().len() as Id;
    assert!(p.root() < n);
    let mut seen = vec![false; n as usize];
    seen[p.root() as usize] = true;
    for (id, node) in p.nodes().iter().enumerate() {
        for child in node.children() {
            assert!(child < n);
            seen[child as usize] = true;
            if matches!(node, Node::Tuple(_) | Node::FrozenSet(_)) {
                assert!((child as usize) < id);
            }
        }
    }
    assert!(seen.iter().all(|&s| s), "unreachable nodes kept");
}

/// Interesting bytes: opcodes, length-ish values, sign bytes.
const SPICE: &[u8] = b"().0128NKJMhjqr\x94\x85\x86\x87\x8a\x8b\x8c\x8d\x8e\x8f\x90\x91\x93\x95\x96RbtsuealdX}]\x00\x7f\x80\xff";

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(8) {
            0 if at < out.len() => out[at] ^= 1 << rng.below(8),
            1 if at < out.len() => out[at] = SPICE[rng.below(SPICE.len())],
            2 => out.insert(at, SPICE[rng.below(SPICE.len())]),
            3 if at < out.len() => {
                out.remove(at);
            }
            4 => out.truncate(at),
            5 if at + 4 <= out.len() => out[at..at + 4].copy_from_slice(&[0xff, 0xff, 0xff, 0x7f]),
            6 => {
                // Duplicate a slice (repeats opcodes: deep nesting, memo reuse).
                let len = rng.below(64).min(out.len() - at.min(out.len()));
                let piece = out[at..at + len].to_vec();
                for _ in 0..rng.below(50) {
                    out.splice(at..at, piece.iter().copied());
                }
            }
            _ => {
                let from = rng.below(out.len());
                let len = rng.below(16).min(out.len() - from);
                let piece = out[from..from + len].to_vec();
                let at = at.min(out.len());
                out.splice(at..at, piece);
            }
        }
    }
    out
}

fn iterations() -> usize {
    fuzz_iterations(400)
}

#[test]
fn fuzz_pickle_mutants() {
    // Tight limits keep each mutant cheap; the parser must stay within them, whatever it reads.
    let limits = Limits {
        max_memo_entries: 1 << 16,
        max_stack_depth: 1 << 14,
        max_container_len: 1 << 16,
        max_str_len: 1 << 20,
        max_total_objects: 1 << 18,
        max_nesting: 64,
        max_input_bytes: 1 << 24,
        ..Limits::default()
    };
    let mut seeds: Vec<Vec<u8>> = corpus().into_iter().map(|(_, bytes, _, _)| bytes).collect();
    let arch = std::fs::read(nats("sss-000284")).unwrap();
    let raw = decompress_bz2(&arch, &Limits::default()).unwrap();
    seeds.push(raw[..4096.min(raw.len())].to_vec());
    seeds.push(raw);
    let mut rng = Rng(0x5eed_2026_1201);
    let (mut accepted, mut refused) = (0usize, 0usize);
    for seed in &seeds {
        for _ in 0..iterations() {
            let mutant = mutate(&mut rng, seed);
            match parse(&mutant, &limits) {
                Ok(pickle) => {
                    accepted += 1;
                    check_invariants(&pickle);
                    match dump(&pickle, 1 << 22) {
                        Ok(_) | Err(DumpError::Cycle | DumpError::TooLarge) => {}
                    }
                }
                Err(error) => {
                    refused += 1;
                    let offset = error.offset.expect("parse errors carry an offset");
                    assert!(offset <= mutant.len() as u64, "{error}");
                    assert!(error.to_string().len() < 600);
                }
            }
        }
    }
    eprintln!(
        "fuzz: {} mutants, {accepted} accepted, {refused} typed errors",
        accepted + refused
    );
    assert!(accepted > 0 && refused > 0);
}

#[test]
fn fuzz_bz2_mutants() {
    let arch = std::fs::read(nats("sss-000284")).unwrap();
    let mut rng = Rng(0xb2_2026);
    for _ in 0..iterations() / 4 + 1 {
        let mut mutant = arch.clone();
        for _ in 0..1 + rng.below(3) {
            let at = 4 + rng.below(mutant.len() - 4);
            mutant[at] ^= 1 << rng.below(8);
        }
        if rng.below(3) == 0 {
            mutant.truncate(rng.below(mutant.len()));
        }
        // Any outcome but a panic: the flip may even land in padding.
        let _ = load(&mutant, &Limits::default());
    }
}
