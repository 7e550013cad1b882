"""Gradient descent on separable data converges to the max-margin direction, slowly: Soudry,
Hoffer, Nacson, Gunasekar & Srebro, "The Implicit Bias of Gradient Descent on Separable Data"
(ICLR 2018; JMLR 19, 2018), Theorem 3 and Figure 1.

A linear classifier without bias, trained on the logistic loss summed over the samples,

    L(w) = Σ_n ℓ(y_n wᵀx_n),   ℓ(u) = log(1 + e^{−u}),   ∇L(w) = −Σ_n σ(−y_n wᵀx_n) y_n x_n,

from w(0) = 0 with a fixed step η < 2/(β σ_max(X)²) (β = 1/4, the smoothness of ℓ) on linearly
separable data has no finite minimizer: the loss falls like 1/t and

    w(t) = ŵ ln t + ρ(t),   ρ(t) bounded,

where ŵ = argmin ‖w‖² s.t. y_n wᵀx_n ≥ 1 is the hard-margin SVM without intercept. So ‖w(t)‖
grows like ‖ŵ‖ ln t and w(t)/‖w(t)‖ → ŵ/‖ŵ‖, but only as fast as ρ's component across ŵ
allows: the distance ‖w/‖w‖ − ŵ/‖ŵ‖‖ is O(1/ln t) in general, and falls faster when the limit of
ρ happens to be parallel to ŵ (as on the paper's mirror-symmetric support vectors).

The paper's Figure 1 shows the same for gradient descent with momentum (it gives no formula),
and its ADAM experiment (the same data with every x₂ multiplied by 20) shows that ADAM's direction
does not converge to ŵ while GD's and momentum's do.

Here: the datasets (:func:`mirrored_dataset`), the hard-margin direction from a quadratic
program that never sees a gradient step (:func:`max_margin`), and :func:`train`, which runs
full-batch GD, three forms of momentum and Adam on several datasets at once, recording w(t) and
log L(w(t)) on a log-spaced grid of steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog, minimize, nnls
from scipy.special import expit, logsumexp

OPTIMIZERS = ("gd", "momentum", "momentum_average", "momentum_mean", "adam")
"""GD; heavy-ball momentum on the summed loss (the literal protocol); its running-average form; heavy
ball on the mean loss; Adam. :func:`train` documents each update."""
LOGISTIC_SMOOTHNESS = 0.25  # β: ℓ''(u) = σ(u)σ(−u) ≤ 1/4


class NotSeparable(ValueError):
    """No w without bias has y_n wᵀx_n > 0 for every sample: the loss has no infimum at 0."""


def logistic_loss(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """L(w) = Σ_n log(1 + exp(−y_n wᵀx_n)); w [..., d], X [n, d], y [n] in {−1, +1} -> [...]."""
    return np.logaddexp(0.0, -(w @ (y[:, None] * X).T)).sum(-1)


def logistic_gradient(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """∇L(w) = −Σ_n σ(−y_n wᵀx_n) y_n x_n; w [..., d] -> [..., d]."""
    Xy = y[:, None] * X
    return -expit(-(w @ Xy.T)) @ Xy


def log_loss_from_margins(margins: np.ndarray) -> np.ndarray:
    """log L = log Σ_n log(1 + e^{−m_n}) over the last axis, finite even where L underflows.

    log(log1p(e^{−m})) = −m + log1p(−e^{−m}/2 + …) → −m for large m: past m = 30 the correction
    is below 1e-13, so the sum is taken as a log-sum-exp of per-sample logs."""
    large = margins > 30
    small_log = np.log(np.log1p(np.exp(-np.where(large, 0.0, margins))))
    return logsumexp(np.where(large, -margins, small_log), axis=-1)


def feasible_point(X: np.ndarray, y: np.ndarray) -> np.ndarray | None:
    """Some w with y_n wᵀx_n ≥ 1 for all n (a linear feasibility program, HiGHS), or None when the
    data are not linearly separable through the origin (the condition is scale-free: the same as
    y_n wᵀx_n > 0)."""
    n, d = X.shape
    result = linprog(np.zeros(d), A_ub=-(y[:, None] * X), b_ub=-np.ones(n), bounds=[(None, None)] * d, method="highs")
    return result.x if result.status == 0 else None


def max_margin(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """ŵ = argmin ½‖w‖² s.t. y_n wᵀx_n ≥ 1 (hard-margin SVM, no intercept), as a QP (SciPy SLSQP),
    polished on its active set: ŵ is the least-norm solution of y_n wᵀx_n = 1 over the support
    vectors, exact to rounding. X [n, d], y [n] -> ŵ [d]; the max margin is 1/‖ŵ‖."""
    start = feasible_point(X, y)
    if start is None:
        raise NotSeparable("the data are not linearly separable by a hyperplane through the origin")
    Xy = y[:, None] * X
    result = minimize(
        lambda w: 0.5 * w @ w,
        start,
        jac=lambda w: w,
        constraints=[{"type": "ineq", "fun": lambda w: Xy @ w - 1.0, "jac": lambda w: Xy}],
        method="SLSQP",
        options={"ftol": 1e-15, "maxiter": 1000},
    )
    active = Xy @ result.x < 1.0 + 1e-6
    w_hat = np.linalg.lstsq(Xy[active], np.ones(active.sum()), rcond=None)[0]
    if np.min(Xy @ w_hat) < 1.0 - 1e-9 or abs(np.linalg.norm(w_hat) - np.linalg.norm(result.x)) > 1e-6 * np.linalg.norm(w_hat):
        raise RuntimeError(f"hard-margin QP did not converge: {result.message}")
    return w_hat


def mirrored_dataset(positives, extra_per_class: int, margin: tuple[float, float], spread: float, seed: int, scale=(1.0, 1.0)):
    """The paper's Figure 1 construction: support vectors x_k (y = +1) and −x_k (y = −1), plus
    ``extra_per_class`` random points per class farther from the separator.

    The extra points of class y are y (m/‖ŵ_sv‖) u + s v, with u = ŵ_sv/‖ŵ_sv‖ the max-margin
    direction of the support vectors alone, v ⊥ u, m ~ U(margin) (≥ 1: their functional margin
    under ŵ_sv) and s ~ U(−spread, spread) along the separator. Since every extra point has
    y ŵ_svᵀx ≥ 1, ŵ of the whole set is ŵ_sv. Last, each coordinate is multiplied by ``scale``
    (the paper's ADAM experiment: x₂ × 20), which keeps the data separable (w / scale separates
    them) but moves the max-margin direction, and may change the support vectors. 2-D only. Returns X [n, 2], y [n] (support vectors first:
    x_1 … x_k, then −x_1 … −x_k, then the extra points of +1, then of −1)."""
    sv = np.asarray(positives, dtype=float)
    sv_X, sv_y = np.vstack([sv, -sv]), np.repeat([1.0, -1.0], len(sv))
    w_sv = max_margin(sv_X, sv_y)
    u = w_sv / np.linalg.norm(w_sv)
    v = np.array([-u[1], u[0]])
    rng = np.random.default_rng(seed)
    sign = np.repeat([1.0, -1.0], extra_per_class)
    m = rng.uniform(*margin, size=2 * extra_per_class)
    s = rng.uniform(-spread, spread, size=2 * extra_per_class)
    extra = sign[:, None] * (m / np.linalg.norm(w_sv))[:, None] * u + s[:, None] * v
    return np.vstack([sv_X, extra]) * np.asarray(scale, dtype=float), np.concatenate([sv_y, sign])


def residual_limit(X: np.ndarray, y: np.ndarray, w_hat: np.ndarray, step_size: float) -> np.ndarray:
    """w̃, the limit of ρ(t) = w(t) − ŵ ln t for GD with step η (Soudry et al., Theorem 3).

    With ŵ = Σ_{n∈S} α_n y_n x_n (α_n ≥ 0, S the support vectors), w̃ solves
    η exp(−y_n x_nᵀw̃) = α_n on S. Samples with the same y_n x_n (a support vector and its mirror
    image) share their α, so the α of each distinct row is found by non-negative least squares and
    split evenly. Then the distance to the max-margin direction behaves as
    ‖w/‖w‖ − ŵ/‖ŵ‖‖ · ln t → ‖P⊥w̃‖/‖ŵ‖ (P⊥: the projection across ŵ): the O(1/ln t) rate, with
    the constant predicted from the QP alone. X [n, d], y [n], ŵ [d] -> w̃ [d]."""
    Xy = y[:, None] * X
    rows, counts = np.unique(Xy[np.abs(Xy @ w_hat - 1.0) < 1e-6], axis=0, return_counts=True)
    alpha, _ = nnls(rows.T, w_hat)  # ŵ = Σ_k alpha_k rows_k over the distinct support vectors
    return np.linalg.lstsq(rows, np.log(step_size * counts / alpha), rcond=None)[0]


def across(v: np.ndarray, w_hat: np.ndarray) -> np.ndarray:
    """‖P⊥v‖: the length of v's component perpendicular to ŵ; v [..., d]."""
    u = w_hat / np.linalg.norm(w_hat)
    return np.linalg.norm(v - (v @ u)[..., None] * u, axis=-1)


def sigma_max(X: np.ndarray) -> float:
    """The largest singular value of the data matrix X [n, d]."""
    return float(np.linalg.norm(X, 2))


def smoothness_step_bound(X: np.ndarray) -> float:
    """2/(β σ_max(X)²) = 8/σ_max(X)²: the largest step of the theorem (L is β σ_max²-smooth)."""
    return 2.0 / (LOGISTIC_SMOOTHNESS * sigma_max(X) ** 2)


def step_size(setting: float | str, X: np.ndarray) -> float:
    """η from the config: ``"inverse_sigma_max"`` (the paper's 1/σ_max(X)), ``"half_step_bound"``
    (4/σ_max(X)², half the theorem's largest step) or a number > 0."""
    if setting == "inverse_sigma_max":
        return 1.0 / sigma_max(X)
    if setting == "half_step_bound":
        return smoothness_step_bound(X) / 2
    return float(setting)


def step_grid(steps: int, per_decade: int) -> np.ndarray:
    """Distinct integer steps, log-spaced from 1 to ``steps`` (both included), ~``per_decade`` per decade."""
    points = int(np.ceil(np.log10(steps) * per_decade)) + 1
    return np.unique(np.round(np.logspace(0, np.log10(steps), points)).astype(np.int64))


@dataclass(frozen=True)
class Trajectories:
    """w(t) and log L(w(t)) of every optimizer on every dataset, on the recorded steps.

    t [T]; w [D, K, T, d] (datasets × optimizers (:data:`OPTIMIZERS`) × steps × features);
    log_loss [D, K, T] (natural log of the summed loss)."""

    t: np.ndarray
    w: np.ndarray
    log_loss: np.ndarray


def train(
    Xys: list[np.ndarray],
    step_sizes: list[float],
    record: np.ndarray,
    momentum: float = 0.9,
    adam_betas: tuple[float, float] = (0.9, 0.999),
    adam_eps: float = 1e-8,
) -> Trajectories:
    """Full-batch GD, three forms of momentum and Adam (:data:`OPTIMIZERS`) on D datasets at once,
    each from w = 0.

    Xys: D arrays y_n x_n [n_i, d]; step_sizes: η per dataset, used by every optimizer;
    record: the steps t ≥ 1 to record, increasing (the last is the number of steps run). With
    g = ∇L(w) of the summed loss and γ = ``momentum``:

      gd:                w ← w − η g
      momentum:          v ← γ v − η g;  w ← w + v           (heavy ball; the literal protocol)
      momentum_average:  v ← γ v + (1−γ) g;  w ← w − η v     (a running average of gradients)
      momentum_mean:     v ← γ v − η g/n;  w ← w + v         (heavy ball on the mean loss L/n)
      adam:              m ← β₁m + (1−β₁)g;  s ← β₂s + (1−β₂)g²;  w ← w − η m̂/(√ŝ + ε)   (bias-corrected)

    The paper names "GD with momentum" without a formula; the three forms differ only in the
    step of a heavy ball (u = −ηv for the running average): η, η(1−γ) and η/n, i.e. long-run
    steps η/(1−γ) = 10η, η and 10η/n at γ = 0.9. So GD and the momentum forms are one update,
    u ← γ_k u − c_k η g, w ← w + u, with (γ_k, c_k) = (0, 1), (γ, 1), (γ, 1−γ), (γ, 1/n).

    Datasets of fewer samples are padded with x = 0, whose gradient σ(0)·0 is exactly 0, so every
    step is one batched array operation over [D, K, n, d] and costs the Python loop, ~20 µs, for
    any D. The loss is computed afterwards from each dataset's own samples."""
    D, n, d = len(Xys), max(len(Xy) for Xy in Xys), Xys[0].shape[1]
    Xy = np.zeros((D, n, d))
    for k, rows in enumerate(Xys):
        Xy[k, : len(rows)] = rows
    record = np.asarray(record, dtype=np.int64)
    eta = np.asarray(step_sizes, dtype=float)[:, None]  # [D, 1]
    balls = len(OPTIMIZERS) - 1  # every optimizer but Adam is a heavy ball
    gamma = np.array([0.0] + [momentum] * (balls - 1))[None, :, None]  # [1, balls, 1]
    sizes = np.array([len(rows) for rows in Xys], dtype=float)[:, None]  # [D, 1]
    factor = np.hstack([np.ones((D, 2)), np.full((D, 1), 1 - momentum), 1 / sizes])  # c_k [D, balls]
    ball_step = (eta * factor)[:, :, None]  # c_k η [D, balls, 1]
    beta1, beta2 = adam_betas
    w = np.zeros((D, len(OPTIMIZERS), d))
    velocity = np.zeros((D, balls, d))
    first, second = np.zeros((D, d)), np.zeros((D, d))
    out_w = np.empty((D, len(OPTIMIZERS), len(record), d))
    next_record = 0
    for t in range(1, int(record[-1]) + 1):
        grad = -np.einsum("kon,knd->kod", expit(-np.einsum("knd,kod->kon", Xy, w)), Xy)  # [D, K, d]
        velocity *= gamma
        velocity -= ball_step * grad[:, :balls]
        w[:, :balls] += velocity
        g = grad[:, balls]
        first *= beta1
        first += (1 - beta1) * g
        second *= beta2
        second += (1 - beta2) * g * g
        w[:, balls] -= eta * (first / (1 - beta1**t)) / (np.sqrt(second / (1 - beta2**t)) + adam_eps)
        if t == record[next_record]:
            out_w[:, :, next_record] = w
            next_record += 1
    log_loss = np.stack([log_loss_from_margins(out_w[k] @ rows.T) for k, rows in enumerate(Xys)])
    return Trajectories(t=record, w=out_w, log_loss=log_loss)


def angle_gap(w: np.ndarray, w_hat: np.ndarray) -> np.ndarray:
    """1 − cos∠(w, ŵ); w [..., d], ŵ [d] (the paper's Figure 1D)."""
    return 1.0 - (w @ w_hat) / (np.linalg.norm(w, axis=-1) * np.linalg.norm(w_hat))


def direction_distance(w: np.ndarray, w_hat: np.ndarray) -> np.ndarray:
    """‖w/‖w‖ − ŵ/‖ŵ‖‖ (= √(2 × angle gap)); the O(1/ln t) quantity of the theorem."""
    return np.linalg.norm(w / np.linalg.norm(w, axis=-1, keepdims=True) - w_hat / np.linalg.norm(w_hat), axis=-1)


def margin_gap(w: np.ndarray, Xy: np.ndarray, w_hat: np.ndarray) -> np.ndarray:
    """Relative gap of the geometric margin to the max margin 1/‖ŵ‖ (Figure 1E):
    1 − ‖ŵ‖ min_n y_n x_nᵀw/‖w‖; w [..., d], Xy [n, d]."""
    return 1.0 - np.linalg.norm(w_hat) * (w @ Xy.T).min(-1) / np.linalg.norm(w, axis=-1)
