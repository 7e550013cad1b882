"""dltheory.science.batchnorm against known answers: the closed-form backward against PyTorch's
kernel and finite differences, P's spectrum (a projection of rank N − 2 at eps = 0; eigenvalues
1, …, 1, 1 − r, 0 otherwise), ‖P² − P‖_F = r(1 − r), and the SGD row identity on a tiny network."""

import numpy as np
import pytest
import torch

from dltheory.science.batchnorm import (
    BatchNorm,
    autograd_backward,
    batchnorm_backward,
    idempotence_defect,
    network,
    normalize,
    projection,
    projection_defect,
    train_recording_rows,
)


def batch(n=8, c=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(rng.normal(0, 2, c), rng.uniform(0.5, 3, c), (n, c)), rng.standard_normal((n, c)), rng.uniform(0.5, 2, c)


@pytest.mark.parametrize("eps", [1e-5, 0.1, 2.0])
def test_closed_form_matches_pytorchs_batch_norm_kernel(eps):
    f, g, gamma = batch()
    xhat, s = normalize(f, eps)
    np.testing.assert_allclose(
        batchnorm_backward(g, xhat, s, gamma), autograd_backward(f, g, gamma, np.zeros(3), eps), rtol=1e-12, atol=1e-14
    )


def test_closed_form_at_eps_zero_matches_finite_differences():
    """PyTorch refuses eps = 0 in training: a central difference of Σ g·BN(f) is the independent check."""
    f, g, gamma = batch(n=5, c=1)
    xhat, s = normalize(f, 0.0)
    closed = batchnorm_backward(g, xhat, s, gamma)

    def loss(values):
        x, _ = normalize(values, 0.0)
        return float((g * gamma * x).sum())

    h = 1e-6
    numeric = np.array([(loss(f + h * e) - loss(f - h * e)) / (2 * h) for e in np.eye(5)[:, :, None]]).reshape(5, 1)
    np.testing.assert_allclose(closed, numeric, rtol=1e-7, atol=1e-9)


def test_batchnorm_module_equals_pytorchs_in_train_mode():
    f, _, gamma = batch(n=16, c=4)
    x = torch.tensor(f)
    ours = BatchNorm(4, 1e-5)
    with torch.no_grad():
        ours.weight.copy_(torch.tensor(gamma))
    theirs = torch.nn.functional.batch_norm(
        x, None, None, torch.tensor(gamma), torch.zeros(4, dtype=torch.float64), training=True, eps=1e-5
    )
    torch.testing.assert_close(ours(x), theirs, rtol=1e-13, atol=1e-13)


def test_a_constant_node_at_eps_zero_gives_zero_not_nan():
    x = torch.zeros(6, 2, dtype=torch.float64, requires_grad=True)
    y = BatchNorm(2, 0.0)(x)
    y.sum().backward()
    assert torch.equal(y, torch.zeros(6, 2, dtype=torch.float64)) and torch.isfinite(x.grad).all()


def test_at_eps_zero_p_is_the_orthogonal_projection_off_one_and_xhat():
    f, _, _ = batch(n=10, c=1)
    xhat, _ = normalize(f, 0.0)
    P = projection(xhat[:, 0])
    eigenvalues = np.linalg.eigvalsh(P)
    np.testing.assert_allclose(eigenvalues, [0, 0] + [1] * 8, atol=1e-13)
    np.testing.assert_allclose(P @ np.ones(10), 0, atol=1e-13)
    np.testing.assert_allclose(P @ xhat[:, 0], 0, atol=1e-13)
    defect, rank = projection_defect(xhat[:, 0])
    assert defect < 1e-14 and rank == 8


@pytest.mark.parametrize("eps", [1e-3, 0.5, 4.0])
def test_with_eps_p_has_eigenvalue_one_minus_r_and_defect_r_one_minus_r(eps):
    f, _, _ = batch(n=10, c=1, seed=3)
    variance = f.var()
    r = variance / (variance + eps)
    xhat, _ = normalize(f, eps)
    np.testing.assert_allclose(np.linalg.eigvalsh(projection(xhat[:, 0])), sorted([0, 1 - r] + [1] * 8), atol=1e-12)
    defect, rank = projection_defect(xhat[:, 0])
    assert defect == pytest.approx(idempotence_defect(variance, eps), rel=1e-10) and rank == 9


def test_gradient_is_zero_mean_for_every_eps_and_orthogonal_to_xhat_only_at_zero():
    f, g, gamma = batch(n=12, c=2)
    for eps in (0.0, 0.3):
        xhat, s = normalize(f, eps)
        g_f = batchnorm_backward(g, xhat, s, gamma)
        np.testing.assert_allclose(g_f.sum(0), 0, atol=1e-13)
        r = f.var(0) / (f.var(0) + eps)
        np.testing.assert_allclose((xhat * g_f).sum(0), gamma / s * (1 - r) * (xhat * g).sum(0), atol=1e-13)


@pytest.mark.parametrize("order", ["bn_relu", "relu_bn"])
def test_sgd_grows_each_row_by_eta_squared_gradient_squared_with_bn_and_not_without(order):
    """(3) on a tiny problem: exact to rounding with BN at eps = 0; without BN, w·∇w ≠ 0."""
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((40, 5)), rng.integers(0, 3, 40)
    records = {}
    for eps in (0.0, None):
        torch.manual_seed(0)
        records[eps] = train_recording_rows(network(5, 6, 3, order, eps), x, y, x, y, lr=0.1, batch_size=20, steps=30, seed=0)
    exact, plain = records[0.0], records[None]
    np.testing.assert_allclose(exact.increment, exact.predicted, rtol=1e-9, atol=1e-14)
    assert np.all(np.diff(exact.weight_norm, axis=0) >= -1e-15)  # the norms never shrink
    assert np.abs(plain.increment - plain.predicted).sum() > 0.1 * plain.predicted.sum()
    if order == "bn_relu":  # the Linear layer feeds BN directly: its bias gradient vanishes
        assert exact.bias_gradient.max() < 1e-14 < plain.bias_gradient.max()
