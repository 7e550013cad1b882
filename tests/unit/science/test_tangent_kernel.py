"""dltheory.science.tangent_kernel against known answers: the layer-by-layer tangent kernel equals J Jᵀ from plain
autograd; at initialization it approaches the analytic infinite-width ReLU kernel, closer as the
width grows; it has rank at most the parameter count; the batched trainer is gradient descent;
the lazily scaled model moves like 1/α."""

import numpy as np
import pytest
import torch

from dltheory.science.tangent_kernel import (
    alpha_sweep,
    displacement,
    forward,
    init_network,
    kernel_spectrum,
    relative_change,
    relu_ntk,
    sphere_points,
    tangent_kernel,
    train,
)


def jacobian(net, x, member):
    """J [P, parameters] of one member by autograd, one input at a time: the plain reference."""
    rows = []
    params = net.parameters()
    for i in range(len(x)):
        for p in params:
            p.requires_grad_(True)
        f = forward(net, x)[0][member, i]
        grads = torch.autograd.grad(f, params)
        rows.append(torch.cat([g[member].flatten() for g in grads]))
        for p in params:
            p.requires_grad_(False)
    return torch.stack(rows)


@pytest.mark.parametrize("widths", [[3, 5, 1], [3, 5, 4, 1], [2, 6, 6, 6, 1]])
def test_tangent_kernel_is_j_jt(widths):
    net = init_network(widths, seeds=[0, 1])
    x = torch.randn(7, widths[0], dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    K = tangent_kernel(net, x)
    for member in range(2):
        J = jacobian(net, x, member)
        torch.testing.assert_close(K[member], J @ J.T, rtol=1e-12, atol=1e-13)
    per_layer = tangent_kernel(net, x, per_layer=True)
    assert per_layer.shape == (len(widths) - 1, 2, 7, 7)
    torch.testing.assert_close(per_layer.sum(0), K)
    torch.testing.assert_close(tangent_kernel(net, x[:3], x[3:]), K[:, :3, 3:])


def test_kernel_at_init_approaches_the_infinite_width_limit():
    """Mean over 8 inits of Θ(x₀, x) on the circle, 3 hidden layers: the error to the arc-cosine
    recursion shrinks with width (roughly as 1/√width: ×4 width, about ×½ error)."""
    gamma = np.linspace(-np.pi, np.pi, 13)
    circle = np.c_[np.cos(gamma), np.sin(gamma)]
    limit = relu_ntk(circle[6:7], circle, depth=3)[0]
    errors = []
    for width in (64, 1024):
        net = init_network([2, width, width, width, 1], seeds=range(8))
        theta = tangent_kernel(net, torch.tensor(circle[6:7]), torch.tensor(circle))[:, 0].numpy()
        errors.append(np.abs(theta.mean(0) - limit).max() / limit.max())
    assert errors[1] < 0.5 * errors[0] and errors[1] < 0.05


def test_relu_ntk_of_one_hidden_layer_in_closed_form():
    """One hidden layer, unit inputs in 2-D at angle θ: Σ¹ = cos θ/2 + β², q = 1/2 + β²;
    Θ² = Σ¹ (π − φ)/2π + q/2π (sin φ + (π − φ) cos φ) + β², φ the angle of Σ¹/q."""
    beta, angle = 0.1, 1.0
    x = np.array([[1.0, 0.0]])
    y = np.array([[np.cos(angle), np.sin(angle)]])
    sigma, q = np.cos(angle) / 2 + beta**2, 0.5 + beta**2
    phi = np.arccos(sigma / q)
    expected = sigma * (np.pi - phi) / (2 * np.pi) + q / (2 * np.pi) * (np.sin(phi) + (np.pi - phi) * np.cos(phi)) + beta**2
    assert relu_ntk(x, y, depth=1, beta=beta)[0, 0] == pytest.approx(expected, rel=1e-12)


def test_kernel_has_rank_at_most_the_parameter_count():
    x, _ = sphere_points(60, 10, seed=0)
    table = kernel_spectrum([2, 4, 64], x, seeds=[0, 1, 2], device="cpu")
    small = table[table.parameters < 60]  # widths 2 (25 parameters) and 4 (49)
    assert len(small) == 6 and (small.lambda_min / small.lambda_max < 1e-12).all()
    wide = table[table.width == 64]
    assert (wide.lambda_min / wide.lambda_max > 1e-6).all()


def test_train_is_gradient_descent_on_the_mean_squared_loss():
    """Two steps of train() against two hand-written steps θ ← θ − η ∇(‖f − y‖²/2P) of autograd,
    each member with its own step."""
    x, y = sphere_points(5, 3, seed=1)
    net = init_network([3, 4, 1], seeds=[0, 1])
    reference = net.clone()
    lr = torch.tensor([0.3, 0.1], dtype=torch.float64)
    train(net, x, y, lr, steps=2)
    params = reference.parameters()
    for _ in range(2):
        for p in params:
            p.requires_grad_(True)
        loss = ((forward(reference, x)[0] - y) ** 2).mean(1) / 2
        grads = torch.autograd.grad(loss.sum(), params)
        with torch.no_grad():
            for p, g in zip(params, grads):
                p -= lr.view(2, *[1] * (p.dim() - 1)) * g
    for a, b in zip(net.parameters(), params):
        torch.testing.assert_close(a, b.detach(), rtol=1e-12, atol=1e-14)


def test_stop_loss_freezes_each_member_where_it_gets_there():
    x, y = sphere_points(8, 4, seed=2)
    net = init_network([4, 256, 1], seeds=[0, 1, 2])
    before = net.clone()
    loss0 = ((forward(net, x)[0] - y) ** 2).mean(1) / 2
    run = train(net, x, y, 1.0, steps=2000, stop_loss=1e-2 * loss0)
    stopped = run["stopped_at"]
    assert (stopped > 0).all()
    losses = run["losses"]
    for e in range(3):
        assert losses[stopped[e], e] <= 1e-2 * loss0[e] < losses[stopped[e] - 1, e]
        assert (losses[stopped[e] :, e] == losses[stopped[e], e]).all()  # frozen after
    assert (relative_change(net, before) > 0).all()


def test_lazy_scaling_moves_the_parameters_like_one_over_alpha():
    x, y = sphere_points(8, 4, seed=3)
    table = alpha_sweep([10, 100, 1000], 64, x, y, seeds=[0, 1], steps=50, device="cpu")
    moved = table.groupby("alpha").displacement.mean()
    assert moved[10] / moved[100] == pytest.approx(10, rel=0.05) and moved[100] / moved[1000] == pytest.approx(10, rel=0.01)
    net = init_network([4, 8, 1], seeds=[0])
    assert displacement(net, net.clone()).item() == 0


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_kernel_and_training_on_cuda_match_the_cpu():
    x, y = sphere_points(16, 8, seed=0)
    cpu = init_network([8, 128, 128, 1], seeds=[0, 1])
    gpu = cpu.to("cuda")
    torch.testing.assert_close(tangent_kernel(gpu, x).cpu(), tangent_kernel(cpu, x), rtol=1e-10, atol=1e-12)
    train(cpu, x, y, 0.5, steps=20)
    train(gpu, x, y, 0.5, steps=20)
    for a, b in zip(gpu.parameters(), cpu.parameters()):
        torch.testing.assert_close(a.cpu(), b, rtol=1e-9, atol=1e-11)
