"""Sparse coding of image patches, and how local its atoms are (Yuan et al. 2021, arXiv 2105.13905).

Efficient coding as a reason for local connectivity: a dictionary learned by sparse coding on
*mosaics* (a grid × grid arrangement of cell × cell patches, each cut at a random place from a
random photograph, so that distinct cells are independent) should put each atom in one cell, as a
convolution filter, while second-order methods (PCA) mix cells. Shapes: patches [n, side, side],
data [n, d] with d = side², dictionaries [atoms, d] (one atom a row).

* :func:`zca_whitening`: PCA whitening kept in pixel coordinates (ZCA), so atoms are images.
* :func:`sparse_coding`: min_{D, A} ½‖Z − A Dᵀ‖² + λ Σ_g ‖A_g‖₂ over unit-norm atoms: L1 sparse
  coding for groups of one atom, group (L1/L2) sparse coding otherwise; FISTA on the codes,
  least squares (MOD) on the dictionary.
* :func:`cell_locality`, :func:`radius_locality`: the share of an atom's energy in its strongest
  cell, or within a radius of its energy centroid.
* :func:`shift_correlation`: the largest normalized cross-correlation of two atoms over shifts.
"""

from __future__ import annotations

import numpy as np


def random_patches(images: list[np.ndarray], size: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` patches [n, size, size], each from a uniformly drawn image at a uniform position, its mean removed.

    No contrast normalization: the unequal contrast of patches is what makes a mosaic's energy
    sparse across its cells."""
    which = rng.integers(len(images), size=n)
    out = np.empty((n, size, size))
    for i, image in enumerate(images):
        rows = np.flatnonzero(which == i)
        r = rng.integers(image.shape[0] - size + 1, size=len(rows))
        c = rng.integers(image.shape[1] - size + 1, size=len(rows))
        windows = np.lib.stride_tricks.sliding_window_view(image, (size, size))  # a view, no copy
        out[rows] = windows[r, c]
    return out - out.mean(axis=(1, 2), keepdims=True)


def mosaics(cells: np.ndarray, grid: int) -> np.ndarray:
    """Tile ``cells`` [n · grid², c, c] into n mosaics [n, grid · c, grid · c], row-major within a mosaic."""
    c = cells.shape[-1]
    return cells.reshape(-1, grid, grid, c, c).transpose(0, 1, 3, 2, 4).reshape(-1, grid * c, grid * c)


def zca_whitening(data: np.ndarray, components: int, eps: float = 1e-2) -> tuple[np.ndarray, np.ndarray]:
    """PCA whitening of ``data`` [n, d] onto its top ``components`` principal axes.

    Returns the whitened coordinates Z [n, k], Z = X U_k (Λ_k + ε)^(-1/2), and the axes U_k [d, k]:
    an atom a [k] learned on Z is the image U_k a [d] in ZCA-whitened pixel space (whitening with
    the rotation back, which keeps pixels where they are)."""
    values, axes = np.linalg.eigh(np.cov(data, rowvar=False))
    values, axes = values[::-1][:components], axes[:, ::-1][:, :components]
    return data @ axes / np.sqrt(values + eps), axes


def block_soft_threshold(codes: np.ndarray, threshold: float, group_size: int) -> np.ndarray:
    """The proximal map of threshold · Σ_g ‖a_g‖₂ over consecutive groups of ``group_size`` columns
    of ``codes`` [n, m]: each group shrunk towards 0 by ``threshold`` in norm, a_g · max(0, 1 − t/‖a_g‖)
    (soft thresholding of each entry for groups of one)."""
    groups = codes.reshape(len(codes), -1, group_size)
    norms = np.linalg.norm(groups, axis=2, keepdims=True)
    return (groups * np.maximum(0.0, 1.0 - threshold / np.maximum(norms, 1e-12))).reshape(codes.shape)


def sparse_codes(data: np.ndarray, dictionary: np.ndarray, penalty: float, group_size: int, steps: int, codes: np.ndarray) -> np.ndarray:
    """FISTA (Beck & Teboulle 2009) on ½‖Z − A D‖² + penalty · Σ_g ‖A_g‖₂ for the codes A [n, m],
    ``dictionary`` D [m, k] fixed, warm-started at ``codes``; step 1/L, L the largest eigenvalue of D Dᵀ."""
    gram, target = dictionary @ dictionary.T, data @ dictionary.T
    lipschitz = np.linalg.eigvalsh(gram)[-1]
    momentum, t = codes.copy(), 1.0
    for _ in range(steps):
        new = block_soft_threshold(momentum - (momentum @ gram - target) / lipschitz, penalty / lipschitz, group_size)
        t_next = (1 + np.sqrt(1 + 4 * t * t)) / 2
        momentum, codes, t = new + (t - 1) / t_next * (new - codes), new, t_next
    return codes


def sparse_coding(
    data: np.ndarray, atoms: int, penalty: float, group_size: int, iterations: int, steps: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Dictionary D [atoms, k] (unit rows) and codes A [n, atoms] minimizing ½‖Z − A D‖² + penalty · Σ_g ‖A_g‖₂
    on ``data`` Z [n, k], groups of ``group_size`` consecutive atoms (1: L1 sparse coding).

    Alternates ``steps`` FISTA steps on the codes with the least-squares dictionary (MOD, Engan et
    al. 1999), its rows renormalized; the atoms start at random samples, and an unused atom is
    redrawn at random."""
    if atoms % group_size:
        raise ValueError(f"{atoms} atoms do not split into groups of {group_size}")
    nonzero = np.flatnonzero(np.linalg.norm(data, axis=1) > 0)
    dictionary = data[rng.choice(nonzero, atoms, replace=False)]  # started at samples, as is usual (MOD, K-SVD)
    dictionary /= np.linalg.norm(dictionary, axis=1, keepdims=True)
    codes = np.zeros((len(data), atoms))
    for _ in range(iterations):
        codes = sparse_codes(data, dictionary, penalty, group_size, steps, codes)
        dictionary = np.linalg.solve(codes.T @ codes + 1e-6 * np.eye(atoms), codes.T @ data)
        norms = np.linalg.norm(dictionary, axis=1)
        unused = norms < 1e-8
        dictionary[unused] = rng.standard_normal((unused.sum(), data.shape[1]))
        dictionary /= np.linalg.norm(dictionary, axis=1, keepdims=True)
    return dictionary, codes


def cell_energy(atoms: np.ndarray, grid: int) -> np.ndarray:
    """Energy of each atom [m, side, side] in each cell of a grid × grid tiling: [m, grid²]."""
    m, side = len(atoms), atoms.shape[-1]
    c = side // grid
    return (atoms.reshape(m, grid, c, grid, c) ** 2).sum(axis=(2, 4)).reshape(m, -1)


def cell_locality(atoms: np.ndarray, grid: int) -> np.ndarray:
    """Share of each atom's energy in its strongest cell, [m]: 1 for an atom inside one cell, 1/grid² for a uniform one."""
    energy = cell_energy(atoms, grid)
    return energy.max(axis=1) / energy.sum(axis=1)


def radius_locality(atoms: np.ndarray, radius: float) -> np.ndarray:
    """Share of each atom's energy [m, side, side] within ``radius`` px of its energy centroid, [m]."""
    side = atoms.shape[-1]
    energy = atoms.reshape(len(atoms), -1) ** 2
    energy = energy / energy.sum(axis=1, keepdims=True)
    rows, cols = np.divmod(np.arange(side * side), side)
    centre_r, centre_c = energy @ rows, energy @ cols
    inside = (rows - centre_r[:, None]) ** 2 + (cols - centre_c[:, None]) ** 2 <= radius**2
    return (energy * inside).sum(axis=1)


def shift_correlation(atoms: np.ndarray) -> np.ndarray:
    """max over 2-D shifts s of |Σ_x a_i(x) a_j(x + s)| / (‖a_i‖ ‖a_j‖) for every pair of atoms
    [m, side, side]: [m, m], 1 where one atom is a shifted (or sign-flipped) copy of the other
    inside the patch. Full (zero-padded) cross-correlations through one FFT."""
    m, side = len(atoms), atoms.shape[-1]
    unit = atoms / np.linalg.norm(atoms.reshape(m, -1), axis=1)[:, None, None]
    spectra = np.fft.rfft2(unit, s=(2 * side - 1, 2 * side - 1))  # [m, 2s-1, s]
    out = np.empty((m, m))
    for i in range(m):
        out[i] = np.abs(np.fft.irfft2(spectra[i] * np.conj(spectra), s=(2 * side - 1, 2 * side - 1))).max(axis=(1, 2))
    return out
