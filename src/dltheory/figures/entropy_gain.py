"""Figure ``entropy_gain``: the entropy of feature maps rises with depth, then the gain vanishes
(Yuan et al. 2021, "Learning Structures for Deep Neural Networks", §3).

(a) Entropy of the normalized feature map after each random conv layer (layer 0: the
contrast-normalized patches), per seed (thin) and mean ± s.d. over seeds, for both estimators,
with the ceiling (D/2) log₂(2πe) of D independent unit-variance Gaussians. (b) The gain
H_l − H_{l−1} per layer. (c) The total correlation (redundancy) Σ_j H(z_j) − H(z).

Our protocol (the paper's networks and estimator are not available): random He-initialized 3×3
conv + ReLU layers, each channel standardized, measured through D random projections of the whole
map (:mod:`dltheory.science.feature_entropy` explains why not single units).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dltheory.core.claims import Claim, claim
from dltheory.core.contract import Artifacts, Figure, require

NAME = "entropy_gain"
SOURCE = "Yuan et al. 2021, §3 (arXiv 2105.13905)"
LABELS = {"knn": "Kozachenko–Leonenko k-NN, whitened", "gaussian": "Gaussian log-det (upper bound)"}
LOG2_2PIE = np.log2(2 * np.pi * np.e)


def late_layers(depth: int) -> list[int]:
    """The last third of the layers 1 .. depth (at least the last one)."""
    return list(range(min(depth, 2 * depth // 3 + 1), depth + 1))


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per estimator and layer: mean, s.d. and s.e.m. over seeds of entropy, gain and total correlation."""
    grouped = table.groupby(["estimator", "layer"])[["entropy", "gain", "total_correlation"]]
    out = grouped.mean()
    for stat in ("std", "sem"):
        out = out.join(grouped.agg(stat).add_suffix(f"_{stat}"))
    out["seeds"] = grouped.size()
    return out.reset_index()


def claims(artifacts: Artifacts, bars: dict) -> list[Claim]:
    """For each estimator: the first layer's gain is > 0 (by more than 2 s.e.m. over seeds); the
    mean gain over the last third of the layers is below ``bars['max_late_gain_fraction']`` of the
    first layer's; the total correlation at the last layer is below that of the patches."""
    table, max_late = artifacts["table"], bars["max_late_gain_fraction"]
    out = []
    depth = int(table.layer.max())
    late = late_layers(depth)
    for estimator in [e for e in LABELS if e in set(table.estimator)]:
        rows = table[table.estimator == estimator]
        s = summary(rows).set_index("layer")
        first, first_sem = s.gain[1], s.gain_sem[1]
        late_gain = rows[rows.layer.isin(late)].gain.mean()
        tc0, tc_last = s.total_correlation[0], s.total_correlation[depth]
        seeds_falling = int(
            (
                rows[rows.layer == depth].set_index("seed").total_correlation < rows[rows.layer == 0].set_index("seed").total_correlation
            ).sum()
        )
        name = f"{estimator} estimator"
        out += [
            claim(
                f"the first layer raises the entropy of the representation ({name})",
                source=SOURCE,
                expected="gain of layer 1 > 0 (by > 2 s.e.m. over seeds)",
                measured=f"{first:+.2f} ± {first_sem:.2f} bits (s.e.m., {int(s.seeds[1])} seeds); {s.entropy[0]:.2f} → {s.entropy[1]:.2f} bits",
                passed=bool(first - 2 * first_sem > 0),
                value=float(first),
            ),
            claim(
                f"the gain vanishes in the last layers: mean gain of layers {late[0]}–{late[-1]} / gain of layer 1 ({name})",
                source=SOURCE,
                expected=f"< {max_late:.0%}",
                measured=f"{late_gain / first:.0%} ({late_gain:+.3f} / {first:+.3f} bits)",
                passed=bool(first > 0 and late_gain / first < max_late),
                value=float(late_gain / first),
            ),
            claim(
                f"total correlation (redundancy) falls with depth ({name})",
                source=SOURCE,
                expected=f"TC at layer {depth} < TC of the patches",
                measured=f"{tc0:.2f} → {tc_last:.2f} bits (mean); lower in {seeds_falling} of {int(s.seeds[depth])} seeds",
                passed=bool(tc_last < tc0),
                value=float(tc_last - tc0),
            ),
        ]
    return out


def plot(artifacts: Artifacts, bars: dict):
    """(a) entropy, (b) gain, (c) total correlation vs layer; per seed (thin) and mean ± s.d."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    from dltheory.core.plotting import setup_style

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


def check(config: dict) -> None:
    """Every layer must leave a map: each shrinks it by kernel_size - 1 ('valid' convolution)."""
    eg = config[NAME]["compute"]
    left = eg["patch_size"] - eg["layers"] * (eg["kernel_size"] - 1)
    if left < 1:
        require(
            [
                f"{NAME}.compute.layers: {eg['layers']} layers of {eg['kernel_size']}x{eg['kernel_size']} kernels shrink "
                f"{eg['patch_size']} px patches to nothing; allowed: layers <= {(eg['patch_size'] - 1) // (eg['kernel_size'] - 1)} or larger patch_size"
            ]
        )


# ------------------------------------------------------------------------------------------
# Cost of the compute jobs (python -m dltheory plan). Imports inside the functions: the claims and
# plot jobs import this module, and their code digest follows module-level imports only.


def _measure_flops(spec: dict) -> float:
    """FLOPs of ``entropy_gain_measure`` for n patches of s × s px, C channels, L layers of k × k
    convolutions (side s_l = s − l(k − 1)), D-dimensional views, V views per layer, seeds S:
    cutting and normalizing the patches (10 n s²); per seed and layer l ≥ 1 the convolution
    2 n C C_{l−1} k² s_l² and the standardization 5 n C s_l²; per seed, layer l ≥ 0 and view the
    projection 2 n U_l D of the U_l = C_l s_l² units, the whitening and the Gaussian log-det
    (4 n D²), and the k-NN entropies of the view and of its D coordinates (a k-d tree: build and
    query, (k + 2) n log₂ n D each)."""
    n, s, C, k, D = spec["n_patches"], spec["patch_size"], spec["channels"], spec["kernel_size"], spec["projection_dim"]
    log_n = np.log2(n)
    total = 0.0
    for layer in range(spec["layers"] + 1):
        side, channels = s - layer * (k - 1), (C if layer else 1)
        conv = 2 * n * channels * (C if layer > 1 else 1) * k * k * side * side + 5 * n * channels * side * side if layer else 0
        view = 2 * n * channels * side * side * D + 4 * n * D * D + 2 * (spec["knn_k"] + 2) * n * log_n * D
        total += conv + spec["projections"] * view
    return 10 * n * s * s + spec["seeds"] * total


def _measure_memory(spec: dict) -> float:
    """Bytes: the patches and, at the first layer (the largest map, float64), the map, the
    previous one and the standardization's temporaries: 3 × n C (s − k + 1)² × 8."""
    n, s, k = spec["n_patches"], spec["patch_size"], spec["kernel_size"]
    return 2 * n * s * s * 8 + 3 * n * spec["channels"] * (s - k + 1) ** 2 * 8


def _measure_run(spec: dict) -> None:
    from dltheory.core.cost import seeds_of
    from dltheory.core.images import contrast_normalized_patches
    from dltheory.science.feature_entropy import entropy_by_layer

    patches = contrast_normalized_patches(spec["images"], spec["patch_size"], spec["n_patches"], spec["min_contrast"], spec["patch_seed"])
    for seed in seeds_of(spec):
        entropy_by_layer(
            patches, spec["channels"], spec["layers"], spec["kernel_size"], spec["projection_dim"], spec["projections"], spec["knn_k"], seed
        )


def jobs(config: dict) -> list:
    """``entropy_gain_measure``, probed on one network (seed) and at most 1,000 patches of the
    first two images."""
    from dltheory.core.cost import reduced, sliced

    spec = config[NAME]["compute"]
    probe = reduced(spec, images=spec["images"][:2], n_patches=min(spec["n_patches"], 1000), seeds=1)
    return [sliced(f"{NAME}_measure", "", spec, probe, _measure_flops, _measure_memory, _measure_run)]


FIGURE = Figure(
    name=NAME,
    title="Entropy gain per layer of random conv networks on natural-image patches",
    sources=(SOURCE,),
    artifacts=lambda config: {"table": FIGURE.result("entropy.csv")},
    claims=claims,
    plot=plot,
    check=check,
    jobs=jobs,
)
