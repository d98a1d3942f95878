//! The move-to-front list of the entropy stage: 256 bytes as two `u64` words (positions
//! 0..16) and fifteen `u128` words (little-endian bytes), so moving position `p` to the front
//! is a few word shifts in registers instead of a `memmove` call: one `u64` for `p < 8`,
//! two for `p < 16` (most moves on the NATS files), `p / 16 + 2` words beyond.

pub(super) struct MoveToFront {
    /// Positions 0..8 (byte `i` at bits `8 i`): the most used ones, kept apart so that the
    /// common small moves are a few 64-bit register operations.
    head: u64,
    /// Positions 8..16.
    second: u64,
    /// Positions 16..256: word `k` holds positions `16 (k + 1)..16 (k + 2)` (one spare word:
    /// the index mask needs no bounds check).
    rest: [u128; 16],
}

impl MoveToFront {
    /// The list holding `bytes` in order (at most 256), zeros after.
    pub(super) fn new(bytes: &[u8]) -> Self {
        let mut flat = [0u8; 256];
        flat[..bytes.len()].copy_from_slice(bytes);
        let mut rest = [0u128; 16];
        for (word, chunk) in rest.iter_mut().zip(flat[16..].chunks_exact(16)) {
            let mut bytes = [0u8; 16];
            bytes.copy_from_slice(chunk);
            *word = u128::from_le_bytes(bytes);
        }
        let word = |at: usize| {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(&flat[at..at + 8]);
            u64::from_le_bytes(bytes)
        };
        MoveToFront {
            head: word(0),
            second: word(8),
            rest,
        }
    }

    /// The byte at the front.
    #[inline]
    pub(super) fn front(&self) -> u8 {
        self.head as u8
    }

    /// Removes the byte at `position` (< 256), puts it at the front and returns it.
    #[inline]
    pub(super) fn move_to_front(&mut self, position: usize) -> u8 {
        if position < 8 {
            // Bytes above `position` stay; the ones below move up one byte.
            let shift = position * 8;
            let byte = (self.head >> shift) as u8;
            let below_and_at = u64::MAX >> (56 - shift);
            self.head =
                (self.head & !below_and_at) | ((self.head << 8) & below_and_at) | u64::from(byte);
            return byte;
        }
        if position < 16 {
            let shift = (position - 8) * 8;
            let byte = (self.second >> shift) as u8;
            let below_and_at = u64::MAX >> (56 - shift);
            self.second = (self.second & !below_and_at)
                | ((self.second << 8) & below_and_at)
                | (self.head >> 56);
            self.head = (self.head << 8) | u64::from(byte);
            return byte;
        }
        self.move_far(position)
    }

    #[inline]
    fn move_far(&mut self, position: usize) -> u8 {
        let w = ((position >> 4) - 1) & 15;
        let shift = (position & 15) * 8;
        let word = self.rest[w];
        let byte = (word >> shift) as u8;
        let below_and_at = u128::MAX >> (120 - shift);
        let carry = if w == 0 {
            u128::from(self.second >> 56)
        } else {
            self.rest[w - 1] >> 120
        };
        self.rest[w] = (word & !below_and_at) | ((word << 8) & below_and_at) | carry;
        for k in (1..w).rev() {
            self.rest[k] = (self.rest[k] << 8) | (self.rest[k - 1] >> 120);
        }
        if w > 0 {
            self.rest[0] = (self.rest[0] << 8) | u128::from(self.second >> 56);
        }
        self.second = (self.second << 8) | (self.head >> 56);
        self.head = (self.head << 8) | u64::from(byte);
        byte
    }

    /// Byte `i` of the list (tests).
    #[cfg(test)]
    fn at(&self, i: usize) -> u8 {
        match i {
            0..8 => (self.head >> (8 * i)) as u8,
            8..16 => (self.second >> (8 * (i - 8))) as u8,
            _ => self.rest[i / 16 - 1].to_le_bytes()[i % 16],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_plain_list() {
        let start: Vec<u8> = (0..=255u8).rev().collect();
        let mut fast = MoveToFront::new(&start);
        let mut plain = start.clone();
        let mut state = 12345u32;
        for step in 0..5000 {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let position = match step % 4 {
                0 => (state >> 16) as usize % 16,
                1 => 7 + (state >> 16) as usize % 11,
                _ => (state >> 16) as usize % 256,
            };
            let byte = plain.remove(position);
            plain.insert(0, byte);
            assert_eq!(fast.move_to_front(position), byte, "step {step}");
            assert_eq!(fast.front(), plain[0]);
        }
        for (i, &byte) in plain.iter().enumerate() {
            assert_eq!(fast.at(i), byte, "position {i}");
        }
    }
}
