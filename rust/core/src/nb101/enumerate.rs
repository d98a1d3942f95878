//! Exhaustive enumeration of the NAS-Bench-101 space, as `scripts/generate_graphs.py` does it.
//!
//! For each vertex count V the original visits `bits = 0 .. 2^(V(V-1)/2)` in ascending order,
//! builds the upper-triangular matrix with `gen_is_edge_fn` (bit k <-> edge (x, y), x < y,
//! k = x + y(y-1)/2), keeps "full DAGs" (no zero row but the last, no zero column but the first)
//! with at most `max_edges` edges, and for each labelling in
//! `itertools.product(range(num_ops), repeat=V-2)` (last vertex fastest) hashes the cell and
//! keeps the FIRST (matrix, labels) seen per hash. We hash all labelled graphs of one vertex
//! count in parallel and then keep first-seen representatives in visiting order.

use super::hash::{hash_cells, Cell, MAX_BATCH_VERTICES};
use super::spec::{INPUT, OUTPUT};
use crate::error::{CoreError, CoreResult};
use std::collections::HashSet;

/// Largest op count the hasher's label range allows (labels 0..num_ops).
pub const MAX_NUM_OPS: u32 = 6;

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
    (x + y * y.saturating_sub(1) / 2) as u32
}

/// Out-neighbour masks of the `n`-vertex matrix encoded by `bits` (`n` is capped at
/// [`MAX_BATCH_VERTICES`], whose 28 edge bits fit the `u32`).
pub fn masks_from_bits(n: usize, bits: u32) -> [u8; MAX_BATCH_VERTICES] {
    let mut out_mask = [0u8; MAX_BATCH_VERTICES];
    for y in 1..n.min(MAX_BATCH_VERTICES) {
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

fn check_vertices(n: usize) -> CoreResult<()> {
    if !(2..=MAX_BATCH_VERTICES).contains(&n) {
        return Err(CoreError::invalid_input(format!(
            "num_vertices must be in 2..={MAX_BATCH_VERTICES}, got {n}"
        )));
    }
    Ok(())
}

/// Number of labelled graphs the original visits (and hashes) for exactly `n` vertices.
///
/// # Errors
/// [`CoreError::InvalidInput`] for `n` outside 2..=8 or a count that overflows `u64`.
pub fn count_labelled(n: usize, max_edges: u32, num_ops: u32) -> CoreResult<u64> {
    check_vertices(n)?;
    let graphs = full_dags(n, max_edges).len() as u64;
    u64::from(num_ops)
        .checked_pow((n - 2) as u32)
        .and_then(|labellings| labellings.checked_mul(graphs))
        .ok_or_else(|| {
            CoreError::invalid_input(format!(
                "{num_ops} ops on {n} vertices: the labelled-graph count overflows 64 bits"
            ))
        })
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
/// # Errors
/// [`CoreError::InvalidInput`] for `n` outside 2..=8 or `num_ops` outside 1..=6 (the label
/// range of the hasher).
pub fn enumerate_vertices(n: usize, max_edges: u32, num_ops: u32) -> CoreResult<Vec<UniqueCell>> {
    check_vertices(n)?;
    if !(1..=MAX_NUM_OPS).contains(&num_ops) {
        return Err(CoreError::invalid_input(format!(
            "num_ops must be in 1..={MAX_NUM_OPS}, got {num_ops}"
        )));
    }
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
    hash_cells(&cells, &mut digests)?;
    let mut seen: HashSet<[u8; 16]> = HashSet::with_capacity(cells.len() / 2);
    let mut unique = Vec::new();
    // Cells were pushed dag-major, `labellings` per dag, so cell i came from dag i / labellings.
    let dag_of_cell = dags
        .iter()
        .flat_map(|&bits| std::iter::repeat_n(bits, labellings));
    for ((cell, digest), edge_bits) in cells.iter().zip(&digests).zip(dag_of_cell) {
        if seen.insert(*digest) {
            unique.push(UniqueCell {
                edge_bits,
                num_edges: cell.num_edges() as u8,
                labels: cell.labels[..n].to_vec(),
                digest: *digest,
            });
        }
    }
    Ok(unique)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_vertex_counts_match_the_original() {
        // Exact-size counts from the format notes (max_edges 9, 3 ops), V = 2..6.
        let expected = [(2, 1), (3, 6), (4, 84), (5, 2441), (6, 62010)];
        for (n, count) in expected {
            assert_eq!(enumerate_vertices(n, 9, 3).unwrap().len(), count, "V = {n}");
        }
    }

    #[test]
    fn labelled_graph_counts_match_the_original() {
        // Cumulative labelled graphs visited: 1, 7, 97, 3364, 128509, 1293208.
        let mut total = 0;
        let cumulative = [1, 7, 97, 3364, 128509, 1293208];
        for (n, expect) in (2..=7).zip(cumulative) {
            total += count_labelled(n, 9, 3).unwrap();
            assert_eq!(total, expect, "up to V = {n}");
        }
    }

    #[test]
    fn edge_bits_follow_gen_is_edge_fn() {
        assert_eq!(edge_bit(0, 1), 0);
        assert_eq!(edge_bit(0, 2), 1);
        assert_eq!(edge_bit(1, 2), 2);
        assert_eq!(edge_bit(0, 3), 3);
        assert_eq!(masks_from_bits(40, u32::MAX), masks_from_bits(8, u32::MAX));
        let m = masks_from_bits(3, 0b101);
        assert_eq!(m[0], 0b010);
        assert_eq!(m[1], 0b100);
    }

    #[test]
    fn out_of_range_arguments_are_errors() {
        for n in [0, 1, 9] {
            assert!(enumerate_vertices(n, 9, 3).is_err(), "n = {n}");
            assert!(count_labelled(n, 9, 3).is_err(), "n = {n}");
        }
        assert!(enumerate_vertices(3, 9, 0).is_err());
        assert!(enumerate_vertices(3, 9, 7).is_err());
        assert!(count_labelled(8, 28, u32::MAX).is_err());
        assert_eq!(count_labelled(3, 9, 0).unwrap(), 0);
    }
}
