"""implicit_bias's claims at their bars (config implicit_bias.claims), on rate tables placed just
inside and just outside each bar; and the analysis on a trajectory with known rates."""

import numpy as np
import pandas as pd
import pytest
from shipped import bars

from dltheory.figures.implicit_bias import claims as fig
from dltheory.science.max_margin import OPTIMIZERS

BARS = bars("implicit_bias")


def rates(**changes) -> pd.DataFrame:
    """A run in which every claim passes; ``changes`` = {"<dataset>_<optimizer>_<column>": value}."""
    rows = []
    for dataset in ("symmetric", "asymmetric", "stretched"):
        for optimizer in OPTIMIZERS:
            row = {
                "dataset": dataset,
                "optimizer": optimizer,
                "steps": 10**6,
                "loss_slope": -1.0,
                "norm_growth": 0.7,
                "w_hat_norm": 0.7,
                "norm_growth_ratio": 1.0,
                "angle_gap": 0.4 if (dataset, optimizer) == ("stretched", "adam") else 1e-6,
                "angle_gap_decade_before": 1e-5,
                "margin_gap": 1e-6,
                "margin_gap_decade_before": 1e-5,
                "distance_ln_t": 0.07,
                "distance_ln_t_change": 0.0,
                "rate_exponent": 1.0,
                "predicted_distance_ln_t": 0.07,
            }
            for key, value in changes.items():
                if key.startswith(f"{dataset}_{optimizer}_"):
                    row[key.removeprefix(f"{dataset}_{optimizer}_")] = value
            rows.append(row)
    return pd.DataFrame(rows)


def judged(**changes) -> list:
    return fig.claims({"rates": rates(**changes)}, BARS)


def verdicts(**changes) -> dict[str, bool | None]:
    return {c.claim: c.passed for c in judged(**changes)}


def failing(**changes) -> list[str]:
    return [claim for claim, passed in verdicts(**changes).items() if passed is False]


def test_a_run_at_the_theorems_rates_passes_every_claim():
    v = verdicts()
    # GD: 2 rates × 2 datasets, the angle gap, the 1/ln t rate; momentum: 3; ADAM on stretched data: 1
    assert sum(p is True for p in v.values()) == 10 and not failing()
    # the limit of distance × ln t, the two other forms of momentum, and Adam on the data of Fig. 1
    assert sum(p is None for p in v.values()) == 4


def test_every_claim_is_a_number_against_its_tolerance_with_its_margin():
    """Deterministic GD on fixed data: no interval, never inconclusive; the margin's sign is the verdict."""
    for changes in ({}, {"symmetric_gd_loss_slope": -1.2, "asymmetric_gd_rate_exponent": 0.0, "symmetric_momentum_rate_exponent": 0.0}):
        rows = [c for c in judged(**changes) if c.kind == "claim"]
        assert all(c.estimate is None and c.verdict in ("pass", "fail") and c.margin is not None for c in rows)
        assert all((c.margin >= 0) == (c.verdict == "pass") for c in rows)
    (slope,) = [c for c in judged(symmetric_gd_loss_slope=-0.98) if "1/t" in c.claim and "GD, symmetric data" in c.claim]
    assert slope.margin == pytest.approx(BARS["loss_slope_tolerance"] - 0.02) and slope.value == -0.98


def test_the_angle_gaps_margin_is_to_the_nearer_of_the_bar_and_the_gap_a_decade_before():
    bar = BARS["max_angle_gap"]
    (c,) = [
        c for c in judged(symmetric_gd_angle_gap=0.2 * bar, symmetric_gd_angle_gap_decade_before=0.5 * bar) if "converges to ŵ" in c.claim
    ]
    assert c.margin == pytest.approx(0.3 * bar) and c.verdict == "pass"
    (c,) = [
        c for c in judged(symmetric_gd_angle_gap=0.2 * bar, symmetric_gd_angle_gap_decade_before=3 * bar) if "converges to ŵ" in c.claim
    ]
    assert c.margin == pytest.approx(0.8 * bar)


@pytest.mark.parametrize("dataset", ["symmetric", "asymmetric"])
def test_loss_slope_bar(dataset):
    tol = BARS["loss_slope_tolerance"]
    assert not failing(**{f"{dataset}_gd_loss_slope": -1 + 0.99 * tol})
    assert not failing(**{f"{dataset}_gd_loss_slope": -1 - 0.99 * tol})
    (claim,) = failing(**{f"{dataset}_gd_loss_slope": -1 + 1.01 * tol})
    assert "1/t" in claim and dataset in claim
    assert failing(**{f"{dataset}_gd_loss_slope": -1 - 1.01 * tol})
    assert not failing(**{f"{dataset}_momentum_average_loss_slope": 0.0})  # the other forms are observations


@pytest.mark.parametrize("dataset", ["symmetric", "asymmetric"])
def test_norm_growth_bar(dataset):
    tol = BARS["norm_growth_tolerance"]
    assert not failing(**{f"{dataset}_gd_norm_growth_ratio": 1 - 0.99 * tol})
    (claim,) = failing(**{f"{dataset}_gd_norm_growth_ratio": 1 - 1.01 * tol})
    assert "‖ŵ‖ ln t" in claim and dataset in claim
    assert failing(**{f"{dataset}_gd_norm_growth_ratio": 1 + 1.01 * tol})


def test_angle_gap_must_fall_and_end_below_the_bar_on_the_symmetric_data():
    bar = BARS["max_angle_gap"]
    assert not failing(symmetric_gd_angle_gap=0.99 * bar, symmetric_gd_angle_gap_decade_before=bar)
    assert failing(symmetric_gd_angle_gap=1.01 * bar, symmetric_gd_angle_gap_decade_before=2 * bar)
    assert failing(symmetric_gd_angle_gap=1e-6, symmetric_gd_angle_gap_decade_before=1e-7)  # rising
    assert not failing(asymmetric_gd_angle_gap=1e-3)  # the 1/ln t data: no bar on the gap itself


def test_momentum_claims_are_the_captions_three_statements_on_the_literal_heavy_ball():
    """A frozen direction (the literal protocol's overshoot): loss slope 0, no growth, p = 0 — three
    failing claims, each naming the heavy ball; the other two forms are observations only."""
    frozen = {"symmetric_momentum_loss_slope": 0.0, "symmetric_momentum_norm_growth_ratio": 0.0, "symmetric_momentum_rate_exponent": 0.0}
    rows = failing(**frozen)
    assert len(rows) == 3 and all("heavy ball" in c for c in rows)
    assert {"1/t" in c for c in rows} == {True, False} and any("gaps go to zero" in c for c in rows)
    assert not failing(**{k.replace("momentum", form): v for k, v in frozen.items() for form in ("momentum_average", "momentum_mean")})
    assert not failing(**{k.replace("symmetric", "asymmetric"): v for k, v in frozen.items()})  # the caption's data only


def test_gaps_go_to_zero_bar():
    p_min = BARS["min_rate_exponent"]
    assert not failing(symmetric_momentum_rate_exponent=1.01 * p_min)
    (claim,) = failing(symmetric_momentum_rate_exponent=0.99 * p_min)
    assert "gaps go to zero" in claim


def test_adam_claim_needs_its_gap_an_order_of_magnitude_above_every_other_optimizers():
    ratio = BARS["adam_gap_ratio"]
    assert not failing(stretched_adam_angle_gap=1.01 * ratio * 1e-3, stretched_momentum_angle_gap=1e-3)
    (claim,) = failing(stretched_adam_angle_gap=0.99 * ratio * 1e-3, stretched_momentum_mean_angle_gap=1e-3)
    assert "ADAM does not converge" in claim
    assert not failing(symmetric_adam_angle_gap=1e-6, asymmetric_adam_angle_gap=1.0)  # Adam elsewhere: observations


def test_rate_exponent_bar_separates_one_over_ln_t_from_no_decay_and_one_over_ln_squared():
    tol = BARS["rate_exponent_tolerance"]
    assert not failing(asymmetric_gd_rate_exponent=1 + 0.99 * tol) and not failing(asymmetric_gd_rate_exponent=1 - 0.99 * tol)
    for p in (0.0, 2.0, 1 - 1.01 * tol):
        (claim,) = failing(asymmetric_gd_rate_exponent=p)
        assert "levels off" in claim
    assert not failing(symmetric_gd_rate_exponent=4.0)  # faster than 1/ln t on the symmetric data is allowed


def test_analysis_recovers_known_rates():
    """A made-up trajectory w(t) = ŵ ln t + c + (0, 0.3) on the asymmetric data's ŵ, with loss
    ∝ 1/t: slope −1, growth ‖ŵ‖ per ln t (to the shrinking effect of c), distance × ln t → 0.3·|sin|/‖ŵ‖."""
    t = np.unique(np.round(np.logspace(0, 6, 121)).astype(int))
    w_hat = np.array([0.85, 0.75])
    offset = np.array([0.0, 0.3])
    w = np.log(t)[:, None] * w_hat + offset + 1e-9
    X = np.array([[1.0, 0.2], [0.3, 1.0], [-1.0, -0.2], [-0.3, -1.0]])
    y = np.array([1.0, 1.0, -1.0, -1.0])
    run = {
        "t": t,
        "datasets": np.array(["asymmetric"]),
        "optimizers": np.array(["gd"]),
        "asymmetric_X": X,
        "asymmetric_y": y,
        "asymmetric_w_hat": w_hat,
        "asymmetric_residual_limit": offset,
        "asymmetric_w": w[None],
        "asymmetric_log_loss": -np.log(t)[None] + 2.0,
        "asymmetric_step_size": np.array(0.2),
        "asymmetric_step_bound": np.array(0.3),
    }
    r = fig.analyze({"trajectories": run})["rates"].iloc[0]
    assert r.loss_slope == pytest.approx(-1, abs=1e-12)
    assert r.norm_growth_ratio == pytest.approx(1, abs=0.01)
    across = abs(offset @ np.array([-w_hat[1], w_hat[0]])) / np.linalg.norm(w_hat) ** 2
    assert r.predicted_distance_ln_t == pytest.approx(across)
    assert r.distance_ln_t == pytest.approx(across, rel=0.05) and r.rate_exponent == pytest.approx(1, abs=0.1)


def test_the_config_checks_closed_form_separability_agrees_with_the_linear_program():
    """The check's angle-gap test against the QP's feasibility program on random point sets
    (k directions at random fit in a half-plane with probability k / 2^(k-1): most sets of 2 or 3,
    few of 6), and on the edge cases."""
    from dltheory.figures.implicit_bias import separable_through_origin
    from dltheory.science.max_margin import feasible_point

    rng = np.random.default_rng(0)
    answers = []
    for _ in range(300):
        points = rng.normal(size=(rng.integers(2, 7), 2))
        X, y = np.vstack([points, -points]), np.repeat([1.0, -1.0], len(points))
        answers.append(separable_through_origin(points))
        assert answers[-1] == (feasible_point(X, y) is not None), points
    assert 0.3 < np.mean(answers) < 0.8  # both answers are exercised
    assert separable_through_origin([[0.5, 1.5], [1.5, 0.5]])
    assert not separable_through_origin([[1.0, 0.0], [-1.0, 0.0]])  # opposite directions
    assert not separable_through_origin([[1.0, 0.0], [0.0, 0.0]])  # the origin itself
    assert not separable_through_origin([[1.0, 0.0], [-0.5, 1.0], [-0.5, -1.0]])  # directions around the circle
