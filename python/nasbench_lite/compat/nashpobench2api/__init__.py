"""``nashpobench2api`` 1.0.0 on a nasbench_lite database (module for module, name for name).

``from nasbench_lite.compat.nashpobench2api import NASHPOBench2API`` replaces
``from nashpobench2api import NASHPOBench2API``; ``NASHPOBench2API(data_dir)`` takes the official
data folder (built once into the cache) or a database built by ``nasbench-lite build
nashpobench2``. :mod:`.api` holds the class, :mod:`.utils` the cell-code helpers.
"""

from nasbench_lite.compat.nashpobench2api.api import NASHPOBench2API

__all__ = ["NASHPOBench2API"]
