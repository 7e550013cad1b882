"""implicit_bias's figure: one row per dataset, panels (A)-(F)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from dltheory.core.contract import Artifacts
from dltheory.core.plotting import setup_style

LABELS = {
    "gd": "GD",
    "momentum": "heavy ball, summed loss (literal)",
    "momentum_average": "momentum, running average",
    "momentum_mean": "heavy ball, mean loss",
    "adam": "Adam",
}
COLORS = {"gd": "tab:blue", "momentum": "tab:orange", "momentum_average": "tab:red", "momentum_mean": "tab:purple", "adam": "tab:green"}
STYLES = {"momentum_average": "--", "momentum_mean": "-."}


def plot(artifacts: Artifacts, bars: dict):
    """Rows: datasets; columns (A)–(F), see the module docstring."""

    setup_style()
    run, curves, rates = artifacts["trajectories"], artifacts["curves"], artifacts["rates"]
    names = list(run["datasets"])
    fig, axes = plt.subplots(len(names), 6, figsize=(24, 4.2 * len(names)), constrained_layout=True, squeeze=False)
    for row, name in zip(axes, names):
        X, y, w_hat = run[f"{name}_X"], run[f"{name}_y"], run[f"{name}_w_hat"]
        data = curves[curves.dataset == name]
        _data_panel(row[0], X, y, w_hat, {o: run[f"{name}_w"][j, -1] for j, o in enumerate(run["optimizers"])}, name)
        for optimizer, c in data.groupby("optimizer", sort=False):
            style = dict(color=COLORS[optimizer], label=LABELS[optimizer], lw=1.6, ls=STYLES.get(optimizer, "-"))
            row[1].plot(c.t, c.norm / c.norm.iloc[-1], **style)
            row[2].loglog(c.t, np.exp(c.log_loss), **style)
            row[3].loglog(c.t, c.angle_gap.where(c.angle_gap > 0), **style)
            row[4].loglog(c.t, c.margin_gap.where(c.margin_gap > 0), **style)
            row[5].semilogx(c.t, c.distance_ln_t, **style)
        gd = data[data.optimizer == "gd"]
        t_end, norm_end, w_norm = gd.t.iloc[-1], gd.norm.iloc[-1], np.linalg.norm(w_hat)
        row[1].semilogx(gd.t, 1 + w_norm * np.log(gd.t / t_end) / norm_end, "k:", lw=1, label="GD's theory: slope ‖ŵ‖ per unit of ln t")
        loss_end = np.exp(gd.log_loss.iloc[-1])
        row[2].loglog(gd.t, loss_end * t_end / gd.t, "k:", lw=1, label="∝ 1/t")
        predicted = rates[(rates.dataset == name) & (rates.optimizer == "gd")].predicted_distance_ln_t.iloc[0]
        if predicted > 1e-9 * w_norm:
            row[5].axhline(predicted, color="k", ls=":", lw=1, label=f"limit ‖P⊥w̃‖/‖ŵ‖ = {predicted:.3f}")
        else:
            row[5].plot([], [], " ", label="limit 0: w̃ ∥ ŵ (faster than 1/ln t)")
        row[5].set_yscale("log")
        if name == "symmetric":
            row[3].axhline(bars["max_angle_gap"], color="0.5", ls="--", lw=0.8, label=f"GD's bar {bars['max_angle_gap']:g}")
        titles = [
            "(B) ‖w(t)‖ / ‖w(T)‖, slope → ‖ŵ‖ per ln t",
            "(C) loss L(w(t)) ∝ 1/t",
            "(D) angle gap 1 − cos∠(w, ŵ)",
            "(E) margin gap 1 − ‖ŵ‖·margin(w)",
            "(F) ‖w/‖w‖ − ŵ/‖ŵ‖‖ · ln t",
        ]
        for ax, title in zip(row[1:], titles):
            ax.set(title=title, xlabel="step t")
            ax.legend(fontsize="x-small")
        row[1].set_xscale("log")
        eta, bound = rates[rates.dataset == name].step_size.iloc[0], rates[rates.dataset == name].step_bound.iloc[0]
        row[1].set_ylabel(f"{name}: η = {eta:.3g}, bound 8/σ_max² = {bound:.3g}", fontsize="small")
    fig.suptitle(
        "Logistic loss summed over the samples, no bias, from w = 0; GD, three forms of momentum (γ = 0.9) and Adam; "
        "ŵ: hard-margin SVM (QP); stretched: the symmetric data with x₂ × 20 (the paper's ADAM experiment)",
        fontsize="small",
    )
    return fig


def _data_panel(ax, X, y, w_hat, finals: dict, name: str) -> None:
    """(A): the points (support vectors ringed), the max-margin separator and its margins, and the
    separator of each optimizer's last w."""
    support = np.abs((y[:, None] * X) @ w_hat - 1) < 1e-6
    positive, negative = X[y == 1], X[y == -1]
    ax.scatter(positive[:, 0], positive[:, 1], marker="+", s=60, c="k", label="y = +1")
    ax.scatter(negative[:, 0], negative[:, 1], marker="o", s=60, facecolors="none", edgecolors="k", label="y = -1")
    ax.scatter(X[support, 0], X[support, 1], s=220, facecolors="none", edgecolors="tab:red", lw=1, label="support vectors")
    extent = np.abs(X).max(0) * 1.15  # per axis: the stretched data are 20 times taller than wide
    reach = np.linalg.norm(extent)

    def through_origin(direction):  # a line through 0 along ``direction``, past the panel's edges
        return np.linspace(-reach, reach, 2)[:, None] * direction / np.linalg.norm(direction)

    line = through_origin(np.array([-w_hat[1], w_hat[0]]))
    ax.plot(*line.T, "k", lw=1.5, label="max-margin separator (QP)")
    for side in (1, -1):
        offset = side * w_hat / np.linalg.norm(w_hat) ** 2
        ax.plot(*(line + offset).T, "k:", lw=0.8)
    for optimizer, w in finals.items():
        ax.plot(
            *through_origin(np.array([-w[1], w[0]])).T,
            ls="--",
            color=COLORS[optimizer],
            lw=1,
            label=f"{LABELS[optimizer]}, last step",
        )
    ax.set(xlim=(-extent[0], extent[0]), ylim=(-extent[1], extent[1]), title=f"(A) {name} data")
    ax.legend(fontsize="xx-small", loc="upper left")
