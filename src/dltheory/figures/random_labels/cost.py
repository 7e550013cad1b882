"""Cost of random_labels's compute jobs, for ``python -m dltheory plan`` (no job imports this module)."""

from __future__ import annotations

import numpy as np

from dltheory.core.cost import DATASETS, LOAD_SECONDS, probe_dataset, reduced, sliced, split_sizes
from dltheory.figures.random_labels import NAME, _train_params, model_key


def _members(spec: dict) -> int:
    """Variants (corruption levels, input randomizations, two weight-decay variants) x seeds."""
    return (len(spec["corruption"]) + len(spec["inputs"]) + 2) * spec["seeds"]


def _architecture(spec: dict):
    from dltheory.science.randomization import Architecture

    return Architecture.from_config(spec["model"], DATASETS[spec["dataset"]]["image"])


def _train_flops(spec: dict) -> float:
    """Upper bound: every member trains max_epochs epochs (members stop when they fit, typically
    after 5-40 epochs at the default scale, so the estimate is pessimistic): per epoch and sample
    a forward and backward pass (3 x 2 multiply-adds) and a forward evaluation (2 multiply-adds)."""
    multiply_adds = sum(m for _, m, _ in _architecture(spec).layers(spec["features"], 10))
    return _members(spec) * spec["max_epochs"] * (8 * spec["n_train"] + 2 * spec["n_test"]) * multiply_adds


def _train_memory(spec: dict) -> float:
    """Bytes: the input sets (1 + randomizations x seeds) of both splits in float32, the parameters,
    momentum and gradient of every member, and a batch's activations with their gradients, or an
    evaluation chunk's widest layer (:func:`~dltheory.science.randomization.evaluate`'s 512 rows)."""
    d, layers = spec["features"], _architecture(spec).layers(spec["features"], 10)
    sets = (1 + len(spec["inputs"]) * spec["seeds"]) * (spec["n_train"] + spec["n_test"]) * d * 4
    weights = sum(w for w, _, _ in layers)
    activations = max(2 * spec["batch_size"] * sum(o for _, _, o in layers), 512 * max(d, *(o for _, _, o in layers)))
    return sets + 4 * _members(spec) * (3 * weights + activations)


def _train_run(spec: dict, data_config: dict) -> None:
    import torch

    from dltheory.science.randomization import Training, train_variants

    d = probe_dataset(spec["dataset"], data_config, spec["n_train"], spec["n_test"])
    e = _members(spec)
    x, xt = torch.as_tensor(d.x_train[None]), torch.as_tensor(d.x_test[None])
    labels = torch.as_tensor(np.broadcast_to(d.y_train, (e, len(d.y_train))).copy())
    test = torch.as_tensor(np.broadcast_to(d.y_test, (e, len(d.y_test))).copy())
    # fit_accuracy above 1: no member stops early, as the FLOP count assumes
    setup = Training(_architecture(spec), spec["lr"], spec["momentum"], spec["lr_decay"], spec["batch_size"], spec["max_epochs"], 2.0)
    train_variants(x, np.zeros(e, int), labels, xt, test, list(range(e)), np.zeros(e), setup, 10, lambda _: None)


def _construction_flops(spec: dict) -> float:
    """Per seed: the projections on every candidate direction (2 n d each, and their sort), the
    triangular matrix and solve (n² each), the check (n² + 2 n d); per smaller network k:
    projections and features (2 n d + n k) and least squares (2 n k²)."""
    n, d = spec["points"], spec["features"]
    per_seed = (
        (spec["directions"] + 1) * 2 * n * d
        + spec["directions"] * n * np.log2(n)
        + 3 * n * n
        + sum(2 * n * d + n * k + 2 * n * k * k for k in spec["fewer_units"])
    )
    return spec["seeds"] * per_seed


def _construction_memory(spec: dict) -> float:
    """Bytes: the float64 images [n, d] and the [n, n] activation matrix with a copy."""
    return 8 * (spec["points"] * spec["features"] + 2 * spec["points"] ** 2)


def _construction_run(spec: dict) -> None:
    from dltheory.science.randomization import fewer_units_residual, memorizing_network

    rng = np.random.default_rng(0)
    x = rng.standard_normal((spec["points"], spec["features"]))
    y = rng.standard_normal(spec["points"])
    for _ in range(spec["seeds"]):
        memorizing_network(x, y, rng, spec["directions"])
        for k in spec["fewer_units"]:
            fewer_units_residual(x, y, k, rng)


def jobs(config: dict) -> list:
    """``random_labels_train`` per architecture, probed on one seed, 2 epochs and at most 500
    training images; ``random_labels_construction`` on one seed."""
    c, data_config = config[NAME]["compute"], config["data"]
    n_train, n_test, features = split_sizes(c["dataset"], data_config, c["n_train"], c["n_test"])
    construction = {**c["construction"], "features": features}
    train = []
    for model in c["models"]:
        # the job's own params (its architecture and the shared settings), with the split's sizes
        spec = _train_params(c, {"model": model_key(model)}) | {"n_train": n_train, "n_test": n_test, "features": features}
        probe = reduced(spec, seeds=1, max_epochs=2, n_train=min(n_train, 500), n_test=min(n_test, 200))
        train.append(
            sliced(
                f"{NAME}_train", model_key(model), spec, probe, _train_flops, _train_memory, lambda s: _train_run(s, data_config),
                overhead_s=LOAD_SECONDS[c["dataset"]], warmup_spec=reduced(probe, max_epochs=1),
            )
        )  # fmt: skip
    return train + [
        sliced(f"{NAME}_construction", "", construction, reduced(construction, seeds=1), _construction_flops, _construction_memory, _construction_run),
    ]  # fmt: skip
