//! The NAS-Bench-101 graph hash (`graph_util.hash_module`), bit-identical to the original.
//!
//! Algorithm (see `shared/formats/nb101.md` §2): every vertex starts as the hex MD5 of the
//! Python string `str((out_degree, in_degree, label))`; then, exactly V times, every vertex
//! becomes the hex MD5 of `sorted(in-neighbour hashes) | sorted(out-neighbour hashes) | own`;
//! the fingerprint is the hex MD5 of `str(sorted(vertex hashes))`.
//!
//! Two implementations live here on purpose:
//! * [`hash_graph`] — a direct, scalar transcription for any vertex count, integer edge weights
//!   and integer labels (what `ModelSpec.hash_spec` needs); it doubles as the test oracle.
//! * [`hash_cells`] — the batch engine for cells of at most [`MAX_BATCH_VERTICES`] vertices with
//!   0/1 edges: it advances a chunk of cells one iteration at a time and digests all of that
//!   iteration's messages with the multi-buffer MD5 of [`crate::md5x`].
//!
//! Sorting hex strings lexicographically equals sorting the raw digests bytewise (hex keeps
//! byte order), so the batch engine sorts 16-byte digests and only writes hex into messages.

use crate::error::{CoreError, CoreResult};
use crate::md5x::{digest_slots, md5, Kernel, MessageSlots};
use rayon::prelude::*;

/// Largest vertex count the batch engine accepts (bitmask width).
pub const MAX_BATCH_VERTICES: usize = 8;
/// Smallest and largest vertex label the batch engine accepts (input -1, output -2, ops 0..).
pub const MIN_LABEL: i8 = -2;
pub const MAX_LABEL: i8 = 5;

/// The two lowercase hex digits of every byte value.
const HEX_PAIRS: [[u8; 2]; 256] = {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut table = [[0u8; 2]; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = [HEX[byte >> 4], HEX[byte & 15]];
        byte += 1;
    }
    table
};

/// Lowercase hex of a digest.
#[inline]
pub fn to_hex(digest: &[u8; 16]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (pair, byte) in out.chunks_exact_mut(2).zip(digest) {
        pair.copy_from_slice(&HEX_PAIRS[*byte as usize]);
    }
    out
}

/// Hex string of a digest.
pub fn to_hex_string(digest: &[u8; 16]) -> String {
    to_hex(digest).iter().map(|&b| char::from(b)).collect()
}

/// Hash of an arbitrary directed graph (what `ModelSpec.hash_spec` needs).
///
/// `matrix` is row-major `n x n`; an entry is an edge when non-zero and degrees are the plain
/// row/column sums, exactly as numpy computes them in the original. Returns the raw digest.
/// Small 0/1 graphs take the batch engine on one cell; anything else the reference code.
///
/// # Errors
/// [`CoreError::InvalidInput`] when `matrix` does not hold `n * n` entries or `labels` `n`.
pub fn hash_graph(n: usize, matrix: &[i64], labels: &[i64]) -> CoreResult<[u8; 16]> {
    check_graph_shape(n, matrix, labels)?;
    let small = n <= MAX_BATCH_VERTICES
        && matrix.iter().all(|&e| e == 0 || e == 1)
        && labels
            .iter()
            .all(|&l| (MIN_LABEL as i64..=MAX_LABEL as i64).contains(&l));
    if small {
        // Same result as below (tested), without the per-string allocations.
        let entries: Vec<u8> = matrix.iter().map(|&e| e as u8).collect();
        let small_labels: Vec<i8> = labels.iter().map(|&l| l as i8).collect();
        let cell = Cell::from_matrix(n, &entries, &small_labels)?;
        let mut out = [[0u8; 16]];
        // One scratch per thread: a single spec costs ~50 MD5s, so a dozen buffer allocations
        // per call would be a visible share of it.
        thread_local! {
            static SINGLE: std::cell::RefCell<ChunkHasher> =
                std::cell::RefCell::new(ChunkHasher::new(Kernel::detect()));
        }
        SINGLE.with(|hasher| match hasher.try_borrow_mut() {
            Ok(mut hasher) => hasher.run(&[cell], &mut out, InitialDigests::shared()),
            // Not reachable (run never re-enters), but a fresh scratch is always correct.
            Err(_) => {
                ChunkHasher::new(Kernel::detect()).run(&[cell], &mut out, InitialDigests::shared())
            }
        });
        return Ok(out[0]);
    }
    Ok(hash_graph_reference_unchecked(n, matrix, labels))
}

fn check_graph_shape(n: usize, matrix: &[i64], labels: &[i64]) -> CoreResult<()> {
    if n.checked_mul(n) != Some(matrix.len()) || labels.len() != n {
        return Err(CoreError::invalid_input(format!(
            "hash_graph needs an n x n matrix and n labels (n = {n}, {} entries, {} labels)",
            matrix.len(),
            labels.len()
        )));
    }
    Ok(())
}

/// The direct transcription of `hash_module` (any size, weights, labels): the test oracle.
///
/// # Errors
/// [`CoreError::InvalidInput`] when `matrix` does not hold `n * n` entries or `labels` `n`.
pub fn hash_graph_reference(n: usize, matrix: &[i64], labels: &[i64]) -> CoreResult<[u8; 16]> {
    check_graph_shape(n, matrix, labels)?;
    Ok(hash_graph_reference_unchecked(n, matrix, labels))
}

fn hash_graph_reference_unchecked(n: usize, matrix: &[i64], labels: &[i64]) -> [u8; 16] {
    let hex = |d: &[u8; 16]| to_hex_string(d);
    let mut hashes: Vec<String> = (0..n)
        .map(|v| {
            let out_degree: i64 = (0..n).map(|w| matrix[v * n + w]).sum();
            let in_degree: i64 = (0..n).map(|w| matrix[w * n + v]).sum();
            hex(&md5(
                format!("({out_degree}, {in_degree}, {})", labels[v]).as_bytes()
            ))
        })
        .collect();
    for _ in 0..n {
        let next: Vec<String> = (0..n)
            .map(|v| {
                let mut ins: Vec<&str> = (0..n)
                    .filter(|&w| matrix[w * n + v] != 0)
                    .map(|w| hashes[w].as_str())
                    .collect();
                let mut outs: Vec<&str> = (0..n)
                    .filter(|&w| matrix[v * n + w] != 0)
                    .map(|w| hashes[w].as_str())
                    .collect();
                ins.sort_unstable();
                outs.sort_unstable();
                let message = format!("{}|{}|{}", ins.concat(), outs.concat(), hashes[v]);
                hex(&md5(message.as_bytes()))
            })
            .collect();
        hashes = next;
    }
    hashes.sort_unstable();
    md5(python_list_repr(hashes.iter().map(String::as_str)).as_bytes())
}

/// Python's `repr` of a list of str made of hex digits: `['a', 'b']`.
fn python_list_repr<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::from("[");
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('\'');
        out.push_str(item);
        out.push('\'');
    }
    out.push(']');
    out
}

/// A cell of at most [`MAX_BATCH_VERTICES`] vertices with 0/1 edges, as bitmasks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cell {
    pub num_vertices: u8,
    /// Bit w of `out_mask[v]` is set when edge v -> w exists.
    pub out_mask: [u8; MAX_BATCH_VERTICES],
    /// Bit w of `in_mask[v]` is set when edge w -> v exists.
    pub in_mask: [u8; MAX_BATCH_VERTICES],
    pub labels: [i8; MAX_BATCH_VERTICES],
}

impl Cell {
    /// Builds a cell from a row-major `n x n` 0/1 matrix (entries other than 0 count as edges).
    ///
    /// # Errors
    /// [`CoreError::InvalidInput`] for more than [`MAX_BATCH_VERTICES`] vertices, a matrix
    /// that is not `n x n`, or not `n` labels.
    pub fn from_matrix(n: usize, matrix: &[u8], labels: &[i8]) -> CoreResult<Cell> {
        if n > MAX_BATCH_VERTICES || matrix.len() != n * n || labels.len() != n {
            return Err(CoreError::invalid_input(format!(
                "a batch cell needs n <= {MAX_BATCH_VERTICES} vertices, an n x n matrix and n \
                 labels (n = {n}, {} entries, {} labels)",
                matrix.len(),
                labels.len()
            )));
        }
        let mut cell = Cell {
            num_vertices: n as u8,
            ..Cell::default()
        };
        for v in 0..n {
            for w in 0..n {
                if matrix[v * n + w] != 0 {
                    cell.out_mask[v] |= 1 << w;
                    cell.in_mask[w] |= 1 << v;
                }
            }
            cell.labels[v] = labels[v];
        }
        Ok(cell)
    }

    /// Number of edges.
    pub fn num_edges(&self) -> u32 {
        self.out_mask[..self.num_vertices as usize]
            .iter()
            .map(|m| m.count_ones())
            .sum()
    }
}

/// Precomputed first-round digests, keyed by (out degree, in degree, label).
struct InitialDigests {
    table: Vec<[u8; 16]>,
}

const LABEL_SPAN: usize = (MAX_LABEL as i16 - MIN_LABEL as i16 + 1) as usize;
/// Degrees run 0..=MAX_BATCH_VERTICES (a self-loop counts once in each direction).
const DEGREE_SPAN: usize = MAX_BATCH_VERTICES + 1;

impl InitialDigests {
    /// The table, computed once per process (648 MD5s) and immutable afterwards.
    fn shared() -> &'static InitialDigests {
        static TABLE: std::sync::OnceLock<InitialDigests> = std::sync::OnceLock::new();
        TABLE.get_or_init(InitialDigests::new)
    }

    fn new() -> Self {
        let mut table = Vec::with_capacity(DEGREE_SPAN * DEGREE_SPAN * LABEL_SPAN);
        for out_degree in 0..DEGREE_SPAN {
            for in_degree in 0..DEGREE_SPAN {
                for label in MIN_LABEL..=MAX_LABEL {
                    table.push(md5(
                        format!("({out_degree}, {in_degree}, {label})").as_bytes()
                    ));
                }
            }
        }
        Self { table }
    }

    #[inline]
    fn get(&self, out_degree: u32, in_degree: u32, label: i8) -> [u8; 16] {
        let index = ((out_degree as usize) * DEGREE_SPAN + in_degree as usize) * LABEL_SPAN
            + (label - MIN_LABEL) as usize;
        self.table[index]
    }
}

/// Cells per unit of parallel work: enough messages (~7 per cell) to fill the SIMD lanes many
/// times over, while a chunk's message buffer (~45 KB for 7-vertex cells) stays in L1/L2.
const CHUNK_CELLS: usize = 96;

/// Hashes every cell; `out[i]` receives the raw digest of `cells[i]`.
///
/// Runs in parallel on the rayon pool.
///
/// # Errors
/// [`CoreError::InvalidInput`] (with the row) when `out` is not as long as `cells`, a cell
/// has more than [`MAX_BATCH_VERTICES`] vertices or a label outside `MIN_LABEL..=MAX_LABEL`.
pub fn hash_cells(cells: &[Cell], out: &mut [[u8; 16]]) -> CoreResult<()> {
    hash_cells_with(cells, out, Kernel::detect())
}

/// [`hash_cells`] with an explicit MD5 kernel (tests compare kernels).
///
/// # Errors
/// As [`hash_cells`].
pub fn hash_cells_with(cells: &[Cell], out: &mut [[u8; 16]], kernel: Kernel) -> CoreResult<()> {
    if cells.len() != out.len() {
        return Err(CoreError::invalid_input(format!(
            "{} cells but room for {} digests",
            cells.len(),
            out.len()
        )));
    }
    let bad = cells.iter().position(|cell| {
        let n = cell.num_vertices as usize;
        n > MAX_BATCH_VERTICES
            || !cell.labels[..n]
                .iter()
                .all(|l| (MIN_LABEL..=MAX_LABEL).contains(l))
    });
    if let Some(row) = bad {
        return Err(CoreError::InvalidInput {
            message: format!(
                "cell {row}: at most {MAX_BATCH_VERTICES} vertices with labels in \
                 {MIN_LABEL}..={MAX_LABEL}"
            ),
            row: Some(row),
        });
    }
    let initial = InitialDigests::shared();
    let hash_chunks = |cells: &[Cell], out: &mut [[u8; 16]]| {
        cells
            .par_chunks(CHUNK_CELLS)
            .zip(out.par_chunks_mut(CHUNK_CELLS))
            .for_each_init(
                || ChunkHasher::new(kernel),
                |hasher, (chunk, chunk_out)| hasher.run(chunk, chunk_out, initial),
            );
    };
    let uniform = cells
        .windows(2)
        .all(|pair| pair[0].num_vertices == pair[1].num_vertices);
    if uniform {
        hash_chunks(cells, out);
        return Ok(());
    }
    // A chunk refines all its cells together, so group cells of equal size (stable order),
    // hash, and put the digests back in input order.
    let mut order: Vec<u32> = (0..cells.len() as u32).collect();
    order.sort_by_key(|&i| cells[i as usize].num_vertices);
    let sorted: Vec<Cell> = order.iter().map(|&i| cells[i as usize]).collect();
    let mut sorted_out = vec![[0u8; 16]; cells.len()];
    hash_chunks(&sorted, &mut sorted_out);
    for (&i, digest) in order.iter().zip(&sorted_out) {
        out[i as usize] = *digest;
    }
    Ok(())
}

/// Scratch space reused across the chunks one worker hashes.
struct ChunkHasher {
    kernel: Kernel,
    /// One message per (cell, vertex) at `c * n + v`; lengths are the same in every round.
    messages: MessageSlots,
    lengths: Vec<usize>,
    /// The `str(sorted(hashes))` message of each cell.
    finals: MessageSlots,
    digests: Vec<[u8; 16]>,
    /// Current hash of vertex v of cell c at `c * n + v`, as a big-endian integer (its order
    /// is the order of the hex strings) and as hex.
    keys: Vec<u128>,
    hex: Vec<[u8; 32]>,
}

impl ChunkHasher {
    fn new(kernel: Kernel) -> Self {
        Self {
            kernel,
            messages: MessageSlots::new(),
            lengths: Vec::new(),
            finals: MessageSlots::new(),
            digests: Vec::new(),
            keys: Vec::new(),
            hex: Vec::new(),
        }
    }

    /// Hashes `cells` into `out`; runs of equal vertex count are refined together.
    fn run(&mut self, cells: &[Cell], out: &mut [[u8; 16]], initial: &InitialDigests) {
        let mut start = 0;
        while start < cells.len() {
            let n = cells[start].num_vertices;
            let end = start
                + cells[start..]
                    .iter()
                    .position(|c| c.num_vertices != n)
                    .unwrap_or(cells.len() - start);
            self.run_uniform(&cells[start..end], &mut out[start..end], initial);
            start = end;
        }
    }

    /// Hashes cells that all have the same vertex count.
    fn run_uniform(&mut self, cells: &[Cell], out: &mut [[u8; 16]], initial: &InitialDigests) {
        let n = cells[0].num_vertices as usize;
        let slots = cells.len() * n;
        self.keys.clear();
        self.keys.resize(slots, 0);
        self.hex.clear();
        self.hex.resize(slots, [0; 32]);
        self.lengths.clear();
        for cell in cells {
            for v in 0..n {
                let (ins, outs) = (cell.in_mask[v].count_ones(), cell.out_mask[v].count_ones());
                let digest = initial.get(outs, ins, cell.labels[v]);
                let slot = self.lengths.len();
                self.keys[slot] = u128::from_be_bytes(digest);
                self.hex[slot] = to_hex(&digest);
                // sorted(in) + "|" + sorted(out) + "|" + own, 32 hex digits per hash.
                self.lengths.push(32 * (ins + outs + 1) as usize + 2);
            }
        }
        self.messages.layout(self.lengths.iter().copied());
        // The two separators sit at fixed places: after the in-neighbour hashes and after the
        // out-neighbour hashes. Only the hashes change from round to round.
        for (c, cell) in cells.iter().enumerate() {
            for v in 0..n {
                let ins = 32 * cell.in_mask[v].count_ones() as usize;
                let outs = 32 * cell.out_mask[v].count_ones() as usize;
                let msg = self
                    .messages
                    .message_mut(c * n + v, self.lengths[c * n + v]);
                msg[ins] = b'|';
                msg[ins + 1 + outs] = b'|';
            }
        }
        // A cell with V vertices is refined exactly V times.
        for _ in 0..n {
            let (buf, starts) = self.messages.buffer_mut();
            for (c, cell) in cells.iter().enumerate() {
                let base = c * n;
                write_cell_messages(
                    buf,
                    &starts[base..base + n],
                    &self.lengths[base..base + n],
                    &self.keys[base..base + n],
                    &self.hex[base..base + n],
                    cell,
                );
            }
            digest_slots(&self.messages, self.kernel, &mut self.digests);
            for (slot, digest) in self.digests.iter().enumerate() {
                self.keys[slot] = u128::from_be_bytes(*digest);
                self.hex[slot] = to_hex(digest);
            }
        }
        // Python's repr of the sorted list: "['h1', 'h2']" (36 bytes per hash, less the last
        // ", "; "[]" for an empty cell).
        let final_len = if n == 0 { 2 } else { 36 * n };
        self.finals
            .layout(std::iter::repeat_n(final_len, cells.len()));
        for c in 0..cells.len() {
            let order = sorted_vertices(&self.keys[c * n..c * n + n]);
            let msg = self.finals.message_mut(c, final_len);
            msg[0] = b'[';
            for (i, &v) in order[..n].iter().enumerate() {
                let at = 1 + 36 * i;
                msg[at] = b'\'';
                msg[at + 1..at + 33].copy_from_slice(&self.hex[c * n + v as usize]);
                msg[at + 33] = b'\'';
                if i + 1 < n {
                    msg[at + 34..at + 36].copy_from_slice(b", ");
                }
            }
            msg[final_len - 1] = b']';
        }
        digest_slots(&self.finals, self.kernel, &mut self.digests);
        out.copy_from_slice(&self.digests);
    }
}

/// Vertices `0..keys.len()` (at most [`MAX_BATCH_VERTICES`]) sorted by key (insertion sort).
#[inline]
fn sorted_vertices(keys: &[u128]) -> [u8; MAX_BATCH_VERTICES] {
    let mut order = [0u8; MAX_BATCH_VERTICES];
    let mut sorted = [0u128; MAX_BATCH_VERTICES];
    for (i, &key) in keys.iter().enumerate() {
        let mut at = i;
        while at > 0 && sorted[at - 1] > key {
            sorted[at] = sorted[at - 1];
            order[at] = order[at - 1];
            at -= 1;
        }
        sorted[at] = key;
        order[at] = i as u8;
    }
    order
}

/// Writes the hashes of every vertex message of one cell (`sorted(in) | sorted(out) | own`,
/// separators already in place). `starts`/`lengths` locate the cell's messages in `buf`,
/// `keys`/`hex` are its current vertex hashes.
///
/// Walking the vertices once in hash order and appending each to the messages of its
/// neighbours yields every neighbour list already sorted, with one 32-byte copy per edge end.
#[inline]
fn write_cell_messages(
    buf: &mut [u8],
    starts: &[usize],
    lengths: &[usize],
    keys: &[u128],
    hex: &[[u8; 32]],
    cell: &Cell,
) {
    let n = keys.len();
    // Next write position of each message's in- and out-neighbour part.
    let mut in_at = [0usize; MAX_BATCH_VERTICES];
    let mut out_at = [0usize; MAX_BATCH_VERTICES];
    for v in 0..n {
        in_at[v] = starts[v];
        out_at[v] = starts[v] + 32 * cell.in_mask[v].count_ones() as usize + 1;
        let own = starts[v] + lengths[v] - 32;
        buf[own..own + 32].copy_from_slice(&hex[v]);
    }
    for &w in &sorted_vertices(keys)[..n] {
        let w = w as usize;
        // w is an in-neighbour of each of its successors, an out-neighbour of its predecessors.
        let mut successors = cell.out_mask[w];
        while successors != 0 {
            let v = successors.trailing_zeros() as usize;
            successors &= successors - 1;
            buf[in_at[v]..in_at[v] + 32].copy_from_slice(&hex[w]);
            in_at[v] += 32;
        }
        let mut predecessors = cell.in_mask[w];
        while predecessors != 0 {
            let v = predecessors.trailing_zeros() as usize;
            predecessors &= predecessors - 1;
            buf[out_at[v]..out_at[v] + 32].copy_from_slice(&hex[w]);
            out_at[v] += 32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex_of(n: usize, matrix: &[i64], labels: &[i64]) -> String {
        let fast = to_hex_string(&hash_graph(n, matrix, labels).unwrap());
        assert_eq!(
            fast,
            to_hex_string(&hash_graph_reference(n, matrix, labels).unwrap())
        );
        fast
    }

    #[test]
    fn worked_values_from_the_format_notes() {
        assert_eq!(
            hex_of(2, &[0, 1, 0, 0], &[-1, -2]),
            "043721b9c7fe8c5fad811d47d83132ec"
        );
        let chain = [0, 1, 0, 0, 0, 1, 0, 0, 0];
        assert_eq!(
            hex_of(3, &chain, &[-1, 0, -2]),
            "b49ac8c578b4561d79ac7087988f1c61"
        );
        // README Inception-like cell.
        let inception = [
            0, 1, 1, 1, 0, 1, 0, //
            0, 0, 0, 0, 0, 0, 1, //
            0, 0, 0, 0, 0, 0, 1, //
            0, 0, 0, 0, 1, 0, 0, //
            0, 0, 0, 0, 0, 0, 1, //
            0, 0, 0, 0, 0, 0, 1, //
            0, 0, 0, 0, 0, 0, 0,
        ];
        assert_eq!(
            hex_of(7, &inception, &[-1, 1, 0, 0, 0, 2, -2]),
            "28cfc7874f6d200472e1a9dcd8650aa0"
        );
    }

    /// Small deterministic generator so the core crate needs no test dependencies.
    struct SplitMix(u64);
    impl SplitMix {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e3779b97f4a7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
            z ^ (z >> 31)
        }
    }

    fn random_cells(count: usize, seed: u64) -> Vec<Cell> {
        let mut rng = SplitMix(seed);
        (0..count)
            .map(|_| {
                let n = 1 + (rng.next() % MAX_BATCH_VERTICES as u64) as usize;
                let mut matrix = vec![0u8; n * n];
                for v in 0..n {
                    for w in 0..n {
                        // Any directed graph, loops included: the hash is defined on all of them.
                        matrix[v * n + w] = rng.next().is_multiple_of(3) as u8;
                    }
                }
                let labels: Vec<i8> = (0..n)
                    .map(|_| MIN_LABEL + (rng.next() % LABEL_SPAN as u64) as i8)
                    .collect();
                Cell::from_matrix(n, &matrix, &labels).unwrap()
            })
            .collect()
    }

    fn reference(cell: &Cell) -> [u8; 16] {
        let n = cell.num_vertices as usize;
        let matrix: Vec<i64> = (0..n * n)
            .map(|i| ((cell.out_mask[i / n] >> (i % n)) & 1) as i64)
            .collect();
        let labels: Vec<i64> = cell.labels[..n].iter().map(|&l| l as i64).collect();
        hash_graph_reference(n, &matrix, &labels).unwrap()
    }

    #[test]
    fn batch_engine_matches_reference_on_every_kernel() {
        let cells = random_cells(3000, 7);
        let expected: Vec<[u8; 16]> = cells.iter().map(reference).collect();
        for kernel in Kernel::available() {
            let mut out = vec![[0u8; 16]; cells.len()];
            hash_cells_with(&cells, &mut out, kernel).unwrap();
            assert_eq!(out, expected, "kernel {kernel:?}");
        }
    }

    #[test]
    fn hash_is_invariant_under_relabelling() {
        let mut rng = SplitMix(11);
        for cell in random_cells(200, 3) {
            let n = cell.num_vertices as usize;
            let mut perm: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                perm.swap(i, (rng.next() % (i as u64 + 1)) as usize);
            }
            let mut matrix = vec![0u8; n * n];
            let mut labels = vec![0i8; n];
            for v in 0..n {
                labels[perm[v]] = cell.labels[v];
                for w in 0..n {
                    matrix[perm[v] * n + perm[w]] = (cell.out_mask[v] >> w) & 1;
                }
            }
            let permuted = Cell::from_matrix(n, &matrix, &labels).unwrap();
            assert_eq!(reference(&cell), reference(&permuted));
        }
    }

    #[test]
    fn degrees_are_sums_of_entries() {
        // The original sums entries, so a weight-2 edge changes the hash.
        assert_ne!(
            hex_of(2, &[0, 2, 0, 0], &[-1, -2]),
            hex_of(2, &[0, 1, 0, 0], &[-1, -2])
        );
    }

    #[test]
    fn bad_shapes_and_labels_are_errors_not_panics() {
        let shape = |r: CoreResult<[u8; 16]>| matches!(r, Err(CoreError::InvalidInput { .. }));
        assert!(shape(hash_graph(3, &[0; 8], &[-1, 0, -2])));
        assert!(shape(hash_graph(2, &[0, 1, 0, 0], &[-1])));
        assert!(shape(hash_graph_reference(usize::MAX, &[], &[])));
        assert!(Cell::from_matrix(9, &[0; 81], &[0; 9]).is_err());
        assert!(Cell::from_matrix(2, &[0; 3], &[0; 2]).is_err());
        let mut cells = random_cells(5, 1);
        let mut out = vec![[0u8; 16]; 4];
        assert!(hash_cells(&cells, &mut out).is_err());
        out.push([0; 16]);
        cells[3].labels[0] = MAX_LABEL + 1;
        match hash_cells(&cells, &mut out) {
            Err(CoreError::InvalidInput { row, .. }) => assert_eq!(row, Some(3)),
            other => panic!("expected an InvalidInput error, got {other:?}"),
        }
        cells[3].labels[0] = 0;
        cells[2].num_vertices = 9;
        assert!(hash_cells(&cells, &mut out).is_err());
    }
}
