//! One block's entropy stage: symbol map, Huffman tables and selectors, then the
//! Huffman-coded move-to-front / RUNA-RUNB symbols, written as bytes into the low byte of
//! `tt` (the inverse BWT puts its links in the upper 24 bits, see [`super::output`]).

use super::bits::BitReader;
use super::huffman::{Table, MAX_CODE_LEN, MAX_SYMBOLS};
use super::mtf::MoveToFront;

/// Symbols per selector group.
const GROUP: usize = 50;
/// Selectors libbzip2 keeps: enough for a 900k block; more are read and ignored (as
/// libbzip2 1.0.8 does, for encoders that emit extra ones).
const MAX_SELECTORS: usize = 2 + 900_000 / GROUP;

/// The first byte a randomised block changes (0-based).
const FIRST_RANDOMISED_BYTE: usize = 617;

/// The decoded entropy stage of one block.
pub(super) struct Block {
    /// Bytes before the inverse BWT.
    pub(super) len: usize,
    /// Row of the original string in the sorted rotations.
    pub(super) orig_ptr: usize,
    /// Occurrences of each byte value in the block.
    pub(super) counts: [u32; 256],
}

/// Reusable per-block state (tables are 2.6 KiB each; selectors up to 18 kB).
pub(super) struct EntropyDecoder {
    tables: Vec<Table>,
    selectors: Vec<u8>,
}

impl Default for EntropyDecoder {
    fn default() -> Self {
        EntropyDecoder {
            tables: (0..6).map(|_| Table::default()).collect(),
            selectors: Vec::with_capacity(MAX_SELECTORS),
        }
    }
}

impl EntropyDecoder {
    /// Reads one block after its magic and CRC, leaving its bytes in `tt[..len]`.
    /// `tt` has room for the stream's block size; a block that overflows it is corrupt.
    pub(super) fn read(
        &mut self,
        bits: &mut BitReader<'_>,
        tt: &mut [u32],
    ) -> Result<Block, &'static str> {
        let randomised = bits.bit();
        let orig_ptr = bits.bits(24) as usize;

        // Which byte values occur: 16 flags, then 16 flags per flagged range.
        let mut seq_to_byte = [0u8; 256];
        let mut in_use = 0usize;
        let ranges = bits.bits(16);
        for range in 0..16 {
            if ranges & (0x8000 >> range) != 0 {
                let flags = bits.bits(16);
                for low in 0..16 {
                    if flags & (0x8000 >> low) != 0 {
                        seq_to_byte[in_use] = (range * 16 + low) as u8;
                        in_use += 1;
                    }
                }
            }
        }
        if in_use == 0 {
            return Err("block uses no byte values");
        }
        let alphabet = in_use + 2;

        let groups = bits.bits(3) as usize;
        if !(2..=6).contains(&groups) {
            return Err("number of Huffman tables not in 2..=6");
        }
        let n_selectors = bits.bits(15) as usize;
        if n_selectors == 0 {
            return Err("no selectors");
        }
        let mut order = [0u8, 1, 2, 3, 4, 5];
        self.selectors.clear();
        for i in 0..n_selectors {
            let mut j = 0usize;
            while bits.bit() {
                j += 1;
                if j >= groups {
                    return Err("selector names a missing table");
                }
            }
            let table = order[j];
            order.copy_within(0..j, 1);
            order[0] = table;
            if i < MAX_SELECTORS {
                self.selectors.push(table);
            }
        }

        // Code lengths: a 5-bit start, then per symbol a delta coded 10 (+1) / 11 (-1) / 0 (end).
        let mut lengths = [0u8; MAX_SYMBOLS];
        for table in &mut self.tables[..groups] {
            let mut len = bits.bits(5);
            for slot in &mut lengths[..alphabet] {
                loop {
                    if !(1..=MAX_CODE_LEN).contains(&len) {
                        return Err("Huffman code length not in 1..=20");
                    }
                    if !bits.bit() {
                        break;
                    }
                    if bits.bit() {
                        len -= 1;
                    } else {
                        len += 1;
                    }
                }
                *slot = len as u8;
            }
            table.build(&lengths[..alphabet]);
        }

        // A local copy of the reader: kept in registers through the hot loop.
        let mut local = bits.clone();
        let symbols = self.symbols(&mut local, tt, &seq_to_byte[..in_use]);
        *bits = local;
        let (len, counts) = symbols?;
        if orig_ptr >= len {
            return Err("BWT origin pointer outside the block");
        }
        // Randomised blocks (bzip2 0.9.0 and older) flip bits at pseudo-random positions, the
        // first at byte 617: shorter ones decode as plain blocks, longer ones are refused.
        if randomised && len > FIRST_RANDOMISED_BYTE {
            return Err("randomised block (written by bzip2 0.9.0 or older): not supported");
        }
        Ok(Block {
            len,
            orig_ptr,
            counts,
        })
    }

    /// Decodes the symbols up to end-of-block into `tt`: returns the block length and counts.
    #[inline(always)]
    fn symbols(
        &self,
        bits: &mut BitReader<'_>,
        tt: &mut [u32],
        seq_to_byte: &[u8],
    ) -> Result<(usize, [u32; 256]), &'static str> {
        let end_of_block = seq_to_byte.len() as u16 + 1;
        let mut mtf = MoveToFront::new(seq_to_byte);
        let mut counts = [0u32; 256];
        let mut n = 0usize;
        // RUNA/RUNB digits of a pending run: bijective base 2, least significant first.
        let mut run = 0usize;
        let mut digit = 1usize;
        for &selector in &self.selectors {
            let table = &self.tables[selector as usize];
            for _ in 0..GROUP {
                let symbol = table
                    .decode(bits)
                    .ok_or("bits that start no Huffman code")?;
                if symbol <= 1 {
                    // libbzip2's bound: no legal run has 21 digits (2^21 > 900k).
                    if digit >= 1 << 21 {
                        return Err("run longer than a block");
                    }
                    run += digit << symbol;
                    digit <<= 1;
                    continue;
                }
                if run > 0 {
                    let byte = mtf.front();
                    let end = n + run;
                    let Some(slots) = tt.get_mut(n..end) else {
                        return Err("block longer than its header's block size");
                    };
                    slots.fill(u32::from(byte));
                    counts[byte as usize] += run as u32;
                    n = end;
                    run = 0;
                    digit = 1;
                }
                if symbol == end_of_block {
                    return Ok((n, counts));
                }
                // Move-to-front position symbol - 1 (< the alphabet by construction).
                let byte = mtf.move_to_front(symbol as usize - 1);
                let Some(slot) = tt.get_mut(n) else {
                    return Err("block longer than its header's block size");
                };
                *slot = u32::from(byte);
                counts[byte as usize] += 1;
                n += 1;
            }
        }
        Err("selectors ran out before end of block")
    }
}
