-- kind: nb101
-- schema_version: 3
-- build: nasbench-lite build nb101 SOURCES... -o OUT
-- NAS-Bench-101 training data, built from the official TFRecord(s).
-- Built by nasbench_lite.benchmarks.nb101.build.
--
-- cells: one row per module hash, in order of first appearance in the source file(s); the
--   adjacency/ops are those of the hash's first record (what the official loader keeps).
--   adjacency = edge_bits in graph_util.gen_is_edge_fn order (bit x + y(y-1)/2 <-> edge x->y)
--   ops       = op_codes: interior ops as base-3 digits, first interior vertex most significant
--               (0 conv3x3-bn-relu, 1 conv1x1-bn-relu, 2 maxpool3x3); input/output implied.
--   Both encodings are exact for every file row (checked while building) and keep the
--   108-epoch database small; nasbench_lite decodes them, and the Parquet export writes the
--   readable forms.
-- runs: one row per (cell, epochs, repeat), the eight official metrics as REAL columns,
--   clustered on (cell_id, epochs, repeat) (WITHOUT ROWID: the key is the row, no rowid B-tree).
--   `repeat` numbers a cell's runs at one budget 0, 1, 2... in file order (across files).
-- special_values: SQLite cannot hold two kinds of float64 bit for bit: a NaN is stored as
--   NULL, and -0.0 in a REAL column reads back as 0.0. The builder writes the runs value as
--   NULL / 0.0 and the exact IEEE-754 bits of every such value here (usually no row at all);
--   the nasbench_lite API and the Parquet export put those exact bits back, so every value
--   round-trips bit for bit. In plain SQL a NaN is NULL (ignored by avg/min/max).
-- cell_means: per (cell, epochs) means over the repeats with the cell's parameter count: the
--   view most questions start from (e.g. the best cell under 1M parameters at 108 epochs).

-- Splits (official NAS-Bench-101): every model was trained on the 40k-image CIFAR-10 train
-- split; "validation" = the 10k images held out of the CIFAR-10 training set, "test" = the 10k
-- CIFAR-10 test set. Accuracies are FRACTIONS in [0, 1] (NATS and NAS-HPO-Bench-II use percent).
--
--@ cells.cell_id | - | - | - | row id, order of first appearance in the source file(s)
--@ cells.hash | - | - | - | official module hash (ModelSpec.hash_spec, 32 lowercase hex chars)
--@ cells.num_vertices | vertices | - | - | vertices of the pruned cell (2-7, input and output included)
--@ cells.num_edges | edges | - | - | edges of the pruned cell (<= 9)
--@ cells.edge_bits | - | - | - | adjacency as bits: bit x + y(y-1)/2 set <-> edge x->y (graph_util.gen_is_edge_fn order)
--@ cells.op_codes | - | - | - | interior ops as base-3 digits, first interior vertex most significant (0 conv3x3-bn-relu, 1 conv1x1-bn-relu, 2 maxpool3x3)
--@ cells.trainable_parameters | parameters | - | - | trainable parameters of the whole network (the file's value)
--@ runs.cell_id | - | - | - | cells.cell_id
--@ runs.epochs | epochs | - | - | training budget of the run (4, 12, 36 or 108)
--@ runs.repeat | - | - | - | repeat number (0-based, file order across the source files)
--@ runs.halfway_training_time | seconds | trained on: CIFAR-10 train split (40k images), `epochs` epochs; measured on: - | at epochs/2, one repeat | training time up to half the budget (excludes evaluation); NULL = NaN in the source (exact bits in special_values)
--@ runs.halfway_train_accuracy | fraction | trained on: CIFAR-10 train split (40k images), `epochs` epochs; measured on: the training data | at epochs/2, one repeat | train accuracy; NULL = NaN in the source (exact bits in special_values)
--@ runs.halfway_validation_accuracy | fraction | trained on: CIFAR-10 train split (40k images), `epochs` epochs; measured on: the 10k held out of CIFAR-10 train | at epochs/2, one repeat | validation accuracy; NULL = NaN in the source (exact bits in special_values)
--@ runs.halfway_test_accuracy | fraction | trained on: CIFAR-10 train split (40k images), `epochs` epochs; measured on: the CIFAR-10 test set | at epochs/2, one repeat | test accuracy; NULL = NaN in the source (exact bits in special_values)
--@ runs.final_training_time | seconds | trained on: CIFAR-10 train split (40k images), `epochs` epochs; measured on: - | at the last epoch, one repeat | training time (excludes evaluation); NULL = NaN in the source (exact bits in special_values)
--@ runs.final_train_accuracy | fraction | trained on: CIFAR-10 train split (40k images), `epochs` epochs; measured on: the training data | at the last epoch, one repeat | train accuracy; NULL = NaN in the source (exact bits in special_values)
--@ runs.final_validation_accuracy | fraction | trained on: CIFAR-10 train split (40k images), `epochs` epochs; measured on: the 10k held out of CIFAR-10 train | at the last epoch, one repeat | validation accuracy; NULL = NaN in the source (exact bits in special_values)
--@ runs.final_test_accuracy | fraction | trained on: CIFAR-10 train split (40k images), `epochs` epochs; measured on: the CIFAR-10 test set | at the last epoch, one repeat | test accuracy; NULL = NaN in the source (exact bits in special_values)
--@ special_values.cell_id | - | - | - | runs.cell_id of the value
--@ special_values.epochs | epochs | - | - | runs.epochs of the value
--@ special_values.repeat | - | - | - | runs.repeat of the value
--@ special_values.metric | - | - | - | name of the runs column holding the value (NULL for a NaN, 0.0 for -0.0)
--@ special_values.bits | - | as the runs column | as the runs column | the value's IEEE-754 float64 bits as a signed 64-bit integer (Python: struct.unpack('<d', struct.pack('<q', bits))[0])
--@ cell_means.cell_id | - | - | - | cells.cell_id
--@ cell_means.hash | - | - | - | cells.hash
--@ cell_means.epochs | epochs | - | - | training budget (4, 12, 36 or 108)
--@ cell_means.repeats INTEGER | runs | - | count of the runs rows | number of repeats stored for the cell at this budget
--@ cell_means.halfway_training_time REAL | seconds | trained on: CIFAR-10 train split (40k images), `epochs` epochs; measured on: - | mean over the repeats whose value is not NaN (SQL avg ignores NULL), at epochs/2 | mean training time up to half the budget (excludes evaluation)
--@ cell_means.halfway_train_accuracy REAL | fraction | trained on: CIFAR-10 train split (40k images), `epochs` epochs; measured on: the training data | mean over the repeats whose value is not NaN (SQL avg ignores NULL), at epochs/2 | mean train accuracy
--@ cell_means.halfway_validation_accuracy REAL | fraction | trained on: CIFAR-10 train split (40k images), `epochs` epochs; measured on: the 10k held out of CIFAR-10 train | mean over the repeats whose value is not NaN (SQL avg ignores NULL), at epochs/2 | mean validation accuracy
--@ cell_means.halfway_test_accuracy REAL | fraction | trained on: CIFAR-10 train split (40k images), `epochs` epochs; measured on: the CIFAR-10 test set | mean over the repeats whose value is not NaN (SQL avg ignores NULL), at epochs/2 | mean test accuracy
--@ cell_means.final_training_time REAL | seconds | trained on: CIFAR-10 train split (40k images), `epochs` epochs; measured on: - | mean over the repeats whose value is not NaN (SQL avg ignores NULL), at the last epoch | mean training time (excludes evaluation)
--@ cell_means.final_train_accuracy REAL | fraction | trained on: CIFAR-10 train split (40k images), `epochs` epochs; measured on: the training data | mean over the repeats whose value is not NaN (SQL avg ignores NULL), at the last epoch | mean train accuracy
--@ cell_means.final_validation_accuracy REAL | fraction | trained on: CIFAR-10 train split (40k images), `epochs` epochs; measured on: the 10k held out of CIFAR-10 train | mean over the repeats whose value is not NaN (SQL avg ignores NULL), at the last epoch | mean validation accuracy
--@ cell_means.final_test_accuracy REAL | fraction | trained on: CIFAR-10 train split (40k images), `epochs` epochs; measured on: the CIFAR-10 test set | mean over the repeats whose value is not NaN (SQL avg ignores NULL), at the last epoch | mean test accuracy
--@ cell_means.trainable_parameters | parameters | - | - | cells.trainable_parameters
--
-- Columns that exist only in the export (cells: readable adjacency and ops):
--@export cells.adjacency | - | - | - | row-major '0'/'1' digits of the V x V adjacency matrix
--@export cells.ops | - | - | - | the V op names joined by ',' (input, interior ops, output)

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE cells (
    cell_id              INTEGER PRIMARY KEY,
    hash                 TEXT    NOT NULL,
    num_vertices         INTEGER NOT NULL,
    num_edges            INTEGER NOT NULL,
    edge_bits            INTEGER NOT NULL,
    op_codes             INTEGER NOT NULL,
    trainable_parameters INTEGER NOT NULL
);

CREATE TABLE runs (
    cell_id                     INTEGER NOT NULL REFERENCES cells (cell_id),
    epochs                      INTEGER NOT NULL,
    repeat                      INTEGER NOT NULL,
    halfway_training_time       REAL,
    halfway_train_accuracy      REAL,
    halfway_validation_accuracy REAL,
    halfway_test_accuracy       REAL,
    final_training_time         REAL,
    final_train_accuracy        REAL,
    final_validation_accuracy   REAL,
    final_test_accuracy         REAL,
    PRIMARY KEY (cell_id, epochs, repeat)
) WITHOUT ROWID;

CREATE TABLE special_values (
    cell_id INTEGER NOT NULL,
    epochs  INTEGER NOT NULL,
    repeat  INTEGER NOT NULL,
    metric  TEXT    NOT NULL,
    bits    INTEGER NOT NULL,
    PRIMARY KEY (cell_id, epochs, repeat, metric),
    FOREIGN KEY (cell_id, epochs, repeat) REFERENCES runs (cell_id, epochs, repeat)
) WITHOUT ROWID;

CREATE VIEW cell_means AS
SELECT c.cell_id, c.hash, r.epochs, count(*) AS repeats,
       avg(r.halfway_training_time) AS halfway_training_time,
       avg(r.halfway_train_accuracy) AS halfway_train_accuracy,
       avg(r.halfway_validation_accuracy) AS halfway_validation_accuracy,
       avg(r.halfway_test_accuracy) AS halfway_test_accuracy,
       avg(r.final_training_time) AS final_training_time,
       avg(r.final_train_accuracy) AS final_train_accuracy,
       avg(r.final_validation_accuracy) AS final_validation_accuracy,
       avg(r.final_test_accuracy) AS final_test_accuracy,
       c.trainable_parameters
  FROM cells c JOIN runs r USING (cell_id)
 GROUP BY r.cell_id, r.epochs;

-- Created by the builder after the bulk load (documented here, not run from this file):
-- CREATE UNIQUE INDEX cells_hash ON cells(hash, num_vertices, edge_bits, op_codes, trainable_parameters);
--   lookups by module hash; covering: the index entry holds every cells column a query needs
--   (cell_id is the rowid), so a lookup by hash reads one B-tree, not two. Every hash occurs
--   once (the builder checks it).
-- runs is clustered on (cell_id, epochs, repeat): one B-tree descent reaches a cell's repeats
-- at one budget, stored next to each other.
-- Pages are 4 KiB (schema version 3; 16 KiB before): a lookup of a cell seen for the first
-- time reads about two leaf pages (its hash-index entry, its runs), and readers use plain
-- reads (no memory map), so smaller pages mean fewer bytes read and searched per lookup.
