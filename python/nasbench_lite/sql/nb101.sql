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
    cell_id INTEGER NOT NULL,
    epochs  INTEGER NOT NULL,
    repeats INTEGER NOT NULL,
    metrics BLOB    NOT NULL,
    PRIMARY KEY (cell_id, epochs)
) WITHOUT ROWID;

-- Created by the builder after the bulk load:
-- CREATE UNIQUE INDEX cells_hash ON cells(hash);
