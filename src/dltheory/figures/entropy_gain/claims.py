"""entropy_gain's claims: the first layer's gain, the vanishing late gain, the falling total correlation.

Every claim is measured over random networks: one seed is one replicate (its own conv weights and
projections), and each claim is judged on an interval over the seeds at the project's level
(:mod:`dltheory.core.uncertainty`): a Student-t interval where the statistic is a mean of
per-seed values, a bootstrap over seeds for the ratio of two means.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dltheory.core.claims import Claim, claim
from dltheory.core.contract import Artifacts
from dltheory.core.uncertainty import Estimate, above, below, bootstrap_interval, mean_interval
from dltheory.figures.entropy_gain import SOURCE

LABELS = {"knn": "Kozachenko–Leonenko k-NN, whitened", "gaussian": "Gaussian log-det (upper bound)"}


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


def by_seed(rows: pd.DataFrame, column: str) -> pd.DataFrame:
    """``column`` of one estimator's rows as a [seed, layer] table (seeds in ascending order)."""
    return rows.pivot(index="seed", columns="layer", values=column).sort_index()


def gain_fraction(late: np.ndarray, first: np.ndarray) -> float:
    """mean(late) / mean(first) over the same seeds: the late layers' gain as a fraction of the
    first layer's. +inf when the first layer's mean gain is not positive: a gain that never rose
    cannot be said to vanish, so the ratio counts on the failing side of any upper bar."""
    denominator = float(np.mean(first))
    return float(np.mean(late)) / denominator if denominator > 0 else np.inf


def gain_fraction_interval(late: np.ndarray, first: np.ndarray) -> Estimate:
    """:func:`gain_fraction` with its percentile bootstrap over seeds (a seed's late and first
    gains are resampled together); the replicates are each seed's own ratio."""
    return bootstrap_interval(
        lambda seeds: gain_fraction(late[seeds], first[seeds]),
        len(first),
        replicates=[gain_fraction(late[[i]], first[[i]]) for i in range(len(first))],
    )


def estimator_claims(rows: pd.DataFrame, name: str, max_late: float) -> list[Claim]:
    """The three claims for one estimator's rows (every seed and layer)."""
    entropy, gain, tc = by_seed(rows, "entropy"), by_seed(rows, "gain"), by_seed(rows, "total_correlation")
    depth, n = int(gain.columns.max()), len(gain)
    late = late_layers(depth)
    first_gain = gain[1].to_numpy()  # H_1 − H_0 per seed
    late_gain = gain[late].mean(axis=1).to_numpy()  # mean of H_l − H_{l−1} over the late layers, per seed
    tc_change = (tc[depth] - tc[0]).to_numpy()  # TC at the last layer − TC of the patches, per seed
    first = mean_interval(first_gain)  # replaces the former "> 2 s.e.m." rule: a t interval against > 0
    fraction = gain_fraction_interval(late_gain, first_gain)
    redundancy = mean_interval(tc_change)
    return [
        claim(
            f"the first layer raises the entropy of the representation ({name})",
            source=SOURCE,
            expected="gain of layer 1 > 0 (mean over seeds)",
            measured=f"{first.value:+.2f} bits (mean, {n} seeds); {entropy[0].mean():.2f} → {entropy[1].mean():.2f} bits",
            estimate=first,
            bar=above(0.0, strict=True),
        ),
        claim(
            f"the gain vanishes in the last layers: mean gain of layers {late[0]}–{late[-1]} / gain of layer 1 ({name})",
            source=SOURCE,
            expected=f"< {max_late:.0%}",
            measured=f"{fraction.value:.0%} ({late_gain.mean():+.3f} / {first_gain.mean():+.3f} bits, {n} seeds)"
            if np.isfinite(fraction.value)
            else f"undefined: no mean gain at layer 1 ({late_gain.mean():+.3f} / {first_gain.mean():+.3f} bits, {n} seeds)",
            estimate=fraction,
            bar=below(max_late, strict=True),
        ),
        claim(
            f"total correlation (redundancy) falls with depth ({name})",
            source=SOURCE,
            expected=f"TC at layer {depth} − TC of the patches < 0 (mean over seeds)",
            measured=f"{tc[0].mean():.2f} → {tc[depth].mean():.2f} bits (mean); lower in {int((tc_change < 0).sum())} of {n} seeds",
            estimate=redundancy,
            bar=below(0.0, strict=True),
        ),
    ]


def claims(artifacts: Artifacts, bars: dict) -> list[Claim]:
    """For each estimator, over the seeds: the first layer's mean gain is > 0; the mean gain over
    the last third of the layers is below ``bars['max_late_gain_fraction']`` of the first
    layer's; the total correlation at the last layer is below that of the patches."""
    table = artifacts["table"]
    return [
        c
        for estimator in LABELS
        if estimator in set(table.estimator)
        for c in estimator_claims(table[table.estimator == estimator], f"{estimator} estimator", bars["max_late_gain_fraction"])
    ]
