"""depth_accuracy's analysis and claims: the trainability scores of each panel against ξ_c.

How we score it (our protocol where the paper gives none):

* A cell (σ_w², L) is *trainable* when its training accuracy, averaged over seeds, exceeds the
  threshold halfway between chance (1/10) and the best cell of the panel.
* The prediction "trainable iff L < k·ξ_c(σ_w²)" is scored by its agreement, the fraction of
  cells where it matches. k is fitted by scanning k and taking the middle of the best-scoring
  range. The *baseline* is the agreement of the better constant guess (all or none trainable).
* The ridge is the σ_w² where the depth-averaged training accuracy peaks, refined by a parabola
  through the best grid point and its two neighbours (sub-grid: the grid's step is 0.2).
* Each panel's three scores carry a 95% interval from a bootstrap over the networks: the seeds of
  every (σ_w², L) cell are drawn with replacement within the cell (the adjusted bootstrap of
  :func:`~dltheory.core.uncertainty.bootstrap_of_mean`, whose spread is unbiased even at 2 seeds),
  and the scores recomputed. It is the noise a re-seeded network (or another CPU's rounding, which
  sends a chaotic training run elsewhere) brings, as well as 2 seeds a cell can estimate it. A
  grid of one network per cell (the paper's scale) has no such interval: its scores are judged
  as they stand, and the scorecard says so.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from dltheory.core.claims import Claim, claim
from dltheory.core.contract import Artifacts
from dltheory.core.data import N_CLASSES
from dltheory.core.uncertainty import Estimate, above, bootstrap_of_mean, near, within
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
    depth = grid.index.to_numpy(dtype=float)
    sigma_w2 = grid.columns.to_numpy(dtype=float)
    scores = grid_scores(grid.to_numpy(), depth, sigma_w2, xi_c_at(slice_, sigma_w2))
    return {**scores, "diverged_fraction": float(table.diverged.mean())}


def predicted_trainable(depth: np.ndarray, xi: np.ndarray) -> np.ndarray:
    """1.0 where L < k·ξ_c, for every k of :data:`K_SCAN` and cell: [k, depths · σ_w²]."""
    return (depth[None, :, None] < K_SCAN[:, None, None] * xi[None, None, :]).reshape(len(K_SCAN), -1).astype(float)


def grid_scores(
    acc: np.ndarray, depth: np.ndarray, sigma_w2: np.ndarray, xi: np.ndarray, predicted: np.ndarray | None = None
) -> dict[str, float]:
    """The scores of a grid of mean accuracies ``acc`` [depths, σ_w²] (depth [depths], σ_w² and
    their ξ_c [σ_w²]). The agreement of every k at once: with P = :func:`predicted_trainable` and
    t the cells' 0/1 trainability, agreement(k) = (P t + (1 − P)(1 − t)) / cells, exact counts
    (``predicted`` may be passed in: it does not depend on the accuracies)."""
    threshold = 0.5 * (CHANCE + np.nanmax(acc))
    trainable = acc > threshold
    t = trainable.reshape(-1).astype(float)
    p = predicted_trainable(depth, xi) if predicted is None else predicted
    agreement = (p @ t + (1.0 - p) @ (1.0 - t)) / t.size  # [k]
    best = K_SCAN[agreement == agreement.max()]
    k_fit = float(np.median(best))
    return {
        "threshold": threshold,
        "k_fit": k_fit,
        "k_fit_low": float(best.min()),
        "k_fit_high": float(best.max()),
        "agreement": float(np.mean((depth[:, None] < k_fit * xi) == trainable)),
        "agreement_k6": float(np.mean((depth[:, None] < 6.0 * xi) == trainable)),
        "baseline": float(max(trainable.mean(), 1.0 - trainable.mean())),
        "trainable_fraction": float(trainable.mean()),
        "cells": int(trainable.size),
        "ridge_sigma_w2": ridge(sigma_w2, np.nanmean(acc, axis=0)),
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


def seed_cube(panel: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Training accuracy as [depths, σ_w², seeds] (the grid is complete: every cell has every
    seed), with the depths and σ_w² of its axes."""
    cube = panel.pivot_table("train_acc", ["depth", "sigma_w2"], "seed", dropna=False).sort_index()
    depth, sigma_w2 = (cube.index.get_level_values(level).unique().to_numpy(dtype=float) for level in ("depth", "sigma_w2"))
    return cube.to_numpy().reshape(len(depth), len(sigma_w2), -1), depth, sigma_w2


def panel_estimates(panel: pd.DataFrame, slice_: pd.DataFrame) -> dict[str, Estimate] | None:
    """Ridge, fitted k and agreement of one panel with their bootstrap intervals over the seeds of
    each cell, and each seed's own scores as the replicates; None with one seed per cell."""
    acc, depth, sigma_w2 = seed_cube(panel)
    n_depths, n_sigmas, n_seeds = acc.shape
    if n_seeds < 2:
        return None
    xi = xi_c_at(slice_, sigma_w2)
    predicted = predicted_trainable(depth, xi)
    flat = acc.reshape(-1)  # rows in (depth, σ_w², seed) order: cell c owns rows c·seeds … c·seeds + seeds − 1
    cells = np.repeat(np.arange(n_depths * n_sigmas), n_seeds)
    per_seed = [grid_scores(acc[:, :, seed], depth, sigma_w2, xi) for seed in range(n_seeds)]

    @functools.cache  # the three statistics are read from the same resamples (one seed): score each resample once
    def scores(means: bytes) -> dict[str, float]:
        return grid_scores(np.frombuffer(means).reshape(n_depths, n_sigmas), depth, sigma_w2, xi, predicted)

    def statistic(name):
        return lambda means: scores(means.tobytes())[name]  # float64: bootstrap_of_mean's means

    return {
        name: bootstrap_of_mean(statistic(name), flat, strata=cells, replicates=[s[name] for s in per_seed])
        for name in ("ridge_sigma_w2", "k_fit", "agreement")
    }


def claims(artifacts: Artifacts, bars: dict) -> list[Claim]:
    """The theory band at L = 100, then per panel the ridge, the fitted k and the agreement.

    Bars (config ``depth_accuracy.claims``): ``band_tolerance`` on the band's edges,
    ``ridge_tolerance`` on |ridge − critical σ_w²|, ``k_range`` around the paper's k = 6 and
    ``min_agreement`` of the prediction "trainable iff L < k·ξ_c" with the measured cells. The
    band is a closed-form computation (judged against its tolerance); the panels' scores are
    judged on their intervals over the seeds (:func:`panel_estimates`)."""
    scores, depth_scales, tables = artifacts["scores"], artifacts["depth_scales"], artifacts["tables"]
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
            value=max(abs(lo - ref_lo), abs(hi - ref_hi)),
            bar=within(0.0, tol),
        )
    ]
    for s in scores.itertuples():
        panel = f"{s.dataset}, {s.optimizer}"
        rows = tables[(tables.dataset == s.dataset) & (tables.optimizer == s.optimizer)]
        estimates = panel_estimates(rows, xi_c_slice(depth_scales, s.sigma_b2)) or {}
        seeds = f"; {rows.seed.nunique()} seeds per cell" if estimates else "; one network per cell: no interval"
        offset = s.ridge_sigma_w2 - s.critical_sigma_w2
        out += [
            claim(
                f"{panel}: the accuracy ridge peaks at the critical σ_w²",
                source=SOURCE,
                expected=f"|ridge − {s.critical_sigma_w2:.3f}| ≤ {bars['ridge_tolerance']}",
                measured=f"ridge at σ_w² = {s.ridge_sigma_w2:.3f} ({offset:+.3f}){seeds}",
                estimate=estimates.get("ridge_sigma_w2"),
                value=s.ridge_sigma_w2,
                bar=near(s.critical_sigma_w2, bars["ridge_tolerance"]),
            ),
            claim(
                f"{panel}: trainable iff L < k·ξ_c, fitted k",
                source=SOURCE,
                expected=f"k ∈ [{k_low:g}, {k_high:g}] (paper: 6)",
                measured=f"k = {s.k_fit:.2f} (best range {s.k_fit_low:.2f}–{s.k_fit_high:.2f})",
                estimate=estimates.get("k_fit"),
                value=s.k_fit,
                bar=within(k_low, k_high),
            ),
            claim(
                f"{panel}: agreement of 'trainable' with L < k·ξ_c over {s.cells} cells",
                source=SOURCE,
                expected=f"≥ {bars['min_agreement']:.0%}",
                measured=f"{s.agreement:.1%} at fitted k, {s.agreement_k6:.1%} at k = 6 (constant guess: {s.baseline:.1%})",
                estimate=estimates.get("agreement"),
                value=s.agreement,
                bar=above(bars["min_agreement"]),
            ),
        ]
    return out
