"""dltheory.figures.entropy_gain.claims: the claims on hand-built tables."""

import numpy as np
import pandas as pd
import pytest

from dltheory.core.contract import Artifacts
from dltheory.figures.entropy_gain.claims import claims, late_layers, summary

BARS = {"max_late_gain_fraction": 0.20}  # config/config.yaml's entropy_gain.claims


def table(entropies: list[float], tcs: list[float], seeds=4, noise=0.01):
    """A table of one estimator: entropy and TC per layer, the same curve for every seed plus a little noise."""
    rng = np.random.default_rng(0)
    rows = []
    for seed in range(seeds):
        h = np.array(entropies) + noise * rng.standard_normal(len(entropies))
        gain = np.r_[np.nan, np.diff(h)]
        rows += [
            {
                "layer": l,
                "seed": seed,
                "estimator": "knn",
                "entropy": h[l],
                "gain": gain[l],
                "total_correlation": tcs[l],
                "projection_dim": 8,
                "units": 100,
            }
            for l in range(len(entropies))
        ]
    return pd.DataFrame(rows)


def judged(table: pd.DataFrame):
    return claims(Artifacts({}, {"table": table}), BARS)


def test_late_layers_are_the_last_third():
    assert late_layers(6) == [5, 6] and late_layers(9) == [7, 8, 9] and late_layers(2) == [2] and late_layers(3) == [3]


def test_a_rise_that_levels_off_passes_every_claim():
    result = judged(table([14.0, 15.0, 15.3, 15.4, 15.42, 15.43, 15.44], [2.0, 1.2, 1.0, 0.9, 0.9, 0.85, 0.85]))
    assert [c.passed for c in result] == [True, True, True]
    assert result[1].value < 0.2


def test_a_steady_rise_fails_the_vanishing_gain_and_a_flat_curve_fails_the_first_gain():
    steady = judged(table([14.0, 14.5, 15.0, 15.5, 16.0, 16.5, 17.0], [2, 2, 2, 2, 2, 2, 2.5]))
    assert [c.passed for c in steady] == [True, False, False]
    flat = judged(table([15.0] * 7, [1.0] * 7))
    assert not flat[0].passed and not flat[1].passed


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
