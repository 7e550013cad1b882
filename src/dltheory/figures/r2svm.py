"""Figure ``r2svm``: the Random Recursive SVM (Vinyals, Jia, Deng & Darrell, NIPS 2012).

(a) Test accuracy after each layer on the real datasets (mean ± s.d. over draws of the random
projections), with the linear and RBF SVMs as horizontal references. (b) Decision regions in
input space after successive layers on two moons and two spirals. (c) The ablations: the random
projection against a fixed (deterministic) projection and against stacking the scores without
projection (:mod:`dltheory.r2svm`).
"""

from __future__ import annotations

import pandas as pd

from ..claims import Claim
from ..contract import Artifacts, Figure, require
from ..data import missing_data_errors

NAME = "r2svm"
SOURCE = "Vinyals et al. 2012, §3.1 and §4"
METHODS = {"r2svm": "R2SVM (random projection)", "r2svm_fixed": "fixed projection", "r2svm_concatenate": "concatenated scores"}


def curves(table: pd.DataFrame) -> pd.DataFrame:
    """Per dataset, method and layer: mean and s.d. over seeds of train and test accuracy."""
    layered = table.dropna(subset=["layer"])
    grouped = layered.groupby(["dataset", "method", "layer"])[["train_acc", "test_acc"]]
    return grouped.mean().join(grouped.std().add_suffix("_std")).join(grouped.size().rename("seeds")).reset_index()


def reference(table: pd.DataFrame, dataset: str, method: str) -> float:
    return float(table[(table.dataset == dataset) & (table.method == method)].test_acc.iloc[0])


def claims(artifacts: Artifacts, bars: dict) -> list[Claim]:
    """On each real dataset, the R2SVM at its best layer beats layer 1 (a linear SVM) and saturates
    (test accuracy gained over the last third of the layers < ``bars['max_late_gain']``), and its
    run-to-run s.d. is ≤ 0.25 points; on two spirals the deep layers reach
    ``bars['spirals_target']`` where the linear SVM stays within ``bars['chance_margin']`` of chance."""
    table = artifacts["table"]
    max_late_gain, spirals_target, chance_margin = bars["max_late_gain"], bars["spirals_target"], bars["chance_margin"]
    c = curves(table)
    out = []
    real = [d for d in dict.fromkeys(table.dataset) if d not in ("two_moons", "two_spirals")]
    for dataset in real:
        r = c[(c.dataset == dataset) & (c.method == "r2svm")].set_index("layer")
        depth = int(r.index.max())
        best = int(r.test_acc.idxmax())
        first, top, last = r.test_acc[1], r.test_acc[best], r.test_acc[depth]
        start = depth - depth // 3
        late_gain = last - r.test_acc[start]
        out += [
            Claim(
                NAME,
                f"{dataset}: R2SVM test accuracy at its best layer exceeds layer 1 (a linear SVM)",
                SOURCE,
                "best layer > layer 1 (mean over draws; the best layer is picked on the test split)",
                f"{top:.2%} at layer {best} vs {first:.2%}; last layer {last:.2%}; RBF SVM {reference(table, dataset, 'rbf_svm'):.2%}",
                bool(top > first),
                float(top - first),
            ),
            Claim(
                NAME,
                f"{dataset}: accuracy saturates: gain over layers {start}–{depth}",
                SOURCE,
                f"< {max_late_gain * 100:.1f} points",
                f"{late_gain * 100:+.2f} points ({r.test_acc[start]:.2%} → {last:.2%})",
                bool(late_gain < max_late_gain),
                float(late_gain),
            ),
            Claim(
                NAME,
                f"{dataset}: run-to-run s.d. of the last layer's test accuracy",
                SOURCE,
                "≤ 0.25 points",
                f"{r.test_acc_std[depth] * 100:.2f} points ({int(r.seeds[depth])} draws)",
                bool(r.test_acc_std[depth] <= 0.0025),
                float(r.test_acc_std[depth]),
            ),
        ]
    if "two_spirals" in set(table.dataset):
        r = c[(c.dataset == "two_spirals") & (c.method == "r2svm")].set_index("layer")
        depth = int(r.index.max())
        deep = r.test_acc[r.index > depth - depth // 3].mean()
        linear = reference(table, "two_spirals", "linear_svm")
        out.append(
            Claim(
                NAME,
                "two spirals: the deep layers separate the spirals where a linear SVM is near chance",
                SOURCE,
                f"mean test accuracy of layers > {depth - depth // 3} ≥ {spirals_target:.0%}; linear SVM within {chance_margin:.0%} of 50%",
                f"{deep:.1%} (best layer {r.test_acc.max():.1%}); linear SVM {linear:.1%}; RBF SVM {reference(table, 'two_spirals', 'rbf_svm'):.1%}",
                bool(deep >= spirals_target and abs(linear - 0.5) <= chance_margin),
                float(deep),
            )
        )
    return out


def plot(artifacts: Artifacts, bars: dict):
    """Row 1: (a) accuracy vs layer per real dataset, (c) the ablations; row 2: (b) decision regions."""
    import matplotlib.pyplot as plt
    import seaborn as sns
    from matplotlib.colors import ListedColormap

    from ..plotting import setup_style

    setup_style()
    table, regions = artifacts["table"], artifacts["boundaries"]
    c = curves(table)
    datasets = list(dict.fromkeys(table.dataset))
    synthetic = [d for d in ("two_moons", "two_spirals") if f"{d}_labels" in regions]
    shown = regions["layers_shown"].tolist()
    colors = dict(zip(METHODS, sns.color_palette("colorblind", len(METHODS))))
    n_cols = max(len(datasets), len(shown))
    fig = plt.figure(figsize=(3.3 * n_cols, 3.2 * (1 + len(synthetic))), constrained_layout=True)
    grid = fig.add_gridspec(1 + len(synthetic), n_cols)
    for i, dataset in enumerate(datasets):
        ax = fig.add_subplot(grid[0, i])
        for method, label in METHODS.items():
            r = c[(c.dataset == dataset) & (c.method == method)]
            if len(r):
                ax.plot(
                    r.layer,
                    r.test_acc,
                    color=colors[method],
                    lw=2 if method == "r2svm" else 1.2,
                    label=f"{label} ({int(r.seeds.iloc[0])} draws)" if method == "r2svm" else label,
                )
                ax.fill_between(
                    r.layer, r.test_acc - r.test_acc_std.fillna(0), r.test_acc + r.test_acc_std.fillna(0), color=colors[method], alpha=0.2
                )
        for method, style in (("linear_svm", ":"), ("rbf_svm", "--")):
            ax.axhline(reference(table, dataset, method), color="0.3", ls=style, lw=1, label=method.replace("_", " ").replace("svm", "SVM"))
        ax.set(title=f"(a, c) {dataset}", xlabel="layers", ylabel="test accuracy")
        ax.legend(fontsize="xx-small", loc="lower right")
    cmap = ListedColormap(sns.color_palette("pastel", 2))
    for row, dataset in enumerate(synthetic, start=1):
        xs, ys, labels = regions[f"{dataset}_xs"], regions[f"{dataset}_ys"], regions[f"{dataset}_labels"]
        x, y = regions[f"{dataset}_x_train"], regions[f"{dataset}_y_train"]
        acc = c[(c.dataset == dataset) & (c.method == "r2svm")].set_index("layer").test_acc
        for col, layer in enumerate(shown):
            ax = fig.add_subplot(grid[row, col])
            ax.contourf(xs, ys, labels[col], levels=[-0.5, 0.5, 1.5], cmap=cmap)
            ax.scatter(x[:, 0], x[:, 1], c=y, cmap=ListedColormap(sns.color_palette("dark", 2)), s=3, lw=0)
            ax.set(xticks=[], yticks=[], title=f"(b) {dataset}, layer {layer}: {acc[layer]:.1%}")
    fig.suptitle(
        "R2SVM: $x_{l+1} = σ(d + β W_{l+1} [o_1; …; o_l])$, fresh $W_{l+1}$ ~ N(0, 1) per layer, C by cross-validation; "
        "test accuracy (the ablations are deterministic: one draw)",
        fontsize="small",
    )
    return fig


def check(config: dict) -> None:
    rs = config[NAME]["compute"]
    errors = []
    too_deep = [l for l in rs["synthetic"]["layers_shown"] if l > rs["layers"]]
    if too_deep:
        errors.append(
            f"{NAME}.compute.synthetic.layers_shown: {too_deep} exceed {NAME}.compute.layers ({rs['layers']}); allowed: 1 .. {rs['layers']}"
        )
    if not rs["datasets"] and not rs["synthetic"]["datasets"]:
        errors.append(f"{NAME}.compute.datasets and {NAME}.compute.synthetic.datasets are both empty; allowed: at least one dataset")
    require(errors + missing_data_errors(config["data"], rs["datasets"]))


FIGURE = Figure(
    name=NAME,
    title="Random recursive SVMs: accuracy gained by stacking layers",
    sources=("Vinyals, Jia, Deng & Darrell 2012, Learning with Recursive Perceptual Representations, §3.1 and §4",),
    artifacts=lambda config: {"table": FIGURE.result("layers.csv"), "boundaries": FIGURE.result("boundaries.npz")},
    claims=claims,
    plot=plot,
    check=check,
)
