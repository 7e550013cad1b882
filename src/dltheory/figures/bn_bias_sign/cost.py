"""Cost of bn_bias_sign's compute jobs, for ``python -m dltheory plan`` (no job imports this module)."""

from __future__ import annotations

import torch

from dltheory.core.contract import Job, seeds_of
from dltheory.core.cost import DATASETS, LOAD_SECONDS, probe_dataset, reduced, sliced, split_sizes
from dltheory.figures.bn_bias_sign import NAME
from dltheory.science.bias_sign import conv_bn_relu_net, train_classifier


def _side(dataset: str) -> int:
    """The images' height (= width) of a dataset, from its shape in :data:`DATASETS`."""
    return DATASETS[dataset]["image"][1]


def _proxy_flops(spec: dict) -> float:
    """Per seed and epoch, forward and backward (3×) of the convolutions on every training image:
    2 · 9 · c_in · c_out per pixel of each block's resolution (halved by each pool)."""
    n_train = spec["n_train"]
    side, total, previous = _side(spec["dataset"]), 0.0, 1
    for block, width in enumerate(spec["channels"], start=1):
        total += 2 * 9 * previous * width * side * side
        previous = width
        side //= 2 if block in spec["pool_after"] else 1
    return len(seeds_of(spec)) * spec["epochs"] * 3 * n_train * total


def _proxy_memory(spec: dict, data: dict) -> float:
    """Bytes: the images in float32 and a minibatch's activations (forward kept for backward)."""
    train, test, d = split_sizes(spec["dataset"], data, spec["n_train"])
    return 4 * ((train + test) * d + 3 * spec["batch_size"] * d * sum(spec["channels"]))


def jobs(config: dict) -> list:
    """``bn_bias_sign_proxy``, probed on one seed of one epoch on 500 images; ``bn_bias_sign_pretrained``
    reads a state dict per model (seconds each; no FLOPs to speak of)."""
    spec, data = config[NAME]["compute"]["proxy"], config["data"]

    def run(probe: dict) -> None:
        dataset = probe_dataset(probe["dataset"], data, probe["n_train"], 100)
        side = _side(probe["dataset"])
        x, y = torch.tensor(dataset.x_train).reshape(-1, 1, side, side), torch.tensor(dataset.y_train)
        net = conv_bn_relu_net(probe["channels"], probe["pool_after"], 1, 10)
        options = {k: probe[k] for k in ("batch_size", "lr", "momentum", "weight_decay")}
        train_classifier(net, x, y, epochs=probe["epochs"], seed=0, **options)

    probe = reduced(spec, seeds=1, epochs=1, n_train=500)
    models = config[NAME]["compute"]["pretrained"]
    return [
        sliced(
            f"{NAME}_proxy",
            "",
            spec,
            probe,
            _proxy_flops,
            lambda s: _proxy_memory(s, data),
            run,
            overhead_s=LOAD_SECONDS[spec["dataset"]],
        ),
        Job(f"{NAME}_pretrained", "", 0.0, 600e6 if models else 0.0, lambda: 1.0, 0.0, 5.0 * len(models)),
    ]
