"""Mean-field signal propagation in wide random networks, vectorized over parameter grids.

A fully connected network with pre-activations ``z^{l+1} = W^{l+1} φ(z^l) + b^{l+1}``,
``W_ij ~ N(0, σ_w²/N)`` and ``b_i ~ N(0, σ_b²)`` propagates, in the infinite-width limit, the
length ``q^l`` of one input and the correlation ``c^l`` of two inputs through deterministic maps
(Poole et al. 2016, "Exponential expressivity in deep neural networks through transient chaos";
Schoenholz et al. 2017, "Deep Information Propagation"):

    q-map     q^{l+1} = σ_w² ∫Dz φ(√q^l z)² + σ_b²
    C-map     c^{l+1} = (σ_w² E[φ(u1) φ(u2)] + σ_b²) / q*,
              u1 = √q* z1,  u2 = √q* (c z1 + √(1−c²) z2)
    χ_1       σ_w² ∫Dz φ'(√q* z)²         (slope of the C-map at c = 1)
    χ_c       σ_w² E[φ'(u1*) φ'(u2*)]      (slope of the C-map at its stable fixed point c*)
    ξ_c       −1 / log χ_c                 (depth scale of correlations)
    ξ_q       −1 / log(χ_1 + σ_w² ∫Dz φ''(√q* z) φ(√q* z))   (depth scale of lengths)

χ_1 < 1 is the ordered phase (c* = 1, gradients vanish), χ_1 > 1 the chaotic phase (a stable
c* < 1 appears, gradients explode), χ_1 = 1 the critical line, given parametrically in q by
``σ_w²(q) = 1/∫Dz φ'(√q z)²``, ``σ_b²(q) = q − σ_w²(q) ∫Dz φ(√q z)²``.

Every function broadcasts over array-valued ``sigma_w2`` / ``sigma_b2`` (variances, not standard
deviations) and works in float64. Gaussian integrals use a trapezoid rule on a uniform grid of
standard-normal z: for integrands analytic in a strip (tanh has poles at ±iπ/(2√q)) its error falls
geometrically with the number of nodes, far faster than Gauss–Hermite at the q* of interest
(121 nodes on [−9, 9] reach ~1e-15 for q ≤ 5). Fixed points are found by bracketing bisection
(q*) and by Newton's method from c = 0 (c*), never by iterating the maps, which converge only at
rate χ and so stall near the critical line. There is no Python loop over grid points.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from dltheory.core.grids import grid_axis

# Trapezoid nodes on [−Z_MAX, Z_MAX]: the Gaussian weight beyond 9σ is below 1e-18.
Z_MAX = 9.0
DEFAULT_QUADRATURE_POINTS = 121
# Points of the parameter grid handled at once by the 2-D (correlation) quadrature, which holds
# an array of shape [chunk, n, n]: 256 × 121 × 121 float64 ≈ 30 MB.
CHUNK = 256


def gaussian_nodes(n: int = DEFAULT_QUADRATURE_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """Nodes z and weights w, both shape [n], with ``Σ w f(z) ≈ ∫Dz f(z)`` (trapezoid rule)."""
    z = np.linspace(-Z_MAX, Z_MAX, n)
    w = (z[1] - z[0]) * np.exp(-0.5 * z**2) / np.sqrt(2.0 * np.pi)
    return z, w


class Activation:
    """A pointwise nonlinearity and the Gaussian moments the maps need.

    The moments are computed by quadrature; subclasses with closed forms override them. All
    methods broadcast: ``q`` and ``c`` are arrays of any (common) shape.
    """

    name = "activation"

    def __init__(self, n_quadrature: int = DEFAULT_QUADRATURE_POINTS):
        self.z, self.w = gaussian_nodes(n_quadrature)

    # Pointwise function and derivatives (subclasses define them).
    def phi(self, x):
        raise NotImplementedError

    def dphi(self, x):
        raise NotImplementedError

    def d2phi(self, x):
        raise NotImplementedError

    # One-dimensional moments: E over z ~ N(0, 1) of f(√q z).
    def _expect(self, f, q):
        x = np.sqrt(np.asarray(q, dtype=float))[..., None] * self.z  # [..., n]
        return f(x) @ self.w

    def second_moment(self, q):
        """∫Dz φ(√q z)²."""
        return self._expect(lambda x: self.phi(x) ** 2, q)

    def derivative_second_moment(self, q):
        """∫Dz φ'(√q z)²."""
        return self._expect(lambda x: self.dphi(x) ** 2, q)

    def curvature_moment(self, q):
        """∫Dz φ''(√q z) φ(√q z), the extra term in ξ_q."""
        return self._expect(lambda x: self.d2phi(x) * self.phi(x), q)

    def phi_and_dphi(self, x):
        """φ(x) and φ'(x) together (subclasses share work between them)."""
        return self.phi(x), self.dphi(x)

    def pair_moments(self, q, c):
        """E[φ(u1) φ(u2)] and E[φ'(u1) φ'(u2)] for (u1, u2) of variance q and correlation c.

        u1 = √q z1, u2 = √q (c z1 + √(1−c²) z2) on the tensor grid of trapezoid nodes. Returns
        two arrays of the broadcast shape of q and c.
        """
        q, c = np.broadcast_arrays(np.asarray(q, float), np.asarray(c, float))
        cross, dcross = np.empty(q.shape), np.empty(q.shape)
        flat_q, flat_c = q.ravel(), c.ravel()
        for start in range(0, flat_q.size, CHUNK):  # chunks bound memory, not a loop over points
            sl = slice(start, start + CHUNK)
            rq = np.sqrt(flat_q[sl])[:, None]  # [k, 1]
            cc = flat_c[sl][:, None, None]  # [k, 1, 1]
            ss = np.sqrt(np.clip(1.0 - cc**2, 0.0, None))  # clip: 1 − c² ≥ 0
            f1, d1 = self.phi_and_dphi(rq * self.z)  # [k, n] over z1
            f2, d2 = self.phi_and_dphi(rq[:, :, None] * (cc * self.z[:, None] + ss * self.z))  # [k, n1, n2]
            # Integrate z2 first ([k, n1]), then z1: no [k, n, n] product temporaries.
            cross.reshape(-1)[sl] = np.einsum("ki,ki,i->k", f1, f2 @ self.w, self.w)
            dcross.reshape(-1)[sl] = np.einsum("ki,ki,i->k", d1, d2 @ self.w, self.w)
        return cross, dcross


class Tanh(Activation):
    name = "tanh"

    def phi(self, x):
        return np.tanh(x)

    def dphi(self, x):
        return 1.0 / np.cosh(np.clip(x, -350, 350)) ** 2

    def d2phi(self, x):
        return -2.0 * np.tanh(x) * self.dphi(x)

    def phi_and_dphi(self, x):
        t = np.tanh(x)
        return t, 1.0 - t * t


class ReLU(Activation):
    """ReLU with the closed-form arc-cosine kernel moments (Cho & Saul 2009).

    ∫Dz relu(√q z)² = q/2, ∫Dz step(√q z)² = 1/2, so χ_1 = σ_w²/2 whatever q: the critical
    point is (σ_w², σ_b²) = (2, 0) and no finite q* exists for σ_b² > 0 at σ_w² ≥ 2.
    """

    name = "relu"

    def phi(self, x):
        return np.maximum(x, 0.0)

    def dphi(self, x):
        return (x > 0).astype(float)

    def d2phi(self, x):
        return np.zeros_like(x)

    def second_moment(self, q):
        return 0.5 * np.asarray(q, float)

    def derivative_second_moment(self, q):
        return np.full(np.shape(q), 0.5)

    def curvature_moment(self, q):
        return np.zeros(np.shape(q))

    def pair_moments(self, q, c):
        q, c = np.broadcast_arrays(np.asarray(q, float), np.clip(c, -1.0, 1.0))
        angle = np.arccos(c)
        return q / (2 * np.pi) * (np.sqrt(1 - c**2) + (np.pi - angle) * c), (np.pi - angle) / (2 * np.pi)


ACTIVATIONS = {cls.name: cls for cls in (Tanh, ReLU)}


def get_activation(activation: str | Activation, n_quadrature: int = DEFAULT_QUADRATURE_POINTS) -> Activation:
    """Look up an activation by name ('tanh', 'relu'); instances pass through."""
    if isinstance(activation, Activation):
        return activation
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; allowed: {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[activation](n_quadrature)


def _bisect(f, lo, hi, iterations: int = 200):
    """Vectorized bisection for the sign change of f on [lo, hi] (f(lo) ≥ 0 > f(hi)).

    Stops when every interval is at float64 resolution; returns the midpoint.
    """
    lo, hi = np.array(lo, float), np.array(hi, float)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        if np.all((mid == lo) | (mid == hi)):
            break
        positive = f(mid) >= 0
        lo, hi = np.where(positive, mid, lo), np.where(positive, hi, mid)
    return 0.5 * (lo + hi)


def q_map(q, sigma_w2, sigma_b2, activation="tanh"):
    """One step of the length map: σ_w² ∫Dz φ(√q z)² + σ_b²."""
    act = get_activation(activation)
    return sigma_w2 * act.second_moment(q) + sigma_b2


def q_star(sigma_w2, sigma_b2, activation="tanh", q_max: float = 1e8):
    """Stable fixed point q* of the length map, shape of ``broadcast(sigma_w2, sigma_b2)``.

    Bisection of f(q) = q-map(q) − q on [0, hi]: f(0) = σ_b² ≥ 0 and the upper end is doubled
    until f(hi) < 0. Where f stays positive up to ``q_max`` (ReLU at σ_w² ≥ 2) q* = inf. At
    σ_b² = 0 the bisection returns the non-trivial fixed point when it exists (f > 0 just above 0),
    else 0.
    """
    act = get_activation(activation)
    sw, sb = np.broadcast_arrays(np.asarray(sigma_w2, float), np.asarray(sigma_b2, float))

    def f(q):
        return sw * act.second_moment(q) + sb - q

    hi = np.maximum(sw + sb, 1.0)
    while np.any(grow := (f(hi) >= 0) & (hi < q_max)):
        hi = np.where(grow, 2.0 * hi, hi)
    root = _bisect(f, np.zeros_like(hi), hi)
    return np.where(f(hi) >= 0, np.inf, root)


def c_star(q, sigma_w2, sigma_b2, activation="tanh", chi_1=None, iterations: int = 100):
    """Stable fixed point c* of the correlation map at length q (normally q*).

    In the ordered phase (χ_1 ≤ 1) c* = 1. In the chaotic phase g(c) = C(c) − c is convex on
    [0, 1] with g(0) = σ_b²/q* ≥ 0 and g'(c) = χ_c(c) − 1 (Price's theorem: dE[φφ]/dc =
    q E[φ'φ']), so Newton's method from c = 0 climbs monotonically to c* without overshooting.
    """
    act = get_activation(activation)
    q, sw, sb = np.broadcast_arrays(*(np.asarray(a, float) for a in (q, sigma_w2, sigma_b2)))
    if chi_1 is None:
        chi_1 = sw * act.derivative_second_moment(q)
    chaotic = np.isfinite(q) & (q > 0) & (np.asarray(chi_1) > 1.0)
    c = np.ones(q.shape)
    idx = np.flatnonzero(chaotic)  # the active set: points still converging
    qf, swf, sbf = q.ravel(), sw.ravel(), sb.ravel()
    cf = c.reshape(-1)
    cf[idx] = 0.0
    for _ in range(iterations):
        if idx.size == 0:
            break
        cross, dcross = act.pair_moments(qf[idx], cf[idx])
        g = (swf[idx] * cross + sbf[idx]) / qf[idx] - cf[idx]
        dg = swf[idx] * dcross - 1.0
        step = np.where(dg < 0, -g / np.where(dg < 0, dg, -1.0), 0.0)
        cf[idx] = np.clip(cf[idx] + step, 0.0, 1.0)
        # Converged: a step below 1e-13 (quadratic convergence leaves ~1e-26; near the critical
        # line, where c* is a near-double root, roundoff in g / g' is ~1e-14), or no step up.
        idx = idx[step > 1e-13]
    return c


@dataclass(frozen=True)
class DepthScales:
    """Fixed points, slopes and depth scales on a (σ_w², σ_b²) grid; every field has its shape."""

    sigma_w2: np.ndarray
    sigma_b2: np.ndarray
    q_star: np.ndarray
    c_star: np.ndarray
    chi_1: np.ndarray
    chi_c: np.ndarray
    xi_c: np.ndarray
    xi_q: np.ndarray

    def as_columns(self) -> dict[str, np.ndarray]:
        """Flattened columns, ready for a tidy table (one row per grid point)."""
        return {f.name: np.ravel(getattr(self, f.name)) for f in fields(self)}


def _depth_scale(slope):
    """ξ = −1/log(slope): inf at slope 1, nan where the slope is not in (0, 1]."""
    slope = np.asarray(slope, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        xi = -1.0 / np.log(slope)
    return np.where((slope > 0) & (slope <= 1), np.where(slope == 1, np.inf, xi), np.nan)


def depth_scales(sigma_w2, sigma_b2, activation="tanh", n_quadrature: int = DEFAULT_QUADRATURE_POINTS) -> DepthScales:
    """q*, c*, χ_1, χ_c, ξ_c and ξ_q over the broadcast grid of ``sigma_w2`` and ``sigma_b2``.

    ξ_c uses χ_c at the stable c*: in the chaotic phase c* < 1 must be solved first, because
    χ_1 > 1 there and −1/log χ_1 would be negative. In the ordered phase χ_c = χ_1.
    """
    act = get_activation(activation, n_quadrature)
    sw, sb = np.broadcast_arrays(np.asarray(sigma_w2, float), np.asarray(sigma_b2, float))
    qs = q_star(sw, sb, act)
    finite = np.isfinite(qs)
    q_eval = np.where(finite, qs, 1.0)  # placeholder length where q* = inf, masked below
    with np.errstate(invalid="ignore"):  # at q* = inf: ReLU's slope σ_w²/2 needs no q; others give nan
        chi_1 = sw * act.derivative_second_moment(qs)
    cs = np.where(finite, c_star(q_eval, sw, sb, act, chi_1=chi_1), np.nan)
    chi_c = np.where(cs < 1, sw * act.pair_moments(q_eval, np.where(finite, cs, 1.0))[1], chi_1)
    chi_c = np.where(finite, chi_c, np.nan)
    xi_q = _depth_scale(np.where(finite, chi_1 + sw * act.curvature_moment(q_eval), np.nan))
    return DepthScales(sw, sb, qs, cs, chi_1, chi_c, _depth_scale(chi_c), xi_q)


def critical_line_parametric(q, activation="tanh"):
    """The critical line χ_1 = 1 as a curve in q: returns (σ_w²(q), σ_b²(q))."""
    act = get_activation(activation)
    q = np.asarray(q, float)
    sigma_w2 = 1.0 / act.derivative_second_moment(q)
    return sigma_w2, q - sigma_w2 * act.second_moment(q)


def critical_line(sigma_b2, activation="tanh", q_max: float = 1e4):
    """Critical σ_w² (and the q* on the line) at each given σ_b²: solves σ_b²(q) = target.

    σ_b²(q) rises from 0 at q = 0 (for tanh σ_w² ≈ 1 + 2q and σ_b² ≈ 4q³/3, so σ_b² ≈
    (σ_w² − 1)³/6 near the origin); bisection in log q resolves that flat start.
    At σ_b² = 0 the line starts at σ_w² = 1/φ'(0)² (tanh: 1). Where σ_b²(q) never reaches
    the target (ReLU, whose line is the single point (2, 0)), both outputs are nan.

    Returns (sigma_w2, q_star), each of the shape of ``sigma_b2``.
    """
    act = get_activation(activation)
    target = np.asarray(sigma_b2, float)

    def f(log_q):  # ≥ 0 below the root
        return target - critical_line_parametric(np.exp(log_q), act)[1]

    lo = np.full(target.shape, np.log(1e-300))
    hi = np.full(target.shape, np.log(q_max))
    reachable = f(hi) < 0
    q = np.exp(_bisect(f, lo, hi))
    q = np.where(target <= 0, 0.0, np.where(reachable, q, np.nan))
    sigma_w2 = np.where(np.isnan(q), np.nan, 1.0 / act.derivative_second_moment(np.nan_to_num(q)))
    return sigma_w2, q


def propagate(q0, c0, sigma_w2, sigma_b2, depth: int, activation="tanh"):
    """Theory curves: iterate the joint (q, c) map of two inputs of equal length for ``depth`` layers.

    ``q^{l+1} = σ_w² ∫Dz φ(√q^l z)² + σ_b²``, ``c^{l+1} = (σ_w² E[φ(u1)φ(u2)] + σ_b²)/q^{l+1}``
    with (u1, u2) of variance q^l and correlation c^l. Starting at q0 = q* this is the C-map.
    Returns (q, c), each of shape [depth + 1, *broadcast shape], index 0 being the input.
    """
    act = get_activation(activation)
    q, c, sw, sb = np.broadcast_arrays(*(np.asarray(a, float) for a in (q0, c0, sigma_w2, sigma_b2)))
    qs, cs = [q], [c]
    for _ in range(depth):  # a loop over layers: each step is vectorized over the grid
        q_next = sw * act.second_moment(q) + sb
        c = (sw * act.pair_moments(q, c)[0] + sb) / q_next
        q = q_next
        qs.append(q)
        cs.append(c)
    return np.stack(qs), np.stack(cs)


def critical_line_table(activation: str, sigma_b2_max: float, num: int, include: list[float]) -> pd.DataFrame:
    """The critical line at ``num`` values of σ_b² in [0, max], uniform in (σ_b²)^(1/3).

    Near the origin σ_b² ≈ (σ_w² − 1)³/6 for tanh, so cube-root spacing places the points
    evenly along the line where it leaves (1, 0) almost flat. ``include`` adds exact values
    (the guide σ_b²) so the claims can read them from the table.
    """
    sigma_b2 = np.unique(np.concatenate([sigma_b2_max * np.linspace(0.0, 1.0, num) ** 3, include]))
    sigma_w2, q = critical_line(sigma_b2, activation)
    return pd.DataFrame({"activation": activation, "sigma_b2": sigma_b2, "sigma_w2": sigma_w2, "q_star": q})


def depth_scales_table(activation: str, grid: dict, n_quadrature: int) -> pd.DataFrame:
    """q*, c*, χ_1, χ_c, ξ_c, ξ_q at every (σ_w², σ_b²) of the grid, one row per point."""
    sigma_w2, sigma_b2 = np.meshgrid(grid_axis(grid["sigma_w2"]), grid_axis(grid["sigma_b2"]), indexing="ij")
    scales = depth_scales(sigma_w2, sigma_b2, activation, n_quadrature)
    return pd.DataFrame({"activation": activation, **scales.as_columns()})
