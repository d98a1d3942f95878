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
    #[cfg(target_arch = "x86_64")]
    {
        to_hex_sse2(digest)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        to_hex_table(digest)
    }
}

/// [`to_hex`] by table lookup, one byte at a time (the portable form; tests compare).
#[inline]
pub fn to_hex_table(digest: &[u8; 16]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (pair, byte) in out.chunks_exact_mut(2).zip(digest) {
        pair.copy_from_slice(&HEX_PAIRS[*byte as usize]);
    }
    out
}

/// [`to_hex`] with SSE2 (part of every x86-64 CPU): split the nibbles, interleave them high
/// first, and map 0..=9 to '0'..='9' and 10..=15 to 'a'..='f' by adding 39 past 9. The batch
/// hash converts ~50 digests per cell, so 16 table lookups each were a visible cost.
#[cfg(target_arch = "x86_64")]
#[inline]
fn to_hex_sse2(digest: &[u8; 16]) -> [u8; 32] {
    use std::arch::x86_64::*;
    let mut out = [0u8; 32];
    // SAFETY: SSE2 is part of the x86-64 baseline; loads and stores are unaligned and stay
    // inside `digest` (16 bytes) and `out` (32 bytes).
    unsafe {
        let bytes = _mm_loadu_si128(digest.as_ptr().cast());
        let low_nibbles = _mm_set1_epi8(0x0f);
        let high = _mm_and_si128(_mm_srli_epi16::<4>(bytes), low_nibbles);
        let low = _mm_and_si128(bytes, low_nibbles);
        let ascii = |nibbles: __m128i| {
            let letters =
                _mm_and_si128(_mm_cmpgt_epi8(nibbles, _mm_set1_epi8(9)), _mm_set1_epi8(39));
            _mm_add_epi8(_mm_add_epi8(nibbles, _mm_set1_epi8(b'0' as i8)), letters)
        };
        let first = ascii(_mm_unpacklo_epi8(high, low));
        let second = ascii(_mm_unpackhi_epi8(high, low));
        _mm_storeu_si128(out.as_mut_ptr().cast(), first);
        _mm_storeu_si128(out.as_mut_ptr().add(16).cast(), second);
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
/// Small 0/1 graphs take the one-cell engine ([`super::hash_one`]); anything else the reference
/// code.
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
        if let Some(digest) = super::hash_one::hash_cell(&cell) {
            return Ok(digest);
        }
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
pub(super) struct InitialDigests {
    table: Vec<[u8; 16]>,
}

const LABEL_SPAN: usize = (MAX_LABEL as i16 - MIN_LABEL as i16 + 1) as usize;
/// Degrees run 0..=MAX_BATCH_VERTICES (a self-loop counts once in each direction).
const DEGREE_SPAN: usize = MAX_BATCH_VERTICES + 1;

impl InitialDigests {
    /// The table, computed once per process (648 MD5s) and immutable afterwards.
    pub(super) fn shared() -> &'static InitialDigests {
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
    pub(super) fn get(&self, out_degree: u32, in_degree: u32, label: i8) -> [u8; 16] {
        let index = ((out_degree as usize) * DEGREE_SPAN + in_degree as usize) * LABEL_SPAN
            + (label - MIN_LABEL) as usize;
        self.table[index]
    }
}

/// Cells per unit of parallel work: enough messages (~7 per cell) to fill the 32 SIMD lanes many
/// times over (the last, partly filled lane group of each block count is a small share), while
/// a chunk's message buffer (~110 KB for 7-vertex cells) stays in L2.
pub const CHUNK_CELLS: usize = 192;

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

/// Checks a batch before hashing: one digest slot per cell, every cell within the engine's
/// vertex and label range (the first bad row is named).
fn check_batch(cells: &[Cell], out: &[[u8; 16]]) -> CoreResult<()> {
    if cells.len() != out.len() {
        return Err(CoreError::invalid_input(format!(
            "{} cells but room for {} digests",
            cells.len(),
            out.len()
        )));
    }
    if let Some(row) = cells.iter().position(|cell| !cell_fits(cell)) {
        return Err(CoreError::InvalidInput {
            message: format!(
                "cell {row}: at most {MAX_BATCH_VERTICES} vertices with labels in \
                 {MIN_LABEL}..={MAX_LABEL}"
            ),
            row: Some(row),
        });
    }
    Ok(())
}

/// [`hash_cells`] with an explicit MD5 kernel (tests compare kernels).
///
/// # Errors
/// As [`hash_cells`].
pub fn hash_cells_with(cells: &[Cell], out: &mut [[u8; 16]], kernel: Kernel) -> CoreResult<()> {
    check_batch(cells, out)?;
    cells
        .par_chunks(CHUNK_CELLS)
        .zip(out.par_chunks_mut(CHUNK_CELLS))
        .for_each_init(
            || CellHasher::with_kernel(kernel),
            |hasher, (chunk, chunk_out)| hasher.hash_checked(chunk, chunk_out),
        );
    Ok(())
}

/// True when the batch engine accepts `cell` (vertex count and labels in range).
#[inline]
pub(super) fn cell_fits(cell: &Cell) -> bool {
    let n = cell.num_vertices as usize;
    n <= MAX_BATCH_VERTICES
        && cell.labels[..n]
            .iter()
            .all(|l| (MIN_LABEL..=MAX_LABEL).contains(l))
}

/// A single-threaded batch hasher with reusable scratch, for callers that already split their
/// work (one per rayon worker, e.g. with `for_each_init`).
pub struct CellHasher {
    engine: ChunkHasher,
    /// Indices of a chunk's cells grouped by vertex count (stable), and the grouped copies.
    order: Vec<u32>,
    grouped: Vec<Cell>,
    grouped_out: Vec<[u8; 16]>,
}

impl Default for CellHasher {
    fn default() -> Self {
        Self::new()
    }
}

impl CellHasher {
    /// A hasher using the widest MD5 kernel of this CPU.
    pub fn new() -> Self {
        Self::with_kernel(Kernel::detect())
    }

    /// A hasher using `kernel`.
    pub fn with_kernel(kernel: Kernel) -> Self {
        Self {
            engine: ChunkHasher::new(kernel),
            order: Vec::new(),
            grouped: Vec::new(),
            grouped_out: Vec::new(),
        }
    }

    /// Hashes `cells` into `out` on the calling thread (best with up to a few hundred cells).
    ///
    /// # Errors
    /// As [`hash_cells`].
    pub fn hash(&mut self, cells: &[Cell], out: &mut [[u8; 16]]) -> CoreResult<()> {
        check_batch(cells, out)?;
        self.hash_checked(cells, out);
        Ok(())
    }

    /// [`Self::hash`] on cells already known to fit and an `out` of the same length.
    fn hash_checked(&mut self, cells: &[Cell], out: &mut [[u8; 16]]) {
        let initial = InitialDigests::shared();
        let uniform = cells
            .windows(2)
            .all(|pair| pair[0].num_vertices == pair[1].num_vertices);
        if uniform {
            self.engine.run(cells, out, initial);
            return;
        }
        // The engine refines cells of one size together: group the chunk by vertex count
        // (counting sort, stable), hash, and put the digests back in input order.
        let mut counts = [0usize; MAX_BATCH_VERTICES + 2];
        for cell in cells {
            counts[cell.num_vertices as usize + 1] += 1;
        }
        for n in 1..counts.len() {
            counts[n] += counts[n - 1];
        }
        self.order.clear();
        self.order.resize(cells.len(), 0);
        for (i, cell) in cells.iter().enumerate() {
            let at = &mut counts[cell.num_vertices as usize];
            self.order[*at] = i as u32;
            *at += 1;
        }
        self.grouped.clear();
        self.grouped
            .extend(self.order.iter().map(|&i| cells[i as usize]));
        self.grouped_out.clear();
        self.grouped_out.resize(cells.len(), [0; 16]);
        self.engine
            .run(&self.grouped, &mut self.grouped_out, initial);
        for (&i, digest) in self.order.iter().zip(&self.grouped_out) {
            out[i as usize] = *digest;
        }
    }
}

/// One end of an edge `from -> to` of a cell, as the message writer needs it: `from` is an
/// in-neighbour of `to` and `to` an out-neighbour of `from`.
#[derive(Clone, Copy)]
struct EdgeSlots {
    /// Slots (`cell * n + vertex`) of both vertices.
    from: u32,
    to: u32,
    /// `in_mask[to]` and `out_mask[from]` of the cell.
    to_ins: u8,
    from_outs: u8,
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
    /// Per slot: bit u set when vertex u of the same cell sorts before this vertex (hash
    /// order, ties by index). Positions inside every sorted list follow from these masks.
    below: Vec<u8>,
    /// Per slot: byte offsets of the message's in-neighbour part, out-neighbour part and own
    /// hash in the message buffer.
    in_at: Vec<u32>,
    out_at: Vec<u32>,
    own_at: Vec<u32>,
    edges: Vec<EdgeSlots>,
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
            below: Vec::new(),
            in_at: Vec::new(),
            out_at: Vec::new(),
            own_at: Vec::new(),
            edges: Vec::new(),
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

    /// Lays out the messages of cells that all have `n` vertices and sets the first-round
    /// hashes; returns nothing, fills every per-slot table.
    fn layout(&mut self, cells: &[Cell], n: usize, initial: &InitialDigests) {
        let slots = cells.len() * n;
        self.keys.clear();
        self.hex.clear();
        self.lengths.clear();
        self.edges.clear();
        for (c, cell) in cells.iter().enumerate() {
            for v in 0..n {
                let (ins, outs) = (cell.in_mask[v].count_ones(), cell.out_mask[v].count_ones());
                let digest = initial.get(outs, ins, cell.labels[v]);
                self.keys.push(u128::from_be_bytes(digest));
                self.hex.push(to_hex(&digest));
                // sorted(in) + "|" + sorted(out) + "|" + own, 32 hex digits per hash.
                self.lengths.push(32 * (ins + outs + 1) as usize + 2);
                let mut successors = cell.out_mask[v];
                while successors != 0 {
                    let w = successors.trailing_zeros() as usize;
                    successors &= successors - 1;
                    self.edges.push(EdgeSlots {
                        from: (c * n + v) as u32,
                        to: (c * n + w) as u32,
                        to_ins: cell.in_mask[w],
                        from_outs: cell.out_mask[v],
                    });
                }
            }
        }
        self.messages.layout(self.lengths.iter().copied());
        self.below.clear();
        self.below.resize(slots, 0);
        self.in_at.clear();
        self.out_at.clear();
        self.own_at.clear();
        // The two separators sit at fixed places: after the in-neighbour hashes and after the
        // out-neighbour hashes. Only the hashes change from round to round.
        for (c, cell) in cells.iter().enumerate() {
            for v in 0..n {
                let slot = c * n + v;
                let ins = 32 * cell.in_mask[v].count_ones() as usize;
                let len = self.lengths[slot];
                let start = self.messages.start(slot);
                let msg = self.messages.message_mut(slot, len);
                msg[ins] = b'|';
                msg[len - 33] = b'|';
                // The buffer is a few hundred KB at most (CHUNK_CELLS), far below u32::MAX.
                self.in_at.push(start as u32);
                self.out_at.push((start + ins + 1) as u32);
                self.own_at.push((start + len - 32) as u32);
            }
        }
    }

    /// Hashes cells that all have the same vertex count.
    fn run_uniform(&mut self, cells: &[Cell], out: &mut [[u8; 16]], initial: &InitialDigests) {
        let n = cells[0].num_vertices as usize;
        self.layout(cells, n, initial);
        // A cell with V vertices is refined exactly V times.
        for _ in 0..n {
            below_masks_all(self.kernel, n, &self.keys, &mut self.below);
            let (buf, _) = self.messages.buffer_mut();
            write_messages(
                buf,
                &self.hex,
                &self.below,
                &self.in_at,
                &self.out_at,
                &self.own_at,
                &self.edges,
            );
            digest_slots(&self.messages, self.kernel, &mut self.digests);
            for ((key, hex), digest) in self.keys.iter_mut().zip(&mut self.hex).zip(&self.digests) {
                *key = u128::from_be_bytes(*digest);
                *hex = to_hex(digest);
            }
        }
        // Python's repr of the sorted list: "['h1', 'h2']" (36 bytes per hash, less the last
        // ", "; "[]" for an empty cell).
        let final_len = if n == 0 { 2 } else { 36 * n };
        self.finals
            .layout(std::iter::repeat_n(final_len, cells.len()));
        below_masks_all(self.kernel, n, &self.keys, &mut self.below);
        for c in 0..cells.len() {
            let msg = self.finals.message_mut(c, final_len);
            msg[0] = b'[';
            for (v, &mask) in self.below[c * n..c * n + n].iter().enumerate() {
                let at = 1 + 36 * POPCOUNT[mask as usize] as usize;
                msg[at] = b'\'';
                msg[at + 1..at + 33].copy_from_slice(&self.hex[c * n + v]);
                msg[at + 33] = b'\'';
            }
            for i in 0..n.saturating_sub(1) {
                msg[35 + 36 * i..37 + 36 * i].copy_from_slice(b", ");
            }
            msg[final_len - 1] = b']';
        }
        digest_slots(&self.finals, self.kernel, &mut self.digests);
        out.copy_from_slice(&self.digests);
    }
}

/// For every cell of `n` vertices (`keys` and `below` hold whole cells), `below[w]` gets bit u
/// set when vertex u of the same cell sorts before w: smaller key, or equal key and smaller
/// index (a strict order, so equal hashes still get distinct positions; their hex is the same,
/// so which goes first does not matter). Branch-free, with `n` a constant so the comparisons
/// unroll and the masks stay in registers: sorting 7 random keys with branches mispredicts
/// about every other comparison.
///
/// With [`Kernel::Avx512`] (and a CPU that has it) each cell takes a few vector compares.
pub(super) fn below_masks_all(kernel: Kernel, n: usize, keys: &[u128], below: &mut [u8]) {
    #[cfg(target_arch = "x86_64")]
    if kernel == Kernel::Avx512 && n > 0 && std::arch::is_x86_feature_detected!("avx512f") {
        // SAFETY: AVX-512F is available (checked above).
        unsafe { below_masks_avx512(n, keys, below) };
        return;
    }
    let _ = kernel;
    fn run<const N: usize>(keys: &[u128], below: &mut [u8]) {
        for (keys, below) in keys.chunks_exact(N).zip(below.chunks_exact_mut(N)) {
            let mut masks = [0u8; N];
            for w in 1..N {
                for u in 0..w {
                    let u_first = u8::from(keys[u] <= keys[w]);
                    masks[w] |= u_first << u;
                    masks[u] |= (u_first ^ 1) << w;
                }
            }
            below.copy_from_slice(&masks);
        }
    }
    match n {
        0 => {}
        1 => run::<1>(keys, below),
        2 => run::<2>(keys, below),
        3 => run::<3>(keys, below),
        4 => run::<4>(keys, below),
        5 => run::<5>(keys, below),
        6 => run::<6>(keys, below),
        7 => run::<7>(keys, below),
        _ => run::<MAX_BATCH_VERTICES>(keys, below),
    }
}

/// [`below_masks_all`] with AVX-512F: a cell's (at most 8) keys split into high and low 64-bit
/// halves across the lanes of two registers, then per vertex four unsigned compares give the
/// exact 128-bit order.
///
/// # Safety
/// The CPU must support AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn below_masks_avx512(n: usize, keys: &[u128], below: &mut [u8]) {
    use std::arch::x86_64::*;
    debug_assert!((1..=MAX_BATCH_VERTICES).contains(&n));
    // u128 is stored low half first on x86-64: u64 lane 2k is key k's low half, 2k + 1 its high.
    let low_lanes = _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14);
    let high_lanes = _mm512_setr_epi64(1, 3, 5, 7, 9, 11, 13, 15);
    let halves = (2 * n) as u32;
    let first_mask: __mmask8 = ((1u32 << halves.min(8)) - 1) as u8;
    let second_mask: __mmask8 = ((1u32 << halves.saturating_sub(8)) - 1) as u8;
    for (keys, below) in keys.chunks_exact(n).zip(below.chunks_exact_mut(n)) {
        let base = keys.as_ptr().cast::<i64>();
        // SAFETY: masked-off lanes are neither read nor able to fault; the enabled lanes are
        // the 2n halves of this cell's n keys.
        let (first, second) = unsafe {
            (
                _mm512_maskz_loadu_epi64(first_mask, base),
                _mm512_maskz_loadu_epi64(second_mask, base.add(8)),
            )
        };
        let low = _mm512_permutex2var_epi64(first, low_lanes, second);
        let high = _mm512_permutex2var_epi64(first, high_lanes, second);
        for (w, (mask, &key)) in below.iter_mut().zip(keys).enumerate() {
            let key_high = _mm512_set1_epi64((key >> 64) as u64 as i64);
            let key_low = _mm512_set1_epi64(key as u64 as i64);
            let high_less = _mm512_cmplt_epu64_mask(high, key_high);
            let high_equal = _mm512_cmpeq_epu64_mask(high, key_high);
            let low_less = _mm512_mask_cmplt_epu64_mask(high_equal, low, key_low);
            let equal = _mm512_mask_cmpeq_epu64_mask(high_equal, low, key_low);
            let earlier = ((1u32 << w) - 1) as u8;
            let inside = ((1u32 << n) - 1) as u8;
            *mask = (high_less | low_less | (equal & earlier)) & inside;
        }
    }
}

/// Set bits of every byte value (x86-64's baseline has no `popcnt` instruction, and the
/// portable bit-trick costs a dozen instructions per edge end).
pub(super) const POPCOUNT: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = (byte as u8).count_ones() as u8;
        byte += 1;
    }
    table
};

/// Writes the hashes of every vertex message (`sorted(in) | sorted(out) | own`, separators
/// already in place) of one round.
///
/// Every edge `from -> to` puts `from`'s hash in `to`'s in-neighbour list, at the position
/// given by how many of `to`'s in-neighbours sort before `from`, and `to`'s hash in `from`'s
/// out-neighbour list likewise: one 32-byte copy per edge end, no sorting, no branches.
#[inline]
fn write_messages(
    buf: &mut [u8],
    hex: &[[u8; 32]],
    below: &[u8],
    in_at: &[u32],
    out_at: &[u32],
    own_at: &[u32],
    edges: &[EdgeSlots],
) {
    for (&at, hash) in own_at.iter().zip(hex) {
        let at = at as usize;
        buf[at..at + 32].copy_from_slice(hash);
    }
    for edge in edges {
        let (from, to) = (edge.from as usize, edge.to as usize);
        let at = in_at[to] as usize + 32 * POPCOUNT[(edge.to_ins & below[from]) as usize] as usize;
        buf[at..at + 32].copy_from_slice(&hex[from]);
        let at =
            out_at[from] as usize + 32 * POPCOUNT[(edge.from_outs & below[to]) as usize] as usize;
        buf[at..at + 32].copy_from_slice(&hex[to]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nb101::test_cells::{reference, SplitMix, INCEPTION};

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
        let inception = INCEPTION;
        assert_eq!(
            hex_of(7, &inception, &[-1, 1, 0, 0, 0, 2, -2]),
            "28cfc7874f6d200472e1a9dcd8650aa0"
        );
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
    fn below_masks_give_the_sorted_positions() {
        let mut rng = SplitMix(9);
        for n in 0..=MAX_BATCH_VERTICES {
            for _ in 0..200 {
                // Few distinct halves, so ties are common in the high half, the low half and
                // the whole key.
                let keys: Vec<u128> = (0..3 * n)
                    .map(|_| u128::from(rng.next() % 3) << 100 | u128::from(rng.next() % 3) << 7)
                    .collect();
                let mut below = vec![0u8; keys.len()];
                let mut per_kernel = Vec::new();
                for kernel in Kernel::available() {
                    below_masks_all(kernel, n, &keys, &mut below);
                    per_kernel.push(below.clone());
                }
                assert!(per_kernel.iter().all(|b| *b == below), "kernels differ");
                for (cell_keys, cell_below) in keys.chunks(n.max(1)).zip(below.chunks(n.max(1))) {
                    let mut order: Vec<usize> = (0..cell_keys.len()).collect();
                    order.sort_by_key(|&v| (cell_keys[v], v));
                    for (rank, &v) in order.iter().enumerate() {
                        let expected: u8 = order[..rank].iter().map(|&u| 1u8 << u).sum();
                        assert_eq!(cell_below[v], expected, "n {n}, keys {cell_keys:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn hex_forms_agree_on_every_byte_value() {
        let mut rng = SplitMix(5);
        let mut digests: Vec<[u8; 16]> = (0..16u8)
            .map(|i| std::array::from_fn(|j| i * 16 + j as u8))
            .collect();
        digests.extend((0..1000).map(|_| std::array::from_fn(|_| rng.next() as u8)));
        for digest in &digests {
            let expected: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(to_hex(digest), to_hex_table(digest));
            assert_eq!(to_hex_string(digest), expected);
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
