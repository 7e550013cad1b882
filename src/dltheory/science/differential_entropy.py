"""Differential entropy of continuous vectors from samples, and their total correlation.

Used by :mod:`dltheory.science.feature_entropy` (the ``entropy_gain`` figure). Samples are rows: x [n, d].
Every estimator returns bits. (Mutual information between binned pixels, for ``pixel_mi``, is
:mod:`dltheory.science.mutual_information`.)
"""

from __future__ import annotations

import numpy as np

LN2 = np.log(2.0)


def gaussian_entropy_bits(x: np.ndarray, shrinkage: bool = False) -> float:
    """Entropy of the Gaussian with the samples' covariance: ½ log₂ det(2πe Σ).

    Exact for Gaussian data, an upper bound otherwise (the Gaussian has the largest entropy for
    a given covariance). ``shrinkage`` uses the Ledoit–Wolf covariance, which keeps det Σ finite
    when n ≤ d; it lifts small eigenvalues, so it overstates the entropy of ill-conditioned data
    (by 1.3 bits for an 8-dimensional example with n = 20,000), and is off by default. Without
    it, n ≤ d samples give −inf: their covariance has rank n − 1 < d (its computed determinant is
    rounding noise, of either sign).
    """
    from sklearn.covariance import LedoitWolf

    x = np.asarray(x, dtype=float)
    if not shrinkage and x.ndim == 2 and len(x) <= x.shape[1]:
        return float("-inf")
    cov = LedoitWolf().fit(x).covariance_ if shrinkage else np.atleast_2d(np.cov(x, rowvar=False))
    sign, logdet = np.linalg.slogdet(2 * np.pi * np.e * cov)
    return float(0.5 * logdet / LN2) if sign > 0 else float("-inf")


def knn_entropy_bits(x: np.ndarray, k: int = 3, whiten: bool = True) -> float:
    """Kozachenko–Leonenko k-nearest-neighbour estimate (Kraskov et al. 2004, Eq. 20):

        Ĥ = ψ(n) − ψ(k) + log V_d + (d/n) Σ_i log ε_i,

    with ε_i the Euclidean distance from sample i to its k-th neighbour and V_d the volume of the
    unit d-ball. Consistent for any continuous density; duplicated samples (ε = 0) are not allowed.

    ``whiten``: estimate on z = L⁻¹(x − x̄) with Σ = L Lᵀ the sample covariance, and add back
    log |det L| (entropy shifts by the log-Jacobian of a linear map). Balls in a strongly
    anisotropic cloud are badly estimated: for an 8-dimensional Gaussian with n = 20,000 the raw
    estimate was 4 bits high, the whitened one within 0.1 bits.
    """
    from scipy.spatial import cKDTree
    from scipy.special import digamma, gammaln

    x = np.asarray(x, dtype=float)
    x = x[:, None] if x.ndim == 1 else x
    n, d = x.shape
    log_jacobian = 0.0
    if whiten:
        chol = np.linalg.cholesky(np.atleast_2d(np.cov(x, rowvar=False)))
        x = np.linalg.solve(chol, (x - x.mean(axis=0)).T).T
        log_jacobian = float(np.sum(np.log(np.diag(chol))))
    eps = cKDTree(x).query(x, k=k + 1)[0][:, k]  # neighbour 0 is the point itself
    if np.any(eps == 0):
        raise ValueError("duplicate samples: the k-NN entropy estimate needs distinct points (add jitter)")
    log_unit_ball = 0.5 * d * np.log(np.pi) - gammaln(0.5 * d + 1)
    return float((digamma(n) - digamma(k) + log_unit_ball + d * np.mean(np.log(eps)) + log_jacobian) / LN2)


def entropy_and_total_correlation_bits(x: np.ndarray, entropy=knn_entropy_bits) -> tuple[float, float]:
    """The joint entropy H(x) and the total correlation Σ_j H(x_j) − H(x) (bits), the information
    shared among the d coordinates (0 iff independent), both with the estimator ``entropy``."""
    x = np.asarray(x, dtype=float)
    joint = entropy(x)
    return joint, float(sum(entropy(x[:, j : j + 1]) for j in range(x.shape[1])) - joint)


def total_correlation_bits(x: np.ndarray, entropy=knn_entropy_bits) -> float:
    """Σ_j H(x_j) − H(x) (bits): see :func:`entropy_and_total_correlation_bits`."""
    return entropy_and_total_correlation_bits(x, entropy)[1]
