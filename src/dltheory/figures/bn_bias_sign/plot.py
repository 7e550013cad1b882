"""bn_bias_sign's figure: (a) the share of negative BN biases per layer; (b) the proxy's channels,
β/|γ| against activity; (c) co-activation against independence, per layer."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from dltheory.core.contract import Artifacts
from dltheory.core.plotting import setup_style


def plot(artifacts: Artifacts, bars: dict):
    setup_style()
    channels, activity, pretrained = artifacts["proxy"], artifacts["activity"], artifacts["pretrained"]
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.6), constrained_layout=True)
    ax = axes[0]
    for model, layers in pretrained.groupby("model", sort=False):
        ax.plot(layers.layer / len(layers), layers.negative_share, "o-", ms=3, label=f"{model} (ImageNet, torchvision)")
    shares = activity.groupby("layer").negative_share
    depth = shares.mean().index / activity.layer.max()
    ax.errorbar(
        depth, shares.mean(), yerr=shares.std().fillna(0), fmt="s-", color="k", capsize=3, label="our proxy (MNIST), mean ± s.d. over seeds"
    )
    ax.axhline(bars["majority"], color="0.5", ls="--", lw=0.8, label="half")
    ax.set(
        title="(a) share of negative BN biases per layer", xlabel="layer / number of BN layers", ylabel="share of β < 0", ylim=(-0.03, 1.03)
    )
    ax.legend(fontsize="x-small")

    ax = axes[1]
    for layer, rows in channels.groupby("layer"):
        ax.scatter(rows.beta / rows.gamma.abs(), rows.active, s=8, alpha=0.6, label=f"layer {layer}")
    ax.axvline(0, color="0.5", lw=0.8)
    ax.set(
        title="(b) proxy: β/|γ| against the share of units on", xlabel="β/|γ| of a channel", ylabel="share of its units on (test images)"
    )
    ax.legend(fontsize="x-small")

    ax = axes[2]
    by_layer = activity.groupby("layer")[["both", "independent", "active"]].mean()
    x = np.arange(len(by_layer))
    ax.bar(x - 0.27, by_layer.active, 0.27, label="P(i on)")
    ax.bar(x, by_layer.both, 0.27, label="P(i and j on)")
    ax.bar(x + 0.27, by_layer.independent, 0.27, label="P(i)P(j), independent")
    ax.set_xticks(x, [f"layer {layer}" for layer in by_layer.index])
    ax.set(title="(c) proxy: are two units rarely on together?", ylabel="probability (mean over channels / pairs)")
    ax.legend(fontsize="x-small")
    fig.suptitle("BatchNorm biases of trained Conv-BN-ReLU networks (Tian et al. 2019, Luck Matters)", fontsize="small")
    return fig
