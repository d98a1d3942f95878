//! Times the full enumeration per vertex count: `cargo run --release --example enum_timing`.
use nasbench_lite_core::nb101::enumerate::enumerate_vertices;
use std::time::Instant;

fn main() {
    let start = Instant::now();
    let mut total = 0;
    for n in 2..=7 {
        let t = Instant::now();
        let cells = enumerate_vertices(n, 9, 3).expect("valid arguments");
        total += cells.len();
        println!(
            "V={n}: {} unique in {:.3}s",
            cells.len(),
            t.elapsed().as_secs_f64()
        );
    }
    println!("total {total} in {:.3}s", start.elapsed().as_secs_f64());
}
