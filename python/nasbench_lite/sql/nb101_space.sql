-- kind: nb101_space
-- schema_version: 2
-- build: nasbench-lite build nb101-space -o OUT
-- NAS-Bench-101 search space (no training data): every unique cell of the original enumeration.
-- Built by nasbench_lite.benchmarks.nb101_space.build (version 2 added trainable_parameters
-- and flops).
--
-- Encodings (the same as the official TFRecord rows, so both kinds of DB read alike):
--   adjacency: row-major '0'/'1' digits of the V x V representative matrix (length V*V);
--   ops: the V op names joined by ',' ('input', ..., 'output').
-- The representative is the (matrix, ops) the original generate_graphs.py saw first for the hash.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE cells (
    cell_id      INTEGER PRIMARY KEY,  -- 0-based position in the original's first-seen order
    hash         TEXT    NOT NULL,     -- 32 lowercase hex chars: ModelSpec.hash_spec
    num_vertices INTEGER NOT NULL CHECK (num_vertices BETWEEN 2 AND 7),
    num_edges    INTEGER NOT NULL CHECK (num_edges BETWEEN 1 AND 9),
    edge_bits    INTEGER NOT NULL,     -- graph_util.gen_is_edge_fn bits of the adjacency
    adjacency    TEXT    NOT NULL,
    ops          TEXT    NOT NULL,
    -- Whole-network costs computed by nasbench_lite.spaces.nb101.cost (exact; see its docstring):
    trainable_parameters INTEGER NOT NULL,  -- equals the official dataset's value
    flops                INTEGER NOT NULL   -- NAR convention (2 per multiply-add)
);

-- Created after the bulk load by the builder (see nasbench_lite.benchmarks.nb101_space.build):
-- CREATE UNIQUE INDEX cells_hash ON cells(hash);
-- CREATE INDEX cells_shape ON cells(num_vertices, num_edges);
