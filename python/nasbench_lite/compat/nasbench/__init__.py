"""``nasbench`` (google-research/nasbench) on nasbench_lite databases, without TensorFlow.

Module for module and name for name the official package, so porting is the import rewrite
``nasbench`` -> ``nasbench_lite.compat.nasbench``::

    from nasbench_lite.compat.nasbench import api
    from nasbench_lite.compat.nasbench.lib import graph_util, model_spec, config

``api.NASBench`` takes the official ``.tfrecord`` (built once into the cache) or a
nasbench_lite NB101 database, and draws its repeats from the global ``random`` module exactly
where the official class does. Training (``NASBench.evaluate`` and the TensorFlow modules of
``nasbench.lib``) is not offered.
"""
