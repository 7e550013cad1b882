"""Cost of resnet_ensembles's compute jobs, for ``python -m dltheory plan`` (no job imports this module)."""

from __future__ import annotations

import numpy as np
import torch

from dltheory.core.contract import seeds_of
from dltheory.core.cost import DATASETS, LOAD_SECONDS, reduced, sliced, split_sizes
from dltheory.figures.resnet_ensembles import NAME
from dltheory.science import residual_paths as rp


def _forward_flops(spec: dict) -> float:
    """FLOPs of one image's forward pass: 2 · 9 · c_in · c_out per output pixel of every 3×3
    convolution (the stem and two per block), at each stage's resolution."""
    channels_in, side, _ = DATASETS[spec["dataset"]]["image"]
    total = 2 * 9 * channels_in * spec["channels"][0] * side * side
    for c_in, c_out, stride in rp.block_layout(spec["blocks"], spec["channels"]):
        side = -(-side // stride)
        total += 2 * 9 * (c_in * c_out + c_out * c_out) * side * side
    return total


def _flops(spec: dict, data: dict) -> float:
    """Per seed (one job each): two networks trained (3 forward passes per image and epoch), their
    single deletions and the lesion curves (one forward pass per test image each), and the path
    gradients (about 3 forward passes per row, rows = (n + 1) · samples · images)."""
    train, test, _ = split_sizes(spec["dataset"], data, spec["n_train"], spec["n_test"])
    n = 3 * spec["blocks"]
    lesions = 2 * n + spec["lesions"]["samples"] * (len(spec["lesions"]["deleted"]) + len(spec["lesions"]["swaps"]))
    rows = (n + 1) * spec["paths"]["samples"] * spec["paths"]["images"]
    return _forward_flops(spec) * (2 * 3 * spec["epochs"] * train + lesions * test + 3 * rows)


def _memory(spec: dict, data: dict) -> float:
    """Bytes: the images in float32, a training batch's activations (kept for backward) and the
    path rows' gradient and stored block inputs."""
    train, test, d = split_sizes(spec["dataset"], data, spec["n_train"], spec["n_test"])
    _, side, _ = DATASETS[spec["dataset"]]["image"]
    per_image = side * side * spec["channels"][0] * 3 * spec["blocks"]  # floats: every block's input at stage-1 size
    rows = spec["paths"]["samples"] * spec["paths"]["images"]
    return 4 * ((train + test) * d + 3 * spec["batch_size"] * per_image + 4 * rows * per_image)


def jobs(config: dict) -> list:
    """``resnet_ensembles_lesion`` per seed, probed on both networks trained one epoch on 256
    synthetic images of the dataset's shape, their single deletions on 50, and 2 paths of 2 images
    per path length (the plain net stands in for the resnet's gradients: the same cost)."""
    spec, data = config[NAME]["compute"], config["data"]

    def run(probe: dict) -> None:
        shape = DATASETS[probe["dataset"]]["image"]
        x, y = torch.randn(probe["n_train"], *shape), torch.randint(0, 10, (probe["n_train"],))
        options = {k: probe[k] for k in ("epochs", "batch_size", "momentum", "weight_decay", "milestones")}
        for residual in (True, False):
            net = rp.ResNet(shape[0], probe["blocks"], probe["channels"], 10, residual)
            rp.train(net, x, y, lr=0.01, augmented=False, seed=0, **options)
            rp.single_deletions(net, x[: probe["n_test"]], y[: probe["n_test"]])
        rng, n, images = np.random.default_rng(0), 3 * probe["blocks"], probe["paths"]["images"]
        for k in range(n + 1):
            rp.path_gradients(net.train(False), x[:images], y[:images], rp.sample_subsets(n, k, probe["paths"]["samples"], rng))

    probe = reduced(
        spec, epochs=1, milestones=[], n_train=256, n_test=50, lesions__deleted=[], lesions__swaps=[], paths__samples=2, paths__images=2
    )
    per_seed = reduced(spec, seeds=1)
    return [
        sliced(
            f"{NAME}_lesion",
            str(seed),
            per_seed,
            probe,
            lambda s: _flops(s, data),
            lambda s: _memory(s, data),
            run,
            overhead_s=LOAD_SECONDS[spec["dataset"]],
        )
        for seed in seeds_of(spec)
    ]
