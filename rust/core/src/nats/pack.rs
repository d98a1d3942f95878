//! The builder's page-packed `curves` order, natively: `benchmarks/nats/packing.py`'s
//! `CurvesPacker` step for step (the Python class is the reference and documents the idea).
//!
//! Run ids are handed out in storage order so that the blobs of one (architecture, hp,
//! dataset) group sit in one SQLite table leaf and the leaves fill nearly full. [`Packer`]
//! keeps the same state as the reference (waiting groups by arrival number, a size-sorted
//! index, the arrival order, the architectures whose runs are not all placed yet) and makes
//! the same choices, so both give every run the same id; the tests compare them on random
//! streams. It holds the caller's payloads opaquely: `R` per run row, `B` per blob.

use std::collections::{BTreeSet, HashMap, VecDeque};

/// Leaf page header and cell pointer bytes (SQLite file format, table b-tree leaf).
const LEAF_HEADER: usize = 8;
const POINTER: usize = 2;

/// Bytes of SQLite's varint of `value`.
fn varint_len(value: u64) -> usize {
    if value < 0x80 {
        1
    } else if value < 0x4000 {
        2
    } else if value < 0x20_0000 {
        3
    } else {
        let bits = 64 - value.leading_zeros() as usize;
        bits.div_ceil(7).min(9)
    }
}

/// SQLite's leaf cell size of a `curves` row (`run_id` alias, one BLOB), without its pointer
/// (`packing.cell_size`).
pub fn cell_size(blob_len: usize, rowid: u64, page_size: usize) -> usize {
    let types = 1 + varint_len(2 * blob_len as u64 + 12);
    let payload = varint_len(types as u64 + 1) + types + blob_len;
    let head = varint_len(payload as u64) + varint_len(rowid);
    let max_local = page_size - 35;
    if payload <= max_local {
        return (head + payload).max(4);
    }
    let min_local = (page_size - 12) * 32 / 255 - 23;
    let mut local = min_local + (payload - min_local) % (page_size - 4);
    if local > max_local {
        local = min_local;
    }
    head + local + 4
}

struct Group<R, B> {
    arch: i64,
    /// `(run payload, blob payload, blob length)`, largest blob first.
    runs: Vec<(R, B, usize)>,
    /// Leaf bytes of each cell at the id current when the group arrived.
    cells: Vec<usize>,
    /// The first id whose varint is longer than at arrival.
    limit: u64,
    /// Groups placed before this one arrived.
    placed_at: u64,
}

struct ArchEntry<R> {
    arch: i64,
    groups_left: usize,
    runs: Vec<(u64, R)>,
}

/// The packer (see the module documentation).
pub struct Packer<R, B> {
    page_size: usize,
    window: usize,
    /// The next run id.
    pub next_id: u64,
    /// Leaf pages the rows given so far fill.
    pub leaves: u64,
    capacity: usize,
    free: usize,
    placed: u64,
    arrived: u64,
    waiting: HashMap<u64, Group<R, B>>,
    by_size: BTreeSet<(usize, u64)>,
    order: VecDeque<u64>,
    archs: VecDeque<ArchEntry<R>>,
    /// `(run id, blob)` placed since the last [`Packer::take_curves`], in id order.
    curves: Vec<(u64, B)>,
}

impl<R, B> Packer<R, B> {
    /// A packer for `page_size` pages, at most `window` groups waiting.
    pub fn new(page_size: usize, window: usize) -> Self {
        Packer {
            page_size,
            window,
            next_id: 0,
            leaves: 0,
            capacity: page_size - LEAF_HEADER,
            free: 0,
            placed: 0,
            arrived: 0,
            waiting: HashMap::new(),
            by_size: BTreeSet::new(),
            order: VecDeque::new(),
            archs: VecDeque::new(),
            curves: Vec::new(),
        }
    }

    /// Queues one group's runs (in row order; `(run, blob, blob length)`).
    pub fn add_group(&mut self, arch: i64, mut runs: Vec<(R, B, usize)>) {
        let entry = match self.archs.iter_mut().rev().find(|e| e.arch == arch) {
            Some(entry) => entry,
            None => {
                self.archs.push_back(ArchEntry {
                    arch,
                    groups_left: 0,
                    runs: Vec::new(),
                });
                self.archs.back_mut().expect("just pushed")
            }
        };
        entry.groups_left += 1;
        // the largest cell first (stable, as Python's sorted)
        runs.sort_by_key(|run| std::cmp::Reverse(run.2));
        let first = self.next_id;
        let cells: Vec<usize> = runs
            .iter()
            .map(|run| cell_size(run.2, first, self.page_size) + POINTER)
            .collect();
        let size = cells.iter().sum();
        let key = self.arrived;
        self.arrived += 1;
        let limit = 1_u64 << (7 * varint_len(first)).min(63);
        self.waiting.insert(
            key,
            Group {
                arch,
                runs,
                cells,
                limit,
                placed_at: self.placed,
            },
        );
        self.by_size.insert((size, key));
        self.order.push_back(key);
        while self.waiting.len() > self.window {
            self.fill();
        }
    }

    /// Places every waiting group.
    pub fn finish(&mut self) {
        while !self.waiting.is_empty() {
            self.fill();
        }
    }

    /// The `(run id, blob)` pairs placed so far and not yet taken, in id order.
    pub fn take_curves(&mut self) -> Vec<(u64, B)> {
        std::mem::take(&mut self.curves)
    }

    /// The runs of the leading architectures whose groups all have ids: per architecture, in
    /// order, its `(run id, run)` pairs in placement order (the caller sorts them).
    pub fn take_finished(&mut self) -> Vec<(i64, Vec<(u64, R)>)> {
        let mut out = Vec::new();
        while self.archs.front().is_some_and(|e| e.groups_left == 0) {
            let entry = self.archs.pop_front().expect("checked");
            out.push((entry.arch, entry.runs));
        }
        out
    }

    fn place(&mut self, key: u64) {
        let group = self.waiting.remove(&key).expect("a waiting group");
        let size: usize = group.cells.iter().sum();
        self.by_size.remove(&(size, key));
        self.placed += 1;
        let entry = self
            .archs
            .iter_mut()
            .find(|e| e.arch == group.arch)
            .expect("the group's architecture");
        entry.groups_left -= 1;
        for ((run, blob, len), mut cell) in group.runs.into_iter().zip(group.cells) {
            let run_id = self.next_id;
            self.next_id += 1;
            if run_id >= group.limit {
                cell = cell_size(len, run_id, self.page_size) + POINTER;
            }
            if cell > self.free {
                self.free = self.capacity;
                self.leaves += 1;
            }
            self.free = self.free.saturating_sub(cell);
            self.curves.push((run_id, blob));
            entry.runs.push((run_id, run));
        }
    }

    fn best_fit(&mut self) -> bool {
        let mut placed = false;
        while let Some(&(_, key)) = self.by_size.range(..=(self.free, u64::MAX)).next_back() {
            self.place(key);
            placed = true;
        }
        placed
    }

    fn fill(&mut self) {
        if self.best_fit() {
            return;
        }
        while self
            .order
            .front()
            .is_some_and(|k| !self.waiting.contains_key(k))
        {
            self.order.pop_front();
        }
        let Some(&oldest) = self.order.front() else {
            return;
        };
        let mut start = oldest;
        if self.placed - self.waiting[&oldest].placed_at < 4 * self.window as u64 {
            for key in &self.order {
                if let Some(group) = self.waiting.get(key) {
                    if group.cells[0] > self.free {
                        start = *key;
                        break;
                    }
                }
            }
        }
        self.place(start);
        self.best_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_sizes_follow_sqlite_spill_rules() {
        // small cells: varints of payload size and rowid, record header (its length, the
        // blob's serial type), blob (packing.cell_size, checked against dbstat in Python)
        assert_eq!(cell_size(0, 0, 4096), 1 + 1 + 1 + 2);
        assert_eq!(cell_size(100, 300, 4096), 1 + 2 + 1 + 2 + 100 + 1);
        let big = cell_size(9000, 300, 4096);
        assert!(big < 4096);
        assert_eq!(varint_len(0x7f), 1);
        assert_eq!(varint_len(0x80), 2);
        assert_eq!(varint_len(u64::MAX), 9);
    }

    #[test]
    fn every_run_gets_one_id_and_groups_stay_in_id_order() {
        let mut packer: Packer<(i64, usize), usize> = Packer::new(16384, 4);
        let mut total = 0;
        for arch in 0..30_i64 {
            for group in 0..3 {
                let runs: Vec<_> = (0..1 + (arch as usize + group) % 3)
                    .map(|k| {
                        total += 1;
                        ((arch, k), total, 500 + 997 * ((arch as usize * 7 + k) % 11))
                    })
                    .collect();
                packer.add_group(arch, runs);
            }
        }
        packer.finish();
        let curves = packer.take_curves();
        assert_eq!(curves.len(), total);
        assert!(curves.iter().enumerate().all(|(i, c)| c.0 == i as u64));
        let finished = packer.take_finished();
        assert_eq!(finished.len(), 30);
        assert!(finished.iter().enumerate().all(|(i, f)| f.0 == i as i64));
        assert!(packer.leaves > 0);
    }
}
