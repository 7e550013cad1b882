"""Fit double_descent (a): random Fourier features on real digits, least squares below the
threshold and the minimum-norm interpolant above it, for every N of the grid and every seed."""

import pandas as pd

from dltheory.core.artifacts import Timer, log_to, provenance, write_table
from dltheory.core.data import load_for_job
from dltheory.science.random_features import feature_grid, median_bandwidth, rff_curve

spec, data = snakemake.params.spec, snakemake.params.data
with log_to(snakemake.log[0]) as log:
    d = load_for_job(spec["dataset"], snakemake.config["data"], data, spec["n_train"], spec["n_test"])
    bandwidth = median_bandwidth(d.x_train) if spec["bandwidth"] == "median" else float(spec["bandwidth"])
    grid = feature_grid(len(d.y_train), spec["feature_ratios"])
    log(f"{d.source}: n = {len(d.y_train)}, {len(d.y_test)} test; bandwidth {bandwidth:.3f}; N = {grid.tolist()}")
    curves = []
    with Timer() as t:
        for seed in range(spec["seed"], spec["seed"] + spec["seeds"]):
            curves.append(rff_curve(d.x_train, d.y_train, d.x_test, d.y_test, grid, bandwidth, d.n_classes, seed))
            at = curves[-1].set_index("n_features").loc[len(d.y_train)]
            log(
                f"seed {seed}: at N = n test MSE {at.test_mse:.3f}, ||a|| {at.norm:.3g}; at N = {grid[-1]} test MSE {curves[-1].test_mse.iloc[-1]:.3f}"
            )
    table = pd.concat(curves, ignore_index=True).assign(bandwidth=bandwidth)
    log(f"{spec['seeds']} seeds in {t.seconds:.1f} s")
    write_table(
        table, snakemake.output.table, provenance(dict(spec), data=dict(data), source=d.source, bandwidth=bandwidth, wall_time_s=t.seconds)
    )
