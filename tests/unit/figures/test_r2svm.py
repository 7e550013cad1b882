"""r2svm's claims at their bars (config r2svm.claims): last layer over layer 1, the almost monotone
rise, convergence over the paper's window, run-to-run spread, the flat ablations, CIFAR-10 between
the linear and RBF SVMs, and the bending of the copied 2-D inputs. No claim reads a best layer."""

import numpy as np
import pandas as pd
import pytest
from shipped import bars

from dltheory.figures.r2svm import claims as fig

BARS = bars("r2svm")
LAYERS = 30
RISE = np.linspace(0.88, 0.90, LAYERS)  # a steady rise, 2 points over 30 layers: 1/3 of it over layers 20–30


def curve_rows(dataset: str, accuracy, seeds=(0, 1), spread: float = 0.0, method="r2svm", variant="as_written", **params) -> list[dict]:
    """Rows whose mean over seeds is ``accuracy[l - 1]`` at layer l; seeds differ by ±spread."""
    return [
        {
            "dataset": dataset,
            "variant": variant,
            "method": method,
            "seed": s,
            "layer": l,
            "train_acc": 1.0,
            "test_acc": a + (spread if s else -spread),
            **params,
        }
        for s in seeds
        for l, a in enumerate(accuracy, 1)
    ]


def references(dataset: str, linear: float = 0.88, rbf: float = 0.99) -> list[dict]:
    return [
        {"dataset": dataset, "variant": "reference", "method": m, "seed": 0, "layer": np.nan, "train_acc": 1.0, "test_acc": a}
        for m, a in (("linear_svm", linear), ("rbf_svm", rbf))
    ]


def claims(accuracy=RISE, spread=0.0, ablation=None, dataset="mnist_5k", linear=0.88, rbf=0.99) -> dict:
    rows = curve_rows(dataset, accuracy, spread=spread) + references(dataset, linear, rbf)
    if ablation is not None:
        rows += curve_rows(dataset, ablation, seeds=(0,), method="r2svm_fixed")
    return {c.claim.split(": ", 1)[1]: c for c in fig.claims({"table": pd.DataFrame(rows)}, BARS)}


def claim(rows: dict, start: str):
    return next(c for text, c in rows.items() if text.startswith(start))


def converging(late: float) -> np.ndarray:
    """1 point over layers 1–20, then ``late`` points over 20–30 (the fraction late / (1 + late))."""
    return np.r_[np.linspace(0.88, 0.89, 20), 0.89 + late * np.linspace(0, 1, 11)[1:]]


def test_a_steady_rise_passes_everything_but_convergence():
    rows = claims()
    assert claim(rows, "the last layer").passed and claim(rows, "accuracy rises").passed
    assert not claim(rows, "it converges").passed  # a third of the gain in the last third: no convergence


@pytest.mark.parametrize("late, passed", [(0.0033, True), (0.0034, False)])  # 0.33/1.33 = 24.8%, 0.34/1.34 = 25.4% vs 25%
def test_convergence_is_the_late_gain_as_a_fraction_of_the_total(late, passed):
    c = claim(claims(converging(late)), "it converges")
    assert BARS["max_late_fraction"] == 0.25 and c.passed is passed and "20–30" in c.claim


def test_no_gain_means_no_convergence_to_speak_of():
    c = claim(claims(np.full(LAYERS, 0.9)), "it converges")
    assert not c.passed and "undefined" in c.measured
    assert not claim(claims(np.full(LAYERS, 0.9)), "the last layer").passed


@pytest.mark.parametrize("dip, passed", [(0.0009, True), (0.0011, False)])
def test_a_dip_larger_than_the_run_to_run_spread_breaks_the_monotone_rise(dip, passed):
    """Two seeds at ±s have s.d. s·√2: s = 0.1 point / √2 makes every layer's s.d. 0.1 point."""
    accuracy = RISE.copy()
    accuracy[5] = accuracy[4] - dip  # layer 6 falls below layer 5, the running maximum
    assert claim(claims(accuracy, spread=0.001 / np.sqrt(2)), "accuracy rises").passed is passed


@pytest.mark.parametrize("spread, passed", [(0.0017, True), (0.0018, False)])
def test_run_to_run_spread_at_most_a_quarter_point(spread, passed):
    # two seeds at ±spread: s.d. = spread·√2 (0.0024 and 0.00255 against the 0.0025 bar)
    assert claim(claims(spread=spread), "run-to-run").passed is passed


@pytest.mark.parametrize("gap, passed", [(0.0099, True), (0.0101, False)])
def test_an_ablation_stays_within_a_point_of_layer_one(gap, passed):
    ablation = np.full(LAYERS, RISE[0])
    ablation[-1] += gap
    assert claim(claims(ablation=ablation), "ablation, fixed projection").passed is passed


@pytest.mark.parametrize("linear, rbf, passed", [(0.85, 0.95, True), (0.85, 0.899, False), (0.9, 0.95, False)])
def test_cifar10_lies_between_the_linear_and_the_rbf_svm(linear, rbf, passed):
    rows = claims(dataset="cifar10", linear=linear, rbf=rbf)  # the R2SVM ends at 0.90
    assert claim(rows, "the R2SVM's last layer lies between").passed is passed


def test_other_datasets_only_observe_linear_and_rbf():
    c = claim(claims(), "the last layer against")
    assert c.kind == "observation" and c.passed is None


def test_copied_two_d_inputs_must_bend_on_their_training_points_and_the_method_as_written_is_observed():
    params = {"copies": 10, "beta": 1.0, "C": 1.0}
    for last, passed in ((BARS["min_bent_accuracy"], True), (BARS["min_bent_accuracy"] - 0.001, False)):
        copied = curve_rows("two_spirals", [0.55, 0.6, 0.7], variant="copies", **params)
        for row in copied:
            row["train_acc"] = last if row["layer"] == 3 else 0.6
        written = curve_rows("two_spirals", [0.55, 0.56, 0.57], C=1.0, beta=0.1)
        bend, observed = fig.claims({"table": pd.DataFrame(copied + written + references("two_spirals", 0.55, 0.7))}, BARS)
        assert bend.kind == "claim" and bend.passed is passed and "not in the paper" in bend.claim
        assert observed.kind == "observation" and "57.0%" in observed.measured
