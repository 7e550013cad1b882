"""dltheory.science.shattering against known answers: dy/dx against finite differences with the batch
statistics frozen (and different from the live-statistics derivative), the 1-layer net's
piecewise-constant gradient with kinks at −b/w, looks-linear nets exactly linear, the lag-1
correlation of white and brown noise, nested depths, and the one-layer transfer's factor equal to
P(both on)/P(on) of the activation patterns."""

import numpy as np
import pandas as pd
import pytest
import torch

from dltheory.science.shattering import Net, Weights, depth_sweep, forward, lag1, layer_transfer, noise_references

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
