//! Times the batch hash on the unique 7-vertex cells, best of 5:
//! `RAYON_NUM_THREADS=1 cargo run --release --example hash_timing`.
use nasbench_lite_core::nb101::enumerate::{edge_cells, enumerate_vertices};
use nasbench_lite_core::nb101::hash::hash_cells;
use std::time::Instant;

fn main() {
    let unique = enumerate_vertices(7, 9, 3).expect("valid arguments");
    let cells = edge_cells(7, &unique);
    let mut out = vec![[0u8; 16]; cells.len()];
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        hash_cells(&cells, &mut out).expect("valid cells");
        best = best.min(t.elapsed().as_secs_f64());
    }
    assert!(unique.iter().zip(&out).all(|(u, d)| u.digest == *d));
    println!(
        "{} cells: {:.3} s, {:.2} us/cell",
        cells.len(),
        best,
        best / cells.len() as f64 * 1e6
    );
}
