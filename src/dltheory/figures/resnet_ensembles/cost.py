"""Cost of resnet_ensembles's compute jobs, for ``python -m dltheory plan`` (no job imports this module)."""

from __future__ import annotations

import dataclasses
import functools

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


def _flops(spec: dict, data: dict, residual: bool) -> float:
    """Per seed and network (one job each): its training (3 forward passes per image and epoch)
    and single deletions (one forward pass per test image each); the residual network's job also
    its lesion curves and path gradients (about 3 forward passes per row, rows = (n + 1) ·
    samples · images)."""
    train, test, _ = split_sizes(spec["dataset"], data, spec["n_train"], spec["n_test"])
    n = 3 * spec["blocks"]
    total = 3 * spec["epochs"] * train + n * test
    if residual:
        rows = (n + 1) * spec["paths"]["samples"] * spec["paths"]["images"]
        total += spec["lesions"]["samples"] * (len(spec["lesions"]["deleted"]) + len(spec["lesions"]["swaps"])) * test + 3 * rows
    return _forward_flops(spec) * total


def _memory(spec: dict, data: dict, residual: bool) -> float:
    """Bytes: the images in float32, a training batch's activations (kept for backward) and, for
    the residual network, the path rows' gradient and stored block inputs."""
    train, test, d = split_sizes(spec["dataset"], data, spec["n_train"], spec["n_test"])
    _, side, _ = DATASETS[spec["dataset"]]["image"]
    per_image = side * side * spec["channels"][0] * 3 * spec["blocks"]  # floats: every block's input at stage-1 size
    rows = spec["paths"]["samples"] * spec["paths"]["images"] if residual else 0
    return 4 * ((train + test) * d + 3 * spec["batch_size"] * per_image + 4 * rows * per_image)


def jobs(config: dict) -> list:
    """``resnet_ensembles_lesion`` (the residual network) and ``resnet_ensembles_plain`` per seed,
    each probed once for all seeds: its network trained one epoch on 256 synthetic images of the
    dataset's shape and its single deletions on 50; the residual one also 2 paths of 2 images per
    path length."""
    spec, data = config[NAME]["compute"], config["data"]
    probe = reduced(
        spec, epochs=1, milestones=[], n_train=256, n_test=50, lesions__deleted=[], lesions__swaps=[], paths__samples=2, paths__images=2
    )

    def run(probe: dict, residual: bool) -> None:
        shape = DATASETS[probe["dataset"]]["image"]
        x, y = torch.randn(probe["n_train"], *shape), torch.randint(0, 10, (probe["n_train"],))
        options = {k: probe[k] for k in ("epochs", "batch_size", "momentum", "weight_decay", "milestones")}
        net = rp.ResNet(shape[0], probe["blocks"], probe["channels"], 10, residual)
        rp.train(net, x, y, lr=0.01, augmented=False, seed=0, **options)
        rp.single_deletions(net, x[: probe["n_test"]], y[: probe["n_test"]])
        if residual:
            rng, n, images = np.random.default_rng(0), 3 * probe["blocks"], probe["paths"]["images"]
            for k in range(n + 1):
                rp.path_gradients(net.train(False), x[:images], y[:images], rp.sample_subsets(n, k, probe["paths"]["samples"], rng))

    out = []
    for step, residual in (("lesion", True), ("plain", False)):
        one_seed = sliced(
            f"{NAME}_{step}", "", reduced(spec, seeds=1), probe,
            lambda s, r=residual: _flops(s, data, r), lambda s, r=residual: _memory(s, data, r), lambda s, r=residual: run(s, r),
            overhead_s=LOAD_SECONDS[spec["dataset"]],
        )  # fmt: skip
        # Every seed's job is the same work: one probe, run once, times them all (probed per seed
        # on a busy machine, two identical jobs came out 19x apart).
        timed_once = functools.cache(one_seed.probe)
        out += [dataclasses.replace(one_seed, wildcards=str(seed), probe=timed_once) for seed in seeds_of(spec)]
    return out
