"""r2svm's figure: accuracy per layer with the ablations and references, the cross-validation of C,
and the decision regions of the 2-D problems."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.colors import ListedColormap
from matplotlib.ticker import MaxNLocator

from dltheory.core.contract import Artifacts
from dltheory.core.plotting import setup_style
from dltheory.figures.r2svm.claims import METHODS, SYNTHETIC, curve, curves, reference


def plot(artifacts: Artifacts, bars: dict):
    """Row 1: (a) accuracy vs layer per real dataset with the ablations (c) and the references, and
    the cross-validation of C. Then per 2-D problem two rows of (b) decision regions: the method
    as written, and with copied inputs (not in the paper)."""
    setup_style()
    table, regions, cv = artifacts["table"], artifacts["boundaries"], artifacts["cv"]
    c = curves(table)
    real = [d for d in dict.fromkeys(table.dataset) if d not in SYNTHETIC]
    synthetic = [d for d in SYNTHETIC if f"{d}_as_written_labels" in regions]
    shown = regions["layers_shown"].tolist()
    colors = dict(zip(METHODS, sns.color_palette("colorblind", len(METHODS))))
    n_cols = max(len(shown), 1)
    rows = 2 * len(synthetic)
    fig = plt.figure(figsize=(3.4 * n_cols, 3.6 + 3.1 * rows), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[3.6, 3.1 * max(rows, 1)])
    # separate subfigures, so that the curves' axis labels do not widen the region panels' columns
    panels = top.subplots(1, len(real) + 1, squeeze=False)[0]
    for ax, dataset in zip(panels, real):
        accuracy_panel(ax, table, c, dataset, colors)
    cv_panel(panels[-1], cv, real)
    cmap, dots = ListedColormap(sns.color_palette("pastel", 2)), ListedColormap(sns.color_palette("dark", 2))
    axes = bottom.subplots(max(rows, 1), n_cols, squeeze=False)
    for k, dataset in enumerate(synthetic):
        xs, ys = regions[f"{dataset}_xs"], regions[f"{dataset}_ys"]
        x, y = regions[f"{dataset}_x_train"], regions[f"{dataset}_y_train"]
        for j, (variant, label) in enumerate((("as_written", "as written"), ("copies", "inputs copied (not in the paper)"))):
            r = curve(c, dataset, variant=variant)
            for col, layer in enumerate(shown):
                ax = axes[2 * k + j, col]
                ax.contourf(xs, ys, regions[f"{dataset}_{variant}_labels"][col], levels=[-0.5, 0.5, 1.5], cmap=cmap)
                ax.scatter(x[:, 0], x[:, 1], c=y, cmap=dots, s=3, lw=0)
                ax.set(xticks=[], yticks=[])
                ax.set_title(
                    f"(b) {dataset}, {label}\nlayer {layer}: train {r.train_acc[layer]:.1%}, test {r.test_acc[layer]:.1%}", fontsize="small"
                )
    for ax in axes.ravel()[2 * len(synthetic) * n_cols :]:
        ax.set_visible(False)
    fig.suptitle(
        "R2SVM: $x_{l+1} = σ(d + β W_{l+1} [o_1; …; o_l])$, fresh $W_{l+1}$ ~ N(0, 1) per layer, C by cross-validation of the R2SVM; "
        "test accuracy at fixed layers (the ablations are deterministic: one draw)",
        fontsize="small",
    )
    return fig


def accuracy_panel(ax, table: pd.DataFrame, c: pd.DataFrame, dataset: str, colors) -> None:
    """(a, c): test accuracy after each layer, mean ± s.d. over draws, the ablations and the references."""
    for method, label in METHODS.items():
        r = curve(c, dataset, method)
        if len(r):
            draws = f" ({int(r.seeds.iloc[0])} draws)" if method == "r2svm" else ""
            ax.plot(r.index, r.test_acc, color=colors[method], lw=2 if method == "r2svm" else 1.2, label=label + draws)
            ax.fill_between(
                r.index, r.test_acc - r.test_acc_std.fillna(0), r.test_acc + r.test_acc_std.fillna(0), color=colors[method], alpha=0.2
            )
    for method, style in (("linear_svm", ":"), ("rbf_svm", "--")):
        ax.axhline(reference(table, dataset, method), color="0.3", ls=style, lw=1, label=method.replace("_", " ").replace("svm", "SVM"))
    C = table[(table.dataset == dataset) & (table.method == "r2svm")].C.iloc[0]
    ax.set(title=f"(a, c) {dataset}: test accuracy, C = {C:g}", xlabel="layers", ylabel="test accuracy")
    ax.legend(fontsize="xx-small", loc="lower right")


def cv_panel(ax, cv: pd.DataFrame, real: list[str]) -> None:
    """Cross-validated accuracy of the R2SVM after each layer, per C (the real datasets)."""
    for dataset in real:
        r = cv[(cv.dataset == dataset) & (cv.variant == "as_written")]
        for C, g in r.groupby("C"):
            mean = g.groupby("layer").val_acc.mean()
            ax.plot(mean.index, mean, marker=".", label=f"{dataset}, C = {C:g}")
    ax.set(
        title="choosing C: cross-validated accuracy per layer\n(the C best at the last layer is used)",
        xlabel="layers",
        ylabel="validation accuracy",
    )
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize="xx-small", loc="lower right")
