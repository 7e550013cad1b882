"""pixel_mi's figure: MI vs distance for raw pixels and edge filters, with the shuffled floor."""

from __future__ import annotations

import matplotlib.pyplot as plt
import seaborn as sns

from dltheory.core.contract import Artifacts
from dltheory.core.plotting import setup_style
from dltheory.figures.pixel_mi.claims import mean_curves


def plot(artifacts: Artifacts, bars: dict):
    """(a) raw pixels, (b) edge filters: MI vs distance, per image (thin) and mean ± s.e.m. across images."""
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
