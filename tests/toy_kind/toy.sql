-- kind: toy
-- schema_version: 1
-- build: nasbench-lite build toy SOURCE -o OUT
-- A toy benchmark declared by the test suite (tests/test_toy_kind.py), not by the package.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE scores (
    arch  TEXT PRIMARY KEY,  -- the source's architecture name
    score REAL NOT NULL,     -- its score
    code  BLOB NOT NULL      -- the name's UTF-8 bytes, reversed (a "compact" column)
) WITHOUT ROWID;
