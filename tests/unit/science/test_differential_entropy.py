"""dltheory.science.differential_entropy: the estimators against distributions of known entropy and total correlation."""

import numpy as np
import pytest

from dltheory.science.differential_entropy import gaussian_entropy_bits, knn_entropy_bits, total_correlation_bits


def _gaussian(d: int, n: int, seed: int):
    """Samples [n, d] of a correlated Gaussian and its exact entropy ½ log₂ det(2πe Σ)."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((d, d)) / np.sqrt(d) + np.eye(d)
    cov = a @ a.T
    x = rng.multivariate_normal(np.zeros(d), cov, size=n)
    return x, 0.5 * np.linalg.slogdet(2 * np.pi * np.e * cov)[1] / np.log(2), cov


@pytest.mark.parametrize("d", [1, 3, 8])
def test_entropy_estimators_recover_gaussians_of_known_entropy(d):
    x, exact, _ = _gaussian(d, 20_000, seed=d)
    assert gaussian_entropy_bits(x) == pytest.approx(exact, abs=0.02 * d)
    assert knn_entropy_bits(x) == pytest.approx(exact, abs=0.05 * d)


def test_shrinkage_keeps_the_gaussian_entropy_finite_with_fewer_samples_than_dimensions():
    x = np.random.default_rng(9).standard_normal((10, 20))
    assert gaussian_entropy_bits(x) == float("-inf") and np.isfinite(gaussian_entropy_bits(x, shrinkage=True))


def test_entropy_of_a_uniform_box_is_the_log_of_its_volume():
    x = np.random.default_rng(6).uniform(0, [1, 2, 4], size=(20_000, 3))
    assert knn_entropy_bits(x) == pytest.approx(np.log2(8), abs=0.1)


def test_total_correlation_is_zero_for_independent_and_the_log_det_for_correlated_gaussians():
    rng = np.random.default_rng(7)
    assert abs(total_correlation_bits(rng.standard_normal((10_000, 3)))) < 0.05
    x, _, cov = _gaussian(3, 10_000, seed=8)
    std = np.sqrt(np.diag(cov))
    exact = -0.5 * np.linalg.slogdet(cov / np.outer(std, std))[1] / np.log(2)  # −½ log₂ det R
    assert total_correlation_bits(x) == pytest.approx(exact, abs=0.1)


def test_an_invertible_linear_map_adds_log_det_to_both_estimates():
    """H(xA) = H(x) + log₂|det A|. The Gaussian estimate obeys it exactly; so does the whitened k-NN
    estimate, whose whitened samples of xA are a rotation of those of x (same distances)."""
    rng = np.random.default_rng(11)
    x = rng.uniform(-1, 1, (4000, 3)) ** 3  # not Gaussian
    a = rng.standard_normal((3, 3)) + 2 * np.eye(3)
    log_det = np.linalg.slogdet(a)[1] / np.log(2)
    assert abs(log_det) > 1
    assert gaussian_entropy_bits(x @ a) == pytest.approx(gaussian_entropy_bits(x) + log_det, abs=1e-9)
    assert knn_entropy_bits(x @ a) == pytest.approx(knn_entropy_bits(x) + log_det, abs=1e-9)
    assert total_correlation_bits(x @ np.diag([3.0, 0.5, 2.0])) == pytest.approx(
        total_correlation_bits(x), abs=1e-9
    )  # scaling each coordinate: none
