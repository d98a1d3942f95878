//! One block's bytes out: inverse Burrows-Wheeler transform, then the initial run-length
//! code (four equal bytes and a count byte) undone into the output.

use super::block::Block;

/// Why a block's output stopped.
pub(super) enum OutputError {
    /// The output would pass the caller's cap.
    Cap,
    /// Corrupt: the block ends inside a run (four equal bytes without their count).
    RunWithoutCount,
}

/// Blocks up to this many bytes invert with two chains (8 bytes a byte, 1.3 MB at most, inside
/// a 2 MB L2 cache); larger ones with one (4 bytes a byte): measured on the real NATS files
/// (#14), two chains saved ~6% on the 83 kB size files but cost ~15% on the 325 kB topology
/// files, whose 2.6 MB of links no longer fit.
pub(super) const TWO_CHAINS_MAX: usize = 160_000;

/// Inverts the BWT of `tt[..block.len]` (bytes in the low byte) into `walk`.
///
/// The walk is a chain of dependent loads, so its speed is the cache latency. Each link sits
/// in the upper 24 bits of the word whose low byte is the char it leads to (libbzip2's "fast"
/// layout): one 4-byte load per output byte. Small blocks run two chains interleaved to
/// overlap their misses: forwards from the start of the text through the successor links
/// (`tt`) and backwards from its end through the LF mapping (`lf`), half the block each.
/// Large blocks walk the LF mapping alone, built in place in `tt` by one sequential pass (no
/// scattered writes).
pub(super) fn inverse_bwt(block: &Block, tt: &mut [u32], lf: &mut [u32], walk: &mut Vec<u8>) {
    let n = block.len;
    let tt = &mut tt[..n];
    let mut next = [0u32; 256];
    let mut sum = 0u32;
    for (slot, &count) in next.iter_mut().zip(&block.counts) {
        *slot = sum;
        sum += count;
    }
    walk.clear();
    walk.resize(n, 0);
    // Row LF(i) of the i-th last-column byte is its rank among equal bytes plus the count of
    // smaller bytes. Runs of one byte (common after a BWT) keep their rank in a register.
    if n > TWO_CHAINS_MAX {
        let mut i = 0;
        while i < n {
            let byte = tt[i] & 0xff;
            let mut row = next[byte as usize];
            while i < n && tt[i] & 0xff == byte {
                tt[i] = (row << 8) | byte;
                row += 1;
                i += 1;
            }
            next[byte as usize] = row;
        }
        let mut link = block.orig_ptr as u32;
        for slot in walk.iter_mut().rev() {
            let word = tt[link as usize];
            *slot = word as u8;
            link = word >> 8;
        }
        return;
    }
    let lf = &mut lf[..n];
    let mut i = 0;
    while i < n {
        let byte = tt[i] & 0xff;
        let mut row = next[byte as usize];
        while i < n && tt[i] & 0xff == byte {
            tt[row as usize] |= (i as u32) << 8;
            lf[i] = (row << 8) | byte;
            row += 1;
            i += 1;
        }
        next[byte as usize] = row;
    }
    let half = n / 2;
    let (front, back) = walk.split_at_mut(half);
    let mut forward = tt[block.orig_ptr] >> 8;
    let mut backward = block.orig_ptr as u32;
    for (slot, back_slot) in front.iter_mut().zip(back.iter_mut().rev()) {
        let word = tt[forward as usize];
        *slot = word as u8;
        forward = word >> 8;
        let word = lf[backward as usize];
        *back_slot = word as u8;
        backward = word >> 8;
    }
    if back.len() > half {
        back[0] = lf[backward as usize] as u8; // odd length: the middle byte
    }
}

/// Appends `walk` with its runs expanded to `out`, never letting `out` pass `cap` bytes.
pub(super) fn unrle(walk: &[u8], out: &mut Vec<u8>, cap: usize) -> Result<(), OutputError> {
    let room = cap.saturating_sub(out.len());
    out.reserve(walk.len().min(room));
    let mut literal = 0;
    let mut i = 0;
    while i + 4 <= walk.len() {
        let byte = walk[i];
        if walk[i + 1] != byte {
            i += 1;
        } else if walk[i + 2] != byte {
            i += 2;
        } else if walk[i + 3] != byte {
            i += 3;
        } else {
            append(out, &walk[literal..i + 4], cap)?;
            let Some(&extra) = walk.get(i + 4) else {
                return Err(OutputError::RunWithoutCount);
            };
            let end = out.len() + extra as usize;
            if end > cap {
                return Err(OutputError::Cap);
            }
            out.resize(end, byte);
            i += 5;
            literal = i;
        }
    }
    append(out, &walk[literal..], cap)
}

#[inline]
fn append(out: &mut Vec<u8>, bytes: &[u8], cap: usize) -> Result<(), OutputError> {
    if out.len() + bytes.len() > cap {
        let room = cap - out.len();
        // What fits goes out first, as a streaming decoder would have delivered it.
        out.extend_from_slice(&bytes[..room]);
        return Err(OutputError::Cap);
    }
    out.extend_from_slice(bytes);
    Ok(())
}
