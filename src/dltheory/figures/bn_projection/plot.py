"""bn_projection's figure: panels (a)-(f), see the package docstring."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from dltheory.core.contract import Artifacts
from dltheory.core.plotting import setup_style
from dltheory.figures.bn_projection.claims import LABELS, RESOLVED, resolved

COLORS = {"eps0": "tab:blue", "default_eps": "tab:orange", "no_bn": "tab:gray"}  # by the network name's ending
TINY = 1e-18  # where an exact zero is drawn on a log axis


def plot(artifacts: Artifacts, bars: dict):
    """Top: the identities on random batches; bottom: the trained networks."""
    setup_style()
    table, run = artifacts["identities"], artifacts["rows"]
    fig, axes = plt.subplots(2, 3, figsize=(16, 9), constrained_layout=True)
    _identity_panels(axes[0], table, bars)
    _network_panels(axes[1], run, bars)
    fig.suptitle("Train-mode BatchNorm, float64: g_f = (γ/s)(I − 11ᵀ/N − x̂x̂ᵀ/N) g, a projection at eps = 0", fontsize="small")
    return fig


def _identity_panels(row, table, bars) -> None:
    """(a) closed form vs autograd per N and eps; (b) ‖P² − P‖_F vs eps with r(1 − r); (c) the
    gradient's mean and its overlap with x̂ vs eps."""
    eps_values = sorted(set(table.eps))
    for n, cell in table.groupby("batch_size"):
        row[0].semilogy(cell.eps.map(eps_values.index), cell.relative_error.clip(lower=TINY), "o-", label=f"N = {n}")
        row[1].loglog(np.maximum(cell.eps, TINY), cell.idempotence_defect.clip(lower=TINY), "o", label=f"N = {n}, measured")
        row[2].loglog(np.maximum(cell.eps, TINY), cell.orthogonality_residual.clip(lower=TINY), "o", label=f"|x̂ᵀg_f|, N = {n}")
    worst = table.groupby("eps").idempotence_predicted.max()
    row[1].loglog(np.maximum(worst.index, TINY), worst.clip(lower=TINY), "k:", label="r(1 − r), largest node")
    predicted = table.groupby("eps").orthogonality_predicted.max()
    row[2].loglog(np.maximum(predicted.index, TINY), predicted.clip(lower=TINY), "k:", label="(γ/s)(1 − r)x̂ᵀg, largest")
    mean = table.groupby("eps").mean_residual.max()
    row[2].loglog(np.maximum(mean.index, TINY), mean.clip(lower=TINY), "s--", color="tab:red", label="|1ᵀg_f|, largest")
    row[0].axhline(bars["max_relative_error"], color="0.5", ls="--", lw=0.8, label=f"bar {bars['max_relative_error']:g}")
    row[0].set_xticks(range(len(eps_values)), [f"{e:g}" for e in eps_values])
    row[0].set(title="(a) closed form vs autograd", xlabel="eps", ylabel="largest relative error")
    row[1].set(title="(b) ‖P² − P‖_F: a projection only at eps = 0", xlabel=f"eps (0 drawn at {TINY:g})", ylabel="‖P² − P‖_F")
    row[2].set(title="(c) g_f's mean and overlap with x̂ (relative)", xlabel=f"eps (0 drawn at {TINY:g})", ylabel="relative residual")
    for ax in row:
        ax.legend(fontsize="x-small")


def _network_panels(row, run, bars) -> None:
    """(d) increments against η²‖∇‖²; (e) mean row norm along training; (f) bias gradient / weight
    gradient of the first Linear layer, per step."""
    for key in run["networks"]:
        color = next(c for ending, c in COLORS.items() if key.endswith(ending))
        style = dict(color=color, ls="--" if key.startswith("relu_bn") else "-", label=LABELS[key])
        predicted, increment = run[f"{key}_predicted"], run[f"{key}_increment"]
        shown = resolved(predicted, run[f"{key}_weight_norm"][:-1])
        marker = "^" if key.startswith("relu_bn") else "o"
        row[0].loglog(predicted[shown], np.abs(increment[shown]), marker, ms=2, alpha=0.3, color=color, label=LABELS[key])
        row[1].plot(run[f"{key}_weight_norm"].mean(1), **style)
        ratio = run[f"{key}_bias_gradient"].sum(1) / run[f"{key}_weight_gradient"].sum(1)
        row[2].semilogy(np.maximum(ratio, TINY), **style)
    lims = np.array(row[0].get_xlim())
    row[0].loglog(lims, lims, "k:", lw=1, label="Δ‖θ‖² = η²‖∇θ‖²")
    row[0].set(
        title=f"(d) row-norm increment per SGD step (where η²‖∇θ‖² > {RESOLVED:g} ‖θ‖²)",
        xlabel="η²‖∇θ_j‖²",
        ylabel="|‖θ_j(t+1)‖² − ‖θ_j(t)‖²|",
    )
    row[1].set(title="(e) mean first-layer row norm ‖(w_j, b_j)‖", xlabel="SGD step", ylabel="mean norm")
    row[2].set(title="(f) Σ|∂L/∂b_j| / Σ‖∂L/∂w_j‖, first layer", xlabel="SGD step", ylabel=f"ratio (0 drawn at {TINY:g})")
    for ax in row:
        ax.legend(fontsize="xx-small")
