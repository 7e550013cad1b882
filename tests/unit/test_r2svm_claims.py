"""r2svm's claims at their bars (config r2svm.claims): gain over layer 1, saturation, run-to-run
spread, and two spirals against a linear SVM near chance."""

import numpy as np
import pandas as pd
import pytest
from shipped import bars

from dltheory.figures import r2svm as fig

BARS = bars("r2svm")
LAYERS = 30


def curve_rows(dataset: str, accuracy, seeds=(0, 1), spread: float = 0.0) -> list[dict]:
    """R2SVM rows whose mean over seeds is ``accuracy[l - 1]`` at layer l; seeds differ by ±spread."""
    return [
        {"dataset": dataset, "method": "r2svm", "seed": s, "layer": l, "train_acc": 1.0, "test_acc": a + (spread if s else -spread)}
        for s in seeds
        for l, a in enumerate(accuracy, 1)
    ]


def references(dataset: str, linear: float) -> list[dict]:
    return [
        {"dataset": dataset, "method": m, "seed": 0, "layer": np.nan, "train_acc": 1.0, "test_acc": a}
        for m, a in (("linear_svm", linear), ("rbf_svm", 0.99))
    ]


def real(late_gain: float, spread: float = 0.0) -> dict:
    accuracy = np.concatenate([np.linspace(0.88, 0.90, LAYERS - 10), 0.90 + late_gain * np.linspace(0, 1, 11)[1:]])
    accuracy[LAYERS - LAYERS // 3 - 1] = 0.90  # the start of the last third
    return {"table": pd.DataFrame(curve_rows("digits", accuracy, spread=spread) + references("digits", 0.88))}


@pytest.mark.parametrize("late_gain, passed", [(0.0, True), (0.0049, True), (0.0051, False), (0.02, False)])
def test_saturation_over_the_last_third(late_gain, passed):
    claim = fig.claims(real(late_gain), BARS)[1]
    assert BARS["max_late_gain"] == 0.005 and claim.passed is passed and np.isclose(claim.value, late_gain)


def test_best_layer_beats_layer_one():
    assert fig.claims(real(0.0), BARS)[0].passed
    flat = {"table": pd.DataFrame(curve_rows("digits", [0.9] * LAYERS) + references("digits", 0.9))}
    assert not fig.claims(flat, BARS)[0].passed


@pytest.mark.parametrize("spread, passed", [(0.0017, True), (0.0018, False)])
def test_run_to_run_spread_at_most_a_quarter_point(spread, passed):
    # two seeds at ±spread: s.d. = spread·√2 (0.0024 and 0.00255 against the 0.0025 bar)
    assert fig.claims(real(0.0, spread), BARS)[2].passed is passed


@pytest.mark.parametrize("deep, linear, passed", [(0.951, 0.64, True), (0.949, 0.64, False), (0.951, 0.66, False), (0.951, 0.36, True)])
def test_two_spirals_against_a_linear_svm_near_chance(deep, linear, passed):
    rows = curve_rows("two_spirals", [0.6] * (LAYERS - 10) + [deep] * 10) + references("two_spirals", linear)
    claim = fig.claims({"table": pd.DataFrame(rows)}, BARS)[-1]
    assert BARS["spirals_target"] == 0.95 and BARS["chance_margin"] == 0.15 and claim.passed is passed
