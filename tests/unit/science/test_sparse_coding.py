"""dltheory.science.sparse_coding on planted data: known answers of the locality measures, the
group prox, the shift correlation, the whitening, and a planted dictionary recovered."""

import numpy as np
import pytest

from dltheory.science.sparse_coding import (
    block_soft_threshold,
    cell_locality,
    mosaics,
    radius_locality,
    shift_correlation,
    sparse_coding,
    zca_whitening,
)


def test_cell_locality_of_planted_atoms():
    one_cell = np.zeros((24, 24))
    one_cell[8:16, 0:8] = np.random.default_rng(0).standard_normal((8, 8))
    uniform = np.ones((24, 24))
    two_cells = np.zeros((24, 24))
    two_cells[0:8, 0:8], two_cells[16:24, 16:24] = 1.0, 2.0  # energies 64 and 256
    assert cell_locality(np.stack([one_cell, uniform, two_cells]), 3) == pytest.approx([1.0, 1 / 9, 256 / 320])


def test_radius_locality_of_planted_atoms():
    point = np.zeros((24, 24))
    point[5, 17] = 3.0
    pair = np.zeros((24, 24))
    pair[2, 2] = pair[2, 22] = 1.0  # centroid (2, 12): both 10 px away
    disc = np.zeros((24, 24))
    disc[10:13, 10:13] = 1.0  # every pixel within 1.5 px of the centre
    assert radius_locality(np.stack([point, pair, disc]), 4.5) == pytest.approx([1.0, 0.0, 1.0])
    assert radius_locality(pair[None], 10.0) == pytest.approx([1.0])


def test_mosaics_put_each_cell_in_its_place():
    cells = np.arange(2 * 9, dtype=float)[:, None, None] * np.ones((1, 4, 4))  # cell i filled with i
    tiled = mosaics(cells, 3)
    assert tiled.shape == (2, 12, 12)
    assert tiled[0, 0, 0] == 0 and tiled[0, 0, 4] == 1 and tiled[0, 4, 0] == 3 and tiled[1, 11, 11] == 17


def test_block_soft_threshold_known_answer():
    codes = np.array([[3.0, 4.0, 0.3, 0.4], [0.0, 0.0, 6.0, 8.0]])  # group norms 5, 0.5 | 0, 10
    out = block_soft_threshold(codes, 1.0, 2)
    assert out == pytest.approx(np.array([[2.4, 3.2, 0.0, 0.0], [0.0, 0.0, 5.4, 7.2]]))  # scaled by 1 - 1/norm, or zeroed
    assert block_soft_threshold(np.array([[-3.0, 0.5, 2.0]]), 1.0, 1)[0] == pytest.approx([-2.0, 0.0, 1.0])  # L1: soft threshold


def test_block_soft_threshold_is_the_prox_of_the_group_norm():
    """The prox minimizes ½‖x − v‖² + t Σ_g ‖x_g‖: no random perturbation does better."""
    rng = np.random.default_rng(1)
    v = rng.standard_normal((1, 6))
    x = block_soft_threshold(v, 0.7, 3)

    def objective(z):
        return 0.5 * np.sum((z - v) ** 2) + 0.7 * np.linalg.norm(z.reshape(2, 3), axis=1).sum()

    assert all(objective(x) <= objective(x + 1e-3 * rng.standard_normal(x.shape)) for _ in range(200))


def test_shift_correlation_finds_shifted_copies():
    rng = np.random.default_rng(2)
    blob = np.zeros((3, 12, 12))
    shape = rng.standard_normal((4, 4))
    blob[0, 1:5, 1:5], blob[1, 6:10, 7:11], blob[2, 1:5, 1:5] = shape, -2 * shape, rng.standard_normal((4, 4))
    corr = shift_correlation(blob)
    assert corr[0, 1] == pytest.approx(1.0) and corr[1, 0] == pytest.approx(1.0)
    assert np.diag(corr) == pytest.approx(1.0) and corr[0, 2] < 0.95


def test_zca_whitening_gives_unit_covariance():
    rng = np.random.default_rng(3)
    data = rng.standard_normal((4000, 5)) @ rng.standard_normal((5, 5))
    whitened, axes = zca_whitening(data - data.mean(axis=0), 5, eps=0.0)
    assert np.cov(whitened, rowvar=False) == pytest.approx(np.eye(5), abs=1e-8)
    assert axes.T @ axes == pytest.approx(np.eye(5))


def test_sparse_coding_recovers_a_planted_dictionary():
    """Sparse mixtures of 8 planted unit atoms (each present with probability 0.2, Laplace
    amplitudes): every planted atom is matched by a learned one."""
    rng = np.random.default_rng(4)
    planted = np.linalg.qr(rng.standard_normal((16, 16)))[0][:8]  # 8 orthonormal atoms in 16-d
    data = (rng.laplace(size=(3000, 8)) * (rng.random((3000, 8)) < 0.2)) @ planted
    learned, _ = sparse_coding(data, 8, 0.2, 1, 50, 20, np.random.default_rng(5))
    assert np.abs(learned @ planted.T).max(axis=0).min() > 0.99
