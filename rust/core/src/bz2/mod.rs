//! A bz2 decompressor in safe Rust, for the pickle sources' `*.pbz2` files (issue #14).
//!
//! Same results as libbzip2 through Python's `bz2.decompress` on every stream bzip2 0.9.5 and
//! later writes, and the same accept/reject decisions as the `bzip2` crate's
//! `MultiBzDecoder` which it replaces: concatenated streams decode to the concatenation;
//! bytes after a stream must start another valid stream (Python instead ignores trailing
//! garbage after the first stream); every block CRC and every stream CRC is checked. One
//! refusal is stricter than libbzip2: randomised blocks longer than 617 bytes (a bzip2 0.9.0
//! feature no encoder has written since 1999; shorter ones are unchanged by it). Huffman
//! lengths that over-subscribe the code space are read as libbzip2 reads them.
//!
//! Where the time goes, per block: the Huffman stage reads codes with one 10-bit table lookup
//! ([`huffman`]) and keeps the first sixteen move-to-front positions in registers ([`mtf`]); the
//! inverse BWT walks one `u32` per byte, char and link together, in two interleaved chains
//! for small blocks, four chains over one array for large ones ([`output`]); the CRC folds eight bytes per step ([`crc`]).

mod bits;
mod block;
mod crc;
mod huffman;
mod mtf;
mod output;

use bits::BitReader;
use block::EntropyDecoder;
use output::OutputError;
use std::cell::RefCell;

const BLOCK_MAGIC: u64 = 0x3141_5926_5359;
const END_MAGIC: u64 = 0x1772_4538_5090;

/// Why [`decompress`] failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bz2ErrorKind {
    /// Not bz2, corrupt or truncated; the text says what.
    Corrupt(String),
    /// The output would pass the caller's cap.
    Cap,
}

/// A failure of [`decompress`], with the bytes of output produced before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bz2Error {
    pub kind: Bz2ErrorKind,
    /// Output bytes produced before the failure (for `Cap`: the cap).
    pub produced: u64,
}

/// Decompresses one or more concatenated bz2 streams, producing at most `cap` bytes.
///
/// # Errors
/// [`Bz2ErrorKind::Cap`] as soon as the output would pass `cap` (its CRC is then not
/// checked); [`Bz2ErrorKind::Corrupt`] for anything that is not a complete, valid stream
/// sequence (empty input included).
pub fn decompress(input: &[u8], cap: u64) -> Result<Vec<u8>, Bz2Error> {
    let cap = usize::try_from(cap).unwrap_or(usize::MAX);
    let run = |decoder: &mut Decoder| {
        let mut out = Vec::new();
        let mut pos = 0;
        loop {
            pos = decoder.stream(input, pos, cap, &mut out)?;
            if pos >= input.len() {
                return Ok(out);
            }
        }
    };
    // One decoder per thread: its block buffers (up to 7.2 MB, touched only as far as the
    // blocks reach) are faulted in once, not per file.
    thread_local! {
        static DECODER: RefCell<Decoder> = RefCell::new(Decoder::default());
    }
    DECODER
        .try_with(|cell| match cell.try_borrow_mut() {
            Ok(mut decoder) => run(&mut decoder),
            Err(_) => run(&mut Decoder::default()),
        })
        .unwrap_or_else(|_| run(&mut Decoder::default())) // thread exiting: no cache
}

#[derive(Default)]
struct Decoder {
    entropy: EntropyDecoder,
    /// Block bytes, then BWT links (sized to the largest block size met).
    tt: Vec<u32>,
    /// LF-mapping links of the two-chain walk of small blocks.
    lf: Vec<u32>,
    /// One block after the inverse BWT, before the run-length decoding.
    walk: Vec<u8>,
    /// The chains' segments of the large-block walk, before they are put in order.
    chains: Vec<u8>,
}

fn corrupt(message: impl Into<String>, out: &[u8]) -> Bz2Error {
    Bz2Error {
        kind: Bz2ErrorKind::Corrupt(message.into()),
        produced: out.len() as u64,
    }
}

impl Decoder {
    /// Decodes the stream starting at byte `start`; returns the byte after its end.
    fn stream(
        &mut self,
        input: &[u8],
        start: usize,
        cap: usize,
        out: &mut Vec<u8>,
    ) -> Result<usize, Bz2Error> {
        let header = input.get(start..start + 4);
        let level = match header {
            Some([b'B', b'Z', b'h', digit @ b'1'..=b'9']) => usize::from(digit - b'0'),
            _ if input.len() - start < 4 && b"BZh".starts_with(&input[start..]) => {
                return Err(corrupt("unexpected end of data (stream header)", out))
            }
            _ => return Err(corrupt("not a bz2 stream (bad magic)", out)),
        };
        let block_max = level * 100_000;
        if self.tt.len() < block_max {
            // Zeroed allocation: pages of a large block size are only touched when used.
            self.tt = vec![0u32; block_max];
            self.lf = vec![0u32; block_max.min(output::TWO_CHAINS_MAX)];
        }
        let mut bits = BitReader::new(input, start + 4);
        let mut combined = 0u32;
        let truncated_or = |bits: &BitReader<'_>, message: &str, out: &[u8]| {
            if bits.overrun() {
                corrupt("unexpected end of data", out)
            } else {
                corrupt(message, out)
            }
        };
        loop {
            let magic = (u64::from(bits.bits(24)) << 24) | u64::from(bits.bits(24));
            let stored = bits.bits(32);
            if magic == END_MAGIC {
                if bits.overrun() {
                    return Err(corrupt("unexpected end of data", out));
                }
                if stored != combined {
                    return Err(corrupt(
                        format!("stream CRC mismatch (stored {stored:#010x}, computed {combined:#010x})"),
                        out,
                    ));
                }
                return Ok(bits.position().div_ceil(8) as usize);
            }
            if magic != BLOCK_MAGIC {
                return Err(truncated_or(&bits, "bad block magic", out));
            }
            let block = self
                .entropy
                .read(&mut bits, &mut self.tt[..block_max])
                .map_err(|message| truncated_or(&bits, message, out))?;
            if bits.overrun() {
                return Err(corrupt("unexpected end of data", out));
            }
            output::inverse_bwt(
                &block,
                &mut self.tt,
                &mut self.lf,
                &mut self.walk,
                &mut self.chains,
            );
            let begin = out.len();
            output::unrle(&self.walk, out, cap).map_err(|error| match error {
                OutputError::Cap => Bz2Error {
                    kind: Bz2ErrorKind::Cap,
                    produced: cap as u64,
                },
                OutputError::RunWithoutCount => corrupt("block ends inside a run", out),
            })?;
            let computed = crc::crc32(&out[begin..]);
            if computed != stored {
                return Err(corrupt(
                    format!(
                        "block CRC mismatch (stored {stored:#010x}, computed {computed:#010x})"
                    ),
                    out,
                ));
            }
            // (tt needs no clearing: the next block overwrites every word it uses.)
            combined = combined.rotate_left(1) ^ computed;
        }
    }
}
