"""dltheory.propagation: constructed inputs, batching, determinism, agreement with theory, the fit."""

import numpy as np
import pandas as pd
import pytest
import torch

from dltheory import meanfield
from dltheory.propagation import fit_correlation_depth_scale, measure_propagation, probe_inputs

SMALL = dict(width=256, depth=6, seeds=[0, 1], n_probes=2, n_pairs=3, q0=1.5, c0=0.2, delta=0.1)


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
    df = measure_propagation([1.5, 3.0], 0.05, width=2000, depth=3, seeds=[0, 1, 2, 3], n_probes=4, n_pairs=4, q0=1.5, c0=0.2, delta=0.1, log=lambda _: None)
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


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_matches_cpu():
    cpu = measure_propagation([1.5, 3.0], 0.05, **SMALL, device="cpu", log=lambda _: None)
    gpu = measure_propagation([1.5, 3.0], 0.05, **SMALL, device="cuda", log=lambda _: None)
    # Different generators on the two devices: compare statistics, not bits.
    assert gpu.q.mean() == pytest.approx(cpu.q.mean(), rel=0.1)
    assert gpu.c.mean() == pytest.approx(cpu.c.mean(), abs=0.05)
