"""The NATS curves codec (``layout.encode_curves`` / ``Curves`` / ``Trial.decode``): bit-exact.

Every kind of series the encoder picks is produced here on purpose (constant, short decimals of
16/24/32-bit integers, split float64 with 4-bit and 8-bit table indexes, plain float64 when a
series has more than 256 distinct top bits), with NaN, -0.0, infinities and partial presence,
and read back both by random access (``Curves.get`` / ``metric`` / ``prefix_sum``) and by the full
NumPy decode.
"""

from __future__ import annotations

import struct

import numpy as np
import pytest
from nasbench_lite.benchmarks.nats.layout import Curves, Unavailable, encode_curves
from nasbench_lite.benchmarks.nats.trial import Trial
from nasbench_lite.errors import CorruptDatabaseError


def _bits(x: float) -> bytes:
    return struct.pack("<d", x)


def _series(rng: np.random.Generator, epochs: int) -> list[np.ndarray]:
    ramp = np.linspace(1.0, 90.0, epochs)
    out = [
        np.full(epochs, 75.61976063664754),  # constant (a time)
        np.round(rng.uniform(0, 100, epochs), 2),  # 2 decimals, |k| <= 10000: 16-bit
        np.round(rng.uniform(0, 100, epochs), 3),  # 3 decimals, up to 100000: 24-bit
        np.round(rng.uniform(-3000, 3000, epochs), 5),  # 5 decimals: 32-bit
        ramp + rng.uniform(0, 1e-3, epochs),  # noisy, few distinct top bits
        rng.uniform(0.01, 5.0, epochs),  # noisy losses
        np.exp(rng.uniform(-300, 300, epochs)),  # noisy, many exponents
    ]
    special = rng.uniform(0, 1, epochs)
    special[: min(4, epochs)] = [np.nan, -0.0, np.inf, -np.inf][: min(4, epochs)]
    out.append(special)
    out.append(-np.round(rng.uniform(0, 1, epochs), 1) * 0.0)  # -0.0 and 0.0 (not decimal)
    return out


@pytest.mark.parametrize("epochs", [1, 2, 12, 90, 200, 300])
def test_every_value_round_trips_bit_for_bit(epochs: int) -> None:
    rng = np.random.default_rng(epochs)
    values = np.stack(_series(rng, epochs))
    n = values.shape[0]
    present = np.ones_like(values, dtype=bool)
    present[1, ::3] = False  # a bitmap
    present[0, :-1] = False  # only the last epoch (a constant with a bitmap)
    present[5] = rng.uniform(size=epochs) < 0.7
    present[4, epochs // 2 :] = False
    dict_present = [True] * n
    dict_present[3] = False
    latency = [0.01, 0.02] if epochs % 2 else None
    blob = encode_curves(values, present, dict_present, latency)
    curves = Curves(blob)
    assert curves.epochs == epochs and curves.latency() == latency
    kinds = set(curves.layout.kinds)  # 1 CONST, 2/3/4 DEC16/24/32, 5/6 SPLIT(4), 7 F8
    if epochs == 300:
        assert {1, 2, 3, 4, 5, 7} <= kinds
    if epochs == 12:
        assert {1, 2, 3, 4, 6} <= kinds
    decoded, mask = curves.arrays()
    assert (mask == present).all()
    assert (decoded.view("<u8")[present] == values.view("<u8")[present]).all()
    assert (decoded[~present] == 0.0).all()
    for e in range(epochs):
        for s in range(n):
            assert curves.present(s, e) == present[s, e]
            if dict_present[s] and present[s, e]:
                assert _bits(curves.get(s, e)) == _bits(values[s, e])
            else:
                with pytest.raises(Unavailable):
                    curves.get(s, e)
    for s in (0, 4, 5, 6, 7):
        for e in {0, epochs // 2, epochs - 1}:
            if present[s, : e + 1].all():
                expected = sum(values[s, : e + 1].tolist())
                assert _bits(curves.prefix_sum(s, e)) == _bits(expected)
            else:
                with pytest.raises(Unavailable):
                    curves.prefix_sum(s, e)


def test_the_encoder_picks_compact_kinds() -> None:
    epochs = 200
    values = np.stack([np.round(np.linspace(10, 90, epochs), 2), np.linspace(1, 2, epochs)])
    blob = encode_curves(values, np.ones_like(values, dtype=bool), [True, True], None)
    assert len(blob) < epochs * (2 + 7) + 200  # 2 bytes per decimal, 6 + 1 per split value
    layout = Curves(blob).layout
    assert layout.kinds[0] == 2  # DEC16
    assert layout.kinds[1] in (5, 6)  # SPLIT / SPLIT4


def test_trial_decode_checks_the_series_count() -> None:
    values = np.zeros((7, 3))
    blob = encode_curves(values, np.ones_like(values, dtype=bool), [True] * 7, None)
    assert Trial.decode(blob, ["ori-test"]).epochs == 3
    with pytest.raises(CorruptDatabaseError):
        Trial.decode(blob, ["x-valid", "ori-test"])


@pytest.mark.parametrize(
    "mutate",
    [
        lambda b: b[:3],  # shorter than the header
        lambda b: b[:-5],  # cut inside the rows / latency
        lambda b: bytes([2]) + b[1:],  # version 2 (zlib) is not read
        lambda b: b[:5] + bytes([0xFF]) + b[6:],  # unknown kind
    ],
)
def test_damaged_blobs_raise_corrupt_database_error(mutate: object) -> None:
    rng = np.random.default_rng(0)
    values = np.stack(_series(rng, 12))
    blob = encode_curves(values, np.ones_like(values, dtype=bool), [True] * len(values), [1.0])
    with pytest.raises(CorruptDatabaseError):
        curves = Curves(mutate(blob))  # type: ignore[operator]
        curves.arrays()
        curves.latency()


def test_a_table_index_outside_its_table_is_refused() -> None:
    values = np.stack([np.linspace(1, 2, 12) + 1e-9 * np.arange(12)])
    blob = bytearray(encode_curves(values, np.ones((1, 12), dtype=bool), [True], None))
    curves = Curves(bytes(blob))
    layout = curves.layout
    assert layout.kinds[0] == 6  # SPLIT4: 4-bit indexes after the table
    blob[layout.nibbles[0]] = 0xFF  # index 15 > table size
    damaged = Curves(bytes(blob))
    with pytest.raises(CorruptDatabaseError):
        damaged.get(0, 0)
    with pytest.raises(CorruptDatabaseError):
        damaged.arrays()
