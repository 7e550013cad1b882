"""dltheory.figures.lucky_weights: the node and winner tables, Spearman with never-matched students, claims."""

import numpy as np
import pandas as pd
import pytest

from dltheory.figures import lucky_weights as lw

STEPS = np.array([0, 10, 100, 1000])


def _correlations():
    """[K=4, E=1, S=3, T=2]: student 2 starts best for teacher 0 and matches it at step 100;
    student 0 matches teacher 1 at step 1000 from the lowest start; student 1 never matches."""
    c = np.zeros((4, 1, 3, 2))
    c[:, 0, 2, 0] = [0.6, 0.8, 0.96, 0.99]
    c[:, 0, 1, 0] = [0.3, 0.3, 0.3, 0.3]
    c[:, 0, 0, 0] = [0.1, 0.1, 0.1, 0.1]
    c[:, 0, 0, 1] = [0.05, 0.2, 0.5, 0.97]
    c[:, 0, 1, 1] = [0.4, 0.5, 0.6, 0.7]
    c[:, 0, 2, 1] = [0.2, 0.2, 0.2, 0.2]
    return c


def test_steps_to_reach_is_the_first_observation_at_the_level():
    series = np.array([[0.1, 0.5], [0.96, 0.5], [0.9, 0.99], [0.97, 0.99]])
    np.testing.assert_array_equal(lw.steps_to_reach(STEPS, series, 0.95), [10.0, 100.0])
    assert np.isnan(lw.steps_to_reach(STEPS, np.zeros((4, 1)), 0.95)[0])


def test_node_table_follows_each_student_to_its_final_best_teacher():
    nodes = lw.node_table(STEPS, [_correlations()], [np.array([[2.0, 0.1, 1.5]])], seeds=[7])
    assert list(nodes.best_teacher) == [1, 1, 0]
    assert list(nodes.initial_rank) == [3, 1, 1]  # student 0 starts last for teacher 1; student 2 first for teacher 0
    np.testing.assert_allclose(nodes.initial_corr, [0.05, 0.4, 0.6])
    np.testing.assert_array_equal(nodes.steps_to_match, [1000.0, np.nan, 100.0])
    assert list(nodes.matched) == [True, False, True] and set(nodes.seed) == {7} and set(nodes.layer) == {1}


def test_winner_table_ranks_each_teacher_nodes_final_winner_at_init():
    winners = lw.winner_table(STEPS, [_correlations()], seeds=[7])
    assert list(winners.winner) == [2, 0] and list(winners.initial_rank) == [1, 3] and set(winners.students) == {3}
    np.testing.assert_array_equal(winners.steps_to_match, [100.0, 1000.0])


def test_spearman_ranks_never_matched_students_last_and_is_undefined_without_contrast():
    initial = pd.Series([0.9, 0.5, 0.1, 0.0])
    assert lw.spearman(initial, pd.Series([10.0, 100.0, np.nan, np.nan])) == pytest.approx(
        -np.sqrt(0.9), abs=1e-12
    )  # ranks (4,3,2,1) vs (1,2,3.5,3.5)
    assert np.isnan(lw.spearman(initial, pd.Series([np.nan] * 4)))


# The bars of config/config.yaml's lucky_weights.claims; the tests put each measured value just
# inside and just outside its bar.
BARS = {"max_rank_fraction": 0.10, "max_spearman": -0.4, "max_fan_out_ratio": 0.10}
EPS = 1e-9
RANK, SPEARMAN, FAN_OUT, LOTTERY = range(4)  # the claims' order for one hidden layer


def _summary(rank_fraction=0.05, rho=-0.6, ratio=0.05, original=0.8, reinit=0.6, original_area=None, reinit_area=None):
    """A :func:`lw.summary` of one hidden layer; every value passes its bar unless given otherwise."""
    return {
        "rank_fraction_by_layer": {1: rank_fraction},
        "mean_rank_by_layer": {1: rank_fraction * 100},
        "spearman_by_layer": {1: rho},
        "fan_out_matched": 2.0,
        "fan_out_unmatched": 2.0 * ratio,
        "fan_out_ratio_by_layer": {1: ratio},
        "recovered": {"original": original, "reinit": reinit},
        "recovered_area": {
            "original": original / 2 if original_area is None else original_area,
            "reinit": reinit / 2 if reinit_area is None else reinit_area,
        },
        "final_loss": {"original": 0.01, "reinit": 0.02},
    }


def verdicts(summary: dict) -> list[bool]:
    claims = lw.judge(summary, BARS)
    assert len(claims) == 4
    return [c.passed for c in claims]


def test_every_claim_passes_well_inside_its_bar():
    assert verdicts(_summary()) == [True] * 4


CASES = [
    # claim, the value just inside / at / just outside its bar, passes
    (RANK, {"rank_fraction": BARS["max_rank_fraction"] - EPS}, True),
    (RANK, {"rank_fraction": BARS["max_rank_fraction"]}, False),  # "< 10%": the bar itself fails
    (RANK, {"rank_fraction": BARS["max_rank_fraction"] + EPS}, False),
    (SPEARMAN, {"rho": BARS["max_spearman"] - EPS}, True),
    (SPEARMAN, {"rho": BARS["max_spearman"]}, True),  # "ρ ≤ −0.4": the bar itself passes
    (SPEARMAN, {"rho": BARS["max_spearman"] + EPS}, False),
    (SPEARMAN, {"rho": float("nan")}, False),
    (FAN_OUT, {"ratio": BARS["max_fan_out_ratio"] - EPS}, True),
    (FAN_OUT, {"ratio": BARS["max_fan_out_ratio"] + EPS}, False),
    (LOTTERY, {"original": 0.6 + EPS, "reinit": 0.6}, True),
    (LOTTERY, {"original": 0.6, "reinit": 0.6}, False),  # a tie is not "more often"
    (LOTTERY, {"original": 0.6 - EPS, "reinit": 0.6}, False),
    (LOTTERY, {"original": 0.8, "reinit": 0.6, "original_area": 0.3, "reinit_area": 0.3 + EPS}, False),  # more often, not faster
    (LOTTERY, {"original": 0.8, "reinit": 0.6, "original_area": 0.3 + EPS, "reinit_area": 0.3}, True),
]


@pytest.mark.parametrize("claim, change, passes", CASES, ids=[f"{['rank', 'spearman', 'fan_out', 'lottery'][c]}-{v}" for c, v, _ in CASES])
def test_each_claim_flips_at_its_bar_and_only_it(claim, change, passes):
    expected = [True] * 4
    expected[claim] = passes
    assert verdicts(_summary(**change)) == expected


def test_an_undefined_correlation_says_so():
    assert "undefined" in lw.judge(_summary(rho=float("nan")), BARS)[SPEARMAN].measured


def test_layer_keys_follow_layer_numbers():
    assert lw.layer_keys({f"corr_layer{l}": None for l in (1, 10, 2)} | {"steps": None}) == ["corr_layer1", "corr_layer2", "corr_layer10"]
