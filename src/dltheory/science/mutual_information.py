"""Mutual information between discrete (binned) samples, with its bias handled; MI between pixels at distance.

Used by the ``pixel_mi`` figure. (Differential entropy of continuous vectors, for ``entropy_gain``,
is :mod:`dltheory.science.differential_entropy`.)

Plug-in estimates from histograms are biased: with m occupied bins and N samples the plug-in
entropy is low by about (m − 1)/(2N) nats, so the plug-in MI of independent variables is about
(B − 1)²/(2N) nats above 0 for B × B bins. We correct each entropy with Miller–Madow,

    Ĥ_MM = −Σ p̂ log p̂ + (m − 1) / (2N),

and report beside every MI the same estimate on shuffled data (dependence destroyed, marginals
kept): the estimator's floor.

Binning is by quantiles of each variable (equal-count bins), with edges from ``np.quantile`` and
``np.digitize``: tied values always share a bin. Breaking ties by position instead (``argsort``
ranks) would put neighbouring equal pixels into different bins by their order and create
spatial MI that is not in the image (docs/pixel_mi.md).

All quantities are in bits.
"""

from __future__ import annotations

import numpy as np

LN2 = np.log(2.0)


def quantile_bins(x: np.ndarray, n_bins: int) -> np.ndarray:
    """Bin index in [0, n_bins) of every entry of ``x``, with edges at its quantiles (ties share a bin)."""
    x = np.asarray(x)
    edges = np.quantile(x, np.linspace(0.0, 1.0, n_bins + 1)[1:-1])
    return np.digitize(x, edges, right=True).astype(np.int64)


def entropy_bits(counts: np.ndarray, axis=-1, miller_madow: bool = True) -> np.ndarray:
    """Entropy (bits) of the histograms ``counts`` along ``axis`` (an int or a tuple of ints)."""
    counts = np.asarray(counts, dtype=float)
    n = counts.sum(axis=axis, keepdims=True)
    p = np.divide(counts, n, out=np.zeros_like(counts), where=n > 0)
    h = -np.sum(np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0), axis=axis)
    if miller_madow:
        occupied = np.sum(counts > 0, axis=axis)
        h = h + (occupied - 1) / (2.0 * np.squeeze(n, axis=axis))
    return h / LN2


def mutual_information_bits(joint: np.ndarray, miller_madow: bool = True) -> np.ndarray:
    """I(A; B) = H(A) + H(B) − H(A, B) (bits) from joint histograms [..., B_a, B_b]."""
    joint = np.asarray(joint, dtype=float)
    return (
        entropy_bits(joint.sum(-1), miller_madow=miller_madow)
        + entropy_bits(joint.sum(-2), miller_madow=miller_madow)
        - entropy_bits(joint, axis=(-2, -1), miller_madow=miller_madow)
    )


def mutual_information_samples(a: np.ndarray, b: np.ndarray, n_bins: int, miller_madow: bool = True) -> float:
    """MI (bits) between paired samples a [N] and b [N], each binned by its own quantiles."""
    joint = np.bincount(quantile_bins(a, n_bins) * n_bins + quantile_bins(b, n_bins), minlength=n_bins * n_bins)
    return float(mutual_information_bits(joint.reshape(n_bins, n_bins), miller_madow))


def distance_grid(spec: dict) -> np.ndarray:
    """Integer distances from ``min`` to ``max`` on a log grid of ``num`` points (duplicates after rounding dropped)."""
    return np.unique(np.round(np.geomspace(spec["min"], spec["max"], spec["num"])).astype(int))


def pixel_pairs(bins: np.ndarray, d: int, direction: str) -> tuple[np.ndarray, np.ndarray]:
    """The two members of every pixel pair at distance d along ``direction`` (flattened)."""
    if direction == "horizontal":
        return bins[:, :-d].ravel(), bins[:, d:].ravel()
    if direction == "vertical":
        return bins[:-d, :].ravel(), bins[d:, :].ravel()
    raise ValueError(f"direction {direction!r}: allowed horizontal, vertical")


def pair_histograms(bins: np.ndarray, distances, direction: str, n_bins: int) -> np.ndarray:
    """Joint histograms [D, n_bins, n_bins] of binned values [H, W] at each distance, from one ``bincount``.

    Each pair's code is ``(distance index) · B² + a · B + b``; one pass over all codes fills
    every distance's histogram at once.
    """
    codes = []
    for i, d in enumerate(distances):
        a, b = pixel_pairs(bins, int(d), direction)
        codes.append(i * n_bins * n_bins + a * n_bins + b)
    counts = np.bincount(np.concatenate(codes), minlength=len(distances) * n_bins * n_bins)
    return counts.reshape(len(distances), n_bins, n_bins)


def mi_vs_distance(values: np.ndarray, distances, direction: str, n_bins: int, miller_madow: bool = True) -> np.ndarray:
    """MI (bits) [D] between values [H, W] of one image at each distance along ``direction``.

    The values are binned by the quantiles of the whole image, so both members of a pair use
    the same bins.
    """
    bins = quantile_bins(values, n_bins)
    return mutual_information_bits(pair_histograms(bins, distances, direction, n_bins), miller_madow)


def shuffled(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The same values at randomly permuted positions: no spatial dependence, the same marginal."""
    return rng.permutation(values.ravel()).reshape(values.shape)
