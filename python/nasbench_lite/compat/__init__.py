"""The official benchmark packages, mirrored module for module on nasbench_lite databases.

Porting is the mechanical rewrite ``X`` -> ``nasbench_lite.compat.X``::

    from nasbench_lite.compat.nats_bench import create        # was: from nats_bench import
    from nasbench_lite.compat.nashpobench2api import NASHPOBench2API
    from nasbench_lite.compat.nasbench import api             # was: from nasbench import api

or no change at all: ``python -m nasbench_lite.compat SCRIPT [ARGS...]`` (also
``nasbench-lite compat-run``) runs an unmodified script with ``nasbench``, ``nats_bench`` and
``nashpobench2api`` (and all their submodules) resolving to these packages, and
:func:`install` does the same inside a running interpreter (a notebook). Each compat
constructor takes the official file or folder (built once into ``$NASBENCH_LITE_CACHE``, see
:mod:`nasbench_lite.compat._cache`) or a nasbench_lite database. Unlike the native APIs,
compat objects draw from the global ``random`` module exactly where the official code does,
so a client seeded with ``random.seed(s)`` follows the published trajectory.
"""

from __future__ import annotations

from nasbench_lite.compat._alias import ALIASES, install, installed, uninstall

__all__ = ["ALIASES", "install", "installed", "uninstall"]
