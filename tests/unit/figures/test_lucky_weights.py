"""dltheory.figures.lucky_weights.claims: node and winner tables, Spearman with never-matched students, the two-layer
fan-out series and its fall, silent teacher nodes, the claims at their bars."""

import numpy as np
import pandas as pd
import pytest

from dltheory.figures.lucky_weights import claims as lw

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


def test_deep_summary_scores_silent_teacher_nodes_zero_and_reports_both_means():
    """Teacher node 1 never fires: correlation exactly 0 with every student at every observation."""
    corr = np.zeros((2, 1, 3, 2))
    corr[:, 0, :, 0] = [[0.2, 0.5, 0.1], [0.9, 0.97, 0.3]]
    nodes = lw.node_table(STEPS[:2], [corr], [np.ones((1, 3))], seeds=[0])
    d = lw.deep_summary({"corr_layer1": corr}, nodes, lw.winner_table(STEPS[:2], [corr], seeds=[0]))
    assert d["firing"][1] == (1, 2)
    assert d["mean_best_corr_firing"][1] == pytest.approx(0.97) and d["mean_best_corr"][1] == pytest.approx(0.485)


def test_fan_out_series_pools_each_group_over_seeds():
    fan_out = np.array([[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]])  # [K=2, E=2, S=2]
    matched = np.array([[True, False], [True, True]])
    series = lw.fan_out_series(fan_out, np.array([0, 10]), matched)
    np.testing.assert_allclose(series.matched, [(1 + 3 + 4) / 3, (5 + 7 + 8) / 3])
    np.testing.assert_allclose(series.unmatched, [2.0, 6.0])
    assert set(series.matched_students) == {3} and set(series.unmatched_students) == {1}


def _series(values):
    return pd.DataFrame({"step": np.arange(len(values)) * 10, "unmatched": values})


def test_falls_from_peak_takes_the_running_mean_after_its_maximum():
    fall = lw.falls_from_peak(_series([0.1, 0.3, 0.5, 0.4, 0.2, 0.1]), window=2)  # running means 0.2 0.4 0.45 0.3 0.15
    assert fall["falls"] and fall["peak_step"] == 30 and fall["peak"] == pytest.approx(0.45) and fall["final"] == pytest.approx(0.15)
    assert fall["initial"] == 0.1
    assert not lw.falls_from_peak(_series([0.1, 0.5, 0.2, 0.1, 0.3, 0.1]), window=1)["falls"]  # a rise after the peak
    assert lw.falls_from_peak(_series([0.1, 0.5, 0.2, 0.1, 0.3, 0.1]), window=3)["falls"]  # 0.267 0.267 0.2 0.167: smoothed
    assert not lw.falls_from_peak(_series([0.1, 0.2, 0.3]), window=1)["falls"]  # still rising at the end
    assert not lw.falls_from_peak(_series([np.nan, np.nan]), window=1)["falls"]  # no unmatched student


def test_beside_reference_says_where_ours_falls():
    assert lw.beside_reference(0.5, (0.6, 0.4), ".2f") == "0.50 (within the reference's seeds)"
    assert "above" in lw.beside_reference(0.7, (0.4, 0.6), ".2f") and "below" in lw.beside_reference(0.3, (0.4, 0.6), ".2f")


BARS = {
    "max_rank_fraction": 0.10,
    "max_spearman": -0.4,
    "min_layer1_corr": 0.99,
    "min_layer2_corr": 0.90,
    "max_fan_out_ratio": 0.10,
    "max_two_layer_rank_fraction": 0.20,
    "fan_out_window": 5,
}
EPS = 1e-9


def _summary(
    corr1=0.999,
    corr2=0.95,
    rank=0.05,
    rho=-0.6,
    ratio=0.05,
    two_layer_rank=0.1,
    falls=True,
    original=0.8,
    reinit=0.6,
    original_area=None,
    reinit_area=None,
):
    """A :func:`lw.summary` of a two-layer-deep run and one multiplier; every claim passes unless told otherwise."""
    deep = {
        "setup": "deep",
        "firing": {1: (10, 10), 2: (14, 15)},
        "mean_best_corr": {1: corr1, 2: corr2 * 14 / 15},
        "mean_best_corr_firing": {1: corr1, 2: corr2},
        "rank_fraction": {1: rank, 2: 0.15},
        "mean_rank": {1: rank * 100, 2: 15.0},
        "spearman": {1: rho, 2: -0.2},
        "fan_out_ratio": {1: 0.6, 2: 0.8},
    }
    two_layer = {
        "setup": "two-layer",
        "fan_out_matched": 0.6,
        "fan_out_unmatched": 0.6 * ratio,
        "matched": (45, 50),
        "covered": 10.0,
        "teacher_nodes": 10,
        "rank_fraction": two_layer_rank,
        "fall": {"falls": falls, "peak_step": 600, "peak": 0.3, "final": 0.03, "initial": 0.035},
        "fan_out_first": -0.5,
    }
    lottery = {
        "recovered": {"original": original, "reinit": reinit},
        "recovered_area": {
            "original": original / 2 if original_area is None else original_area,
            "reinit": reinit / 2 if reinit_area is None else reinit_area,
        },
        "final_loss": {"original": 0.01, "reinit": 0.02},
    }
    return {"deep": deep, "two_layer": {5: two_layer}, "lottery": lottery}


# The claims (kind "claim") in the order judge writes them.
CLAIMS = ["corr1", "corr2", "rank", "spearman", "ratio", "two_layer_rank", "falls", "lottery"]


def verdicts(summary: dict) -> list[bool]:
    return [c.passed for c in lw.judge(summary, BARS) if c.kind == "claim"]


def test_every_claim_passes_well_inside_its_bar_and_the_rest_carry_no_verdict():
    rows = lw.judge(_summary(), BARS)
    assert verdicts(_summary()) == [True] * len(CLAIMS)
    kinds = [r.kind for r in rows]
    # deep layer 2's rank and Spearman, the deep fan-out; the two-layer matched count; its ordering
    assert kinds.count("comparison") == 4 and kinds.count("observation") == 1
    assert all(r.passed is None for r in rows if r.kind != "claim")
    assert all(r.claim.startswith(("deep", "two-layer", "lottery")) for r in rows)  # every row names its setup


CASES = [
    # claim, the value just inside / at / just outside its bar, passes
    ("corr1", {"corr1": BARS["min_layer1_corr"]}, True),  # "≥ 0.99": the bar itself passes
    ("corr1", {"corr1": BARS["min_layer1_corr"] - EPS}, False),
    ("corr2", {"corr2": BARS["min_layer2_corr"]}, True),
    ("corr2", {"corr2": BARS["min_layer2_corr"] - EPS}, False),
    ("rank", {"rank": BARS["max_rank_fraction"] - EPS}, True),
    ("rank", {"rank": BARS["max_rank_fraction"]}, False),  # "< 10%": the bar itself fails
    ("spearman", {"rho": BARS["max_spearman"]}, True),  # "ρ ≤ −0.4": the bar itself passes
    ("spearman", {"rho": BARS["max_spearman"] + EPS}, False),
    ("spearman", {"rho": float("nan")}, False),
    ("ratio", {"ratio": BARS["max_fan_out_ratio"] - EPS}, True),
    ("ratio", {"ratio": BARS["max_fan_out_ratio"]}, False),
    ("ratio", {"ratio": float("nan")}, False),  # every student matched: nothing shrank
    ("two_layer_rank", {"two_layer_rank": BARS["max_two_layer_rank_fraction"] - EPS}, True),
    ("two_layer_rank", {"two_layer_rank": BARS["max_two_layer_rank_fraction"]}, False),
    ("falls", {"falls": False}, False),
    ("lottery", {"original": 0.6 + EPS, "reinit": 0.6}, True),
    ("lottery", {"original": 0.6, "reinit": 0.6}, False),  # a tie is not "more often"
    ("lottery", {"original": 0.8, "reinit": 0.6, "original_area": 0.3, "reinit_area": 0.3 + EPS}, False),  # more often, not faster
]


@pytest.mark.parametrize("claim, change, passes", CASES, ids=[f"{c}-{v}" for c, v, _ in CASES])
def test_each_claim_flips_at_its_bar_and_only_it(claim, change, passes):
    expected = [True] * len(CLAIMS)
    expected[CLAIMS.index(claim)] = passes
    assert verdicts(_summary(**change)) == expected


def test_undefined_values_say_so():
    rows = lw.judge(_summary(rho=float("nan"), ratio=float("nan")), BARS)
    claims = [r for r in rows if r.kind == "claim"]
    assert "undefined" in claims[CLAIMS.index("spearman")].measured and "undefined" in claims[CLAIMS.index("ratio")].measured


def test_silent_teacher_nodes_are_reported_with_and_without():
    row = lw.judge(_summary(), BARS)[CLAIMS.index("corr2")]
    assert "14 of 15 teacher nodes that fire" in row.measured and "counting the 1 that never fire" in row.measured


def test_layer_keys_follow_layer_numbers():
    assert lw.layer_keys({f"corr_layer{l}": None for l in (1, 10, 2)} | {"steps": None}) == ["corr_layer1", "corr_layer2", "corr_layer10"]
