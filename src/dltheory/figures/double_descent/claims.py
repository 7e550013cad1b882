"""double_descent's claims: the peak at N = n, interpolation, the over-parameterized minimum, and the
weak-features Monte Carlo against its closed form."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from dltheory.core.claims import Claim, claim, observation
from dltheory.core.contract import Artifacts
from dltheory.figures.double_descent import SOURCE, SOURCE_WEAK

METRICS = ("test_error", "test_mse", "norm", "train_mse")


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per N: mean and s.d. over seeds of every metric, and N/n."""
    grouped = table.groupby("n_features")[list(METRICS)]
    out = grouped.mean().join(grouped.std().add_suffix("_std"))
    out["seeds"] = grouped.size()
    out["ratio"] = out.index / table.n_train.iloc[0]
    return out.reset_index()


def claims(artifacts: Artifacts, bars: dict) -> list[Claim]:
    """(a) The argmax over the grid of the mean test squared loss, and of the mean ‖a‖, lies within
    ``peak_tolerance`` of n; the train loss is below ``max_interpolation_train_mse`` at every N ≥ n
    and seed; the test squared loss and zero-one error at the largest N are below their best for
    N < n. (b) The Monte Carlo lies within z* standard errors of the closed form at every p at
    least ``monte_carlo_exclusion`` from n, z* the family-wise bound of :func:`monte_carlo_bar` at
    level ``monte_carlo_alpha``; its minimum over p is at p = d.
    The height of the peak is reported, never judged: at N = n it is numerically fragile."""
    table, weak = artifacts["rff"], artifacts["weak_features"]
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
                passed=abs(peak / n - 1) <= tol,
                value=peak / n,
            )
        )
    worst_fit = table[table.n_features >= n].train_mse.max()
    max_train = bars["max_interpolation_train_mse"]
    out.append(
        claim(
            f"the model interpolates for N ≥ n: largest train squared loss over N ≥ n and draws ({setup})",
            source=SOURCE,
            expected=f"≤ {max_train:g} (numerically 0)",
            measured=f"{worst_fit:.1e}",
            passed=worst_fit <= max_train,
            value=worst_fit,
        )
    )
    below = s[s.index < n]
    for column, what, fmt in (("test_mse", "test squared loss", ".4f"), ("test_error", "test zero-one error", ".2%")):
        last, best = s[column].iloc[-1], below[column].min()
        out.append(
            claim(
                f"the minimum is over-parameterized: {what} at the largest N against the best N < n ({setup})",
                source=SOURCE,
                expected="at the largest N < the best N < n",
                measured=f"{last:{fmt}} at N = {s.index[-1]} ({s.ratio.iloc[-1]:.0f}n) vs {best:{fmt}} at N = {int(below[column].idxmin())}",
                passed=last < best,
                value=last - best,
            )
        )
    out.append(
        observation(
            f"height of the peak: test squared loss at N = n over its value at the largest N ({setup})",
            source=SOURCE,
            expected="not claimed: fragile at N = n exactly",
            measured=f"{s.test_mse.get(n, np.nan) / s.test_mse.iloc[-1]:.1f}×",
            value=float(s.test_mse.get(n, np.nan) / s.test_mse.iloc[-1]),
        )
    )
    out += _weak_features_claims(weak, bars)
    return out


def _weak_features_claims(weak: pd.DataFrame, bars: dict) -> list[Claim]:
    n_wf, d = _weak_setup(weak)
    away = weak[(weak.p - n_wf).abs() >= bars["monte_carlo_exclusion"]]
    z = (away.monte_carlo - away.closed_form) / away.monte_carlo_se
    max_z, trials = monte_carlo_bar(len(away), bars["monte_carlo_alpha"]), int(weak.trials.iloc[0])
    setup = f"n = {n_wf}, d = {d}, {trials} trials per p"
    mc_argmin, cf_argmin = int(weak.p[weak.monte_carlo.idxmin()]), int(weak.p[weak.closed_form.idxmin()])
    return [
        claim(
            f"weak features: Monte Carlo against the closed form at every p with |p − n| ≥ {bars['monte_carlo_exclusion']} ({setup})",
            source=SOURCE_WEAK,
            expected=f"|MC − closed form| ≤ {max_z:.2f} s.e. at every such p (family-wise level {bars['monte_carlo_alpha']:g} over {len(away)} p)",
            measured=f"largest {np.abs(z).max():.2f} s.e. (p = {int(away.p[np.abs(z).idxmax()])}); within 1 s.e. at {(np.abs(z) <= 1).mean():.0%} of {len(z)} p (68% expected)",
            passed=np.abs(z).max() <= max_z,
            value=float(np.abs(z).max()),
        ),
        claim(
            f"weak features: the risk is least with all features, p = d ({setup})",
            source=SOURCE_WEAK,
            expected=f"argmin over p of the Monte Carlo = {d}",
            measured=f"argmin p = {mc_argmin} (closed form: {cf_argmin}); risk there {weak.monte_carlo.min():.4f} ± {weak.monte_carlo_se[weak.monte_carlo.idxmin()]:.4f}",
            passed=mc_argmin == d,
            value=mc_argmin,
        ),
    ]


def monte_carlo_bar(comparisons: int, alpha: float) -> float:
    """z* = Φ⁻¹(1 − α/(2m)): all m Monte-Carlo means lie within z* standard errors of the truth
    with probability ≥ 1 − α (Bonferroni; valid for the correlated estimates of common random
    numbers). "Within its standard error" at each of ~85 p would fail a third of them by chance."""
    return float(norm.isf(alpha / (2 * comparisons)))


def _weak_setup(weak: pd.DataFrame) -> tuple[int, int]:
    """(n, d) of the weak-features table: d is its largest p; n is where the closed form is infinite."""
    return int(weak.p[np.isinf(weak.closed_form)].mean().round()), int(weak.p.max())
