//! The bounds every parse enforces (issue #13): each one fails with
//! [`super::ErrorKind::LimitExceeded`] before memory or time run out.

/// Resource bounds of one parse. The defaults fit the largest official files (a NATS-Bench
/// per-architecture file is ~0.3 MB / ~50,000 objects; the NAS-HPO-Bench-II `bench12.pkl` some
/// tens of MB) with a wide margin; callers tighten or loosen them per file kind.
///
/// Memory is linear in the input: every object, memo entry and container slot costs at least
/// one input byte, and the parser spends about 50 bytes per object (node, metadata, final
/// walk), so `max_input_bytes` bounds the rest. Copies made by allowed globals (`bytearray(b)`, `set(list)`, NumPy array
/// data, decoded NumPy strings) may total at most the input's size plus 1 MiB, so fetching one
/// large object from the memo again and again cannot multiply memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Distinct memo indices stored (`PUT`/`MEMOIZE`). Indices themselves may be any `u32`:
    /// sparse ones live in a map, so `LONG_BINPUT 2**27` costs one entry.
    pub max_memo_entries: usize,
    /// Objects plus marks on the unpickler stack.
    pub max_stack_depth: usize,
    /// Items of one tuple, list, set or dict (pairs).
    pub max_container_len: usize,
    /// Bytes of one str, bytes or bytearray (and of a NumPy array's raw data).
    pub max_str_len: usize,
    /// Objects created (including the globals, argument tuples and dtypes of NumPy values).
    pub max_total_objects: usize,
    /// Decimal digits of one `LONG1`/`LONG4` integer (estimated from its byte count, as
    /// `ceil(8 * bytes * log10(2))`); 4,300 is CPython's `int` string-conversion default.
    pub max_int_digits: usize,
    /// Nesting depth of containers reachable from the result (a flat list of scalars is 1).
    /// Bounds what Python's recursive `hash`/`repr`/`==` would meet on attacker-built data.
    pub max_nesting: usize,
    /// Bytes of a plain pickle file, and of the decompressed stream of a bz2 one.
    pub max_input_bytes: u64,
    /// Decompressed bytes per compressed byte of a bz2 file, once past `bz2_ratio_floor`.
    pub max_bz2_ratio: u64,
    /// Decompressed bytes always allowed whatever the ratio (small files compress unevenly).
    pub bz2_ratio_floor: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_memo_entries: 1 << 24,
            max_stack_depth: 1 << 20,
            max_container_len: 1 << 26,
            max_str_len: 1 << 28,
            max_total_objects: 1 << 26,
            max_int_digits: 4300,
            max_nesting: 256,
            max_input_bytes: 1 << 31,
            // The real NATS meta files compress 39:1, the per-architecture files ~4:1.
            max_bz2_ratio: 200,
            bz2_ratio_floor: 1 << 20,
        }
    }
}

impl Limits {
    /// The decompressed-size cap of a bz2 file of `compressed_len` bytes.
    pub fn bz2_cap(&self, compressed_len: u64) -> u64 {
        compressed_len
            .saturating_mul(self.max_bz2_ratio)
            .max(self.bz2_ratio_floor)
            .min(self.max_input_bytes)
    }
}
