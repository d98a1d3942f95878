//! Helpers shared by the integration test files: the fixture paths, a seeded generator for the
//! mutation runs, hand-built protocol-4 pickles and error checks. (Each test file is its own
//! crate and uses a part of them, hence `dead_code`.)
#![allow(dead_code)]

use nasbench_lite_core::pickle::dump::dump;
use nasbench_lite_core::pickle::{parse, ErrorKind, Limit, Limits, PickleError};
use std::path::PathBuf;

/// The project's `tests/data` folder (fixtures copied there, see its README).
pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data")
}

/// A real NATS-Bench archive file of `tests/data/nats`, by its stem (`tss-000011`, `sss-meta`).
pub fn nats(name: &str) -> PathBuf {
    data_dir().join("nats").join(format!("{name}.pickle.pbz2"))
}

/// SplitMix64: a seeded generator with no dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A value in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Mutants per seed input of a fuzz test: `NASBENCH_LITE_FUZZ_ITERS`, else `default`.
pub fn fuzz_iterations(default: usize) -> usize {
    std::env::var("NASBENCH_LITE_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The error kind of a refused input that crossed `limit` (set to `max`).
pub fn exceeded(limit: Limit, max: u64) -> ErrorKind {
    ErrorKind::LimitExceeded { limit, max }
}

/// The limit an error kind names, if it is `LimitExceeded`.
pub fn limit_of(kind: &ErrorKind) -> Option<Limit> {
    match kind {
        ErrorKind::LimitExceeded { limit, .. } => Some(*limit),
        _ => None,
    }
}

/// `PROTO 4`, the body, `STOP`.
pub fn p4(body: &[u8]) -> Vec<u8> {
    [b"\x80\x04".as_slice(), body, b"."].concat()
}

pub fn text(data: &[u8]) -> String {
    let pickle = parse(data, &Limits::default()).unwrap_or_else(|e| panic!("{e}"));
    dump(&pickle, 1 << 20).unwrap()
}

pub fn error(data: &[u8]) -> PickleError {
    error_with(data, &Limits::default())
}

pub fn error_with(data: &[u8], limits: &Limits) -> PickleError {
    match parse(data, limits) {
        Ok(pickle) => panic!("accepted: {:?}", dump(&pickle, 1000)),
        Err(e) => e,
    }
}

/// The error of the protocol-4 pickle of `body` under the default limits changed by `tighten`.
pub fn error_under(body: &[u8], tighten: impl FnOnce(&mut Limits)) -> PickleError {
    let mut limits = Limits::default();
    tighten(&mut limits);
    error_with(&p4(body), &limits)
}

pub fn malformed(data: &[u8], needle: &str) -> u64 {
    let e = error(data);
    match &e.kind {
        ErrorKind::Malformed(message) if message.contains(needle) => {}
        _ => panic!("expected a Malformed error containing {needle:?}, got {e}"),
    }
    assert!(!e.is_unsafe());
    e.offset.expect("an offset")
}

pub fn s(text: &str) -> String {
    let hex: String = text.bytes().map(|b| format!("{b:02x}")).collect();
    format!("s{hex}")
}

pub fn global(module: &str, name: &str) -> Vec<u8> {
    format!("c{module}\n{name}\n").into_bytes()
}

pub fn short_str(text: &str) -> Vec<u8> {
    [&[0x8c, text.len() as u8][..], text.as_bytes()].concat()
}

/// `numpy.dtype(code, False, True)` + BUILD (version, byteorder, ...), as NumPy pickles it.
pub fn dtype(code: &str, order: &str) -> Vec<u8> {
    [
        global("numpy", "dtype"),
        short_str(code),
        b"\x89\x88\x87R(K\x03".to_vec(),
        short_str(order),
        b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb".to_vec(),
    ]
    .concat()
}

pub fn scalar(code: &str, order: &str, data: &[u8]) -> Vec<u8> {
    let module = if code == "f8" {
        "numpy.core.multiarray"
    } else {
        "numpy._core.multiarray"
    };
    [
        global(module, "scalar"),
        dtype(code, order),
        vec![b'C', data.len() as u8],
        data.to_vec(),
        b"\x86R".to_vec(),
    ]
    .concat()
}

pub fn reconstruct(module: &str) -> Vec<u8> {
    [
        global(module, "_reconstruct"),
        global("numpy", "ndarray"),
        b"K\x00\x85C\x01b\x87R".to_vec(),
    ]
    .concat()
}

pub fn bz2(data: &[u8]) -> Vec<u8> {
    use bzip2::write::BzEncoder;
    use std::io::Write;
    let mut encoder = BzEncoder::new(Vec::new(), bzip2::Compression::best());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}
