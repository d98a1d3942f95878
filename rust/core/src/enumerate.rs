//! Exhaustive enumeration of the NAS-Bench-101 space, as `scripts/generate_graphs.py` does it.
//!
//! For each vertex count V the original visits `bits = 0 .. 2^(V(V-1)/2)` in ascending order,
//! builds the upper-triangular matrix with `gen_is_edge_fn` (bit k <-> edge (x, y), x < y,
//! k = x + y(y-1)/2), keeps "full DAGs" (no zero row but the last, no zero column but the first)
//! with at most `max_edges` edges, and for each labelling in
//! `itertools.product(range(num_ops), repeat=V-2)` (last vertex fastest) hashes the cell and
//! keeps the FIRST (matrix, labels) seen per hash. We hash all labelled graphs of one vertex
//! count in parallel and then keep first-seen representatives in visiting order.

use crate::hash::{hash_cells, Cell, MAX_BATCH_VERTICES};
use crate::spec::{INPUT, OUTPUT};
use std::collections::HashSet;

/// One unique cell: the representative the original enumeration stored for its hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UniqueCell {
    /// `gen_is_edge_fn` bits of the representative matrix.
    pub edge_bits: u32,
    pub num_edges: u8,
    /// Labels per vertex: input -1, output -2, ops 0..num_ops.
    pub labels: Vec<i8>,
    pub digest: [u8; 16],
}

/// Bit index of edge (x, y), x < y, in `gen_is_edge_fn` order.
#[inline]
pub fn edge_bit(x: usize, y: usize) -> u32 {
    (x + y * (y - 1) / 2) as u32
}

/// Out-neighbour masks of the `n`-vertex matrix encoded by `bits`.
pub fn masks_from_bits(n: usize, bits: u32) -> [u8; MAX_BATCH_VERTICES] {
    let mut out_mask = [0u8; MAX_BATCH_VERTICES];
    for y in 1..n {
        for (x, mask) in out_mask.iter_mut().enumerate().take(y) {
            if bits >> edge_bit(x, y) & 1 == 1 {
                *mask |= 1 << y;
            }
        }
    }
    out_mask
}

/// `graph_util.is_full_dag` on an upper-triangular matrix given as out masks.
fn is_full_dag(n: usize, out_mask: &[u8]) -> bool {
    let mut has_in = 0u8;
    for &mask in &out_mask[..n] {
        has_in |= mask;
    }
    let rows_ok = out_mask[..n - 1].iter().all(|&m| m != 0);
    let all_but_first: u8 = ((1u16 << n) - 2) as u8;
    rows_ok && has_in & all_but_first == all_but_first
}

/// Number of labelled graphs the original visits (and hashes) for exactly `n` vertices.
pub fn count_labelled(n: usize, max_edges: u32, num_ops: u32) -> u64 {
    let graphs = full_dags(n, max_edges).len() as u64;
    graphs * (num_ops as u64).pow((n - 2) as u32)
}

/// Edge bits of every full DAG with `n` vertices and at most `max_edges` edges, ascending.
fn full_dags(n: usize, max_edges: u32) -> Vec<u32> {
    let total_bits = n * (n - 1) / 2;
    (0..1u32 << total_bits)
        .filter(|&bits| bits.count_ones() <= max_edges && is_full_dag(n, &masks_from_bits(n, bits)))
        .collect()
}

/// Unique cells with exactly `n` vertices (2..=8), in the original's first-seen order.
///
/// Panics on `n` outside 2..=8 or `num_ops` outside 1..=6 (the label range of the hasher).
pub fn enumerate_vertices(n: usize, max_edges: u32, num_ops: u32) -> Vec<UniqueCell> {
    assert!(
        (2..=MAX_BATCH_VERTICES).contains(&n),
        "vertex count must be in 2..=8"
    );
    assert!((1..=6).contains(&num_ops), "num_ops must be in 1..=6");
    let labellings = (num_ops as usize).pow((n - 2) as u32);
    let mut cells = Vec::new();
    let dags = full_dags(n, max_edges);
    cells.reserve(dags.len() * labellings);
    for &bits in &dags {
        let out_mask = masks_from_bits(n, bits);
        let mut in_mask = [0u8; MAX_BATCH_VERTICES];
        for (v, &mask) in out_mask.iter().enumerate().take(n) {
            for (w, into) in in_mask.iter_mut().enumerate().take(n) {
                if mask >> w & 1 == 1 {
                    *into |= 1 << v;
                }
            }
        }
        for k in 0..labellings {
            let mut labels = [0i8; MAX_BATCH_VERTICES];
            labels[0] = INPUT;
            labels[n - 1] = OUTPUT;
            let mut rest = k;
            // itertools.product: the last interior vertex varies fastest.
            for v in (1..n - 1).rev() {
                labels[v] = (rest % num_ops as usize) as i8;
                rest /= num_ops as usize;
            }
            cells.push(Cell {
                num_vertices: n as u8,
                out_mask,
                in_mask,
                labels,
            });
        }
    }
    let mut digests = vec![[0u8; 16]; cells.len()];
    hash_cells(&cells, &mut digests);
    let mut seen: HashSet<[u8; 16]> = HashSet::with_capacity(cells.len() / 2);
    let mut unique = Vec::new();
    for (i, digest) in digests.iter().enumerate() {
        if seen.insert(*digest) {
            let cell = &cells[i];
            unique.push(UniqueCell {
                edge_bits: dags[i / labellings],
                num_edges: cell.num_edges() as u8,
                labels: cell.labels[..n].to_vec(),
                digest: *digest,
            });
        }
    }
    unique
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_vertex_counts_match_the_original() {
        // Exact-size counts from the format notes (max_edges 9, 3 ops), V = 2..6.
        let expected = [(2, 1), (3, 6), (4, 84), (5, 2441), (6, 62010)];
        for (n, count) in expected {
            assert_eq!(enumerate_vertices(n, 9, 3).len(), count, "V = {n}");
        }
    }

    #[test]
    fn labelled_graph_counts_match_the_original() {
        // Cumulative labelled graphs visited: 1, 7, 97, 3364, 128509, 1293208.
        let mut total = 0;
        let cumulative = [1, 7, 97, 3364, 128509, 1293208];
        for (n, expect) in (2..=7).zip(cumulative) {
            total += count_labelled(n, 9, 3);
            assert_eq!(total, expect, "up to V = {n}");
        }
    }

    #[test]
    fn edge_bits_follow_gen_is_edge_fn() {
        assert_eq!(edge_bit(0, 1), 0);
        assert_eq!(edge_bit(0, 2), 1);
        assert_eq!(edge_bit(1, 2), 2);
        assert_eq!(edge_bit(0, 3), 3);
        let m = masks_from_bits(3, 0b101);
        assert_eq!(m[0], 0b010);
        assert_eq!(m[1], 0b100);
    }
}
