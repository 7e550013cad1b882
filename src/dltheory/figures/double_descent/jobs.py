"""double_descent's compute jobs: (a) random Fourier features on real digits, least squares below
the threshold and the minimum-norm interpolant above it, for every N of the grid and every seed,
and their N → ∞ limit, the Gaussian kernel's minimum-norm interpolant h_{n,∞}, on the same split
and bandwidth; (b) the weak-features model's risk by Monte Carlo beside its closed form."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dltheory.core.runner import JobRun
from dltheory.science.random_features import (
    feature_grid,
    kernel_machine,
    median_bandwidth,
    rff_curve,
    weak_features_monte_carlo,
    weak_features_risk,
)


def rff(job: JobRun) -> dict:
    spec, log = job.params, job.log
    d = job.dataset(spec["dataset"], spec["n_train"], spec["n_test"])
    bandwidth = median_bandwidth(d.x_train) if spec["bandwidth"] == "median" else float(spec["bandwidth"])
    grid = feature_grid(len(d.y_train), spec["feature_ratios"])
    log(f"{d.source}: n = {len(d.y_train)}, {len(d.y_test)} test; bandwidth {bandwidth:.3f}; N = {grid.tolist()}")
    curves = []
    for seed in job.seeds(spec):
        curves.append(rff_curve(d.x_train, d.y_train, d.x_test, d.y_test, grid, bandwidth, d.n_classes, seed))
        at = curves[-1].set_index("n_features").loc[len(d.y_train)]
        log(
            f"seed {seed}: at N = n test MSE {at.test_mse:.3f}, ||a|| {at.norm:.3g}; at N = {grid[-1]} test MSE {curves[-1].test_mse.iloc[-1]:.3f}"
        )
    kernel = kernel_machine(d.x_train, d.y_train, d.x_test, d.y_test, bandwidth, d.n_classes)
    log(f"kernel machine h_n,inf: test MSE {kernel['test_mse']:.3f}, test error {kernel['test_error']:.2%}, ||h|| {kernel['norm']:.3g}")
    job.meta["bandwidth"] = bandwidth
    return {
        "rff": pd.concat(curves, ignore_index=True).assign(bandwidth=bandwidth),
        "kernel": pd.DataFrame([kernel]).assign(bandwidth=bandwidth),
    }


def weak_features(job: JobRun) -> dict:
    wf = job.params
    ps = np.arange(1, wf["d"] + 1)
    args = (wf["n"], wf["d"], wf["w_norm2"], wf["noise_var"])
    mean, se = weak_features_monte_carlo(ps, *args, wf["trials"], wf["seed"])
    table = pd.DataFrame(
        {"p": ps, "closed_form": weak_features_risk(ps, *args), "monte_carlo": mean, "monte_carlo_se": se, "trials": wf["trials"]}
    )
    job.log(f"{len(ps)} values of p, {wf['trials']} trials each\n" + table.iloc[:: max(1, len(ps) // 20)].round(4).to_string())
    return {"weak_features": table}
