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
/// Large blocks use the LF mapping alone, built in place in `tt` by one sequential pass (no
/// scattered writes), walked as [`CHAINS`] chains from spread-out rows ([`walk_chains`]:
/// ~10% faster on the 325 kB topology files than one chain, #14).
pub(super) fn inverse_bwt(
    block: &Block,
    tt: &mut [u32],
    lf: &mut [u32],
    walk: &mut Vec<u8>,
    chains: &mut Vec<u8>,
) {
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
        if !walk_chains(tt, block.orig_ptr, walk, chains) {
            for word in tt.iter_mut() {
                *word &= !FLAG;
            }
            let mut link = block.orig_ptr as u32;
            for slot in walk.iter_mut().rev() {
                let word = tt[link as usize];
                *slot = word as u8;
                link = word >> 8;
            }
        }
        return;
    }
    let lf = &mut lf[..n];
    // (No run shortcut here, unlike above: on the 83 kB sss files, whose bytes rarely repeat,
    // its exit branch mispredicted; the plain loop is ~5% faster overall there, while the
    // run-rich 325 kB tss files gain from the shortcut, #14.)
    for i in 0..n {
        let byte = tt[i] & 0xff;
        let row = next[byte as usize];
        next[byte as usize] = row + 1;
        tt[row as usize] |= (i as u32) << 8;
        lf[i] = (row << 8) | byte;
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

/// Chains of the large-block walk.
const CHAINS: usize = 4;
/// Marks a chain's start row in `tt` (links are below 2^20, so words below 2^28).
const FLAG: u32 = 1 << 31;

/// Walks the LF links of `tt` (`link << 8 | byte`, all of them below 2^28) as [`CHAINS`]
/// chains at once, to overlap their cache misses: one from the text's end (`orig_ptr`), the
/// others from rows spread over the table, each at an unknown place in the text. A chain
/// stops at the next chain's start row (flagged in `tt`), so together they tile the text;
/// the segments are then put in order by which start row each one ended at. Returns false,
/// with `walk` unspecified and flags left in `tt`, if the links do not tile the text into
/// exactly `n` bytes from `orig_ptr` (corrupt data: the caller walks one chain as before).
fn walk_chains(tt: &mut [u32], orig_ptr: usize, walk: &mut [u8], buf: &mut Vec<u8>) -> bool {
    let n = tt.len();
    let mut starts = [orig_ptr as u32; CHAINS];
    tt[orig_ptr] |= FLAG;
    for (c, start) in starts.iter_mut().enumerate().skip(1) {
        let row = c * n / CHAINS;
        if tt[row] & FLAG == 0 {
            tt[row] |= FLAG;
            *start = row as u32;
        }
        // (a row already taken leaves this chain a copy of chain 0's, discarded below)
    }
    if buf.len() < CHAINS * n {
        buf.resize(CHAINS * n, 0);
    }
    let regions = &mut buf[..CHAINS * n];
    // Each chain writes backwards from the end of its own n-byte region; `at` is the next
    // free byte, so a chain's segment is `at + 1..` its region's end.
    let mut link = [0u32; CHAINS];
    let mut at = [0usize; CHAINS];
    for c in 0..CHAINS {
        let word = tt[starts[c] as usize] & !FLAG;
        regions[c * n + n - 1] = word as u8;
        at[c] = c * n + n - 2;
        link[c] = word >> 8;
    }
    // Lockstep: a stopped chain keeps re-reading its flagged word (an L1 hit) and rewrites
    // its next free byte, harmlessly. At most n - 1 more steps each (`at` stays >= c * n - 1;
    // the wrapping sub only matters after a chain's n-th byte, when the loop has ended).
    for _ in 1..n {
        let mut live = 0u32;
        for c in 0..CHAINS {
            let word = tt[link[c] as usize];
            let stopped = word >> 31;
            regions[at[c]] = word as u8;
            at[c] = at[c].wrapping_sub(1 - stopped as usize);
            link[c] = if stopped != 0 { link[c] } else { word >> 8 };
            live |= stopped ^ 1;
        }
        if live == 0 {
            break;
        }
    }
    let mut len = [0usize; CHAINS];
    for c in 0..CHAINS {
        len[c] = (c + 1) * n - at[c].wrapping_add(1);
    }
    // Assemble from the end: chain 0 ends the text; each chain's stop row is the start of
    // the chain before it, until one stops at `orig_ptr` (the text's start).
    let mut end = n;
    let mut used = [false; CHAINS];
    let mut c = 0;
    loop {
        if used[c] || tt[link[c] as usize] & FLAG == 0 || len[c] > end {
            return false;
        }
        used[c] = true;
        let seg = &regions[c * n + n - len[c]..(c + 1) * n];
        walk[end - len[c]..end].copy_from_slice(seg);
        end -= len[c];
        if link[c] as usize == orig_ptr {
            break;
        }
        let Some(next) = (1..CHAINS).find(|&d| starts[d] == link[c] && !used[d]) else {
            return false;
        };
        c = next;
    }
    for &start in &starts {
        tt[start as usize] &= !FLAG;
    }
    end == 0
}

/// Appends `walk` with its runs expanded to `out`, never letting `out` pass `cap` bytes.
pub(super) fn unrle(walk: &[u8], out: &mut Vec<u8>, cap: usize) -> Result<(), OutputError> {
    let room = cap.saturating_sub(out.len());
    out.reserve(walk.len().min(room));
    let mut literal = 0;
    let mut i = 0;
    while i + 4 <= walk.len() {
        // Eight positions at once: a run starts only where two neighbours are equal.
        if let Some(window) = walk.get(i..i + 9) {
            let mut word = [0u8; 8];
            word.copy_from_slice(&window[..8]);
            let here = u64::from_le_bytes(word);
            word.copy_from_slice(&window[1..]);
            let pairs = here ^ u64::from_le_bytes(word); // byte j zero: walk[i+j] == walk[i+j+1]
            const ONES: u64 = 0x0101_0101_0101_0101;
            if pairs.wrapping_sub(ONES) & !pairs & (ONES << 7) == 0 {
                i += 8;
                continue;
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain one-chain walk of `n` steps from `orig_ptr`.
    fn plain(tt: &[u32], orig_ptr: usize) -> Vec<u8> {
        let mut walk = vec![0u8; tt.len()];
        let mut link = orig_ptr as u32;
        for slot in walk.iter_mut().rev() {
            let word = tt[link as usize];
            *slot = word as u8;
            link = word >> 8;
        }
        walk
    }

    /// Links `link << 8 | byte` of a random permutation: one cycle or arbitrary.
    fn table(n: usize, one_cycle: bool, seed: u32) -> Vec<u32> {
        let mut state = seed;
        let mut random = |bound: usize| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (state >> 8) as usize % bound
        };
        let mut order: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            order.swap(i, random(i + 1));
        }
        let mut next = vec![0usize; n];
        if one_cycle {
            for i in 0..n {
                next[order[i]] = order[(i + 1) % n];
            }
        } else {
            next.copy_from_slice(&order);
        }
        (0..n)
            .map(|i| ((next[i] as u32) << 8) | random(256) as u32)
            .collect()
    }

    #[test]
    fn chains_match_one_walk_or_refuse() {
        let mut buf = Vec::new();
        for (seed, one_cycle) in [(1, true), (2, true), (3, false), (4, false)] {
            let n = TWO_CHAINS_MAX + 1000 + seed as usize;
            let mut tt = table(n, one_cycle, seed);
            let orig_ptr = n / 3;
            let expected = plain(&tt, orig_ptr);
            let mut walk = vec![0u8; n];
            let tiled = walk_chains(&mut tt, orig_ptr, &mut walk, &mut buf);
            assert!(tiled || !one_cycle);
            if tiled {
                assert_eq!(walk, expected);
            }
            // Cycles through some start rows but not all: a tiling of the wrong length.
            let mut tt = table(n, one_cycle, seed);
            tt[orig_ptr] = ((orig_ptr as u32) << 8) | 7;
            let expected = plain(&tt, orig_ptr);
            if walk_chains(&mut tt, orig_ptr, &mut walk, &mut buf) {
                assert_eq!(walk, expected);
            }
        }
    }

    /// The byte-at-a-time run-length decoding, as libbzip2 does it.
    fn unrle_plain(walk: &[u8]) -> Option<Vec<u8>> {
        let (mut out, mut i) = (Vec::new(), 0);
        while i < walk.len() {
            let byte = walk[i];
            let same = walk[i..].iter().take(4).take_while(|&&b| b == byte).count();
            out.extend_from_slice(&walk[i..i + same]);
            i += same;
            if same == 4 {
                out.resize(out.len() + *walk.get(i)? as usize, byte);
                i += 1;
            }
        }
        Some(out)
    }

    #[test]
    fn unrle_skips_match_the_plain_decoding() {
        // Runs of 1..=5 equal bytes at every offset from the eight-byte skip's windows.
        let mut state = 7u32;
        for len in 0..64 {
            for _ in 0..40 {
                let walk: Vec<u8> = (0..len)
                    .map(|_| {
                        state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
                        [0, 0, 0, 1, 2, 3, 4, 5][(state >> 13) as usize % 8]
                    })
                    .collect();
                let mut out = Vec::new();
                let ours = unrle(&walk, &mut out, usize::MAX).ok().map(|()| out);
                assert_eq!(ours, unrle_plain(&walk), "{walk:?}");
            }
        }
    }
}
