"""random_labels's figure: (a) training loss against steps per variant (the first architecture);
(b) epochs to fit against p and (c) test error against p with chance, per architecture; (d) train /
test accuracy with and without weight decay, per architecture; (e) Theorem 1's residual against
networks with fewer units."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from dltheory.core.contract import Artifacts
from dltheory.core.plotting import setup_style


def plot(artifacts: Artifacts, bars: dict):
    setup_style()
    members, curves, construction = artifacts["members"], artifacts["curves"], artifacts["construction"]
    models = list(members.model.unique())  # the config's order; panel (a) shows the first
    fig, axes = plt.subplots(1, 5, figsize=(20, 3.8), constrained_layout=True)
    ax, first = axes[0], curves[curves.model == models[0]]
    shown = [v for v in members.variant.unique() if "corrupted" not in v]
    for v in shown:
        # mean over seeds at each step while every seed still trains; a stopped seed has fitted
        mean = first[first.variant == v].groupby("step").train_loss.mean()
        ax.plot(mean.index / 1000, mean.to_numpy(), label=v)
    ax.set(xlabel="thousand steps", ylabel="training loss (whole training set)", yscale="log", title=f"(a) {models[0]}")
    ax.legend(fontsize=7)
    labels = members[(members.inputs == "original") & (members.weight_decay == 0)]
    table = labels.assign(test_error=1 - labels.test_accuracy)
    for ax, column, ylabel, title in (
        (axes[1], "epochs_to_fit", "epochs to fit", "(b) time to fit"),
        (axes[2], "test_error", "test error", "(c) test error"),
    ):
        for color, model in enumerate(models):
            rows = table[table.model == model]
            ax.plot(rows.p, rows[column], "o", alpha=0.3, color=f"C{color}")
            mean = rows.groupby("p")[column].mean()
            ax.plot(mean.index, mean.to_numpy(), "-", color=f"C{color}", lw=2, label=f"{model} (mean over seeds; dots: seeds)")
        ax.set(xlabel="label corruption p", ylabel=ylabel, title=title)
    axes[1].legend(fontsize=7)
    axes[2].axhline(0.9, ls="--", color="0.4", label="chance (90%)")
    axes[2].legend(fontsize=7)
    ax = axes[3]
    rows = ["true labels", "true labels + weight decay", "random labels", "random labels + weight decay"]
    means = members.groupby(["model", "variant"])[["train_accuracy", "test_accuracy"]].mean()
    position, width = np.arange(len(rows)), 0.8 / (2 * len(models))
    for m, model in enumerate(models):
        for k, (split, hatch) in enumerate((("train", ""), ("test", "//"))):
            offset = (2 * m + k + 0.5) * width - 0.4
            values = means.loc[model].loc[rows, f"{split}_accuracy"]
            ax.bar(position + offset, values, width, color=f"C{m}", hatch=hatch, edgecolor="white", label=f"{model}, {split}")
    ax.set_xticks(position, [r.replace(" + weight decay", "\n+ wd") for r in rows], fontsize=7)
    ax.set(ylabel="accuracy", title="(d) with and without weight decay", ylim=(0, 1.4))
    ax.legend(fontsize=6, ncol=2, loc="upper center")
    ax = axes[4]
    by_units = construction.groupby("units").relative_residual
    ax.plot(by_units.mean().index, by_units.mean().to_numpy(), "o-", label="mean over draws")
    exact = construction[construction.exact]
    ax.plot(exact.units, exact.relative_residual, "*", ms=12, color="C3", label="Theorem 1 (k = n)")
    ax.set(xlabel="hidden units k (2k + d weights)", ylabel="relative residual on random labels", yscale="log", title="(e) Theorem 1")
    ax.legend(fontsize=7)
    return fig
