"""Cost of implicit_bias's compute job, for ``python -m dltheory plan`` (no job imports this module)."""

from __future__ import annotations

from dltheory.core.contract import Job
from dltheory.core.cost import F_TRANSCENDENTAL as F_T
from dltheory.core.cost import reduced, timed
from dltheory.figures.implicit_bias import NAME, dataset
from dltheory.science.max_margin import OPTIMIZERS, step_grid, step_size, train


def _train_flops(spec: dict) -> float:
    """FLOPs of ``implicit_bias_train``: per step, for D datasets of at most n points in d = 2
    dimensions and the K = 5 optimizers, the margins and the gradient (2 × 2 D K n d), the sigmoid
    (D K n F_T) and the updates (D d (30 + 2 F_T), Adam's square roots included). A NumPy step on
    these few numbers costs its Python loop (~15 µs) more than its FLOPs: the probe measures that."""

    datasets = spec["datasets"].values()
    D, d = len(spec["datasets"]), 2
    n = max(len(ds["support_vectors"]) * 2 + 2 * ds["extra_per_class"] for ds in datasets)
    K = len(OPTIMIZERS)
    return spec["steps"] * (4 * D * K * n * d + D * K * n * F_T + D * d * (30 + 2 * F_T))


def _train_memory(spec: dict) -> float:
    """Bytes: the recorded iterates [D, K, R, 2] float64 (R records), and the padded data."""

    records = len(step_grid(spec["steps"], spec["records_per_decade"]))
    return len(spec["datasets"]) * len(OPTIMIZERS) * records * 2 * 8 * 2


def _train_inputs(spec: dict):
    """The arguments of :func:`dltheory.science.max_margin.train` but the record: y x per dataset, η."""

    data = [(dataset(ds), ds["step_size"]) for ds in spec["datasets"].values()]
    return [y[:, None] * X for (X, y), _ in data], [step_size(setting, X) for (X, _), setting in data]


def jobs(config: dict) -> list:
    """``implicit_bias_train``, probed on at most 20,000 steps of the five optimizers on every
    dataset (the data and step sizes are set up outside the timer; the max-margin QPs take milliseconds)."""

    spec = config[NAME]["compute"]
    probe_spec = reduced(spec, steps=min(spec["steps"], 20000))

    def probe() -> float:
        Xys, etas = _train_inputs(probe_spec)
        record = step_grid(probe_spec["steps"], probe_spec["records_per_decade"])
        adam = spec["adam"]
        return timed(lambda: train(Xys, etas, record, spec["momentum"], (adam["beta1"], adam["beta2"]), adam["eps"]))

    flops = _train_flops(spec)
    return [Job(f"{NAME}_train", "", flops, _train_memory(spec), probe, flops / _train_flops(probe_spec))]
