//! `ModelSpec._prune` on small upper-triangular cells, as bitmasks.
//!
//! The original keeps the vertices reached both by a forward DFS from the input (vertex 0) and by
//! a backward DFS from the output (vertex V-1); if more than V-2 vertices are extraneous (the
//! input cannot reach the output, or V == 1) the spec is invalid. Kept vertices are renumbered
//! consecutively in their original order and the edges between them are kept.

use crate::error::{CoreError, CoreResult};

/// Vertices reachable from `start` following `next[v]` bitmasks (any direction).
fn reach(start: usize, next: &[u8]) -> u8 {
    let mut seen: u8 = 1 << start;
    let mut stack: u8 = seen;
    while stack != 0 {
        let v = stack.trailing_zeros() as usize;
        stack &= stack - 1;
        let fresh = next[v] & !seen;
        seen |= fresh;
        stack |= fresh;
    }
    seen
}

/// Result of pruning a cell of at most 8 vertices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pruned {
    /// Bit v set when original vertex v survives.
    pub kept: u8,
    /// Number of surviving vertices.
    pub num_vertices: usize,
}

/// Prunes an `n x n` cell given by its out-neighbour bitmasks.
///
/// Returns `Ok(None)` when the spec is invalid (disconnected input and output, or a single
/// vertex).
///
/// # Errors
/// [`CoreError::InvalidInput`] unless `1 <= n <= 8` and `out_mask` holds `n` masks.
pub fn prune(n: usize, out_mask: &[u8]) -> CoreResult<Option<Pruned>> {
    if !(1..=8).contains(&n) || out_mask.len() < n {
        return Err(CoreError::invalid_input(format!(
            "prune handles 1..=8 vertices with one mask each (n = {n}, {} masks)",
            out_mask.len()
        )));
    }
    // Edges to vertices >= n do not exist in an n-vertex cell: drop stray mask bits.
    let inside = (1u16 << n).wrapping_sub(1) as u8;
    let mut masks = [0u8; 8];
    for (dst, &mask) in masks.iter_mut().zip(&out_mask[..n]) {
        *dst = mask & inside;
    }
    let mut in_mask = [0u8; 8];
    for (v, &mask) in masks.iter().enumerate().take(n) {
        let mut bits = mask;
        while bits != 0 {
            let w = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            in_mask[w] |= 1 << v;
        }
    }
    let kept = reach(0, &masks[..n]) & reach(n - 1, &in_mask[..n]);
    let num_vertices = kept.count_ones() as usize;
    // `len(extraneous) > V - 2`, written without going negative for V == 1.
    if n - num_vertices + 2 > n {
        return Ok(None);
    }
    Ok(Some(Pruned { kept, num_vertices }))
}

/// Applies a prune result: the kept rows/columns of `out_mask` renumbered consecutively.
///
/// Only the first `n` masks (at most 8) are read; vertices outside them count as dropped.
pub fn compact(n: usize, out_mask: &[u8], kept: u8) -> Vec<u8> {
    let rows = &out_mask[..n.min(8).min(out_mask.len())];
    let mut new_index = [0usize; 8];
    let mut next = 0;
    for (v, slot) in new_index.iter_mut().enumerate().take(rows.len()) {
        if kept >> v & 1 == 1 {
            *slot = next;
            next += 1;
        }
    }
    let mut compacted = Vec::with_capacity(next);
    for (v, &row) in rows.iter().enumerate() {
        if kept >> v & 1 == 0 {
            continue;
        }
        let mut mask = 0u8;
        let mut bits = row & kept;
        while bits != 0 {
            let w = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            mask |= 1 << new_index[w];
        }
        compacted.push(mask);
    }
    compacted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masks(rows: &[&[u8]]) -> Vec<u8> {
        rows.iter()
            .map(|row| row.iter().enumerate().fold(0u8, |m, (w, &e)| m | (e << w)))
            .collect()
    }

    #[test]
    fn dangling_vertices_are_removed() {
        // 0 -> 1 -> 3, 0 -> 2 (2 is a dead end), 3 is the output.
        let m = masks(&[&[0, 1, 1, 0], &[0, 0, 0, 1], &[0, 0, 0, 0], &[0, 0, 0, 0]]);
        let p = prune(4, &m).unwrap().unwrap();
        assert_eq!(p.kept, 0b1011);
        assert_eq!(
            compact(4, &m, p.kept),
            masks(&[&[0, 1, 0], &[0, 0, 1], &[0, 0, 0]])
        );
    }

    #[test]
    fn disconnected_and_single_vertex_are_invalid() {
        let m = masks(&[&[0, 1, 0], &[0, 0, 0], &[0, 0, 0]]);
        assert_eq!(prune(3, &m).unwrap(), None);
        assert_eq!(prune(1, &[0]).unwrap(), None);
    }

    #[test]
    fn two_vertex_cell_is_valid() {
        let p = prune(2, &masks(&[&[0, 1], &[0, 0]])).unwrap().unwrap();
        assert_eq!(p.num_vertices, 2);
    }

    #[test]
    fn out_of_range_sizes_are_errors() {
        assert!(prune(0, &[]).is_err());
        assert!(prune(9, &[0; 9]).is_err());
        assert!(prune(3, &[0, 0]).is_err());
        // Mask bits beyond the n vertices are not edges (and never index past them).
        assert_eq!(prune(3, &[0b1000_0000, 0, 0]).unwrap(), None);
        let p = prune(2, &[0b1111_1110, 0]).unwrap().unwrap();
        assert_eq!(p.kept, 0b11);
        // compact never reads past the masks it is given.
        assert_eq!(compact(12, &[0b10, 0], 0b11), vec![0b10, 0]);
    }
}
