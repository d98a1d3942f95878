"""The text of the official ``print_information`` (topology and size variants).

The lines describe an ``ArchResults``: per dataset its FLOPs, parameters and latency, then the
final train / valid / test loss and accuracy, formatted exactly as ``nats_bench`` 1.8 does
(the size space also prints the cifar10-valid test set).
"""

from __future__ import annotations

from typing import Any

from nasbench_lite.compat.nats_bench._results import ArchResults

__all__ = ["information_lines"]


def information_lines(
    information: ArchResults, extra_info: Any, cifar10_valid_test: bool
) -> list[str]:
    """The lines of the official ``print_information`` (size space: cifar10-valid test too)."""
    dataset_names = information.get_dataset_names()
    strings = [information.arch_str, f"datasets : {dataset_names}, extra-info : {extra_info}"]

    def metric2str(loss: float, acc: float) -> str:
        return f"loss = {loss:.3f} & top1 = {acc:.2f}%"

    for dataset in dataset_names:
        metric = information.get_compute_costs(dataset)
        flop, param, latency = metric["flops"], metric["params"], metric["latency"]
        shown = f"{latency * 1000:.2f}" if latency is not None and latency > 0 else None
        str1 = f"{dataset:14s} FLOP={flop:6.2f} M, Params={param:.3f} MB, latency={shown} ms."
        train = information.get_metrics(dataset, "train")
        train_text = metric2str(train["loss"], train["accuracy"])
        if dataset == "cifar10-valid" and not cifar10_valid_test:
            valid = information.get_metrics(dataset, "x-valid")
            str2 = (
                f"{dataset:14s} train : [{train_text}], valid : "
                f"[{metric2str(valid['loss'], valid['accuracy'])}]"
            )
        elif dataset == "cifar10":
            test = information.get_metrics(dataset, "ori-test")
            str2 = (
                f"{dataset:14s} train : [{train_text}], test  : "
                f"[{metric2str(test['loss'], test['accuracy'])}]"
            )
        else:
            valid = information.get_metrics(dataset, "x-valid")
            test = information.get_metrics(
                dataset, "ori-test" if dataset == "cifar10-valid" else "x-test"
            )
            str2 = (
                f"{dataset:14s} train : [{train_text}], valid : "
                f"[{metric2str(valid['loss'], valid['accuracy'])}], test : "
                f"[{metric2str(test['loss'], test['accuracy'])}]"
            )
        strings += [str1, str2]
    return strings
