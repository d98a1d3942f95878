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

/// Inverts the BWT of `tt[..block.len]` (bytes in the low byte) into `walk`.
///
/// The walk is a chain of dependent loads, so its speed is the cache latency. Two chains
/// run interleaved to overlap their misses: forwards from the start of the text through the
/// successor links (put into the upper 24 bits of `tt`, libbzip2's "fast" layout: char and
/// link in one word) and backwards from its end through the LF mapping (`lf`, char and link
/// likewise), each for half of the block.
pub(super) fn inverse_bwt(block: &Block, tt: &mut [u32], lf: &mut [u32], walk: &mut Vec<u8>) {
    let n = block.len;
    let (tt, lf) = (&mut tt[..n], &mut lf[..n]);
    let mut next = [0u32; 256];
    let mut sum = 0u32;
    for (slot, &count) in next.iter_mut().zip(&block.counts) {
        *slot = sum;
        sum += count;
    }
    // Row k = LF(i) of the i-th last-column byte is its rank among equal bytes plus the
    // bytes below it. Runs of one byte (common after a BWT) keep their rank in a register.
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
    walk.clear();
    walk.resize(n, 0);
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
