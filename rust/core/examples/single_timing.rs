//! Times single-cell hashing, best of many short batches (robust on a shared machine):
//! `cargo run --release --example single_timing`.
use nasbench_lite_core::nb101::hash::{hash_graph, hash_graph_reference};
use nasbench_lite_core::nb101::single_spec::{
    hash_key, prune_spec, prune_spec_bytes, spec_digest, DigestMemo,
};
use nasbench_lite_core::CoreResult;
use std::time::Instant;

/// Random valid-looking 7-vertex upper-triangular cells (splitmix64, fixed seed).
fn cells(count: usize) -> Vec<([i64; 49], [i8; 7])> {
    let mut state = 0x1234_5678_9abc_def0u64;
    let mut next = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let mut out = Vec::new();
    while out.len() < count {
        let mut m = [0i64; 49];
        for v in 0..7 {
            for w in v + 1..7 {
                m[v * 7 + w] = (next() & 1) as i64;
            }
        }
        let codes: [i8; 7] = std::array::from_fn(|_| (next() % 3) as i8);
        if let Some((_, edges, Some(_))) = prune_spec(7, &m, &codes) {
            if edges <= 9 {
                out.push((m, codes));
            }
        }
    }
    out
}

/// Best time per call of `f` over every cell, in microseconds.
fn best_us(items: &[([i64; 49], [i8; 7])], mut f: impl FnMut(&[i64; 49], &[i8; 7])) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..30 {
        for chunk in items.chunks(100) {
            let t = Instant::now();
            for (m, c) in chunk {
                f(m, c);
            }
            best = best.min(t.elapsed().as_secs_f64() / chunk.len() as f64);
        }
    }
    best * 1e6
}

fn main() -> CoreResult<()> {
    let items = cells(2000);
    let labels = |c: &[i8; 7]| -> [i64; 7] {
        std::array::from_fn(|v| match v {
            0 => -1,
            6 => -2,
            _ => c[v] as i64,
        })
    };
    let spec = best_us(&items, |m, c| {
        std::hint::black_box(spec_digest(7, m, c));
    });
    println!("spec_digest (check + prune + hash): {spec:.2} us");
    // The parts of `ModelSpec`'s native step: check + prune of the 0/1 bytes, a memo hit, the
    // hash of the pruned cell.
    let bytes: Vec<[u8; 49]> = items.iter().map(|(m, _)| m.map(|e| e as u8)).collect();
    let pruned = best_us(&items, |m, c| {
        let b: [u8; 49] = m.map(|e| e as u8);
        std::hint::black_box(prune_spec_bytes(7, &b, c));
    });
    println!("prune_spec_bytes (check + prune, incl. i64 -> u8): {pruned:.3} us");
    let keys: Vec<_> = bytes
        .iter()
        .zip(&items)
        .filter_map(|(b, (_, c))| prune_spec_bytes(7, b, c).and_then(|p| p.2))
        .collect();
    let mut memo = DigestMemo::new(1 << 17);
    for key in &keys {
        memo.digest(key);
    }
    let mut at = 0;
    let hit = best_us(&items, |_, _| {
        at = (at + 1) % keys.len();
        std::hint::black_box(memo.digest(&keys[at]));
    });
    println!("DigestMemo hit: {hit:.3} us");
    let mut at = 0;
    let hashed = best_us(&items, |_, _| {
        at = (at + 1) % keys.len();
        std::hint::black_box(hash_key(&keys[at]));
    });
    println!("hash_key (one-cell MD5 engine, pruned cell): {hashed:.2} us");
    let engine = best_us(&items, |m, c| {
        std::hint::black_box(hash_graph(7, m, &labels(c)).ok());
    });
    println!("hash_graph (unpruned 7 vertices): {engine:.2} us");
    let reference = best_us(&items[..200], |m, c| {
        std::hint::black_box(hash_graph_reference(7, m, &labels(c)).ok());
    });
    println!("reference (unpruned 7 vertices): {reference:.2} us");
    for (m, c) in &items {
        assert_eq!(
            hash_graph(7, m, &labels(c))?,
            hash_graph_reference(7, m, &labels(c))?
        );
    }
    Ok(())
}
