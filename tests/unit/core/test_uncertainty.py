"""Intervals and verdicts against independent references: SciPy's own t interval, the normal
approximation of a large sample's bootstrap, coverage by simulation, and the three verdicts."""

import numpy as np
import pytest
from scipy import stats

from dltheory.core.uncertainty import (
    CONFIDENCE,
    Estimate,
    above,
    below,
    bootstrap_interval,
    bootstrap_of_mean,
    mean_interval,
    near,
    replicates_to_decide,
    verdict,
    within,
)


def test_the_mean_interval_is_students_t():
    x = np.array([0.51, 0.47, 0.62, 0.44, 0.58])
    e = mean_interval(x)
    low, high = stats.t.interval(CONFIDENCE, df=4, loc=x.mean(), scale=stats.sem(x))
    assert (e.value, e.low, e.high, e.n, e.method) == pytest.approx((x.mean(), low, high, 5, "t"))
    assert e.replicates == tuple(x)


def test_the_mean_interval_covers_at_its_level():
    rng = np.random.default_rng(1)
    samples = rng.normal(3.0, 2.0, size=(4000, 4))  # 4 replicates: where a z interval under-covers
    covered = [(e.low <= 3.0 <= e.high) for e in map(mean_interval, samples)]
    assert np.mean(covered) == pytest.approx(CONFIDENCE, abs=0.012)


def test_the_bootstrap_of_a_large_samples_mean_is_the_normal_interval():
    x = np.random.default_rng(2).exponential(size=2000)
    e = bootstrap_interval(lambda rows: x[rows].mean(), len(x))
    half = stats.norm.ppf(0.975) * x.std(ddof=1) / np.sqrt(len(x))
    assert e.value == x.mean() and e.method == "bootstrap"
    assert e.low == pytest.approx(x.mean() - half, abs=0.15 * half) and e.high == pytest.approx(x.mean() + half, abs=0.15 * half)


def test_the_bootstrap_is_seeded_and_keeps_each_stratum():
    strata = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2])
    seen = []

    def statistic(rows):
        seen.append(np.bincount(strata[rows], minlength=3))
        return float(rows.sum())

    first = bootstrap_interval(statistic, 9, strata=strata, resamples=50)
    assert all((counts == [3, 2, 4]).all() for counts in seen)
    assert bootstrap_interval(statistic, 9, strata=strata, resamples=50) == first
    with pytest.raises(ValueError, match="at least 2"):
        bootstrap_interval(statistic, 3, strata=[0, 0, 1])


def test_the_three_verdicts():
    e = Estimate(0.5, 0.4, 0.6, 8, "t")
    assert [verdict(e, bar) for bar in (above(0.3), below(0.3), above(0.5), within(0.45, 0.55), near(0.5, 0.2))] == [
        "pass",
        "fail",
        "inconclusive",
        "inconclusive",
        "pass",
    ]


def test_replicates_to_decide_scale_as_one_over_root_n():
    e = Estimate(0.3, 0.1, 0.5, 4, "t")  # half-width 0.2, 0.1 from the bar at 0.2
    assert replicates_to_decide(e, below(0.2)) == 16  # 4 * (0.2 / 0.1)^2
    assert replicates_to_decide(Estimate(0.2, 0.1, 0.3, 4, "t"), above(0.2)) is None  # on the edge


def test_a_nudged_replicate_near_the_bar_goes_inconclusive_not_the_other_way():
    # The invariant that makes verdicts stable across machines: replicates whose mean sits at the
    # bar give an undecided verdict whichever side of it a small change of one replicate puts
    # the mean; only a change larger than the interval can turn pass into fail.
    x = np.array([0.231, 0.262, 0.248, 0.257, 0.244, 0.254])
    bar = below(0.25)
    before = mean_interval(x)
    nudged = mean_interval(x + np.array([0.01, 0, 0, 0, 0, 0]))
    assert before.value < 0.25 < nudged.value  # the point estimate flips
    assert verdict(before, bar) == verdict(nudged, bar) == "inconclusive"


def test_a_strict_bar_fails_a_tie_and_needs_the_interval_clear_of_it():
    assert not above(0.0, strict=True).holds(0.0) and above(0.0).holds(0.0)
    assert verdict(Estimate(0.5, 0.0, 1.0, 5, "t"), above(0.0, strict=True)) == "inconclusive"
    assert verdict(Estimate(-0.5, -1.0, 0.0, 5, "t"), above(0.0, strict=True)) == "fail"
    assert verdict(Estimate(-0.5, -1.0, 0.0, 5, "t"), above(0.0)) == "inconclusive"


def test_only_intervals_that_shrink_like_one_over_root_n_get_a_count():
    assert replicates_to_decide(Estimate(0.3, 0.1, 0.5, 4, "chi2"), below(0.2)) is None


def test_a_statistic_of_the_mean_curve_keeps_each_replicates_own():
    curves = np.array([[1.0, 3.0, 2.0], [1.0, 2.0, 4.0], [2.0, 5.0, 1.0]])  # 3 draws of a curve on 3 grid points
    e = bootstrap_of_mean(lambda curve: float(np.argmax(curve)), curves)
    assert e.value == 1.0 and e.replicates == (1.0, 2.0, 1.0) and 1.0 <= e.high <= 2.0
    assert bootstrap_of_mean(np.mean, curves[:1]) is None  # one replicate: no interval


def test_infinite_draws_give_an_infinite_end_not_a_nan():
    # a ratio whose denominator vanishes in some resamples is +inf there
    first = np.array([1.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    e = bootstrap_interval(lambda rows: 1.0 / first[rows].mean() if first[rows].mean() > 0 else np.inf, len(first))
    assert e.high == np.inf and not np.isnan(e.low)


def test_the_bootstrap_of_a_mean_has_the_unbiased_spread_at_two_replicates():
    # two replicates 0 and 1: resampled means 0, 1/2, 1/2, 1 (variance 1/8, the plug-in); adjusted
    # by √2 their variance is s²/n = 1/4, and the interval's ends are 1/2 ∓ √2/2
    e = bootstrap_of_mean(lambda mean: float(mean), np.array([0.0, 1.0]))
    assert (e.low, e.high) == pytest.approx((0.5 - np.sqrt(2) / 2, 0.5 + np.sqrt(2) / 2))
    # strata: each cell's mean, resampled within the cell, in the sorted order of the labels
    cells = bootstrap_of_mean(lambda means: float(means[1] - means[0]), np.array([5.0, 5.0, 1.0, 3.0]), strata=[1, 1, 0, 0])
    assert cells.value == 3.0 and cells.low < 3.0 < cells.high
