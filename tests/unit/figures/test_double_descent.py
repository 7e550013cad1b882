"""double_descent's claims at their bars (config double_descent.claims), on made-up curves: the
peak's location (never its height), interpolation above n, the over-parameterized minimum, and
the weak-features Monte Carlo against the closed form."""

import numpy as np
import pandas as pd
import pytest
from shipped import bars

from dltheory.figures.double_descent import claims as fig
from dltheory.science.random_features import weak_features_risk

BARS = bars("double_descent")
N_TRAIN = 1000
GRID = np.array([100, 300, 600, 900, 949, 980, 1000, 1020, 1049, 1051, 2000, 5000, 20000])


def rff(peak_at=1000, last_test=0.2, best_below=0.4, worst_fit=1e-20, norm_peak_at=None, error_last=0.07, error_best=0.15) -> pd.DataFrame:
    """Two seeds of a double-descent curve: test loss 1 everywhere but ``best_below`` at N = 300,
    a peak of 100 at ``peak_at`` and ``last_test`` at the largest N."""
    rows = []
    for seed in (0, 1):
        for N in GRID:
            test = 100.0 if N == peak_at else last_test if N == GRID[-1] else best_below if N == 300 else 1.0
            error = error_last if N == GRID[-1] else error_best if N == 300 else 0.5
            rows.append(
                {
                    "seed": seed,
                    "n_features": N,
                    "n_train": N_TRAIN,
                    "train_mse": worst_fit if N >= N_TRAIN else 0.1,
                    "test_mse": test,
                    "train_error": 0.0,
                    "test_error": error,
                    "norm": 1e4 if N == (norm_peak_at or peak_at) else 10.0,
                    "bandwidth": 30.0,
                }
            )
    return pd.DataFrame(rows)


def weak(shift_at=None, shift_se=0.0) -> pd.DataFrame:
    """The closed form as the 'Monte Carlo' (s.e. 0.01), shifted by ``shift_se`` s.e. at ``shift_at``."""
    p = np.arange(1, 101)
    cf = weak_features_risk(p, 40, 100, 1.0, 0.04)
    mc = np.where(np.isfinite(cf), cf, 50.0)
    if shift_at is not None:
        mc = mc + np.where(p == shift_at, shift_se * 0.01, 0.0)
    return pd.DataFrame({"p": p, "closed_form": cf, "monte_carlo": mc, "monte_carlo_se": 0.01, "trials": 2000})


def verdicts(rff_table=None, weak_table=None) -> dict[str, bool | None]:
    artifacts = {"rff": rff() if rff_table is None else rff_table, "weak_features": weak() if weak_table is None else weak_table}
    return {c.claim.split(" (")[0]: c.passed for c in fig.claims(artifacts, BARS)}


def failing(**kwargs) -> list[str]:
    return [claim for claim, passed in verdicts(**kwargs).items() if passed is False]


def test_a_textbook_double_descent_passes_every_claim():
    v = verdicts()
    assert sum(p is True for p in v.values()) == 7 and not failing()
    assert list(v.values()).count(None) == 1  # the peak's height: an observation


def test_peak_location_bar():
    assert not failing(rff_table=rff(peak_at=1049))  # +4.9%: inside ±5%
    assert failing(rff_table=rff(peak_at=949))  # −5.1%
    assert set(failing(rff_table=rff(peak_at=1051))) == {
        "the test squared loss peaks at the interpolation threshold N = n",
        "the ‖a‖₂ of the minimum-norm solution peaks at the interpolation threshold N = n",
    }
    assert failing(rff_table=rff(norm_peak_at=900)) == ["the ‖a‖₂ of the minimum-norm solution peaks at the interpolation threshold N = n"]


def test_the_peak_height_is_never_judged():
    tall, low = rff(), rff()
    tall.loc[tall.n_features == 1000, "test_mse"] = 1e9
    low.loc[low.n_features == 1000, "test_mse"] = 1.5
    assert not failing(rff_table=tall) and not failing(rff_table=low)


def test_interpolation_bar():
    bar = BARS["max_interpolation_train_mse"]
    assert not failing(rff_table=rff(worst_fit=0.99 * bar))
    assert failing(rff_table=rff(worst_fit=1.01 * bar)) == [
        "the model interpolates for N ≥ n: largest train squared loss over N ≥ n and draws"
    ]


def test_over_parameterized_minimum():
    assert failing(rff_table=rff(last_test=0.41)) == [
        "the minimum is over-parameterized: test squared loss at the largest N against the best N < n"
    ]
    assert failing(rff_table=rff(error_last=0.16)) == [
        "the minimum is over-parameterized: test zero-one error at the largest N against the best N < n"
    ]


def test_monte_carlo_bar_is_the_family_wise_bound():
    compared = int((np.abs(np.arange(1, 101) - 40) >= BARS["monte_carlo_exclusion"]).sum())
    z = fig.monte_carlo_bar(compared, BARS["monte_carlo_alpha"])
    assert z == pytest.approx(3.44, abs=0.01)
    assert not failing(weak_table=weak(shift_at=70, shift_se=0.99 * z))
    assert failing(weak_table=weak(shift_at=70, shift_se=1.01 * z)) == [
        "weak features: Monte Carlo against the closed form at every p with |p − n| ≥ 8"
    ]
    assert not failing(weak_table=weak(shift_at=40 + BARS["monte_carlo_exclusion"] - 1, shift_se=100))  # too close to n to compare


def test_the_minimum_over_p_must_be_at_d():
    table = weak()
    table.loc[table.p == 99, "monte_carlo"] = table.monte_carlo.min() - 0.01
    assert failing(weak_table=table) == ["weak features: the risk is least with all features, p = d"]
