"""shattered_gradients' figure: the paper's Fig. 1 rows, lag-1 against depth, the theorems layer by layer, looks-linear;
the paper's Fig. 2 autocorrelations, Theorem 1 end to end and Theorem 3."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

from dltheory.core.contract import Artifacts
from dltheory.core.plotting import setup_style
from dltheory.figures.shattered_gradients.claims import (
    correlation_by_depth,
    correlation_estimates,
    describe,
    log2_fit,
    noise_lag,
    pair_table,
)


def plot(artifacts: Artifacts, bars: dict):
    """The paper's Fig. 1 rows, then (f) lag-1 vs depth, (g) the one-layer factors, (h) looks-linear,
    then (i)–(j) the autocorrelation against lag, (k) Theorem 1 end to end, (l) Theorem 3."""
    setup_style()
    ff, rs, lag1, transfer = artifacts["panels_feedforward"], artifacts["panels_resnet"], artifacts["lag1"], artifacts["transfer"]
    x = ff["x"]
    columns = [
        ("shallow", "(a) 1-layer feedforward", ff),
        ("deep", f"(b) {int(ff['deep_depth'])}-layer feedforward, mean-centred", ff),
        ("resnet", f"(c) {int(rs['resnet_depth'])}-block resnet, BN, β = {float(rs['resnet_beta']):g}", rs),
        ("brown", "(d) brown noise", ff),
        ("white", "(e) white noise", ff),
    ]
    fig = plt.figure(figsize=(20, 16.5), constrained_layout=True)
    grid = fig.add_gridspec(4, 5, height_ratios=[1, 1.15, 1.3, 1.3])
    for i, (key, title, source) in enumerate(columns):
        ax = fig.add_subplot(grid[0, i])
        curve = source[f"{key}_curve"]
        ax.plot(x, curve / np.abs(curve).max(), lw=0.8)
        ax.set(title=title, xlabel="input x", ylabel="dy/dx (one init, scaled)" if i == 0 else None)
        ax = fig.add_subplot(grid[1, i])
        ax.imshow(source[f"{key}_covariance"], cmap="RdBu_r", vmin=-1, vmax=1, extent=(x[0], x[-1], x[-1], x[0]))
        ax.set(xlabel="x", ylabel="x'" if i == 0 else None, title="covariance over inits" if i == 0 else None)
    ax = fig.add_subplot(grid[2, :2])
    nets = [n for n in lag1.net.unique() if not n.endswith("_noise")]
    colors = dict(zip(nets, sns.color_palette("colorblind", len(nets))))
    for net in nets:
        curve = lag1[lag1.net == net].sort_values("depth")
        ax.plot(curve.depth, curve.lag1, color=colors[net], lw=1.6, label=describe(net))
    for noise, style in (("white_noise", ":"), ("brown_noise", "--")):
        ax.axhline(noise_lag(lag1, noise), color="0.4", ls=style, lw=1, label=describe(noise))
    ax.axhspan(-bars["max_deep_lag1"], bars["max_deep_lag1"], color="0.92", label=f"|lag-1| < {bars['max_deep_lag1']}")
    ax.set(
        xscale="log", xlabel="depth (layers or blocks)", ylabel="lag-1 correlation of dy/dx over inits", title="(f) shattering with depth"
    )
    ax.legend(fontsize="x-small", ncol=2)
    ax = fig.add_subplot(grid[2, 2:4])
    for net, theory, color in (
        ("feedforward_centre", bars["theorem1_factor"], "tab:blue"),
        ("resnet_centre", bars["theorem2_factor"], "tab:orange"),
    ):
        rows = transfer[transfer.net == net]
        ax.scatter(
            rows.agreement,
            rows.factor,
            s=8,
            alpha=0.5,
            color=color,
            label=f"{'feedforward layer' if net.startswith('feed') else 'β = 1 resnet block'}, mean-centred",
        )
        ax.plot([0.5], [theory], "k*", ms=14)
        ax.annotate(
            f"Theorem {'1' if net.startswith('feed') else '2'}: {theory}",
            (0.5, theory),
            xytext=(8, -4),
            textcoords="offset points",
            fontsize="small",
        )
    a = np.linspace(0, 1, 11)
    ax.plot(a, a, color="tab:blue", lw=0.8, ls="--", label="P(both on)/P(on) = agreement a")
    ax.plot(a, (1 + a) / 2, color="tab:orange", lw=0.8, ls="--", label="(1 + 2 P(both on))/(1 + 2 P(on)) = (1 + a)/2")
    ax.axvspan(0.5 - bars["independence_tolerance"], 0.5 + bars["independence_tolerance"], color="0.9", label="independent patterns")
    ax.set(
        xlabel="agreement of the two inputs' activation patterns",
        ylabel="one-layer factor on the gradients' correlation",
        title="(g) the theorems, layer by layer",
    )
    ax.legend(fontsize="x-small")
    ax = fig.add_subplot(grid[2, 4])
    for net in ("crelu_looks_linear", "crelu_random"):
        curve = lag1[lag1.net == net].sort_values("depth")
        ax.plot(curve.depth, curve.lag1, lw=1.6, label=describe(net))
    ax.set(xscale="log", xlabel="depth", ylabel="lag-1", title="(h) looks-linear initialization")
    ax.legend(fontsize="x-small")
    acf = artifacts["autocorrelation"]
    resnets = [n for n in acf.net.unique() if n.startswith("resnet")]
    _autocorrelation_panel(fig.add_subplot(grid[3, 0]), acf, ["feedforward_centre"], "(i) autocorrelation (Fig. 2), feedforward")
    _autocorrelation_panel(fig.add_subplot(grid[3, 1]), acf, resnets, "(j) autocorrelation, BN resnets")
    _theorem1_panel(fig.add_subplot(grid[3, 2]), artifacts["pairs"], bars)
    _theorem3_panel(fig.add_subplot(grid[3, 3:]), artifacts["pairs"], lag1)
    fig.suptitle(
        "One scalar input, width-200 ReLU networks, He init; dy/dx on a grid of one batch with its batch statistics held fixed; correlations over initializations",
        fontsize="small",
    )
    return fig


def _autocorrelation_panel(ax, acf, nets: list[str], title: str) -> None:
    """The autocorrelation of dy/dx against lag at each measured depth of ``nets`` (one line style
    per net, darker for deeper), with the white- and brown-noise references. The title names the
    architecture; the legend, β (for resnets) and the depth."""
    for net, style in zip(nets, ("-", "--", ":")):
        rows = acf[acf.net == net]
        depths = sorted(rows.depth.unique())
        shades = sns.color_palette("flare" if net.startswith("resnet") else "crest", len(depths))
        beta = f"β = {net.removeprefix('resnet_batch_norm_beta')}, " if net.startswith("resnet") else ""
        for depth, color in zip(depths, shades):
            curve = rows[rows.depth == depth].sort_values("lag")
            ax.plot(curve.lag, curve.autocorrelation, ls=style, color=color, lw=1.4, label=f"{beta}depth {int(depth)}")
    for noise, color in (("white_noise", "0.6"), ("brown_noise", "0.2")):
        curve = acf[acf.net == noise].sort_values("lag")
        ax.plot(curve.lag, curve.autocorrelation, color=color, lw=1, ls="-.", label=describe(noise))
    ax.axhline(0, color="0.8", lw=0.8)
    ax.set(xlabel="lag k (grid steps)", ylabel="autocorrelation of dy/dx over inits", title=title, ylim=(-0.2, 1.05))
    ax.legend(fontsize="xx-small", ncol=1 + (len(nets) > 1), loc="center right")


def _theorem1_panel(ax, pairs, bars: dict) -> None:
    """Theorem 1 end to end: the correlation at pairs of random inputs against depth (log₂ axis),
    with its bootstrap intervals, 2^{−L} and the fit over depths 1 … ``end_to_end_fit_depth``."""
    depths, covariance, variance, _ = pair_table(pairs, "feedforward_centre")
    estimates = correlation_estimates(pairs, "feedforward_centre")
    values = np.array([e.value for e in estimates])
    errors = np.array([[e.value - e.low, e.high - e.value] for e in estimates]).T
    ax.errorbar(depths, values, yerr=errors, fmt="o", color="tab:blue", ms=4, capsize=2, label="measured (95% interval over inits)")
    ax.plot(depths, 2.0**-depths, "k--", lw=1, label="Theorem 1: 2^-L")
    fitted = depths <= bars["end_to_end_fit_depth"]
    slope, intercept = log2_fit(depths[fitted], correlation_by_depth(covariance, variance)[fitted])
    ax.plot(
        depths[fitted],
        2.0 ** (intercept + slope * depths[fitted]),
        color="tab:red",
        lw=1.2,
        label=f"fit, depths 1-{bars['end_to_end_fit_depth']}: slope {slope:.3f}",
    )
    ax.set_yscale("log", base=2)
    ax.set(
        xlabel="depth L",
        ylabel="correlation of ∂y/∂x at two random inputs",
        title="(k) Theorem 1 end to end: ×1/2 per layer",
    )
    ax.legend(fontsize="x-small")


def _theorem3_panel(ax, pairs, lag1) -> None:
    """Theorem 3: the correlation at pairs of random inputs of each batch-normalized resnet against
    depth, with the theorem's 1/(β√L) (where below 1) and the grid's lag-1 (thin)."""
    nets = sorted((n for n in pairs.net.unique() if n.startswith("resnet")), reverse=True)
    for net, color in zip(nets, sns.color_palette("colorblind", len(nets))):
        beta = float(net.removeprefix("resnet_batch_norm_beta"))
        depths, covariance, variance, _ = pair_table(pairs, net)
        ax.plot(depths, correlation_by_depth(covariance, variance), "o-", color=color, lw=1.6, label=f"{describe(net)}: random-input pairs")
        L = np.geomspace(1, lag1.depth.max(), 60)
        theory = 1 / (beta * np.sqrt(L))
        ax.plot(L[theory <= 1], theory[theory <= 1], "--", color=color, lw=1, label=f"Theorem 3: 1/(β√L), β = {beta:g}")
        grid = lag1[lag1.net == net].sort_values("depth")
        ax.plot(grid.depth, grid.lag1, ":", color=color, lw=1, label=f"{describe(net)}: grid lag-1")
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="depth L (blocks)",
        ylabel="correlation of the gradients",
        title="(l) Theorem 3: batch-normalized resnets",
    )
    ax.legend(fontsize="x-small")
