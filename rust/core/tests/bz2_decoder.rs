//! Our bz2 decoder (`nasbench_lite_core::bz2`) against libbzip2 (the `bzip2` crate, also the
//! encoder here): every compression level, run-length edge cases, random and repetitive data,
//! multi-block and multi-stream inputs, the real NATS-Bench files, output caps, and a seeded
//! mutator (bit flips, truncations, overwritten bytes) where ours must never panic and must
//! agree with libbzip2 on accept/reject and on the bytes.

mod common;

use bzip2::read::MultiBzDecoder;
use bzip2::write::BzEncoder;
use bzip2::Compression;
use common::{data_dir, fuzz_iterations, Rng};
use nasbench_lite_core::bz2::{decompress, Bz2ErrorKind};
use std::io::{Read, Write};

fn compress(data: &[u8], level: u32) -> Vec<u8> {
    let mut encoder = BzEncoder::new(Vec::new(), Compression::new(level));
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn reference(compressed: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    MultiBzDecoder::new(compressed)
        .read_to_end(&mut out)
        .ok()
        .map(|_| out)
}

/// Ours decodes `compressed` to `expect`, and so does libbzip2.
fn check(compressed: &[u8], expect: &[u8]) {
    let ours = decompress(compressed, u64::MAX).unwrap_or_else(|e| panic!("ours failed: {e:?}"));
    assert!(
        ours == expect,
        "ours: {} bytes, expected {}",
        ours.len(),
        expect.len()
    );
    assert_eq!(reference(compressed).as_deref(), Some(expect));
}

fn noise(rng: &mut Rng, len: usize) -> Vec<u8> {
    (0..len).map(|_| rng.next() as u8).collect()
}

/// Words from a small vocabulary: text-like, compresses well, few long runs.
fn text(rng: &mut Rng, len: usize) -> Vec<u8> {
    const WORDS: [&[u8]; 8] = [
        b"loss ",
        b"accuracy ",
        b"epoch ",
        b"0.125 ",
        b"cifar10 ",
        b"\n",
        b"train",
        b"{'x': 3}",
    ];
    let mut out = Vec::with_capacity(len + 16);
    while out.len() < len {
        out.extend_from_slice(WORDS[rng.below(WORDS.len())]);
    }
    out.truncate(len);
    out
}

#[test]
fn every_level_on_text_noise_and_runs() {
    let mut rng = Rng(0xb2_0001);
    let samples = [
        text(&mut rng, 150_000),
        noise(&mut rng, 30_000),
        [vec![7u8; 5000], text(&mut rng, 3000), vec![0u8; 70_000]].concat(),
    ];
    for level in 1..=9 {
        for sample in &samples {
            check(&compress(sample, level), sample);
        }
    }
}

#[test]
fn empty_tiny_and_all_byte_values() {
    check(&compress(b"", 9), b"");
    for tiny in [
        &b"a"[..],
        b"ab",
        b"aaaa",
        b"aaaaa",
        b"\x00",
        b"\xff\xff\xff\xff",
    ] {
        check(&compress(tiny, 9), tiny);
    }
    let all: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
    check(&compress(&all, 1), &all);
}

#[test]
fn run_length_edges() {
    // The initial run-length code writes 4..=255 equal bytes as four and a count byte:
    // lengths around 4, 255 and their multiples, alone and back to back.
    for len in (1..=12)
        .chain(250..=262)
        .chain([508, 509, 510, 511, 1019, 1020, 1021])
    {
        let run = vec![b'z'; len];
        check(&compress(&run, 9), &run);
        let framed = [
            b"ab".to_vec(),
            run.clone(),
            b"b".to_vec(),
            run.clone(),
            vec![b'y'; len],
        ]
        .concat();
        check(&compress(&framed, 9), &framed);
    }
    // Many short runs of distinct lengths (every count byte value).
    let mut mixed = Vec::new();
    for len in 1..=300usize {
        mixed.extend(std::iter::repeat_n((len % 7) as u8, len));
    }
    check(&compress(&mixed, 2), &mixed);
}

#[test]
fn multi_block_and_highly_repetitive() {
    let mut rng = Rng(0xb2_0002);
    // Level 1 blocks hold 100k bytes: 2.5 blocks of noise; level 9 above 900k of text.
    let many = noise(&mut rng, 250_000);
    check(&compress(&many, 1), &many);
    let big = text(&mut rng, 1_000_000);
    check(&compress(&big, 9), &big);
    // Runs make a block's run-length input far longer than its 900k: 3 MB of one byte.
    let zeros = vec![0u8; 3_000_000];
    check(&compress(&zeros, 9), &zeros);
    let periodic = b"abcabcabd".repeat(150_000);
    check(&compress(&periodic, 5), &periodic);
}

#[test]
fn concatenated_streams() {
    let mut rng = Rng(0xb2_0003);
    let parts = [
        text(&mut rng, 5000),
        Vec::new(),
        noise(&mut rng, 2000),
        vec![3u8; 1000],
    ];
    let joined: Vec<u8> = parts
        .iter()
        .enumerate()
        .flat_map(|(i, p)| compress(p, 1 + 4 * i as u32 % 9))
        .collect();
    check(&joined, &parts.concat());
}

#[test]
fn real_nats_files() {
    let dir = data_dir().join("nats");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "pbz2") {
            let compressed = std::fs::read(&path).unwrap();
            let expect = reference(&compressed).unwrap();
            check(&compressed, &expect);
            seen += 1;
        }
    }
    assert_eq!(seen, 8);
}

#[test]
fn output_cap_is_exact() {
    let mut rng = Rng(0xb2_0004);
    let data = [
        text(&mut rng, 40_000),
        vec![9u8; 20_000],
        noise(&mut rng, 5000),
    ]
    .concat();
    let compressed = [compress(&data[..30_000], 1), compress(&data[30_000..], 9)].concat();
    for cap in [0u64, 1, 29_999, 30_000, 30_001, 45_000, 60_000, 64_999] {
        let e = decompress(&compressed, cap).unwrap_err();
        assert_eq!((e.kind, e.produced), (Bz2ErrorKind::Cap, cap));
    }
    assert_eq!(decompress(&compressed, 65_000).unwrap(), data);
}

#[test]
fn refusals_are_typed() {
    let good = compress(b"hello hello hello", 9);
    let corrupt = |input: &[u8]| match decompress(input, u64::MAX) {
        Err(e) => match e.kind {
            Bz2ErrorKind::Corrupt(message) => message,
            Bz2ErrorKind::Cap => panic!("cap"),
        },
        Ok(out) => panic!("accepted {} bytes", out.len()),
    };
    assert!(corrupt(b"").contains("end of data"));
    assert!(corrupt(b"BZh").contains("end of data"));
    assert!(corrupt(b"BZh0").contains("bad magic"));
    assert!(corrupt(b"PK\x03\x04").contains("bad magic"));
    assert!(corrupt(&good[..good.len() - 1]).contains("end of data"));
    assert!(corrupt(&[&good[..], b"x"].concat()).contains("bad magic"));
    assert!(corrupt(&[&good[..], b"BZh9"].concat()).contains("end of data"));
    // The stored block CRC is bytes 10..14 (after "BZh9" and the 48-bit block magic).
    let mut bad_crc = good.clone();
    bad_crc[12] ^= 1;
    assert!(corrupt(&bad_crc).contains("block CRC"));
    // The randomised flag is the first bit after the block CRC: refused past 617 bytes,
    // where it would change the output (shorter blocks are the same as plain ones).
    let long = b"0123456789".repeat(62);
    let mut randomised = compress(&long, 9);
    randomised[14] |= 0x80;
    assert!(corrupt(&randomised).contains("randomised"));
    let mut randomised = compress(&long[..617], 9);
    randomised[14] |= 0x80;
    check(&randomised, &long[..617]);
}

#[test]
fn fuzz_mutants_agree_with_libbzip2() {
    let mut rng = Rng(0xb2_2026);
    let seeds: Vec<Vec<u8>> = vec![
        compress(&text(&mut rng, 3000), 9),
        compress(&[vec![1u8; 700], noise(&mut rng, 300)].concat(), 1),
        [compress(b"first", 9), compress(&text(&mut rng, 500), 3)].concat(),
        std::fs::read(data_dir().join("nats/sss-000284.pickle.pbz2")).unwrap(),
    ];
    let (mut same, mut both_refused) = (0, 0);
    for round in 0..fuzz_iterations(400) {
        let mut mutant = seeds[round % seeds.len()].clone();
        match rng.below(4) {
            0 => mutant.truncate(rng.below(mutant.len())),
            1 => {
                for _ in 0..1 + rng.below(3) {
                    let at = rng.below(mutant.len());
                    mutant[at] ^= 1 << rng.below(8);
                }
            }
            2 => {
                let at = rng.below(mutant.len());
                let len = (1 + rng.below(16)).min(mutant.len() - at);
                for byte in &mut mutant[at..at + len] {
                    *byte = rng.next() as u8;
                }
            }
            _ => {
                // Flips confined to the headers and tables of the first block.
                let at = 4 + rng.below(60.min(mutant.len() - 4));
                mutant[at] ^= 1 << rng.below(8);
            }
        }
        let result = decompress(&mutant, 1 << 24);
        let theirs = reference(&mutant);
        let message = format!("{:?}", result.as_ref().err());
        let ours = result.ok();
        assert!(
            ours == theirs,
            "round {round}: ours {message} vs libbzip2 {:?}",
            theirs.map(|t| t.len())
        );
        if ours.is_some() {
            same += 1;
        } else {
            both_refused += 1;
        }
    }
    eprintln!("bz2 fuzz: {same} accepted by both, {both_refused} refused by both");
    assert!(both_refused > 0);
}
