"""dltheory.science.feature_entropy: the random conv stack, the projected view, and entropy by layer,
checked against what each must be, not against the code's own random streams."""

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from dltheory.science.feature_entropy import entropy_by_layer, projected_view, random_conv_maps

CEILING_PER_DIM = 0.5 * np.log2(2 * np.pi * np.e)  # entropy of one unit-variance Gaussian (bits)


def white_patches(n=600, size=9, seed=0):
    return np.random.default_rng(seed).standard_normal((n, size, size))


def windows(feature_map: np.ndarray, k: int) -> np.ndarray:
    """Every k x k window of every channel, [n, s - k + 1, s - k + 1, C k²]: the inputs of a 'valid' conv."""
    w = sliding_window_view(feature_map, (k, k), axis=(2, 3))  # [n, C, s', s', k, k]
    return w.transpose(0, 2, 3, 1, 4, 5).reshape(*w.shape[:1], *w.shape[2:4], -1)


def test_conv_maps_shrink_by_the_kernel_and_are_standardized_per_channel():
    maps = list(random_conv_maps(white_patches(), channels=5, depth=3, kernel_size=3, seed=0))
    assert [m.shape for m in maps] == [(600, 1, 9, 9), (600, 5, 7, 7), (600, 5, 5, 5), (600, 5, 3, 3)]
    np.testing.assert_array_equal(maps[0][:, 0], white_patches())
    for m in maps[1:]:
        assert np.allclose(m.mean(axis=(0, 2, 3)), 0, atol=1e-12) and np.allclose(m.std(axis=(0, 2, 3), ddof=1), 1)


@pytest.mark.parametrize("kernel_size", [3, 2])
def test_each_layer_is_a_valid_conv_without_bias_then_relu_then_an_affine_standardization(kernel_size):
    """Per output channel, map_l = (relu(windows(map_{l-1}) · w) − μ) / σ. So where the unit fired
    it is an exact affine function of its window, whose intercept −μ/σ is the value of every unit
    that did not fire (no bias: the plane goes through the silent value at window 0). Fitting that
    plane by least squares (numpy, independent of the weights drawn) must leave no residual."""
    maps = list(random_conv_maps(white_patches(300), channels=4, depth=2, kernel_size=kernel_size, seed=3))
    for before, after in zip(maps[:-1], maps[1:]):
        inputs = windows(before, kernel_size).reshape(-1, before.shape[1] * kernel_size**2)
        for c in range(after.shape[1]):
            out = after[:, c].ravel()
            silent = out.min()
            fired = out > silent + 1e-9
            assert 0.2 < fired.mean() < 0.8  # the ReLU cuts: a linear map alone would fail the silent check
            np.testing.assert_allclose(out[~fired], silent, atol=1e-12)
            design = np.column_stack([np.ones(fired.sum()), inputs[fired]])
            coef, *_ = np.linalg.lstsq(design, out[fired], rcond=None)
            np.testing.assert_allclose(design @ coef, out[fired], atol=1e-9)
            assert coef[0] == pytest.approx(silent, abs=1e-9)


def test_conv_maps_are_a_function_of_the_seed():
    a, b, c = (list(random_conv_maps(white_patches(), 4, 2, 3, seed))[-1] for seed in (0, 0, 1))
    assert np.array_equal(a, b) and not np.allclose(a, c)


def test_projected_view_is_standardized_random_linear_projections_of_the_map():
    fmap = list(random_conv_maps(white_patches(), 4, 1, 3, 0))[1]
    flat = fmap.reshape(600, -1)  # 196 units
    view = projected_view(fmap, 6, np.random.default_rng(0))
    assert view.shape == (600, 6) and np.allclose(view.mean(axis=0), 0) and np.allclose(view.std(axis=0), 1)
    design = np.column_stack([np.ones(600), flat])  # each column: an affine function of the map
    coef, *_ = np.linalg.lstsq(design, view, rcond=None)
    np.testing.assert_allclose(design @ coef, view, atol=1e-8)
    assert np.abs(np.corrcoef(view, rowvar=False) - np.eye(6)).max() < 0.5  # random directions: not one projection six times
    assert not np.allclose(view, projected_view(fmap, 6, np.random.default_rng(1)))


def test_the_view_of_redundant_patches_has_lower_entropy_and_more_total_correlation():
    """Patches that are one value plus a little noise (rank ~1) against white noise: projections of
    the first are nearly collinear, of the second nearly independent (entropy near the ceiling)."""
    rng = np.random.default_rng(1)
    white = white_patches(2000, 9, 2)
    redundant = rng.standard_normal((2000, 1, 1)) + 0.05 * white
    kwargs = dict(channels=4, depth=0, kernel_size=3, projection_dim=4, projections=2, k=3, seed=0)
    t_white, t_red = (entropy_by_layer(p, **kwargs) for p in (white, redundant))
    at = lambda t, est: t[(t.layer == 0) & (t.estimator == est)].iloc[0]  # noqa: E731
    ceiling = 4 * CEILING_PER_DIM
    for est in ("knn", "gaussian"):
        assert at(t_white, est).entropy == pytest.approx(ceiling, abs=0.4)
        assert at(t_red, est).entropy < ceiling - 3 and at(t_red, est).total_correlation > 3 > at(t_white, est).total_correlation
    assert at(t_white, "gaussian").entropy <= ceiling + 1e-9  # unit variances: the Gaussian bound is the ceiling at most


def test_entropy_by_layer_table():
    n, dim = 600, 3
    table = entropy_by_layer(white_patches(n), channels=3, depth=2, kernel_size=3, projection_dim=dim, projections=2, k=3, seed=4)
    assert list(table.columns) == ["layer", "seed", "estimator", "entropy", "gain", "total_correlation", "projection_dim", "units"]
    assert len(table) == 3 * 2 and (table.seed == 4).all() and (table.projection_dim == dim).all()
    assert table.units.tolist() == [81, 81, 3 * 49, 3 * 49, 3 * 25, 3 * 25]  # C_l s_l²: 1 x 9², 3 x 7², 3 x 5²
    # Gaussian estimator on views of unit variance: H + TC = Σ_j H(z_j) = D ½ log₂(2πe · n/(n−1))
    # exactly (np.cov divides by n − 1 the variances the view standardized with n), whatever the views.
    gaussian = table[table.estimator == "gaussian"]
    np.testing.assert_allclose(
        gaussian.entropy + gaussian.total_correlation, dim * 0.5 * np.log2(2 * np.pi * np.e * n / (n - 1)), rtol=1e-12
    )
    # Layer 0 of white patches: the views are Gaussian, so the k-NN estimate (tested against known
    # answers in test_differential_entropy) agrees with the Gaussian one.
    layer0 = table[table.layer == 0].set_index("estimator").entropy
    assert layer0["knn"] == pytest.approx(layer0["gaussian"], abs=0.15)
    # gain: layer l minus layer l − 1 of the same estimator (rows come interleaved by estimator)
    by = table.pivot(index="layer", columns="estimator", values="entropy")
    gains = table.pivot(index="layer", columns="estimator", values="gain")
    assert gains.loc[0].isna().all()
    for layer in (1, 2):
        for est in ("knn", "gaussian"):
            assert gains.loc[layer, est] == by.loc[layer, est] - by.loc[layer - 1, est]
