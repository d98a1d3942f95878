"""``nats_bench`` 1.8 mirrored on nasbench_lite databases: ``X`` -> ``nasbench_lite.compat.X``.

::

    from nasbench_lite.compat.nats_bench import create     # was: from nats_bench import create
    api = create(None, "tss", fast_mode=True, verbose=False)  # $TORCH_HOME, official names

Modules ``api_utils``, ``api_topology``, ``api_size`` and ``genotype_utils`` carry the
official names. ``create`` takes what the official one takes (the ``-simple`` folder, the
``.pickle.pbz2`` file, None for the default location) and also a nasbench_lite database; an
official source is built once into the nasbench_lite cache. Results, printed text, types and
the draws from the global ``random`` module are the official ones (the remaining differences
are listed in the README's Porting section).
"""

from __future__ import annotations

import os
from typing import Any

from nasbench_lite.compat.nats_bench.api_size import NATSsize
from nasbench_lite.compat.nats_bench.api_topology import NATStopology
from nasbench_lite.compat.nats_bench.api_utils import (
    ArchResults,
    ResultsCount,
    pickle_load,
    pickle_save,
)
from nasbench_lite.errors import OutOfDomainError

__all__ = [
    "NATS_BENCH_API_VERSIONs",
    "NATS_BENCH_SSS_NAMEs",
    "NATS_BENCH_TSS_NAMEs",
    "ArchResults",
    "NATSsize",
    "NATStopology",
    "ResultsCount",
    "create",
    "pickle_load",
    "pickle_save",
    "search_space_info",
    "version",
]

NATS_BENCH_API_VERSIONs = [  # noqa: N816 -- the official names
    "v1.0",
    "v1.1",
    "v1.2",
    "v1.3",
    "v1.4",
    "v1.5",
    "v1.6",
    "v1.7",
    "v1.8",
]
NATS_BENCH_SSS_NAMEs = ("sss", "size")  # noqa: N816
NATS_BENCH_TSS_NAMEs = ("tss", "topology")  # noqa: N816


def version() -> str:
    """The mirrored API version (``'v1.8'``)."""
    return NATS_BENCH_API_VERSIONs[-1]


def create(
    file_path_or_dict: str | os.PathLike[str] | None,
    search_space: str,
    fast_mode: bool = False,
    verbose: bool = True,
) -> NATStopology | NATSsize:
    """The API of a NATS-Bench search space.

    Args:
        file_path_or_dict: The official ``-simple`` folder or ``.pickle.pbz2`` file, a
            nasbench_lite database, or None (``$TORCH_HOME`` else ``~/.torch``, official names).
        search_space: ``'tss'``/``'topology'`` or ``'sss'``/``'size'``.
        fast_mode: The official flag (architectures count as evaluated once queried).
        verbose: Print the official messages.

    Raises:
        OutOfDomainError: Unknown search space (a ValueError).
        SourceNotFoundError: No source at the path.
    """
    if search_space in NATS_BENCH_TSS_NAMEs:
        return NATStopology(file_path_or_dict, fast_mode, verbose)
    if search_space in NATS_BENCH_SSS_NAMEs:
        return NATSsize(file_path_or_dict, fast_mode, verbose)
    raise OutOfDomainError(f"invalid search space : {search_space}")


def search_space_info(main_tag: str, aux_tag: str | None) -> dict[str, Any]:
    """Candidate channels / layers (size) or op names / nodes (topology) of a space.

    Raises:
        OutOfDomainError: Unknown tags (a ValueError).
    """
    nats_sss = {"candidates": [8, 16, 24, 32, 40, 48, 56, 64], "num_layers": 5}
    nats_tss = {
        "op_names": ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"],
        "num_nodes": 4,
    }
    if main_tag == "nats-bench":
        if aux_tag in NATS_BENCH_SSS_NAMEs:
            return nats_sss
        if aux_tag in NATS_BENCH_TSS_NAMEs:
            return nats_tss
        raise OutOfDomainError(f"Unknown auxiliary tag: {aux_tag}")
    if main_tag == "nas-bench-201":
        if aux_tag is not None:
            raise OutOfDomainError("For NAS-Bench-201, the auxiliary tag should be None.")
        return nats_tss
    raise OutOfDomainError(f"Unknown main tag: {main_tag}")
