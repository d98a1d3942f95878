//! Times single-cell hashing: `cargo run --release --example single_timing`.
use nasbench_lite_core::nb101::hash::{hash_graph, hash_graph_reference};
use nasbench_lite_core::CoreResult;
use std::time::Instant;

fn main() -> CoreResult<()> {
    let m: [i64; 49] = [
        0, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0,
        0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
    ];
    let l = [-1, 1, 0, 0, 0, 2, -2];
    let n = 20000;
    type Hasher = fn(usize, &[i64], &[i64]) -> CoreResult<[u8; 16]>;
    for (name, f) in [
        ("batch engine", hash_graph as Hasher),
        ("reference", hash_graph_reference),
    ] {
        let t = Instant::now();
        for _ in 0..n {
            std::hint::black_box(f(7, &m, &l)?);
        }
        println!(
            "{name}: {:.2} us",
            t.elapsed().as_secs_f64() / n as f64 * 1e6
        );
    }
    Ok(())
}
