"""dltheory.science.tangent_kernel against known answers: the layer-by-layer tangent kernel equals J Jᵀ from plain
autograd (ReLU and softplus); at initialization it approaches the analytic infinite-width ReLU
kernel, closer as the width grows; it has rank at most the parameter count, and a ReLU kernel
loses one rank per dead input beyond the first; the two-dead-inputs probability against a Monte
Carlo count; the linearized network's path against gradient descent on the explicit Taylor model
and its closed form; the batched trainer is gradient descent; the lazily scaled model moves, and
strays from its linearization, like 1/α."""

import numpy as np
import pytest
import torch

from dltheory.science.tangent_kernel import (
    alpha_sweep,
    dead_point_counts,
    displacement,
    forward,
    init_network,
    inverse_top_eigenvalue,
    kernel_spectrum,
    linearized_path,
    pl_sweep,
    relative_change,
    relu_ntk,
    sphere_points,
    tangent_kernel,
    train,
    two_dead_probability,
    width_sweep,
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


@pytest.mark.parametrize("activation", ["relu", "softplus"])
@pytest.mark.parametrize("widths", [[3, 5, 1], [3, 5, 4, 1], [2, 6, 6, 6, 1]])
def test_tangent_kernel_is_j_jt(widths, activation):
    net = init_network(widths, seeds=[0, 1], activation=activation)
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
    """Softplus: rank min(n, parameters). ReLU: at most w(n₀ + 1) + 1, since relu(h) = h·relu'(h)
    puts each readout weight's column in the span of its unit's input weights and bias."""
    x, _ = sphere_points(60, 10, seed=0)
    soft = kernel_spectrum([2, 4, 64], x, seeds=[0, 1, 2], device="cpu", activation="softplus")
    assert (soft["rank"] == np.minimum(60, soft.parameters)).all() and (soft.dead_points == 0).all()
    small = soft[soft.parameters < 60]  # widths 2 (25 parameters) and 4 (49)
    assert len(small) == 6 and (small.lambda_min / small.lambda_max < 1e-12).all()
    relu = kernel_spectrum([2, 4, 64], x, seeds=[0, 1, 2], device="cpu")
    narrow = relu[relu.width < 64]
    assert (narrow["rank"] <= narrow.width * 11 + 1).all()
    wide = relu[relu.width == 64]
    assert (wide.lambda_min / wide.lambda_max > 1e-6).all() and (wide["rank"] == 60).all()


def test_each_dead_input_beyond_the_first_costs_the_relu_kernel_one_rank():
    """One hidden ReLU layer of width 4 on 40 inputs in R²⁰ (85 effective parameters): every
    init's rank deficit is max(dead − 1, 0), and some inits have two or more dead inputs."""
    x, _ = sphere_points(40, 20, seed=1)
    table = kernel_spectrum([4], x, seeds=range(30), device="cpu")
    assert (table.dead_points >= 2).sum() >= 5
    assert ((40 - table["rank"]) == (table.dead_points - 1).clip(lower=0)).all()


def test_two_dead_probability_known_answers():
    assert two_dead_probability(1, 3) == 0.0
    assert two_dead_probability(2, 3) == pytest.approx(1 / 64)  # both dead: q²
    assert two_dead_probability(100, 30) == pytest.approx(100 * 99 / 2 * 2.0**-60, rel=1e-6)  # rare: C(n, 2) q²
    assert two_dead_probability(100, 1) == pytest.approx(1.0)


def test_two_dead_probability_matches_a_monte_carlo_count_on_orthogonal_inputs():
    """Orthogonal inputs and no bias make the inputs' pre-activations independent, so the count of
    dead inputs is Binomial(n, 2^−w): its mean and P(≥ 2) match, within 4 Monte Carlo s.e."""
    n, width, draws = 10, 3, 40000
    x = torch.eye(12, dtype=torch.float64)[:n] * np.sqrt(12)
    counts = dead_point_counts(x, width, draws, seed=0, beta=0.0)
    p = two_dead_probability(n, width)
    assert abs((counts >= 2).mean() - p) < 4 * np.sqrt(p * (1 - p) / draws)
    assert abs(counts.mean() - n / 8) < 4 * np.sqrt(n / 8 * 7 / 8 / draws)


def test_linearized_path_is_gradient_descent_on_the_taylor_model():
    """Against the explicit linear model f₀ + J₀(θ − θ₀) trained by gradient descent in parameter
    space (J₀ by autograd), two members with their own steps, the first stopping after 3 steps."""
    x, y = sphere_points(6, 3, seed=4)
    probe, _ = sphere_points(4, 3, seed=5)
    net = init_network([3, 7, 1], seeds=[0, 1])
    lr, stopped_at, steps = torch.tensor([0.4, 0.2], dtype=torch.float64), torch.tensor([3, -1]), 5
    path = linearized_path(
        tangent_kernel(net, x), tangent_kernel(net, probe, x), forward(net, x)[0], forward(net, probe)[0], y, lr, steps, stopped_at
    )
    assert path.shape == (steps + 1, 2, 4)
    for member in range(2):
        J, J_probe = jacobian(net, x, member), jacobian(net, probe, member)
        f0, g0 = forward(net, x)[0][member], forward(net, probe)[0][member]
        theta = torch.zeros(J.shape[1], dtype=torch.float64)  # θ − θ₀
        for t in range(steps):
            torch.testing.assert_close(path[t, member], g0 + J_probe @ theta, rtol=1e-10, atol=1e-12)
            if stopped_at[member] < 0 or t < stopped_at[member]:
                theta = theta - lr[member] * J.T @ (f0 + J @ theta - y) / len(x)
        torch.testing.assert_close(path[steps, member], g0 + J_probe @ theta, rtol=1e-10, atol=1e-12)


def test_linearized_path_on_the_training_inputs_in_closed_form():
    """f^lin_t(X) − y = (I − ηΘ₀/P)^t (f₀(X) − y)."""
    x, y = sphere_points(8, 4, seed=6)
    net = init_network([4, 16, 1], seeds=[0])
    kernel, f0 = tangent_kernel(net, x), forward(net, x)[0]
    lr = inverse_top_eigenvalue(kernel)  # a contraction: rounding does not grow
    path = linearized_path(kernel, kernel, f0, f0, y, lr, 12)
    step = torch.eye(8, dtype=torch.float64) - lr * kernel[0] / 8
    torch.testing.assert_close(path[12, 0] - y, torch.linalg.matrix_power(step, 12) @ (f0[0] - y), rtol=1e-10, atol=1e-12)


def test_train_records_the_probe_outputs():
    x, y = sphere_points(6, 3, seed=7)
    probe, _ = sphere_points(3, 3, seed=8)
    net = init_network([3, 8, 1], seeds=[0, 1])
    start = forward(net, probe)[0]
    run = train(net, x, y, 0.2, steps=4, probe=probe)
    assert run["probe_outputs"].shape == (5, 2, 3)
    torch.testing.assert_close(run["probe_outputs"][0], start)
    torch.testing.assert_close(run["probe_outputs"][-1], forward(net, probe)[0])
    centred = train(init_network([3, 8, 1], seeds=[0, 1]), x, y, 0.2, steps=4, center=10.0, probe=probe)["probe_outputs"]
    assert (centred[0] == 0).all() and (centred[-1] != 0).all()


def test_a_wider_network_stays_nearer_its_linearization():
    x, y = sphere_points(16, 4, seed=9)
    _, gaps = width_sweep(1, [16, 1024], x[:8], y[:8], x[8:], seeds=[0, 1, 2], target_loss_ratio=1e-2, max_steps=500, device="cpu")
    mean = gaps.groupby("width").gap.mean()
    assert mean[1024] < 0.25 * mean[16] and (gaps.steps > 0).all() and (gaps.scale > gaps.gap).all()


def test_pl_sweep_records_the_bound_and_the_kernel_every_few_steps():
    """bound_t = L₀(1 − λ_min(Θ₀)/λ_max(Θ₀))^t (η = 1/λ_max(Θ₀/n)); λ at steps 0, 4, 8 and the last."""
    x, y = sphere_points(20, 5, seed=10)
    curves = pl_sweep([64], x, y, seeds=[0, 1], steps=10, kernel_every=4, activation="softplus", device="cpu")
    kernel_steps = curves.dropna(subset=["lambda_min"])
    assert sorted(set(kernel_steps.step)) == [0, 4, 8, 10] and len(curves) == 22
    for _, g in curves.groupby("seed"):
        start = g[g.step == 0].iloc[0]
        expected = start.loss * (1 - start.lambda_min / start.lambda_max) ** g.step
        np.testing.assert_allclose(g.bound, expected, rtol=1e-10)
    spectrum = kernel_spectrum([64], x, seeds=[0, 1], device="cpu", activation="softplus")
    np.testing.assert_allclose(kernel_steps[kernel_steps.step == 0].lambda_min, spectrum.lambda_min, rtol=1e-10)


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
    smooth = alpha_sweep([10, 100, 1000], 64, x, y, seeds=[0, 1], steps=50, device="cpu", activation="softplus")
    strayed = smooth.groupby("alpha").linearization_gap.mean()  # Thm 2.2's smooth model: O(1/α)
    assert strayed[10] / strayed[100] == pytest.approx(10, rel=0.2) and strayed[100] / strayed[1000] == pytest.approx(10, rel=0.05)
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
