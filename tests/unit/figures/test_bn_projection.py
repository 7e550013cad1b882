"""bn_projection's claims at their bars (config bn_projection.claims), on identity tables and
network summaries placed just inside and just outside each bar; and the increments' error
measure on known answers."""

import numpy as np
import pandas as pd
import pytest
from shipped import bars

from dltheory.figures.bn_projection import NETWORKS
from dltheory.figures.bn_projection import claims as fig

BARS = bars("bn_projection")


def identities(**changes) -> pd.DataFrame:
    """Cells of N ∈ {4, 16} and eps ∈ {0, 0.1} where every claim passes; ``changes`` =
    {"<column>": value} set at eps = 0."""
    rows = []
    for n in (4, 16):
        for eps in (0.0, 0.1):
            row = {
                "batch_size": n,
                "eps": eps,
                "relative_error": 1e-15,
                "mean_residual": 1e-17,
                "orthogonality_residual": 1e-17 if eps == 0 else 1e-3,
                "orthogonality_predicted": 0.0 if eps == 0 else 1e-3,
                "idempotence_defect": 1e-15 if eps == 0 else 0.05,
                "idempotence_predicted": 0.0 if eps == 0 else 0.05,
                "idempotence_formula_error": 1e-16,
                "rank_min": n - 2 if eps == 0 else n - 1,
                "rank_max": n - 2 if eps == 0 else n - 1,
            }
            if eps == 0:
                row |= changes
            rows.append(row)
    return pd.DataFrame(rows)


def summary(**changes) -> pd.DataFrame:
    """The five networks, every claim passing; ``changes`` = {"<network>__<column>": value}."""
    rows = []
    for network in NETWORKS:
        exact = network.endswith("eps0")
        row = {
            "network": network,
            "increment_error_max": 1e-10 if exact else 0.5,
            "increment_error_total": 1e-13 if exact else 0.01,
            "bias_gradient_ratio_max": 0.1 if network.startswith("relu_bn") or network == "no_bn" else 1e-17,
            "norm_start": 0.58,
            "norm_end": 0.59,
            "rows_shrunk": 0 if network != "no_bn" else 10,
            "train_accuracy": 0.99,
            "test_accuracy": 0.96,
        }
        for key, value in changes.items():
            if key.startswith(f"{network}__"):
                row[key.removeprefix(f"{network}__")] = value
        rows.append(row)
    return pd.DataFrame(rows)


def failing(table_changes=None, **summary_changes) -> list[str]:
    judged = fig.claims({"identities": identities(**(table_changes or {})), "summary": summary(**summary_changes)}, BARS)
    return [c.claim for c in judged if c.passed is False]


def test_exact_identities_pass_every_claim_with_three_observations():
    judged = fig.claims({"identities": identities(), "summary": summary()}, BARS)
    assert sum(c.passed is True for c in judged) == 6 and not failing()
    assert sum(c.kind == "observation" for c in judged) == 3


def test_closed_form_bar_is_the_largest_relative_error_over_every_eps():
    tol = BARS["max_relative_error"]
    assert not failing({"relative_error": 0.99 * tol})
    (claim,) = failing({"relative_error": 1.01 * tol})
    assert "autograd" in claim


@pytest.mark.parametrize("column", ["idempotence_defect"])
def test_projection_bar_and_rank(column):
    residual = BARS["max_residual"]
    assert not failing({column: 0.99 * residual})
    (claim,) = failing({column: 1.01 * residual})
    assert "projection" in claim
    (claim,) = failing({"rank_min": 1})  # a node whose P has another rank
    assert "rank" in claim


@pytest.mark.parametrize("column", ["mean_residual", "orthogonality_residual"])
def test_zero_mean_and_orthogonality_bar(column):
    residual = BARS["max_residual"]
    assert not failing({column: 0.99 * residual})
    (claim,) = failing({column: 1.01 * residual})
    assert "zero-mean" in claim


def test_eps_effects_are_observations_however_large():
    assert not failing()  # eps = 0.1 rows carry defects of 0.05: no claim reads them


def test_bias_gradient_claim_reads_the_linear_before_bn_at_eps_zero_only():
    residual = BARS["max_residual"]
    (claim,) = failing(bn_relu_eps0__bias_gradient_ratio_max=1.01 * residual)
    assert "bias gradient" in claim
    assert not failing(relu_bn_eps0__bias_gradient_ratio_max=0.1)  # ReLU between: no claim


@pytest.mark.parametrize("network", ["bn_relu_eps0", "relu_bn_eps0"])
def test_increment_bar_per_order(network):
    bar = BARS["max_increment_error"]
    assert not failing(**{f"{network}__increment_error_total": 0.99 * bar})
    (claim,) = failing(**{f"{network}__increment_error_total": 1.01 * bar})
    assert "η²‖∇‖²" in claim
    assert not failing(no_bn__increment_error_total=100.0, relu_bn_default_eps__increment_error_total=1.0)  # observations


def test_increment_errors_skip_increments_below_the_rounding_of_the_norm():
    assert fig.RESOLVED == 1e-9
    predicted = np.array([[1e-3, 1e-12]])
    increment = predicted + np.array([[1e-13, 1e-13]])  # the second is rounding of ‖θ‖² = 1
    largest, total = fig.increment_errors(increment, predicted, np.ones((1, 2)))
    assert largest == pytest.approx(1e-10) and total == pytest.approx(2e-13 / (1e-3 + 1e-12))
