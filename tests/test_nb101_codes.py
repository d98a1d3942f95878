"""``spaces.nb101.codes``: the ``edge_bits`` / ``op_codes`` columns the NB101 build stores.

Checked against the native enumeration, which computes the same ``gen_is_edge_fn`` bits on its
own (in Rust), for every unique cell up to 5 vertices padded as the build pads them (49 digits,
7 op codes), mixed vertex counts in one batch.
"""

from __future__ import annotations

import numpy as np
from nasbench_lite.spaces.nb101.codes import edge_bits_of, op_codes_of
from nasbench_lite.spaces.nb101.enumerate import space_chunks


def test_codes_match_the_enumeration_on_padded_mixed_batches() -> None:
    chunks = space_chunks(max_vertices=5)
    count = sum(len(c.hashes) for c in chunks)
    adjacency = np.zeros((count, 49), dtype=np.uint8)
    ops = np.zeros((count, 7), dtype=np.int8)
    num_vertices = np.zeros(count, dtype=np.uint8)
    expected_bits, expected_codes = [], []
    row = 0
    for chunk in chunks:
        n, size = chunk.num_vertices, len(chunk.hashes)
        adjacency[row : row + size, : n * n] = chunk.adjacency().reshape(size, n * n)
        ops[row : row + size, :n] = chunk.labels
        num_vertices[row : row + size] = n
        expected_bits += chunk.edge_bits.tolist()
        for labels in chunk.labels.tolist():
            interior = "".join(str(label) for label in labels[1:-1])
            expected_codes.append(int(interior, 3) if interior else 0)
        row += size
    order = np.random.default_rng(7).permutation(count)  # vertex counts interleaved
    bits = edge_bits_of(adjacency[order], num_vertices[order])
    codes = op_codes_of(ops[order], num_vertices[order])
    assert bits.dtype == np.int64 and codes.dtype == np.int64
    assert bits.tolist() == np.asarray(expected_bits, dtype=np.int64)[order].tolist()
    assert codes.tolist() == np.asarray(expected_codes, dtype=np.int64)[order].tolist()
    # Together with the vertex count they name a representative (matrix, ops) uniquely.
    keys = zip(bits.tolist(), codes.tolist(), num_vertices[order].tolist(), strict=True)
    assert len(set(keys)) == count
