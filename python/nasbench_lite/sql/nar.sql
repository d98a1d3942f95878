-- kind: nar
-- schema_version: 1
-- build: nasbench-lite build nar SOURCES... -o OUT
-- NAR cell-information datasets (NB101 per-vertex, NB201 per-edge FLOPs/params).
-- Built by nasbench_lite.benchmarks.nar.build from
-- nasbench_only108_with_vertex_flops_and_params.json and/or
-- nasbench201_with_edge_flops_and_params.json, streamed record by record.
-- Every cost in a record is compared with nasbench_lite's exact cost model: the per-vertex /
-- per-edge lists are not stored (they are recomputable, bit for bit, by
-- nasbench_lite.nb101.cell_costs / nasbench_lite.nats.cell_costs); every difference is listed in
-- `mismatches` and `matches_computed` says whether the record had none.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE nar101 (
    hash                    TEXT PRIMARY KEY,  -- unique_hash (checked against our hash)
    record_index            INTEGER NOT NULL,  -- position in the source list
    trainable_parameters    INTEGER NOT NULL,
    flops                   INTEGER NOT NULL,
    avg_training_time       REAL,
    avg_train_accuracy      REAL,
    avg_validation_accuracy REAL,
    avg_test_accuracy       REAL,
    matches_computed        INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE nar201 (
    arch_index         INTEGER PRIMARY KEY,  -- the NAS-Bench-201 / NATS tss index (JSON key)
    arch_str           TEXT    NOT NULL,
    cifar10_val_acc    REAL,
    cifar10_test_acc   REAL,
    cifar100_val_acc   REAL,
    cifar100_test_acc  REAL,
    imagenet16_val_acc REAL,
    imagenet16_test_acc REAL,
    cifar10_latency    REAL,
    cifar100_latency   REAL,
    imagenet16_latency REAL,
    cifar10_valid_total_flops   INTEGER,
    cifar10_valid_total_params  INTEGER,
    cifar100_total_flops        INTEGER,
    cifar100_total_params       INTEGER,
    imagenet16_120_total_flops  INTEGER,
    imagenet16_120_total_params INTEGER,
    matches_computed   INTEGER NOT NULL
);

CREATE TABLE mismatches (
    dataset        TEXT NOT NULL,  -- 'nar101' or 'nar201'
    record         TEXT NOT NULL,  -- hash or arch index
    field          TEXT NOT NULL,
    file_value     TEXT NOT NULL,  -- JSON
    computed_value TEXT NOT NULL   -- JSON
);
