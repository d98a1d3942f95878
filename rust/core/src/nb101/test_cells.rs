//! Test-only helpers shared by the NB101 hash tests: a seeded generator, the Inception-like
//! cell of the format notes, and the scalar reference hash of a [`Cell`].

use crate::nb101::hash::{hash_graph_reference, Cell};

/// Small deterministic generator so the core crate needs no test dependencies.
pub(crate) struct SplitMix(pub(crate) u64);

impl SplitMix {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e3779b97f4a7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
        z ^ (z >> 31)
    }
}

/// The README's Inception-like 7-vertex cell, row-major (hash 28cfc787... with the official
/// labels `[-1, 1, 0, 0, 0, 2, -2]`).
pub(crate) const INCEPTION: [i64; 49] = [
    0, 1, 1, 1, 0, 1, 0, //
    0, 0, 0, 0, 0, 0, 1, //
    0, 0, 0, 0, 0, 0, 1, //
    0, 0, 0, 0, 1, 0, 0, //
    0, 0, 0, 0, 0, 0, 1, //
    0, 0, 0, 0, 0, 0, 1, //
    0, 0, 0, 0, 0, 0, 0,
];

/// The scalar reference hash of a cell (the oracle every engine is tested against).
pub(crate) fn reference(cell: &Cell) -> [u8; 16] {
    let n = cell.num_vertices as usize;
    let matrix: Vec<i64> = (0..n * n)
        .map(|i| ((cell.out_mask[i / n] >> (i % n)) & 1) as i64)
        .collect();
    let labels: Vec<i64> = cell.labels[..n].iter().map(|&l| l as i64).collect();
    hash_graph_reference(n, &matrix, &labels).unwrap()
}
