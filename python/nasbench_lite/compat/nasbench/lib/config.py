"""``nasbench.lib.config``: the configuration the dataset was generated with.

The official module registers absl flags and :func:`build_config` reads them back; nothing here
touches absl or any global flag registry: :func:`build_config` returns the official defaults
(what every query of the dataset assumes), a fresh dict per call, keys in the official order.
"""

from __future__ import annotations

from typing import Any

__all__ = ["build_config"]


def build_config() -> dict[str, Any]:
    """The official configuration dictionary, with its default values.

    Returns:
        A new dict: data files (empty), search-space bounds (``module_vertices`` 7,
        ``max_edges`` 9, ``available_ops``), network and training hyper-parameters, TPU
        settings and ``num_repeats`` 3. List-valued flags hold strings, as absl's list flags
        do (``intermediate_evaluations == ['0.5']``).
    """
    return {
        # Data (only used to generate the dataset).
        "train_data_files": [],
        "valid_data_file": "",
        "test_data_file": "",
        "sample_data_file": "",
        "data_format": "channels_last",
        "num_labels": 10,
        # Search space.
        "module_vertices": 7,
        "max_edges": 9,
        "available_ops": ["conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"],
        # Network and training.
        "stem_filter_size": 128,
        "num_stacks": 3,
        "num_modules_per_stack": 3,
        "batch_size": 256,
        "train_epochs": 108,
        "train_seconds": 4.0 * 60 * 60,
        "learning_rate": 0.1,
        "lr_decay_method": "COSINE_BY_STEP",
        "momentum": 0.9,
        "weight_decay": 1e-4,
        "max_attempts": 5,
        "intermediate_evaluations": ["0.5"],
        "num_repeats": 3,
        # TPU.
        "use_tpu": True,
        "tpu_iterations_per_loop": 100,
        "tpu_num_shards": 2,
    }
