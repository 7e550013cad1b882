"""Figure ``phase_diagram``: the order-to-chaos phase diagram and measured depth convergence.

Poole et al. 2016 (Fig. 2) and Schoenholz et al. 2017 (Fig. 1). Panel (a): χ_1 over
(σ_w², σ_b²) with the critical line χ_1 = 1; (b) |q^l − q*| and (c) |c^l − c*| against depth,
theory lines over points measured in real random networks; (d) ξ_c against σ_w² at the guide
σ_b², with the depth scales fitted to the measured networks. See SPECS §1.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .. import meanfield
from ..claims import Claim
from ..grids import grid_axis
from ..propagation import fit_correlation_depth_scale

FIGURE = "phase_diagram"
SOURCE_LINE = "Poole et al. 2016, Fig. 2; Schoenholz et al. 2017, Fig. 1"
# SPECS §1 reference: tanh, σ_b² = 0.05 → critical σ_w² = 1.7610 (independently computed).
REFERENCE_CRITICAL_SIGMA_W2 = {"tanh": (0.05, 1.7610, 1e-3)}
# Claim 2: the measured convergence rate matches ξ_c within 15% "away from criticality", which
# we take as |σ_w² − σ_w²,crit| ≥ 0.3 (ξ_c ≈ 4.69/|σ_w² − 1.761| ≤ 16 there).
XI_TOLERANCE = 0.15
AWAY_FROM_CRITICAL = 0.3


def critical_line_table(activation: str, sigma_b2_max: float, num: int, include: list[float]) -> pd.DataFrame:
    """The critical line at ``num`` values of σ_b² in [0, max], uniform in (σ_b²)^(1/3).

    Near the origin σ_b² ≈ (σ_w² − 1)³/6 for tanh, so cube-root spacing places the points
    evenly along the line where it leaves (1, 0) almost flat. ``include`` adds exact values
    (the guide σ_b²) so the claims can read them from the table.
    """
    sigma_b2 = np.unique(np.concatenate([sigma_b2_max * np.linspace(0.0, 1.0, num) ** 3, include]))
    sigma_w2, q = meanfield.critical_line(sigma_b2, activation)
    return pd.DataFrame({"activation": activation, "sigma_b2": sigma_b2, "sigma_w2": sigma_w2, "q_star": q})


def depth_scales_table(activation: str, grid: dict[str, Any], n_quadrature: int) -> pd.DataFrame:
    """q*, c*, χ_1, χ_c, ξ_c, ξ_q at every (σ_w², σ_b²) of the grid, one row per point."""
    sigma_w2, sigma_b2 = np.meshgrid(grid_axis(grid["sigma_w2"]), grid_axis(grid["sigma_b2"]), indexing="ij")
    scales = meanfield.depth_scales(sigma_w2, sigma_b2, activation, n_quadrature)
    return pd.DataFrame({"activation": activation, **scales.as_columns()})


def critical_sigma_w2(critical_line: pd.DataFrame, sigma_b2: float) -> float:
    """The critical σ_w² that the critical-line table holds at this σ_b² (nan if it is not sampled)."""
    row = critical_line.loc[np.isclose(critical_line.sigma_b2, sigma_b2), "sigma_w2"]
    return float(row.iloc[0]) if len(row) else np.nan


def depth_scale_fits(propagation: pd.DataFrame, critical_line: pd.DataFrame) -> pd.DataFrame:
    """Measured ξ_c per σ_w² next to theory, with the distance to the critical line."""
    activation = propagation.activation.iloc[0]
    sigma_b2 = float(propagation.sigma_b2.iloc[0])
    fits = fit_correlation_depth_scale(propagation)
    fits["sigma_b2"] = sigma_b2
    fits["xi_c_theory"] = meanfield.depth_scales(fits.sigma_w2.to_numpy(), sigma_b2, activation).xi_c
    fits["relative_error"] = fits.xi_c_measured / fits.xi_c_theory - 1.0
    fits["critical_sigma_w2"] = critical_sigma_w2(critical_line, sigma_b2)
    fits["distance_to_critical"] = (fits.sigma_w2 - fits.critical_sigma_w2).abs()
    return fits


def claims(critical_line: pd.DataFrame, fits: pd.DataFrame) -> list[Claim]:
    """SPECS §1 claims: the critical point at σ_b² = 0.05, and measured ξ_c vs theory."""
    activation = critical_line.activation.iloc[0]
    out = []
    if activation in REFERENCE_CRITICAL_SIGMA_W2:
        sigma_b2, expected, tol = REFERENCE_CRITICAL_SIGMA_W2[activation]
        value = critical_sigma_w2(critical_line, sigma_b2)
        out.append(
            Claim(
                FIGURE,
                f"critical σ_w² of {activation} at σ_b² = {sigma_b2}",
                "Schoenholz et al. 2017, Fig. 1 (SPECS §1 ref)",
                f"{expected:.4f} ± {tol:g}",
                f"{value:.5f}",
                bool(abs(value - expected) <= tol),
                value,
            )
        )
    elif activation == "relu":
        value = critical_sigma_w2(critical_line, 0.0)
        out.append(Claim(FIGURE, "critical point of ReLU", "Poole et al. 2016 (χ_1 = σ_w²/2)", "(2, 0)", f"({value:g}, 0)", bool(abs(value - 2) < 1e-12), value))
    for row in fits.itertuples():
        if not row.distance_to_critical >= AWAY_FROM_CRITICAL:
            continue
        measured = "no fit window above noise" if row.n_layers == 0 else f"ξ = {row.xi_c_measured:.2f} ({row.relative_error:+.1%}, layers {row.first_layer}–{row.last_layer})"
        out.append(
            Claim(
                FIGURE,
                f"measured c^l converges at depth scale ξ_c (σ_w² = {row.sigma_w2:g}, σ_b² = {row.sigma_b2:g})",
                "Schoenholz et al. 2017, Eq. 9 and Fig. 1",
                f"ξ_c = {row.xi_c_theory:.2f} ± {XI_TOLERANCE:.0%}",
                measured,
                bool(abs(row.relative_error) <= XI_TOLERANCE),
                float(row.xi_c_measured),
            )
        )
    return out


def plot(critical_line: pd.DataFrame, depth_scales: pd.DataFrame, propagation: pd.DataFrame, fits: pd.DataFrame):
    """The four-panel figure; returns the matplotlib Figure. Theory curves are recomputed here
    from :mod:`dltheory.meanfield` (milliseconds); nothing is trained or measured."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm

    from ..plotting import setup_style

    setup_style()
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
    ax_map.set(xlabel=r"$\sigma_w^2$", ylabel=r"$\sigma_b^2$", xlim=(x0, x1), ylim=(grid.index.min(), y1), title=f"(a) phase diagram, {activation}")
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
    ax_xi.axvspan(crit - AWAY_FROM_CRITICAL, crit + AWAY_FROM_CRITICAL, color="0.9", label="near-critical (no claim)")
    ax_xi.axvline(crit, color="k", ls=":", lw=1)
    ax_xi.set(xlabel=r"$\sigma_w^2$", ylabel=r"$\xi_c$ (layers)", title=rf"(d) correlation depth scale at $\sigma_b^2 = {sigma_b2:g}$", ylim=(1, 300), xlim=(x0, x1 + 0.1))
    ax_xi.legend(fontsize="small")
    return fig
