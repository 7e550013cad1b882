"""dltheory.figures.depth_accuracy.claims: ξ_c lookups, the k fit, the ridge and the claims, on tables
whose answers are known."""

import numpy as np
import pandas as pd
import pytest
from shipped import bars

from dltheory.figures.depth_accuracy import claims as fig
from dltheory.science.meanfield import depth_scales_table


@pytest.fixture(scope="module")
def depth_scales():
    grid = {"sigma_w2": {"min": 0.5, "max": 4.0, "num": 176}, "sigma_b2": {"min": 0.0, "max": 0.3, "num": 31}}
    return depth_scales_table("tanh", grid, 121)


def synthetic(depth_scales, k_true, noise_cells=0):
    """A training table where a cell trains (acc 0.95, else 0.1) exactly when L < k_true·ξ_c."""
    slice_ = fig.xi_c_slice(depth_scales, 0.05)
    sigma_w2 = np.round(np.linspace(1.0, 4.0, 16), 3)
    depths = [10, 25, 40, 55, 70, 85, 100]
    rows = [(w, d) for d in depths for w in sigma_w2]
    xi = fig.xi_c_at(slice_, [w for w, _ in rows])
    acc = np.where(np.array([d for _, d in rows]) < k_true * xi, 0.95, 0.1)
    acc[:noise_cells] = 0.1 + 0.85 * (acc[:noise_cells] < 0.5)  # flip the first cells
    return pd.DataFrame(
        {
            "dataset": "d",
            "optimizer": "sgd",
            "sigma_w2": [w for w, _ in rows],
            "sigma_b2": 0.05,
            "depth": [d for _, d in rows],
            "seed": 0,
            "train_acc": acc,
            "diverged": False,
        }
    )


def test_xi_c_lookup_and_critical_point_match_the_theory(depth_scales):
    slice_ = fig.xi_c_slice(depth_scales, 0.05)
    assert fig.critical_sigma_w2(slice_) == pytest.approx(1.7610, abs=2e-3)
    assert fig.xi_c_at(slice_, 3.0) == pytest.approx(9.051, rel=1e-3)
    assert fig.band_where_deeper_than(slice_, 100) == pytest.approx((1.51, 2.18), abs=0.01)
    with pytest.raises(ValueError, match="not on the depth-scale grid"):
        fig.xi_c_slice(depth_scales, 0.055)


def test_the_fit_recovers_k_of_a_table_that_follows_k_xi_c(depth_scales):
    scores = fig.trainability_table(synthetic(depth_scales, k_true=5.0), depth_scales).iloc[0]
    assert scores.agreement == 1.0
    assert scores.k_fit_low <= 5.0 <= scores.k_fit_high
    assert scores.baseline < 1.0
    noisy = fig.trainability_table(synthetic(depth_scales, k_true=5.0, noise_cells=5), depth_scales).iloc[0]
    assert noisy.agreement == pytest.approx(1 - 5 / 112)


def test_ridge_is_the_vertex_of_the_parabola_through_the_peak():
    x = np.array([1.0, 1.5, 2.0, 2.5])
    assert fig.ridge(x, -((x - 1.8) ** 2)) == pytest.approx(1.8)
    assert fig.ridge(x, np.array([3.0, 2.0, 1.0, 0.0])) == 1.0  # a peak at the edge stays there


BARS = bars("depth_accuracy")


def judged(depth_scales, k_true: float, bars=BARS):
    table = synthetic(depth_scales, k_true)
    return fig.claims({"scores": fig.trainability_table(table, depth_scales), "depth_scales": depth_scales, "tables": table}, bars)


def test_claims_pass_and_fail_on_their_bounds(depth_scales):
    assert [c.verdict for c in judged(depth_scales, 6.0)] == ["pass"] * 4
    assert all(c.estimate is None for c in judged(depth_scales, 6.0))  # one network per cell: no interval
    k_claim = next(c for c in judged(depth_scales, 2.0) if "fitted k" in c.claim)
    assert not k_claim.passed and k_claim.value < 4
    # the same measurement against a k range that excludes it
    k_claim = next(c for c in judged(depth_scales, 6.0, {**BARS, "k_range": [6.5, 7.0]}) if "fitted k" in c.claim)
    assert not k_claim.passed


def ridge_table(peak: float, seeds=(-0.1, 0.1)) -> pd.DataFrame:
    """Seeds whose accuracy curves over σ_w² are parabolas peaking at ``peak`` + offset (every depth
    alike): the seed-averaged curve peaks at ``peak`` plus the offsets' mean."""
    sigma_w2 = np.round(np.linspace(1.0, 4.0, 16), 3)
    rows = [(w, d, s, 0.9 - 0.5 * (w - peak - offset) ** 2) for d in (10, 40, 70) for w in sigma_w2 for s, offset in enumerate(seeds)]
    w, d, s, acc = map(list, zip(*rows))
    return pd.DataFrame(
        {"dataset": "d", "optimizer": "sgd", "sigma_w2": w, "sigma_b2": 0.05, "depth": d, "seed": s, "train_acc": acc, "diverged": False}
    )


def ridge_claim(depth_scales, table):
    scores = fig.trainability_table(table, depth_scales)
    return next(c for c in fig.claims({"scores": scores, "depth_scales": depth_scales, "tables": table}, BARS) if "ridge" in c.claim)


def test_the_ridge_is_judged_on_its_interval_over_seeds(depth_scales):
    critical, tolerance = 1.761, BARS["ridge_tolerance"]
    near_ = ridge_claim(depth_scales, ridge_table(critical + 0.05))
    assert near_.verdict == "pass" and near_.estimate.n == 96 and len(near_.estimate.replicates) == 2
    assert near_.estimate.replicates == pytest.approx([critical - 0.05, critical + 0.15], abs=2e-3)  # each seed's own ridge
    assert ridge_claim(depth_scales, ridge_table(critical + 0.7)).verdict == "fail"
    # at the bar's edge, a nudge of one seed's curve moves the point estimate across the edge, and
    # the verdict stays undecided on both sides: it never flips between pass and fail
    edge = critical + tolerance
    nudged = [ridge_claim(depth_scales, ridge_table(edge, seeds=(-0.1, 0.1 + shift))) for shift in (-0.02, 0.02)]
    assert nudged[0].value < edge < nudged[1].value
    assert [c.verdict for c in nudged] == ["inconclusive", "inconclusive"] and all(c.to_decide for c in nudged)
