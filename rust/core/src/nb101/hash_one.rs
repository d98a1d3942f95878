//! The NAS-Bench-101 hash of one cell on its own (`ModelSpec.hash_spec`, `hash_graph`).
//!
//! Same algorithm and bytes as the batch engine of [`super::hash`], shaped for latency: a cell of
//! V vertices sends V messages per round and round r + 1 needs every digest of round r, so the
//! time is V rounds of the longest message's block count. Everything lives on the stack (no
//! layout tables, no allocation), the messages of a round go through the few-lane MD5 of
//! [`crate::md5x::few`] with its state in registers, and the padding is written once per cell
//! (message lengths do not change between rounds).

use super::hash::{below_masks_all, cell_fits, to_hex, Cell, InitialDigests, POPCOUNT};
use crate::md5x::few::{digest_few, pad_in_place, FewMessages, FEW_LANES};
use crate::md5x::{padded_blocks, Kernel};

const MAX_VERTICES: usize = FEW_LANES;
/// Longest vertex message: every vertex an in- and an out-neighbour (loops included), i.e.
/// `32 * (2 * 8 + 1) + 2` bytes, 9 blocks.
const MAX_STRIDE: usize = 64 * padded_blocks(32 * (2 * MAX_VERTICES + 1) + 2);
/// Final message, `str(sorted(hashes))`: 36 bytes per vertex, 5 blocks for 8 vertices.
const FINAL_STRIDE: usize = 64 * padded_blocks(36 * MAX_VERTICES);

/// The module hash of `cell` with the widest MD5 kernel of this CPU; None when the cell is
/// outside the engine's range (more than 8 vertices, a label outside `MIN_LABEL..=MAX_LABEL`).
pub fn hash_cell(cell: &Cell) -> Option<[u8; 16]> {
    hash_cell_with(cell, Kernel::detect())
}

/// [`hash_cell`] with an explicit MD5 kernel (tests compare kernels).
pub fn hash_cell_with(cell: &Cell, kernel: Kernel) -> Option<[u8; 16]> {
    if !cell_fits(cell) {
        return None;
    }
    let n = cell.num_vertices as usize;
    let initial = InitialDigests::shared();
    let mut keys = [0u128; MAX_VERTICES];
    let mut hex = [[0u8; 32]; MAX_VERTICES];
    // Byte offsets inside a vertex's message: its out-neighbour part and its own hash.
    let mut out_at = [0usize; MAX_VERTICES];
    let mut own_at = [0usize; MAX_VERTICES];
    let mut lengths = [0usize; MAX_VERTICES];
    for v in 0..n {
        let (ins, outs) = (cell.in_mask[v].count_ones(), cell.out_mask[v].count_ones());
        let digest = initial.get(outs, ins, cell.labels[v]);
        keys[v] = u128::from_be_bytes(digest);
        hex[v] = to_hex(&digest);
        // sorted(in) + "|" + sorted(out) + "|" + own, 32 hex digits per hash.
        lengths[v] = 32 * (ins + outs + 1) as usize + 2;
        out_at[v] = 32 * ins as usize + 1;
        own_at[v] = lengths[v] - 32;
    }
    let stride = 64
        * lengths[..n]
            .iter()
            .map(|&l| padded_blocks(l))
            .max()
            .unwrap_or(1);
    SCRATCH.with(|scratch| {
        // The message buffer is reused: only its first `n * stride` bytes are used, zeroed
        // here (zeroing all 4.6 kB on every call was a visible share of a 7-vertex cell's
        // hashing under callgrind).
        let mut scratch = scratch.try_borrow_mut().ok()?;
        let buf = scratch.get_mut(..n * stride)?;
        buf.fill(0);
        refine(
            cell, kernel, n, stride, buf, &mut keys, &mut hex, &lengths, &out_at, &own_at,
        )
    })
}

thread_local! {
    /// Message buffer of [`hash_cell_with`], one per thread (no cell hashing calls another).
    static SCRATCH: std::cell::RefCell<[u8; MAX_VERTICES * MAX_STRIDE]> =
        const { std::cell::RefCell::new([0u8; MAX_VERTICES * MAX_STRIDE]) };
}

/// The V refinement rounds and the final digest of [`hash_cell_with`], messages in `buf`
/// (`n * stride` zeroed bytes).
#[allow(clippy::too_many_arguments)]
fn refine(
    cell: &Cell,
    kernel: Kernel,
    n: usize,
    stride: usize,
    buf: &mut [u8],
    keys: &mut [u128; MAX_VERTICES],
    hex: &mut [[u8; 32]; MAX_VERTICES],
    lengths: &[usize; MAX_VERTICES],
    out_at: &[usize; MAX_VERTICES],
    own_at: &[usize; MAX_VERTICES],
) -> Option<[u8; 16]> {
    let mut blocks = [0u8; MAX_VERTICES];
    for v in 0..n {
        let msg = &mut buf[v * stride..(v + 1) * stride];
        msg[out_at[v] - 1] = b'|';
        msg[own_at[v] - 1] = b'|';
        blocks[v] = pad_in_place(msg, lengths[v])?;
    }
    let mut below = [0u8; MAX_VERTICES];
    let mut digests = [[0u8; 16]; FEW_LANES];
    // A cell with V vertices is refined exactly V times.
    for _ in 0..n {
        below_masks_all(kernel, n, &keys[..n], &mut below[..n]);
        for v in 0..n {
            let base = v * stride;
            buf[base + own_at[v]..base + own_at[v] + 32].copy_from_slice(&hex[v]);
            // Edge v -> w: v's hash joins w's sorted in-neighbours, w's joins v's sorted
            // out-neighbours, each at the rank given by the hashes sorting before it.
            let mut successors = cell.out_mask[v];
            while successors != 0 {
                let w = successors.trailing_zeros() as usize;
                successors &= successors - 1;
                let rank = POPCOUNT[(cell.in_mask[w] & below[v]) as usize] as usize;
                let at = w * stride + 32 * rank;
                buf[at..at + 32].copy_from_slice(&hex[v]);
                let rank = POPCOUNT[(cell.out_mask[v] & below[w]) as usize] as usize;
                let at = base + out_at[v] + 32 * rank;
                buf[at..at + 32].copy_from_slice(&hex[w]);
            }
        }
        let msgs = FewMessages::new(buf, stride, &blocks[..n])?;
        digest_few(&msgs, kernel, &mut digests);
        for v in 0..n {
            keys[v] = u128::from_be_bytes(digests[v]);
            hex[v] = to_hex(&digests[v]);
        }
    }
    // Python's repr of the sorted list: "['h1', 'h2']" ("[]" for an empty cell).
    below_masks_all(kernel, n, &keys[..n], &mut below[..n]);
    let final_len = if n == 0 { 2 } else { 36 * n };
    let mut last = [0u8; FINAL_STRIDE];
    last[0] = b'[';
    for v in 0..n {
        let at = 1 + 36 * POPCOUNT[below[v] as usize] as usize;
        last[at] = b'\'';
        last[at + 1..at + 33].copy_from_slice(&hex[v]);
        last[at + 33] = b'\'';
    }
    for i in 0..n.saturating_sub(1) {
        last[35 + 36 * i..37 + 36 * i].copy_from_slice(b", ");
    }
    last[final_len - 1] = b']';
    let final_blocks = [pad_in_place(&mut last, final_len)?];
    let msgs = FewMessages::new(&last, FINAL_STRIDE, &final_blocks)?;
    digest_few(&msgs, kernel, &mut digests);
    Some(digests[0])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nb101::hash::{to_hex_string, MAX_LABEL, MIN_LABEL};
    use crate::nb101::test_cells::{reference, SplitMix, INCEPTION};

    #[test]
    fn inception_cell_matches_the_worked_hash() {
        let m = INCEPTION.map(|entry| entry as u8);
        let cell = Cell::from_matrix(7, &m, &[-1, 1, 0, 0, 0, 2, -2]).unwrap();
        for kernel in Kernel::available() {
            let digest = hash_cell_with(&cell, kernel).unwrap();
            assert_eq!(to_hex_string(&digest), "28cfc7874f6d200472e1a9dcd8650aa0");
        }
    }

    #[test]
    fn every_kernel_matches_the_reference_on_random_graphs() {
        // Any directed graph of 0..=8 vertices, loops and dense ones included (longest
        // messages), and every label.
        let mut rng = SplitMix(21);
        for round in 0..3000 {
            let n = round % (MAX_VERTICES + 1);
            let density = 1 + rng.next() % 4;
            let matrix: Vec<u8> = (0..n * n)
                .map(|_| u8::from(rng.next() % 4 < density))
                .collect();
            let labels: Vec<i8> = (0..n)
                .map(|_| MIN_LABEL + (rng.next() % (MAX_LABEL - MIN_LABEL + 1) as u64) as i8)
                .collect();
            let cell = Cell::from_matrix(n, &matrix, &labels).unwrap();
            let expected = reference(&cell);
            for kernel in Kernel::available() {
                assert_eq!(
                    hash_cell_with(&cell, kernel),
                    Some(expected),
                    "{kernel:?} {cell:?}"
                );
            }
        }
    }

    #[test]
    fn cells_outside_the_range_are_refused() {
        let mut cell = Cell::from_matrix(2, &[0, 1, 0, 0], &[-1, -2]).unwrap();
        cell.labels[1] = MAX_LABEL + 1;
        assert_eq!(hash_cell(&cell), None);
        cell.labels[1] = -2;
        cell.num_vertices = 9;
        assert_eq!(hash_cell(&cell), None);
    }
}
