//! Times each MD5 kernel on hash-sized messages: `cargo run --release --example kernel_timing`.
use nasbench_lite_core::md5x::{digest_all, Kernel, PaddedMessages};
use std::time::Instant;

fn main() {
    let mut msgs = PaddedMessages::new();
    for i in 0..100_000usize {
        let len = 33 + (i * 97) % 200;
        let bytes: Vec<u8> = (0..len).map(|j| (i + j) as u8).collect();
        msgs.push(&bytes);
    }
    let mut out = Vec::new();
    for kernel in Kernel::available() {
        digest_all(&msgs, kernel, &mut out);
        let mut best = f64::MAX;
        for _ in 0..5 {
            let t = Instant::now();
            digest_all(&msgs, kernel, &mut out);
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!("{kernel:?}: {:.2} ms per 100k messages", best * 1e3);
    }
}
