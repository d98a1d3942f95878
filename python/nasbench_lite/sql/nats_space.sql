-- kind: nats_space
-- schema_version: 1
-- build: nasbench-lite build nats-space -o OUT
-- NATS-Bench search spaces without training data.
-- Built by nasbench_lite.benchmarks.nats_space.build.
--
-- topologies: the 15,625 cells of the topology space (tss = NAS-Bench-201), `arch_index` = the
--   official index; `unique_str` = the official get_unique_str; `class_index` = official index
--   of the first cell with the same unique_str (6,466 classes); exact costs per dataset from
--   nasbench_lite.spaces.nb201.cost (params = NATS params x 1e6; flops = NATS flop x 1e6).
-- sizes: the 32,768 channel configurations of the size space (sss), official index order.

--@ topologies.arch_index | - | - | - | official NATS tss / NAS-Bench-201 index
--@ topologies.arch_str | - | - | - | official architecture string |op~in|+|op~in|op~in|+|...|
--@ topologies.unique_str | - | - | - | official get_unique_str (isomorphism key)
--@ topologies.class_index | - | - | - | official index of the first cell with the same unique_str (isomorphism class)
--@ topologies.cifar10_params | parameters | computed for the CIFAR-10 (10 classes, 32x32; the cifar10 and cifar10-valid networks) network (nasbench_lite.spaces.nb201.cost) | - | parameters of the whole network (= NATS params x 1e6)
--@ topologies.cifar10_flops | FLOPs | computed for the CIFAR-10 (10 classes, 32x32; the cifar10 and cifar10-valid networks) network (nasbench_lite.spaces.nb201.cost) | - | FLOPs of one forward pass (= NATS flop x 1e6)
--@ topologies.cifar100_params | parameters | computed for the CIFAR-100 (100 classes, 32x32) network (nasbench_lite.spaces.nb201.cost) | - | parameters of the whole network (= NATS params x 1e6)
--@ topologies.cifar100_flops | FLOPs | computed for the CIFAR-100 (100 classes, 32x32) network (nasbench_lite.spaces.nb201.cost) | - | FLOPs of one forward pass (= NATS flop x 1e6)
--@ topologies.imagenet16_120_params | parameters | computed for the ImageNet16-120 (120 classes, 16x16) network (nasbench_lite.spaces.nb201.cost) | - | parameters of the whole network (= NATS params x 1e6)
--@ topologies.imagenet16_120_flops | FLOPs | computed for the ImageNet16-120 (120 classes, 16x16) network (nasbench_lite.spaces.nb201.cost) | - | FLOPs of one forward pass (= NATS flop x 1e6)
--@ sizes.arch_index | - | - | - | official NATS sss index
--@ sizes.arch_str | - | - | - | channel configuration, e.g. '8:16:24:32:64'

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE topologies (
    arch_index  INTEGER PRIMARY KEY,
    arch_str    TEXT    NOT NULL,
    unique_str  TEXT    NOT NULL,
    class_index INTEGER NOT NULL,
    cifar10_params        INTEGER NOT NULL,
    cifar10_flops         INTEGER NOT NULL,
    cifar100_params       INTEGER NOT NULL,
    cifar100_flops        INTEGER NOT NULL,
    imagenet16_120_params INTEGER NOT NULL,
    imagenet16_120_flops  INTEGER NOT NULL
);

CREATE TABLE sizes (
    arch_index INTEGER PRIMARY KEY,
    arch_str   TEXT    NOT NULL
);

-- Created by the builder after the bulk load (documented here, not run from this file):
-- CREATE UNIQUE INDEX topologies_arch ON topologies(arch_str);
-- CREATE INDEX topologies_class ON topologies(class_index);
-- CREATE UNIQUE INDEX sizes_arch ON sizes(arch_str);
