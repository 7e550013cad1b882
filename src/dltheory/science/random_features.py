"""Double descent: the test risk peaks where the model starts to interpolate, then falls again.

(a) Belkin, Hsu, Ma & Mandal, "Reconciling modern machine-learning practice and the classical
bias–variance trade-off" (PNAS 116, 2019), Fig. 2: random Fourier features (RFF)

    φ(x) = √(2/N) cos(V x + b),   V ∈ R^{N×d} with entries N(0, σ⁻²),   b ~ U[0, 2π]^N,

a fixed bandwidth σ, one-hot targets Y [n, K] and the squared loss. For N < n the fit is least
squares; for N ≥ n it is the **minimum-norm interpolant** a = Φ⁺Y (never gradient descent). The
test risk rises to a peak at the interpolation threshold N = n, where Φ [n, N] is square and
nearly singular and ‖a‖ explodes, then falls again as N grows past n, below its best value for
N < n.

(b) Belkin, Hsu & Xu, "Two models of double descent for weak features" (SIAM J. Math. Data Sci.
2, 2020), Theorem 1: x ~ N(0, I_d), y = xᵀw + σε, and the minimum-norm least-squares fit on a
uniformly random subset of p of the d coordinates, from n samples. Its expected risk
E[(y − xᵀŵ)²] is, in closed form (:func:`weak_features_risk`), infinite for |p − n| ≤ 1.

Numerics near N = n. The feature matrices are nested: the first N of N_max features are Φ_N, so
one set of draws serves the whole grid. Conditioning is the whole story at the threshold: on 1,000
MNIST digits cond(Φ_n) was 1.3e7, so any method that forms ΦᵀΦ or ΦΦᵀ (cond 1.7e14) loses
every digit of the directions that make ‖a‖ and the peak. :func:`min_norm_path` never forms a
Gram matrix: below n, one Householder QR of the widest Φ serves every N (the QR of the first N
columns is the leading block); at and above n, the triangular factor R of Φ_Nᵀ = QR is updated as
columns arrive (a QR of [R; new columns]), the solution a = Φ_Nᵀ R⁻¹R⁻ᵀY (the semi-normal
equations, stable for minimum-norm problems) is corrected by one step of iterative refinement.
It agrees with ``np.linalg.lstsq`` (SVD) to ~1e-13 at N = n, at a fraction of the cost of one
SVD per N.

The limit N → ∞. Φ_N Φ_Nᵀ → K, the Gaussian kernel matrix k(x, x') = exp(−‖x − x'‖²/2σ²) of the
same σ (Rahimi & Recht 2007), so the minimum-norm interpolant h_{n,N} tends to h_{n,∞}, the
minimum-norm interpolant of the kernel machine: h(x) = Σ_i a_i k(x_i, x) with K a = Y, of RKHS
norm ‖h‖_H = √tr(aᵀKa), the limit of ‖a‖₂ of the features' coefficients
(:func:`kernel_machine`). Belkin et al. draw it as a horizontal line, "Min. norm solution h_{n,∞}".
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import scipy.linalg as sla
from scipy.spatial.distance import cdist, pdist


def median_bandwidth(x: np.ndarray, max_points: int = 2000, seed: int = 0) -> float:
    """The median pairwise Euclidean distance of the rows of x [n, d] (of ``max_points`` of them,
    drawn without replacement, when n is larger): the usual fixed bandwidth σ of a Gaussian kernel."""
    if len(x) > max_points:
        x = x[np.random.default_rng(seed).choice(len(x), max_points, replace=False)]
    return float(np.median(pdist(x)))


def fourier_directions(d: int, n_features: int, bandwidth: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """V [N, d] with entries N(0, σ⁻²) and phases b [N] ~ U[0, 2π], from ``seed``; the first N'
    rows are the draws of a smaller model (nested features)."""
    rng = np.random.default_rng(seed)
    return rng.normal(scale=1.0 / bandwidth, size=(n_features, d)), rng.uniform(0.0, 2 * np.pi, size=n_features)


def cosine_features(x: np.ndarray, V: np.ndarray, b: np.ndarray) -> np.ndarray:
    """C = √2 cos(x Vᵀ + b) [n, N]: the unnormalized features, float64. The RFF of the first N
    directions are Φ_N = C[:, :N]/√N, so Φ_Nᵀ Φ_N /n → the Gaussian kernel exp(−‖x − x'‖²/2σ²)."""
    return np.sqrt(2.0) * np.cos(np.asarray(x, dtype=np.float64) @ V.T + b)


def min_norm_path(C: np.ndarray, Y: np.ndarray, grid: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """The minimum-norm least-squares coefficients c_N = C_N⁺ Y for each N of ``grid``.

    C [n, N_max]: the features, nested (C_N = C[:, :N]); Y [n, K]; grid: increasing N ≤ N_max.
    Yields (N, c_N [N, K]). Least squares (unique) for N < n, the interpolant of least norm for
    N ≥ n; see the module docstring for the numerics. Cost: one QR of C[:, :N_below] plus, above
    n, one QR of an (n + ΔN) × n stack per grid point and two passes over C_N per solve."""
    n = C.shape[0]
    below, above = grid[grid < n], grid[grid >= n]
    if len(below):
        Q, R = sla.qr(C[:, : below[-1]], mode="economic")
        QtY = Q.T @ Y
        for N in below:
            yield int(N), sla.solve_triangular(R[:N, :N], QtY[:N])
    R, done = None, 0
    for N in above:
        new = C[:, done:N].T
        R = sla.qr(new if R is None else np.vstack([R, new]), mode="r")[0][:n]  # R_Nᵀ R_N = C_N C_Nᵀ
        done = N
        CN = C[:, :N]

        def dual_solve(rhs):  # C_Nᵀ (C_N C_Nᵀ)⁻¹ rhs through R, never the Gram matrix
            return CN.T @ sla.solve_triangular(R, sla.solve_triangular(R, rhs, trans="T"))

        coef = dual_solve(Y)
        coef += dual_solve(Y - CN @ coef)  # one step of iterative refinement
        yield int(N), coef


def feature_grid(n: int, ratios: dict) -> np.ndarray:
    """Integer N: ``num`` log-spaced ratios N/n in [min, max], ``near.num`` evenly spaced in
    1 ± ``near.width``, and N = n itself (the threshold is always on the grid)."""
    far = np.geomspace(ratios["min"], ratios["max"], ratios["num"])
    near = np.linspace(1 - ratios["near"]["width"], 1 + ratios["near"]["width"], ratios["near"]["num"])
    return np.unique(np.round(np.r_[far, near, 1.0] * n).astype(np.int64).clip(1))


def fit_metrics(fit: np.ndarray, pred: np.ndarray, y_train: np.ndarray, y_test: np.ndarray) -> dict:
    """Train and test squared loss (Σ over the K outputs of (ŷ_k − y_k)², y one-hot; mean over
    samples) and zero-one error (argmax), from the fitted values ``fit`` [n, K] and the test
    predictions ``pred`` [m, K]; y_train [n], y_test [m] integer labels."""
    n_classes = fit.shape[1]
    squared = lambda out, y: float(((out - np.eye(n_classes)[y]) ** 2).sum(1).mean())
    return {
        "train_mse": squared(fit, y_train),
        "test_mse": squared(pred, y_test),
        "train_error": float((fit.argmax(1) != y_train).mean()),
        "test_error": float((pred.argmax(1) != y_test).mean()),
    }


def rff_curve(x_train, y_train, x_test, y_test, grid: np.ndarray, bandwidth: float, n_classes: int, seed: int) -> pd.DataFrame:
    """:func:`fit_metrics` and ‖a‖₂ (Frobenius norm of the coefficients of the normalized features
    Φ_N) for each N of ``grid``, one draw of the features (``seed``). x [n, d]; y [n] integer labels."""
    V, b = fourier_directions(x_train.shape[1], int(grid[-1]), bandwidth, seed)
    C_train, C_test = cosine_features(x_train, V, b), cosine_features(x_test, V, b)
    Y = np.eye(n_classes)[y_train]
    rows = []
    for N, coef in min_norm_path(C_train, Y, grid):
        metrics = fit_metrics(C_train[:, :N] @ coef, C_test[:, :N] @ coef, y_train, y_test)
        norm = float(np.sqrt(N) * np.linalg.norm(coef))  # Φ_N = C_N/√N, so a = √N c
        rows.append({"seed": seed, "n_features": N, "n_train": len(y_train), **metrics, "norm": norm})
    return pd.DataFrame(rows)


def gaussian_kernel(x: np.ndarray, z: np.ndarray, bandwidth: float) -> np.ndarray:
    """k(x, z) = exp(−‖x − z‖²/2σ²) [n, m] for the rows of x [n, d] and z [m, d], float64: the
    kernel the random Fourier features of bandwidth σ approximate."""
    x, z = np.asarray(x, dtype=np.float64), np.asarray(z, dtype=np.float64)
    return np.exp(-cdist(x, z, "sqeuclidean") / (2 * bandwidth**2))


def kernel_machine(x_train, y_train, x_test, y_test, bandwidth: float, n_classes: int) -> dict:
    """h_{n,∞}, the N → ∞ limit of :func:`rff_curve`: the minimum-norm interpolant of the one-hot
    targets Y [n, K] by the Gaussian kernel, h(x) = Σ_i a_i k(x_i, x) with K a = Y (K [n, n]
    positive definite for distinct points; Cholesky, float64). Returns :func:`fit_metrics` and its
    RKHS norm ‖h‖_H = √tr(aᵀKa) = √tr(aᵀY) (``norm``, the limit of the features' ‖a‖₂).
    x [n, d] / [m, d]; y [n] / [m] integer labels."""
    Y = np.eye(n_classes)[y_train]
    K = gaussian_kernel(x_train, x_train, bandwidth)
    a = sla.solve(K, Y, assume_a="pos")
    pred = gaussian_kernel(x_test, x_train, bandwidth) @ a
    return {"n_train": len(y_train), **fit_metrics(K @ a, pred, y_train, y_test), "norm": float(np.sqrt(np.sum(a * Y)))}


def weak_features_risk(p: np.ndarray, n: int, d: int, w_norm2: float, noise_var: float) -> np.ndarray:
    """Belkin, Hsu & Xu (2020), Theorem 1: the expected risk of the minimum-norm least squares on
    p random coordinates of x ~ N(0, I_d), n samples, ‖w‖² = ``w_norm2``, noise σ² = ``noise_var``:

        p ≤ n − 2:  ((1 − p/d)‖w‖² + σ²) (1 + p/(n − p − 1))
        p ≥ n + 2:  ‖w‖² (1 − (n/d)(2 − (d − n − 1)/(p − n − 1))) + σ² (1 + n/(p − n − 1))

    and +inf for |p − n| ≤ 1."""
    p = np.asarray(p, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        under = ((1 - p / d) * w_norm2 + noise_var) * (1 + p / (n - p - 1))
        over = w_norm2 * (1 - (n / d) * (2 - (d - n - 1) / (p - n - 1))) + noise_var * (1 + n / (p - n - 1))
    return np.where(p <= n - 2, under, np.where(p >= n + 2, over, np.inf))


def weak_features_monte_carlo(
    ps: np.ndarray, n: int, d: int, w_norm2: float, noise_var: float, trials: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Monte-Carlo mean and standard error of the risk of :func:`weak_features_risk`, per p.

    Each trial draws X [n, d], the noise and a random order of the d coordinates; the model of p
    features uses the first p of that order (common random numbers: neighbouring p share their
    draws, so differences between them are measured far more precisely than the means). w is
    fixed, √(‖w‖²/d) in every coordinate (the theorem averages over the random subset). The risk
    of ŵ is exact given ŵ: E[(y − xᵀŵ)²] = ‖w − ŵ‖² + σ². Returns (mean [P], s.e. [P])."""
    rng = np.random.default_rng(seed)
    w = np.full(d, np.sqrt(w_norm2 / d))
    X = rng.normal(size=(trials, n, d))
    y = X @ w + np.sqrt(noise_var) * rng.normal(size=(trials, n))
    order = rng.random((trials, d)).argsort(axis=1)
    X = np.take_along_axis(X, order[:, None, :], axis=2)  # coordinates in each trial's random order
    w_ordered = w[order]  # [trials, d]
    means, errors = [], []
    for p in ps:
        Xp = X[:, :, :p]
        if p == 0:
            fit = np.zeros((trials, 0))
        elif p < n:  # least squares, unique: (XᵀX)⁻¹Xᵀy
            fit = np.linalg.solve(Xp.transpose(0, 2, 1) @ Xp, (Xp.transpose(0, 2, 1) @ y[:, :, None]))[..., 0]
        else:  # minimum norm: Xᵀ(XXᵀ)⁻¹y
            fit = (Xp.transpose(0, 2, 1) @ np.linalg.solve(Xp @ Xp.transpose(0, 2, 1), y[:, :, None]))[..., 0]
        risk = ((w_ordered[:, :p] - fit) ** 2).sum(1) + (w_ordered[:, p:] ** 2).sum(1) + noise_var
        means.append(risk.mean())
        errors.append(risk.std(ddof=1) / np.sqrt(trials))
    return np.array(means), np.array(errors)
