"""dltheory.science.propagation: constructed inputs, batching, determinism, agreement with theory, the fit."""

import numpy as np
import pandas as pd
import pytest
import torch

from dltheory.science import meanfield
from dltheory.science.propagation import fit_correlation_depth_scale, measure_propagation, probe_inputs

SMALL = dict(width=256, depth=6, seeds=[0, 1], n_probes=2, n_pairs=3, q0=1.5, c0=0.2, delta=0.1)


def replayed(sigma_w2, sigma_b2, *, width, depth, seeds, n_probes, n_pairs, q0, c0, delta, device="cpu", dtype=torch.float64):
    """What measure_propagation must return, computed the plain way: NumPy float64, one network and
    one σ_w² at a time. The inputs are built as its docstring says (orthonormal directions from
    probe_inputs, lengths and correlations from the mean-field q*, c*), and the network of a seed is
    what ``device``'s generator seeded with it draws, in the documented order: per layer G [N, N],
    then g [N]. Columns q, q_pairs, c, c_upper, c_lower, each [layer, seed, σ_w²]."""
    N, P = width, n_pairs
    scales = meanfield.depth_scales(np.asarray(sigma_w2, float), sigma_b2, "tanh")
    u = probe_inputs(N, n_probes + 2 * P, seed=seeds[0], dtype=dtype).double().numpy()
    probes, base, other = u[:, :n_probes], u[:, n_probes : n_probes + P], u[:, n_probes + P :]
    partner = lambda c: c * base + np.sqrt(1 - c**2) * other  # noqa: E731
    cosine = lambda a, b: np.mean((a * b).sum(0) / np.sqrt((a * a).sum(0) * (b * b).sum(0)))  # noqa: E731
    out = {name: np.zeros((depth + 1, len(seeds), len(sigma_w2))) for name in ("q", "q_pairs", "c", "c_upper", "c_lower")}
    for i, seed in enumerate(seeds):
        generator = torch.Generator(device=device).manual_seed(int(seed))
        draw = lambda *shape: torch.randn(*shape, generator=generator, device=device, dtype=dtype).double().cpu().numpy()  # noqa: E731
        network = [(draw(N, N), draw(N)) for _ in range(depth)]
        for k, (sw, q_star, c_star) in enumerate(zip(sigma_w2, scales.q_star, scales.c_star)):
            pairs = [base, partner(c0), partner(min(c_star + delta / 2, 1.0)), partner(c_star - delta / 2)]
            z = np.concatenate([np.sqrt(N * q0) * probes, *(np.sqrt(N * q_star) * v for v in pairs)], axis=1)
            for layer in range(depth + 1):
                if layer:
                    gauss, bias = network[layer - 1]
                    z = np.sqrt(sw / N) * gauss @ np.tanh(z) + np.sqrt(sigma_b2) * bias[:, None]
                length = (z * z).sum(0) / N
                a, *partners = (z[:, n_probes + j * P : n_probes + (j + 1) * P] for j in range(4))
                out["q"][layer, i, k], out["q_pairs"][layer, i, k] = length[:n_probes].mean(), length[n_probes:].mean()
                for name, b in zip(("c", "c_upper", "c_lower"), partners):
                    out[name][layer, i, k] = cosine(a, b)
    return out


def assert_matches(df, expected, rtol, atol):
    """Every (layer, seed, σ_w²) value of ``df`` equals ``expected``'s (the table's rows run layer, seed, σ_w²)."""
    for name, values in expected.items():
        np.testing.assert_allclose(df[name].to_numpy().reshape(values.shape), values, rtol=rtol, atol=atol, err_msg=name)


# float32: one layer's dot products of N = 256 terms round to ~√N·2⁻²⁴ ≈ 1e-6 (relative), and 6 layers
# at χ₁ ≤ 1.6 (σ_w² = 3) grow that by a few times; the seed-to-seed spread at this width is ~1e-2.
FLOAT32 = dict(rtol=2e-5, atol=2e-5)


def test_probe_inputs_are_orthonormal():
    u = probe_inputs(64, 10, seed=3)
    np.testing.assert_allclose(u.T @ u, np.eye(10), atol=1e-12)


def test_layer_zero_has_the_prescribed_moments():
    df = measure_propagation([1.5, 3.0], 0.05, **SMALL, log=lambda _: None)
    first = df[df.layer == 0]
    np.testing.assert_allclose(first.q, 1.5, rtol=1e-12)
    np.testing.assert_allclose(first.c, 0.2, atol=1e-12)
    np.testing.assert_allclose(first.q_pairs, first.q_star, rtol=1e-12)
    np.testing.assert_allclose(first.c_upper - first.c_lower, np.where(first.c_star < 1, 0.1, 0.05), atol=1e-12)
    assert len(df) == 2 * 2 * (SMALL["depth"] + 1)


def test_batching_over_sigma_w2_changes_nothing_and_seeds_are_deterministic():
    both = measure_propagation([1.5, 3.0], 0.05, **SMALL, log=lambda _: None)
    alone = measure_propagation([3.0], 0.05, **SMALL, log=lambda _: None)
    again = measure_propagation([1.5, 3.0], 0.05, **SMALL, log=lambda _: None)
    pd.testing.assert_frame_equal(both, again)
    cols = ["q", "c", "c_upper", "c_lower", "q_pairs"]
    np.testing.assert_allclose(both[both.sigma_w2 == 3.0][cols].to_numpy(), alone[cols].to_numpy(), rtol=1e-10)


def test_wide_networks_follow_the_mean_field_maps():
    df = measure_propagation(
        [1.5, 3.0], 0.05, width=2000, depth=3, seeds=[0, 1, 2, 3], n_probes=4, n_pairs=4, q0=1.5, c0=0.2, delta=0.1, log=lambda _: None
    )
    for sw, group in df.groupby("sigma_w2"):
        measured = group.groupby("layer")[["q", "c"]].mean()
        q_theory, _ = meanfield.propagate(1.5, 1.0, sw, 0.05, 3)
        _, c_theory = meanfield.propagate(group.q_star.iloc[0], 0.2, sw, 0.05, 3)
        np.testing.assert_allclose(measured.q, q_theory, rtol=0.03)
        np.testing.assert_allclose(measured.c, c_theory, atol=0.03)


def test_fit_recovers_a_known_depth_scale():
    rng = np.random.default_rng(0)
    layers, seeds = np.arange(41), np.arange(16)
    rows = []
    for xi in (4.0, 12.0):
        for s in seeds:
            gap = 0.1 * np.exp(-layers / xi) + rng.normal(0, 2e-4, layers.size)
            rows.append(pd.DataFrame({"sigma_w2": xi, "seed": s, "layer": layers, "c_upper": 0.5 + gap, "c_lower": 0.5}))
    fits = fit_correlation_depth_scale(pd.concat(rows))
    np.testing.assert_allclose(fits.xi_c_measured, [4.0, 12.0], rtol=0.03)
    assert (fits.first_layer == 1).all() and (fits.n_layers >= 5).all()


def test_fit_reports_no_window_when_there_is_only_noise():
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"sigma_w2": 2.0, "seed": np.repeat(np.arange(8), 20), "layer": np.tile(np.arange(20), 8)})
    df["c_upper"] = rng.normal(0, 0.01, len(df))
    df["c_lower"] = rng.normal(0, 0.01, len(df))
    fits = fit_correlation_depth_scale(df)
    assert fits.n_layers.iloc[0] == 0 and np.isnan(fits.xi_c_measured.iloc[0])


def test_no_finite_fixed_point_is_a_clear_error():
    with pytest.raises(ValueError, match="no finite q"):
        measure_propagation([3.0], 0.05, **SMALL, activation="relu", log=lambda _: None)


def test_each_network_is_the_plain_computation_on_the_weights_its_seed_draws():
    """Per layer, seed and σ_w²: float64 to rounding, and float32 (what the workflow runs) within its rounding."""
    df = measure_propagation([1.5, 3.0], 0.05, **SMALL, log=lambda _: None)
    assert_matches(df, replayed([1.5, 3.0], 0.05, **SMALL), rtol=1e-10, atol=1e-12)
    df32 = measure_propagation([1.5, 3.0], 0.05, **SMALL, dtype=torch.float32, log=lambda _: None)
    assert_matches(df32, replayed([1.5, 3.0], 0.05, **SMALL, dtype=torch.float32), **FLOAT32)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("dtype, tolerance", [(torch.float64, dict(rtol=1e-9, atol=1e-11)), (torch.float32, FLOAT32)])
def test_cuda_matches_the_plain_computation_on_the_same_networks(dtype, tolerance):
    """The CUDA generator draws other networks than the CPU's (the same seed gives other weights), so
    the CUDA table is checked, value by value, against the plain float64 computation on the networks
    the CUDA generator draws; layer 0 (built on the CPU) must also equal the CPU's."""
    gpu = measure_propagation([1.5, 3.0], 0.05, **SMALL, device="cuda", dtype=dtype, log=lambda _: None)
    assert_matches(gpu, replayed([1.5, 3.0], 0.05, **SMALL, device="cuda", dtype=dtype), **tolerance)
    cpu = measure_propagation([1.5, 3.0], 0.05, **SMALL, device="cpu", dtype=dtype, log=lambda _: None)
    columns = ["q", "q_pairs", "c", "c_upper", "c_lower"]
    np.testing.assert_allclose(gpu[gpu.layer == 0][columns], cpu[cpu.layer == 0][columns], **tolerance)
