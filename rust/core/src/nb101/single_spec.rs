//! One NAS-Bench-101 spec at a time: the `ModelSpec` fast path (validate, prune, hash).
//!
//! A search loop builds one `ModelSpec` per step; going through numpy arrays there costs far
//! more than the work itself. [`spec_digest`] takes the plain row-major entries and one op code
//! per vertex, and does the constructor's upper-triangularity check, `_prune` and
//! `hash_spec(available_ops)` in one call. It only handles the common case (0/1 entries, at most
//! 8 vertices) and returns `None` for anything else, so the caller can take its general path,
//! which owns every error message.

use super::hash::{hash_graph_reference, Cell};
use super::hash_one::hash_cell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Largest vertex count handled here (the bitmask width of [`prune`]).
pub const MAX_SINGLE_VERTICES: usize = 8;
/// Op codes: `0..3` are the official available ops in order; anything else is [`UNKNOWN_OP`].
pub const UNKNOWN_OP: i8 = -4;

/// Result of [`spec_digest`] on a spec it handles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpecDigest {
    /// Bit v set when original vertex v survives pruning; 0 when the spec is disconnected.
    pub kept: u8,
    /// Edges of the pruned matrix (its sum).
    pub num_edges: u32,
    /// `hash_spec()` digest of the pruned spec, None when a kept interior op code is unknown
    /// or the spec is disconnected.
    pub digest: Option<[u8; 16]>,
}

/// A pruned cell as the hash sees it: vertex count, out-neighbour masks, labels.
pub type CellKey = (u8, [u8; MAX_SINGLE_VERTICES], [i8; MAX_SINGLE_VERTICES]);

/// `(kept, num_edges, cell to hash or None)` of a spec: what [`spec_digest`] hashes.
pub type PrunedSpec = (u8, u32, Option<CellKey>);

/// [`spec_digest`] before hashing: `(kept, num_edges, cell to hash or None)`.
pub fn prune_spec(n: usize, entries: &[i64], codes: &[i8]) -> Option<PrunedSpec> {
    if n == 0 || n > MAX_SINGLE_VERTICES || entries.len() != n * n || codes.len() != n {
        return None;
    }
    let mut out_mask = [0u8; MAX_SINGLE_VERTICES];
    for v in 0..n {
        for w in 0..n {
            match entries[v * n + w] {
                0 => {}
                1 if w > v => out_mask[v] |= 1 << w,
                _ => return None,
            }
        }
    }
    Some(prune_masks(n, &out_mask, codes))
}

/// [`prune_spec`] of 0/1 bytes (what the `ModelSpec` fast path reads): None as there, and for
/// an entry above 1.
pub fn prune_spec_bytes(n: usize, entries: &[u8], codes: &[i8]) -> Option<PrunedSpec> {
    if n == 0 || n > MAX_SINGLE_VERTICES || entries.len() != n * n || codes.len() != n {
        return None;
    }
    let mut out_mask = [0u8; MAX_SINGLE_VERTICES];
    let mut stray = 0u8;
    for (v, (row, mask)) in entries.chunks_exact(n).zip(&mut out_mask).enumerate() {
        let mut bits = 0u8;
        for (w, &entry) in row.iter().enumerate() {
            stray |= entry & !1;
            bits |= (entry & 1) << w;
        }
        // On or below the diagonal: bits 0..=v.
        stray |= bits & (u8::MAX >> (7 - v));
        *mask = bits;
    }
    if stray != 0 {
        return None;
    }
    Some(prune_masks(n, &out_mask, codes))
}

/// Prune, renumbering and labels of an upper-triangular cell given by its out-neighbour masks
/// (`n` in 1..=8, only bits above each vertex's own set).
fn prune_masks(n: usize, out_mask: &[u8; MAX_SINGLE_VERTICES], codes: &[i8]) -> PrunedSpec {
    // `_prune`'s two searches in one pass each: upper-triangular means vertex order is a
    // topological order, so a vertex's reachability is final once every earlier (forward) or
    // later (backward) vertex is done. Same result as `prune::prune` (tested).
    let mut forward = 1u8;
    for (v, &mask) in out_mask.iter().enumerate().take(n) {
        if forward >> v & 1 == 1 {
            forward |= mask;
        }
    }
    let mut backward = 1u8 << (n - 1);
    for v in (0..n - 1).rev() {
        if out_mask[v] & backward != 0 {
            backward |= 1 << v;
        }
    }
    let kept = forward & backward;
    // The original rule, more than V - 2 extraneous vertices: input and output disconnected
    // (then nothing is in both searches), or a single vertex.
    if kept.count_ones() < 2 {
        return (0, 0, None);
    }
    // The kept rows and columns renumbered consecutively (`prune::compact` without its Vec:
    // this runs once per `ModelSpec`).
    let mut key: CellKey = (0, [0; MAX_SINGLE_VERTICES], [0; MAX_SINGLE_VERTICES]);
    let mut new_index = [0u8; MAX_SINGLE_VERTICES];
    let mut size = 0usize;
    for (v, slot) in new_index.iter_mut().enumerate().take(n) {
        if kept >> v & 1 == 1 {
            *slot = size as u8;
            size += 1;
        }
    }
    let mut num_edges = 0;
    for (v, &row) in out_mask.iter().enumerate().take(n) {
        if kept >> v & 1 == 0 {
            continue;
        }
        let mut bits = row & kept;
        num_edges += bits.count_ones();
        let mut mask = 0u8;
        while bits != 0 {
            let w = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            mask |= 1 << new_index[w];
        }
        key.1[usize::from(new_index[v])] = mask;
    }
    key.0 = size as u8;
    for (slot, v) in (0..n).filter(|&v| kept >> v & 1 == 1).enumerate() {
        key.2[slot] = if slot == 0 {
            -1
        } else if slot == size - 1 {
            -2
        } else if (0..3).contains(&codes[v]) {
            codes[v]
        } else {
            return (kept, num_edges, None);
        };
    }
    (kept, num_edges, Some(key))
}

/// The module hash of a pruned cell.
pub fn hash_key(key: &CellKey) -> [u8; 16] {
    let size = usize::from(key.0).min(MAX_SINGLE_VERTICES);
    let mut cell = Cell {
        num_vertices: size as u8,
        ..Cell::default()
    };
    for v in 0..size {
        let mut successors = key.1[v];
        cell.out_mask[v] = successors;
        while successors != 0 {
            let w = successors.trailing_zeros() as usize;
            successors &= successors - 1;
            if w < MAX_SINGLE_VERTICES {
                cell.in_mask[w] |= 1 << v;
            }
        }
        cell.labels[v] = key.2[v];
    }
    // `prune_spec` builds keys of at most 8 vertices labelled -2..=2, always inside the
    // one-cell engine's range; any other key takes the reference code, which hashes anything.
    hash_cell(&cell).unwrap_or_else(|| {
        let matrix: Vec<i64> = (0..size * size)
            .map(|i| i64::from(cell.out_mask[i / size] >> (i % size) & 1))
            .collect();
        let labels: Vec<i64> = cell.labels[..size].iter().map(|&l| i64::from(l)).collect();
        hash_graph_reference(size, &matrix, &labels).unwrap_or([0; 16])
    })
}

/// Validates, prunes and hashes one `n x n` spec given row-major `entries` and `codes`.
///
/// `codes[v]` labels vertex v when it is interior after pruning (`0..3`, else unknown); the
/// first and last kept vertices are labelled input (-1) and output (-2) whatever their code,
/// as `hash_spec` does. Returns `None` when the spec is outside the fast path: `n` is 0 or
/// above [`MAX_SINGLE_VERTICES`], the lengths disagree, an entry is not 0/1, or an entry on or
/// below the diagonal is set (the caller raises the constructor's error there).
pub fn spec_digest(n: usize, entries: &[i64], codes: &[i8]) -> Option<SpecDigest> {
    spec_digest_with(n, entries, codes, hash_key)
}

/// [`spec_digest`] with the hashing of the pruned cell supplied (e.g. through a [`DigestMemo`]).
pub fn spec_digest_with(
    n: usize,
    entries: &[i64],
    codes: &[i8],
    hash: impl FnOnce(&CellKey) -> [u8; 16],
) -> Option<SpecDigest> {
    let (kept, num_edges, key) = prune_spec(n, entries, codes)?;
    Some(SpecDigest {
        kept,
        num_edges,
        digest: key.as_ref().map(hash),
    })
}

/// Bounded memo of pruned cell -> `V`, in two generations: when the current one is full it
/// becomes the previous one (the older one is handed back to the caller, to drop where it
/// likes) and a cell found only in the previous one moves back to the current one, so the
/// cells a search keeps meeting survive a turnover instead of all being forgotten at once.
#[derive(Debug)]
pub struct CellMemo<V> {
    current: CellMap<V>,
    previous: CellMap<V>,
    capacity: usize,
}

/// Pruned cell -> `V`, hashed by [`CellHasher`].
type CellMap<V> = HashMap<CellKey, V, BuildHasherDefault<CellHasher>>;

impl<V> CellMemo<V> {
    /// A memo holding at most `capacity` cells per generation (so at most twice that).
    pub fn new(capacity: usize) -> Self {
        Self {
            current: CellMap::default(),
            previous: CellMap::default(),
            capacity: capacity.max(1),
        }
    }

    /// The value of `key`, if held (a cell of the previous generation moves to the current
    /// one: see [`CellMemo::insert`] for what that may hand back).
    pub fn get(&mut self, key: &CellKey) -> (Option<&V>, Option<CellMap<V>>) {
        if self.current.contains_key(key) {
            return (self.current.get(key), None);
        }
        match self.previous.remove(key) {
            Some(value) => {
                let released = self.insert(*key, value);
                (self.current.get(key), released)
            }
            None => (None, None),
        }
    }

    /// Holds `value` for `key`; returns the generation this made the memo let go of, if any.
    pub fn insert(&mut self, key: CellKey, value: V) -> Option<CellMap<V>> {
        let released = if self.current.len() >= self.capacity {
            let full = std::mem::take(&mut self.current);
            Some(std::mem::replace(&mut self.previous, full))
        } else {
            None
        };
        self.current.insert(key, value);
        released
    }

    /// Cells held (both generations).
    pub fn len(&self) -> usize {
        self.current.len() + self.previous.len()
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.current.is_empty() && self.previous.is_empty()
    }
}

/// Bounded memo of pruned cell -> hash. Search loops meet the same pruned cells again and again
/// (random 7-vertex matrices prune to a few tens of thousands of small cells; evolution revisits
/// parents), and one lookup costs far less than the ~60 MD5s of a hash.
#[derive(Debug)]
pub struct DigestMemo(CellMemo<[u8; 16]>);

/// A multiply-rotate hasher for the 17-byte [`CellKey`]s (SipHash, the default, costs more
/// than the lookup it serves; the keys are not attacker-chosen in a way that matters: the
/// worst case is a slower memo, bounded in size).
#[derive(Debug, Default, Clone, Copy)]
pub struct CellHasher(u64);

impl Hasher for CellHasher {
    fn finish(&self) -> u64 {
        // Final avalanche, so the table's low bits depend on every input bit.
        let mut z = self.0;
        z = (z ^ (z >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
        z ^ (z >> 29)
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, value: u8) {
        self.write_u64(u64::from(value));
    }

    fn write_usize(&mut self, value: usize) {
        self.write_u64(value as u64);
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0.rotate_left(23) ^ value).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

impl DigestMemo {
    /// A memo holding at most `capacity` cells per generation (so at most twice that).
    pub fn new(capacity: usize) -> Self {
        Self(CellMemo::new(capacity))
    }

    /// The hash of `key`, computed on first sight.
    pub fn digest(&mut self, key: &CellKey) -> [u8; 16] {
        if let (Some(digest), _) = self.0.get(key) {
            return *digest;
        }
        let digest = hash_key(key);
        self.0.insert(*key, digest);
        digest
    }

    /// Cells held (both generations).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nb101::hash::{hash_graph_reference, to_hex_string};
    use crate::nb101::test_cells::{SplitMix, INCEPTION};

    #[test]
    fn inception_cell_matches_the_worked_hash() {
        let inception = INCEPTION;
        let got = spec_digest(7, &inception, &[9, 1, 0, 0, 0, 2, 9]).unwrap();
        assert_eq!(got.kept, 0b111_1111);
        assert_eq!(got.num_edges, 9);
        assert_eq!(
            to_hex_string(&got.digest.unwrap()),
            "28cfc7874f6d200472e1a9dcd8650aa0"
        );
    }

    #[test]
    fn pruned_vertices_are_dropped_before_hashing() {
        // 0 -> 1 -> 3 and a dead end 0 -> 2 whose op is unknown: pruned, so still hashable.
        let m = [0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0];
        let got = spec_digest(4, &m, &[0, 0, UNKNOWN_OP, 0]).unwrap();
        assert_eq!(got.kept, 0b1011);
        assert_eq!(got.num_edges, 2);
        let chain = hash_graph_reference(3, &[0, 1, 0, 0, 0, 1, 0, 0, 0], &[-1, 0, -2]).unwrap();
        assert_eq!(got.digest, Some(chain));
    }

    #[test]
    fn unknown_kept_op_has_no_digest() {
        let got = spec_digest(3, &[0, 1, 0, 0, 0, 1, 0, 0, 0], &[0, UNKNOWN_OP, 0]).unwrap();
        assert_eq!((got.kept, got.num_edges, got.digest), (0b111, 2, None));
    }

    #[test]
    fn disconnected_and_single_vertex_specs_are_invalid() {
        let got = spec_digest(3, &[0, 1, 0, 0, 0, 0, 0, 0, 0], &[0; 3]).unwrap();
        assert_eq!((got.kept, got.digest), (0, None));
        assert_eq!(spec_digest(1, &[0], &[0]).unwrap().kept, 0);
    }

    #[test]
    fn cases_outside_the_fast_path_are_declined() {
        assert_eq!(spec_digest(0, &[], &[]), None);
        assert_eq!(spec_digest(2, &[0, 2, 0, 0], &[0, 0]), None); // weighted
        assert_eq!(spec_digest(2, &[0, 0, 1, 0], &[0, 0]), None); // below the diagonal
        assert_eq!(spec_digest(2, &[1, 0, 0, 0], &[0, 0]), None); // self-loop
        assert_eq!(spec_digest(2, &[0, -1, 0, 0], &[0, 0]), None); // negative
        assert_eq!(spec_digest(2, &[0, 1, 0], &[0, 0]), None); // wrong length
        assert_eq!(spec_digest(9, &[0; 81], &[0; 9]), None); // too large
        assert_eq!(prune_spec_bytes(2, &[0, 2, 0, 0], &[0, 0]), None); // weighted
        assert_eq!(prune_spec_bytes(2, &[0, 3, 0, 0], &[0, 0]), None); // weighted, odd
        assert_eq!(prune_spec_bytes(2, &[0, 0, 1, 0], &[0, 0]), None); // below the diagonal
        assert_eq!(prune_spec_bytes(2, &[0, 1, 0, 1], &[0, 0]), None); // self-loop
        assert_eq!(prune_spec_bytes(8, &[0; 63], &[0; 8]), None); // wrong length
        assert_eq!(prune_spec_bytes(9, &[0; 81], &[0; 9]), None); // too large
        assert_eq!(prune_spec_bytes(0, &[], &[]), None);
    }

    #[test]
    fn memo_returns_the_computed_hash_and_stays_bounded() {
        let mut memo = DigestMemo::new(2);
        let chain = [0, 1, 0, 0, 0, 1, 0, 0, 0];
        for codes in [
            [0, 0, 0],
            [0, 1, 0],
            [0, 2, 0],
            [0, 0, 0],
            [0, 1, 0],
            [0, 2, 0],
        ] {
            let direct = spec_digest(3, &chain, &codes).unwrap();
            let memoised = spec_digest_with(3, &chain, &codes, |k| memo.digest(k)).unwrap();
            assert_eq!(direct, memoised);
            assert!(memo.len() <= 4 && !memo.is_empty());
        }
    }

    #[test]
    fn memo_keeps_every_hash_right_across_turnovers() {
        // Random cells, many repeated, through a memo far smaller than the set of cells: every
        // answer equals the unmemoised hash, whichever generation (or none) held the cell.
        let mut memo = DigestMemo::new(7);
        let mut rng = SplitMix(7);
        let mut next = move || rng.next();
        for _ in 0..400 {
            let n = 2 + (next() % 4) as usize;
            let entries: Vec<i64> = (0..n * n)
                .map(|i| i64::from(i % n > i / n && next() % 3 != 0))
                .collect();
            let codes: Vec<i8> = (0..n).map(|_| (next() % 2) as i8).collect();
            let direct = spec_digest(n, &entries, &codes).unwrap();
            let memoised = spec_digest_with(n, &entries, &codes, |k| memo.digest(k)).unwrap();
            assert_eq!(direct, memoised);
            assert!(memo.len() <= 14);
        }
    }

    #[test]
    fn cell_memo_keeps_met_cells_across_a_turnover_and_hands_back_the_rest() {
        let cell = |n: u8| -> CellKey { (n, [0; 8], [0; 8]) };
        let mut memo = CellMemo::new(2);
        assert!(memo.insert(cell(1), 10).is_none());
        assert!(memo.insert(cell(2), 20).is_none());
        assert!(memo.insert(cell(3), 30).is_some()); // turnover: 1, 2 become the previous
        assert_eq!(memo.get(&cell(1)).0, Some(&10)); // moved back to the current generation
        let released = memo
            .insert(cell(4), 40)
            .expect("the current generation was full");
        assert_eq!(released.len(), 1); // only cell 2 was never met again
        assert!(released.contains_key(&cell(2)));
        assert_eq!(memo.get(&cell(2)).0, None);
        for (n, value) in [(1, 10), (3, 30), (4, 40)] {
            assert_eq!(memo.get(&cell(n)).0, Some(&value));
        }
        assert!(memo.len() <= 4);
    }

    #[test]
    fn pruned_cell_key_matches_prune_and_compact() {
        // prune_spec's inline renumbering against prune::compact on random 8-vertex cells.
        let mut rng = SplitMix(11);
        let mut next = move || rng.next();
        for _ in 0..2000 {
            let n = 1 + (next() % 8) as usize;
            let entries: Vec<i64> = (0..n * n)
                .map(|i| i64::from(i % n > i / n && next() % 2 == 0))
                .collect();
            let mut out_mask = [0u8; 8];
            for (i, &e) in entries.iter().enumerate() {
                out_mask[i / n] |= (e as u8) << (i % n);
            }
            let (kept, edges, key) = prune_spec(n, &entries, &[0; 8][..n]).unwrap();
            let bytes: Vec<u8> = entries.iter().map(|&e| e as u8).collect();
            assert_eq!(
                prune_spec_bytes(n, &bytes, &[0; 8][..n]),
                Some((kept, edges, key))
            );
            match crate::nb101::prune::prune(n, &out_mask[..n]).unwrap() {
                None => assert_eq!((kept, edges, key), (0, 0, None)),
                Some(pruned) => {
                    let masks = crate::nb101::prune::compact(n, &out_mask[..n], pruned.kept);
                    let key = key.unwrap();
                    assert_eq!(kept, pruned.kept);
                    assert_eq!(usize::from(key.0), masks.len());
                    assert_eq!(&key.1[..masks.len()], &masks[..]);
                    assert_eq!(edges, masks.iter().map(|m| m.count_ones()).sum::<u32>());
                }
            }
        }
    }
}
