"""lazy_training's figure: the kernel on the circle, the width sweeps, the spectrum, conditioning and
PL* curves, the distance to the linearization, and the lazy scaling."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from dltheory.core.contract import Artifacts
from dltheory.core.plotting import setup_style
from dltheory.figures.lazy_training.claims import layer_name


def plot(artifacts: Artifacts, bars: dict):
    """Panels (a)–(e); see the package docstring (``__init__.py``)."""
    setup_style()
    fig, axes = plt.subplots(3, 3, figsize=(17, 15), constrained_layout=True)
    _plot_circle(axes[0, 0], artifacts["circle"])
    for ax, (hidden, group) in zip(axes[0, 1:], artifacts["widths"].groupby("hidden_layers")):
        _plot_width_sweep(ax, hidden, group)
    _plot_spectrum(axes[1, 0], artifacts["spectrum"])
    _plot_condition(axes[1, 1], artifacts["spectrum"])
    _plot_retention(axes[1, 2], artifacts["pl_curves"], bars)
    _plot_pl(axes[2, 0], artifacts["pl_curves"], bars)
    _plot_linearization(axes[2, 1], artifacts["linearization"])
    _plot_alpha(axes[2, 2], artifacts["alpha"], bars)
    fig.suptitle(
        "Networks in the NTK parameterization (weights N(0, 1), 1/√fan-in in the forward pass, bias factor 0.1), ReLU unless "
        "marked softplus, full-batch gradient descent on the squared loss",
        fontsize="small",
    )
    return fig


def _mean_sd(ax, table: pd.DataFrame, x: str, y: str, **style) -> pd.Series:
    """Mean ± s.d. over seeds of ``y`` at each ``x``, as error bars; returns the means."""
    grouped = table.groupby(x)[y]
    mean = grouped.mean()
    ax.errorbar(mean.index, mean, yerr=grouped.std(), marker="o", ms=4, capsize=2, **style)
    return mean


def _plot_width_sweep(ax, hidden: int, group: pd.DataFrame) -> None:
    layers = sorted(set(group.layer), key=lambda l: (l == "kernel", l))
    colors = dict(zip(layers, sns.color_palette("colorblind", len(layers))))
    for layer in layers:
        _mean_sd(ax, group[group.layer == layer], "width", "relative_change", color=colors[layer], label=layer_name(layer, hidden))
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


def _plot_spectrum(ax, eigen: pd.DataFrame) -> None:
    n = int(eigen.points.iloc[0])
    floor = n * np.finfo(float).eps
    for (activation, g), color in zip(eigen.groupby("activation"), sns.color_palette("colorblind", 2)):
        ratio = (g.lambda_min / g.lambda_max).clip(lower=1e-18)
        singular = g["rank"] < n
        ax.scatter(g.parameters[~singular] / n, ratio[~singular], s=12, alpha=0.6, color=color, label=f"{activation}, full rank")
        ax.scatter(g.parameters[singular] / n, ratio[singular], s=14, marker="x", color=color, label=f"{activation}, singular")
    ax.axvline(1, color="tab:red", ls="--", lw=1, label="parameters = n")
    ax.axhline(floor, color="0.5", ls=":", lw=1, label=f"n ε = {floor:.1e}: numerically zero below")
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="parameters / training points n",
        ylabel="λ_min / λ_max of Θ₀ (≤ 1e-18 shown at 1e-18)",
        title=f"(c) the kernel's smallest eigenvalue (PL*), n = {n}; ReLU: × = two dead inputs",
    )
    ax.legend(fontsize="x-small")


def _plot_condition(ax, eigen: pd.DataFrame) -> None:
    n = int(eigen.points.iloc[0])
    full = eigen[eigen["rank"] == n].assign(condition=lambda t: t.lambda_max / t.lambda_min)
    for (activation, g), color in zip(full.groupby("activation"), sns.color_palette("colorblind", 2)):
        ax.scatter(g.width, g.condition, s=10, alpha=0.5, color=color)
        median = g.groupby("width").condition.median()
        ax.plot(median.index, median, color=color, marker="o", ms=4, label=f"{activation}: median over inits")
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="width (one hidden layer)",
        ylabel="λ_max / λ_min of Θ₀ (full-rank inits)",
        title="(c) conditioning improves with width",
    )
    ax.legend(fontsize="x-small")


def _width_colors(curves: pd.DataFrame) -> dict:
    widths = sorted(curves.width.unique())
    return dict(zip(widths, sns.color_palette("viridis", len(widths))))


def _plot_retention(ax, curves: pd.DataFrame, bars: dict) -> None:
    kernel = curves.dropna(subset=["lambda_min"])
    start = kernel[kernel.step == 0].set_index(["width", "seed"]).lambda_min
    retained = kernel.lambda_min / start.reindex(pd.MultiIndex.from_frame(kernel[["width", "seed"]])).to_numpy()
    for width, color in _width_colors(curves).items():
        mask = (kernel.width == width).to_numpy()
        mean = retained[mask].groupby(kernel.step[mask]).mean()
        ax.plot(mean.index, mean, color=color, marker=".", label=f"width {width}{' (claim)' if width >= bars['pl_wide_width'] else ''}")
    ax.axhline(bars["pl_fraction"], color="tab:red", ls="--", lw=1, label=f"{bars['pl_fraction']:g} (our bar)")
    ax.set(
        yscale="log",
        xlabel="gradient step t",
        ylabel="λ_min(Θ_t) / λ_min(Θ₀), mean over inits",
        title=f"(c) PL* along training: λ_min of the kernel ({curves.activation.iloc[0]})",
    )
    ax.legend(fontsize="x-small")


def _plot_pl(ax, curves: pd.DataFrame, bars: dict) -> None:
    for width, color in _width_colors(curves).items():
        g = curves[curves.width == width].groupby("step")
        ax.plot(g.loss.mean().index, g.loss.mean(), color=color, lw=1.2, label=f"width {width}: loss")
        ax.plot(g.bound.mean().index, g.bound.mean(), color=color, lw=1, ls="--")
    ax.plot([], [], color="0.4", ls="--", label="L₀(1 − ηλ_min(Θ₀))^t (dashed)")
    ax.set(
        yscale="log",
        xlabel="gradient step t",
        ylabel="training loss, mean over inits",
        title=f"(c) gradient descent against the PL* bound ({curves.activation.iloc[0]})",
    )
    ax.legend(fontsize="x-small")


def _plot_linearization(ax, gaps: pd.DataFrame) -> None:
    colors = sns.color_palette("colorblind", gaps.hidden_layers.nunique())
    for (hidden, g), color in zip(gaps.groupby("hidden_layers"), colors):
        mean = _mean_sd(ax, g, "width", "gap", color=color, label=f"{hidden} hidden layer{'s' if hidden > 1 else ''}")
        w = mean.index.to_numpy(float)
        ax.plot(w, mean.iloc[0] * np.sqrt(w[0] / w), color=color, ls=":", lw=1)
    ax.plot([], [], "k:", lw=1, label="∝ 1/√width (Lee et al.'s bound)")
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="width",
        ylabel="sup over t and test inputs of |f_t − f^lin_t|",
        title="(e) distance to the linearized network (Lee et al.)",
    )
    ax.legend(fontsize="x-small")


def _plot_alpha(ax, alpha: pd.DataFrame, bars: dict) -> None:
    a = np.sort(alpha.alpha.unique()).astype(float)
    for column, label, color in (
        ("displacement", "‖θ_T − θ₀‖", "tab:blue"),
        ("linearization_gap", "sup_t |h_α − h̄| on the training inputs", "tab:orange"),
    ):
        mean = _mean_sd(ax, alpha, "alpha", column, color=color, label=f"{label}, mean ± s.d.")
        ax.plot(a, mean.iloc[-1] * a[-1] / a, color=color, ls=":", lw=1)
    ax.plot([], [], "k:", lw=1, label="∝ 1/α")
    ax.axvspan(bars["alpha_fit_from"], a[-1], color="0.9", zorder=0, label="slopes fitted here")
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="scale α of the model h_α = α(f(θ) − f(θ₀))",
        ylabel="distance",
        title=f"(d) lazy scaling (Chizat et al.), {alpha.activation.iloc[0]}",
    )
    ax.legend(fontsize="x-small")
