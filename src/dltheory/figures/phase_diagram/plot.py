"""phase_diagram's figure: the χ_1 phase diagram, measured q^l and c^l against theory, and ξ_c."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import TwoSlopeNorm

from dltheory.core.contract import Artifacts
from dltheory.core.plotting import setup_style
from dltheory.science import meanfield


def plot(artifacts: Artifacts, bars: dict):
    """The four-panel figure; returns the matplotlib Figure. Theory curves are recomputed here
    from :mod:`dltheory.science.meanfield` (milliseconds); nothing is trained or measured. Panel (d)
    shades the near-critical band where no ξ_c claim is made (``bars['away_from_critical']``)."""
    setup_style()
    critical_line, depth_scales = artifacts["critical_line"], artifacts["depth_scales"]
    propagation, fits = artifacts["propagation"], artifacts["fits"]
    away = bars["away_from_critical"]
    activation = depth_scales.activation.iloc[0]
    sigma_b2 = float(propagation.sigma_b2.iloc[0])
    fig, axes = plt.subplots(2, 2, figsize=(11, 8.5), constrained_layout=True)
    ax_map, ax_q, ax_c, ax_xi = axes.ravel()

    # (a) χ_1 heat map with the critical line.
    grid = depth_scales.pivot(index="sigma_b2", columns="sigma_w2", values="chi_1")
    chi = grid.to_numpy()
    norm = TwoSlopeNorm(vcenter=1.0, vmin=min(np.nanmin(chi), 0.99), vmax=max(np.nanmax(chi), 1.01))
    mesh = ax_map.pcolormesh(grid.columns, grid.index, chi, cmap="RdBu_r", norm=norm, shading="gouraud", rasterized=True)
    fig.colorbar(mesh, ax=ax_map, label=r"$\chi_1$")
    ax_map.plot(critical_line.sigma_w2, critical_line.sigma_b2, "k-", lw=2, label=r"critical line $\chi_1 = 1$")
    ax_map.axhline(sigma_b2, color="k", ls="--", lw=1, label=rf"$\sigma_b^2 = {sigma_b2:g}$ (panels b–d)")
    sw_measured = np.sort(propagation.sigma_w2.unique())
    ax_map.plot(sw_measured, np.full_like(sw_measured, sigma_b2), "o", mfc="w", mec="k", label="measured networks")
    x0, x1 = grid.columns.min(), grid.columns.max()
    y1 = grid.index.max()
    ax_map.text(x0 + 0.03 * (x1 - x0), 0.9 * y1, "ordered:\nvanishing gradients", ha="left", va="center")
    ax_map.text(x1 - 0.03 * (x1 - x0), 0.9 * y1, "chaotic:\nexploding gradients", ha="right", va="center")
    ax_map.set(
        xlabel=r"$\sigma_w^2$", ylabel=r"$\sigma_b^2$", xlim=(x0, x1), ylim=(grid.index.min(), y1), title=f"(a) phase diagram, {activation}"
    )
    ax_map.legend(loc="center right", fontsize="small", framealpha=0.9)

    # (b), (c): theory lines, measured means ± standard error over seeds.
    colors = dict(zip(sw_measured, plt.cm.viridis(np.linspace(0.0, 0.9, len(sw_measured)))))
    depth = int(propagation.layer.max())
    layers = np.arange(depth + 1)
    for sw, group in propagation.groupby("sigma_w2"):
        first = group.iloc[0]
        q_theory, _ = meanfield.propagate(first.q0, 1.0, sw, sigma_b2, depth, activation)
        _, c_theory = meanfield.propagate(first.q_star, first.c0, sw, sigma_b2, depth, activation)
        stats = group.groupby("layer").agg(q=("q", "mean"), q_sem=("q", "sem"), c=("c", "mean"), c_sem=("c", "sem"))
        for ax, theory, mean, sem, star in (
            (ax_q, q_theory, stats.q, stats.q_sem, first.q_star),
            (ax_c, c_theory, stats.c, stats.c_sem, first.c_star),
        ):
            ax.semilogy(layers, np.abs(theory - star), color=colors[sw], lw=1.5)
            ax.errorbar(stats.index, np.abs(mean - star), yerr=sem, fmt="o", ms=3, color=colors[sw], label=rf"$\sigma_w^2 = {sw:g}$")
    width = int(propagation.width.iloc[0])
    n_seeds = propagation.seed.nunique()
    ax_q.set(xlabel="layer $l$", ylabel=r"$|q^l - q^*|$", title=f"(b) length converges (width {width}, {n_seeds} seeds)", ylim=(1e-4, None))
    ax_c.set(xlabel="layer $l$", ylabel=r"$|c^l - c^*|$", title=r"(c) correlation converges over $\xi_c$ layers", ylim=(1e-4, None))
    ax_q.legend(fontsize="small", title="lines: theory, points: measured", title_fontsize="small")

    # (d) ξ_c at the guide σ_b²: theory curve and fitted depth scales of the measured networks.
    sw_line = np.linspace(x0, x1, 600)
    ax_xi.semilogy(sw_line, meanfield.depth_scales(sw_line, sigma_b2, activation).xi_c, "k-", lw=1.5, label=r"theory $\xi_c$")
    ok = fits.n_layers > 0
    ax_xi.plot(fits.sigma_w2[ok], fits.xi_c_measured[ok], "o", ms=7, mfc="C3", mec="k", label="fitted to measured networks")
    crit = fits.critical_sigma_w2.iloc[0]
    ax_xi.axvspan(crit - away, crit + away, color="0.9", label="near-critical (no claim)")
    ax_xi.axvline(crit, color="k", ls=":", lw=1)
    ax_xi.set(
        xlabel=r"$\sigma_w^2$",
        ylabel=r"$\xi_c$ (layers)",
        title=rf"(d) correlation depth scale at $\sigma_b^2 = {sigma_b2:g}$",
        ylim=(1, 300),
        xlim=(x0, x1 + 0.1),
    )
    ax_xi.legend(fontsize="small")
    return fig
