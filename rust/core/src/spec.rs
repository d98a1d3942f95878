//! Batch version of `ModelSpec(...)` + `api._check_spec` + `hash_spec` for NAS-Bench-101 cells.
//!
//! Each row is a padded `W x W` 0/1 matrix with `W` op codes. Codes: [`INPUT`], [`OUTPUT`],
//! `0..NUM_OPS` for the available ops in their official order, [`PAD`] for the padding of cells
//! smaller than `W`, [`UNKNOWN`] for any other op name. Rows are checked in the original order:
//! constructor checks, pruning, then `_check_spec` on the pruned spec.

use crate::hash::{hash_cells, Cell};
use crate::prune::{compact, prune};
use rayon::prelude::*;

pub const INPUT: i8 = -1;
pub const OUTPUT: i8 = -2;
pub const PAD: i8 = -3;
pub const UNKNOWN: i8 = -4;
/// Number of interior ops of the NAS-Bench-101 space (conv3x3, conv1x1, maxpool3x3).
pub const NUM_OPS: i8 = 3;
/// `module_vertices` and `max_edges` of the original config.
pub const MAX_VERTICES: usize = 7;
pub const MAX_EDGES: u32 = 9;

/// Outcome of validating one row; `detail` qualifies it (see each variant).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Status {
    /// Valid; the row is hashed.
    Valid = 0,
    /// Padding is not a suffix, or a padded vertex has an edge. `detail` = first bad vertex.
    BadPadding = 1,
    /// An entry on or below the diagonal is set (ModelSpec's ValueError).
    NotUpperTriangular = 2,
    /// Input cannot reach output after pruning (or a single vertex).
    Disconnected = 3,
    /// More than [`MAX_EDGES`] edges after pruning. `detail` = edge count.
    TooManyEdges = 4,
    /// First op (after pruning) is not the input.
    FirstNotInput = 5,
    /// Last op (after pruning) is not the output.
    LastNotOutput = 6,
    /// An interior op is unsupported. `detail` = its index in the unpruned row.
    UnsupportedOp = 7,
    /// Fewer than one vertex.
    Empty = 8,
}

/// Per-row result of [`check_and_hash`].
#[derive(Clone, Copy, Debug)]
pub struct RowResult {
    pub status: Status,
    pub detail: i32,
    /// Vertex and edge counts after pruning (0 when pruning failed or was not reached).
    pub num_vertices: u8,
    pub num_edges: u8,
    /// MD5 of the pruned spec; meaningful only when `status` is `Valid`.
    pub digest: [u8; 16],
}

impl RowResult {
    fn rejected(status: Status, detail: i32) -> Self {
        RowResult {
            status,
            detail,
            num_vertices: 0,
            num_edges: 0,
            digest: [0; 16],
        }
    }
}

/// Validates, prunes and checks one padded row; returns the pruned cell when valid.
pub fn check_row(width: usize, matrix: &[u8], codes: &[i8]) -> (RowResult, Option<Cell>) {
    assert!(width <= 8 && matrix.len() == width * width && codes.len() == width);
    let n = codes.iter().position(|&c| c == PAD).unwrap_or(width);
    if let Some(bad) = codes[n..].iter().position(|&c| c != PAD) {
        return (
            RowResult::rejected(Status::BadPadding, (n + bad) as i32),
            None,
        );
    }
    for v in 0..width {
        for w in 0..width {
            if matrix[v * width + w] != 0 && (v >= n || w >= n) {
                return (
                    RowResult::rejected(Status::BadPadding, v.max(w) as i32),
                    None,
                );
            }
        }
    }
    if n == 0 {
        return (RowResult::rejected(Status::Empty, 0), None);
    }
    let mut out_mask = [0u8; 8];
    for v in 0..n {
        for w in 0..n {
            if matrix[v * width + w] != 0 {
                if w <= v {
                    return (
                        RowResult::rejected(Status::NotUpperTriangular, (v * n + w) as i32),
                        None,
                    );
                }
                out_mask[v] |= 1 << w;
            }
        }
    }
    let Some(pruned) = prune(n, &out_mask[..n]) else {
        return (RowResult::rejected(Status::Disconnected, 0), None);
    };
    let masks = compact(n, &out_mask[..n], pruned.kept);
    let kept: Vec<usize> = (0..n).filter(|&v| pruned.kept >> v & 1 == 1).collect();
    let num_edges: u32 = masks.iter().map(|m| m.count_ones()).sum();
    let mut result = RowResult {
        status: Status::Valid,
        detail: 0,
        num_vertices: pruned.num_vertices as u8,
        num_edges: num_edges as u8,
        digest: [0; 16],
    };
    // `_check_spec` order: (vertex count cannot exceed 7 here), edges, first, last, interior ops.
    let pruned_codes: Vec<i8> = kept.iter().map(|&v| codes[v]).collect();
    let last = pruned_codes.len() - 1;
    if num_edges > MAX_EDGES {
        (result.status, result.detail) = (Status::TooManyEdges, num_edges as i32);
    } else if pruned_codes[0] != INPUT {
        result.status = Status::FirstNotInput;
    } else if pruned_codes[last] != OUTPUT {
        result.status = Status::LastNotOutput;
    } else if let Some(i) = (1..last).find(|&i| !(0..NUM_OPS).contains(&pruned_codes[i])) {
        (result.status, result.detail) = (Status::UnsupportedOp, kept[i] as i32);
    }
    if result.status != Status::Valid {
        return (result, None);
    }
    let mut cell = Cell {
        num_vertices: pruned.num_vertices as u8,
        ..Cell::default()
    };
    for (v, &mask) in masks.iter().enumerate() {
        cell.out_mask[v] = mask;
        cell.labels[v] = pruned_codes[v];
        let mut bits = mask;
        while bits != 0 {
            let w = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            cell.in_mask[w] |= 1 << v;
        }
    }
    (result, Some(cell))
}

/// Checks and hashes `rows` padded rows of width `width` (matrices row-major, `width^2` each).
pub fn check_and_hash(width: usize, matrices: &[u8], codes: &[i8]) -> Vec<RowResult> {
    let rows = codes.len() / width.max(1);
    assert_eq!(matrices.len(), rows * width * width);
    let checked: Vec<(RowResult, Option<Cell>)> = (0..rows)
        .into_par_iter()
        .map(|r| {
            check_row(
                width,
                &matrices[r * width * width..(r + 1) * width * width],
                &codes[r * width..(r + 1) * width],
            )
        })
        .collect();
    let valid_rows: Vec<usize> = (0..rows).filter(|&r| checked[r].1.is_some()).collect();
    let cells: Vec<Cell> = valid_rows
        .iter()
        .map(|&r| checked[r].1.expect("valid row"))
        .collect();
    let mut digests = vec![[0u8; 16]; cells.len()];
    hash_cells(&cells, &mut digests);
    let mut results: Vec<RowResult> = checked.into_iter().map(|(r, _)| r).collect();
    for (&r, digest) in valid_rows.iter().zip(digests) {
        results[r].digest = digest;
    }
    results
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::to_hex_string;

    fn row(rows: &[&[u8]]) -> Vec<u8> {
        rows.iter().flat_map(|r| r.iter().copied()).collect()
    }

    #[test]
    fn inception_cell_and_padding() {
        let m = row(&[
            &[0, 1, 1, 1, 0, 1, 0],
            &[0, 0, 0, 0, 0, 0, 1],
            &[0, 0, 0, 0, 0, 0, 1],
            &[0, 0, 0, 0, 1, 0, 0],
            &[0, 0, 0, 0, 0, 0, 1],
            &[0, 0, 0, 0, 0, 0, 1],
            &[0, 0, 0, 0, 0, 0, 0],
        ]);
        let codes = [INPUT, 1, 0, 0, 0, 2, OUTPUT];
        let mut chain = vec![0u8; 49];
        chain[1] = 1;
        chain[7 + 2] = 1;
        let chain_codes = [INPUT, 0, OUTPUT, PAD, PAD, PAD, PAD];
        let matrices = [m, chain].concat();
        let all_codes = [codes, chain_codes].concat();
        let results = check_and_hash(7, &matrices, &all_codes);
        assert_eq!(results[0].status, Status::Valid);
        assert_eq!(
            to_hex_string(&results[0].digest),
            "28cfc7874f6d200472e1a9dcd8650aa0"
        );
        assert_eq!(results[1].status, Status::Valid);
        assert_eq!(
            to_hex_string(&results[1].digest),
            "b49ac8c578b4561d79ac7087988f1c61"
        );
        assert_eq!((results[1].num_vertices, results[1].num_edges), (3, 2));
    }

    #[test]
    fn rejections() {
        let lower = row(&[&[0, 0], &[1, 0]]);
        assert_eq!(
            check_row(2, &lower, &[INPUT, OUTPUT]).0.status,
            Status::NotUpperTriangular
        );
        let edge_into_pad = row(&[&[0, 1, 1], &[0, 0, 0], &[0, 0, 0]]);
        assert_eq!(
            check_row(3, &edge_into_pad, &[INPUT, OUTPUT, PAD]).0.status,
            Status::BadPadding
        );
        let gap = row(&[&[0, 1, 0], &[0, 0, 0], &[0, 0, 0]]);
        assert_eq!(
            check_row(3, &gap, &[INPUT, PAD, OUTPUT]).0.status,
            Status::BadPadding
        );
        let ok2 = row(&[&[0, 1], &[0, 0]]);
        assert_eq!(
            check_row(2, &ok2, &[OUTPUT, OUTPUT]).0.status,
            Status::FirstNotInput
        );
        assert_eq!(
            check_row(2, &ok2, &[INPUT, INPUT]).0.status,
            Status::LastNotOutput
        );
        let chain = row(&[&[0, 1, 0], &[0, 0, 1], &[0, 0, 0]]);
        let (r, _) = check_row(3, &chain, &[INPUT, UNKNOWN, OUTPUT]);
        assert_eq!((r.status, r.detail), (Status::UnsupportedOp, 1));
        let (r, _) = check_row(3, &chain, &[INPUT, INPUT, OUTPUT]);
        assert_eq!(r.status, Status::UnsupportedOp);
        assert_eq!(
            check_row(2, &[0; 4], &[INPUT, OUTPUT]).0.status,
            Status::Disconnected
        );
    }

    #[test]
    fn unknown_op_on_a_pruned_vertex_is_fine() {
        // 0 -> 2 -> 3 with vertex 1 dangling: its unknown op disappears with it.
        let m = row(&[&[0, 1, 1, 0], &[0, 0, 0, 0], &[0, 0, 0, 1], &[0, 0, 0, 0]]);
        let (r, cell) = check_row(4, &m, &[INPUT, UNKNOWN, 0, OUTPUT]);
        assert_eq!(r.status, Status::Valid);
        assert_eq!(cell.unwrap().num_vertices, 3);
    }
}
