//! Most-significant-bit-first reader over the whole input, as bzip2 packs its bits.

/// Bits of `data` from a byte position on. Past the end it reads zeros and remembers it:
/// [`BitReader::overrun`] tells a truncated stream from a corrupt one.
#[derive(Clone)]
pub(super) struct BitReader<'a> {
    data: &'a [u8],
    /// Next byte to load (may pass `data.len()` by the zero bytes read past the end).
    pos: usize,
    /// Loaded bits, left-aligned: the next bit is bit 63. Bits below the `count` valid ones
    /// are either zero or the true following bits (an eight-byte load may bring more than it
    /// counts; reloading them later ORs in the same values).
    buf: u64,
    count: u32,
}

impl<'a> BitReader<'a> {
    pub(super) fn new(data: &'a [u8], pos: usize) -> Self {
        BitReader {
            data,
            pos,
            buf: 0,
            count: 0,
        }
    }

    /// Loads whole bytes until at least 57 bits are valid.
    #[inline]
    pub(super) fn refill(&mut self) {
        if let Some(window) = self.data.get(self.pos..self.pos + 8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(window);
            self.buf |= u64::from_be_bytes(word) >> self.count;
            let bytes = (63 - self.count) >> 3;
            self.pos += bytes as usize;
            self.count += bytes << 3;
        } else {
            while self.count <= 56 {
                let byte = self.data.get(self.pos).copied().unwrap_or(0);
                self.buf |= u64::from(byte) << (56 - self.count);
                self.pos += 1;
                self.count += 8;
            }
        }
    }

    /// Makes at least `n` (<= 57) bits valid.
    #[inline]
    pub(super) fn need(&mut self, n: u32) {
        if self.count < n {
            self.refill();
        }
    }

    /// The next 32 bits (only the valid ones are meaningful; call [`Self::need`] first).
    #[inline]
    pub(super) fn peek32(&self) -> u32 {
        (self.buf >> 32) as u32
    }

    /// Drops `n` (<= the valid count) bits.
    #[inline]
    pub(super) fn consume(&mut self, n: u32) {
        self.buf <<= n;
        self.count -= n;
    }

    /// Reads `n` bits (1..=32) as an unsigned number.
    #[inline]
    pub(super) fn bits(&mut self, n: u32) -> u32 {
        self.need(n);
        let value = (self.buf >> (64 - n)) as u32;
        self.consume(n);
        value
    }

    #[inline]
    pub(super) fn bit(&mut self) -> bool {
        self.bits(1) == 1
    }

    /// Bits consumed from the start of `data`.
    pub(super) fn position(&self) -> u64 {
        self.pos as u64 * 8 - u64::from(self.count)
    }

    /// True once more bits were consumed than the input holds.
    pub(super) fn overrun(&self) -> bool {
        self.position() > self.data.len() as u64 * 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_across_loads_and_past_the_end() {
        let data: Vec<u8> = (0..20u8).map(|i| i.wrapping_mul(37) ^ 0x5a).collect();
        let mut bits = BitReader::new(&data, 1);
        // Odd widths walk every alignment; the last reads run past the 19 bytes left (the
        // u128s keep the last 128 bits read).
        let widths = [3u32, 17, 1, 32, 9, 24, 5, 13, 31, 2, 7, 32];
        let mut got = 0u128;
        for width in widths {
            got = (got << width) | u128::from(bits.bits(width));
        }
        let total: u32 = widths.iter().sum();
        let mut reference = 0u128;
        for i in 0..total as usize {
            let byte = data.get(1 + i / 8).copied().unwrap_or(0);
            reference = (reference << 1) | u128::from((byte >> (7 - i % 8)) & 1);
        }
        assert_eq!(got, reference);
        assert_eq!(bits.position(), 8 + u64::from(total));
        assert!(bits.overrun());
    }
}
