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

-- Units: nar101 accuracies are FRACTIONS (NB101), nar201 accuracies PERCENT (NB201); costs in
-- FLOPs / parameters (NB101 file: 2 FLOPs per multiply-add; NB201 file: NAR's own counter).
--
--@ nar101.hash | - | - | - | official NB101 module hash (unique_hash, checked against ours)
--@ nar101.record_index | - | - | - | position in the source list
--@ nar101.trainable_parameters | parameters | - | - | the file's trainable_parameters
--@ nar101.flops | FLOPs | - | - | the file's whole-network flops (2 per multiply-add)
--@ nar101.avg_training_time | seconds | trained on: CIFAR-10 train split (40k), 108 epochs; measured on: - | mean of 3 runs | the file's avg_training_time
--@ nar101.avg_train_accuracy | fraction | trained on: CIFAR-10 train split (40k), 108 epochs; measured on: the training data | mean of 3 runs | the file's avg_train_accuracy
--@ nar101.avg_validation_accuracy | fraction | trained on: CIFAR-10 train split (40k), 108 epochs; measured on: the 10k held out of CIFAR-10 train | mean of 3 runs | the file's avg_validation_accuracy
--@ nar101.avg_test_accuracy | fraction | trained on: CIFAR-10 train split (40k), 108 epochs; measured on: the CIFAR-10 test set | mean of 3 runs | the file's avg_test_accuracy
--@ nar101.matches_computed | - | - | - | 1 when every cost of the record equals nasbench_lite's cost model (else rows in mismatches)
--@ nar201.arch_index | - | - | - | NAS-Bench-201 / NATS tss index (the JSON key)
--@ nar201.arch_str | - | - | - | architecture string
--@ nar201.cifar10_val_acc | % | trained on: CIFAR-10 train half (NATS cifar10-valid); measured on: x-valid (25k held out of CIFAR-10 train) | the file's value (NB201, 200 epochs) | validation accuracy
--@ nar201.cifar10_test_acc | % | trained on: CIFAR-10 train 50k (NATS cifar10); measured on: ori-test (CIFAR-10 test set) | the file's value (NB201, 200 epochs) | test accuracy
--@ nar201.cifar100_val_acc | % | trained on: CIFAR-100 train; measured on: x-valid (half of the CIFAR-100 test set) | the file's value (NB201, 200 epochs) | validation accuracy
--@ nar201.cifar100_test_acc | % | trained on: CIFAR-100 train; measured on: x-test (the other half of the CIFAR-100 test set) | the file's value (NB201, 200 epochs) | test accuracy
--@ nar201.imagenet16_val_acc | % | trained on: ImageNet16-120 train; measured on: x-valid (half of its test set) | the file's value (NB201, 200 epochs) | validation accuracy
--@ nar201.imagenet16_test_acc | % | trained on: ImageNet16-120 train; measured on: x-test (the other half of its test set) | the file's value (NB201, 200 epochs) | test accuracy
--@ nar201.cifar10_latency | seconds | measured on: CIFAR-10 | the file's value | latency (equals the NATS latency)
--@ nar201.cifar100_latency | seconds | measured on: CIFAR-100 | the file's value | latency (equals the NATS latency)
--@ nar201.imagenet16_latency | seconds | measured on: ImageNet16-120 | the file's value | latency (equals the NATS latency)
--@ nar201.cifar10_valid_total_flops | FLOPs | network for cifar10-valid | - | NAR's own FLOP count (about 4% above NB201's MFLOPs x 1e6)
--@ nar201.cifar10_valid_total_params | parameters | network for cifar10-valid | - | parameters (= NB201 params x 1e6)
--@ nar201.cifar100_total_flops | FLOPs | network for cifar100 | - | NAR's own FLOP count
--@ nar201.cifar100_total_params | parameters | network for cifar100 | - | parameters (= NB201 params x 1e6)
--@ nar201.imagenet16_120_total_flops | FLOPs | network for ImageNet16-120 | - | NAR's own FLOP count
--@ nar201.imagenet16_120_total_params | parameters | network for ImageNet16-120 | - | parameters (= NB201 params x 1e6)
--@ nar201.matches_computed | - | - | - | 1 when every cost of the record equals nasbench_lite's cost model
--@ mismatches.dataset | - | - | - | 'nar101' or 'nar201'
--@ mismatches.record | - | - | - | NB101 hash or NB201 arch index of the record
--@ mismatches.field | - | - | - | the differing field
--@ mismatches.file_value | - | - | - | the file's value, JSON
--@ mismatches.computed_value | - | - | - | nasbench_lite's value, JSON

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

-- Indexes: nar101 is clustered on its hash (WITHOUT ROWID), nar201 keyed by arch_index (rowid);
-- mismatches has none (a short list, read whole). No index is created after the load.
-- No foreign keys: the two record sets come from different files and either may be absent.
