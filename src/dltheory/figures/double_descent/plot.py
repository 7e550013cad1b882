"""double_descent's figure: the random-features curves against N, and the weak-features model."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from dltheory.core.contract import Artifacts
from dltheory.core.plotting import setup_style
from dltheory.figures.double_descent.claims import _weak_setup, monte_carlo_bar, summary


def plot(artifacts: Artifacts, bars: dict):
    """(a)–(d) vs N, (e) the weak-features model; see the package docstring (``__init__.py``)."""
    setup_style()
    table, weak, kernel = artifacts["rff"], artifacts["weak_features"], artifacts["kernel"].iloc[0]
    s = summary(table)
    n = int(table.n_train.iloc[0])
    fig = plt.figure(figsize=(18, 8.5), constrained_layout=True)
    grid = fig.add_gridspec(2, 4)
    panels = [
        ("test_error", "(a) test zero-one error", "zero-one error", False),
        ("test_mse", "(b) test squared loss", "squared loss Σ_k (ŷ_k − y_k)²", True),
        ("norm", "(c) ‖a‖₂ of the solution", "‖a‖₂", True),
        ("train_mse", "(d) train squared loss", "squared loss", True),
    ]
    for i, (column, title, ylabel, log_y) in enumerate(panels):
        ax = fig.add_subplot(grid[0, i])
        ax.plot(s.n_features, s[column], "o-", ms=3, color="tab:blue", label=f"mean of {int(s.seeds.iloc[0])} draws")
        ax.fill_between(
            s.n_features, s[column] - s[f"{column}_std"], s[column] + s[f"{column}_std"], color="tab:blue", alpha=0.25, lw=0, label="± s.d."
        )
        ax.axvline(n, color="tab:red", ls="--", lw=1, label=f"N = n = {n}")
        if column != "train_mse":  # the kernel's train loss is numerically 0: no line on a log axis
            ax.axhline(kernel[column], color="k", lw=1.2, label="kernel machine h_n,∞ (N → ∞)")
        ax.set(xscale="log", title=title, xlabel="random Fourier features N", ylabel=ylabel)
        if log_y:
            ax.set_yscale("log")
        ax.legend(fontsize="x-small")
    ax = fig.add_subplot(grid[1, :2])
    n_wf, d = _weak_setup(weak)
    finite = np.isfinite(weak.closed_form)
    ax.plot(
        weak.p[finite & (weak.p < n_wf)], weak.closed_form[finite & (weak.p < n_wf)], color="k", lw=1.5, label="closed form (Theorem 1)"
    )
    ax.plot(weak.p[finite & (weak.p > n_wf)], weak.closed_form[finite & (weak.p > n_wf)], color="k", lw=1.5)
    ax.errorbar(
        weak.p,
        weak.monte_carlo,
        yerr=2 * weak.monte_carlo_se,
        fmt="o",
        ms=3,
        color="tab:orange",
        capsize=1.5,
        label=f"Monte Carlo ± 2 s.e. ({int(weak.trials.iloc[0])} trials)",
    )
    ax.axvline(n_wf, color="tab:red", ls="--", lw=1, label=f"p = n = {n_wf}")
    ax.set(
        yscale="log", ylim=(0.3, 30), xlabel="features used p", ylabel="risk E(y − xᵀŵ)²", title=f"(e) weak features: d = {d}, n = {n_wf}"
    )
    ax.legend(fontsize="x-small")
    ax = fig.add_subplot(grid[1, 2:])
    z = (weak.monte_carlo - weak.closed_form) / weak.monte_carlo_se
    bar = monte_carlo_bar(int(((weak.p - n_wf).abs() >= bars["monte_carlo_exclusion"]).sum()), bars["monte_carlo_alpha"])
    ax.axhspan(-bar, bar, color="0.9", label=f"claim bar ±{bar:.2f} s.e.")
    ax.axvspan(
        n_wf - bars["monte_carlo_exclusion"] + 0.5,
        n_wf + bars["monte_carlo_exclusion"] - 0.5,
        color="tab:red",
        alpha=0.1,
        label="excluded near p = n",
    )
    ax.plot(weak.p, z.where(np.isfinite(z)), "o", ms=3, color="tab:orange")
    ax.set(xlabel="features used p", ylabel="(Monte Carlo − closed form) / s.e.", title="(f) Monte Carlo against the closed form")
    ax.legend(fontsize="x-small")
    fig.suptitle(
        f"Random Fourier features on {n} digits: least squares for N < n, minimum-norm interpolant for N ≥ n "
        f"(bandwidth σ = {table.bandwidth.iloc[0]:.1f}, the median distance: our choice; black: the Gaussian kernel of the same σ)",
        fontsize="small",
    )
    return fig
