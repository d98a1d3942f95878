//! The move-to-front list of the entropy stage: 256 bytes as sixteen `u128` words (byte
//! `i` of the list is byte `i % 16` of word `i / 16`, little-endian), so moving position `p`
//! to the front is `p / 16 + 1` word shifts in registers instead of a `memmove` call.

pub(super) struct MoveToFront {
    words: [u128; 16],
}

impl MoveToFront {
    /// The list holding `bytes` in order (at most 256), zeros after.
    pub(super) fn new(bytes: &[u8]) -> Self {
        let mut flat = [0u8; 256];
        flat[..bytes.len()].copy_from_slice(bytes);
        let mut words = [0u128; 16];
        for (word, chunk) in words.iter_mut().zip(flat.chunks_exact(16)) {
            let mut bytes = [0u8; 16];
            bytes.copy_from_slice(chunk);
            *word = u128::from_le_bytes(bytes);
        }
        MoveToFront { words }
    }

    /// The byte at the front.
    #[inline]
    pub(super) fn front(&self) -> u8 {
        self.words[0] as u8
    }

    /// Removes the byte at `position` (< 256), puts it at the front and returns it.
    #[inline]
    pub(super) fn move_to_front(&mut self, position: usize) -> u8 {
        let w = (position >> 4) & 15;
        let shift = (position & 15) * 8;
        let word = self.words[w];
        let byte = (word >> shift) as u8;
        // Bytes above `position` stay; the ones below move up one byte.
        let below_and_at = if shift == 120 {
            u128::MAX
        } else {
            (1u128 << (shift + 8)) - 1
        };
        let carry = if w == 0 {
            u128::from(byte)
        } else {
            self.words[w - 1] >> 120
        };
        self.words[w] = (word & !below_and_at) | ((word << 8) & below_and_at) | carry;
        for k in (1..w).rev() {
            self.words[k] = (self.words[k] << 8) | (self.words[k - 1] >> 120);
        }
        if w > 0 {
            self.words[0] = (self.words[0] << 8) | u128::from(byte);
        }
        byte
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
                1 => 15 + (state >> 16) as usize % 3,
                _ => (state >> 16) as usize % 256,
            };
            let byte = plain.remove(position);
            plain.insert(0, byte);
            assert_eq!(fast.move_to_front(position), byte, "step {step}");
            assert_eq!(fast.front(), plain[0]);
        }
        let mut check = MoveToFront::new(&plain);
        for (i, _) in plain.iter().enumerate() {
            assert_eq!(
                check.words[i / 16].to_le_bytes()[i % 16],
                fast.words[i / 16].to_le_bytes()[i % 16]
            );
        }
        let _ = &mut check;
    }
}
