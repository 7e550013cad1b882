"""Measured signal propagation through real random networks, batched over seeds and σ_w².

The mean-field maps of :mod:`dltheory.science.meanfield` are infinite-width predictions; here finite
networks (width N, pre-activations ``z^{l+1} = W^{l+1} φ(z^l) + b^{l+1}``, ``W_ij ~ N(0, σ_w²/N)``,
``b_i ~ N(0, σ_b²)``) are drawn and the empirical length ``q^l = |z^l|²/N`` and correlation
``c^l = z_a·z_b / (|z_a| |z_b|)`` measured layer by layer (Poole et al. 2016, Fig. 2;
Schoenholz et al. 2017, Fig. 1).

Batching: for one seed and one layer a single standard-normal matrix G [N, N] and bias draw
g [N] serve every σ_w² (``W = √(σ_w²/N) G``, ``b = √σ_b² g``: common random numbers, so the
curves for different σ_w² differ by σ_w² and not by seed noise), and the seeds are stacked, so a
layer is one ``torch.bmm`` of [S, N, N] by [S, N, K·M] for S seeds, K values of σ_w² and M probe
vectors.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import torch

from dltheory.core.progress import Progress
from dltheory.science import meanfield

TORCH_ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "tanh": torch.tanh,
    "relu": torch.relu,
}


def probe_inputs(width: int, n_vectors: int, seed: int, dtype=torch.float64) -> torch.Tensor:
    """Orthonormal directions for the layer-0 pre-activations, shape [width, n_vectors].

    Columns are exactly orthonormal (QR of a Gaussian matrix), so every constructed input has
    exactly the prescribed length and every pair exactly the prescribed correlation at layer 0.
    """
    g = torch.Generator().manual_seed(seed)
    return torch.linalg.qr(torch.randn(width, n_vectors, generator=g, dtype=dtype)).Q


def _partners(base, other, corr):
    """Vectors of the same length as ``base`` with correlation ``corr`` to it: c·base + √(1−c²)·other."""
    return corr * base + torch.sqrt(1.0 - corr**2) * other


def measure_propagation(
    sigma_w2: Sequence[float],
    sigma_b2: float,
    *,
    width: int,
    depth: int,
    seeds: Sequence[int],
    n_probes: int,
    n_pairs: int,
    q0: float,
    c0: float,
    delta: float,
    activation: str = "tanh",
    device: str = "cpu",
    dtype: torch.dtype = torch.float64,
    log: Callable[[str], None] = print,
) -> pd.DataFrame:
    """Propagate constructed inputs through random networks; one row per (seed, σ_w², layer).

    Layer 0 holds, for each σ_w²:
    - ``n_probes`` vectors of length q0 (the length panel: q^l → q*);
    - ``n_pairs`` base vectors a_j of length q* and, for each, three partners of length q*
      sharing one orthogonal direction b_j: at correlation c0 (the correlation panel:
      c^l → c*), and at min(c* + δ/2, 1) and c* − δ/2 (the depth-scale measurement). The last
      two see the same network and the same a_j, b_j, so their difference isolates the linear
      response δ·χ_c^l = δ·exp(−l/ξ_c) while the finite-width fluctuations, common to both,
      cancel; placing them symmetrically about c* cancels the C-map's curvature to second
      order (with both below c* and δ = 0.1 the fitted ξ_c is ~15% low near the line).
    Layers 1..depth are random layers.

    Columns: the parameters, ``layer``, ``q`` (mean over probes of |z|²/N), ``q_pairs`` (mean
    length of the pair vectors: should stay at q*), and means over pairs of the correlations
    ``c`` (from c0), ``c_upper`` (from min(c* + δ/2, 1)) and ``c_lower`` (from c* − δ/2).
    """
    phi = TORCH_ACTIVATIONS[activation]
    sw = np.asarray(sigma_w2, float)
    K, S, N, P = len(sw), len(seeds), width, n_pairs
    M = n_probes + 4 * P
    scales = meanfield.depth_scales(sw, sigma_b2, activation)
    if not np.all(np.isfinite(scales.q_star)):
        bad = sw[~np.isfinite(scales.q_star)].tolist()
        raise ValueError(f"no finite q* for {activation} at sigma_w2={bad}, sigma_b2={sigma_b2}")

    # Layer-0 pre-activations z [S, N, K, M]: the same directions for every σ_w² and seed.
    u = probe_inputs(N, n_probes + 2 * P, seed=int(seeds[0]), dtype=dtype)[:, None, :]  # [N, 1, ·]
    probes, base, other = u[..., :n_probes], u[..., n_probes : n_probes + P], u[..., n_probes + P :]
    length = torch.as_tensor(np.sqrt(N * scales.q_star), dtype=dtype)[None, :, None]  # [1, K, 1]
    c_star = torch.as_tensor(scales.c_star, dtype=dtype)[None, :, None]
    c_start = torch.as_tensor(c0, dtype=dtype)
    z = torch.cat(
        [
            np.sqrt(N * q0) * probes.expand(N, K, n_probes),
            length * base,
            length * _partners(base, other, c_start),
            length * _partners(base, other, torch.clamp(c_star + delta / 2, max=1.0)),
            length * _partners(base, other, c_star - delta / 2),
        ],
        dim=2,
    )
    z = z.expand(S, N, K, M).to(device).contiguous()
    weight_scale = torch.as_tensor(np.sqrt(sw / N), dtype=dtype, device=device)[None, None, :, None]
    bias_scale = float(np.sqrt(sigma_b2))
    generators = [torch.Generator(device=device).manual_seed(int(s)) for s in seeds]
    pair_slices = [slice(n_probes + i * P, n_probes + (i + 1) * P) for i in range(4)]  # base, c0, upper, lower

    # Results [L+1, S, K] are allocated before the loop: small tensors appended layer by layer would
    # sit between each layer's freed [S, N, N] draws and keep the allocator from reusing that memory.
    rows = {name: z.new_empty(depth + 1, S, K) for name in ("q", "q_pairs", "c", "c_upper", "c_lower")}
    progress = Progress(depth, log, unit="layers")
    for layer in range(depth + 1):  # loop over layers only; seeds, σ_w² and inputs are batched
        tick = time.perf_counter()
        if layer > 0:
            gauss = torch.stack([torch.randn(N, N, generator=g, device=device, dtype=dtype) for g in generators])
            bias = torch.stack([torch.randn(N, generator=g, device=device, dtype=dtype) for g in generators])
            h = torch.bmm(gauss, phi(z).reshape(S, N, K * M)).reshape(S, N, K, M)
            z = weight_scale * h + bias_scale * bias[:, :, None, None]
        sq = (z * z).sum(dim=1)  # [S, K, M]
        base_z, base_sq = z[..., pair_slices[0]], sq[..., pair_slices[0]]
        rows["q"][layer] = sq[..., :n_probes].mean(-1) / N
        rows["q_pairs"][layer] = sq[..., n_probes:].mean(-1) / N
        for name, sl in zip(("c", "c_upper", "c_lower"), pair_slices[1:]):
            corr = (base_z * z[..., sl]).sum(dim=1) / torch.sqrt(base_sq * sq[..., sl])
            rows[name][layer] = corr.mean(-1)
        progress.step(int(layer > 0), time.perf_counter() - tick)  # layer 0 is measured, not computed
        if layer % max(1, depth // 10) == 0 or layer == depth:
            progress.report(f"layer {layer}/{depth} ({S} seeds x {K} sigma_w2 x {M} vectors, width {N}, {device})")

    layer_idx, seed_idx, k_idx = (i.ravel() for i in np.meshgrid(np.arange(depth + 1), np.arange(S), np.arange(K), indexing="ij"))
    columns = {name: v.double().cpu().numpy().ravel() for name, v in rows.items()}  # [L+1, S, K] each
    return pd.DataFrame(
        {
            "activation": activation,
            "width": N,
            "sigma_w2": sw[k_idx],
            "sigma_b2": sigma_b2,
            "seed": np.asarray(seeds)[seed_idx],
            "layer": layer_idx,
            "q0": q0,
            "c0": c0,
            "delta": delta,
            "q_star": scales.q_star[k_idx],
            "c_star": scales.c_star[k_idx],
            **columns,
        }
    )


def fit_correlation_depth_scale(propagation: pd.DataFrame, min_signal_to_noise: float = 4.0, min_layers: int = 5) -> pd.DataFrame:
    """Measured ξ_c per σ_w² from the perturbation pairs of :func:`measure_propagation`.

    The difference d^l = c_upper^l − c_lower^l (mean over seeds) decays as δ·exp(−l/ξ_c). The fit
    is a weighted least-squares line through log d^l over the first run of layers l ≥ 1 where
    d^l exceeds ``min_signal_to_noise`` standard errors across seeds (weights (d/sem)²), so the
    noise floor reached at depth never enters. One row per σ_w²: ``xi_c_measured``, the fit
    window, and ``n_layers`` (nan and 0 where fewer than ``min_layers`` layers qualify).
    """
    out = []
    for sigma_w2, group in propagation.groupby("sigma_w2"):
        per_layer = (group.c_upper - group.c_lower).groupby(group.layer).agg(["mean", "std", "count"])
        diff, sem = per_layer["mean"].to_numpy(), per_layer["std"].to_numpy() / np.sqrt(per_layer["count"].to_numpy())
        above = (diff > min_signal_to_noise * sem) & (diff > 0)
        above[0] = False
        first = int(np.argmax(above)) if above.any() else 0
        last = first + int(np.argmin(above[first:])) if not above[first:].all() else len(above)
        layers = per_layer.index.to_numpy()[first:last]
        xi = np.nan
        if first > 0 and layers.size >= min_layers:
            w = (diff[first:last] / sem[first:last]) ** 2
            slope = np.polyfit(layers, np.log(diff[first:last]), 1, w=np.sqrt(w))[0]
            xi = -1.0 / slope if slope < 0 else np.inf
        out.append(
            {
                "sigma_w2": sigma_w2,
                "xi_c_measured": xi,
                "first_layer": int(layers[0]) if layers.size else -1,
                "last_layer": int(layers[-1]) if layers.size else -1,
                "n_layers": int(layers.size) if np.isfinite(xi) else 0,
            }
        )
    return pd.DataFrame(out)
