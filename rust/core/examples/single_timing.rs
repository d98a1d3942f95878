//! Times single-cell hashing: `cargo run --release --example single_timing`.
use nasbench_lite_core::hash::{hash_graph, hash_graph_reference};
use std::time::Instant;

fn main() {
    let m: [i64; 49] = [
        0, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0,
        0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
    ];
    let l = [-1, 1, 0, 0, 0, 2, -2];
    let n = 20000;
    for (name, f) in [
        (
            "batch engine",
            hash_graph as fn(usize, &[i64], &[i64]) -> [u8; 16],
        ),
        ("reference", hash_graph_reference),
    ] {
        let t = Instant::now();
        for _ in 0..n {
            std::hint::black_box(f(7, &m, &l));
        }
        println!(
            "{name}: {:.2} us",
            t.elapsed().as_secs_f64() / n as f64 * 1e6
        );
    }
}
