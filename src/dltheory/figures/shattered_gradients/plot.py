"""shattered_gradients' figure: the paper's Fig. 1 rows, lag-1 against depth, the theorems layer by layer, looks-linear."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

from dltheory.core.contract import Artifacts
from dltheory.core.plotting import setup_style
from dltheory.figures.shattered_gradients.claims import describe, noise_lag


def plot(artifacts: Artifacts, bars: dict):
    """The paper's Fig. 1 rows, then (f) lag-1 vs depth, (g) the one-layer factors, (h) looks-linear."""
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
    fig = plt.figure(figsize=(20, 12), constrained_layout=True)
    grid = fig.add_gridspec(3, 5, height_ratios=[1, 1.15, 1.3])
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
    fig.suptitle(
        "One scalar input, width-200 ReLU networks, He init; dy/dx on a grid of one batch with its batch statistics held fixed; correlations over initializations",
        fontsize="small",
    )
    return fig
