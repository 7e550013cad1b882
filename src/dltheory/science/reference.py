"""Straightforward per-point reference implementations, for tests and benchmark ratios only.

Mean-field quantities written the way public notebooks compute them: one parameter point at a
time, each Gaussian integral an adaptive ``scipy.integrate.quad`` (nested for the 2-D ones), each
fixed point a ``scipy.optimize.brentq`` over those integrals. Slow and independent of
:mod:`dltheory.science.meanfield`, which must agree with it to ~1e-8.

Training written the plain way: :func:`train_sequential` trains one ``nn.Sequential`` of
``nn.Linear`` layers at a time with its own ``torch.optim`` optimizer, the loop every tutorial
shows. :func:`dltheory.engine.depth_training.train_ensemble` must give the same losses and accuracies.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from scipy import integrate, optimize
from torch import nn

from dltheory.core.data import Dataset
from dltheory.core.device import DTYPES
from dltheory.engine.depth_training import TrainSpec, records
from dltheory.engine.ensembles import Member, init_member
from dltheory.engine.training import batch_indices, make_optimizer

_TOL = dict(epsabs=1e-13, epsrel=1e-13, limit=200)
_ACTIVATIONS = {
    "tanh": (np.tanh, lambda x: 1.0 - np.tanh(x) ** 2),
    "relu": (lambda x: max(x, 0.0), lambda x: float(x > 0)),
}


def _gauss(f) -> float:
    """∫Dz f(z) by adaptive quadrature over the real line."""
    return integrate.quad(lambda z: f(z) * np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi), -np.inf, np.inf, **_TOL)[0]


def _gauss2(f) -> float:
    """∫Dz1 Dz2 f(z1, z2) as nested adaptive quadratures (10σ box)."""
    inner = lambda z1: integrate.quad(lambda z2: f(z1, z2) * np.exp(-0.5 * z2 * z2), -10, 10, **_TOL)[0]
    return integrate.quad(lambda z1: inner(z1) * np.exp(-0.5 * z1 * z1), -10, 10, **_TOL)[0] / (2 * np.pi)


def q_star(sigma_w2: float, sigma_b2: float, activation: str = "tanh") -> float:
    phi, _ = _ACTIVATIONS[activation]
    f = lambda q: sigma_w2 * _gauss(lambda z: phi(np.sqrt(q) * z) ** 2) + sigma_b2 - q
    return optimize.brentq(f, 1e-12, 10.0 * (sigma_w2 + sigma_b2) + 1.0, xtol=1e-15, rtol=1e-15)


def chi_1(sigma_w2: float, sigma_b2: float, activation: str = "tanh") -> float:
    _, dphi = _ACTIVATIONS[activation]
    q = q_star(sigma_w2, sigma_b2, activation)
    return sigma_w2 * _gauss(lambda z: dphi(np.sqrt(q) * z) ** 2)


def _pair(f, q: float, c: float) -> float:
    s = np.sqrt(max(1.0 - c * c, 0.0))
    return _gauss2(lambda z1, z2: f(np.sqrt(q) * z1) * f(np.sqrt(q) * (c * z1 + s * z2)))


def c_star(sigma_w2: float, sigma_b2: float, activation: str = "tanh") -> float:
    """Stable correlation fixed point: 1 in the ordered phase, else the root of C(c) − c in (0, 1)."""
    if chi_1(sigma_w2, sigma_b2, activation) <= 1.0:
        return 1.0
    phi, _ = _ACTIVATIONS[activation]
    q = q_star(sigma_w2, sigma_b2, activation)
    g = lambda c: (sigma_w2 * _pair(phi, q, c) + sigma_b2) / q - c
    return optimize.brentq(g, 0.0, 1.0 - 1e-6, xtol=1e-14, rtol=1e-15)


def xi_c(sigma_w2: float, sigma_b2: float, activation: str = "tanh") -> float:
    """Correlation depth scale −1/log χ_c at (q*, c*)."""
    _, dphi = _ACTIVATIONS[activation]
    c = c_star(sigma_w2, sigma_b2, activation)
    if c == 1.0:
        return -1.0 / np.log(chi_1(sigma_w2, sigma_b2, activation))
    q = q_star(sigma_w2, sigma_b2, activation)
    return -1.0 / np.log(sigma_w2 * _pair(dphi, q, c))


def critical_sigma_w2(sigma_b2: float, activation: str = "tanh") -> float:
    """σ_w² on the critical line at this σ_b²: the root of χ_1(σ_w²) = 1."""
    return optimize.brentq(lambda sw: chi_1(sw, sigma_b2, activation) - 1.0, 1.0, 4.0, xtol=1e-14, rtol=1e-15)


def sequential_mlp(member: Member, n_in: int, width: int, n_out: int, dtype=torch.float32) -> nn.Sequential:
    """The member as ``nn.Sequential`` of ``nn.Linear`` + ``nn.Tanh``, with its initial weights."""
    layers = []
    for w, b in init_member(member, n_in, width, n_out, dtype):
        linear = nn.Linear(*w.shape, dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.as_tensor(w.T))
            linear.bias.copy_(torch.as_tensor(b))
        layers += [linear, nn.Tanh()]
    return nn.Sequential(*layers[:-1])  # no tanh after the readout


def train_network(net: nn.Module, seed: int, x: torch.Tensor, y: torch.Tensor, spec: TrainSpec) -> tuple[int, bool]:
    """Train one network for ``spec.steps`` steps; (updates applied, diverged). Stops at the first
    non-finite loss or gradient, before applying it."""
    optimizer = make_optimizer(spec.optimizer, spec.lr, net.parameters())
    for step in range(spec.steps):
        idx = torch.as_tensor(batch_indices(seed, step, len(x), spec.batch_size), device=x.device)
        loss = F.cross_entropy(net(x[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        if not torch.isfinite(loss) or not all(torch.isfinite(p.grad).all() for p in net.parameters()):
            return step, True
        optimizer.step()
    return spec.steps, False


def train_sequential(members: list[Member], data: Dataset, spec: TrainSpec) -> pd.DataFrame:
    """Each member trained alone on the CPU, then evaluated on all of both splits."""
    dtype = DTYPES[spec.dtype]
    x_train, y_train = torch.as_tensor(data.x_train, dtype=dtype), torch.as_tensor(data.y_train)
    x_test, y_test = torch.as_tensor(data.x_test, dtype=dtype), torch.as_tensor(data.y_test)
    out = {"steps": [], "train_acc": [], "test_acc": [], "final_loss": [], "diverged": []}
    for member in members:
        net = sequential_mlp(member, data.n_features, spec.width, data.n_classes, dtype)
        steps, diverged = train_network(net, member.seed, x_train, y_train, spec)
        with torch.no_grad():
            train_logits, test_logits = net(x_train), net(x_test)
            out["final_loss"].append(F.cross_entropy(train_logits, y_train).item())
            out["train_acc"].append((train_logits.argmax(1) == y_train).double().mean().item())
            out["test_acc"].append((test_logits.argmax(1) == y_test).double().mean().item())
        out["steps"].append(steps)
        out["diverged"].append(diverged)
    return records(members, data, spec, **out)


def mi_vs_distance_loop(values: np.ndarray, distances, direction: str, n_bins: int) -> np.ndarray:
    """MI (bits) at each distance the straightforward way: one ``np.histogram2d`` per distance.

    Same bins and Miller–Madow correction as :func:`dltheory.science.mutual_information.mi_vs_distance`, which
    fills every distance's histogram in one ``bincount``.
    """
    from dltheory.science.mutual_information import mutual_information_bits, pixel_pairs, quantile_bins

    bins = quantile_bins(values, n_bins)
    out = []
    for d in distances:
        a, b = pixel_pairs(bins, d, direction)
        joint, _, _ = np.histogram2d(a, b, bins=n_bins, range=[[-0.5, n_bins - 0.5]] * 2)
        out.append(mutual_information_bits(joint))
    return np.array(out)


def min_norm_per_n(C: np.ndarray, Y: np.ndarray, grid) -> list[np.ndarray]:
    """The minimum-norm least-squares coefficients C[:, :N]⁺ Y for each N of ``grid``, one
    ``np.linalg.lstsq`` (an SVD, LAPACK gelsd) per N: what :func:`dltheory.science.random_features.min_norm_path`
    computes for the whole grid at once."""
    return [np.linalg.lstsq(C[:, :N], Y, rcond=None)[0] for N in grid]
