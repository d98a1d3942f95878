//! Command-line access to the native pickle reader, for the comparison harness
//! (`tests/test_native_pickle_compare.py`) and the benchmark (`benchmarks/bench_pickle.py`).
//!
//! * `pickle_tool dump FILE...`: one line per file, `ok <canonical text>` (see
//!   `nasbench_lite_core::pickle::dump`) or `err <unsafe|corrupt> <offset|-> <message>`.
//! * `pickle_tool dump-hex`: the same for each line of standard input (a pickle in hex).
//! * `pickle_tool bench REPEAT COPIES FILE...`: per file, the best of REPEAT runs of
//!   decompress / parse / whole `read_file` in ms; then `read_files` on COPIES copies of the
//!   list, sequential (one thread) and parallel (rayon), in ms.

use nasbench_lite_core::pickle::dump::dump;
use nasbench_lite_core::pickle::{
    decompress_bz2, is_bz2, load, parse, read_file, read_files, Limits, Pickle, PickleError,
};
use std::io::BufRead;
use std::path::PathBuf;
use std::time::Instant;

fn line(result: Result<Pickle, PickleError>) -> String {
    match result {
        Ok(pickle) => match dump(&pickle, 1 << 28) {
            Ok(text) => format!("ok {text}"),
            Err(error) => format!("err dump - {error:?}"),
        },
        Err(error) => {
            let class = if error.is_unsafe() {
                "unsafe"
            } else {
                "corrupt"
            };
            let offset = error.offset.map_or("-".to_owned(), |o| o.to_string());
            format!(
                "err {class} {offset} {}",
                error.to_string().replace('\n', " ")
            )
        }
    }
}

fn best_ms(repeat: usize, mut run: impl FnMut()) -> f64 {
    (0..repeat.max(1))
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed().as_secs_f64() * 1e3
        })
        .fold(f64::INFINITY, f64::min)
}

fn bench(repeat: usize, copies: usize, paths: &[PathBuf]) {
    let limits = Limits::default();
    for path in paths {
        let raw = std::fs::read(path).expect("readable file");
        let data = if is_bz2(&raw) {
            decompress_bz2(&raw, &limits).expect("valid bz2")
        } else {
            raw.clone()
        };
        let decompress = if is_bz2(&raw) {
            best_ms(repeat, || drop(decompress_bz2(&raw, &limits)))
        } else {
            0.0
        };
        let parse_ms = best_ms(repeat, || drop(parse(&data, &limits)));
        let total = best_ms(repeat, || drop(read_file(path, &limits)));
        let nodes = load(&raw, &limits).map(|p| p.nodes().len()).unwrap_or(0);
        println!(
            "file\t{}\t{}\t{nodes}\t{decompress:.3}\t{parse_ms:.3}\t{total:.3}",
            path.display(),
            data.len()
        );
    }
    let many: Vec<PathBuf> = (0..copies).flat_map(|_| paths.iter().cloned()).collect();
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a thread pool");
    let sequential = best_ms(repeat.min(3), || {
        drop(one.install(|| read_files(&many, &limits)))
    });
    let parallel = best_ms(repeat.min(3), || drop(read_files(&many, &limits)));
    println!(
        "many\t{}\t{}\t{sequential:.3}\t{parallel:.3}",
        many.len(),
        rayon::current_num_threads()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let limits = Limits::default();
    match args.first().map(String::as_str) {
        Some("dump") => {
            for path in &args[1..] {
                println!("{}", line(read_file(path.as_ref(), &limits)));
            }
        }
        Some("dump-hex") => {
            for input in std::io::stdin().lock().lines() {
                let input = input.expect("stdin");
                let bytes: Option<Vec<u8>> = (0..input.len())
                    .step_by(2)
                    .map(|i| {
                        input
                            .get(i..i + 2)
                            .and_then(|h| u8::from_str_radix(h, 16).ok())
                    })
                    .collect();
                match bytes {
                    Some(bytes) => println!("{}", line(load(&bytes, &limits))),
                    None => println!("err input - not hex"),
                }
            }
        }
        Some("bench") if args.len() >= 4 => {
            let repeat = args[1].parse().expect("REPEAT");
            let copies = args[2].parse().expect("COPIES");
            let paths: Vec<PathBuf> = args[3..].iter().map(PathBuf::from).collect();
            bench(repeat, copies, &paths);
        }
        _ => {
            eprintln!("usage: pickle_tool dump FILE... | dump-hex < HEXLINES | bench REPEAT COPIES FILE...");
            std::process::exit(2);
        }
    }
}
