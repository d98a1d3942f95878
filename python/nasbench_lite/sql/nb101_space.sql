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

--@ cells.cell_id | - | - | - | 0-based position in the original generate_graphs.py first-seen order
--@ cells.hash | - | - | - | official module hash (ModelSpec.hash_spec, 32 lowercase hex chars)
--@ cells.num_vertices | vertices | - | - | vertices of the pruned cell (2-7, input and output included)
--@ cells.num_edges | edges | - | - | edges of the pruned cell (1-9)
--@ cells.edge_bits | - | - | - | adjacency as bits: bit x + y(y-1)/2 set <-> edge x->y (graph_util.gen_is_edge_fn order)
--@ cells.adjacency | - | - | - | row-major '0'/'1' digits of the V x V representative adjacency matrix
--@ cells.ops | - | - | - | the V op names joined by ',' (input, interior ops, output)
--@ cells.trainable_parameters | parameters | computed (nasbench_lite.spaces.nb101.cost) | - | trainable parameters of the whole CIFAR-10 network; equals the official dataset's value
--@ cells.flops | FLOPs | computed (nasbench_lite.spaces.nb101.cost) | - | FLOPs of one 32x32 forward pass, NAR convention (2 per multiply-add)

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
-- CREATE UNIQUE INDEX cells_hash ON cells(hash);  -- lookups by module hash
-- CREATE INDEX cells_shape ON cells(num_vertices, num_edges);  -- filters by cell size
