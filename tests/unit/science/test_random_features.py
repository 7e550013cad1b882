"""dltheory.science.random_features against known answers: the minimum-norm path equals np.linalg.pinv's
solutions (and interpolates for N ≥ n) even at the ill-conditioned threshold; random Fourier
features approximate the Gaussian kernel and are reproducible and nested by seed; the kernel
machine at a two-point closed form, and the random-features interpolant tending to it as N grows;
the weak-features closed form against a long Monte Carlo and at its known values."""

import numpy as np
import pytest

from dltheory.science.random_features import (
    cosine_features,
    feature_grid,
    fourier_directions,
    gaussian_kernel,
    kernel_machine,
    median_bandwidth,
    min_norm_path,
    rff_curve,
    weak_features_monte_carlo,
    weak_features_risk,
)


def test_min_norm_path_equals_pinv_and_interpolates_above_n():
    rng = np.random.default_rng(0)
    n, K = 30, 3
    C, Y = rng.normal(size=(n, 120)), rng.normal(size=(n, K))
    grid = np.array([5, 17, 29, 30, 31, 45, 80, 120])
    for N, coef in min_norm_path(C, Y, grid):
        np.testing.assert_allclose(coef, np.linalg.pinv(C[:, :N]) @ Y, rtol=1e-9, atol=1e-11)
        if N >= n:
            np.testing.assert_allclose(C[:, :N] @ coef, Y, atol=1e-10)
    assert [N for N, _ in min_norm_path(C, Y, grid)] == grid.tolist()


def test_min_norm_path_is_accurate_at_the_ill_conditioned_threshold():
    """Random Fourier features of clustered points: at N = n the matrix has cond ~1.7e7. Solving
    through the Gram matrix (cond² ~ 3e14) is off by ~2e-3 there; the path matches the SVD solution
    to ~1e-10 (relative to the largest coefficient)."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 5)) * 0.3
    C = cosine_features(x, *fourier_directions(5, 400, 1.0, seed=0))
    Y = np.eye(4)[rng.integers(0, 4, 200)]
    square = C[:, :200]
    assert np.linalg.cond(square) > 1e7
    ((_, coef),) = min_norm_path(C, Y, np.array([200]))
    svd = np.linalg.lstsq(square, Y, rcond=None)[0]
    gram = square.T @ np.linalg.solve(square @ square.T, Y)
    assert np.abs(coef - svd).max() / np.abs(svd).max() < 1e-8
    assert np.abs(gram - svd).max() / np.abs(svd).max() > 1e-5  # what the path avoids


def test_fourier_features_approximate_the_gaussian_kernel():
    """E[φ(x)ᵀφ(x')] = exp(−‖x − x'‖²/2σ²) for φ = C/√N (Rahimi & Recht 2007)."""
    x = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.5, 1.0, -0.5]])
    sigma, N = 1.3, 200_000
    phi = cosine_features(x, *fourier_directions(3, N, sigma, seed=0)) / np.sqrt(N)
    distances2 = ((x[:, None] - x[None]) ** 2).sum(-1)
    np.testing.assert_allclose(phi @ phi.T, np.exp(-distances2 / (2 * sigma**2)), atol=0.01)


def test_gaussian_kernel_at_known_distances():
    x, z = np.array([[0.0, 0.0]]), np.array([[0.0, 0.0], [1.0, 0.0], [3.0, 4.0]])
    np.testing.assert_allclose(gaussian_kernel(x, z, 2.0), [[1.0, np.exp(-1 / 8), np.exp(-25 / 8)]], rtol=1e-15)


def test_kernel_machine_at_a_two_point_closed_form():
    """Points 0 and 1 on a line, classes 0 and 1, σ = 1: K = [[1, e], [e, 1]] with e = exp(−1/2),
    Y = I, so a = K⁻¹ = [[1, −e], [−e, 1]]/(1 − e²) and ‖h‖²_H = tr(K⁻¹) = 2/(1 − e²). At x = 1/4
    (label 0), k = (k₀, k₁) = (exp(−1/32), exp(−9/32)) and the outputs are kK⁻¹."""
    e, (k0, k1) = np.exp(-0.5), np.exp(-np.array([1, 9]) / 32)
    out0, out1 = (k0 - e * k1) / (1 - e**2), (k1 - e * k0) / (1 - e**2)
    got = kernel_machine(np.array([[0.0], [1.0]]), np.array([0, 1]), np.array([[0.25]]), np.array([0]), 1.0, 2)
    assert got["train_mse"] < 1e-28 and got["train_error"] == 0.0 and got["n_train"] == 2
    assert got["norm"] == pytest.approx(np.sqrt(2 / (1 - e**2)), rel=1e-12)
    assert got["test_mse"] == pytest.approx((out0 - 1) ** 2 + out1**2, rel=1e-12) and got["test_error"] == 0.0  # out0 > out1


def test_random_features_tend_to_the_kernel_machine_as_n_grows():
    """h_{n,N} → h_{n,∞}: the minimum-norm random-features interpolant's test predictions approach
    the exact kernel interpolant's (K a = Y, solved here by np.linalg.solve), roughly as 1/√N, and
    its test loss and ‖a‖₂ approach the kernel machine's loss and RKHS norm."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(12, 3)), rng.integers(0, 3, 12)
    x_train, y_train, x_test, y_test, sigma = x[:6], y[:6], x[6:], y[6:], 1.5
    Y = np.eye(3)[y_train]
    exact = gaussian_kernel(x_test, x_train, sigma) @ np.linalg.solve(gaussian_kernel(x_train, x_train, sigma), Y)
    grid = np.array([600, 6_000, 60_000])
    V, b = fourier_directions(3, int(grid[-1]), sigma, seed=0)
    C_train, C_test = cosine_features(x_train, V, b), cosine_features(x_test, V, b)
    gaps = [np.abs(C_test[:, :N] @ coef - exact).max() for N, coef in min_norm_path(C_train, Y, grid)]
    assert gaps[0] > gaps[1] > gaps[2] and gaps[2] < 0.05
    kernel = kernel_machine(x_train, y_train, x_test, y_test, sigma, 3)
    largest = rff_curve(x_train, y_train, x_test, y_test, grid, sigma, 3, seed=0).iloc[-1]
    assert largest.test_mse == pytest.approx(kernel["test_mse"], rel=0.05)
    assert largest.norm == pytest.approx(kernel["norm"], rel=0.05)


def test_features_are_reproducible_and_nested_by_seed():
    V, b = fourier_directions(4, 50, 2.0, seed=7)
    V2, b2 = fourier_directions(4, 50, 2.0, seed=7)
    np.testing.assert_array_equal(V, V2) and np.testing.assert_array_equal(b, b2)
    assert not np.allclose(fourier_directions(4, 50, 2.0, seed=8)[0], V)
    assert V.std() == pytest.approx(1 / 2.0, rel=0.2) and 0 <= b.min() and b.max() <= 2 * np.pi


def test_median_bandwidth_and_feature_grid():
    assert median_bandwidth(np.array([[0.0], [1.0], [2.0]])) == 1.0  # distances 1, 2, 1
    grid = feature_grid(100, {"min": 0.1, "max": 20, "num": 5, "near": {"width": 0.05, "num": 3}})
    assert grid.tolist() == sorted(set(grid.tolist())) and 100 in grid and grid[0] == 10 and grid[-1] == 2000
    assert {95, 105} <= set(grid.tolist())


def test_rff_curve_interpolates_above_n_and_peaks_in_norm_at_n():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(80, 6)), rng.integers(0, 3, 80)
    grid = np.array([20, 60, 80, 100, 320])
    curve = rff_curve(x[:40], y[:40], x[40:], y[40:], grid * 40 // 80, 3.0, 3, seed=0).set_index("n_features")
    assert (curve.train_mse[curve.index >= 40] < 1e-16).all() and (curve.train_mse[curve.index < 40] > 1e-6).all()
    assert curve.norm.idxmax() == 40


def test_weak_features_closed_form_at_known_values():
    d, n, w2, s2 = 100, 40, 1.0, 0.04
    assert weak_features_risk(np.array([0]), n, d, w2, s2)[0] == pytest.approx(w2 + s2)  # predict 0: ‖w‖² + σ²
    assert np.isinf(weak_features_risk(np.array([n - 1, n, n + 1]), n, d, w2, s2)).all()
    # p = d: ‖w‖²(1 − n/d) + σ²(1 + n/(d − n − 1)), the classical minimum-norm regression risk
    assert weak_features_risk(np.array([d]), n, d, w2, s2)[0] == pytest.approx(w2 * (1 - n / d) + s2 * (1 + n / (d - n - 1)))


@pytest.mark.parametrize("p", [3, 10, 30, 50])
def test_weak_features_closed_form_against_a_long_monte_carlo(p):
    n, d = 20, 50
    mean, se = weak_features_monte_carlo(np.array([p]), n, d, 1.0, 0.25, trials=20_000, seed=p)
    assert abs(mean[0] - weak_features_risk(np.array([p]), n, d, 1.0, 0.25)[0]) < 4 * se[0]
