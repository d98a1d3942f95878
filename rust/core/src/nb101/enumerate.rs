//! Exhaustive enumeration of the NAS-Bench-101 space, as `scripts/generate_graphs.py` does it.
//!
//! For each vertex count V the original visits `bits = 0 .. 2^(V(V-1)/2)` in ascending order,
//! builds the upper-triangular matrix with `gen_is_edge_fn` (bit k <-> edge (x, y), x < y,
//! k = x + y(y-1)/2), keeps "full DAGs" (no zero row but the last, no zero column but the first)
//! with at most `max_edges` edges, and for each labelling in
//! `itertools.product(range(num_ops), repeat=V-2)` (last vertex fastest) hashes the cell and
//! keeps the FIRST (matrix, labels) seen per hash. We keep the same rows in the same order while
//! hashing only the first labelled graph of each isomorphism class (see [`enumerate_vertices`]).

use super::hash::{hash_cells, Cell, MAX_BATCH_VERTICES};
use super::spec::{INPUT, OUTPUT};
use crate::error::{CoreError, CoreResult};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::ControlFlow;

/// Digests are uniformly distributed already: their first 8 bytes are the set's hash.
#[derive(Default)]
struct DigestHasher(u64);

impl Hasher for DigestHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // `[u8; 16]` hashes as its 16 bytes (no length prefix for arrays); fold any other input.
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = self.0.rotate_left(29) ^ u64::from_le_bytes(word);
        }
    }
}

type DigestSet = HashSet<[u8; 16], BuildHasherDefault<DigestHasher>>;

/// Largest op count the hasher's label range allows (labels 0..num_ops).
pub const MAX_NUM_OPS: u32 = 6;

/// One unique cell: the representative the original enumeration stored for its hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UniqueCell {
    /// `gen_is_edge_fn` bits of the representative matrix.
    pub edge_bits: u32,
    pub num_edges: u8,
    /// Labels per vertex (the first `V`; the rest 0): input -1, output -2, ops 0..num_ops.
    pub labels: [i8; MAX_BATCH_VERTICES],
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

/// All permutations of the interior vertices `1..n-1` (input and output stay put: their labels
/// -1 and -2 are unique, so every label-preserving isomorphism fixes them), as `old -> new`
/// vertex maps, the identity first.
fn interior_permutations(n: usize) -> Vec<[u8; MAX_BATCH_VERTICES]> {
    let mut perms = Vec::new();
    let mut current: [u8; MAX_BATCH_VERTICES] = std::array::from_fn(|v| v as u8);
    // Heap's algorithm over the interior slots, identity first.
    let interior = n.saturating_sub(2);
    let mut counters = vec![0usize; interior];
    perms.push(current);
    let mut i = 0;
    while i < interior {
        if counters[i] < i {
            let j = if i % 2 == 0 { 0 } else { counters[i] };
            current.swap(1 + j, 1 + i);
            perms.push(current);
            counters[i] += 1;
            i = 0;
        } else {
            counters[i] = 0;
            i += 1;
        }
    }
    perms
}

/// The out masks of `out_mask` with vertex v renamed `perm[v]`, packed one byte per vertex.
#[inline]
fn permuted_key(
    n: usize,
    out_mask: &[u8; MAX_BATCH_VERTICES],
    perm: &[u8; MAX_BATCH_VERTICES],
) -> u64 {
    let mut renamed = [0u8; MAX_BATCH_VERTICES];
    for v in 0..n {
        let mut bits = out_mask[v];
        let mut mask = 0u8;
        while bits != 0 {
            let w = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            mask |= 1 << perm[w];
        }
        renamed[perm[v] as usize] = mask;
    }
    u64::from_le_bytes(renamed)
}

/// Canonical form of one unlabelled DAG under interior permutations: the smallest permuted key
/// and, for each permutation reaching it, the place value of every vertex's label digit in the
/// labelling index of the permuted graph.
struct Canonical {
    key: u64,
    digit_weights: Vec<[u32; MAX_BATCH_VERTICES]>,
}

fn canonical_form(
    n: usize,
    out_mask: &[u8; MAX_BATCH_VERTICES],
    perms: &[[u8; MAX_BATCH_VERTICES]],
    num_ops: u32,
) -> Canonical {
    let keys: Vec<u64> = perms.iter().map(|p| permuted_key(n, out_mask, p)).collect();
    let key = keys.iter().copied().min().unwrap_or(0);
    // Labelling index: sum of label(v) * num_ops^(n-2-v) (itertools.product, last fastest);
    // after renaming v -> perm[v] the digit of v moves to place n-2-perm[v].
    let digit_weights = perms
        .iter()
        .zip(&keys)
        .filter(|(_, &k)| k == key)
        .map(|(perm, _)| {
            let mut weights = [0u32; MAX_BATCH_VERTICES];
            for v in 1..n - 1 {
                weights[v] = num_ops.pow((n - 2 - perm[v] as usize) as u32);
            }
            weights
        })
        .collect();
    Canonical { key, digit_weights }
}

/// Which (structure, canonical labelling) classes were seen: a bitset while it stays small,
/// a hash set beyond.
enum SeenClasses {
    Bits(Vec<u64>),
    Set(HashSet<u64>),
}

impl SeenClasses {
    fn new(classes: u64) -> Self {
        // At most 32 MB of bits (V = 7 needs 1.2 Mbit); larger spaces use a set of seen classes.
        if classes <= 1 << 28 {
            SeenClasses::Bits(vec![0; classes.div_ceil(64) as usize])
        } else {
            SeenClasses::Set(HashSet::new())
        }
    }

    /// Marks `class` seen; true when it was new.
    #[inline]
    fn insert(&mut self, class: u64) -> bool {
        match self {
            SeenClasses::Bits(words) => {
                let (word, bit) = ((class / 64) as usize, class % 64);
                let new = words[word] >> bit & 1 == 0;
                words[word] |= 1 << bit;
                new
            }
            SeenClasses::Set(set) => set.insert(class),
        }
    }
}

/// Labelled graphs one hashing batch covers at least, whatever the progress interval: enough
/// representatives (~10 K at V = 7) to keep both the rayon workers and the MD5 lanes busy.
const MIN_BATCH_GRAPHS: u64 = 1 << 15;

/// Unique cells with exactly `n` vertices (2..=8), in the original's first-seen order.
///
/// The original hashes every labelled graph and keeps the first one per hash. The hash is an
/// isomorphism invariant, so the first graph of each hash is also the first of its isomorphism
/// class. We therefore (1) walk the labelled graphs in the original order and keep the first of
/// each isomorphism class (a canonical form over interior-vertex permutations, no MD5), then
/// (2) hash only those representatives, in parallel, and (3) keep, in order, the first
/// representative of each hash. Step 3 makes the result exact even if two non-isomorphic
/// classes shared a hash: it is the original's output, in its order, with ~1/3 of the hashing.
///
/// # Errors
/// [`CoreError::InvalidInput`] for `n` outside 2..=8 or `num_ops` outside 1..=6 (the label
/// range of the hasher).
pub fn enumerate_vertices(n: usize, max_edges: u32, num_ops: u32) -> CoreResult<Vec<UniqueCell>> {
    let finished = enumerate_vertices_with_progress(n, max_edges, num_ops, u64::MAX, &mut |_| {
        ControlFlow::Continue(())
    })?;
    // A callback that never breaks always lets the enumeration finish.
    Ok(finished.unwrap_or_default())
}

/// [`enumerate_vertices`], reporting progress: `progress(done)` receives the number of
/// labelled graphs of this vertex count handled so far (monotonic, the last call reports
/// [`count_labelled`]), after each batch of at least `every` of them (batches never cover
/// fewer than 32,768, so hashing stays batch-sized). Returns `Ok(None)` as soon as `progress`
/// breaks.
///
/// # Errors
/// As [`enumerate_vertices`].
pub fn enumerate_vertices_with_progress(
    n: usize,
    max_edges: u32,
    num_ops: u32,
    every: u64,
    progress: &mut dyn FnMut(u64) -> ControlFlow<()>,
) -> CoreResult<Option<Vec<UniqueCell>>> {
    check_vertices(n)?;
    if !(1..=MAX_NUM_OPS).contains(&num_ops) {
        return Err(CoreError::invalid_input(format!(
            "num_ops must be in 1..={MAX_NUM_OPS}, got {num_ops}"
        )));
    }
    let labellings = num_ops.pow((n - 2) as u32);
    let dags = full_dags(n, max_edges);
    let representatives = first_of_each_class(n, &dags, num_ops);
    // Steps 2 and 3, one batch of whole DAGs at a time (a DAG's labellings are contiguous).
    let dags_per_batch = every.max(MIN_BATCH_GRAPHS).div_ceil(u64::from(labellings));
    let dags_per_batch = usize::try_from(dags_per_batch).unwrap_or(usize::MAX);
    let mut first_of_hash =
        DigestSet::with_capacity_and_hasher(representatives.len(), Default::default());
    let mut unique = Vec::with_capacity(representatives.len());
    let mut cells: Vec<Cell> = Vec::new();
    let mut digests: Vec<[u8; 16]> = Vec::new();
    let mut rest = &representatives[..];
    let mut dag_end = 0usize;
    while dag_end < dags.len() {
        dag_end = dag_end.saturating_add(dags_per_batch).min(dags.len());
        let split = rest.partition_point(|&(dag, _)| (dag as usize) < dag_end);
        let (batch, after) = rest.split_at(split);
        rest = after;
        batch
            .par_iter()
            .map(|&(dag, k)| labelled_cell(n, dags[dag as usize], k, num_ops))
            .collect_into_vec(&mut cells);
        digests.clear();
        digests.resize(cells.len(), [0; 16]);
        hash_cells(&cells, &mut digests)?;
        for ((&(dag, _), cell), digest) in batch.iter().zip(&cells).zip(&digests) {
            if first_of_hash.insert(*digest) {
                unique.push(UniqueCell {
                    edge_bits: dags[dag as usize],
                    num_edges: cell.num_edges() as u8,
                    labels: cell.labels,
                    digest: *digest,
                });
            }
        }
        if progress(dag_end as u64 * u64::from(labellings)).is_break() {
            return Ok(None);
        }
    }
    Ok(Some(unique))
}

/// Step 1: (dag index, labelling index) of the first labelled graph of every isomorphism
/// class, in the original's visiting order.
fn first_of_each_class(n: usize, dags: &[u32], num_ops: u32) -> Vec<(u32, u32)> {
    let labellings = num_ops.pow((n - 2) as u32);
    let perms = interior_permutations(n);
    let forms: Vec<Canonical> = dags
        .par_iter()
        .map(|&bits| canonical_form(n, &masks_from_bits(n, bits), &perms, num_ops))
        .collect();
    let mut structure_ids: HashMap<u64, u64> = HashMap::new();
    let mut seen = SeenClasses::new(dags.len() as u64 * u64::from(labellings));
    let mut representatives: Vec<(u32, u32)> = Vec::new();
    let mut digits = [0u32; MAX_BATCH_VERTICES];
    for (dag, form) in forms.iter().enumerate() {
        let next_id = structure_ids.len() as u64;
        let structure = *structure_ids.entry(form.key).or_insert(next_id);
        for k in 0..labellings {
            let mut rest = k;
            for v in (1..n - 1).rev() {
                digits[v] = rest % num_ops;
                rest /= num_ops;
            }
            // The smallest renamed labelling over the permutations reaching the canonical DAG:
            // the same function for every DAG of this structure, so equal iff isomorphic.
            let canonical = form
                .digit_weights
                .iter()
                .map(|w| (1..n - 1).map(|v| digits[v] * w[v]).sum::<u32>())
                .min()
                .unwrap_or(k);
            if seen.insert(structure * u64::from(labellings) + u64::from(canonical)) {
                representatives.push((dag as u32, k));
            }
        }
    }
    representatives
}

/// The hashable cells of enumerated rows with `n` vertices (for timing and tests).
pub fn edge_cells(n: usize, unique: &[UniqueCell]) -> Vec<Cell> {
    unique
        .iter()
        .map(|u| {
            let mut cell = labelled_cell(n, u.edge_bits, 0, 1);
            cell.labels = u.labels;
            cell
        })
        .collect()
}

/// The cell of DAG `bits` under labelling index `k` (itertools.product order, last fastest).
fn labelled_cell(n: usize, bits: u32, k: u32, num_ops: u32) -> Cell {
    let out_mask = masks_from_bits(n, bits);
    let mut in_mask = [0u8; MAX_BATCH_VERTICES];
    for (v, &mask) in out_mask.iter().enumerate().take(n) {
        let mut targets = mask;
        while targets != 0 {
            let w = targets.trailing_zeros() as usize;
            targets &= targets - 1;
            in_mask[w] |= 1 << v;
        }
    }
    let mut labels = [0i8; MAX_BATCH_VERTICES];
    labels[0] = INPUT;
    labels[n - 1] = OUTPUT;
    let mut rest = k;
    for v in (1..n - 1).rev() {
        labels[v] = (rest % num_ops) as i8;
        rest /= num_ops;
    }
    Cell {
        num_vertices: n as u8,
        out_mask,
        in_mask,
        labels,
    }
}

/// The original's procedure verbatim: hash every labelled graph, keep the first per hash
/// (the oracle of the tests; quadratic work compared with [`enumerate_vertices`]).
///
/// # Errors
/// As [`enumerate_vertices`].
pub fn enumerate_vertices_exhaustive(
    n: usize,
    max_edges: u32,
    num_ops: u32,
) -> CoreResult<Vec<UniqueCell>> {
    check_vertices(n)?;
    if !(1..=MAX_NUM_OPS).contains(&num_ops) {
        return Err(CoreError::invalid_input(format!(
            "num_ops must be in 1..={MAX_NUM_OPS}, got {num_ops}"
        )));
    }
    let labellings = num_ops.pow((n - 2) as u32);
    let dags = full_dags(n, max_edges);
    let cells: Vec<(u32, Cell)> = dags
        .iter()
        .flat_map(|&bits| (0..labellings).map(move |k| (bits, labelled_cell(n, bits, k, num_ops))))
        .collect();
    let plain: Vec<Cell> = cells.iter().map(|(_, c)| *c).collect();
    let mut digests = vec![[0u8; 16]; plain.len()];
    hash_cells(&plain, &mut digests)?;
    let mut seen = HashSet::new();
    Ok(cells
        .iter()
        .zip(&digests)
        .filter(|(_, d)| seen.insert(**d))
        .map(|((bits, cell), digest)| UniqueCell {
            edge_bits: *bits,
            num_edges: cell.num_edges() as u8,
            labels: cell.labels,
            digest: *digest,
        })
        .collect())
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
    fn isomorphism_classes_give_the_exhaustive_result() {
        // Same rows, same order, for every size the tests can afford exhaustively, and for
        // other op counts (labellings with 1, 2 and 4 ops, where automorphisms act differently).
        for (n, max_edges, num_ops) in [
            (2, 9, 3),
            (3, 9, 3),
            (4, 9, 3),
            (5, 9, 3),
            (6, 9, 3),
            (5, 9, 1),
            (5, 9, 2),
            (5, 6, 4),
            (6, 6, 2),
        ] {
            assert_eq!(
                enumerate_vertices(n, max_edges, num_ops).unwrap(),
                enumerate_vertices_exhaustive(n, max_edges, num_ops).unwrap(),
                "n = {n}, max_edges = {max_edges}, num_ops = {num_ops}"
            );
        }
    }

    #[test]
    fn progress_reports_every_batch_and_keeps_the_result() {
        for (n, max_edges, num_ops) in [(6, 9, 3), (5, 9, 2), (2, 9, 3)] {
            let expected = enumerate_vertices(n, max_edges, num_ops).unwrap();
            let total = count_labelled(n, max_edges, num_ops).unwrap();
            for every in [0, 1, 40_000, u64::MAX] {
                let mut reports = Vec::new();
                let got =
                    enumerate_vertices_with_progress(n, max_edges, num_ops, every, &mut |d| {
                        reports.push(d);
                        ControlFlow::Continue(())
                    })
                    .unwrap();
                assert_eq!(got.as_ref(), Some(&expected), "n = {n}, every = {every}");
                assert_eq!(reports.last(), Some(&total), "n = {n}, every = {every}");
                assert!(reports.windows(2).all(|w| w[0] < w[1]), "{reports:?}");
                // Batches cover at least MIN_BATCH_GRAPHS labelled graphs (the last may be less).
                let gaps = reports.windows(2).map(|w| w[1] - w[0]);
                assert!(reports.len() == 1 || reports[0] >= MIN_BATCH_GRAPHS.min(total));
                assert!(gaps.rev().skip(1).all(|gap| gap >= MIN_BATCH_GRAPHS));
            }
        }
        // V = 6 has 125,145 labelled graphs (1,545 DAGs x 81): batches of 494 DAGs, 4 reports.
        let mut reports = Vec::new();
        enumerate_vertices_with_progress(6, 9, 3, 40_000, &mut |d| {
            reports.push(d);
            ControlFlow::Continue(())
        })
        .unwrap();
        assert_eq!(reports, [40_014, 80_028, 120_042, 125_145]);
    }

    #[test]
    fn a_breaking_callback_stops_the_enumeration() {
        let mut calls = 0;
        let stopped = enumerate_vertices_with_progress(6, 9, 3, 1, &mut |_| {
            calls += 1;
            ControlFlow::Break(())
        })
        .unwrap();
        assert_eq!((stopped, calls), (None, 1));
    }

    #[test]
    fn seen_classes_report_first_insertions_in_both_forms() {
        for mut seen in [SeenClasses::new(200), SeenClasses::new(1 << 40)] {
            assert!(seen.insert(0) && seen.insert(130) && seen.insert(63));
            assert!(!seen.insert(130) && !seen.insert(0));
            assert!(seen.insert(64));
        }
        assert!(matches!(SeenClasses::new(1 << 40), SeenClasses::Set(_)));
    }

    #[test]
    fn interior_permutations_are_all_distinct() {
        for n in 2..=MAX_BATCH_VERTICES {
            let perms = interior_permutations(n);
            let distinct: HashSet<_> = perms.iter().collect();
            let expected: usize = (1..=n - 2).product();
            assert_eq!(
                (perms.len(), distinct.len()),
                (expected, expected),
                "n = {n}"
            );
            assert!(perms
                .iter()
                .all(|p| p[0] == 0 && p[n - 1] as usize == n - 1));
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
