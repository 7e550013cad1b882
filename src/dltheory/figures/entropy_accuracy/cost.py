"""Cost of entropy_accuracy's compute job, for ``python -m dltheory plan`` (no job imports this module)."""

from __future__ import annotations

import numpy as np

from dltheory.core.contract import Job
from dltheory.core.cost import probe_dataset, reduced, seeds_of, split_sizes, timed
from dltheory.figures.entropy_accuracy import NAME, SIDES
from dltheory.science.random_architectures import sample_architectures, sweep

LOGISTIC_PASSES = 3  # lbfgs: function and gradient evaluations per iteration, a nominal count


def _architecture_flops(arch, n: int, side: int, spec: dict) -> float:
    """One network on n images: conv layers 2 n C_in C k² s_l² (s_l the side, halved by each pool),
    or dense layers 2 n d_in W; then the view (2 n U D) and its estimators (4 n D², k-NN (k + 2)
    n log₂ n D), and the logistic regression, 2 × 10 classes × n_train U per pass."""
    n_train = spec["n_train"]
    if arch.family == "conv":
        flops, channels, s = 0.0, 1, side
        for _ in range(arch.layers):
            flops += 2 * n * channels * arch.width * arch.kernel**2 * s * s
            channels, s = arch.width, (int(np.ceil(s / 2)) if arch.pool else s)
    else:
        widths = [side * side] + [arch.width] * arch.layers
        flops = sum(2 * n * a * b for a, b in zip(widths, widths[1:]))
    U, D = arch.units(spec["grid"]), spec["projection_dim"]
    view = spec["projections"] * (2 * n_train * U * D + 4 * n_train * D * D + (spec["knn_k"] + 2) * n_train * np.log2(n_train) * D)
    return flops + view + 2 * 10 * n_train * U * LOGISTIC_PASSES * spec["max_iter"]


def _flops(spec: dict) -> float:
    side, n = SIDES[spec["dataset"]], spec["n_train"] + spec["n_test"]
    architectures = sample_architectures(spec["conv"], spec["mlp"], spec["architecture_seed"])
    return len(seeds_of(spec)) * sum(_architecture_flops(a, n, side, spec) for a in architectures)


def _memory(spec: dict) -> float:
    """Bytes: the images (float32, twice) and, per batch of 500 images, the widest conv map of all
    seeds with its activation (2 × 500 S C s² × 4), plus the outputs of all seeds (n S U × 4, and
    a float64 copy of one seed's)."""
    side, n, S = SIDES[spec["dataset"]], spec["n_train"] + spec["n_test"], len(seeds_of(spec))
    widest = max([c * side * side for c in spec["conv"]["channels"]] + list(spec["mlp"]["widths"]))
    units = max([c * spec["grid"] ** 2 for c in spec["conv"]["channels"]] + list(spec["mlp"]["widths"]))
    return 2 * n * side * side * 4 + 2 * 500 * S * widest * 4 + n * S * units * 12


def jobs(config: dict) -> list:
    """``entropy_accuracy_measure``, probed on the first conv and first MLP architecture of the
    draw, at most 500 training and 200 test images, at the job's seeds."""
    c, data_config = config[NAME]["compute"], config["data"]
    n_train, n_test, _ = split_sizes(c["dataset"], data_config, c["n_train"], c["n_test"])
    spec = {**c, "n_train": n_train, "n_test": n_test}
    probe = reduced(
        spec,
        n_train=min(n_train, 500),
        n_test=min(n_test, 200),
        conv__count=min(c["conv"]["count"], 1),
        mlp__count=min(c["mlp"]["count"], 1),
    )

    def run() -> None:
        d = probe_dataset(c["dataset"], data_config, probe["n_train"], probe["n_test"])
        side = SIDES[c["dataset"]]
        images = [(x.reshape(len(x), side, side), y) for x, y in ((d.x_train, d.y_train), (d.x_test, d.y_test))]
        sweep(sample_architectures(probe["conv"], probe["mlp"], probe["architecture_seed"]), *images, seeds_of(probe), probe)

    flops = _flops(spec)
    return [Job(f"{NAME}_measure", "", flops, _memory(spec), probe=lambda: timed(run), scale=flops / _flops(probe))]
