"""dltheory.science.random_architectures against known answers and invariants: output shapes, seeds
that never mix in the batched network, the init's variance, rank statistics on planted data."""

import warnings

import numpy as np
import pytest

from dltheory.science.random_architectures import (
    Architecture,
    conv_grid,
    grouped_rows,
    logistic_accuracy,
    mean_ranks,
    mlp_grid,
    partial_spearman,
    random_features,
    sample_architectures,
    spearman,
)

CONV = {"layers": [1, 2], "channels": [2, 4], "kernels": [3, 5], "activations": ["relu", "tanh"], "pooling": [True, False]}
MLP = {"layers": [1, 3], "widths": [8, 32], "activations": ["relu"]}
IMAGES = np.random.default_rng(0).standard_normal((40, 12, 12)).astype(np.float32)


@pytest.mark.parametrize(
    "arch, units",
    [
        (Architecture("conv", 3, 4, "relu", 5, True), 4 * 3 * 3),  # 12 → 6 → 3 → 2 (ceil), averaged to 3 × 3
        (Architecture("conv", 2, 6, "tanh", 3, False), 6 * 3 * 3),
        (Architecture("mlp", 2, 10, "relu"), 10),
    ],
)
def test_features_have_the_declared_shape(arch, units):
    features = random_features(arch, IMAGES, [0, 1, 2], key=0, grid=3)
    assert features.shape == (3, len(IMAGES), units) == (3, len(IMAGES), arch.units(3))


@pytest.mark.parametrize("arch", [Architecture("conv", 3, 4, "relu", 3, True), Architecture("mlp", 3, 16, "tanh")])
def test_a_seed_gives_the_same_network_alone_or_batched_with_others(arch):
    together = random_features(arch, IMAGES, [0, 1, 2], key=5, grid=2, batch=7)
    for s, seed in enumerate([0, 1, 2]):
        np.testing.assert_allclose(random_features(arch, IMAGES, [seed], key=5, grid=2)[0], together[s], rtol=1e-5, atol=1e-6)
    assert not np.allclose(together[0], together[1])  # distinct seeds, distinct weights


def test_he_init_keeps_the_second_moment_of_relu_layers():
    """With W ~ N(0, 2 / fan_in) and ReLU, E h² is preserved layer to layer (He et al. 2015): the
    mean square of unit-variance inputs stays 1 after three wide layers."""
    x = np.random.default_rng(1).standard_normal((400, 16, 16)).astype(np.float32)
    out = random_features(Architecture("mlp", 3, 2048, "relu"), x, [0], key=0, grid=1)
    assert np.mean(out**2) == pytest.approx(1.0, rel=0.1)


def test_the_grids_and_the_draw():
    assert len(conv_grid(CONV)) == 2 * 2 * 2 * 2 * 2 and len(mlp_grid(MLP)) == 4
    drawn = sample_architectures({**CONV, "count": 5}, {**MLP, "count": 10}, seed=3)
    assert [a.family for a in drawn] == ["conv"] * 5 + ["mlp"] * 4  # all 4 MLPs, without replacement
    assert len(set(drawn)) == 9
    assert drawn == sample_architectures({**CONV, "count": 5}, {**MLP, "count": 10}, seed=3)


def test_spearman_of_monotone_data_is_one_and_partial_given_the_cause_is_zero():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(500)
    assert spearman(x, np.exp(x)) == pytest.approx(1.0) and spearman(x, -(x**3)) == pytest.approx(-1.0)
    z = rng.standard_normal(2000)  # x and y depend on z only: correlated, but not given z
    a, b = z + 0.3 * rng.standard_normal(2000), z + 0.3 * rng.standard_normal(2000)
    assert spearman(a, b) > 0.8
    assert abs(partial_spearman(a, b, z)) < 0.08


def test_spearman_and_mean_ranks_are_scipys_numbers_bit_for_bit():
    """The fast rank correlation against scipy.stats.spearmanr (an independent implementation),
    with ties, constant inputs and NaNs among 2,000 random cases."""
    from scipy import stats

    rng = np.random.default_rng(0)
    for case in range(2000):
        n = int(rng.integers(2, 60))
        x = rng.standard_normal(n) if case % 3 else rng.integers(0, 4, n).astype(float)  # ties
        y = rng.standard_normal(n) if case % 4 else np.round(rng.standard_normal(n), 1)
        if case % 97 == 0:
            x[:] = 1.0
        if case % 89 == 0:
            y[0] = np.nan
        with warnings.catch_warnings():  # scipy warns of a constant input
            warnings.simplefilter("ignore")
            expected = stats.spearmanr(x, y).statistic
        assert spearman(x, y) == expected or (np.isnan(expected) and np.isnan(spearman(x, y)))
        assert np.array_equal(mean_ranks(x), stats.rankdata(x))


def test_grouped_rows_index_every_row_of_each_group_once():
    groups = np.array(["b", "a", "b", "c", "a", "b"])
    rows = grouped_rows(groups)
    assert [list(r) for r in rows] == [[1, 4], [0, 2, 5], [3]]


def test_logistic_regression_separates_separable_classes():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    x = np.eye(3)[y] * 5 + rng.standard_normal((300, 3))
    train, test = logistic_accuracy(x[:200], y[:200], x[200:], y[200:], C=1.0, max_iter=100)
    assert train > 0.95 and test > 0.95
