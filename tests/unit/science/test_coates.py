"""dltheory.science.coates: whitening, the OMP-1 codebook, and the convolutional encoder against a
patch-by-patch computation."""

import numpy as np
import pytest
import torch

from dltheory.science.coates import Codebook, encode, features, normalize_patches, omp1_codebook, quadrant_pool, zca


def test_zca_whitens_to_the_identity():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((20000, 5)) @ rng.standard_normal((5, 5)) + 3.0
    mean, whiten = zca(x, eps=1e-9)
    z = (x - mean) @ whiten
    np.testing.assert_allclose(np.cov(z, rowvar=False), np.eye(5), atol=1e-6)
    np.testing.assert_allclose(whiten, whiten.T)  # ZCA: the symmetric whitening, closest to the data


def test_normalized_patches_have_zero_mean_and_unit_variance():
    p = normalize_patches(np.random.default_rng(1).uniform(0, 255, (50, 36)), eps=0.0)
    np.testing.assert_allclose(p.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(p.var(axis=1), 1)


def test_omp1_recovers_the_atoms_of_gain_shape_data():
    """Data = a random gain (either sign) times one of 4 unit atoms, plus a little noise: OMP-1
    finds the atoms (up to sign)."""
    rng = np.random.default_rng(2)
    truth = np.linalg.qr(rng.standard_normal((10, 4)))[0].T  # 4 orthonormal atoms in R^10
    which = rng.integers(0, 4, 4000)
    z = rng.normal(0, 3, (4000, 1)) * truth[which] + 0.01 * rng.standard_normal((4000, 10))
    atoms = omp1_codebook(z, 4, iterations=20, rng=rng)
    np.testing.assert_allclose(np.linalg.norm(atoms, axis=1), 1)
    match = np.abs(atoms @ truth.T)  # [learned, true]
    assert sorted(match.argmax(axis=1)) == [0, 1, 2, 3] and match.max(axis=1).min() > 0.99


def test_encoder_equals_a_patch_by_patch_computation():
    """Two 2-channel 9×9 images, 6×6 patches: a 4×4 map, pooled over exact 2×2 quadrants."""
    rng = np.random.default_rng(3)
    images = rng.standard_normal((2, 2, 9, 9))
    p, size, k, alpha = 6, 72, 3, 0.25
    mean, whiten = zca(rng.standard_normal((500, size)), eps=0.1)
    book = Codebook(p, 0.5, mean, whiten, np.linalg.qr(rng.standard_normal((size, k)))[0].T)
    ours = encode(images, book, alpha)
    assert ours.shape == (2, 2 * k * 4)
    for n in range(2):
        code = np.zeros((2 * k, 4, 4))
        for i in range(4):
            for j in range(4):
                patch = normalize_patches(images[n, :, i : i + p, j : j + p].reshape(1, -1), book.eps_norm)[0]
                response = book.atoms @ (whiten @ (patch - mean))
                code[:, i, j] = np.r_[np.maximum(0, response - alpha), np.maximum(0, -response - alpha)]
        pooled = code.reshape(2 * k, 2, 2, 2, 2).mean(axis=(2, 4))  # [F, quadrant row, quadrant column]
        np.testing.assert_allclose(ours[n], pooled.ravel(), rtol=1e-4, atol=1e-5)


def test_quadrant_pool_of_an_odd_map_shares_the_middle():
    maps = torch.arange(9.0).reshape(1, 1, 3, 3)
    np.testing.assert_allclose(quadrant_pool(maps)[0, 0].numpy(), [[2.0, 3.0], [5.0, 6.0]])  # means of the four 2×2 corners


def test_features_are_8k_standardized_columns():
    rng = np.random.default_rng(4)
    x_train, x_test = rng.standard_normal((40, 3 * 32 * 32)), rng.standard_normal((10, 3 * 32 * 32))
    f_train, f_test, book = features("cifar10", x_train, x_test, codebook=5, patch=6, alpha=0.25, patches=2000, iterations=3, seed=0)
    assert f_train.shape == (40, 40) and f_test.shape == (10, 40) and book.atoms.shape == (5, 108)
    np.testing.assert_allclose(f_train.mean(axis=0), 0, atol=1e-4)
    assert f_train.std(axis=0) == pytest.approx(np.ones(40), abs=1e-3)
