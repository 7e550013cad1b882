"""dltheory.feature_entropy: the random conv stack, the projected view, and entropy by layer."""

import numpy as np
import pytest

from dltheory.feature_entropy import entropy_by_layer, projected_view, random_conv_maps
from dltheory.information import gaussian_entropy_bits

CEILING_PER_DIM = 0.5 * np.log2(2 * np.pi * np.e)  # entropy of one unit-variance Gaussian (bits)


def white_patches(n=600, size=9, seed=0):
    return np.random.default_rng(seed).standard_normal((n, size, size))


def test_conv_maps_shrink_by_the_kernel_and_are_standardized_per_channel():
    maps = list(random_conv_maps(white_patches(), channels=5, depth=3, kernel_size=3, seed=0))
    assert [m.shape for m in maps] == [(600, 1, 9, 9), (600, 5, 7, 7), (600, 5, 5, 5), (600, 5, 3, 3)]
    for m in maps[1:]:
        assert np.allclose(m.mean(axis=(0, 2, 3)), 0, atol=1e-12) and np.allclose(m.std(axis=(0, 2, 3), ddof=1), 1)


def test_conv_maps_are_a_function_of_the_seed():
    a, b, c = (list(random_conv_maps(white_patches(), 4, 2, 3, seed))[-1] for seed in (0, 0, 1))
    assert np.array_equal(a, b) and not np.allclose(a, c)


def test_projected_view_is_standardized_and_seeded():
    fmap = list(random_conv_maps(white_patches(), 4, 1, 3, 0))[1]
    view = projected_view(fmap, 6, np.random.default_rng(0))
    assert view.shape == (600, 6) and np.allclose(view.mean(axis=0), 0) and np.allclose(view.std(axis=0), 1)
    assert np.array_equal(view, projected_view(fmap, 6, np.random.default_rng(0)))


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
    table = entropy_by_layer(white_patches(), channels=3, depth=2, kernel_size=3, projection_dim=3, projections=1, k=3, seed=4)
    assert list(table.columns) == ["layer", "seed", "estimator", "entropy", "gain", "total_correlation", "projection_dim", "units"]
    assert len(table) == 3 * 2 and (table.seed == 4).all() and table.units.tolist() == [81, 81, 147, 147, 75, 75]
    for _, rows in table.groupby("estimator"):
        assert np.isnan(rows.gain.iloc[0]) and np.allclose(rows.gain.iloc[1:], np.diff(rows.entropy))
    view = projected_view(white_patches()[:, None], 3, np.random.default_rng([4, 1, 0]))
    gaussian0 = table[(table.layer == 0) & (table.estimator == "gaussian")].entropy.iloc[0]
    assert gaussian0 == pytest.approx(gaussian_entropy_bits(view))  # layer 0 is the patches themselves
