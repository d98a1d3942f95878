-- kind: nb101
-- schema_version: 1
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
-- runs: one row per (cell, epochs); `metrics` holds every repeat, in file order, as
--   little-endian float64 in this field order per repeat:
--     halfway_training_time, halfway_train_accuracy, halfway_validation_accuracy,
--     halfway_test_accuracy, final_training_time, final_train_accuracy,
--     final_validation_accuracy, final_test_accuracy
--   (8 x 8 bytes per repeat, bit-exact, NaN included). `repeats` = number of repeats.

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
--@ runs.epochs | epochs | - | - | training budget of the runs (4, 12, 36 or 108)
--@ runs.repeats | runs | - | - | number of repeats (independent trainings) stored in `metrics`
--@ runs.metrics | fractions / seconds | per field: see below | none (every repeat, file order) | little-endian float64, 8 per repeat: halfway_training_time (s), halfway_train_accuracy, halfway_validation_accuracy, halfway_test_accuracy, final_training_time (s), final_train_accuracy, final_validation_accuracy, final_test_accuracy; accuracies are fractions, validation = held-out 10k of CIFAR-10 train, test = CIFAR-10 test set, halfway = at epochs/2

--
-- Columns that exist only in the export (runs: one row per cell, epochs and repeat; cells:
-- readable adjacency and ops):
--@export cells.adjacency | - | - | - | row-major '0'/'1' digits of the V x V adjacency matrix
--@export cells.ops | - | - | - | the V op names joined by ',' (input, interior ops, output)
--@export runs.repeat | - | - | - | repeat number (0-based, file order)
--@export runs.halfway_training_time | seconds | trained on: CIFAR-10 train split (40k images), `epochs` epochs; measured on: - | at epochs/2, one repeat | training time up to half the budget (excludes evaluation)
--@export runs.halfway_train_accuracy | fraction | trained on: CIFAR-10 train split (40k images), `epochs` epochs; measured on: the training data | at epochs/2, one repeat | train accuracy
--@export runs.halfway_validation_accuracy | fraction | trained on: CIFAR-10 train split (40k images), `epochs` epochs; measured on: the 10k held out of CIFAR-10 train | at epochs/2, one repeat | validation accuracy
--@export runs.halfway_test_accuracy | fraction | trained on: CIFAR-10 train split (40k images), `epochs` epochs; measured on: the CIFAR-10 test set | at epochs/2, one repeat | test accuracy
--@export runs.final_training_time | seconds | trained on: CIFAR-10 train split (40k images), `epochs` epochs; measured on: - | at the last epoch, one repeat | training time (excludes evaluation)
--@export runs.final_train_accuracy | fraction | trained on: CIFAR-10 train split (40k images), `epochs` epochs; measured on: the training data | at the last epoch, one repeat | train accuracy
--@export runs.final_validation_accuracy | fraction | trained on: CIFAR-10 train split (40k images), `epochs` epochs; measured on: the 10k held out of CIFAR-10 train | at the last epoch, one repeat | validation accuracy
--@export runs.final_test_accuracy | fraction | trained on: CIFAR-10 train split (40k images), `epochs` epochs; measured on: the CIFAR-10 test set | at the last epoch, one repeat | test accuracy

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
    cell_id INTEGER NOT NULL REFERENCES cells (cell_id),
    epochs  INTEGER NOT NULL,
    repeats INTEGER NOT NULL,
    metrics BLOB    NOT NULL,
    PRIMARY KEY (cell_id, epochs)
) WITHOUT ROWID;

-- Created by the builder after the bulk load (documented here, not run from this file):
-- CREATE UNIQUE INDEX cells_hash ON cells(hash);  -- lookups by module hash
-- runs is clustered on (cell_id, epochs): one B-tree descent per (cell, budget).
