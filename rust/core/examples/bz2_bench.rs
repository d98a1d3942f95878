//! Our bz2 decoder against libbzip2 (the `bzip2` crate) on the files given as arguments:
//! `cargo run --release --example bz2_bench -- FILE...` prints ms/file and MB/s of output,
//! best of alternating rounds, with a check that both outputs agree.

use std::io::Read;
use std::time::Instant;

fn libbzip2(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    bzip2::read::MultiBzDecoder::new(data)
        .read_to_end(&mut out)
        .expect("libbzip2");
    out
}

fn main() {
    // `--only ours|c N`: decode every file N times with one decoder and exit (for `perf stat`).
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--only") {
        let rounds: usize = args[2].parse().expect("rounds");
        let files: Vec<Vec<u8>> = args[3..]
            .iter()
            .map(|p| std::fs::read(p).expect("read"))
            .collect();
        for _ in 0..rounds {
            for file in &files {
                if args[1] == "ours" {
                    std::hint::black_box(
                        nasbench_lite_core::bz2::decompress(file, u64::MAX).unwrap(),
                    );
                } else {
                    std::hint::black_box(libbzip2(file));
                }
            }
        }
        return;
    }
    let files: Vec<Vec<u8>> = args
        .iter()
        .map(|path| std::fs::read(path).expect("read"))
        .collect();
    assert!(!files.is_empty(), "usage: bz2_bench FILE...");
    let total_out: usize = files.iter().map(|f| libbzip2(f).len()).sum();
    for file in &files {
        assert_eq!(
            nasbench_lite_core::bz2::decompress(file, u64::MAX).expect("ours"),
            libbzip2(file)
        );
    }
    let (mut best_ours, mut best_c) = (f64::MAX, f64::MAX);
    for _ in 0..7 {
        let start = Instant::now();
        for file in &files {
            std::hint::black_box(nasbench_lite_core::bz2::decompress(file, u64::MAX).unwrap());
        }
        best_ours = best_ours.min(start.elapsed().as_secs_f64());
        let start = Instant::now();
        for file in &files {
            std::hint::black_box(libbzip2(file));
        }
        best_c = best_c.min(start.elapsed().as_secs_f64());
    }
    let n = files.len() as f64;
    let mb = total_out as f64 / 1e6;
    println!(
        "{} files, {:.0} kB out each: ours {:.3} ms/file ({:.1} MB/s), libbzip2 {:.3} ms/file ({:.1} MB/s), ratio {:.2}x",
        files.len(),
        total_out as f64 / n / 1e3,
        best_ours * 1e3 / n,
        mb / best_ours,
        best_c * 1e3 / n,
        mb / best_c,
        best_c / best_ours
    );
}
