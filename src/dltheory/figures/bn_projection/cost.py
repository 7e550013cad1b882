"""Cost of bn_projection's compute jobs, for ``python -m dltheory plan`` (no job imports this module)."""

from __future__ import annotations

import numpy as np
import torch

from dltheory.core.cost import LOAD_SECONDS, probe_dataset, reduced, sliced, split_sizes
from dltheory.figures.bn_projection import NAME, NETWORKS
from dltheory.science.batchnorm import autograd_backward, batchnorm_backward, network, normalize, projection_defect, train_recording_rows


def _identities_flops(spec: dict) -> float:
    """Per cell (N, eps) and node: the projection P [N, N], P² (2N³) and its rank (an SVD, ~22 N³)."""
    return len(spec["eps"]) * spec["channels"] * sum(24 * n**3 for n in spec["batch_sizes"])


def _identities_memory(spec: dict) -> float:
    """Bytes: P, P² and the SVD's workspace for the largest N, float64."""
    return 4 * 8 * max(spec["batch_sizes"]) ** 2


def _identities_run(spec: dict) -> None:
    rng = np.random.default_rng(0)
    for n in spec["batch_sizes"]:
        for eps in spec["eps"]:
            f, g = rng.standard_normal((n, spec["channels"])), rng.standard_normal((n, spec["channels"]))
            ones = np.ones(spec["channels"])
            xhat, s = normalize(f, eps)
            batchnorm_backward(g, xhat, s, ones)
            autograd_backward(f, g, ones, 0 * ones, eps)
            for c in range(spec["channels"]):
                projection_defect(xhat[:, c])


def _train_flops(spec: dict, data: dict) -> float:
    """Per network and SGD step, forward and backward of two Linear layers on a minibatch
    (6 B (d H + 10 H)), and the evaluation of both splits at the end (2 n (d H + 10 H))."""
    train, test, d = split_sizes(spec["dataset"], data)
    per_sample = d * spec["hidden"] + 10 * spec["hidden"]
    return len(NETWORKS) * (6 * spec["batch_size"] * per_sample * spec["steps"] + 2 * (train + test) * per_sample)


def _train_memory(spec: dict, data: dict) -> float:
    """Bytes: the data in float64 and the recorded rows, [T, H] × 5 per network."""
    train, test, d = split_sizes(spec["dataset"], data)
    return 8 * ((train + test) * d + len(NETWORKS) * 5 * spec["steps"] * spec["hidden"])


def jobs(config: dict) -> list:
    """``bn_projection_identities`` (probed on the batch sizes up to 256: the largest sets the time,
    the small ones are overhead that FLOPs do not scale) and
    ``bn_projection_train`` (probed on 50 steps of the digits or a synthetic stand-in)."""
    spec, data = config[NAME]["compute"], config["data"]
    identities = spec["identities"]
    probe_sizes = [n for n in identities["batch_sizes"] if n <= 256] or [min(identities["batch_sizes"])]
    training = spec["training"]

    def run_train(train_spec: dict) -> None:
        train, test, _ = split_sizes(train_spec["dataset"], data)
        dataset = probe_dataset(train_spec["dataset"], data, train, test)
        for order, eps in NETWORKS.values():
            torch.manual_seed(0)
            eps = train_spec["default_eps"] if eps == "default_eps" else eps
            net = network(dataset.n_features, train_spec["hidden"], dataset.n_classes, order, eps)
            args = (dataset.x_train, dataset.y_train, dataset.x_test, dataset.y_test)
            train_recording_rows(net, *args, train_spec["lr"], train_spec["batch_size"], train_spec["steps"], 0)

    return [
        sliced(
            f"{NAME}_identities",
            "",
            identities,
            reduced(identities, batch_sizes=probe_sizes),
            _identities_flops,
            _identities_memory,
            _identities_run,
        ),
        sliced(
            f"{NAME}_train",
            "",
            training,
            reduced(training, steps=min(50, training["steps"])),
            lambda s: _train_flops(s, data),
            lambda s: _train_memory(s, data),
            run_train,
            overhead_s=LOAD_SECONDS[training["dataset"]],
        ),
    ]
