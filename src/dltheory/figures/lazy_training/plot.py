"""lazy_training's figure: the kernel on the circle, the width sweeps, the spectrum and PL* curves,
and the lazy scaling."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from dltheory.core.contract import Artifacts
from dltheory.core.plotting import setup_style
from dltheory.figures.lazy_training.claims import layer_name


def plot(artifacts: Artifacts, bars: dict):
    """Panels (a)–(d); see the package docstring (``__init__.py``)."""
    setup_style()
    fig, axes = plt.subplots(2, 3, figsize=(17, 10), constrained_layout=True)
    _plot_circle(axes[0, 0], artifacts["circle"])
    widths = artifacts["widths"]
    for ax, (hidden, group) in zip(axes[0, 1:], widths.groupby("hidden_layers")):
        layers = sorted(set(group.layer), key=lambda l: (l == "kernel", l))
        colors = dict(zip(layers, sns.color_palette("colorblind", len(layers))))
        for layer in layers:
            g = group[group.layer == layer]
            mean = g.groupby("width").relative_change
            ax.errorbar(
                mean.mean().index,
                mean.mean(),
                yerr=mean.std(),
                marker="o",
                ms=4,
                capsize=2,
                color=colors[layer],
                label=layer_name(layer, hidden),
            )
        w = np.array(sorted(set(group.width)))
        first = group[group.layer == "0"].groupby("width").relative_change.mean()
        ax.plot(w, first.iloc[0] * np.sqrt(w[0] / w), "k:", lw=1, label="∝ 1/√width")
        ax.plot(w, first.iloc[0] * (w[0] / w), "k--", lw=0.8, label="∝ 1/width")
        ax.set(
            xscale="log",
            yscale="log",
            xlabel="width",
            ylabel="relative change after training",
            title=f"(b) {hidden} hidden layer{'s' if hidden > 1 else ''}: how far it moves",
        )
        ax.legend(fontsize="x-small")
    _plot_spectrum(axes[1, 0], artifacts, bars)
    _plot_pl(axes[1, 1], artifacts["pl_curves"])
    alpha = artifacts["alpha"]
    mean = alpha.groupby("alpha").displacement
    ax = axes[1, 2]
    ax.errorbar(mean.mean().index, mean.mean(), yerr=mean.std(), marker="o", ms=4, capsize=2, label="‖θ_T − θ₀‖, mean ± s.d.")
    a = mean.mean().index.to_numpy(float)
    ax.plot(a, mean.mean().iloc[-1] * a[-1] / a, "k:", lw=1, label="∝ 1/α")
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="scale α of the model α(f(θ) − f(θ₀))",
        ylabel="‖θ_T − θ₀‖",
        title="(d) lazy scaling (Chizat et al.)",
    )
    ax.legend(fontsize="x-small")
    fig.suptitle(
        "ReLU networks in the NTK parameterization (weights N(0, 1), 1/√fan-in in the forward pass, bias factor 0.1), full-batch gradient descent on the squared loss",
        fontsize="small",
    )
    return fig


def _plot_circle(ax, circle: dict) -> None:
    gamma, widths = circle["gamma"], circle["widths"]
    colors = sns.color_palette("colorblind", len(widths))
    for color, width, init, trained in zip(colors, widths, circle["theta_init"], circle["theta_trained"]):
        ax.plot(gamma, init.T, color=color, lw=0.7, alpha=0.7)
        ax.plot(gamma, trained.T, color=color, lw=0.7, alpha=0.7, ls="--")
        ax.plot([], [], color=color, label=f"width {width}: t = 0 (solid), t = {int(circle['steps'])} (dashed)")
    ax.plot(gamma, circle["analytic"], "k", lw=1.5, label="infinite width, t = 0")
    ax.set(
        xlabel="γ, x = (cos γ, sin γ)",
        ylabel="Θ(x₀, x), x₀ = (1, 0)",
        title=f"(a) the tangent kernel, {circle['theta_init'].shape[1]} inits per width (Jacot Fig. 1)",
    )
    ax.legend(fontsize="x-small")


def _plot_spectrum(ax, artifacts: Artifacts, bars: dict) -> None:
    eigen = artifacts["spectrum"]
    n = int(eigen.points.iloc[0])
    ratio = (eigen.lambda_min / eigen.lambda_max).clip(lower=1e-18)
    ax.scatter(eigen.parameters / n, ratio, s=12, alpha=0.6, label="one init")
    ax.axvline(1, color="tab:red", ls="--", lw=1, label="parameters = n")
    ax.axhline(bars["zero_eigenvalue"], color="0.5", ls=":", lw=1, label=f"numerically zero below {bars['zero_eigenvalue']:g}")
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="parameters / training points n",
        ylabel="λ_min / λ_max of Θ₀ (≤ 1e-18 shown at 1e-18)",
        title=f"(c) the kernel's smallest eigenvalue (PL*), n = {n}",
    )
    ax.legend(fontsize="x-small")


def _plot_pl(ax, curves: pd.DataFrame) -> None:
    for seed, g in curves.groupby("seed"):
        ax.plot(g.step, g.loss, color="tab:blue", lw=0.8, alpha=0.7, label="loss (one init)" if seed == curves.seed.min() else None)
        ax.plot(
            g.step, g.bound, color="tab:red", lw=0.8, ls="--", alpha=0.7, label="L₀ (1 − ηλ_min)^t" if seed == curves.seed.min() else None
        )
    ax.set(
        yscale="log",
        xlabel="gradient step t",
        ylabel="training loss",
        title=f"(c) gradient descent under the PL* bound, width {int(curves.width.iloc[0])}",
    )
    ax.legend(fontsize="x-small")
