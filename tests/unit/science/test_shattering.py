"""dltheory.science.shattering against known answers: dy/dx against finite differences with the batch
statistics frozen (and different from the live-statistics derivative), the 1-layer net's
piecewise-constant gradient with kinks at −b/w, looks-linear nets exactly linear, the lag-1
correlation of white and brown noise, nested depths, the one-layer transfer's factor equal to
P(both on)/P(on) of the activation patterns; the autocorrelation of white noise (0) and of an AR(1)
sequence (ρ^k), the input gradients of vector inputs against finite differences, the pair moments
and pattern agreement against brute force, a 1-layer net's correlation at two inputs an angle θ
apart (1 − θ/π, the agreement of their patterns), and Theorem 1's 2^{−L} on random inputs."""

import math

import numpy as np
import pandas as pd
import pytest
import torch

from dltheory.science.shattering import (
    Net,
    Weights,
    autocorrelation,
    depth_sweep,
    forward,
    input_gradients,
    lag1,
    layer_transfer,
    noise_references,
    pair_moments,
    pair_sweep,
    pattern_agreement,
)

X = torch.linspace(-2, 2, 64, dtype=torch.float64)


@pytest.mark.parametrize(
    "net",
    [
        Net("feedforward", 6, 16, "centre"),
        Net("feedforward", 6, 16, "batch_norm"),
        Net("resnet", 6, 16, "batch_norm", beta=0.5),
        Net("crelu", 6, 16, "centre"),
    ],
    ids=lambda n: f"{n.architecture}-{n.normalization}",
)
def test_gradient_is_the_finite_difference_with_frozen_statistics(net):
    weights = Weights(net, seeds=[0, 1])
    grads, _, records = forward(weights, X, keep=True)
    statistics = [stats for _, stats in records]
    eps = 1e-6
    plus = forward(weights, X + eps, statistics=statistics)[1]
    minus = forward(weights, X - eps, statistics=statistics)[1]
    torch.testing.assert_close(grads, (plus - minus) / (2 * eps), rtol=1e-6, atol=1e-7)
    if net.normalization != "none":  # with live statistics the finite difference is another number
        live = (forward(weights, X + eps)[1] - forward(weights, X - eps)[1]) / (2 * eps)
        assert (live - grads).abs().max() > 1e-3 * grads.abs().max()


def test_one_layer_gradient_is_piecewise_constant_with_kinks_at_minus_b_over_w():
    net = Net("feedforward", 1, 12, "centre")
    weights = Weights(net, seeds=[3])
    w, b, v = weights.input()[0, 0], weights.input_bias()[0, 0], weights.readout()[0]
    grads = forward(weights, X)[0][0, 0]
    expected = ((X[:, None] * w + b > 0) * (w * v)).sum(1)  # Σ_j v_j w_j 1[w_j x + b_j > 0]
    torch.testing.assert_close(grads, expected, rtol=1e-12, atol=1e-12)
    kinks = (-b / w).sort().values
    changes = X[1:][grads.diff().abs() > 1e-12]
    for x in changes:  # every change of dy/dx between neighbours has a kink in between
        assert ((kinks > x - (X[1] - X[0])) & (kinks <= x)).any()


def test_looks_linear_net_is_exactly_linear():
    net = Net("crelu", 12, 20, "centre", looks_linear=True)
    grads, outputs, _ = forward(Weights(net, seeds=[0, 1, 2]), X)
    spread = grads.std(dim=2) / grads.abs().mean(dim=2)
    assert spread.max() < 1e-12
    y = outputs[-1]
    slope = (y[:, -1] - y[:, 0]) / (X[-1] - X[0])
    torch.testing.assert_close(y, y[:, :1] + slope[:, None] * (X - X[0]), rtol=1e-10, atol=1e-10)
    unmirrored = forward(Weights(Net("crelu", 12, 20, "centre"), seeds=[0, 1, 2]), X)[0]
    assert (unmirrored.std(dim=2) / unmirrored.abs().mean(dim=2)).max() > 0.1


def test_lag1_of_white_and_brown_noise():
    noise = noise_references(200, 256, seed=0)
    assert abs(lag1(noise["white"])) < 0.01
    assert lag1(noise["brown"]) > 0.98
    assert lag1(np.tile(np.arange(8.0), (5, 1)) * np.arange(1, 6)[:, None]) == pytest.approx(1.0)  # scaled copies of one curve


def test_nested_depths_and_reproducible_weights():
    deep, shallow = Net("resnet", 8, 16, "batch_norm", beta=0.3), Net("resnet", 3, 16, "batch_norm", beta=0.3)
    torch.testing.assert_close(forward(Weights(deep, [5, 6]), X)[0][:3], forward(Weights(shallow, [5, 6]), X)[0])
    weights = Weights(deep, [5, 6])
    torch.testing.assert_close(weights.layer(4), weights.layer(4))
    assert not torch.equal(weights.layer(4)[0], weights.layer(4)[1]) and not torch.equal(weights.layer(4), weights.layer(5))
    rows, grads = depth_sweep(deep, [5, 6, 7], X, torch.float64)
    assert [r["depth"] for r in rows] == list(range(1, 9)) and grads.shape == (8, 3, 64)


def test_one_layer_factor_is_the_joint_on_fraction_of_the_patterns():
    """Feedforward: ⟨δ(x), δ(x')⟩ ∝ #units on for both, ‖δ‖² ∝ #on, so the factor is
    P(both on)/√(P(on) P'(on)) ≈ agreement for P(on) = 1/2: 1/2 for independent patterns. Resnet
    (β = 1): (1 + 2 P(both on))/(1 + 2 P(on)), 3/4 when independent, and the variance doubles."""
    x = torch.linspace(-2, 2, 128, dtype=torch.float64)
    rows = pd.DataFrame(layer_transfer(Weights(Net("feedforward", 20, 200, "centre"), range(16)), x, [1, 16, 64]))
    assert np.abs(rows.factor - rows.agreement).max() < 0.05
    res = pd.DataFrame(layer_transfer(Weights(Net("resnet", 20, 200, "centre", beta=1.0), range(16)), x, [1, 16, 64]))
    assert np.abs(res.factor - (1 + res.agreement) / 2).max() < 0.05
    assert res.log2_variance_gain.mean() == pytest.approx(1.0, abs=0.05)


def ar1(rho: float, inits: int, points: int, seed: int = 0) -> np.ndarray:
    """[inits, points] of a stationary AR(1) along the grid: g_i = ρ g_{i−1} + √(1 − ρ²) z_i, whose
    correlation at lag k is ρ^k."""
    z = np.random.default_rng(seed).normal(size=(inits, points))
    g = np.empty_like(z)
    g[:, 0] = z[:, 0]
    for i in range(1, points):
        g[:, i] = rho * g[:, i - 1] + math.sqrt(1 - rho**2) * z[:, i]
    return g


def test_autocorrelation_of_white_noise_and_of_an_ar1_sequence():
    lags = [0, 1, 2, 5, 10, 20]
    white = autocorrelation(noise_references(4000, 64, seed=1)["white"], lags)
    assert white[0] == pytest.approx(1.0) and np.abs(white[1:]).max() < 0.01
    g = ar1(0.8, 4000, 64)
    np.testing.assert_allclose(autocorrelation(g, lags), 0.8 ** np.array(lags), atol=0.01)
    assert lag1(g) == autocorrelation(g, [1])[0]


@pytest.mark.parametrize(
    "net",
    [
        Net("feedforward", 5, 16, "centre", inputs=4),
        Net("feedforward", 5, 16, "batch_norm", inputs=4),
        Net("resnet", 5, 16, "batch_norm", beta=0.5, inputs=4),
    ],
    ids=lambda n: f"{n.architecture}-{n.normalization}",
)
def test_input_gradients_are_the_finite_differences_with_frozen_statistics(net):
    """Each coordinate c of ∂y_i/∂x_i against (y(x + ε e_c) − y(x − ε e_c))/2ε, the batch statistics
    frozen, at the depths asked for (the nested nets)."""
    x = torch.randn(12, 4, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    weights = Weights(net, seeds=[0, 1], dtype=torch.float64)
    _, _, records = forward(weights, x, keep=True)
    depths = [1, 3, 5]
    grads = input_gradients(weights, records, depths)  # [3, E, P, d]
    statistics, eps = [stats for _, stats in records], 1e-6
    for c in range(4):
        step = torch.zeros(4, dtype=torch.float64)
        step[c] = eps
        difference = (forward(weights, x + step, statistics=statistics)[1] - forward(weights, x - step, statistics=statistics)[1]) / (
            2 * eps
        )
        torch.testing.assert_close(grads[..., c], difference[[d - 1 for d in depths]], rtol=1e-6, atol=1e-7)


def test_input_gradients_of_the_scalar_input_are_the_forward_tangents():
    x = torch.linspace(-2, 2, 32, dtype=torch.float64)
    for net in (Net("feedforward", 6, 16, "centre"), Net("resnet", 6, 16, "batch_norm", beta=0.3)):
        weights = Weights(net, seeds=[3, 4])
        tangents, _, records = forward(weights, x, keep=True)
        torch.testing.assert_close(input_gradients(weights, records, range(1, 7))[..., 0], tangents)


def test_pair_moments_and_pattern_agreement_against_brute_force():
    rng = np.random.default_rng(0)
    g = rng.normal(size=(3, 7, 5))
    covariance, variance = pair_moments(g)
    pairs = [(i, j) for i in range(7) for j in range(i + 1, 7)]
    np.testing.assert_allclose(covariance, [np.mean([g[e, i] @ g[e, j] for i, j in pairs]) for e in range(3)])
    np.testing.assert_allclose(variance, [np.mean([g[e, i] @ g[e, i] for i in range(7)]) for e in range(3)])
    mask = rng.random((3, 7, 11)) < 0.3
    np.testing.assert_allclose(pattern_agreement(mask), [np.mean([(mask[e, i] == mask[e, j]).mean() for i, j in pairs]) for e in range(3)])
    assert pattern_agreement(np.ones((2, 5, 4), dtype=bool)) == pytest.approx([1.0, 1.0])
    assert pattern_agreement(rng.random((1, 400, 400)) < 0.5)[0] == pytest.approx(0.5, abs=0.005)


def test_pair_moments_of_a_common_part_plus_noise():
    """g_i = a + b_i, a shared by the inputs (variance 1 per coordinate), b_i independent (variance
    3): covariance/variance = 1/4 over initializations."""
    rng = np.random.default_rng(1)
    g = rng.normal(size=(2000, 1, 6)) + math.sqrt(3) * rng.normal(size=(2000, 8, 6))
    covariance, variance = pair_moments(g)
    assert covariance.sum() / variance.sum() == pytest.approx(0.25, abs=0.02)


def test_one_layer_correlation_is_one_minus_the_angle_over_pi():
    """A 1-layer net y = v · relu(W x) (no bias for vector inputs): the gradient W (v ∘ 1[Wx > 0]) at two
    inputs an angle θ apart has correlation P(both on)/P(on) = 1 − θ/π over initializations, the
    agreement of their patterns (Gaussian weights: a unit separates them with probability θ/π)."""
    theta = math.pi / 3
    x = torch.tensor([[1.0, 0.0, 0.0], [math.cos(theta), math.sin(theta), 0.0]], dtype=torch.float64)
    weights = Weights(Net("feedforward", 1, 40, "centre", inputs=3), seeds=range(3000))
    _, _, records = forward(weights, x, keep=True)
    covariance, variance = pair_moments(input_gradients(weights, records, [1])[0].numpy())
    assert covariance.sum() / variance.sum() == pytest.approx(1 - theta / math.pi, abs=0.02)
    assert pattern_agreement(records[0][0].numpy()).mean() == pytest.approx(1 - theta / math.pi, abs=0.01)


def test_theorem1_covariance_is_two_to_the_minus_depth_of_the_variance_on_random_inputs():
    """Mean-centred feedforward nets on random inputs: the patterns of two inputs agree on 1/2 of the
    units in every layer, and the correlation of their gradients is 2^{−L} (Theorem 1)."""
    rows = pd.DataFrame(
        pair_sweep(Net("feedforward", 4, 128, "centre", inputs=64), range(32), 48, [1, 2, 3, 4], seed=0, dtype=torch.float64)
    )
    sums = rows.groupby("depth")[["covariance", "variance"]].sum()
    np.testing.assert_allclose(sums.covariance / sums.variance, 2.0 ** -np.arange(1, 5), rtol=0.15)
    assert rows.groupby("depth").agreement.mean().sub(0.5).abs().max() < 0.02
