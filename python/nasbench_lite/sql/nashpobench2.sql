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

-- Units: accuracies in PERCENT (0-100; NB101 uses fractions), times in seconds, lr = SGD
-- learning rate. Sets as in NAS-HPO-Bench-II: train, valid (held out of the CIFAR-10 training
-- set) and test (the CIFAR-10 test set).
--
--@ hashes.hash_id | - | - | - | row id, order of first appearance over the sorted cell codes
--@ hashes.cell_hash ANY | - | - | - | official cell hash (cellinfo.pkl 'hash' value, the file's value and type)
--@ cells.cell_idx | - | - | - | position in the sorted cell codes (official cellcodes order)
--@ cells.cellcode | - | - | - | official cell code, e.g. '0|10|210' (one digit per edge)
--@ cells.hash_id | - | - | - | hashes.hash_id: the official isomorphism grouping (the truth for queries)
--@ cells.canonical_cellcode | - | computed (nasbench_lite.nashpobench2.cellcode) | - | nasbench_lite's canonical cell code of the isomorphism class
--@ cells.canonical_class | - | computed (nasbench_lite.nashpobench2.cellcode) | - | nasbench_lite's isomorphism class number
--@ lrs.lr_idx | - | - | - | index in the sorted learning rates
--@ lrs.lr | learning rate | - | - | SGD learning rate
--@ batch_sizes.bs_idx | - | - | - | index in the sorted batch sizes
--@ batch_sizes.batch_size | images | - | - | training batch size
--@ seeds.seed_idx | - | - | - | index in the sorted seeds
--@ seeds.seed | - | - | - | training seed
--@ runs.run_id | - | - | - | ((hash_id * #lrs + lr_idx) * #batch_sizes + bs_idx) * #seeds + seed_idx
--@ runs.hash_id | - | - | - | hashes.hash_id
--@ runs.lr_idx | - | - | - | lrs.lr_idx
--@ runs.bs_idx | - | - | - | batch_sizes.bs_idx
--@ runs.seed_idx | - | - | - | seeds.seed_idx
--@ runs.total_train_time | seconds | trained on: CIFAR-10 train split of NAS-HPO-Bench-II, 12 epochs, with the row's lr / batch size; measured on: train | sum over the 12 epochs, one seed | the file's total_train_time
--@ runs.total_trainval_time | seconds | trained on: CIFAR-10 train split of NAS-HPO-Bench-II, 12 epochs, with the row's lr / batch size; measured on: train + valid | sum over the 12 epochs, one seed | the file's total_trainval_time
--@ runs.total_test_time | seconds | trained on: CIFAR-10 train split of NAS-HPO-Bench-II, 12 epochs, with the row's lr / batch size; measured on: test | sum over the 12 epochs, one seed | the file's total_test_time
--@ runs.curves | % / seconds | trained on: CIFAR-10 train split of NAS-HPO-Bench-II, 12 epochs, with the row's lr / batch size; measured on: train, valid, test | every epoch, one seed | 72 little-endian float64: train_acc_0..11, valid_acc_0..11, test_acc_0..11 (%), train_time_0..11, valid_time_0..11, test_time_0..11 (s); the export writes them as columns
--@ surrogate.conf_id | - | - | - | (hash_id * #lrs + lr_idx) * #batch_sizes + bs_idx
--@ surrogate.hash_id | - | - | - | hashes.hash_id
--@ surrogate.lr_idx | - | - | - | lrs.lr_idx
--@ surrogate.bs_idx | - | - | - | batch_sizes.bs_idx
--@ surrogate.avg_acc | % | trained on: CIFAR-10 train, 200 epochs (surrogate prediction); measured on: CIFAR-10 test set | expected value over seeds (avgaccs200.pkl) | expected 200-epoch test accuracy
--@ best_configuration.cell_idx | - | - | - | cells.cell_idx
--@ best_configuration.cellcode | - | - | - | official cell code
--@ best_configuration.hash_id | - | - | - | hashes.hash_id
--@ best_configuration.lr | learning rate | - | - | the learning rate of the best configuration
--@ best_configuration.batch_size | images | - | - | the batch size of the best configuration
--@ best_configuration.avg_acc | % | trained on: CIFAR-10 train, 200 epochs (surrogate); measured on: CIFAR-10 test set | max over (lr, batch size) of the expected value over seeds | the best expected 200-epoch test accuracy of the cell (ties: the smallest conf_id)

--
-- Columns of the export's runs table (the official bench12 row):
--@export runs.cell_hash | - | - | - | official cell hash
--@export runs.lr | learning rate | - | - | SGD learning rate
--@export runs.batch_size | images | - | - | training batch size
--@export runs.seed | - | - | - | training seed
--@export runs.train_acc_* | % | trained on: CIFAR-10 train split of NAS-HPO-Bench-II with the row's lr / batch size; measured on: the training data | after epoch N+1 of 12, one seed | train accuracy
--@export runs.valid_acc_* | % | trained on: CIFAR-10 train split of NAS-HPO-Bench-II with the row's lr / batch size; measured on: valid (held out of the CIFAR-10 training set) | after epoch N+1 of 12, one seed | validation accuracy
--@export runs.test_acc_* | % | trained on: CIFAR-10 train split of NAS-HPO-Bench-II with the row's lr / batch size; measured on: the CIFAR-10 test set | after epoch N+1 of 12, one seed | test accuracy
--@export runs.train_time_* | seconds | trained on: CIFAR-10 train split of NAS-HPO-Bench-II with the row's lr / batch size; measured on: train | epoch N+1, one seed | train time of the epoch
--@export runs.valid_time_* | seconds | trained on: CIFAR-10 train split of NAS-HPO-Bench-II with the row's lr / batch size; measured on: valid | epoch N+1, one seed | validation time of the epoch
--@export runs.test_time_* | seconds | trained on: CIFAR-10 train split of NAS-HPO-Bench-II with the row's lr / batch size; measured on: test | epoch N+1, one seed | test time of the epoch

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
    hash_id             INTEGER NOT NULL REFERENCES hashes (hash_id),
    lr_idx              INTEGER NOT NULL REFERENCES lrs (lr_idx),
    bs_idx              INTEGER NOT NULL REFERENCES batch_sizes (bs_idx),
    seed_idx            INTEGER NOT NULL REFERENCES seeds (seed_idx),
    total_train_time    REAL,
    total_trainval_time REAL,
    total_test_time     REAL,
    curves              BLOB NOT NULL
);

CREATE TABLE surrogate (
    conf_id INTEGER PRIMARY KEY,
    hash_id INTEGER NOT NULL REFERENCES hashes (hash_id),
    lr_idx  INTEGER NOT NULL REFERENCES lrs (lr_idx),
    bs_idx  INTEGER NOT NULL REFERENCES batch_sizes (bs_idx),
    avg_acc REAL
);

-- The best (lr, batch size) of every cell by the 200-epoch surrogate test accuracy.
CREATE VIEW best_configuration AS
SELECT c.cell_idx, c.cellcode, c.hash_id, l.lr, b.batch_size, s.avg_acc
  FROM cells c
  JOIN (SELECT hash_id, lr_idx, bs_idx, avg_acc,
               ROW_NUMBER() OVER (PARTITION BY hash_id ORDER BY avg_acc DESC, conf_id) AS rank
          FROM surrogate WHERE avg_acc IS NOT NULL) s ON s.hash_id = c.hash_id AND s.rank = 1
  JOIN lrs l ON l.lr_idx = s.lr_idx
  JOIN batch_sizes b ON b.bs_idx = s.bs_idx;

-- Indexes: every table is keyed by its INTEGER PRIMARY KEY (rowid); cells.cellcode and
-- hashes.cell_hash are UNIQUE (implicit indexes for lookups by code / hash).
