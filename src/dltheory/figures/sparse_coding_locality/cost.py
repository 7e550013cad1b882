"""Cost of sparse_coding_locality's compute job, for ``python -m dltheory plan`` (no job imports this module)."""

from __future__ import annotations

import numpy as np

from dltheory.core.cost import reduced, sliced
from dltheory.core.images import natural_image
from dltheory.figures.sparse_coding_locality import NAME
from dltheory.science.sparse_coding import mosaics, random_patches, sparse_coding, zca_whitening


def _flops(spec: dict) -> float:
    """FLOPs of ``sparse_coding_locality_learn`` for n samples of d = (grid · cell)² px, k kept
    axes, m atoms, T alternations of F FISTA steps: per whitening, the covariance (2 n d²), its
    eigendecomposition (≈ 10 d³) and the projection (2 n d k); per dictionary (three: mosaics,
    natural, grouped), per alternation, the Gram and target (2 m² k + 2 n m k), F steps of the
    gradient (2 n m²), and the least-squares update (2 n m² + 2 n m k + m³); FastICA, at most I
    iterations of 4 n k² each."""
    n, d, m = spec["samples"], (spec["grid"] * spec["cell"]) ** 2, spec["atoms"]
    whitening = sum(2 * n * d * d + 10 * d**3 + 2 * n * d * k for k in (spec["mosaic_components"], spec["natural_components"]))

    def dictionary(k: int) -> float:
        return spec["iterations"] * (2 * m * m * k + 4 * n * m * k + (spec["fista_steps"] + 1) * 2 * n * m * m + m**3)

    k_mosaic, k_natural = spec["mosaic_components"], spec["natural_components"]
    ica = spec["ica_iterations"] * 4 * n * k_mosaic**2
    return whitening + dictionary(k_mosaic) + 2 * dictionary(k_natural) + ica


def _memory(spec: dict) -> float:
    """Bytes: the images (≈ 60 MB of float64 for the shipped photographs), the samples [n, d] and
    their whitened copy, codes, momentum and gradient [n, m], float64."""
    n, d = spec["samples"], (spec["grid"] * spec["cell"]) ** 2
    return 60e6 + 8 * (2 * n * d + 4 * n * spec["atoms"])


def _run(spec: dict) -> None:
    """One L1 dictionary on mosaics, the dominant part (a third of the dictionaries)."""
    rng = np.random.default_rng(spec["seed"])
    images = [natural_image(name) for name in spec["images"]]
    grid, n = spec["grid"], spec["samples"]
    data = mosaics(random_patches(images, spec["cell"], n * grid * grid, rng), grid).reshape(n, -1)
    whitened, _ = zca_whitening(data, spec["mosaic_components"])
    sparse_coding(whitened, spec["atoms"], spec["alpha"], 1, spec["iterations"], spec["fista_steps"], rng)


def jobs(config: dict) -> list:
    """``sparse_coding_locality_learn``, probed on one mosaic dictionary with 2 alternations."""
    spec = config[NAME]["compute"]
    probe = reduced(spec, iterations=min(2, spec["iterations"]))
    return [sliced(f"{NAME}_learn", "", spec, probe, _flops, _memory, _run)]
