"""Entropy of the feature maps of stacked random convolutional layers, layer by layer (docs/entropy_gain.md).

Yuan et al. (2021) argue that a layer is worth adding while it raises the entropy of the
representation, i.e. while it still removes redundancy between features, and that the gain
vanishes after a few layers. We measure this on contrast-normalized natural-image patches pushed
through random 3×3 convolutions (He-initialized, ReLU, each channel standardized over samples
and positions).

What is measured. A post-ReLU unit has an atom at 0, so the differential entropy of single units,
or of a handful of them, is undefined (k-NN estimates on them diverge). We therefore measure a
fixed view of the whole map: D random Gaussian projections of the flattened map, each
standardized to unit variance — continuous by construction, and with every coordinate's scale
fixed, so that the joint entropy can only rise by the coordinates becoming less dependent:

    H(z) = Σ_j H(z_j) − TC(z),   H(z) ≤ (D/2) log₂(2πe) ≈ 2.05 D bits,

where TC is the total correlation (the redundancy). Two estimators are reported: the whitened
Kozachenko–Leonenko k-NN estimate (non-parametric) and the Gaussian log-det (an upper bound);
both from :mod:`dltheory.science.differential_entropy`, where they are tested against Gaussians of known entropy.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import numpy as np
import pandas as pd

from dltheory.science.differential_entropy import entropy_and_total_correlation_bits, gaussian_entropy_bits, knn_entropy_bits

PROJECTION_STREAM = 1  # the projections' random stream, apart from the conv weights' (stream 0)


def random_conv_maps(
    patches: np.ndarray, channels: int, depth: int, kernel_size: int, seed: int, batch: int = 1000
) -> Iterator[np.ndarray]:
    """Feature maps of ``depth`` random conv layers on ``patches`` [n, s, s]: yields depth + 1
    arrays [n, C_l, s_l, s_l], the (1-channel) patches first, s_l = s − l (kernel_size − 1)
    (one at a time: together they would hold ~1 GB at the default size).

    Layer l: W ~ N(0, 2 / (C_{l−1} k²)) [C, C_{l−1}, k, k] (He), 'valid' convolution, no bias,
    ReLU, then each channel standardized over samples and positions. Weights come from NumPy's
    generator seeded by (seed, 0, l), so every device sees the same numbers. The convolution runs
    ``batch`` patches at a time: its unfolded input for all 10,000 default patches at once was
    2.6 GB; the standardization, over all patches, is done in place afterwards.
    """
    import torch

    h = torch.from_numpy(np.ascontiguousarray(patches, dtype=np.float64))[:, None]
    yield h.numpy()
    for layer in range(1, depth + 1):
        fan_in = h.shape[1] * kernel_size**2
        w = np.random.default_rng([seed, 0, layer]).standard_normal((channels, h.shape[1], kernel_size, kernel_size))
        w = torch.from_numpy(w * np.sqrt(2 / fan_in))
        side = h.shape[-1] - kernel_size + 1
        out = torch.empty(len(h), channels, side, side, dtype=h.dtype)
        for start in range(0, len(h), batch):
            out[start : start + batch] = torch.relu(torch.nn.functional.conv2d(h[start : start + batch], w))
        mean, std = out.mean(dim=(0, 2, 3), keepdim=True), out.std(dim=(0, 2, 3), keepdim=True).clamp_min(1e-12)
        h = out.sub_(mean).div_(std)
        yield h.numpy()


def projected_view(feature_map: np.ndarray, dim: int, rng: np.random.Generator) -> np.ndarray:
    """``dim`` random Gaussian projections [n, dim] of the flattened map [n, ...], each standardized."""
    flat = feature_map.reshape(len(feature_map), -1)
    z = flat @ rng.standard_normal((flat.shape[1], dim))
    return (z - z.mean(axis=0)) / z.std(axis=0)


def estimators(k: int) -> dict:
    """Entropy estimators (functions of samples [n, d], in bits) by name: ``knn`` the whitened
    Kozachenko–Leonenko estimate with k neighbours, ``gaussian`` the log-det upper bound."""
    return {"knn": partial(knn_entropy_bits, k=k), "gaussian": gaussian_entropy_bits}


def entropy_by_layer(
    patches: np.ndarray, channels: int, depth: int, kernel_size: int, projection_dim: int, projections: int, k: int, seed: int
) -> pd.DataFrame:
    """One random network (``seed``): per layer and estimator, the entropy of the projected view
    (bits, mean over ``projections`` independent views), its gain over the previous layer, and its
    total correlation. Columns: layer, seed, estimator, entropy, gain, total_correlation,
    projection_dim (D), units (C_l s_l², the size of the map)."""
    rows = []
    for layer, feature_map in enumerate(random_conv_maps(patches, channels, depth, kernel_size, seed)):
        rng = np.random.default_rng([seed, PROJECTION_STREAM, layer])
        views = [projected_view(feature_map, projection_dim, rng) for _ in range(projections)]
        for name, entropy in estimators(k).items():
            h, tc = np.mean([entropy_and_total_correlation_bits(v, entropy) for v in views], axis=0)
            rows.append(
                {
                    "layer": layer,
                    "seed": seed,
                    "estimator": name,
                    "entropy": h,
                    "total_correlation": tc,
                    "projection_dim": projection_dim,
                    "units": feature_map[0].size,
                }
            )
    table = pd.DataFrame(rows)
    table.insert(4, "gain", table.groupby("estimator").entropy.diff())
    return table
