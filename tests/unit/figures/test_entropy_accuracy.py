"""dltheory.figures.entropy_accuracy.claims: the rank-correlation claim at its bar on planted tables."""

import numpy as np
import pandas as pd

from dltheory.core.contract import Artifacts
from dltheory.figures.entropy_accuracy.claims import claims, correlation

BARS = {"primary_estimator": "gaussian"}  # config/config.yaml's entropy_accuracy.claims


def planted(slope: float, architectures=20, seeds=3, noise=0.02, seed=0) -> pd.DataFrame:
    """Architecture a (half conv, half MLP) has entropy a + seed noise and accuracy 0.5 + slope · a/20 + noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for a in range(architectures):
        for s in range(seeds):
            h = a + 0.1 * rng.standard_normal()
            rows.append(
                {
                    "architecture": f"arch{a:02d}",
                    "family": "conv" if a % 2 else "mlp",
                    "seed": s,
                    "units": 16 * (1 + a % 4),
                    "entropy_gaussian": h,
                    "entropy_knn": h + 0.5 * rng.standard_normal(),
                    "test_accuracy": 0.5 + slope * a / architectures + noise * rng.standard_normal(),
                }
            )
    return pd.DataFrame(rows)


def judged(table):
    return claims(Artifacts({}, {"table": table}), BARS)


def test_accuracy_rising_with_entropy_passes_and_falling_fails():
    assert judged(planted(0.4))[0].verdict == "pass"
    assert judged(planted(-0.4))[0].verdict == "fail"


def test_no_relation_is_inconclusive():
    table = planted(0.0, noise=0.05)
    first = judged(table)[0]
    assert first.verdict == "inconclusive" and first.estimate.low < 0 < first.estimate.high


def test_the_other_estimator_the_families_and_the_control_are_observations():
    result = judged(planted(0.4))
    assert [c.kind for c in result[1:]] == ["observation"] * 4
    assert all(c.verdict is None for c in result[1:])


def test_the_interval_resamples_architectures_with_their_seeds():
    """Ten seeds of four architectures are not forty architectures: resampled by architecture, the
    interval stays wide (n = 4), where every single seed's ρ over the four is 1."""
    table = planted(0.4, architectures=4, seeds=10)
    e = correlation(table, "entropy_gaussian")
    assert e.n == 4 and e.low < 0.7 and min(e.replicates) == 1.0
