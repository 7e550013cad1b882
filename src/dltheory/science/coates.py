"""Single-layer convolutional features of Coates & Ng, the front end of the R2SVM paper's CIFAR-10
experiments (Vinyals et al. 2012, §4.1; the pipeline of Yangqing Jia's iceberk demo):

1. square patches (``patch`` px, every channel) at stride 1, each normalized: its mean removed
   and divided by √(var + ε_norm) (brightness and contrast; ε_norm in the units of the images);
2. ZCA whitening learned on random training patches: z = U diag(1/√(λ + ε_zca)) Uᵀ (p − μ);
3. an OMP-1 codebook D [K, P] of unit atoms (Coates & Ng 2011, "The importance of encoding versus
   training"): each patch is assigned the atom of largest |dᵀz| with that coefficient, and each
   atom becomes the sum of its patches' coefficient-weighted patches (plus itself), renormalized;
4. the two-sided soft-threshold encoder f = [max(0, Dz − α), max(0, −Dz − α)] (2K maps per image);
5. average pooling over the 2 × 2 quadrants of the map: 4 · 2K = 8K features per image,
   standardized with the training features' mean and s.d.

Shapes: images [n, C, H, W]; patches [m, C·patch²]; features [n, 8K]. Arrays are float32 and
images are encoded in batches, so CIFAR-10 (50,000 images, 729 patch positions each) fits in a
few GB.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from dltheory.core.data import IMAGE_SHAPES


@dataclass(frozen=True)
class Codebook:
    """What the pipeline learns on training patches: the normalization's ε, the ZCA map
    (``mean`` [P], ``whiten`` [P, P]) and the OMP-1 atoms ``atoms`` [K, P]."""

    patch: int
    eps_norm: float
    mean: np.ndarray
    whiten: np.ndarray
    atoms: np.ndarray


def normalize_patches(patches: np.ndarray, eps: float) -> np.ndarray:
    """Each patch [m, P] minus its mean, divided by √(its variance + ``eps``)."""
    centred = patches - patches.mean(axis=1, keepdims=True)
    return centred / np.sqrt(centred.var(axis=1, keepdims=True) + eps)


def zca(patches: np.ndarray, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """Mean [P] and ZCA whitening matrix [P, P] of ``patches`` [m, P]: U diag(1/√(λ + eps)) Uᵀ."""
    mean = patches.mean(axis=0)
    cov = np.cov(patches - mean, rowvar=False)
    eigenvalues, vectors = np.linalg.eigh(cov)
    return mean, (vectors * (1.0 / np.sqrt(eigenvalues + eps))) @ vectors.T


def omp1_codebook(z: np.ndarray, k: int, iterations: int, rng: np.random.Generator) -> np.ndarray:
    """K unit atoms [K, P] learned by OMP-1 (gain-shape vector quantization) on whitened patches z [m, P]."""
    atoms = rng.standard_normal((k, z.shape[1]))
    atoms /= np.linalg.norm(atoms, axis=1, keepdims=True)
    for _ in range(iterations):
        projections = z @ atoms.T  # [m, K]
        best = np.abs(projections).argmax(axis=1)
        coefficient = projections[np.arange(len(z)), best]
        update = np.zeros_like(atoms)
        np.add.at(update, best, coefficient[:, None] * z)
        atoms = update + atoms  # an atom no patch chose stays where it was
        atoms /= np.linalg.norm(atoms, axis=1, keepdims=True)
    return atoms


def random_patches(images: np.ndarray, patch: int, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` patches [count, C·patch²] at random images and positions of ``images`` [n, C, H, W]."""
    n, _, h, w = images.shape
    which, top, left = rng.integers(0, n, count), rng.integers(0, h - patch + 1, count), rng.integers(0, w - patch + 1, count)
    return np.stack([images[i, :, t : t + patch, l : l + patch].ravel() for i, t, l in zip(which, top, left)])


def learn(images: np.ndarray, patch: int, k: int, count: int, iterations: int, seed: int, eps_zca: float = 0.1) -> Codebook:
    """The codebook of :mod:`this pipeline <dltheory.science.coates>` from training images [n, C, H, W].

    ε_norm is 10 in 0–255 pixel units (Coates & Ng), expressed in the images' units through
    their s.d. (a standardized image has s.d. 1 where a 0–255 image has about 64)."""
    rng = np.random.default_rng(seed)
    eps_norm = 10.0 * (float(images.std()) / 64.0) ** 2
    patches = normalize_patches(random_patches(images, patch, count, rng).astype(np.float64), eps_norm)
    mean, whiten = zca(patches, eps_zca)
    atoms = omp1_codebook((patches - mean) @ whiten, k, iterations, rng)
    return Codebook(patch, eps_norm, mean, whiten, atoms)


def encode(images: np.ndarray, codebook: Codebook, alpha: float, batch: int = 500) -> np.ndarray:
    """Pooled features [n, 8K] of images [n, C, H, W]: every patch at stride 1 normalized, whitened,
    encoded by the two-sided threshold, then averaged over the 2 × 2 quadrants of the map."""
    p = codebook.patch
    # Whitening then the atoms is one linear map of the centred patch: filters [K, C, p, p].
    filters = torch.as_tensor((codebook.atoms @ codebook.whiten.T).reshape(-1, images.shape[1], p, p), dtype=torch.float32)
    offset = torch.as_tensor(codebook.atoms @ codebook.whiten.T @ codebook.mean, dtype=torch.float32)  # [K]
    ones = torch.ones(1, images.shape[1], p, p)
    size = p * p * images.shape[1]
    out = []
    for start in range(0, len(images), batch):
        x = torch.as_tensor(images[start : start + batch], dtype=torch.float32)
        # per-patch mean and variance from box sums: [b, 1, H', W']
        mean = F.conv2d(x, ones) / size
        var = (F.conv2d(x.square(), ones) / size - mean.square()).clamp_min(0)
        # D W (p − m·1)/s − D W μ: the atoms applied to the normalized, whitened patch at every position
        response = (F.conv2d(x, filters) - mean * filters.sum((1, 2, 3))[None, :, None, None]) / (var + codebook.eps_norm).sqrt()
        response = response - offset[None, :, None, None]  # [b, K, H', W']
        code = torch.cat([(response - alpha).clamp_min(0), (-response - alpha).clamp_min(0)], dim=1)  # [b, 2K, H', W']
        out.append(quadrant_pool(code).flatten(1).numpy())
    return np.concatenate(out)


def quadrant_pool(maps: torch.Tensor) -> torch.Tensor:
    """Average of each map [b, F, H, W] over its 2 × 2 quadrants: [b, F, 2, 2] (odd sizes: the
    middle row and column count in both halves, as adaptive average pooling does)."""
    return F.adaptive_avg_pool2d(maps, 2)


def features(
    name: str, x_train: np.ndarray, x_test: np.ndarray, *, codebook: int, patch: int, alpha: float, patches: int, iterations: int, seed: int
):
    """Coates features of a dataset's flat rows (train [n, C·H·W], test), standardized per feature
    with the training split's statistics; returns (train [n, 8K], test, the codebook)."""
    shape = IMAGE_SHAPES[name]
    train, test = (x.reshape(len(x), *shape) for x in (x_train, x_test))
    book = learn(train, patch, codebook, patches, iterations, seed)
    f_train, f_test = encode(train, book, alpha), encode(test, book, alpha)
    mean, std = f_train.mean(axis=0), f_train.std(axis=0) + 1e-8
    return (f_train - mean) / std, (f_test - mean) / std, book
