"""depth_accuracy's analysis and claims: the trainability scores of each panel against ξ_c.

How we score it (our protocol where the paper gives none):

* A cell (σ_w², L) is *trainable* when its training accuracy, averaged over seeds, exceeds the
  threshold halfway between chance (1/10) and the best cell of the panel.
* The prediction "trainable iff L < k·ξ_c(σ_w²)" is scored by its agreement, the fraction of
  cells where it matches. k is fitted by scanning k and taking the middle of the best-scoring
  range. The *baseline* is the agreement of the better constant guess (all or none trainable).
* The ridge is the σ_w² where the depth-averaged training accuracy peaks, refined by a parabola
  through the best grid point and its two neighbours.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dltheory.core.claims import Claim, claim
from dltheory.core.contract import Artifacts
from dltheory.core.data import N_CLASSES
from dltheory.figures.depth_accuracy import SOURCE

CHANCE = 1.0 / N_CLASSES
K_SCAN = np.round(np.arange(0.5, 20.0 + 1e-9, 0.01), 2)
# A known answer, computed independently of this project: where 6ξ_c > 100 at σ_b² = 0.05.
REFERENCE_BAND = {"sigma_b2": 0.05, "depth": 100, "band": (1.51, 2.18)}


def xi_c_slice(depth_scales: pd.DataFrame, sigma_b2: float) -> pd.DataFrame:
    """Rows of ``phase_diagram``'s depth-scale table at this σ_b², sorted by σ_w²."""
    if set(depth_scales.activation) != {"tanh"}:
        raise ValueError(f"depth_accuracy trains tanh networks, but the depth scales are for {sorted(set(depth_scales.activation))}")
    rows = depth_scales.loc[np.isclose(depth_scales.sigma_b2, sigma_b2)].sort_values("sigma_w2")
    if rows.empty:
        raise ValueError(f"sigma_b2 = {sigma_b2} is not on the depth-scale grid (values {sorted(depth_scales.sigma_b2.unique())})")
    return rows.reset_index(drop=True)


def xi_c_at(slice_: pd.DataFrame, sigma_w2) -> np.ndarray:
    """ξ_c at any σ_w², interpolating 1/ξ_c = −log χ_c, which is smooth apart from a kink at criticality."""
    return 1.0 / np.interp(np.asarray(sigma_w2, dtype=float), slice_.sigma_w2, 1.0 / slice_.xi_c)


def _zero_crossings(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The x where y changes sign between neighbouring grid points (linear interpolation)."""
    i = np.flatnonzero(np.sign(y[:-1]) != np.sign(y[1:]))
    return x[i] - y[i] * (x[i + 1] - x[i]) / (y[i + 1] - y[i])


def critical_sigma_w2(slice_: pd.DataFrame) -> float:
    """Where χ_1 crosses 1 along the slice."""
    return float(_zero_crossings(slice_.sigma_w2.to_numpy(), slice_.chi_1.to_numpy() - 1.0)[0])


def band_where_deeper_than(slice_: pd.DataFrame, depth: float, multiple: float = 6.0) -> tuple[float, float]:
    """The σ_w² interval where multiple·ξ_c > depth."""
    edges = _zero_crossings(slice_.sigma_w2.to_numpy(), multiple * slice_.xi_c.to_numpy() - depth)
    return float(edges[0]), float(edges[-1])


def panels(table: pd.DataFrame) -> list[tuple[str, str]]:
    """(dataset, optimizer) of each panel, in the order they appear."""
    return list(dict.fromkeys(zip(table.dataset, table.optimizer)))


def accuracy_grid(table: pd.DataFrame, metric: str = "train_acc") -> pd.DataFrame:
    """Mean over seeds of ``metric``: depths as rows, σ_w² as columns."""
    return table.groupby(["depth", "sigma_w2"])[metric].mean().unstack("sigma_w2").sort_index()


def trainability(table: pd.DataFrame, slice_: pd.DataFrame) -> dict[str, float]:
    """Scores of one panel: threshold, fitted k and its agreement, agreement at k = 6, baseline, ridge."""
    grid = accuracy_grid(table)
    acc = grid.to_numpy()  # [depths, σ_w²]
    depth = grid.index.to_numpy(dtype=float)[:, None]
    sigma_w2 = grid.columns.to_numpy(dtype=float)
    xi = xi_c_at(slice_, sigma_w2)[None, :]
    threshold = 0.5 * (CHANCE + np.nanmax(acc))
    trainable = acc > threshold
    agreement = np.array([np.mean((depth < k * xi) == trainable) for k in K_SCAN])
    best = K_SCAN[agreement == agreement.max()]
    k_fit = float(np.median(best))
    return {
        "threshold": threshold,
        "k_fit": k_fit,
        "k_fit_low": float(best.min()),
        "k_fit_high": float(best.max()),
        "agreement": float(np.mean((depth < k_fit * xi) == trainable)),
        "agreement_k6": float(np.mean((depth < 6.0 * xi) == trainable)),
        "baseline": float(max(trainable.mean(), 1.0 - trainable.mean())),
        "trainable_fraction": float(trainable.mean()),
        "cells": int(trainable.size),
        "ridge_sigma_w2": ridge(sigma_w2, np.nanmean(acc, axis=0)),
        "diverged_fraction": float(table.diverged.mean()),
    }


def ridge(sigma_w2: np.ndarray, score: np.ndarray) -> float:
    """Peak of ``score`` over σ_w²: the best grid point, refined by a parabola through its neighbours."""
    i = int(np.nanargmax(score))
    if i == 0 or i == len(score) - 1:
        return float(sigma_w2[i])
    (x0, x1, x2), (y0, y1, y2) = sigma_w2[i - 1 : i + 2], score[i - 1 : i + 2]
    # Vertex of the parabola through three points (uneven spacing allowed).
    num = (x1 - x0) ** 2 * (y1 - y2) - (x1 - x2) ** 2 * (y1 - y0)
    den = (x1 - x0) * (y1 - y2) - (x1 - x2) * (y1 - y0)
    return float(x1 - 0.5 * num / den) if den != 0 else float(x1)


def trainability_table(table: pd.DataFrame, depth_scales: pd.DataFrame) -> pd.DataFrame:
    """One row of :func:`trainability` scores per panel, with the critical σ_w² of its σ_b²."""
    rows = []
    for dataset, optimizer in panels(table):
        panel = table[(table.dataset == dataset) & (table.optimizer == optimizer)]
        sigma_b2 = float(panel.sigma_b2.iloc[0])
        slice_ = xi_c_slice(depth_scales, sigma_b2)
        scores = {"critical_sigma_w2": critical_sigma_w2(slice_), **trainability(panel, slice_)}
        rows.append({"dataset": dataset, "optimizer": optimizer, "sigma_b2": sigma_b2, **scores})
    return pd.DataFrame(rows)


def analyze(artifacts: Artifacts) -> dict[str, pd.DataFrame]:
    return {"scores": trainability_table(artifacts["tables"], artifacts["depth_scales"])}


def claims(artifacts: Artifacts, bars: dict) -> list[Claim]:
    """The theory band at L = 100, then per panel the ridge, the fitted k and the agreement.

    Bars (config ``depth_accuracy.claims``): ``band_tolerance`` on the band's edges,
    ``ridge_tolerance`` on |ridge − critical σ_w²|, ``k_range`` around the paper's k = 6 and
    ``min_agreement`` of the prediction "trainable iff L < k·ξ_c" with the measured cells."""
    scores, depth_scales = artifacts["scores"], artifacts["depth_scales"]
    ref = REFERENCE_BAND
    lo, hi = band_where_deeper_than(xi_c_slice(depth_scales, ref["sigma_b2"]), ref["depth"])
    (ref_lo, ref_hi), tol = ref["band"], bars["band_tolerance"]
    k_low, k_high = bars["k_range"]
    out = [
        claim(
            f"predicted trainable band (6ξ_c > L) at L = {ref['depth']}, σ_b² = {ref['sigma_b2']}",
            source=SOURCE,
            expected=f"σ_w² ∈ ({ref_lo}, {ref_hi}) ± {tol}",
            measured=f"({lo:.3f}, {hi:.3f})",
            passed=abs(lo - ref_lo) <= tol and abs(hi - ref_hi) <= tol,
            value=max(abs(lo - ref_lo), abs(hi - ref_hi)),
        )
    ]
    for s in scores.itertuples():
        panel = f"{s.dataset}, {s.optimizer}"
        offset = s.ridge_sigma_w2 - s.critical_sigma_w2
        out += [
            claim(
                f"{panel}: the accuracy ridge peaks at the critical σ_w²",
                source=SOURCE,
                expected=f"|ridge − {s.critical_sigma_w2:.3f}| ≤ {bars['ridge_tolerance']}",
                measured=f"ridge at σ_w² = {s.ridge_sigma_w2:.3f} ({offset:+.3f})",
                passed=abs(offset) <= bars["ridge_tolerance"],
                value=s.ridge_sigma_w2,
            ),
            claim(
                f"{panel}: trainable iff L < k·ξ_c, fitted k",
                source=SOURCE,
                expected=f"k ∈ [{k_low:g}, {k_high:g}] (paper: 6)",
                measured=f"k = {s.k_fit:.2f} (best range {s.k_fit_low:.2f}–{s.k_fit_high:.2f})",
                passed=k_low <= s.k_fit <= k_high,
                value=s.k_fit,
            ),
            claim(
                f"{panel}: agreement of 'trainable' with L < k·ξ_c over {s.cells} cells",
                source=SOURCE,
                expected=f"≥ {bars['min_agreement']:.0%}",
                measured=f"{s.agreement:.1%} at fitted k, {s.agreement_k6:.1%} at k = 6 (constant guess: {s.baseline:.1%})",
                passed=s.agreement >= bars["min_agreement"],
                value=s.agreement,
            ),
        ]
    return out
