"""NATS search spaces without data: official index order, unique strings, isomorphism classes."""

from __future__ import annotations

import bz2
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from nasbench_lite.errors import InvalidInputError
from nasbench_lite.spaces.nb201 import space
from nats_bench.genotype_utils import topology_str2structure

DATA = Path(__file__).parent / "data" / "nats"


class _NoGlobals(pickle.Unpickler):
    """The meta files hold only dicts, lists, sets, ints and strings: refuse any global."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"unexpected global {module}.{name}")


def meta(name: str) -> dict[str, Any]:
    with bz2.open(DATA / name) as handle:
        return dict(_NoGlobals(handle).load())


def test_topology_strings_in_official_index_order() -> None:
    official = meta("tss-meta.pickle.pbz2")
    assert official["total_archs"] == space.NUM_TOPOLOGIES
    assert space.topology_strings() == official["meta_archs"]


def test_size_strings_in_official_index_order() -> None:
    official = meta("sss-meta.pickle.pbz2")
    assert official["total_archs"] == space.NUM_SIZES
    assert space.size_strings() == official["meta_archs"]


def test_unique_str_equals_the_official_one_for_every_topology() -> None:
    for arch in space.topology_strings():
        expected = topology_str2structure(arch).to_unique_str(consider_zero=True)
        assert space.unique_str(arch) == expected, arch


def test_isomorphism_classes() -> None:
    archs = space.topology_strings()
    classes = space.isomorphism_classes()
    assert len(np.unique(classes)) == 6466  # NATS-Bench issue #43 and the literature
    # A class id is the official index of the class's first member.
    assert all(classes[c] == c for c in np.unique(classes).tolist())
    members = np.flatnonzero(classes == classes[0])
    assert len({space.unique_str(archs[i]) for i in members}) == 1
    # A skip edge is transparent: conv(skip(x)) and conv(x) are the same cell...
    a = "|skip_connect~0|+|none~0|nor_conv_3x3~1|+|none~0|none~1|skip_connect~2|"
    b = "|none~0|+|nor_conv_3x3~0|none~1|+|none~0|none~1|skip_connect~2|"
    assert space.unique_str(a) == space.unique_str(b)
    # ...a second convolution is not.
    c = "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|none~0|none~1|skip_connect~2|"
    assert space.unique_str(a) != space.unique_str(c)
    # Every path through a zero op is zero.
    zero = "|nor_conv_1x1~0|+|none~0|none~1|+|none~0|none~1|none~2|"
    assert space.unique_str(zero) == "#+#+#"


def test_malformed_strings() -> None:
    with pytest.raises(InvalidInputError):
        space.unique_str("|nor_conv_3x3|")
