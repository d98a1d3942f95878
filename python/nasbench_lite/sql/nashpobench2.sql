-- kind: nashpobench2
-- schema_version: 1
-- build: nasbench-lite build nashpobench2 DATA_DIR -o OUT
-- NAS-HPO-Bench-II, built from the official pickles (bench12.pkl, cellinfo.pkl,
-- avgaccs200.pkl) by nasbench_lite.benchmarks.nashpobench2.build.
--
-- hashes: the official cell hashes (cellinfo.pkl 'hash' values), numbered in order of first
--   appearance over the sorted cell codes; cell_hash keeps the file's value and type.
-- cells: every cell code of cellinfo.pkl, cell_idx = position in the sorted codes (the official
--   API's `cellcodes` order, so cell_idx * 48 + lr_idx * 6 + bs_idx is the official flat index
--   for 8 learning rates x 6 batch sizes). hash_id is the official grouping (the truth for
--   queries); canonical_cellcode / canonical_class are nasbench_lite's isomorphism classes
--   (see nasbench_lite.nashpobench2.cellcode), kept beside it for analysis.
-- lrs, batch_sizes, seeds: the sorted distinct values of bench12.pkl's columns.
-- runs: one row per (hash, lr, batch size, seed) of bench12.pkl, run_id =
--   ((hash_id * #lrs + lr_idx) * #batch_sizes + bs_idx) * #seeds + seed_idx (a rowid table:
--   one B-tree descent per lookup, measured 3x faster than a composite WITHOUT ROWID key
--   with these 600-byte rows). `curves` holds 72
--   little-endian float64 (bit-exact): train_acc_0..11, valid_acc_0..11, test_acc_0..11,
--   train_time_0..11, valid_time_0..11, test_time_0..11 (accuracies in %, times in seconds);
--   the three totals are the file's own values.
-- surrogate: avgaccs200.pkl, the expected 200-epoch test accuracy per (hash, lr, batch size),
--   conf_id = (hash_id * #lrs + lr_idx) * #batch_sizes + bs_idx.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE hashes (
    hash_id   INTEGER PRIMARY KEY,
    cell_hash NOT NULL UNIQUE
);

CREATE TABLE cells (
    cell_idx           INTEGER PRIMARY KEY,
    cellcode           TEXT    NOT NULL UNIQUE,
    hash_id            INTEGER NOT NULL REFERENCES hashes (hash_id),
    canonical_cellcode TEXT    NOT NULL,
    canonical_class    INTEGER NOT NULL
);

CREATE TABLE lrs (
    lr_idx INTEGER PRIMARY KEY,
    lr     REAL NOT NULL UNIQUE
);

CREATE TABLE batch_sizes (
    bs_idx     INTEGER PRIMARY KEY,
    batch_size INTEGER NOT NULL UNIQUE
);

CREATE TABLE seeds (
    seed_idx INTEGER PRIMARY KEY,
    seed     INTEGER NOT NULL UNIQUE
);

CREATE TABLE runs (
    run_id              INTEGER PRIMARY KEY,
    hash_id             INTEGER NOT NULL,
    lr_idx              INTEGER NOT NULL,
    bs_idx              INTEGER NOT NULL,
    seed_idx            INTEGER NOT NULL,
    total_train_time    REAL,
    total_trainval_time REAL,
    total_test_time     REAL,
    curves              BLOB NOT NULL
);

CREATE TABLE surrogate (
    conf_id INTEGER PRIMARY KEY,
    hash_id INTEGER NOT NULL,
    lr_idx  INTEGER NOT NULL,
    bs_idx  INTEGER NOT NULL,
    avg_acc REAL
);
