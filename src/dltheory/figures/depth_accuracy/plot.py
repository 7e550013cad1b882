"""depth_accuracy's figure: training and test accuracy over (σ_w², depth) per panel, with ξ_c and 6ξ_c."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from dltheory.core.contract import Artifacts
from dltheory.core.plotting import setup_style
from dltheory.figures.depth_accuracy.claims import accuracy_grid, panels, xi_c_at, xi_c_slice


def _edges(centres: np.ndarray) -> np.ndarray:
    """Cell edges around grid centres (midpoints inside, half a step outside)."""
    mid = 0.5 * (centres[1:] + centres[:-1])
    first, last = centres[0] - (mid[0] - centres[0]), centres[-1] + (centres[-1] - mid[-1])
    return np.concatenate([[first], mid, [last]])


def plot(artifacts: Artifacts, bars: dict):
    """Heat maps of training (top) and test (bottom) accuracy per panel with ξ_c, 6ξ_c and the fitted kξ_c."""
    setup_style()
    table, depth_scales, scores = artifacts["tables"], artifacts["depth_scales"], artifacts["scores"]
    panel_list = panels(table)
    fig, axes = plt.subplots(2, len(panel_list), figsize=(5.2 * len(panel_list) + 0.8, 8.4), squeeze=False, constrained_layout=True)
    for col, (dataset, optimizer) in enumerate(panel_list):
        panel = table[(table.dataset == dataset) & (table.optimizer == optimizer)]
        score = scores[(scores.dataset == dataset) & (scores.optimizer == optimizer)].iloc[0]
        slice_ = xi_c_slice(depth_scales, score.sigma_b2)
        first = panel.iloc[0]
        for row, (metric, name) in enumerate((("train_acc", "training"), ("test_acc", "test"))):
            ax = axes[row, col]
            grid = accuracy_grid(panel, metric)
            sigma_w2, depth = grid.columns.to_numpy(dtype=float), grid.index.to_numpy(dtype=float)
            xe, ye = _edges(sigma_w2), _edges(depth)
            mesh = ax.pcolormesh(xe, ye, grid.to_numpy(), cmap="viridis", vmin=0.0, vmax=1.0, rasterized=True)
            diverged = panel.groupby(["depth", "sigma_w2"]).diverged.any().unstack("sigma_w2").reindex_like(grid)
            dd, ww = np.nonzero(diverged.to_numpy())
            ax.plot(sigma_w2[ww], depth[dd], "x", color="C3", ms=5, label="diverged (NaN/inf)" if len(dd) else None)
            line = np.linspace(xe[0], xe[-1], 600)
            xi = xi_c_at(slice_, line)
            ax.plot(line, 6 * xi, "w-", lw=2, label=r"$6\xi_c$")
            ax.plot(line, xi, "w--", lw=1.5, label=r"$\xi_c$")
            if row == 0:
                ax.plot(line, score.k_fit * xi, color="C1", ls="-.", lw=1.5, label=rf"${score.k_fit:.1f}\,\xi_c$ (fitted $k$)")
                if np.nanmin(grid.to_numpy()) < score.threshold < np.nanmax(grid.to_numpy()):
                    ax.contour(sigma_w2, depth, grid.to_numpy(), levels=[score.threshold], colors="C3", linewidths=1.2)
                ax.plot([], [], color="C3", lw=1.2, label=f"trainable edge (acc = {score.threshold:.2f})")
            ax.axvline(score.critical_sigma_w2, color="w", ls=":", lw=1)
            ax.set(xlim=(xe[0], xe[-1]), ylim=(ye[0], ye[-1]), xlabel=r"$\sigma_w^2$", ylabel="depth $L$ (hidden layers)")
            ax.set_title(
                f"{dataset}, {optimizer} lr {first.lr:g}: {name} accuracy\n"
                f"width {first.width}, {panel.steps.max()} steps, "
                rf"$\sigma_b^2 = {score.sigma_b2:g}$, {panel.seed.nunique()} seed(s)"
            )
            if row == 0:
                ax.legend(loc="upper right", fontsize="x-small", framealpha=0.85)
            fig.colorbar(mesh, ax=ax, label=f"{name} accuracy")
    return fig
