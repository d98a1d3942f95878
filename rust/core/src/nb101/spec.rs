//! Batch version of `ModelSpec(...)` + `api._check_spec` + `hash_spec` for NAS-Bench-101 cells.
//!
//! Each row is a padded `W x W` 0/1 matrix with `W` op codes. Codes: [`INPUT`], [`OUTPUT`],
//! `0..NUM_OPS` for the available ops in their official order, [`PAD`] for the padding of cells
//! smaller than `W`, [`UNKNOWN`] for any other op name. Rows are checked in the original order:
//! constructor checks, pruning, then `_check_spec` on the pruned spec. A rejected row gets a
//! [`Status`] code plus a detail number (cheap to return for whole batches); [`SpecError`]
//! turns them into the exact messages of the original API.

use super::hash::{Cell, CellHasher, CHUNK_CELLS};
use super::prune::{compact, prune};
use crate::error::{CoreError, CoreResult};
use rayon::prelude::*;
use std::fmt;

pub const INPUT: i8 = -1;
pub const OUTPUT: i8 = -2;
pub const PAD: i8 = -3;
pub const UNKNOWN: i8 = -4;
/// Number of interior ops of the NAS-Bench-101 space (conv3x3, conv1x1, maxpool3x3).
pub const NUM_OPS: i8 = 3;
/// `module_vertices` and `max_edges` of the original config.
pub const MAX_VERTICES: usize = 7;
pub const MAX_EDGES: u32 = 9;
/// Names of the interior ops, indexed by their code (the official `available_ops` order).
pub const OP_NAMES: [&str; NUM_OPS as usize] = ["conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"];

/// The op name of a label code (`""` for padding), or `None` for [`UNKNOWN`] and other codes.
pub fn label_name(code: i8) -> Option<&'static str> {
    match code {
        INPUT => Some("input"),
        OUTPUT => Some("output"),
        PAD => Some(""),
        0..NUM_OPS => Some(OP_NAMES[code as usize]),
        _ => None,
    }
}

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

/// Why a row is not a valid NAS-Bench-101 spec; `Display` is the original API's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpecError {
    /// Padding is not a suffix, or padded `vertex` has an edge.
    BadPadding {
        vertex: usize,
    },
    /// An entry on or below the diagonal is set.
    NotUpperTriangular,
    /// Input cannot reach output after pruning (or a single vertex).
    Disconnected,
    /// More than [`MAX_EDGES`] edges after pruning.
    TooManyEdges {
        edges: u32,
    },
    FirstNotInput,
    LastNotOutput,
    /// The interior op at `vertex` of the unpruned row, named as the caller wrote it.
    UnsupportedOp {
        vertex: usize,
        name: String,
    },
    /// Fewer than one vertex.
    Empty,
}

impl SpecError {
    /// The error of a rejected row, from its [`Status`] and detail; `None` for a valid row.
    ///
    /// `op_name(vertex)` names an unsupported op as the caller wrote it; it is only called
    /// for [`Status::UnsupportedOp`].
    pub fn from_status(
        status: Status,
        detail: i32,
        op_name: impl FnOnce(usize) -> String,
    ) -> Option<SpecError> {
        let index = usize::try_from(detail).unwrap_or(0);
        Some(match status {
            Status::Valid => return None,
            Status::BadPadding => SpecError::BadPadding { vertex: index },
            Status::NotUpperTriangular => SpecError::NotUpperTriangular,
            Status::Disconnected => SpecError::Disconnected,
            Status::TooManyEdges => SpecError::TooManyEdges {
                edges: u32::try_from(detail).unwrap_or(0),
            },
            Status::FirstNotInput => SpecError::FirstNotInput,
            Status::LastNotOutput => SpecError::LastNotOutput,
            Status::UnsupportedOp => SpecError::UnsupportedOp {
                vertex: index,
                name: op_name(index),
            },
            Status::Empty => SpecError::Empty,
        })
    }

    /// True for what the `ModelSpec` constructor itself rejects (Python `InvalidSpecError`);
    /// the others are specs outside the space (`OutOfDomainError`).
    pub fn is_constructor_error(&self) -> bool {
        matches!(
            self,
            SpecError::BadPadding { .. } | SpecError::NotUpperTriangular
        )
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpecError::BadPadding { vertex } => write!(
                f,
                "padding ('') must follow every real vertex and padded vertices must have no \
                 edges (vertex {vertex})"
            ),
            SpecError::NotUpperTriangular => f.write_str("matrix must be upper triangular"),
            SpecError::Disconnected => f.write_str("invalid spec, provided graph is disconnected."),
            SpecError::TooManyEdges { edges } => {
                write!(f, "too many edges, got {edges} (max edges = {MAX_EDGES})")
            }
            SpecError::FirstNotInput => f.write_str("first operation should be 'input'"),
            SpecError::LastNotOutput => f.write_str("last operation should be 'output'"),
            SpecError::UnsupportedOp { name, .. } => {
                // Python's repr of the `available_ops` list.
                let available: Vec<String> = OP_NAMES.iter().map(|op| format!("'{op}'")).collect();
                write!(
                    f,
                    "unsupported op {name} (available ops = [{}])",
                    available.join(", ")
                )
            }
            SpecError::Empty => f.write_str("cell has no vertices"),
        }
    }
}

impl Status {
    /// The status of a code returned by [`check_and_hash`] (`status as u8`), if any.
    pub fn from_code(code: u8) -> Option<Status> {
        Some(match code {
            0 => Status::Valid,
            1 => Status::BadPadding,
            2 => Status::NotUpperTriangular,
            3 => Status::Disconnected,
            4 => Status::TooManyEdges,
            5 => Status::FirstNotInput,
            6 => Status::LastNotOutput,
            7 => Status::UnsupportedOp,
            8 => Status::Empty,
            _ => return None,
        })
    }
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
///
/// # Errors
/// [`CoreError::InvalidInput`] unless `width <= 8`, `matrix` holds `width^2` entries and
/// `codes` `width` codes. A row outside the space is not an error: see [`RowResult::status`].
pub fn check_row(
    width: usize,
    matrix: &[u8],
    codes: &[i8],
) -> CoreResult<(RowResult, Option<Cell>)> {
    if width > 8 || matrix.len() != width * width || codes.len() != width {
        return Err(CoreError::invalid_input(format!(
            "a row of width {width} <= 8 needs {} matrix entries and {width} codes, got {} and {}",
            width * width,
            matrix.len(),
            codes.len()
        )));
    }
    Ok(check_row_unchecked(width, matrix, codes))
}

fn check_row_unchecked(width: usize, matrix: &[u8], codes: &[i8]) -> (RowResult, Option<Cell>) {
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
    // 1 <= n <= width <= 8 here, so `prune` accepts the size.
    let Ok(Some(pruned)) = prune(n, &out_mask[..n]) else {
        return (RowResult::rejected(Status::Disconnected, 0), None);
    };
    let masks = compact(n, &out_mask[..n], pruned.kept);
    // Kept vertices in order and their codes, without allocating (at most 8).
    let mut kept = [0usize; 8];
    let mut pruned_codes = [0i8; 8];
    let mut size = 0;
    for v in (0..n).filter(|&v| pruned.kept >> v & 1 == 1) {
        kept[size] = v;
        pruned_codes[size] = codes[v];
        size += 1;
    }
    let (kept, pruned_codes) = (&kept[..size], &pruned_codes[..size]);
    let num_edges: u32 = masks.iter().map(|m| m.count_ones()).sum();
    let mut result = RowResult {
        status: Status::Valid,
        detail: 0,
        num_vertices: pruned.num_vertices as u8,
        num_edges: num_edges as u8,
        digest: [0; 16],
    };
    // `_check_spec` order: (vertex count cannot exceed 7 here), edges, first, last, interior ops.
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

/// Number of rows of a padded batch, after checking that the buffers fit `width`.
///
/// # Errors
/// [`CoreError::InvalidInput`] unless `1 <= width <= 8` and the buffers hold whole rows.
pub fn batch_rows(width: usize, matrices: &[u8], codes: &[i8]) -> CoreResult<usize> {
    if !(1..=8).contains(&width) {
        return Err(CoreError::invalid_input(format!(
            "rows must have 1 to 8 vertices, got width {width}"
        )));
    }
    let rows = codes.len() / width;
    if codes.len() != rows * width || matrices.len() != rows * width * width {
        return Err(CoreError::invalid_input(format!(
            "{} codes and {} matrix entries are not whole rows of width {width}",
            codes.len(),
            matrices.len()
        )));
    }
    Ok(rows)
}

/// [`check_row`] on every row of a padded batch, in parallel, in row order.
///
/// # Errors
/// As [`batch_rows`].
pub fn check_rows(
    width: usize,
    matrices: &[u8],
    codes: &[i8],
) -> CoreResult<Vec<(RowResult, Option<Cell>)>> {
    batch_rows(width, matrices, codes)?;
    Ok(matrices
        .par_chunks_exact(width * width)
        .zip(codes.par_chunks_exact(width))
        .map(|(matrix, row_codes)| check_row_unchecked(width, matrix, row_codes))
        .collect())
}

/// Checks and hashes the padded rows of width `width` (matrices row-major, `width^2` each).
///
/// Rows are processed in parallel chunks, each checked and hashed by one worker (no pass over
/// the whole batch between checking and hashing).
///
/// # Errors
/// As [`batch_rows`].
pub fn check_and_hash(width: usize, matrices: &[u8], codes: &[i8]) -> CoreResult<Vec<RowResult>> {
    let rows = batch_rows(width, matrices, codes)?;
    let mut results = vec![RowResult::rejected(Status::Empty, 0); rows];
    results
        .par_chunks_mut(CHUNK_CELLS)
        .zip(matrices.par_chunks(CHUNK_CELLS * width * width))
        .zip(codes.par_chunks(CHUNK_CELLS * width))
        .try_for_each_init(
            ChunkScratch::default,
            |scratch, ((results, matrices), codes)| {
                scratch.cells.clear();
                scratch.rows.clear();
                let chunk_rows = matrices
                    .chunks_exact(width * width)
                    .zip(codes.chunks_exact(width));
                for (row, (result, (matrix, row_codes))) in
                    results.iter_mut().zip(chunk_rows).enumerate()
                {
                    let (checked, cell) = check_row_unchecked(width, matrix, row_codes);
                    *result = checked;
                    if let Some(cell) = cell {
                        scratch.cells.push(cell);
                        scratch.rows.push(row as u32);
                    }
                }
                scratch.digests.clear();
                scratch.digests.resize(scratch.cells.len(), [0; 16]);
                scratch.hasher.hash(&scratch.cells, &mut scratch.digests)?;
                for (&row, digest) in scratch.rows.iter().zip(&scratch.digests) {
                    results[row as usize].digest = *digest;
                }
                Ok::<(), CoreError>(())
            },
        )?;
    Ok(results)
}

/// Per-worker buffers of [`check_and_hash`], reused across its chunks.
#[derive(Default)]
struct ChunkScratch {
    hasher: CellHasher,
    cells: Vec<Cell>,
    /// Row (within the chunk) of each cell.
    rows: Vec<u32>,
    digests: Vec<[u8; 16]>,
}

/// The op code of an op name given as UCS-4 code points (numpy `<U` storage: trailing NULs
/// are padding, as numpy's own string comparison treats them): [`INPUT`], [`OUTPUT`], the
/// index of an interior op, [`PAD`] for `''`, [`UNKNOWN`] for anything else.
pub fn op_code_of_chars(chars: &[u32]) -> i8 {
    let len = chars
        .iter()
        .rposition(|&c| c != 0)
        .map_or(0, |last| last + 1);
    let name = &chars[..len];
    let is = |text: &str| {
        text.len() == name.len() && text.bytes().zip(name).all(|(b, &c)| b as u32 == c)
    };
    if name.is_empty() {
        PAD
    } else if is("input") {
        INPUT
    } else if is("output") {
        OUTPUT
    } else {
        (0..NUM_OPS)
            .find(|&code| is(OP_NAMES[code as usize]))
            .unwrap_or(UNKNOWN)
    }
}

/// [`op_code_of_chars`] for every name of a `(rows, width)` array of `chars_per_name` code
/// points each, in parallel.
///
/// # Errors
/// [`CoreError::InvalidInput`] unless `chars_per_name >= 1` and `chars` holds whole names.
pub fn op_codes_of_names(chars: &[u32], chars_per_name: usize) -> CoreResult<Vec<i8>> {
    if chars_per_name == 0 || !chars.len().is_multiple_of(chars_per_name) {
        return Err(CoreError::invalid_input(format!(
            "{} code points are not whole names of {chars_per_name}",
            chars.len()
        )));
    }
    let mut codes = vec![0i8; chars.len() / chars_per_name];
    const NAMES_PER_TASK: usize = 4096;
    codes
        .par_chunks_mut(NAMES_PER_TASK)
        .zip(chars.par_chunks(NAMES_PER_TASK * chars_per_name))
        .for_each(|(codes, chars)| {
            for (code, name) in codes.iter_mut().zip(chars.chunks_exact(chars_per_name)) {
                *code = op_code_of_chars(name);
            }
        });
    Ok(codes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nb101::hash::to_hex_string;

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
        let results = check_and_hash(7, &matrices, &all_codes).unwrap();
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
    fn op_names_decode_like_numpy_string_comparison() {
        let ucs4 = |text: &str, width: usize| {
            let mut chars: Vec<u32> = text.chars().map(u32::from).collect();
            chars.resize(width, 0);
            chars
        };
        for (name, code) in [
            ("input", INPUT),
            ("output", OUTPUT),
            ("", PAD),
            ("conv3x3-bn-relu", 0),
            ("conv1x1-bn-relu", 1),
            ("maxpool3x3", 2),
            ("maxpool3x3 ", UNKNOWN),
            ("Input", UNKNOWN),
            ("inpu", UNKNOWN),
            ("inputs", UNKNOWN),
            ("\u{0}input", UNKNOWN),
            ("conv3x3-bn-relü", UNKNOWN),
        ] {
            assert_eq!(op_code_of_chars(&ucs4(name, 16)), code, "{name:?}");
        }
        let flat = [ucs4("input", 6), ucs4("output", 6), ucs4("x", 6)].concat();
        assert_eq!(
            op_codes_of_names(&flat, 6).unwrap(),
            vec![INPUT, OUTPUT, UNKNOWN]
        );
        assert!(op_codes_of_names(&flat, 7).is_err());
        assert!(op_codes_of_names(&flat, 0).is_err());
    }

    #[test]
    fn rejections() {
        let lower = row(&[&[0, 0], &[1, 0]]);
        assert_eq!(
            check_row_unchecked(2, &lower, &[INPUT, OUTPUT]).0.status,
            Status::NotUpperTriangular
        );
        let edge_into_pad = row(&[&[0, 1, 1], &[0, 0, 0], &[0, 0, 0]]);
        assert_eq!(
            check_row_unchecked(3, &edge_into_pad, &[INPUT, OUTPUT, PAD])
                .0
                .status,
            Status::BadPadding
        );
        let gap = row(&[&[0, 1, 0], &[0, 0, 0], &[0, 0, 0]]);
        assert_eq!(
            check_row_unchecked(3, &gap, &[INPUT, PAD, OUTPUT]).0.status,
            Status::BadPadding
        );
        let ok2 = row(&[&[0, 1], &[0, 0]]);
        assert_eq!(
            check_row_unchecked(2, &ok2, &[OUTPUT, OUTPUT]).0.status,
            Status::FirstNotInput
        );
        assert_eq!(
            check_row_unchecked(2, &ok2, &[INPUT, INPUT]).0.status,
            Status::LastNotOutput
        );
        let chain = row(&[&[0, 1, 0], &[0, 0, 1], &[0, 0, 0]]);
        let (r, _) = check_row_unchecked(3, &chain, &[INPUT, UNKNOWN, OUTPUT]);
        assert_eq!((r.status, r.detail), (Status::UnsupportedOp, 1));
        let (r, _) = check_row_unchecked(3, &chain, &[INPUT, INPUT, OUTPUT]);
        assert_eq!(r.status, Status::UnsupportedOp);
        assert_eq!(
            check_row_unchecked(2, &[0; 4], &[INPUT, OUTPUT]).0.status,
            Status::Disconnected
        );
    }

    #[test]
    fn unknown_op_on_a_pruned_vertex_is_fine() {
        // 0 -> 2 -> 3 with vertex 1 dangling: its unknown op disappears with it.
        let m = row(&[&[0, 1, 1, 0], &[0, 0, 0, 0], &[0, 0, 0, 1], &[0, 0, 0, 0]]);
        let (r, cell) = check_row_unchecked(4, &m, &[INPUT, UNKNOWN, 0, OUTPUT]);
        assert_eq!(r.status, Status::Valid);
        assert_eq!(cell.map(|c| c.num_vertices), Some(3));
    }

    #[test]
    fn messages_are_the_original_ones() {
        let name = |_: usize| "conv5x5".to_string();
        let message = |status, detail| {
            SpecError::from_status(status, detail, name)
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert_eq!(message(Status::Valid, 0), "");
        assert_eq!(
            message(Status::TooManyEdges, 10),
            "too many edges, got 10 (max edges = 9)"
        );
        assert_eq!(
            message(Status::UnsupportedOp, 2),
            "unsupported op conv5x5 (available ops = ['conv3x3-bn-relu', 'conv1x1-bn-relu', \
             'maxpool3x3'])"
        );
        assert_eq!(
            message(Status::BadPadding, 3),
            "padding ('') must follow every real vertex and padded vertices must have no edges \
             (vertex 3)"
        );
        let padding = SpecError::from_status(Status::BadPadding, 1, name).unwrap();
        assert!(padding.is_constructor_error());
        assert!(!SpecError::Disconnected.is_constructor_error());
        for code in 0..=8u8 {
            assert_eq!(Status::from_code(code).map(|s| s as u8), Some(code));
        }
        assert_eq!(Status::from_code(9), None);
        assert_eq!(label_name(UNKNOWN), None);
        assert_eq!(label_name(2), Some("maxpool3x3"));
    }

    #[test]
    fn chunked_batches_match_row_by_row_checks_and_the_reference_hash() {
        // Several chunks of mixed rows (valid cells of every size, rejections of every kind):
        // each row must get exactly what checking it alone and hashing with the reference
        // transcription gives.
        let width = 7;
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let rows = 3 * CHUNK_CELLS + 17;
        let mut matrices = vec![0u8; rows * width * width];
        let mut codes = vec![PAD; rows * width];
        for r in 0..rows {
            let n = 2 + (next() % 6) as usize;
            for v in 0..n {
                for w in v + 1..n {
                    matrices[r * 49 + v * width + w] = u8::from(next() % 3 == 0);
                }
                codes[r * width + v] = (next() % 3) as i8;
            }
            codes[r * width] = INPUT;
            codes[r * width + n - 1] = OUTPUT;
            if next() % 17 == 0 {
                codes[r * width + 1] = UNKNOWN;
            }
        }
        let results = check_and_hash(width, &matrices, &codes).unwrap();
        let mut valid = 0;
        for (r, result) in results.iter().enumerate() {
            let (alone, cell) = check_row(
                width,
                &matrices[r * 49..r * 49 + 49],
                &codes[r * width..r * width + width],
            )
            .unwrap();
            assert_eq!(
                (result.status, result.detail),
                (alone.status, alone.detail),
                "row {r}"
            );
            let Some(cell) = cell else { continue };
            valid += 1;
            let n = cell.num_vertices as usize;
            let dense: Vec<i64> = (0..n * n)
                .map(|i| i64::from((cell.out_mask[i / n] >> (i % n)) & 1))
                .collect();
            let labels: Vec<i64> = cell.labels[..n].iter().map(|&l| i64::from(l)).collect();
            let expected = crate::nb101::hash::hash_graph_reference(n, &dense, &labels).unwrap();
            assert_eq!(result.digest, expected, "row {r}");
        }
        assert!(
            valid > rows / 4 && valid < rows,
            "{valid} of {rows} rows valid"
        );
    }

    #[test]
    fn malformed_batches_are_errors_not_panics() {
        assert!(check_row(9, &[0; 81], &[PAD; 9]).is_err());
        assert!(check_row(2, &[0; 3], &[INPUT, OUTPUT]).is_err());
        assert!(check_row(2, &[0; 4], &[INPUT]).is_err());
        assert!(check_and_hash(0, &[], &[]).is_err());
        assert!(check_and_hash(3, &[0; 9], &[INPUT, OUTPUT]).is_err());
        assert!(check_and_hash(2, &[0; 7], &[INPUT, OUTPUT]).is_err());
        assert_eq!(check_and_hash(3, &[], &[]).unwrap().len(), 0);
    }
}
