"""resnet_ensembles's figure: (a) error after deleting each single block, resnet against plain;
(b) error against blocks deleted or pairs swapped; (c) path lengths; (d) gradient magnitude per
path length; (e) total gradient per path length with its effective range."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from dltheory.core.contract import Artifacts
from dltheory.core.plotting import setup_style
from dltheory.figures.resnet_ensembles.claims import path_profile
from dltheory.science.residual_paths import shortest_interval


def plot(artifacts: Artifacts, bars: dict):
    setup_style()
    single, curves, paths = artifacts["single"], artifacts["curves"], artifacts["paths"]
    fig, axes = plt.subplots(1, 5, figsize=(24, 4.4), constrained_layout=True)

    ax = axes[0]
    for (architecture, rows), marker in zip(single.groupby("architecture", sort=False), "os"):
        mean = rows.groupby("block").error.mean()
        line = ax.plot(mean.index + 1, mean.to_numpy(), marker + "-", ms=4, label=f"{architecture}, one block deleted")
        ax.axhline(rows.baseline.mean(), color=line[0].get_color(), ls=":", lw=1, label=f"{architecture}, nothing deleted")
    for block in single[single.downsampling].block.unique():
        ax.axvline(block + 1, color="0.6", lw=6, alpha=0.3)
    ax.axhline(0.9, color="0.4", ls="--", lw=0.8, label="chance")
    ax.set(title="(a) deleting one block (grey: downsampling)", xlabel="deleted block", ylabel="test error", ylim=(0, 1))
    ax.legend(fontsize="x-small")

    ax = axes[1]
    for lesion, rows in curves.groupby("lesion"):
        stats = rows.groupby("k").error.agg(["mean", "std"])
        ax.errorbar(
            stats.index,
            stats["mean"],
            yerr=stats["std"].fillna(0),
            fmt="o-",
            capsize=3,
            label=f"resnet, k blocks {lesion}" if lesion == "deleted" else "resnet, k pairs swapped",
        )
    ax.axhline(0.9, color="0.4", ls="--", lw=0.8, label="chance")
    ax.set(title="(b) many lesions (mean ± s.d. over samples)", xlabel="k", ylabel="test error", ylim=(0, 1))
    ax.legend(fontsize="x-small")

    profile = path_profile(paths)
    n = int(profile.index.max())
    ax = axes[2]
    ax.bar(profile.index, profile.paths / 2.0**n, color="C2")
    ax.set(title=f"(c) path lengths through n = {n} blocks: B(n, 1/2)", xlabel="path length k (blocks)", ylabel="share of the 2ⁿ paths")

    ax = axes[3]
    for seed, rows in paths.groupby("seed"):
        mean = rows.groupby("k").norm.mean()
        ax.plot(mean.index, mean.to_numpy(), "o-", ms=3, alpha=0.7, label=f"seed {seed}")
    ax.set(
        yscale="log", title="(d) gradient norm at the input through one path", xlabel="path length k (blocks)", ylabel="mean gradient norm"
    )
    ax.legend(fontsize="x-small")

    ax = axes[4]
    first, last = shortest_interval(profile.total.to_numpy(), bars["share"])
    ax.bar(profile.index, profile.share, color="C3")
    ax.axvspan(first - 0.5, last + 0.5, color="0.8", alpha=0.5, label=f"{bars['share']:.0%} of the gradient: {first}-{last} blocks")
    ax.axvline(n / 2, color="0.4", ls="--", lw=0.8, label="n / 2, the typical path")
    ax.set(
        title="(e) total gradient per path length",
        xlabel="path length k (blocks)",
        ylabel="share of the total gradient",
        xticks=np.arange(0, n + 1, max(1, n // 9)),
    )
    ax.legend(fontsize="x-small")
    fig.suptitle("Residual networks behave like ensembles of relatively shallow networks (Veit, Wilber & Belongie 2016)", fontsize="small")
    return fig
