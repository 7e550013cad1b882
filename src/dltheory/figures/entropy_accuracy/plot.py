"""entropy_accuracy's figure: test accuracy against output entropy, per network, and entropy against the output dimension."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

from dltheory.core.contract import Artifacts
from dltheory.core.plotting import setup_style
from dltheory.figures.entropy_accuracy.claims import LABELS
from dltheory.science.random_architectures import spearman

MARKERS = {"relu": "o", "tanh": "^"}


def plot(artifacts: Artifacts, bars: dict):
    """(a) test accuracy vs entropy with the primary estimator, (b) with the other one, (c) entropy
    (primary) vs output dimension; one point per network, colored by family, marker by activation;
    the legend gives each family's Spearman ρ."""
    setup_style()
    table = artifacts["table"]
    primary = bars["primary_estimator"]
    order = [primary] + [name for name in LABELS if name != primary]
    families = sorted(set(table.family))
    colors = dict(zip(families, sns.color_palette("colorblind", len(families))))
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.3), constrained_layout=True)
    for ax, estimator in zip(axes[:2], order):
        column = f"entropy_{estimator}"
        for (family, activation), part in table.groupby(["family", "activation"]):
            ax.scatter(
                part[column],
                part.test_accuracy,
                color=colors[family],
                marker=MARKERS[activation],
                s=22,
                alpha=0.75,
                label=f"{family}, {activation}",
            )
        rho = {family: spearman(part[column], part.test_accuracy) for family, part in table.groupby("family")}
        text = "\n".join([f"all: ρ = {spearman(table[column], table.test_accuracy):+.2f}"] + [f"{f}: ρ = {r:+.2f}" for f, r in rho.items()])
        ax.text(0.03, 0.97, text, transform=ax.transAxes, va="top", fontsize="small")
        ax.set(
            title=f"({'ab'[order.index(estimator)]}) {LABELS[estimator]}{' (primary)' if estimator == primary else ''}",
            xlabel=f"output entropy, {int(table.projection_dim.iloc[0])} projections (bits)",
            ylabel="test accuracy (logistic regression)",
        )
    axes[0].legend(fontsize="x-small", loc="lower right")
    column = f"entropy_{primary}"
    for family, part in table.groupby("family"):
        jitter = np.exp(np.random.default_rng(0).uniform(-0.05, 0.05, len(part)))  # separate the seeds of one width
        axes[2].scatter(part.units * jitter, part[column], color=colors[family], s=18, alpha=0.75, label=family)
    axes[2].set(
        xscale="log",
        title="(c) entropy vs output dimension",
        xlabel="output dimension (units)",
        ylabel=f"entropy, {LABELS[primary]} (bits)",
    )
    axes[2].legend(fontsize="x-small")
    fig.suptitle(
        f"Random-weight conv and MLP networks on {table.dataset.iloc[0]}: one point per architecture × seed",
        fontsize="small",
    )
    return fig
