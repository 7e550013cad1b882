"""pixel_mi's analysis and claims: MI curves averaged over images, judged against the bars.

The claims are about natural images, and the photographs are a sample of them: one image is one
replicate. Each claim's statistic is computed from the image-averaged curves and judged on its
percentile bootstrap over images (:mod:`dltheory.core.uncertainty`), drawn with replacement; an
image's curves (every distance, representation and both directions) are drawn together.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dltheory.core.claims import Claim, claim
from dltheory.core.contract import Artifacts
from dltheory.core.uncertainty import above, below, bootstrap_rows
from dltheory.figures.pixel_mi import SOURCE


def mean_curves(table: pd.DataFrame) -> pd.DataFrame:
    """Per representation and distance: mean over images (and both directions) of MI and of the floor, and the
    standard error across images."""
    per_image = table.groupby(["representation", "image", "distance"])[["mi_bits", "mi_shuffled_bits"]].mean()
    grouped = per_image.groupby(["representation", "distance"])
    out = grouped.mean()
    out["sem_bits"] = grouped.mi_bits.sem()
    out["images"] = grouped.size()
    return out.reset_index()


def per_image(table: pd.DataFrame, values: pd.Series) -> pd.DataFrame:
    """``values`` (one per row of ``table``) averaged over both directions: a table [image,
    (representation, distance)], images and distances in ascending order."""
    keyed = table[["image", "representation", "distance"]].assign(value=values.to_numpy())
    return (
        keyed.pivot_table("value", index="image", columns=["representation", "distance"], aggfunc="mean")
        .sort_index(axis=0)
        .sort_index(axis=1)
    )


def steepest_rise(mi: np.ndarray) -> float:
    """max_k [m(d_{k+1}) − m(d_k)] of the mean curve m = mean over images of ``mi`` [images, distances]:
    negative exactly when the mean curve falls strictly at every step of the grid."""
    return float(np.max(np.diff(mi.mean(axis=0))))


def far_fraction(mi: np.ndarray) -> float:
    """mean MI at the largest distance / mean MI at the smallest (means over the images of ``mi`` [images, distances])."""
    return float(mi[:, -1].mean() / mi[:, 0].mean())


def smallest_excess(excess: np.ndarray) -> float:
    """min over the plotted estimates (representation, distance) of the mean over images of MI − floor
    (``excess`` [images, estimates])."""
    return float(np.min(excess.mean(axis=0)))


def claims(artifacts: Artifacts, bars: dict) -> list[Claim]:
    """Raw-pixel MI falls monotonically with distance; the far MI is a small fraction of the near one
    (``bars['max_far_fraction']``); every plotted estimate clears its shuffled floor by
    ``bars['floor_margin_bits']`` (single-image estimates closer than that are reported as
    indistinguishable). Each on its bootstrap interval over images."""
    table = artifacts["table"]
    margin_bits, max_far = bars["floor_margin_bits"], bars["max_far_fraction"]
    excess = table.mi_bits - table.mi_shuffled_bits  # every single estimate
    raw = per_image(table, table.mi_bits)["pixels"]  # [image, distance]
    distances, mi = raw.columns.to_numpy(), raw.to_numpy()
    mean_mi = mi.mean(axis=0)
    rises = [f"{a}→{b}" for a, b, x, y in zip(distances[:-1], distances[1:], mean_mi[:-1], mean_mi[1:]) if y >= x]
    rise, fraction = bootstrap_rows(steepest_rise, mi), bootstrap_rows(far_fraction, mi)
    floor_excess = bootstrap_rows(smallest_excess, per_image(table, excess).to_numpy())
    close = table[excess <= margin_bits]
    by_image = ", ".join(f"{name} ({n})" for name, n in close.image.value_counts().items())
    return [
        claim(
            "raw-pixel MI decreases monotonically with distance (mean over images)",
            source=SOURCE,
            expected="strictly decreasing over the distance grid: largest step of the mean curve < 0",
            measured=f"{mean_mi[0]:.2f} bits at d = {distances[0]} → {mean_mi[-1]:.2f} at d = {distances[-1]}; largest step {rise.value:+.3f} bits"
            + (f"; rises at {', '.join(rises)}" if rises else "; no rise")
            + f" ({len(mi)} images)",
            estimate=rise,
            bar=below(0.0, strict=True),
        ),
        claim(
            "far pixels share little information: MI at the largest distance / MI at the smallest",
            source=SOURCE,
            expected=f"< {max_far:.0%}",
            measured=f"{fraction.value:.1%} ({mean_mi[-1]:.3f} / {mean_mi[0]:.3f} bits, {len(mi)} images)",
            estimate=fraction,
            bar=below(max_far, strict=True),
        ),
        claim(
            "every plotted estimate (mean over images) exceeds its shuffled floor; single-image estimates within the margin are reported",
            source="our protocol (the estimator's floor)",
            expected=f"mean MI − floor > {margin_bits} bits",
            measured=f"smallest mean excess {floor_excess.value:.3f} bits; floor within ±{table.mi_shuffled_bits.abs().max():.4f} bits; "
            f"{len(close)} of {len(table)} single-image estimates within {margin_bits} bits of it"
            + (f" (indistinguishable; by image: {by_image})" if len(close) else ""),
            estimate=floor_excess,
            bar=above(margin_bits, strict=True),
        ),
    ]
