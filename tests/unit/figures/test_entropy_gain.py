"""dltheory.figures.entropy_gain.claims: the claims on hand-built tables, judged on intervals over seeds."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from dltheory.core.contract import Artifacts
from dltheory.figures.entropy_gain.claims import claims, gain_fraction, late_layers, summary

BARS = {"max_late_gain_fraction": 0.20}  # config/config.yaml's entropy_gain.claims


def table(entropies: list[float], tcs: list[float], seeds=4, noise=0.01):
    """A table of one estimator: entropy and TC per layer, the same curve for every seed plus a little noise."""
    rng = np.random.default_rng(0)
    curves = [np.array(entropies) + noise * rng.standard_normal(len(entropies)) for _ in range(seeds)]
    return from_curves(curves, [tcs] * seeds)


def from_curves(entropies: list, tcs: list) -> pd.DataFrame:
    """A table of one estimator from per-seed curves: ``entropies[s][l]``, ``tcs[s][l]``."""
    rows = []
    for seed, (h, tc) in enumerate(zip(entropies, tcs)):
        gain = np.r_[np.nan, np.diff(h)]
        rows += [
            {
                "layer": l,
                "seed": seed,
                "estimator": "knn",
                "entropy": h[l],
                "gain": gain[l],
                "total_correlation": tc[l],
                "projection_dim": 8,
                "units": 100,
            }
            for l in range(len(h))
        ]
    return pd.DataFrame(rows)


def from_gains(first: list[float], late: list[float], tc_change: list[float]) -> pd.DataFrame:
    """Six layers per seed: gain ``first[s]`` at layer 1, 0.3 and 0.2 at layers 2–4, ``late[s]`` at
    layers 5 and 6 (so the late mean gain is ``late[s]``); TC 2.0 at layer 0 and 2.0 + ``tc_change[s]``
    at layer 6."""
    curves = [14.0 + np.cumsum([0.0, g1, 0.3, 0.2, 0.2, gl, gl]) for g1, gl in zip(first, late)]
    tcs = [[2.0, 1.5, 1.2, 1.0, 1.0, 1.0, 2.0 + d] for d in tc_change]
    return from_curves(curves, tcs)


def judged(table: pd.DataFrame):
    return claims(Artifacts({}, {"table": table}), BARS)


def verdicts(table: pd.DataFrame) -> list[str]:
    return [c.verdict for c in judged(table)]


def test_late_layers_are_the_last_third():
    assert late_layers(6) == [5, 6] and late_layers(9) == [7, 8, 9] and late_layers(2) == [2] and late_layers(3) == [3]


def test_a_rise_that_levels_off_passes_every_claim():
    result = judged(table([14.0, 15.0, 15.3, 15.4, 15.42, 15.43, 15.44], [2.0, 1.2, 1.0, 0.9, 0.9, 0.85, 0.85]))
    assert [c.verdict for c in result] == ["pass", "pass", "pass"]
    assert result[1].value < 0.2 and result[1].estimate.high < 0.2


def test_a_steady_rise_fails_the_vanishing_gain_and_a_flat_curve_cannot_show_the_first_gain():
    steady = judged(table([14.0, 14.5, 15.0, 15.5, 16.0, 16.5, 17.0], [2, 2, 2, 2, 2, 2, 2.5]))
    assert [c.verdict for c in steady] == ["pass", "fail", "fail"]
    flat = judged(table([15.0] * 7, [1.0] * 7))
    assert flat[0].verdict == "inconclusive"  # a gain of 0 ± noise straddles the bar
    assert flat[0].estimate.low < 0 < flat[0].estimate.high


def test_the_first_gain_is_the_t_interval_of_the_seeds_gains():
    first = [0.45, 0.62, 0.51, 0.38, 0.55]
    c = judged(from_gains(first, [0.05] * 5, [-1.0] * 5))[0]
    low, high = stats.t.interval(0.95, df=4, loc=np.mean(first), scale=stats.sem(first))
    assert c.estimate.method == "t" and c.estimate.n == 5
    assert (c.estimate.low, c.estimate.high) == pytest.approx((low, high))
    assert c.estimate.replicates == pytest.approx(first)


def test_the_late_fraction_is_a_ratio_of_means_bootstrapped_over_seeds():
    first, late = [1.0, 0.8, 1.2, 1.0], [0.05, 0.2, 0.1, 0.05]
    c = judged(from_gains(first, late, [-1.0] * 4))[1]
    assert c.estimate.method == "bootstrap" and c.estimate.n == 4
    assert c.value == pytest.approx(np.mean(late) / np.mean(first))  # 0.1, not the mean of the ratios (0.1146)
    assert c.estimate.replicates == pytest.approx([lt / f for lt, f in zip(late, first)])
    assert c.estimate.low <= c.value <= c.estimate.high < 0.2 and c.verdict == "pass"


# Per-seed gains of layer 1, late gains and TC changes whose intervals straddle the bars: a first
# gain of 0.05 ± 0.25 (so the ratio's denominator is undecided too) and a late fraction of 0.19 ± 0.16.
STRADDLING = {
    "first gain and TC": (([0.30, -0.20, 0.25, -0.15], [0.001] * 4, [0.5, -0.6, 0.4, -0.5]), ["inconclusive"] * 3),
    "late fraction": (([1.0] * 4, [0.05, 0.35, 0.02, 0.34], [-1.0, -1.1, -0.9, -1.0]), ["pass", "inconclusive", "pass"]),
}


@pytest.mark.parametrize(
    "first, late, tc_change, expected",
    [
        # every seed far on the passing side
        ([0.50, 0.52, 0.48, 0.51], [0.01, 0.02, 0.00, 0.01], [-1.0, -1.1, -0.9, -1.0], ["pass", "pass", "pass"]),
        # every seed wholly on the wrong side: no first gain (so no fraction of it), TC rising
        ([-0.50, -0.52, -0.48, -0.51], [0.01, 0.02, 0.00, 0.01], [1.0, 1.1, 0.9, 1.0], ["fail", "fail", "fail"]),
        # a late gain as large as the first
        ([0.50, 0.52, 0.48, 0.51], [0.40, 0.45, 0.50, 0.42], [-1.0, -1.1, -0.9, -1.0], ["pass", "fail", "pass"]),
        *(case + (expected,) for case, expected in STRADDLING.values()),
    ],
)
def test_the_three_verdicts(first, late, tc_change, expected):
    assert verdicts(from_gains(first, late, tc_change)) == expected


@pytest.mark.parametrize("nudge", [-0.02, 0.02])
@pytest.mark.parametrize("case", STRADDLING)
def test_a_nudged_seed_leaves_a_straddling_claim_undecided(case, nudge):
    """One seed moved by 0.02 on every statistic: an interval across the bar stays across it."""
    (first, late, tc_change), expected = STRADDLING[case]
    nudged = [[v + nudge * (i == 0) for i, v in enumerate(values)] for values in (first, late, tc_change)]
    assert verdicts(from_gains(*nudged)) == expected


def test_no_first_gain_fails_the_fraction_with_an_unbounded_interval():
    """A gain that never rose cannot vanish: the ratio is +inf on every resample whose first gain is not positive."""
    assert gain_fraction(np.array([0.1]), np.array([0.0])) == np.inf
    c = judged(from_gains([-0.5, -0.4, -0.6], [0.1, 0.1, 0.1], [-1.0] * 3))[1]
    assert c.verdict == "fail" and "undefined" in c.measured  # an undefined statistic: nothing shown, no interval
    mixed = judged(from_gains([0.5, 0.4, -0.6, -0.1], [0.01, 0.01, 0.01, 0.01], [-1.0] * 4))[1]
    assert mixed.estimate.high == np.inf and mixed.verdict != "pass"


def test_summary_has_mean_and_spread_per_layer():
    """Three seeds whose layer-1 entropies are 14.9, 15.0, 15.3: mean 15.0666…, s.d. 0.2082 (n − 1),
    s.e.m. 0.2082 / √3 = 0.1202 (hand-computed)."""
    t = table([14.0, 15.0, 15.5], [2, 1, 0.5], seeds=3, noise=0.0)
    t.loc[t.layer == 1, "entropy"] = [14.9, 15.0, 15.3]
    s = summary(t)
    assert list(s.layer) == [0, 1, 2]
    assert (s.seeds == 3).all()
    assert np.isnan(s.gain.iloc[0])
    assert s.entropy.iloc[1] == pytest.approx(45.2 / 3, abs=1e-12)
    assert s.entropy_std.iloc[1] == pytest.approx(0.208167, abs=1e-6)
    assert s.entropy_sem.iloc[1] == pytest.approx(0.120185, abs=1e-6)
    assert s.entropy_sem.iloc[0] == 0.0 and s.entropy.iloc[2] == 15.5  # no noise: every seed the same
