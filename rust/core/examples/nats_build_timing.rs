//! Per-stage CPU of the NATS builder's native reading: bz2, pickle parse, walk, encode.
//!
//! `cargo run --release --example nats_build_timing -- DIR [N] [ROUNDS]`: the first N
//! `{index:06d}.pickle.pbz2` files of an archive directory, read once, then each stage timed
//! over ROUNDS rounds on one thread (ns per file, best round).

use nasbench_lite_core::nats::rows::arch_rows;
use nasbench_lite_core::nats::{walk_arch, Walk};
use nasbench_lite_core::pickle::{decompress_bz2, parse, Limits};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(&args[1]);
    let n: usize = args.get(2).map_or(200, |a| a.parse().unwrap());
    let rounds: usize = args.get(3).map_or(3, |a| a.parse().unwrap());
    let limits = Limits::default();
    let compressed: Vec<Vec<u8>> = (0..n)
        .map(|i| std::fs::read(dir.join(format!("{i:06}.pickle.pbz2"))).unwrap())
        .collect();
    let raw: Vec<Vec<u8>> = compressed
        .iter()
        .map(|c| decompress_bz2(c, &limits).unwrap())
        .collect();
    // STAGE=parse|walk|encode: time only that stage (for `perf stat` instruction counts).
    let stage = std::env::var("STAGE").unwrap_or_default();
    let only = |name: &str| stage.is_empty() || stage == name;
    let rounds_of = |name: &str| if only(name) { rounds } else { 0 };
    let best = |f: &mut dyn FnMut(), rounds: usize| {
        (0..rounds)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_nanos() as f64 / n as f64
            })
            .fold(f64::INFINITY, f64::min)
    };
    let bz2 = best(
        &mut || {
            for c in &compressed {
                std::hint::black_box(decompress_bz2(c, &limits).unwrap());
            }
        },
        rounds_of("bz2"),
    );
    let parse_ns = best(
        &mut || {
            for r in &raw {
                std::hint::black_box(parse(r, &limits).unwrap());
            }
        },
        rounds_of("parse"),
    );
    let parsed: Vec<_> = raw.iter().map(|r| parse(r, &limits).unwrap()).collect();
    // arch_str and index from the file itself (the walker checks them)
    let ids: Vec<(i64, String)> = parsed
        .iter()
        .map(|p| {
            let (_, state) = match p.node(p.root()) {
                nasbench_lite_core::pickle::Node::OrderedDict(pairs)
                | nasbench_lite_core::pickle::Node::Dict(pairs) => pairs[0],
                _ => panic!("root"),
            };
            let index = match p.node(p.dict_get(state, "arch_index").unwrap()) {
                nasbench_lite_core::pickle::Node::Int(i) => *i,
                _ => panic!("index"),
            };
            let s = p
                .str(p.dict_get(state, "arch_str").unwrap())
                .unwrap()
                .to_string();
            (index, s)
        })
        .collect();
    let mut regular = 0;
    let walk_ns = best(
        &mut || {
            regular = 0;
            for (p, (i, s)) in parsed.iter().zip(&ids) {
                if let Walk::Runs(w) = walk_arch(p, *i, s, false) {
                    regular += 1;
                    std::hint::black_box(w);
                }
            }
        },
        rounds_of("walk"),
    );
    let walked: Vec<_> = parsed
        .iter()
        .zip(&ids)
        .filter_map(|(p, (i, s))| match walk_arch(p, *i, s, false) {
            Walk::Runs(w) => Some(w),
            Walk::Irregular(_) => None,
        })
        .collect();
    let encode_ns = best(
        &mut || {
            for w in &walked {
                std::hint::black_box(arch_rows(w.clone(), false));
            }
        },
        rounds_of("encode"),
    );
    let clone_ns = best(
        &mut || {
            for w in &walked {
                std::hint::black_box(w.clone());
            }
        },
        rounds_of("encode"),
    );
    println!(
        "{n} files ({regular} regular), ns/file: bz2 {bz2:.0}  parse {parse_ns:.0}  walk {walk_ns:.0}  encode {:.0}",
        encode_ns - clone_ns
    );
}
