"""entropy_gain's figure: entropy, gain and total correlation against the layer."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

from dltheory.core.contract import Artifacts
from dltheory.core.plotting import setup_style
from dltheory.figures.entropy_gain.claims import LABELS, summary

LOG2_2PIE = np.log2(2 * np.pi * np.e)


def plot(artifacts: Artifacts, bars: dict):
    """(a) entropy, (b) gain, (c) total correlation vs layer; per seed (thin) and mean ± s.d."""

    setup_style()
    table = artifacts["table"]
    stats = summary(table)
    estimators = [e for e in LABELS if e in set(table.estimator)]
    colors = dict(zip(estimators, sns.color_palette("colorblind", len(estimators))))
    dim = int(table.projection_dim.iloc[0])
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.3), constrained_layout=True)
    panels = [
        ("entropy", "(a) entropy of the feature map", "entropy H (bits)"),
        ("gain", "(b) gain per layer", "gain $H_l - H_{l-1}$ (bits)"),
        ("total_correlation", "(c) redundancy", "total correlation $\\sum_j H(z_j) - H(z)$ (bits)"),
    ]
    offsets = dict(zip(estimators, np.linspace(-0.12, 0.12, len(estimators))))
    for ax, (column, title, ylabel) in zip(axes, panels):
        for estimator in estimators:
            rows, s = table[table.estimator == estimator], stats[stats.estimator == estimator].dropna(subset=[column])
            per_seed = rows.pivot(index="layer", columns="seed", values=column).dropna()
            ax.plot(per_seed.index + offsets[estimator], per_seed.to_numpy(), color=colors[estimator], lw=0.6, alpha=0.35)
            ax.errorbar(
                s.layer + offsets[estimator],
                s[column],
                yerr=s[f"{column}_std"],
                color=colors[estimator],
                marker="o",
                ms=4,
                lw=2,
                capsize=2,
                label=f"{LABELS[estimator]} (mean ± s.d., {int(s.seeds.iloc[0])} seeds)",
            )
        ax.set(title=title, xlabel="layer (0 = contrast-normalized patches)", ylabel=ylabel)
        ax.set_xticks(sorted(set(table.layer)))
    axes[0].axhline(dim / 2 * LOG2_2PIE, color="0.3", ls=":", lw=1, label=f"ceiling: {dim} independent unit Gaussians")
    axes[1].axhline(0, color="0.3", lw=0.8)
    axes[0].legend(fontsize="x-small", loc="lower right")
    units = table.drop_duplicates("layer").set_index("layer").units
    fig.suptitle(
        f"Random 3×3 conv + ReLU layers on natural-image patches; entropy of {dim} random projections of the "
        f"standardized map (map sizes {', '.join(str(u) for u in units)})",
        fontsize="small",
    )
    return fig
