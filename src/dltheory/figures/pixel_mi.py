"""Figure ``pixel_mi``: mutual information between pixels decays with distance (Yuan et al., Fig. 3).

(a) Raw pixels: MI between two pixels at distance d, horizontal and vertical pairs, per image
then averaged (pooling pairs across images would add the MI of "which image" to every distance,
a fake floor). (b) The same for the responses of edge filters (Sobel, horizontal and vertical
gradients): the MI between one filter's responses at distance d. Dashed: the same estimate on
the image with its pixels shuffled, the estimator's floor.

Our protocol (the paper's estimator and images are not available): plug-in MI from quantile
bins of each image, Miller–Madow corrected (:mod:`dltheory.information`).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from ..claims import Claim
from ..contract import Artifacts, Figure, increasing, require

NAME = "pixel_mi"
SOURCE = "Yuan et al. 2021, Fig. 3 (arXiv 2105.13905)"


def mean_curves(table: pd.DataFrame) -> pd.DataFrame:
    """Per representation and distance: mean over images (and both directions) of MI and of the floor, and the
    standard error across images."""
    per_image = table.groupby(["representation", "image", "distance"])[["mi_bits", "mi_shuffled_bits"]].mean()
    grouped = per_image.groupby(["representation", "distance"])
    out = grouped.mean()
    out["sem_bits"] = grouped.mi_bits.sem()
    out["images"] = grouped.size()
    return out.reset_index()


def claims(artifacts: Artifacts, bars: dict) -> list[Claim]:
    """Raw-pixel MI falls monotonically with distance; the far MI is a small fraction of the near one
    (``bars['max_far_fraction']``); every plotted estimate clears its shuffled floor by
    ``bars['floor_margin_bits']`` (single-image estimates closer than that are reported as
    indistinguishable)."""
    table = artifacts["table"]
    margin_bits, max_far = bars["floor_margin_bits"], bars["max_far_fraction"]
    curves = mean_curves(table)
    raw = curves[curves.representation == "pixels"].sort_values("distance")
    mi = raw.mi_bits.to_numpy()
    rises = [f"{a}→{b}" for a, b, x, y in zip(raw.distance[:-1], raw.distance[1:], mi[:-1], mi[1:]) if y >= x]
    near, far = mi[0], mi[-1]
    mean_excess = curves.mi_bits - curves.mi_shuffled_bits  # the plotted (image-averaged) estimates
    excess = table.mi_bits - table.mi_shuffled_bits  # every single estimate
    close = table[excess <= margin_bits].sort_values("distance", ascending=False)
    by_image = ", ".join(f"{name} ({n})" for name, n in close.image.value_counts().items())
    return [
        Claim(
            NAME,
            "raw-pixel MI decreases monotonically with distance (mean over images)",
            SOURCE,
            "strictly decreasing over the distance grid",
            f"{mi[0]:.2f} bits at d = {raw.distance.iloc[0]} → {mi[-1]:.2f} at d = {raw.distance.iloc[-1]}"
            + (f"; rises at {', '.join(rises)}" if rises else "; no rise"),
            not rises,
            float(np.max(np.diff(mi))),
        ),
        Claim(
            NAME,
            "far pixels share little information: MI at the largest distance / MI at the smallest",
            SOURCE,
            f"< {max_far:.0%}",
            f"{far / near:.1%} ({far:.3f} / {near:.3f} bits)",
            far / near < max_far,
            float(far / near),
        ),
        Claim(
            NAME,
            "every plotted estimate (mean over images) exceeds its shuffled floor; single-image estimates within the margin are reported",
            "our protocol (the estimator's floor)",
            f"mean MI − floor > {margin_bits} bits",
            f"smallest mean excess {mean_excess.min():.3f} bits; floor within ±{table.mi_shuffled_bits.abs().max():.4f} bits; "
            f"{len(close)} of {len(table)} single-image estimates within {margin_bits} bits of it"
            + (f" (indistinguishable; by image: {by_image})" if len(close) else ""),
            bool(mean_excess.min() > margin_bits),
            float(mean_excess.min()),
        ),
    ]


def plot(artifacts: Artifacts, bars: dict):
    """(a) raw pixels, (b) edge filters: MI vs distance, per image (thin) and mean ± s.e.m. across images."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    from ..plotting import setup_style

    setup_style()
    table = artifacts["table"]
    curves = mean_curves(table)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.4), constrained_layout=True, sharey=False)
    panels = [("(a) raw pixels", ["pixels"]), ("(b) after a layer of edge filters (Sobel)", sorted(set(table.representation) - {"pixels"}))]
    colors = dict(zip(sorted(set(table.representation)), sns.color_palette("colorblind", 3)))
    for ax, (title, reps) in zip(axes, panels):
        for rep in reps:
            if rep == "pixels":
                per_image = table[table.representation == rep].groupby(["image", "distance"]).mi_bits.mean().unstack("image")
                ax.plot(per_image.index, per_image.to_numpy(), color="0.75", lw=0.8)
            c = curves[curves.representation == rep]
            ax.errorbar(
                c.distance,
                c.mi_bits,
                yerr=c.sem_bits,
                color=colors[rep],
                marker="o",
                ms=4,
                lw=2,
                capsize=2,
                label=f"{rep} (mean of {int(c.images.iloc[0])} images ± s.e.m.)",
            )
            ax.plot(c.distance, c.mi_shuffled_bits, color=colors[rep], ls="--", lw=1, label=f"{rep}: shuffled-pixel floor")
        ax.set(xscale="log", xlabel="distance between the two pixels (px)", ylabel="mutual information (bits)")
        ax.set_title(title)
        ax.legend(fontsize="x-small", loc="upper right")
    n_bins = int(table.n_bins.iloc[0])
    fig.suptitle(
        f"Plug-in MI, {n_bins} quantile bins per image, Miller–Madow corrected; horizontal and vertical pairs averaged", fontsize="small"
    )
    return fig


def check(config: dict) -> None:
    pm = config[NAME]["compute"]
    errors = increasing(f"{NAME}.compute.distances", pm["distances"])
    if "pixels" not in pm["representations"]:
        errors.append(
            f"{NAME}.compute.representations: {pm['representations']} lacks 'pixels', which the claims are about; allowed: a list with pixels"
        )
    require(errors)


# ------------------------------------------------------------------------------------------
# Cost of the compute jobs (python -m dltheory plan). Imports inside the functions: the claims and
# plot jobs import this module, and their code digest follows module-level imports only.

SOBEL_FLOPS = 18  # a 3 × 3 filter: 9 multiply-adds per pixel


@functools.cache
def _pixels(name: str) -> int:
    from ..images import natural_image

    return natural_image(name).size


def _measure_flops(spec: dict) -> float:
    """FLOPs (operations) of ``pixel_mi_measure``, per image of n pixels and representation: the
    Sobel filter (18 n), the shuffled copy (n); then per direction, for the values and the floor:
    the quantile bins (a sort, n log₂ n, and the digitization, n log₂ B), and per distance the
    pair histogram (4 n) and its MI, B² (F_T + 4)."""
    from ..plan import F_TRANSCENDENTAL as F_T

    bins, distances = spec["n_bins"], spec["distances"]["num"]
    total = 0.0
    for name in spec["images"]:
        n = _pixels(name)
        per_map = n * (np.log2(n) + np.log2(bins)) + distances * (4 * n + bins * bins * (F_T + 4))
        total += sum(SOBEL_FLOPS * n * (rep != "pixels") + n + 2 * 2 * per_map for rep in spec["representations"])
    return total


def _measure_memory(spec: dict) -> float:
    """Bytes: for the largest image, about 8 arrays of its size at once (values, floor, their bins,
    the sort's and the pairs' temporaries), float64 or int64."""
    return 8 * 8 * max(_pixels(name) for name in spec["images"])


def _measure_run(spec: dict) -> None:
    from ..images import natural_image, representation
    from ..mutual_information import distance_grid, mi_vs_distance, shuffled

    distances = distance_grid(spec["distances"])
    for name in spec["images"]:
        image = natural_image(name)
        for rep in spec["representations"]:
            values = representation(rep, image)
            floor_values = shuffled(values, np.random.default_rng(spec["shuffle_seed"]))
            for direction in ("horizontal", "vertical"):
                for v in (values, floor_values):
                    mi_vs_distance(v, distances, direction, spec["n_bins"])


def jobs(config: dict) -> list:
    """``pixel_mi_measure``, probed on the first image's raw pixels (both directions, with the floor)."""
    from ..plan import reduced, sliced

    spec = config[NAME]["compute"]
    probe = reduced(spec, images=spec["images"][:1], representations=spec["representations"][:1])
    return [sliced(f"{NAME}_measure", "", spec, probe, _measure_flops, _measure_memory, _measure_run)]


FIGURE = Figure(
    name=NAME,
    title="Mutual information between pixels falls with their distance",
    sources=(SOURCE,),
    artifacts=lambda config: {"table": FIGURE.result("mi.csv")},
    claims=claims,
    plot=plot,
    check=check,
    jobs=jobs,
)
