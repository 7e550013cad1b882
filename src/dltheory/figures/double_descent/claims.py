"""double_descent's claims: the peak at N = n, interpolation, the over-parameterized minimum, and
the weak-features Monte Carlo against its closed form; the largest N beside the kernel machine
h_{n,∞} (observations).

Replicates and intervals (95%, :data:`~dltheory.core.uncertainty.CONFIDENCE`):

* (a) random Fourier features: the replicate is a *draw* of the features (V, b), the table's
  ``seed``; every draw's curve is kept. The peak's location, an argmax over the grid of N, is
  bootstrapped over draws and its interval widened to the neighbouring grid points (a grid
  locates a peak no finer than its step); the over-parameterized minimum is a mean over draws
  of paired per-draw differences (Student's t). Interpolation (train loss ≤ 1e-8) is numerics:
  a float64 least-squares residual, judged against its tolerance with no interval. The kernel
  machine is deterministic (one solve): the largest N's difference to it is a mean over draws
  (Student's t), an observation.
* (b) weak features: the replicate is a Monte-Carlo *trial*; the table keeps each p's mean and
  standard error. The match with the closed form already compares in standard errors, at a
  family-wise level (:func:`monte_carlo_bar`); the minimum at p = d is judged on the standard
  errors of the differences to p = d (:func:`margin_to_all_features`).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from scipy.stats import norm

from dltheory.core.claims import Claim, claim, observation
from dltheory.core.contract import Artifacts
from dltheory.core.uncertainty import CONFIDENCE, Estimate, above, below, bootstrap_of_mean, mean_interval, near
from dltheory.figures.double_descent import SOURCE, SOURCE_WEAK

METRICS = ("test_error", "test_mse", "norm", "train_mse")


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per N: mean and s.d. over seeds of every metric, and N/n."""
    grouped = table.groupby("n_features")[list(METRICS)]
    out = grouped.mean().join(grouped.std().add_suffix("_std"))
    out["seeds"] = grouped.size()
    out["ratio"] = out.index / table.n_train.iloc[0]
    return out.reset_index()


def draws(table: pd.DataFrame, column: str) -> pd.DataFrame:
    """``column`` per N (rows, ascending) and draw of the features (columns)."""
    return table.pivot_table(column, "n_features", "seed").sort_index()


def peak_location(wide: pd.DataFrame, n: int) -> Estimate | None:
    """argmax over the grid of the mean curve, as N/n: bootstrapped over draws, the ends of the
    interval put on the grid (outwards: a percentile may fall between two grid points), then
    widened by one grid step each (the continuous peak of a curve whose grid argmax is N_k lies
    between N_{k−1} and N_{k+1})."""
    ratios = wide.index.to_numpy() / n
    e = bootstrap_of_mean(lambda curve: ratios[np.argmax(curve)], wide.to_numpy().T)
    if e is None:
        return None
    low = np.searchsorted(ratios, e.low, side="right") - 1  # the grid point at or below the low end
    high = np.searchsorted(ratios, e.high, side="left")  # the grid point at or above the high end
    low, high = max(low - 1, 0), min(high + 1, len(ratios) - 1)
    return replace(e, low=ratios[low], high=ratios[high], method="bootstrap + grid step")


def paired_difference(wide: pd.DataFrame, at: float, reference: float) -> Estimate | None:
    """Mean over draws of the per-draw difference ``wide[at] − wide[reference]`` (paired: both
    columns of one draw), with its Student-t interval; None with a single draw."""
    differences = wide.loc[at] - wide.loc[reference]
    return mean_interval(differences.to_numpy()) if len(differences) >= 2 else None


def claims(artifacts: Artifacts, bars: dict) -> list[Claim]:
    """(a) The argmax over the grid of the mean test squared loss, and of the mean ‖a‖, lies within
    ``peak_tolerance`` of n; the train loss is below ``max_interpolation_train_mse`` at every N ≥ n
    and seed; the test squared loss and zero-one error at the largest N are below their best for
    N < n. (b) The Monte Carlo lies within z* standard errors of the closed form at every p at
    least ``monte_carlo_exclusion`` from n, z* the family-wise bound of :func:`monte_carlo_bar` at
    level ``monte_carlo_alpha``; its minimum over p is at p = d.
    The height of the peak is reported, never judged: at N = n it is numerically fragile. The
    largest N against the kernel machine is reported too, never judged (:func:`against_kernel`)."""
    table, weak, kernel = artifacts["rff"], artifacts["weak_features"], artifacts["kernel"].iloc[0]
    s = summary(table).set_index("n_features")
    n, seeds = int(table.n_train.iloc[0]), int(s.seeds.iloc[0])
    tol = bars["peak_tolerance"]
    setup = f"random Fourier features, n = {n}, {seeds} draws"
    out = []
    for column, what in (("test_mse", "test squared loss"), ("norm", "‖a‖₂ of the minimum-norm solution")):
        peak = int(s[column].idxmax())
        out.append(
            claim(
                f"the {what} peaks at the interpolation threshold N = n ({setup})",
                source=SOURCE,
                expected=f"argmax N within ±{tol:.0%} of n = {n}",
                measured=f"argmax N = {peak} ({peak / n - 1:+.1%}); there {s[column][peak]:.3g}, at N = {s.index[-1]} {s[column].iloc[-1]:.3g}",
                estimate=peak_location(draws(table, column), n),
                value=peak / n,
                bar=near(1.0, tol),
            )
        )
    # numerics, no interval: the residual of a float64 least-squares interpolant (every N ≥ n, every draw)
    worst_fit = float(table[table.n_features >= n].train_mse.max())
    max_train = bars["max_interpolation_train_mse"]
    out.append(
        claim(
            f"the model interpolates for N ≥ n: largest train squared loss over N ≥ n and draws ({setup})",
            source=SOURCE,
            expected=f"≤ {max_train:g} (numerically 0)",
            measured=f"{worst_fit:.1e}",
            value=worst_fit,
            bar=below(max_train),
        )
    )
    out += [
        over_parameterized_minimum(table, s, column, what, fmt, setup)
        for column, what, fmt in (
            ("test_mse", "test squared loss", ".4f"),
            ("test_error", "test zero-one error", ".2%"),
        )
    ]
    height = s.test_mse.get(n, np.nan) / s.test_mse.iloc[-1]
    loss = draws(table, "test_mse")
    out.append(
        observation(
            f"height of the peak: test squared loss at N = n over its value at the largest N ({setup})",
            source=SOURCE,
            expected="not claimed: fragile at N = n exactly",
            measured=f"{height:.1f}×",
            value=float(height),
            estimate=bootstrap_of_mean(lambda curve: curve[loss.index.get_loc(n)] / curve[-1], loss.to_numpy().T)
            if n in loss.index
            else None,
        )
    )
    out += [
        against_kernel(table, kernel, column, what, fmt, setup)
        for column, what, fmt in (
            ("test_mse", "test squared loss", ".4f"),
            ("test_error", "test zero-one error", ".2%"),
            ("norm", "norm of the solution, ‖a‖₂ vs ‖h‖_H,", ".1f"),
        )
    ]
    out += _weak_features_claims(weak, bars)
    return out


def against_kernel(table: pd.DataFrame, kernel: pd.Series, column: str, what: str, fmt: str, setup: str) -> Claim:
    """``column`` at the largest N minus the kernel machine's (h_{n,∞}, the limit N → ∞): the mean
    over draws of each draw's difference, with its Student-t interval (None with one draw). An
    observation: the paper draws h_{n,∞} as a reference line and sets no bar on the gap."""
    n = int(table.n_train.iloc[0])
    largest = draws(table, column).iloc[-1]  # per draw, at the largest N
    reference = float(kernel[column])
    return observation(
        f"{what} at the largest N against the kernel machine h_n,∞, the limit N → ∞ ({setup})",
        source=SOURCE,
        expected='not claimed: the paper draws h_n,∞ as a reference line ("Min. norm solution"); RFF → kernel as N → ∞',
        measured=f"{largest.mean():{fmt}} at N = {largest.name} ({largest.name / n:.0f}n) vs {reference:{fmt}} for the kernel",
        value=float(largest.mean() - reference),
        estimate=mean_interval((largest - reference).to_numpy()) if len(largest) >= 2 else None,
    )


def over_parameterized_minimum(table: pd.DataFrame, s: pd.DataFrame, column: str, what: str, fmt: str, setup: str) -> Claim:
    """``column`` at the largest N minus its best over N < n (the N* where the mean curve is least),
    as the mean over draws of each draw's difference at the largest N and N* (paired, Student's t).
    N* is picked on the same draws: the best is the least of several means, biased low, which
    can only make the claim harder to pass."""
    n = int(table.n_train.iloc[0])
    below_n = s[s.index < n]
    largest, best_n = s.index[-1], int(below_n[column].idxmin())
    last, best = s[column].iloc[-1], below_n[column].min()
    return claim(
        f"the minimum is over-parameterized: {what} at the largest N against the best N < n ({setup})",
        source=SOURCE,
        expected="at the largest N < the best N < n",
        measured=f"{last:{fmt}} at N = {largest} ({s.ratio.iloc[-1]:.0f}n) vs {best:{fmt}} at N = {best_n}",
        estimate=paired_difference(draws(table, column), largest, best_n),
        value=float(last - best),
        bar=below(0.0, strict=True),
    )


def _weak_features_claims(weak: pd.DataFrame, bars: dict) -> list[Claim]:
    n_wf, d = _weak_setup(weak)
    compared = (weak.p - n_wf).abs() >= bars["monte_carlo_exclusion"]
    away = weak[compared]
    z = (away.monte_carlo - away.closed_form) / away.monte_carlo_se
    max_z, trials = monte_carlo_bar(len(away), bars["monte_carlo_alpha"]), int(weak.trials.iloc[0])
    setup = f"n = {n_wf}, d = {d}, {trials} trials per p"
    mc_argmin, cf_argmin = int(weak.p[weak.monte_carlo.idxmin()]), int(weak.p[weak.closed_form.idxmin()])
    margin, nearest = margin_to_all_features(weak, compared, d)
    return [
        # The Monte-Carlo noise is in the bar already: each p's interval MC ± z*·s.e., at the
        # family-wise level, must hold the closed form (exact); so the largest |z| against z*.
        claim(
            f"weak features: Monte Carlo against the closed form at every p with |p − n| ≥ {bars['monte_carlo_exclusion']} ({setup})",
            source=SOURCE_WEAK,
            expected=f"|MC − closed form| ≤ {max_z:.2f} s.e. at every such p (family-wise level {bars['monte_carlo_alpha']:g} over {len(away)} p)",
            measured=f"largest {np.abs(z).max():.2f} s.e. (p = {int(away.p[np.abs(z).idxmax()])}); within 1 s.e. at {(np.abs(z) <= 1).mean():.0%} of {len(z)} p (68% expected)",
            value=float(np.abs(z).max()),
            bar=below(max_z),
        ),
        claim(
            f"weak features: the risk is least with all features, p = d ({setup})",
            source=SOURCE_WEAK,
            expected=f"argmin over p of the Monte Carlo = {d}",
            measured=f"argmin p = {mc_argmin} (closed form: {cf_argmin}); risk there {weak.monte_carlo.min():.4f} ± {weak.monte_carlo_se[weak.monte_carlo.idxmin()]:.4f}; "
            f"next best p = {nearest}: MC − MC(d) = {margin.value:+.4f}",
            estimate=margin,
            bar=above(0.0, strict=True),
        ),
    ]


def margin_to_all_features(weak: pd.DataFrame, compared: pd.Series, d: int, level: float = CONFIDENCE) -> tuple[Estimate, int]:
    """Δ = min over p ≠ d of MC(p) − MC(d), and the p where it is least. Each difference at a
    ``compared`` p gets ± z·(s.e._p + s.e._d), z the two-sided normal quantile at ``level``:
    s.e._p + s.e._d bounds the s.e. of a difference whatever the correlation (the common random
    numbers make it much smaller). Nearer n (not ``compared``) the risk is infinite or
    heavy-tailed and its sample s.e. no interval: the difference is taken as it stands (the
    closed form there is many times the risk at d). The interval of the least difference runs
    from the least lower end to the least upper end: it clears 0 when every p's difference is
    clearly above 0, and lies below 0 when one p's is clearly below. The replicates, the trials,
    are not kept (the table has each p's mean and s.e.)."""
    at_d = weak[weak.p == d].iloc[0]
    others = weak.p != d
    difference = (weak.monte_carlo - at_d.monte_carlo)[others].to_numpy()
    half = (norm.isf((1 - level) / 2) * (weak.monte_carlo_se + at_d.monte_carlo_se)).where(compared, 0.0)[others].to_numpy()
    k = int(np.argmin(difference))
    estimate = Estimate(difference[k], (difference - half).min(), (difference + half).min(), int(at_d.trials), "s.e.", level)
    return estimate, int(weak.p[others].iloc[k])


def monte_carlo_bar(comparisons: int, alpha: float) -> float:
    """z* = Φ⁻¹(1 − α/(2m)): all m Monte-Carlo means lie within z* standard errors of the truth
    with probability ≥ 1 − α (Bonferroni; valid for the correlated estimates of common random
    numbers). "Within its standard error" at each of ~85 p would fail a third of them by chance."""
    return float(norm.isf(alpha / (2 * comparisons)))


def _weak_setup(weak: pd.DataFrame) -> tuple[int, int]:
    """(n, d) of the weak-features table: d is its largest p; n is where the closed form is infinite."""
    return int(weak.p[np.isinf(weak.closed_form)].mean().round()), int(weak.p.max())
