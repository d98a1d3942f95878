//! The NATS-Bench walker on the real archive files in `tests/data/nats`, and a seeded mutation
//! run: whatever a mutated file holds, the walker returns runs or `Irregular`, never panics, and
//! the runs it returns are consistent with their buffers. (Value-for-value agreement with the
//! Python reference walker is tested from Python: `tests/test_nats_native_walk.py`.)

mod common;

use common::{fuzz_iterations, nats, Rng};
use nasbench_lite_core::nats::{read_arch_files, walk_arch, ArchFile, Walk, FINAL_FIELDS};
use nasbench_lite_core::pickle::{decompress_bz2, parse, Limits, Node};

/// `meta_archs[index]` of a space's real meta file.
fn arch_str(space: &str, index: usize) -> String {
    let meta =
        nasbench_lite_core::pickle::read_file(&nats(&format!("{space}-meta")), &Limits::default())
            .expect("meta file");
    let archs = meta
        .dict_get(meta.root(), "meta_archs")
        .expect("meta_archs");
    let Node::List(items) = meta.node(archs) else {
        panic!("meta_archs is not a list")
    };
    meta.str(items[index]).expect("arch string").to_string()
}

fn check_consistent(walk: &Walk) {
    let Walk::Runs(runs) = walk else { return };
    assert_eq!(runs.values.len(), runs.present.len());
    let mut end = 0;
    for run in &runs.runs {
        assert_eq!(run.offset, end, "runs are back to back");
        end += run.n_series() * run.epochs as usize;
        assert!((run.hp_order as usize) < runs.hps.len());
        assert!(run.finals_absent < 1 << FINAL_FIELDS.len());
    }
    assert_eq!(end, runs.values.len());
}

#[test]
fn real_files_walk_in_full() {
    let mut files = Vec::new();
    for space in ["tss", "sss"] {
        for index in [0_usize, 11, 284] {
            files.push(ArchFile {
                path: nats(&format!("{space}-{index:06}")),
                index: index as i64,
                arch_str: arch_str(space, index),
            });
        }
    }
    let results = read_arch_files(&files, &Limits::default(), false);
    for (file, result) in files.iter().zip(&results) {
        let walk = result.as_ref().expect("readable");
        let Walk::Runs(runs) = walk else {
            panic!("{}: {walk:?}", file.path.display())
        };
        check_consistent(walk);
        let tss = file.path.to_string_lossy().contains("tss");
        assert_eq!(
            runs.hps,
            if tss {
                vec!["12", "200"]
            } else {
                vec!["01", "12", "90"]
            }
        );
        // Every trial has its final train loss and accuracy, flops and params; a positive
        // latency where the file has one.
        for run in &runs.runs {
            assert_eq!(run.finals_absent & 0b11, 0);
            assert_eq!(run.finals_absent >> 21, 0);
            assert!(run.finals[20] > 0.0 || run.latency.is_none());
        }
    }
    // The wrong index or string for a file is irregular (the reference names the key).
    let mut wrong = files[0].clone();
    wrong.index = 1;
    let walk = read_arch_files(&[wrong], &Limits::default(), false).remove(0);
    assert_eq!(
        walk.expect("readable"),
        Walk::Irregular("arch_index".into())
    );
}

#[test]
fn mutated_files_never_panic() {
    let limits = Limits::default();
    let iterations = fuzz_iterations(150);
    let mut rng = Rng(14);
    let (mut walked, mut irregular) = (0, 0);
    for (space, index) in [("tss", 11_usize), ("sss", 284)] {
        let compressed = std::fs::read(nats(&format!("{space}-{index:06}"))).expect("fixture");
        let data = decompress_bz2(&compressed, &limits).expect("bz2");
        let arch = arch_str(space, index);
        for _ in 0..iterations {
            let mut mutant = data.clone();
            for _ in 0..1 + rng.below(3) {
                let at = rng.below(mutant.len());
                match rng.below(3) {
                    0 => mutant[at] ^= 1 << rng.below(8),
                    1 => mutant[at] = b"KJGM\x00\x01\x7f\xff"[rng.below(8)],
                    _ => mutant[at] = mutant[rng.below(mutant.len())],
                }
            }
            let Ok(parsed) = parse(&mutant, &limits) else {
                continue;
            };
            let walk = walk_arch(&parsed, index as i64, &arch, rng.below(2) == 1);
            check_consistent(&walk);
            match walk {
                Walk::Runs(_) => walked += 1,
                Walk::Irregular(_) => irregular += 1,
            }
        }
    }
    assert!(
        walked > 0 && irregular > 0,
        "{walked} walked, {irregular} irregular"
    );
}
