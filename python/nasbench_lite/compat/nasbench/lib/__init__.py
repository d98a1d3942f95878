"""``nasbench.lib``: cell algebra (``graph_util``, ``model_spec``), ``config`` and the parts of
the network code that need no TensorFlow."""
