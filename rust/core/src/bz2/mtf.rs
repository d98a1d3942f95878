//! The move-to-front list of the entropy stage: positions 0..16 as two `u64` words in
//! registers (little-endian bytes), so the common small moves are a few shifts (one word for
//! `p < 8`, two for `p < 16`), and positions 16..256 as a byte array moved by one `memmove`
//! (on the NATS files about half the moves land there, spread evenly: a loop of word shifts
//! mispredicts its trip count; the vector `memmove` is ~10% faster overall, #14).

pub(super) struct MoveToFront {
    /// Positions 0..8 (byte `i` at bits `8 i`): the most used ones, kept apart so that the
    /// common small moves are a few 64-bit register operations.
    head: u64,
    /// Positions 8..16.
    second: u64,
    /// Positions 16..256 (position `16 + i` at index `i`).
    far: [u8; 240],
}

impl MoveToFront {
    /// The list holding `bytes` in order (at most 256), zeros after.
    pub(super) fn new(bytes: &[u8]) -> Self {
        let mut flat = [0u8; 256];
        flat[..bytes.len()].copy_from_slice(bytes);
        let mut far = [0u8; 240];
        far.copy_from_slice(&flat[16..]);
        let word = |at: usize| {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(&flat[at..at + 8]);
            u64::from_le_bytes(bytes)
        };
        MoveToFront {
            head: word(0),
            second: word(8),
            far,
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

    /// The move of a position in 16..256 (`position - 16` indexes `far`, < 240).
    #[inline]
    fn move_far(&mut self, position: usize) -> u8 {
        let at = position - 16;
        let byte = self.far[at];
        self.far.copy_within(0..at, 1);
        self.far[0] = (self.second >> 56) as u8;
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
            _ => self.far[i - 16],
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
