"""implicit_bias's compute job: GD, three forms of momentum and Adam on each dataset from w = 0, with its max-margin ŵ (a QP)."""

from __future__ import annotations

import numpy as np

from dltheory.core.runner import JobRun
from dltheory.figures.implicit_bias import dataset
from dltheory.science.max_margin import (
    OPTIMIZERS,
    max_margin,
    residual_limit,
    sigma_max,
    smoothness_step_bound,
    step_grid,
    step_size,
)
from dltheory.science.max_margin import train as train_optimizers


def train(job: JobRun) -> dict:
    spec, log = job.params, job.log
    arrays = {}
    for name, ds in spec["datasets"].items():
        X, y = dataset(ds)
        w_hat, eta = max_margin(X, y), step_size(ds["step_size"], X)
        arrays |= {
            f"{name}_X": X,
            f"{name}_y": y,
            f"{name}_w_hat": w_hat,
            f"{name}_step_size": np.array(eta),
            f"{name}_step_bound": np.array(smoothness_step_bound(X)),
            f"{name}_residual_limit": residual_limit(X, y, w_hat, eta),
        }
        log(
            f"{name}: {len(y)} points, w_hat = {w_hat.round(6).tolist()} (margin {1 / np.linalg.norm(w_hat):.4f}), "
            f"sigma_max {sigma_max(X):.3f}, step {eta:.4g} (theorem's bound 8/sigma_max^2 = {smoothness_step_bound(X):.4g})"
        )
    names = list(spec["datasets"])
    record = step_grid(spec["steps"], spec["records_per_decade"])
    run = train_optimizers(
        [arrays[f"{n}_y"][:, None] * arrays[f"{n}_X"] for n in names],
        [float(arrays[f"{n}_step_size"]) for n in names],
        record,
        spec["momentum"],
        (spec["adam"]["beta1"], spec["adam"]["beta2"]),
        spec["adam"]["eps"],
    )
    for k, name in enumerate(names):
        arrays |= {f"{name}_w": run.w[k], f"{name}_log_loss": run.log_loss[k]}
        for j, optimizer in enumerate(OPTIMIZERS):
            log(f"{name} {optimizer}: w({run.t[-1]}) = {run.w[k, j, -1].round(4).tolist()}, log L = {run.log_loss[k, j, -1]:.3f}")
    arrays |= {"t": run.t, "datasets": np.array(names), "optimizers": np.array(OPTIMIZERS)}
    log(f"{spec['steps']} steps of {len(OPTIMIZERS)} optimizers on {len(names)} datasets")
    return {"trajectories": arrays}
