-- kind: nats
-- schema_version: 5
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
-- curves: every per-epoch value of a run, bit-exact, uncompressed so that one value at one epoch
--   is read at a fixed offset. Storage order (run_id order): the trials of one (arch, hp,
--   dataset) are consecutive and packed into one page where they fit (a call reads one page;
--   nasbench_lite.benchmarks.nats.packing), so run_id follows arch_index only roughly; join on
--   run_id, never compare run ids. Page size: 16 KiB for sss, 64 KiB for tss (format version 3, little-endian; the full byte layout is in
--   nasbench_lite.benchmarks.nats.layout):
--     u8 version=3 | u16 n_series | u16 epochs | per series u8 flags, u8 param
--     | f8 per CONST series | presence bitmap per BITMAP series | u16 table per SPLIT series
--     | 4-bit indexes per SPLIT4 series | epochs fixed-width rows | i32 latency count, f8s.
--   Series: train_acc1es, train_acc5es, train_losses, train_times, then per eval set of
--   eval_names its accuracy, loss, time. flags = dict_present | presence << 1 | kind << 3;
--   kinds: CONST (one f8), DEC16/DEC24/DEC32 (integer k, value = k / 10.0**param, used only
--   where that reproduces every value bit for bit), SPLIT/SPLIT4 (low 48 bits in the row, top
--   16 bits from the series' table by an 8/4-bit index), F8 (plain f8).
-- curve_index: an access path, no new values (everything in it is derived from runs): per
--   (arch, hp, dataset) where its trials' curves rows are. The builder stores them
--   consecutively and page-packed (run_id first .. first + n - 1), so a mid-run
--   get_more_info reads one curves leaf instead of the runs leaf and the curves leaf.
--   One row (id 0) whose data holds one little-endian u32 per group_key = arch_index * 16 +
--   hp slot * 4 + dataset slot (hp slots '01' 0, '12' 1, '90' 2, '200' 3; dataset slots
--   cifar10-valid 0, cifar10 1, cifar100 2, ImageNet16-120 3): first run_id << 8 |
--   curve_shapes.shape_id, or 0xFFFFFFFF where the group has no entry (another hp or dataset,
--   more than 255 shapes; readers then join runs). Readers keep it in memory (4 bytes per
--   group: ~2 MB for the size space); SQL users join runs and curves on run_id.
--   curve_shapes: the trials' seeds, eval-set names, epochs and run-id offsets of a group, in
--   seed order (a handful of distinct shapes; n_trials = the length of its lists).
-- configs: the distinct arch_config dicts that runs refer to, as JSON with sorted keys in which
--   values equal to the architecture's own string are null and listed under "$arch" (so the
--   dicts of different architectures share rows; the API puts the string back).
-- summaries: per (hp, dataset, arch) what find_best compares, computed with the official
--   arithmetic (ArchResults.get_compute_costs / get_metrics(is_random=False)) at build time:
--   mean over the trials of the final accuracy of each set (NULL when a trial lacks it),
--   flops/params after the official legacy fix, mean latency, and the number of trials.

-- Units: accuracies in PERCENT (0-100; NB101 uses fractions), losses cross-entropy, times and
-- latency in seconds (NATS times are pseudo times, see the NATS-Bench paper), params in millions,
-- flops in MFLOPs. hp = training schedule: tss '12' / '200' epochs, sss '01' / '12' / '90'.
--
--@ archs.arch_index | - | - | - | official NATS index (position in meta_archs)
--@ archs.arch_str | - | - | - | official architecture string (tss cell or sss channel list)
--@ archs.unique_str | - | - | - | tss: official get_unique_str (isomorphism key); NULL for sss
--@ archs.class_index | - | - | - | tss: official index of the first architecture with the same unique_str; NULL for sss
--@ archs.has_results | - | - | - | 1 when the source holds training results for the architecture
--@ arch_hps.arch_index | - | - | - | archs.arch_index
--@ arch_hps.hp | - | - | - | training schedule with results ('12'/'200' tss, '01'/'12'/'90' sss)
--@ arch_hps.hp_order | - | - | - | position of hp in the architecture's file (official iteration order)
--@ configs.config_id | - | - | - | row id (runs.config_id)
--@ configs.config | - | - | - | arch_config dict as JSON with sorted keys; values equal to the architecture string are null and listed under "$arch"
--@ runs.arch_index | - | - | - | archs.arch_index
--@ runs.hp | - | - | - | training schedule ('12'/'200' tss, '01'/'12'/'90' sss)
--@ runs.dataset | - | - | - | official dataset key: cifar10-valid, cifar10, cifar100, ImageNet16-120 (decides the splits, see the set columns)
--@ runs.seed | - | - | - | training seed
--@ runs.run_id | - | - | - | curves.run_id of the trial's per-epoch values (page-packed storage order, see the curves comment)
--@ runs.dataset_order | - | - | - | position of dataset in the file's dataset_seed (official averaging order)
--@ runs.seed_order | - | - | - | position of seed in the file's seed list (official averaging/draw order)
--@ runs.seed_label | - | - | - | the file's seed string (e.g. '0777')
--@ runs.epochs | epochs | - | - | epochs the trial was trained for
--@ runs.eval_names | - | - | - | the file's eval-set names, in order, joined by ','
--@ runs.config_id | - | - | - | configs.config_id of the arch_config
--@ runs.params | millions of parameters | trained on the row's dataset (cifar10-valid: CIFAR-10 train half, 25k; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: their train set) | - | the file's params
--@ runs.flops | MFLOPs | trained on the row's dataset (cifar10-valid: CIFAR-10 train half, 25k; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: their train set) | - | the file's flop
--@ runs.latency | seconds | measured on: the row's dataset, batch 256 | mean of the file's latency list | ResultsCount.get_latency() (-1.0 when the file has none)
--@ runs.train_loss | cross-entropy | trained on the row's dataset (cifar10-valid: CIFAR-10 train half, 25k; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: their train set); measured on: the training data itself | last epoch, one seed | get_train('train') loss; NULL when absent
--@ runs.train_accuracy | % | trained on the row's dataset (cifar10-valid: CIFAR-10 train half, 25k; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: their train set); measured on: the training data itself | last epoch, one seed | top-1 accuracy on train; NULL when absent (NaN restored via nan_mask)
--@ runs.train_all_time | seconds | trained on the row's dataset (cifar10-valid: CIFAR-10 train half, 25k; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: their train set); measured on: the training data itself | sum over epochs, one seed | the official 'all_time' of train; NULL when the file has no times
--@ runs.train_time_epoch | seconds | trained on the row's dataset (cifar10-valid: CIFAR-10 train half, 25k; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: their train set); measured on: the training data itself | per epoch, one seed | get_times() 'T-train@epoch'
--@ runs.train_time_total | seconds | trained on the row's dataset (cifar10-valid: CIFAR-10 train half, 25k; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: their train set); measured on: the training data itself | total, one seed | get_times() 'T-train@total'
--@ runs.x_valid_loss | cross-entropy | trained on the row's dataset (cifar10-valid: CIFAR-10 train half, 25k; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: their train set); measured on: x-valid (cifar10-valid: the 25k held out of CIFAR-10 train; cifar100 / ImageNet16-120: half of the original test set; cifar10: none) | last epoch, one seed | get_eval('x-valid') loss; NULL when absent
--@ runs.x_valid_accuracy | % | trained on the row's dataset (cifar10-valid: CIFAR-10 train half, 25k; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: their train set); measured on: x-valid (cifar10-valid: the 25k held out of CIFAR-10 train; cifar100 / ImageNet16-120: half of the original test set; cifar10: none) | last epoch, one seed | top-1 accuracy on x-valid; NULL when absent (NaN restored via nan_mask)
--@ runs.x_valid_all_time | seconds | trained on the row's dataset (cifar10-valid: CIFAR-10 train half, 25k; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: their train set); measured on: x-valid (cifar10-valid: the 25k held out of CIFAR-10 train; cifar100 / ImageNet16-120: half of the original test set; cifar10: none) | sum over epochs, one seed | the official 'all_time' of x-valid; NULL when the file has no times
--@ runs.x_valid_time_epoch | seconds | trained on the row's dataset (cifar10-valid: CIFAR-10 train half, 25k; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: their train set); measured on: x-valid (cifar10-valid: the 25k held out of CIFAR-10 train; cifar100 / ImageNet16-120: half of the original test set; cifar10: none) | per epoch, one seed | get_times() 'T-x-valid@epoch'
--@ runs.x_valid_time_total | seconds | trained on the row's dataset (cifar10-valid: CIFAR-10 train half, 25k; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: their train set); measured on: x-valid (cifar10-valid: the 25k held out of CIFAR-10 train; cifar100 / ImageNet16-120: half of the original test set; cifar10: none) | total, one seed | get_times() 'T-x-valid@total'
--@ runs.x_test_loss | cross-entropy | trained on the row's dataset (cifar10-valid: CIFAR-10 train half, 25k; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: their train set); measured on: x-test (cifar100 / ImageNet16-120: the other half of the original test set; cifar10 and cifar10-valid: none) | last epoch, one seed | get_eval('x-test') loss; NULL when absent
--@ runs.x_test_accuracy | % | trained on the row's dataset (cifar10-valid: CIFAR-10 train half, 25k; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: their train set); measured on: x-test (cifar100 / ImageNet16-120: the other half of the original test set; cifar10 and cifar10-valid: none) | last epoch, one seed | top-1 accuracy on x-test; NULL when absent (NaN restored via nan_mask)
--@ runs.x_test_all_time | seconds | trained on the row's dataset (cifar10-valid: CIFAR-10 train half, 25k; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: their train set); measured on: x-test (cifar100 / ImageNet16-120: the other half of the original test set; cifar10 and cifar10-valid: none) | sum over epochs, one seed | the official 'all_time' of x-test; NULL when the file has no times
--@ runs.x_test_time_epoch | seconds | trained on the row's dataset (cifar10-valid: CIFAR-10 train half, 25k; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: their train set); measured on: x-test (cifar100 / ImageNet16-120: the other half of the original test set; cifar10 and cifar10-valid: none) | per epoch, one seed | get_times() 'T-x-test@epoch'
--@ runs.x_test_time_total | seconds | trained on the row's dataset (cifar10-valid: CIFAR-10 train half, 25k; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: their train set); measured on: x-test (cifar100 / ImageNet16-120: the other half of the original test set; cifar10 and cifar10-valid: none) | total, one seed | get_times() 'T-x-test@total'
--@ runs.ori_test_loss | cross-entropy | trained on the row's dataset (cifar10-valid: CIFAR-10 train half, 25k; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: their train set); measured on: ori-test, the whole original test set (cifar100 / ImageNet16-120: x-valid + x-test, so it CONTAINS the validation half - never report it as validation) | last epoch, one seed | get_eval('ori-test') loss; NULL when absent
--@ runs.ori_test_accuracy | % | trained on the row's dataset (cifar10-valid: CIFAR-10 train half, 25k; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: their train set); measured on: ori-test, the whole original test set (cifar100 / ImageNet16-120: x-valid + x-test, so it CONTAINS the validation half - never report it as validation) | last epoch, one seed | top-1 accuracy on ori-test; NULL when absent (NaN restored via nan_mask)
--@ runs.ori_test_all_time | seconds | trained on the row's dataset (cifar10-valid: CIFAR-10 train half, 25k; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: their train set); measured on: ori-test, the whole original test set (cifar100 / ImageNet16-120: x-valid + x-test, so it CONTAINS the validation half - never report it as validation) | sum over epochs, one seed | the official 'all_time' of ori-test; NULL when the file has no times
--@ runs.ori_test_time_epoch | seconds | trained on the row's dataset (cifar10-valid: CIFAR-10 train half, 25k; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: their train set); measured on: ori-test, the whole original test set (cifar100 / ImageNet16-120: x-valid + x-test, so it CONTAINS the validation half - never report it as validation) | per epoch, one seed | get_times() 'T-ori-test@epoch'
--@ runs.ori_test_time_total | seconds | trained on the row's dataset (cifar10-valid: CIFAR-10 train half, 25k; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: their train set); measured on: ori-test, the whole original test set (cifar100 / ImageNet16-120: x-valid + x-test, so it CONTAINS the validation half - never report it as validation) | total, one seed | get_times() 'T-ori-test@total'
--@ runs.nan_mask | - | - | - | bit i set where the i-th final column (nasbench_lite.benchmarks.nats.trial.FINAL_FIELDS order) is NaN (SQLite stores NaN as NULL)
--@ curves.run_id | - | - | - | runs.run_id
--@ curves.data | % / cross-entropy / seconds | as the runs set columns | every epoch, one seed | blob of every per-epoch value, bit-exact, format version 3 (header comment above; layout in nasbench_lite.benchmarks.nats.layout): decode with nasbench_lite.benchmarks.nats.layout.Curves or read the export's curves table
--@ curve_index.id | - | - | - | 0 (one row)
--@ curve_index.data | - | - | - | per group_key (arch_index * 16 + hp slot * 4 + dataset slot) a little-endian u32: first run_id << 8 | curve_shapes.shape_id, 0xFFFFFFFF for none (see the curve_index comment)
--@ curve_shapes.shape_id | - | - | - | row id (low byte of a curve_index entry)
--@ curve_shapes.seeds | - | - | - | JSON list of the group's runs.seed values, in seed order
--@ curve_shapes.eval_names | - | - | - | JSON list of the trials' runs.eval_names, in seed order
--@ curve_shapes.epochs | - | - | - | JSON list of the trials' runs.epochs, in seed order
--@ curve_shapes.positions | - | - | - | JSON list of each trial's run_id minus the group's first run_id, in seed order
--@ summaries.hp | - | - | - | training schedule
--@ summaries.dataset | - | - | - | official dataset key (decides the splits)
--@ summaries.arch_index | - | - | - | archs.arch_index
--@ summaries.n_seeds | runs | - | - | number of trials averaged
--@ summaries.flops | MFLOPs | trained on the row's dataset (cifar10-valid: CIFAR-10 train half, 25k; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: their train set) | official get_compute_costs (legacy fix applied) | flops of the network
--@ summaries.params | millions of parameters | trained on the row's dataset (cifar10-valid: CIFAR-10 train half, 25k; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: their train set) | official get_compute_costs (legacy fix applied) | parameters of the network
--@ summaries.latency | seconds | measured on: the row's dataset, batch 256 | mean over trials | latency
--@ summaries.train_accuracy | % | trained on the row's dataset (cifar10-valid: CIFAR-10 train half, 25k; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: their train set); measured on: the training data itself | mean over seeds of the last-epoch value (official get_metrics(is_random=False)) | top-1 accuracy on train
--@ summaries.x_valid_accuracy | % | trained on the row's dataset (cifar10-valid: CIFAR-10 train half, 25k; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: their train set); measured on: x-valid (cifar10-valid: the 25k held out of CIFAR-10 train; cifar100 / ImageNet16-120: half of the original test set; cifar10: none) | mean over seeds of the last-epoch value (official get_metrics(is_random=False)) | top-1 accuracy on x-valid
--@ summaries.x_test_accuracy | % | trained on the row's dataset (cifar10-valid: CIFAR-10 train half, 25k; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: their train set); measured on: x-test (cifar100 / ImageNet16-120: the other half of the original test set; cifar10 and cifar10-valid: none) | mean over seeds of the last-epoch value (official get_metrics(is_random=False)) | top-1 accuracy on x-test
--@ summaries.ori_test_accuracy | % | trained on the row's dataset (cifar10-valid: CIFAR-10 train half, 25k; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: their train set); measured on: ori-test, the whole original test set (cifar100 / ImageNet16-120: x-valid + x-test, so it CONTAINS the validation half - never report it as validation) | mean over seeds of the last-epoch value (official get_metrics(is_random=False)) | top-1 accuracy on ori-test
--@ final_accuracy.arch_index | - | - | - | archs.arch_index
--@ final_accuracy.arch_str | - | - | - | archs.arch_str
--@ final_accuracy.hp | - | - | - | training schedule
--@ final_accuracy.dataset | - | - | - | official dataset key: what the model was trained on (cifar10-valid: CIFAR-10 train half; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: train)
--@ final_accuracy.eval_set TEXT | - | - | - | official set name the accuracy was measured on: train, x-valid, x-test, ori-test (see runs.*_accuracy for each dataset's meaning)
--@ final_accuracy.accuracy REAL | % | trained on the row's dataset (cifar10-valid: CIFAR-10 train half, 25k; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: their train set); measured on: eval_set | mean over seeds of the last-epoch value | top-1 accuracy
--@ final_accuracy.n_seeds | runs | - | - | number of trials averaged
--@ final_accuracy.flops | MFLOPs | trained on the row's dataset (cifar10-valid: CIFAR-10 train half, 25k; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: their train set) | official get_compute_costs | flops
--@ final_accuracy.params | millions of parameters | trained on the row's dataset (cifar10-valid: CIFAR-10 train half, 25k; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: their train set) | official get_compute_costs | parameters
--@ final_accuracy.latency | seconds | measured on: the row's dataset, batch 256 | mean over trials | latency
--
-- Columns of the export's curves table (one row per trial and epoch; null where the file has none):
--@export curves.arch_index | - | - | - | archs.arch_index
--@export curves.hp | - | - | - | training schedule
--@export curves.dataset | - | - | - | official dataset key (decides the splits)
--@export curves.seed | - | - | - | training seed
--@export curves.epoch | epochs | - | - | 0-based epoch
--@export curves.train_accuracy | % | trained on the row's dataset (cifar10-valid: CIFAR-10 train half; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: train); measured on: the training data | this epoch, one seed | top-1 train accuracy (train_acc1es)
--@export curves.train_accuracy_top5 | % | trained on the row's dataset (cifar10-valid: CIFAR-10 train half; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: train); measured on: the training data | this epoch, one seed | top-5 train accuracy (train_acc5es)
--@export curves.train_loss | cross-entropy | trained on the row's dataset (cifar10-valid: CIFAR-10 train half; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: train); measured on: the training data | this epoch, one seed | train loss
--@export curves.train_time | seconds | trained on the row's dataset (cifar10-valid: CIFAR-10 train half; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: train) | this epoch, one seed | train time (pseudo time)
--@export curves.x_valid_accuracy | % | trained on the row's dataset (cifar10-valid: CIFAR-10 train half; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: train); measured on: x-valid (cifar10-valid: 25k held out of CIFAR-10 train; cifar100 / ImageNet16-120: half of the original test set) | this epoch, one seed | top-1 accuracy
--@export curves.x_valid_loss | cross-entropy | trained on the row's dataset (cifar10-valid: CIFAR-10 train half; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: train); measured on: x-valid (cifar10-valid: 25k held out of CIFAR-10 train; cifar100 / ImageNet16-120: half of the original test set) | this epoch, one seed | loss
--@export curves.x_valid_time | seconds | trained on the row's dataset (cifar10-valid: CIFAR-10 train half; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: train); measured on: x-valid (cifar10-valid: 25k held out of CIFAR-10 train; cifar100 / ImageNet16-120: half of the original test set) | this epoch, one seed | evaluation time (pseudo time)
--@export curves.x_test_accuracy | % | trained on the row's dataset (cifar10-valid: CIFAR-10 train half; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: train); measured on: x-test (cifar100 / ImageNet16-120: the other half of the original test set) | this epoch, one seed | top-1 accuracy
--@export curves.x_test_loss | cross-entropy | trained on the row's dataset (cifar10-valid: CIFAR-10 train half; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: train); measured on: x-test (cifar100 / ImageNet16-120: the other half of the original test set) | this epoch, one seed | loss
--@export curves.x_test_time | seconds | trained on the row's dataset (cifar10-valid: CIFAR-10 train half; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: train); measured on: x-test (cifar100 / ImageNet16-120: the other half of the original test set) | this epoch, one seed | evaluation time (pseudo time)
--@export curves.ori_test_accuracy | % | trained on the row's dataset (cifar10-valid: CIFAR-10 train half; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: train); measured on: ori-test, the whole original test set (cifar100 / ImageNet16-120: contains the x-valid half) | this epoch, one seed | top-1 accuracy
--@export curves.ori_test_loss | cross-entropy | trained on the row's dataset (cifar10-valid: CIFAR-10 train half; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: train); measured on: ori-test, the whole original test set (cifar100 / ImageNet16-120: contains the x-valid half) | this epoch, one seed | loss
--@export curves.ori_test_time | seconds | trained on the row's dataset (cifar10-valid: CIFAR-10 train half; cifar10: CIFAR-10 train 50k; cifar100 / ImageNet16-120: train); measured on: ori-test, the whole original test set (cifar100 / ImageNet16-120: contains the x-valid half) | this epoch, one seed | evaluation time (pseudo time)

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
    arch_index INTEGER NOT NULL REFERENCES archs (arch_index),
    hp         TEXT    NOT NULL,
    hp_order   INTEGER NOT NULL,
    PRIMARY KEY (arch_index, hp)
) WITHOUT ROWID;

CREATE TABLE configs (
    config_id INTEGER PRIMARY KEY,
    config    TEXT    NOT NULL
);

CREATE TABLE runs (
    arch_index    INTEGER NOT NULL REFERENCES archs (arch_index),
    hp            TEXT    NOT NULL,
    dataset       TEXT    NOT NULL,
    seed          INTEGER NOT NULL,
    run_id        INTEGER NOT NULL,
    dataset_order INTEGER NOT NULL,
    seed_order    INTEGER NOT NULL,
    seed_label    TEXT,
    epochs        INTEGER NOT NULL,
    eval_names    TEXT    NOT NULL,
    config_id     INTEGER REFERENCES configs (config_id),
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

CREATE TABLE curve_shapes (
    shape_id   INTEGER PRIMARY KEY,
    seeds      TEXT    NOT NULL,
    eval_names TEXT    NOT NULL,
    epochs     TEXT    NOT NULL,
    positions  TEXT    NOT NULL
);

CREATE TABLE curve_index (
    id   INTEGER PRIMARY KEY,
    data BLOB    NOT NULL
);

CREATE TABLE summaries (
    hp         TEXT    NOT NULL,
    dataset    TEXT    NOT NULL,
    arch_index INTEGER NOT NULL REFERENCES archs (arch_index),
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


-- Final accuracy per (architecture, hp, dataset, eval set), one row per set that has a value,
-- with the network's costs: the usual "accuracy vs FLOPs" question in one SELECT.
CREATE VIEW final_accuracy AS
SELECT s.arch_index, a.arch_str, s.hp, s.dataset, 'train' AS eval_set,
       s.train_accuracy AS accuracy, s.n_seeds, s.flops, s.params, s.latency
  FROM summaries s JOIN archs a USING (arch_index) WHERE s.train_accuracy IS NOT NULL
UNION ALL
SELECT s.arch_index, a.arch_str, s.hp, s.dataset, 'x-valid' AS eval_set,
       s.x_valid_accuracy AS accuracy, s.n_seeds, s.flops, s.params, s.latency
  FROM summaries s JOIN archs a USING (arch_index) WHERE s.x_valid_accuracy IS NOT NULL
UNION ALL
SELECT s.arch_index, a.arch_str, s.hp, s.dataset, 'x-test' AS eval_set,
       s.x_test_accuracy AS accuracy, s.n_seeds, s.flops, s.params, s.latency
  FROM summaries s JOIN archs a USING (arch_index) WHERE s.x_test_accuracy IS NOT NULL
UNION ALL
SELECT s.arch_index, a.arch_str, s.hp, s.dataset, 'ori-test' AS eval_set,
       s.ori_test_accuracy AS accuracy, s.n_seeds, s.flops, s.params, s.latency
  FROM summaries s JOIN archs a USING (arch_index) WHERE s.ori_test_accuracy IS NOT NULL;

-- Created by the builder after the bulk load (documented here, not run from this file):
-- CREATE UNIQUE INDEX archs_arch ON archs(arch_str);  -- lookups by architecture string
-- CREATE INDEX archs_class ON archs(class_index);  (tss only: isomorphism-class lookups)
-- runs and summaries are clustered on their primary keys (WITHOUT ROWID).
