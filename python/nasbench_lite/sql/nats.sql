-- kind: nats
-- schema_version: 2
-- build: nasbench-lite build nats SOURCE -o OUT
-- NATS-Bench training data (one search space per file), built from the official files.
-- Built by nasbench_lite.benchmarks.nats.build.
--
-- archs: every architecture of the source's meta_archs (official index = list position), with
--   or without results; tss rows carry the official get_unique_str and an isomorphism class
--   (official index of the first architecture with the same unique string).
-- arch_hps: which hyper-parameter settings ('12'/'200' tss, '01'/'12'/'90' sss) an
--   architecture has results for; hp_order = position in its file (official iteration order).
-- runs: one row per (arch, hp, dataset, seed) trial. dataset_order / seed_order keep the order
--   of the file's dataset_seed lists (the official API averages and draws in that order).
--   Scalar columns are the official values at the last epoch:
--     <set>_loss, <set>_accuracy  = ResultsCount.get_train()/get_eval(<set>) values, NULL when
--                                   the set has no value at the last epoch (never invented);
--     <set>_all_time             = their 'all_time' (NULL when the file has no times);
--     <set>_time_epoch/_total    = ResultsCount.get_times() 'T-<set>@epoch' / '@total';
--     latency                    = ResultsCount.get_latency() (-1.0 when the file has none).
--   set = train | x_valid | x_test | ori_test. eval_names = the file's eval-set names, in order,
--   joined by ','. params (millions) and flops (MFLOPs) are the file's values.
--   SQL REAL cannot hold NaN (SQLite stores it as NULL): bit i of nan_mask is set where the
--   i-th of those columns (nasbench_lite.benchmarks.nats.trial.FINAL_FIELDS order) is NaN, so NULL without
--   the bit means "absent" and every value round-trips bit for bit.
-- curves: every per-epoch value of a run, bit-exact: see nasbench_lite.benchmarks.nats.trial.
-- configs: the distinct arch_config dicts that runs refer to, as JSON with sorted keys in which
--   values equal to the architecture's own string are null and listed under "$arch" (so the
--   dicts of different architectures share rows; the API puts the string back).
-- summaries: per (hp, dataset, arch) what find_best compares, computed with the official
--   arithmetic (ArchResults.get_compute_costs / get_metrics(is_random=False)) at build time:
--   mean over the trials of the final accuracy of each set (NULL when a trial lacks it),
--   flops/params after the official legacy fix, mean latency, and the number of trials.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE archs (
    arch_index  INTEGER PRIMARY KEY,
    arch_str    TEXT    NOT NULL,
    unique_str  TEXT,
    class_index INTEGER,
    has_results INTEGER NOT NULL
);

CREATE TABLE arch_hps (
    arch_index INTEGER NOT NULL,
    hp         TEXT    NOT NULL,
    hp_order   INTEGER NOT NULL,
    PRIMARY KEY (arch_index, hp)
) WITHOUT ROWID;

CREATE TABLE configs (
    config_id INTEGER PRIMARY KEY,
    config    TEXT    NOT NULL
);

CREATE TABLE runs (
    arch_index    INTEGER NOT NULL,
    hp            TEXT    NOT NULL,
    dataset       TEXT    NOT NULL,
    seed          INTEGER NOT NULL,
    run_id        INTEGER NOT NULL,
    dataset_order INTEGER NOT NULL,
    seed_order    INTEGER NOT NULL,
    seed_label    TEXT,
    epochs        INTEGER NOT NULL,
    eval_names    TEXT    NOT NULL,
    config_id     INTEGER,
    params        REAL,
    flops         REAL,
    latency       REAL    NOT NULL,
    train_loss          REAL, train_accuracy    REAL, train_all_time    REAL,
    x_valid_loss        REAL, x_valid_accuracy  REAL, x_valid_all_time  REAL,
    x_test_loss         REAL, x_test_accuracy   REAL, x_test_all_time   REAL,
    ori_test_loss       REAL, ori_test_accuracy REAL, ori_test_all_time REAL,
    train_time_epoch    REAL, train_time_total    REAL,
    x_valid_time_epoch  REAL, x_valid_time_total  REAL,
    x_test_time_epoch   REAL, x_test_time_total   REAL,
    ori_test_time_epoch REAL, ori_test_time_total REAL,
    nan_mask      INTEGER NOT NULL,
    PRIMARY KEY (arch_index, hp, dataset, seed)
) WITHOUT ROWID;

CREATE TABLE curves (
    run_id INTEGER PRIMARY KEY,
    data   BLOB    NOT NULL
);

CREATE TABLE summaries (
    hp         TEXT    NOT NULL,
    dataset    TEXT    NOT NULL,
    arch_index INTEGER NOT NULL,
    n_seeds    INTEGER NOT NULL,
    flops      REAL,
    params     REAL,
    latency    REAL,
    train_accuracy    REAL,
    x_valid_accuracy  REAL,
    x_test_accuracy   REAL,
    ori_test_accuracy REAL,
    PRIMARY KEY (hp, dataset, arch_index)
) WITHOUT ROWID;

-- Created by the builder after the bulk load:
-- CREATE UNIQUE INDEX archs_arch ON archs(arch_str);
-- CREATE INDEX archs_class ON archs(class_index);  (tss only)
