//! The cell encoding of the database (`cells.edge_bits`, see `sql/nb101.sql`) decoded into the
//! adjacency matrix the answers hand out.
//!
//! Bit `x + y(y-1)/2` of `edge_bits` is the edge x -> y (`graph_util.gen_is_edge_fn` order, the
//! order [`super::enumerate::edge_bit`] numbers the edges in).

use super::enumerate::edge_bit;

/// Largest vertex count decoded here: the space's 7 (21 edge bits). Larger cells are not in
/// the space; callers take their general path for them.
pub const MAX_STORED_VERTICES: usize = 7;

/// Entries of the largest matrix.
pub const MAX_STORED_ENTRIES: usize = MAX_STORED_VERTICES * MAX_STORED_VERTICES;

/// The `n x n` adjacency of `edge_bits` as row-major 0/1 bytes (the first `n * n` entries;
/// the rest 0), or None for `n > MAX_STORED_VERTICES`.
///
/// Bits beyond the `n x n` upper triangle are ignored, as the Python reference
/// (`result.flat_adjacency`) masks them: a negative Python int given as its two's complement
/// `u64` therefore decodes as Python's `&` on it does.
pub fn adjacency_from_bits(n: usize, edge_bits: u64) -> Option<[u8; MAX_STORED_ENTRIES]> {
    if n > MAX_STORED_VERTICES {
        return None;
    }
    let mut entries = [0u8; MAX_STORED_ENTRIES];
    // At most 9 bits are set in a cell of the space: visit those only.
    let mut bits = edge_bits & ((1u64 << (n * n.saturating_sub(1) / 2)) - 1);
    while bits != 0 {
        let bit = bits.trailing_zeros();
        bits &= bits - 1;
        // The edge of a bit: y is the largest with y(y-1)/2 <= bit, x the rest.
        let mut y = 1;
        while edge_bit(0, y + 1) <= bit {
            y += 1;
        }
        let x = (bit - edge_bit(0, y)) as usize;
        entries[x * n + y] = 1;
    }
    Some(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nb101::enumerate::masks_from_bits;

    /// Every entry tested bit by bit: the definition, with no shortcut.
    fn reference(n: usize, edge_bits: u64) -> Vec<u8> {
        let mut entries = vec![0u8; n * n];
        for y in 0..n {
            for x in 0..y {
                entries[x * n + y] = u8::from(edge_bits >> edge_bit(x, y) & 1 == 1);
            }
        }
        entries
    }

    #[test]
    fn every_graph_of_up_to_five_vertices_decodes_as_the_definition() {
        for n in 0..=5usize {
            let edges = n * n.saturating_sub(1) / 2;
            for bits in 0..1u64 << edges {
                let entries = adjacency_from_bits(n, bits).unwrap();
                assert_eq!(
                    entries[..n * n],
                    reference(n, bits)[..],
                    "n = {n}, bits = {bits:#b}"
                );
                assert!(entries[n * n..].iter().all(|&e| e == 0));
            }
        }
    }

    #[test]
    fn seven_vertex_graphs_agree_with_the_enumeration_masks() {
        // A fixed xorshift stream over all 21 bits, and every single bit.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let singles = (0..21).map(|b| 1u64 << b);
        let randoms = std::iter::repeat_with(move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state & ((1 << 21) - 1)
        });
        for bits in singles.chain(randoms.take(5000)) {
            let entries = adjacency_from_bits(7, bits).unwrap();
            let masks = masks_from_bits(7, bits as u32);
            for x in 0..7 {
                for y in 0..7 {
                    assert_eq!(entries[x * 7 + y], masks[x] >> y & 1, "bits = {bits:#b}");
                }
            }
        }
    }

    #[test]
    fn a_known_cell_and_ignored_bits() {
        // bits 0, 1, 3, 5: edges 0->1, 0->2, 0->3, 2->3
        let expected = [0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0];
        assert_eq!(adjacency_from_bits(4, 0b10_1011).unwrap()[..16], expected);
        // Bits past the 6 edges of 4 vertices, and a negative int's two's complement.
        assert_eq!(
            adjacency_from_bits(4, 0b10_1011 | !0u64 << 6).unwrap()[..16],
            expected
        );
        assert_eq!(adjacency_from_bits(4, (-1i64) as u64).unwrap()[..16], {
            let mut all = [0u8; 16];
            for y in 0..4 {
                for x in 0..y {
                    all[x * 4 + y] = 1;
                }
            }
            all
        });
        assert_eq!(
            adjacency_from_bits(1, u64::MAX).unwrap(),
            [0; MAX_STORED_ENTRIES]
        );
        assert_eq!(
            adjacency_from_bits(0, u64::MAX).unwrap(),
            [0; MAX_STORED_ENTRIES]
        );
        assert!(adjacency_from_bits(8, 1).is_none());
    }
}
