"""r2svm's claims at their bars (config r2svm.claims): last layer over layer 1, the almost monotone
rise, convergence over the paper's window, run-to-run spread, the flat ablations, CIFAR-10 between
the linear and RBF SVMs, and the bending of the copied 2-D inputs. No claim reads a best layer.

The R2SVM's claims are judged on 95% intervals over the draws of the projections: draws far on
the passing side pass, draws wholly on the wrong side fail, draws that straddle the bar are
inconclusive. Identical draws give a zero-width interval: the bar is then met exactly as before."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from shipped import bars

from dltheory.figures.r2svm import claims as fig

BARS = bars("r2svm")
LAYERS = 30
RISE = np.linspace(0.88, 0.90, LAYERS)  # a steady rise, 2 points over 30 layers: 1/3 of it over layers 20–30
STEP = RISE[1] - RISE[0]  # 0.069 points per layer


def curve_rows(dataset: str, curves, method="r2svm", variant="as_written", metric="test_acc", **params) -> list[dict]:
    """Rows of one method: draw (seed) k has ``metric`` ``curves[k][l - 1]`` at layer l (the other
    accuracy 1)."""
    other = "train_acc" if metric == "test_acc" else "test_acc"
    return [
        {"dataset": dataset, "variant": variant, "method": method, "seed": s, "layer": l, metric: a, other: 1.0, **params}
        for s, accuracy in enumerate(curves)
        for l, a in enumerate(accuracy, 1)
    ]


def references(dataset: str, linear: float = 0.88, rbf: float = 0.99) -> list[dict]:
    return [
        {"dataset": dataset, "variant": "reference", "method": m, "seed": 0, "layer": np.nan, "train_acc": 1.0, "test_acc": a}
        for m, a in (("linear_svm", linear), ("rbf_svm", rbf))
    ]


def shifted(accuracy, offsets) -> list[np.ndarray]:
    """One draw per offset: the whole curve moved by it (every layer's s.d. is the offsets' s.d.)."""
    return [np.asarray(accuracy) + o for o in offsets]


def zigzag(accuracy, amplitudes) -> list[np.ndarray]:
    """One draw per amplitude a: the curve ± a at alternate layers. With amplitudes (s, 0, −s)
    every layer's s.d. over draws is s and the mean curve is ``accuracy``; a draw's own curve falls
    by 2|a| − STEP per layer, a resample's mean curve (its deviation stretched by √(3/2), the
    adjusted bootstrap of 3 draws) by at most 2·√(3/2)·s − STEP."""
    sign = (-1.0) ** np.arange(len(accuracy))
    return [np.asarray(accuracy) + a * sign for a in amplitudes]


def claims(accuracy=RISE, draws=None, ablation=None, dataset="mnist_5k", linear=0.88, rbf=0.99) -> dict:
    """The claims of one real dataset whose draws are ``draws`` (default: two draws of ``accuracy``)."""
    rows = curve_rows(dataset, [accuracy, accuracy] if draws is None else draws) + references(dataset, linear, rbf)
    if ablation is not None:
        rows += curve_rows(dataset, [ablation], method="r2svm_fixed")
    return {c.claim.split(": ", 1)[1]: c for c in fig.claims({"table": pd.DataFrame(rows)}, BARS)}


def claim(rows: dict, start: str):
    return next(c for text, c in rows.items() if text.startswith(start))


def converging(late: float) -> np.ndarray:
    """1 point over layers 1–20, then ``late`` points over 20–30 (the fraction late / (1 + late))."""
    return np.r_[np.linspace(0.88, 0.89, 20), 0.89 + late * np.linspace(0, 1, 11)[1:]]


def test_a_steady_rise_passes_everything_but_convergence():
    rows = claims(draws=zigzag(RISE, (0.0004, 0.0, -0.0004)))
    assert claim(rows, "the last layer").verdict == "pass" and claim(rows, "accuracy rises").verdict == "pass"
    assert claim(rows, "it converges").verdict == "fail"  # a third of the gain in the last third: no convergence
    assert claim(rows, "the last layer").estimate.n == 3 and claim(rows, "accuracy rises").estimate.method == "bootstrap"


# -- last layer against layer 1: Student's t on the per-draw differences


@pytest.mark.parametrize(
    "last, verdict",
    [
        ((0.01, 0.012, 0.011), "pass"),  # every draw gains about a point
        ((-0.01, -0.012, -0.011), "fail"),  # every draw loses one
        ((0.01, -0.008, 0.003), "inconclusive"),  # draws on both sides
    ],
)
def test_the_last_layer_against_layer_one_is_judged_on_the_draws_differences(last, verdict):
    draws = [np.r_[0.88, np.full(LAYERS - 1, 0.88 + gain)] for gain in last]
    c = claim(claims(draws=draws), "the last layer")
    assert c.verdict == verdict and c.estimate.method == "t"
    assert c.estimate.replicates == pytest.approx(last)


def test_a_flat_curve_does_not_beat_layer_one():
    """'Beats' is strict: no gain in any draw fails."""
    assert claim(claims(np.full(LAYERS, 0.9)), "the last layer").verdict == "fail"


# -- almost monotone: a bootstrap over draws of the mean curve's largest fall, against the run-to-run s.d.


@pytest.mark.parametrize("dip, passed", [(0.0009, True), (0.0011, False)])
def test_a_dip_larger_than_the_run_to_run_spread_breaks_the_monotone_rise(dip, passed):
    """Two draws shifted by ±s = ±0.1 point / √2 have s.d. 0.1 point at every layer and the same falls:
    a zero-width interval, so the bar is met exactly."""
    accuracy = RISE.copy()
    accuracy[5] = accuracy[4] - dip  # layer 6 falls below layer 5, the running maximum
    s = 0.001 / np.sqrt(2)
    c = claim(claims(draws=shifted(accuracy, (s, -s))), "accuracy rises")
    assert c.passed is passed and c.estimate.low == pytest.approx(dip) == c.estimate.high


def dipped(draws: list[np.ndarray], which, depth: float) -> list[np.ndarray]:
    """The draws, those in ``which`` falling by ``depth`` from layer 6 on, back at layer 8."""
    out = [d.copy() for d in draws]
    for k in which:
        out[k][5:7] -= depth
    return out


@pytest.mark.parametrize(
    "which, verdict",
    [
        ((), "pass"),  # every resample's mean curve falls by at most 2·√(3/2)·s − STEP < s
        ((0, 1, 2), "fail"),  # every draw dips by 6s
        ((0,), "inconclusive"),  # one draw dips: resamples without it do not, those with it do
    ],
)
def test_the_monotone_rise_is_judged_on_a_bootstrap_over_draws(which, verdict):
    s = 0.0004  # every layer's s.d.: the bar
    draws = dipped(zigzag(RISE, (s, 0.0, -s)), which, 6 * s)
    c = claim(claims(draws=draws), "accuracy rises")
    assert c.verdict == verdict and c.estimate.method == "bootstrap" and len(c.estimate.replicates) == 3


def test_a_nudged_draw_keeps_a_straddling_monotone_rise_inconclusive():
    s = 0.0005
    for nudge in (-0.0001, 0.0, 0.0001):
        draws = dipped(zigzag(RISE, (s, 0.0, -s)), (0,), 6 * s)
        draws[1][5] += nudge
        assert claim(claims(draws=draws), "accuracy rises").verdict == "inconclusive"


# -- convergence: a bootstrap over draws of the mean curve's late fraction


@pytest.mark.parametrize("late, passed", [(0.0033, True), (0.0034, False)])  # 0.33/1.33 = 24.8%, 0.34/1.34 = 25.4% vs 25%
def test_convergence_is_the_late_gain_as_a_fraction_of_the_total(late, passed):
    c = claim(claims(converging(late)), "it converges")
    assert BARS["max_late_fraction"] == 0.25 and c.passed is passed and "20–30" in c.claim


@pytest.mark.parametrize(
    "lates, verdict",
    [
        ((0.001, 0.0012, 0.0014), "pass"),  # 9–12% in every draw
        ((0.006, 0.007, 0.008), "fail"),  # 38–44%
        ((0.001, 0.002, 0.008), "inconclusive"),  # 9% to 44%
    ],
)
def test_convergence_is_judged_on_a_bootstrap_over_draws(lates, verdict):
    c = claim(claims(draws=[converging(late) for late in lates]), "it converges")
    assert c.verdict == verdict
    assert c.estimate.replicates == pytest.approx([late / (0.01 + late) for late in lates])


def test_no_gain_means_no_convergence_to_speak_of():
    c = claim(claims(np.full(LAYERS, 0.9)), "it converges")
    assert c.verdict == "fail" and "undefined" in c.measured and c.estimate is None  # an undefined statistic fails


def test_draws_without_gain_reach_an_infinite_fraction_not_a_nan():
    c = claim(claims(draws=[np.full(LAYERS, 0.88), np.full(LAYERS, 0.88), converging(0.001)]), "it converges")
    assert c.verdict == "inconclusive" and c.estimate.high == np.inf and np.isfinite(c.estimate.low)


# -- run-to-run s.d.: the chi-square interval


def test_the_run_to_run_interval_is_the_chi_square_one():
    c = claim(claims(draws=shifted(RISE, (0.001, 0.0, -0.001))), "run-to-run")  # s = 0.1 point, 3 draws
    low, high = 0.001 * np.sqrt(2 / stats.chi2.ppf([0.975, 0.025], df=2))  # 0.52 s, 6.3 s
    assert (c.estimate.value, c.estimate.low, c.estimate.high) == pytest.approx((0.001, low, high))
    assert c.estimate.method == "chi2" and c.verdict == "inconclusive"  # 3 draws cannot bound it below 0.25 point


@pytest.mark.parametrize("step, verdict", [(0.0003, "pass"), (0.004, "fail"), (0.001, "inconclusive")])
def test_run_to_run_spread_at_most_a_quarter_point(step, verdict):
    # five draws at −2, −1, 0, 1, 2 steps: s.d. 1.58 steps, interval [0.60, 2.87]·s.d.
    c = claim(claims(draws=shifted(RISE, step * np.arange(-2, 3))), "run-to-run")
    assert BARS["max_run_to_run_sd"] == 0.0025 and c.verdict == verdict


# -- deterministic rows: the ablations (one run each) against layer 1


@pytest.mark.parametrize("gap, passed", [(0.0099, True), (0.0101, False)])
def test_an_ablation_stays_within_a_point_of_layer_one(gap, passed):
    ablation = np.full(LAYERS, RISE[0])
    ablation[-1] += gap
    c = claim(claims(ablation=ablation), "ablation, fixed projection")
    assert c.passed is passed and c.estimate is None  # deterministic: no interval


# -- CIFAR-10 between the references: Student's t on the last layer's accuracy


@pytest.mark.parametrize("linear, rbf, passed", [(0.85, 0.95, True), (0.85, 0.899, False), (0.9, 0.95, False)])
def test_cifar10_lies_between_the_linear_and_the_rbf_svm(linear, rbf, passed):
    rows = claims(dataset="cifar10", linear=linear, rbf=rbf)  # the R2SVM ends at 0.90 in both draws
    assert claim(rows, "the R2SVM's last layer lies between").passed is passed


def test_cifar10_draws_that_straddle_the_rbf_svm_are_inconclusive():
    rows = claims(draws=shifted(RISE, (-0.01, 0.0, 0.01)), dataset="cifar10", linear=0.85, rbf=0.905)
    assert claim(rows, "the R2SVM's last layer lies between").verdict == "inconclusive"


def test_other_datasets_only_observe_linear_and_rbf():
    c = claim(claims(), "the last layer against")
    assert c.kind == "observation" and c.passed is None and c.estimate.n == 2


def test_a_single_draw_is_judged_as_it_stands():
    rows = claims(draws=[RISE])
    assert claim(rows, "the last layer").verdict == "pass" and claim(rows, "the last layer").estimate is None
    assert claim(rows, "run-to-run").estimate is None


# -- the 2-D problems: Student's t on the last layer's training accuracy


def two_d(last_accuracies) -> list:
    """Claims of two spirals whose copied-input draws end at ``last_accuracies`` on the training points."""
    params = {"copies": 10, "beta": 1.0, "C": 1.0}
    copied = curve_rows("two_spirals", [[0.55, 0.6, a] for a in last_accuracies], variant="copies", metric="train_acc", **params)
    written = curve_rows("two_spirals", [[0.55, 0.56, 0.57]] * 2, metric="train_acc", C=1.0, beta=0.1)
    return fig.claims({"table": pd.DataFrame(copied + written + references("two_spirals", 0.55, 0.7))}, BARS)


def test_copied_two_d_inputs_must_bend_on_their_training_points_and_the_method_as_written_is_observed():
    bar = BARS["min_bent_accuracy"]
    for last, passed in ((bar, True), (bar - 0.001, False)):  # identical draws: the bar met exactly
        bend, observed = two_d([last, last])
        assert bend.kind == "claim" and bend.passed is passed and "not in the paper" in bend.claim
        assert observed.kind == "observation" and "57.0%" in observed.measured and observed.estimate.value == pytest.approx(0.57)


@pytest.mark.parametrize(
    "last, verdict", [((0.99, 0.98, 1.0), "pass"), ((0.90, 0.91, 0.92), "fail"), ((0.951, 0.96, 0.97), "inconclusive")]
)
def test_the_bend_is_judged_on_the_draws(last, verdict):
    bend, _ = two_d(last)
    assert bend.verdict == verdict and bend.estimate.method == "t"


@pytest.mark.parametrize("nudge", [-0.002, 0.002])
def test_a_nudged_draw_near_the_bar_does_not_flip_the_bend(nudge):
    near_pass, straddling = (0.99, 0.98, 1.0), (0.951, 0.96, 0.97)
    assert two_d([near_pass[0] + nudge, *near_pass[1:]])[0].verdict == "pass"
    assert two_d([straddling[0] + nudge, *straddling[1:]])[0].verdict == "inconclusive"
