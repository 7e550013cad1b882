"""dltheory.science.mutual_information: discrete entropy and MI against known answers; the one-pass MI-vs-distance against a loop."""

import numpy as np
import pytest

from dltheory.science import reference
from dltheory.science.mutual_information import (
    entropy_bits,
    mi_vs_distance,
    mutual_information_bits,
    mutual_information_samples,
    pair_histograms,
    quantile_bins,
    shuffled,
)


def test_quantile_bins_have_equal_counts_and_keep_ties_together():
    x = np.random.default_rng(0).standard_normal(32_000)
    assert np.all(np.bincount(quantile_bins(x, 32)) == 1000)
    ties = np.repeat(np.arange(10), [5, 50, 5, 5, 5, 5, 5, 5, 5, 10])  # 100 values, one level holds half
    bins = quantile_bins(ties, 4)
    for level in range(10):
        assert len(set(bins[ties == level])) == 1  # a tied value never straddles two bins


def test_entropy_of_a_discrete_uniform_is_log2_k():
    counts = np.full(8, 10_000)
    assert entropy_bits(counts) == pytest.approx(3.0, abs=1e-3)
    assert entropy_bits(counts, miller_madow=False) == pytest.approx(3.0, abs=1e-12)


@pytest.mark.parametrize("rho", [0.3, 0.6, 0.9])
def test_mi_of_a_bivariate_gaussian(rho):
    """I = −½ log2(1 − ρ²); 32 equal-count bins lose a little of it (less than 6% here)."""
    rng = np.random.default_rng(1)
    a = rng.standard_normal(400_000)
    b = rho * a + np.sqrt(1 - rho**2) * rng.standard_normal(a.size)
    exact = -0.5 * np.log2(1 - rho**2)
    estimate = mutual_information_samples(a, b, 32)
    assert estimate == pytest.approx(exact, rel=0.06) and estimate < exact


def test_mi_of_independent_variables_is_zero_after_miller_madow():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal(20_000), rng.standard_normal(20_000)
    plug_in = mutual_information_samples(a, b, 32, miller_madow=False)
    corrected = mutual_information_samples(a, b, 32)
    assert plug_in == pytest.approx(31**2 / (2 * 20_000) / np.log(2), rel=0.15)  # the plug-in bias (B − 1)²/(2N) nats
    assert abs(corrected) < 0.003


def test_mi_of_a_variable_with_itself_is_its_entropy():
    x = np.random.default_rng(3).integers(0, 4, 100_000)
    joint = np.bincount(x * 4 + x, minlength=16).reshape(4, 4)
    assert mutual_information_bits(joint) == pytest.approx(2.0, abs=1e-3)


def test_one_pass_histograms_equal_a_loop_over_distances():
    image = np.random.default_rng(4).random((60, 70)).cumsum(axis=1)  # smooth along rows: real spatial MI
    distances = [1, 2, 5, 17]
    for direction in ("horizontal", "vertical"):
        fast = mi_vs_distance(image, distances, direction, 8)
        slow = reference.mi_vs_distance_loop(image, distances, direction, 8)
        np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-12)
    bins = quantile_bins(image, 8)
    counts = pair_histograms(bins, distances, "horizontal", 8)
    assert [int(c.sum()) for c in counts] == [60 * (70 - d) for d in distances]


def test_a_smooth_image_has_mi_falling_with_distance_and_its_shuffle_has_none():
    rng = np.random.default_rng(5)
    image = np.cumsum(np.cumsum(rng.standard_normal((200, 200)), axis=0), axis=1)
    mi = mi_vs_distance(image, [1, 4, 16, 64], "horizontal", 16)
    assert np.all(np.diff(mi) < 0) and mi[0] > 1.0
    floor = mi_vs_distance(shuffled(image, rng), [1, 4, 16, 64], "horizontal", 16)
    assert np.abs(floor).max() < 0.01
    np.testing.assert_array_equal(np.sort(shuffled(image, rng).ravel()), np.sort(image.ravel()))
