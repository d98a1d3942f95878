//! One bzip2 Huffman table: canonical codes of 1..=20 bits over up to 258 symbols, decoded
//! by one lookup of the next [`FAST_BITS`] bits, and for the rare longer codes a scan of the
//! per-length bounds.

use super::bits::BitReader;

/// Bits of the direct lookup: 1,024 two-byte entries (2 KiB per table, six per block).
const FAST_BITS: u32 = 10;
/// The longest code bzip2 allows.
pub(super) const MAX_CODE_LEN: u32 = 20;
/// RUNA, RUNB, up to 255 move-to-front positions and the end-of-block symbol.
pub(super) const MAX_SYMBOLS: usize = 258;

pub(super) struct Table {
    /// `symbol << 5 | length` for codes of at most `FAST_BITS` bits; 0 for a longer code or
    /// a bit pattern no code starts (an incomplete code).
    fast: [u16; 1 << FAST_BITS],
    /// Per length: every code of that length or shorter, left-aligned in 32 bits, is below
    /// this bound (u64: the bound of a complete code's longest length is 2^32).
    limit: [u64; MAX_CODE_LEN as usize + 1],
    /// Per length: the first canonical code of that length.
    first: [u32; MAX_CODE_LEN as usize + 1],
    /// Per length: the position in `perm` of its first symbol.
    offset: [u16; MAX_CODE_LEN as usize + 1],
    /// Symbols ordered by (code length, symbol): canonical code order.
    perm: [u16; MAX_SYMBOLS],
    max_len: u32,
}

impl Default for Table {
    fn default() -> Self {
        Table {
            fast: [0; 1 << FAST_BITS],
            limit: [0; MAX_CODE_LEN as usize + 1],
            first: [0; MAX_CODE_LEN as usize + 1],
            offset: [0; MAX_CODE_LEN as usize + 1],
            perm: [0; MAX_SYMBOLS],
            max_len: 0,
        }
    }
}

impl Table {
    /// Builds the canonical code of `lengths` (each 1..=20, at most [`MAX_SYMBOLS`]).
    ///
    /// Lengths that over-subscribe the code space (Kraft sum > 1, no encoder writes them)
    /// are decoded as libbzip2 does, which does not check: codes are numbered on regardless,
    /// and the ones that no longer fit their length can never be read.
    pub(super) fn build(&mut self, lengths: &[u8]) {
        let mut count = [0u16; MAX_CODE_LEN as usize + 1];
        for &len in lengths {
            count[len as usize] += 1;
        }
        let mut next = [0u16; MAX_CODE_LEN as usize + 1];
        let mut at = 0u16;
        let mut code = 0u64;
        self.max_len = 0;
        for len in 1..=MAX_CODE_LEN as usize {
            self.offset[len] = at;
            next[len] = at;
            at += count[len];
            self.first[len] = code as u32;
            code += u64::from(count[len]);
            self.limit[len] = code << (32 - len);
            if count[len] > 0 {
                self.max_len = len as u32;
            }
            code <<= 1;
        }
        for (symbol, &len) in lengths.iter().enumerate() {
            let slot = &mut next[len as usize];
            self.perm[*slot as usize] = symbol as u16;
            *slot += 1;
        }
        self.fast.fill(0);
        let short = 1..=FAST_BITS.min(self.max_len) as usize;
        for (len, &n) in short.clone().zip(&count[short]) {
            let start = self.offset[len] as usize;
            let symbols = &self.perm[start..start + n as usize];
            let span = 1usize << (FAST_BITS as usize - len);
            for (rank, &symbol) in symbols.iter().enumerate() {
                let code = self.first[len] as usize + rank;
                let Some(slots) = self.fast.get_mut(code * span..(code + 1) * span) else {
                    break; // over-subscribed: this code and the rest do not fit
                };
                slots.fill((symbol << 5) | len as u16);
            }
        }
    }

    /// Decodes one symbol, or `None` for bits that start no code (an incomplete table).
    #[inline]
    pub(super) fn decode(&self, bits: &mut BitReader<'_>) -> Option<u16> {
        bits.need(MAX_CODE_LEN);
        let window = bits.peek32();
        let entry = self.fast[(window >> (32 - FAST_BITS)) as usize];
        if entry != 0 {
            bits.consume(u32::from(entry & 31));
            return Some(entry >> 5);
        }
        self.decode_long(bits, window)
    }

    #[cold]
    fn decode_long(&self, bits: &mut BitReader<'_>, window: u32) -> Option<u16> {
        for len in FAST_BITS + 1..=self.max_len {
            if u64::from(window) < self.limit[len as usize] {
                let rank = (window >> (32 - len)) - self.first[len as usize];
                let symbol = self.perm[self.offset[len as usize] as usize + rank as usize];
                bits.consume(len);
                return Some(symbol);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes MSB-first bits.
    fn pack(codes: &[(u32, u32)]) -> Vec<u8> {
        let mut out = Vec::new();
        let (mut acc, mut n) = (0u64, 0u32);
        for &(code, len) in codes {
            acc = (acc << len) | u64::from(code);
            n += len;
            while n >= 8 {
                out.push((acc >> (n - 8)) as u8);
                n -= 8;
            }
        }
        if n > 0 {
            out.push((acc << (8 - n)) as u8);
        }
        out.extend([0; 8]);
        out
    }

    #[test]
    fn canonical_codes_short_and_long() {
        // Lengths 1, 2, 3 ... 19, 20, 20: complete, with codes on both sides of FAST_BITS.
        let mut lengths: Vec<u8> = (1..=20).collect();
        lengths.push(20);
        let mut table = Table::default();
        table.build(&lengths);
        // Canonical: symbol s < 20 has length s+1 and code 2^(s+1) - 2 (s ones then a zero).
        let mut codes: Vec<(u32, u32)> = (0..20u32).map(|s| ((1 << (s + 1)) - 2, s + 1)).collect();
        codes.push(((1 << 20) - 1, 20));
        let order: Vec<usize> = (0..21).rev().chain(0..21).collect();
        let data = pack(&order.iter().map(|&s| codes[s]).collect::<Vec<_>>());
        let mut bits = BitReader::new(&data, 0);
        for &s in &order {
            assert_eq!(table.decode(&mut bits), Some(s as u16));
        }
    }

    #[test]
    fn incomplete_and_oversubscribed() {
        let mut table = Table::default();
        table.build(&[2, 2, 2]); // code 11 is unused
        let data = pack(&[(2, 2), (3, 2)]);
        let mut bits = BitReader::new(&data, 0);
        assert_eq!(table.decode(&mut bits), Some(2));
        assert_eq!(table.decode(&mut bits), None);
        // Over-subscribed, as libbzip2 reads it: 0 is symbol 3, 10 and 11 symbols 0 and 1;
        // symbol 2 (code 100 of two bits) cannot be read.
        table.build(&[2, 2, 2, 1]);
        let data = pack(&[(3, 2), (0, 1), (2, 2)]);
        let mut bits = BitReader::new(&data, 0);
        assert_eq!(table.decode(&mut bits), Some(1));
        assert_eq!(table.decode(&mut bits), Some(3));
        assert_eq!(table.decode(&mut bits), Some(0));
        // Past the fast table: lengths 1..=10 leave two 11-bit codes for five symbols.
        let lengths: Vec<u8> = (1..=10).chain([11; 5]).collect();
        table.build(&lengths);
        let data = pack(&[(2047, 11), (2046, 11), (0, 1)]);
        let mut bits = BitReader::new(&data, 0);
        assert_eq!(table.decode(&mut bits), Some(11));
        assert_eq!(table.decode(&mut bits), Some(10));
        assert_eq!(table.decode(&mut bits), Some(0));
    }
}
