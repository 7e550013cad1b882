"""double_descent's claims at their bars (config double_descent.claims), on made-up curves: the
peak's location (never its height), interpolation above n, the over-parameterized minimum, and
the weak-features Monte Carlo against the closed form; the largest N beside the kernel machine
(observations, never judged).

The random-features claims are judged on 95% intervals over the draws of the features (the peak's
location bootstrapped and widened to the neighbouring grid points; the minimum on paired per-draw
differences), interpolation as numerics against its tolerance, and the weak-features Monte Carlo
on its standard errors. Draws far on the passing side pass, wholly on the wrong side fail, and
straddling the bar are inconclusive."""

import numpy as np
import pandas as pd
import pytest
from shipped import bars

from dltheory.figures.double_descent import claims as fig
from dltheory.science.random_features import weak_features_risk

BARS = bars("double_descent")
N_TRAIN = 1000
GRID = np.array([100, 300, 600, 900, 949, 980, 1000, 1020, 1049, 1051, 2000, 5000, 20000])
PEAK = "the test squared loss peaks at the interpolation threshold N = n"
NORM_PEAK = "the ‖a‖₂ of the minimum-norm solution peaks at the interpolation threshold N = n"
LOSS_MINIMUM = "the minimum is over-parameterized: test squared loss at the largest N against the best N < n"
ERROR_MINIMUM = "the minimum is over-parameterized: test zero-one error at the largest N against the best N < n"
MONTE_CARLO = "weak features: Monte Carlo against the closed form at every p with |p − n| ≥ 8"
LEAST_AT_D = "weak features: the risk is least with all features, p = d"


def per_draw(value, draws: int) -> tuple:
    """``value`` for each draw: a scalar repeated, or one value per draw."""
    return tuple(np.broadcast_to(np.asarray(value, dtype=float), (draws,)))


def rff(peak_at=1000, last_test=0.2, best_below=0.4, worst_fit=1e-20, norm_peak_at=None, error_last=0.07, error_best=0.15, draws=2):
    """``draws`` draws of a double-descent curve: test loss 1 everywhere but ``best_below`` at
    N = 300, a peak of 100 at ``peak_at`` and ``last_test`` at the largest N. Every argument but
    ``worst_fit`` takes a scalar (every draw) or one value per draw."""
    columns = [per_draw(v, draws) for v in (peak_at, last_test, best_below, norm_peak_at or peak_at, error_last, error_best)]
    rows = []
    for seed, (peak, last, best, norm_peak, err_last, err_best) in enumerate(zip(*columns)):
        for N in GRID:
            test = 100.0 + seed if N == peak else last if N == GRID[-1] else best if N == 300 else 1.0
            error = err_last if N == GRID[-1] else err_best if N == 300 else 0.5
            rows.append(
                {
                    "seed": seed,
                    "n_features": N,
                    "n_train": N_TRAIN,
                    "train_mse": worst_fit if N >= N_TRAIN else 0.1,
                    "test_mse": test,
                    "train_error": 0.0,
                    "test_error": error,
                    "norm": 1e4 if N == norm_peak else 10.0,
                    "bandwidth": 30.0,
                }
            )
    return pd.DataFrame(rows)


def weak(shift_at=None, shift_se=0.0, se=0.001) -> pd.DataFrame:
    """The closed form as the 'Monte Carlo' (s.e. ``se``), shifted by ``shift_se`` s.e. at ``shift_at``."""
    p = np.arange(1, 101)
    cf = weak_features_risk(p, 40, 100, 1.0, 0.04)
    mc = np.where(np.isfinite(cf), cf, 50.0)
    if shift_at is not None:
        mc = mc + np.where(p == shift_at, shift_se * se, 0.0)
    return pd.DataFrame({"p": p, "closed_form": cf, "monte_carlo": mc, "monte_carlo_se": se, "trials": 2000})


def kernel(test_mse=0.19, test_error=0.06, norm=9.0) -> pd.DataFrame:
    """The kernel machine's one row (``kernel.csv``)."""
    return pd.DataFrame(
        [{"n_train": N_TRAIN, "train_mse": 1e-26, "test_mse": test_mse, "train_error": 0.0, "test_error": test_error, "norm": norm}]
    )


def rows(rff_table=None, weak_table=None, kernel_table=None) -> dict:
    artifacts = {
        "rff": rff() if rff_table is None else rff_table,
        "weak_features": weak() if weak_table is None else weak_table,
        "kernel": kernel() if kernel_table is None else kernel_table,
    }
    return {c.claim.split(" (")[0]: c for c in fig.claims(artifacts, BARS)}


def verdicts(**kwargs) -> dict[str, str | None]:
    return {text: c.verdict for text, c in rows(**kwargs).items()}


def failing(**kwargs) -> list[str]:
    return [claim for claim, verdict in verdicts(**kwargs).items() if verdict == "fail"]


def test_a_textbook_double_descent_passes_every_claim():
    v = verdicts()
    assert list(v.values()).count("pass") == 7 and not failing()
    assert list(v.values()).count(None) == 4  # the peak's height and the three against the kernel: observations


# -- the peak's location: a bootstrap over draws of the argmax, widened to the neighbouring grid points


def test_the_peaks_interval_includes_the_grid_step():
    c = rows()[PEAK]
    assert (c.estimate.low, c.estimate.value, c.estimate.high) == pytest.approx((0.98, 1.0, 1.02))  # grid 980, 1000, 1020
    assert c.verdict == "pass" and c.estimate.replicates == (1.0, 1.0) and "grid step" in c.estimate.method


@pytest.mark.parametrize(
    "peak_at, verdict",
    [
        (1000, "pass"),  # between 980 and 1020: within ±5%
        (1049, "inconclusive"),  # +4.9%, but its grid neighbour 1051 is +5.1%
        (949, "inconclusive"),  # −5.1%, its neighbour 980 −2%
        (2000, "fail"),  # between 1051 and 5000: beyond +5%
    ],
)
def test_peak_location_bar(peak_at, verdict):
    v = verdicts(rff_table=rff(peak_at=peak_at))
    assert v[PEAK] == v[NORM_PEAK] == verdict


def test_the_norm_peak_is_judged_apart():
    assert failing(rff_table=rff(norm_peak_at=900)) == [NORM_PEAK]  # between 600 and 949: below −5%


def test_draws_that_peak_apart_are_inconclusive():
    """One draw peaks at n, one at 2n: resamples find either, and the interval spans both."""
    c = rows(rff_table=rff(peak_at=(1000, 2000)))[PEAK]
    assert c.verdict == "inconclusive" and c.estimate.replicates == (1.0, 2.0)


def test_the_peak_height_is_never_judged():
    tall, low = rff(), rff()
    tall.loc[tall.n_features == 1000, "test_mse"] = 1e9
    low.loc[low.n_features == 1000, "test_mse"] = 1.5
    assert not failing(rff_table=tall) and not failing(rff_table=low)
    height = [c for c in rows(rff_table=tall).values() if c.kind == "observation" and "height" in c.claim][0]
    assert height.verdict is None and height.estimate.replicates == pytest.approx((1e9 / 0.2, 1e9 / 0.2))


# -- the largest N against the kernel machine h_n,∞: the mean over draws of the difference, never judged

KERNEL_LOSS = "test squared loss at the largest N against the kernel machine h_n,∞, the limit N → ∞"


def test_the_largest_n_is_set_beside_the_kernel_machine():
    r = rows(rff_table=rff(last_test=(0.2, 0.22), error_last=(0.07, 0.08)))
    loss, error = r[KERNEL_LOSS], r["test zero-one error at the largest N against the kernel machine h_n,∞, the limit N → ∞"]
    norm = r["norm of the solution, ‖a‖₂ vs ‖h‖_H, at the largest N against the kernel machine h_n,∞, the limit N → ∞"]
    assert loss.kind == error.kind == norm.kind == "observation" and loss.verdict is None
    assert loss.estimate.replicates == pytest.approx((0.2 - 0.19, 0.22 - 0.19)) and loss.value == pytest.approx(0.02)
    assert error.value == pytest.approx(0.015) and norm.value == pytest.approx(1.0)  # the made-up norm is 10 at the largest N
    assert "N = 20000 (20n)" in loss.measured and "0.1900 for the kernel" in loss.measured


def test_the_kernel_rows_never_fail_and_have_no_interval_with_one_draw():
    far = rows(rff_table=rff(draws=1), kernel_table=kernel(test_mse=5.0, test_error=0.9, norm=1e6))
    assert not failing(rff_table=rff(draws=1), kernel_table=kernel(test_mse=5.0)) and far[KERNEL_LOSS].estimate is None
    assert far[KERNEL_LOSS].value == pytest.approx(0.2 - 5.0)


# -- interpolation: numerics against its tolerance, no interval


def test_interpolation_bar():
    bar = BARS["max_interpolation_train_mse"]
    assert not failing(rff_table=rff(worst_fit=0.99 * bar))
    assert failing(rff_table=rff(worst_fit=1.01 * bar)) == [
        "the model interpolates for N ≥ n: largest train squared loss over N ≥ n and draws"
    ]
    assert rows()["the model interpolates for N ≥ n: largest train squared loss over N ≥ n and draws"].estimate is None


# -- the over-parameterized minimum: Student's t on paired per-draw differences


def test_over_parameterized_minimum():
    assert failing(rff_table=rff(last_test=0.41)) == [LOSS_MINIMUM]
    assert failing(rff_table=rff(error_last=0.16)) == [ERROR_MINIMUM]
    assert failing(rff_table=rff(last_test=0.4)) == [LOSS_MINIMUM]  # "lower": a tie fails


@pytest.mark.parametrize(
    "last_test, verdict",
    [
        ((0.2, 0.21, 0.19), "pass"),  # 0.2 below the best N < n (0.4) in every draw
        ((0.6, 0.61, 0.59), "fail"),  # 0.2 above it in every draw
        ((0.2, 0.6, 0.35), "inconclusive"),  # draws on both sides
    ],
)
def test_the_minimum_is_judged_on_the_draws_differences(last_test, verdict):
    c = rows(rff_table=rff(last_test=last_test, draws=3))[LOSS_MINIMUM]
    assert c.verdict == verdict and c.estimate.method == "t"
    assert c.estimate.replicates == pytest.approx([last - 0.4 for last in last_test])


@pytest.mark.parametrize("nudge", [-0.01, 0.01])
def test_a_nudged_draw_does_not_flip_the_minimum(nudge):
    near_pass, straddling = [0.3, 0.32, 0.31], [0.2, 0.6, 0.35]
    assert rows(rff_table=rff(last_test=[near_pass[0] + nudge, *near_pass[1:]], draws=3))[LOSS_MINIMUM].verdict == "pass"
    assert rows(rff_table=rff(last_test=[straddling[0] + nudge, *straddling[1:]], draws=3))[LOSS_MINIMUM].verdict == "inconclusive"


def test_a_single_draw_is_judged_as_it_stands():
    r = rows(rff_table=rff(draws=1))
    assert r[PEAK].verdict == r[LOSS_MINIMUM].verdict == "pass"
    assert r[PEAK].estimate is None and r[LOSS_MINIMUM].estimate is None


# -- weak features: the Monte Carlo's standard errors


def test_monte_carlo_bar_is_the_family_wise_bound():
    compared = int((np.abs(np.arange(1, 101) - 40) >= BARS["monte_carlo_exclusion"]).sum())
    z = fig.monte_carlo_bar(compared, BARS["monte_carlo_alpha"])
    assert z == pytest.approx(3.44, abs=0.01)
    assert not failing(weak_table=weak(shift_at=70, shift_se=0.99 * z))
    assert failing(weak_table=weak(shift_at=70, shift_se=1.01 * z)) == [MONTE_CARLO]
    assert not failing(weak_table=weak(shift_at=40 + BARS["monte_carlo_exclusion"] - 1, shift_se=100))  # too close to n to compare


def with_risk_at(p: int, above_d: float, se: float = 0.001) -> pd.DataFrame:
    """The closed form as the Monte Carlo, but at ``p`` the risk at d plus ``above_d``."""
    table = weak(se=se)
    table.loc[table.p == p, "monte_carlo"] = table.monte_carlo[table.p == 100].iloc[0] + above_d
    return table


@pytest.mark.parametrize(
    "above_d, verdict",
    [
        (0.01, "pass"),  # 0.01 ± 1.96 · 0.002: clearly above
        (-0.01, "fail"),  # clearly below: p = 99 beats p = d
        (0.001, "inconclusive"),  # within the standard errors, either side
        (-0.001, "inconclusive"),  # the point argmin is 99, but the standard errors cannot tell
    ],
)
def test_the_minimum_at_d_is_judged_on_the_standard_errors(above_d, verdict):
    c = rows(weak_table=with_risk_at(99, above_d))[LEAST_AT_D]
    assert c.verdict == verdict and c.estimate.value == pytest.approx(above_d) and "p = 99" in c.measured
    assert c.estimate.high - c.estimate.low == pytest.approx(2 * 1.96 * 0.002, rel=1e-3)


def test_the_textbook_minimum_at_d_passes_on_its_standard_errors():
    c = rows()[LEAST_AT_D]  # the closed form: p = 99 is 0.0076 above p = d
    assert c.verdict == "pass" and c.estimate.low > 0 and c.estimate.n == 2000


def test_near_n_the_monte_carlo_is_taken_as_it_stands():
    """At |p − n| < 8 the s.e. is no interval: a huge one there does not make the claim
    inconclusive, and a risk below p = d's there still fails it."""
    noisy = weak()
    noisy.loc[noisy.p == 40, "monte_carlo_se"] = 40.0
    assert rows(weak_table=noisy)[LEAST_AT_D].verdict == "pass"
    assert rows(weak_table=with_risk_at(41, -0.001))[LEAST_AT_D].verdict == "fail"
