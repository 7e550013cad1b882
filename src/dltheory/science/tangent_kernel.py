"""Lazy training: wide networks barely move, and their tangent kernel stays fixed.

Fully connected ReLU networks in the **NTK parameterization** of Jacot, Gabriel & Hongler
("Neural Tangent Kernel", NeurIPS 2018): layers l = 0 … L map x⁰ = x ∈ R^{n₀} by

    h^{l+1} = x^l W^l / √n_l + β b^l,   x^{l+1} = relu(h^{l+1}),   f(x) = h^{L+1} ∈ R,

with every W^l_ij and b^l_j ~ N(0, 1) and β = 0.1. The 1/√n_l sits in the forward pass, not in
the initialization, so a gradient step moves each weight by O(1/√n): as the widths grow the
network moves less and less while its function still fits the data (Lee et al. 2019, Thm 2.1;
Chizat, Oyallon & Bach 2019), and its **tangent kernel**

    Θ(x, x') = Σ_θ ∂f(x)/∂θ · ∂f(x')/∂θ

converges to a deterministic limit that stays fixed during training (Jacot et al. 2018, Thm 1–2).

The empirical kernel is computed layer by layer from forward activations x^l and backpropagated
deltas δ^{l+1} = ∂f/∂h^{l+1}: since ∂f/∂W^l = x^{l}ᵀ δ^{l+1}/√n_l and ∂f/∂b^l = β δ^{l+1},

    Θ(x, x') = Σ_l (x^l·x'^l / n_l + β²) (δ^{l+1}·δ'^{l+1}),

O(P² Σ_l n_l) for P inputs instead of the P × (number of parameters) Jacobian that ``jacrev``
would build (67 million parameters × P at width 8,192 with two hidden layers); it equals J Jᵀ
from plain autograd (a test checks). Networks of one shape are batched over seeds as stacked
tensors [E, …].

The infinite-width limit (:func:`relu_ntk`) is Jacot's recursion with the arc-cosine moments of
:class:`dltheory.science.meanfield.ReLU`:

    Σ¹ = x·x'/n₀ + β²,  Σ^{l+1} = E[relu(u) relu(v)] + β²,  Σ̇^{l+1} = E[relu'(u) relu'(v)],
    Θ¹ = Σ¹,            Θ^{l+1} = Θ^l Σ̇^{l+1} + Σ^{l+1},      (u, v) ~ N(0, Σ^l).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

BETA = 0.1  # Jacot et al.'s bias factor


@dataclass
class Network:
    """E networks of one shape, batched: ``weights[l]`` [E, n_l, n_{l+1}], ``biases[l]`` [E, n_{l+1}]."""

    weights: list[torch.Tensor]
    biases: list[torch.Tensor]
    beta: float = BETA

    def parameters(self) -> list[torch.Tensor]:
        return [*self.weights, *self.biases]

    def clone(self) -> Network:
        return Network([w.detach().clone() for w in self.weights], [b.detach().clone() for b in self.biases], self.beta)

    def parameter_count(self) -> int:
        return sum(w[0].numel() for w in self.parameters())

    def to(self, device: str) -> Network:
        return Network([w.to(device) for w in self.weights], [b.to(device) for b in self.biases], self.beta)


def init_network(widths: list[int], seeds, beta: float = BETA, dtype=torch.float64) -> Network:
    """Networks of layer widths ``widths`` = [n₀, n₁, …, n_L, 1], one per seed; each member's
    N(0, 1) draws come from its seed alone, in layer order (weights, then bias)."""
    weights, biases = [[] for _ in widths[:-1]], [[] for _ in widths[:-1]]
    for seed in seeds:
        generator = torch.Generator().manual_seed(int(seed))
        for l, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:])):
            weights[l].append(torch.randn(n_in, n_out, generator=generator, dtype=dtype))
            biases[l].append(torch.randn(n_out, generator=generator, dtype=dtype))
    return Network([torch.stack(w) for w in weights], [torch.stack(b) for b in biases], beta)


def forward(net: Network, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor], list[torch.Tensor]]:
    """f [E, P], the layer inputs x^0 … x^L [E, P, n_l] and the ReLU derivatives 1[h^l > 0]
    (l = 1 … L) [E, P, n_l], for inputs x [P, n₀] (shared) or [E, P, n₀]."""
    E = net.weights[0].shape[0]
    h = x.to(net.weights[0]).expand(E, *x.shape[-2:])
    inputs, masks = [h], []
    for l, (W, b) in enumerate(zip(net.weights, net.biases)):
        h = torch.baddbmm(net.beta * b[:, None, :], h, W, alpha=1.0 / np.sqrt(W.shape[1]))
        if l < len(net.weights) - 1:
            masks.append(h > 0)
            h = torch.relu(h)
            inputs.append(h)
    return h[..., 0], inputs, masks


def _deltas(net: Network, masks: list[torch.Tensor], shape) -> list[torch.Tensor]:
    """δ^{l+1} = ∂f/∂h^{l+1} for l = 0 … L, [E, P, n_{l+1}] (the last is 1)."""
    delta = net.weights[0].new_ones(*shape, 1)
    out = [delta]
    for W, mask in zip(reversed(net.weights[1:]), reversed(masks)):
        delta = (delta @ W.transpose(1, 2)) / np.sqrt(W.shape[1]) * mask
        out.append(delta)
    return out[::-1]


@torch.no_grad()
def tangent_kernel(net: Network, xa: torch.Tensor, xb: torch.Tensor | None = None, per_layer: bool = False) -> torch.Tensor:
    """The empirical NTK Θ(xa, xb) [E, Pa, Pb], or its contribution from each layer's weights and
    bias [L+1, E, Pa, Pb] with ``per_layer``; see the module docstring."""
    _, inputs_a, masks_a = forward(net, xa)
    deltas_a = _deltas(net, masks_a, inputs_a[0].shape[:2])
    if xb is None:
        inputs_b, deltas_b = inputs_a, deltas_a
    else:
        _, inputs_b, masks_b = forward(net, xb)
        deltas_b = _deltas(net, masks_b, inputs_b[0].shape[:2])
    layers = [
        (xa_l @ xb_l.transpose(1, 2) / xa_l.shape[-1] + net.beta**2) * (da @ db.transpose(1, 2))
        for xa_l, xb_l, da, db in zip(inputs_a, inputs_b, deltas_a, deltas_b)
    ]
    return torch.stack(layers) if per_layer else sum(layers)


def train(net: Network, x: torch.Tensor, y: torch.Tensor, lr, steps: int, stop_loss=None, center: float | None = None) -> dict:
    """Full-batch gradient descent on L = ‖f − y‖²/(2P) per member, in place.

    lr: a number or [E] (one step size per member); ``stop_loss`` [E]: a member stops moving
    once its loss is at or below it (the step it got there is recorded); ``center`` α: train the
    centred, scaled model α(f(θ) − f(θ₀)) on the loss /α² (Chizat et al.'s lazy scaling).
    Runs until ``steps`` or until every member has stopped. Returns losses [steps run + 1, E]
    (before each step and at the end) and ``stopped_at`` [E] (−1: never reached ``stop_loss``)."""
    E, like = net.weights[0].shape[0], net.weights[0]
    x, y = x.to(like), y.to(like)
    lr = torch.as_tensor(lr).to(like).expand(E)
    f0 = forward(net, x)[0].detach() if center else None
    moving = torch.ones(E, dtype=torch.bool, device=like.device)
    stopped_at = torch.full((E,), -1, device=like.device)
    losses = []
    params = net.parameters()
    for step in range(steps + 1):
        for p in params:
            p.requires_grad_(True)
        f = forward(net, x)[0]
        if center:
            f = center * (f - f0)
        loss = ((f - y) ** 2).mean(1) / 2 / (center**2 if center else 1.0)  # [E]
        losses.append(loss.detach().clone())
        if stop_loss is not None:
            reached = moving & (loss.detach() <= torch.as_tensor(stop_loss).to(like))
            stopped_at[reached] = step
            moving &= ~reached
        if step == steps or not moving.any():
            break
        grads = torch.autograd.grad(loss.sum(), params)
        with torch.no_grad():
            scale = lr * moving
            for p, g in zip(params, grads):
                p -= scale.view(E, *[1] * (p.dim() - 1)) * g
    for p in params:
        p.requires_grad_(False)
    return {"losses": torch.stack(losses).cpu(), "stopped_at": stopped_at.cpu()}


def relative_change(after: Network, before: Network) -> torch.Tensor:
    """‖W^l_T − W^l_0‖_F / ‖W^l_0‖_F per layer and member, [L+1, E] (weights only)."""
    return torch.stack([(a - b).flatten(1).norm(dim=1) / b.flatten(1).norm(dim=1) for a, b in zip(after.weights, before.weights)])


def relu_ntk(xa: np.ndarray, xb: np.ndarray, depth: int, beta: float = BETA) -> np.ndarray:
    """The infinite-width NTK Θ^{(depth+1)} [Pa, Pb] of ``depth`` hidden ReLU layers (Jacot et al.
    2018, Prop. 1 and Thm 1) with the arc-cosine moments; xa [Pa, n₀], xb [Pb, n₀]."""
    from dltheory.science.meanfield import ReLU

    relu = ReLU()
    n0 = xa.shape[1]
    sigma = xa @ xb.T / n0 + beta**2
    var_a, var_b = (xa * xa).sum(1) / n0 + beta**2, (xb * xb).sum(1) / n0 + beta**2
    theta = sigma
    for _ in range(depth):
        scale = np.sqrt(np.outer(var_a, var_b))
        moment, derivative = relu.pair_moments(scale, sigma / scale)
        sigma = moment + beta**2
        theta = theta * derivative + sigma
        var_a, var_b = var_a / 2 + beta**2, var_b / 2 + beta**2  # E relu(u)² = q/2
    return theta


def sphere_points(n: int, d: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """n inputs x ~ N(0, I_d) rescaled to ‖x‖ = √d (so x·x/d = 1 for every input) and the target
    f*(x) = x₁x₂ (Jacot et al.'s), float64: x [n, d], y [n]."""
    generator = torch.Generator().manual_seed(int(seed))
    x = torch.randn(n, d, generator=generator, dtype=torch.float64)
    x = x / x.norm(dim=1, keepdim=True) * np.sqrt(d)
    return x, x[:, 0] * x[:, 1]


def displacement(after: Network, before: Network) -> torch.Tensor:
    """‖θ_T − θ₀‖ over every weight and bias, per member [E]."""
    return torch.sqrt(sum(((a - b) ** 2).flatten(1).sum(1) for a, b in zip(after.parameters(), before.parameters())))


def spectrum(kernel: torch.Tensor) -> torch.Tensor:
    """Eigenvalues, ascending, of each member's kernel [E, P, P] -> [E, P]."""
    return torch.linalg.eigvalsh(kernel)


def inverse_top_eigenvalue(kernel: torch.Tensor) -> torch.Tensor:
    """η = 1/λ_max(Θ₀/P) per member from its kernel Θ₀ [E, P, P] on the P training inputs: the
    step at which gradient descent on ‖f − y‖²/2P contracts the residual along every kernel
    direction in the linear regime (2/λ_max is the edge), whatever the width."""
    return 1.0 / spectrum(kernel / kernel.shape[-1])[:, -1]


def circle_kernels(
    widths, hidden_layers: int, seeds, train_points: int, steps: int, lr: float, angles: int, data_seed: int, dtype, device: str
) -> dict[str, np.ndarray]:
    """Jacot et al. 2018, Fig. 1: Θ(x₀, x) for x₀ = (1, 0) and x = (cos γ, sin γ), γ ∈ [−π, π],
    at initialization and after ``steps`` of gradient descent (step ``lr``) fitting f*(x) = x₁x₂
    on ``train_points`` inputs drawn N(0, I₂), for networks of ``hidden_layers`` hidden layers of
    each width, one per seed. Returns gamma [G], theta_init and theta_trained [W, S, G], the
    infinite-width limit ``analytic`` [G], the training losses ``loss_init``/``loss_trained``
    [W, S], the training inputs ``x_train`` [train_points, 2], ``steps`` and ``hidden_layers``."""
    gamma = np.linspace(-np.pi, np.pi, angles)
    circle = torch.tensor(np.c_[np.cos(gamma), np.sin(gamma)], dtype=dtype)
    x0 = torch.tensor([[1.0, 0.0]], dtype=dtype)
    generator = torch.Generator().manual_seed(int(data_seed))
    x_train = torch.randn(train_points, 2, generator=generator, dtype=torch.float64)
    y_train = x_train[:, 0] * x_train[:, 1]
    out = {name: [] for name in ("theta_init", "theta_trained", "loss_init", "loss_trained")}
    for width in widths:
        net = init_network([2, *[width] * hidden_layers, 1], seeds, dtype=dtype).to(device)
        out["theta_init"].append(tangent_kernel(net, x0, circle)[:, 0].cpu().numpy())
        run = train(net, x_train, y_train, lr, steps)
        out["theta_trained"].append(tangent_kernel(net, x0, circle)[:, 0].cpu().numpy())
        out["loss_init"].append(run["losses"][0].numpy())
        out["loss_trained"].append(run["losses"][-1].numpy())
    arrays = {name: np.stack(values) for name, values in out.items()}
    analytic = relu_ntk(np.array([[1.0, 0.0]]), np.c_[np.cos(gamma), np.sin(gamma)], hidden_layers)[0]
    return {
        "gamma": gamma,
        "analytic": analytic,
        "x_train": x_train.numpy(),
        "steps": np.array(steps),
        "hidden_layers": np.array(hidden_layers),
        **arrays,
    }


def width_sweep(hidden_layers: int, widths, x: torch.Tensor, y: torch.Tensor, seeds, target_loss_ratio: float, max_steps: int, device: str):
    """Lee et al. 2019: train each network by gradient descent (step :func:`inverse_top_eigenvalue`)
    until its loss is ``target_loss_ratio`` × its initial loss, then measure how far each layer's
    weights and the tangent kernel on the training inputs moved. Rows: hidden_layers, width,
    seed, layer (0 = input weights, hidden_layers = readout, ``kernel`` for Θ), relative change
    (‖W_T − W₀‖_F/‖W₀‖_F, or ‖Θ_T − Θ₀‖_F/‖Θ₀‖_F), steps taken (−1: not reached)."""
    import pandas as pd

    rows = []
    x, y = x.to(device), y.to(device)
    for width in widths:
        net = init_network([x.shape[1], *[width] * hidden_layers, 1], seeds).to(device)
        before, kernel_before = net.clone(), tangent_kernel(net, x)
        loss_init = ((forward(net, x)[0] - y) ** 2).mean(1) / 2
        run = train(net, x, y, inverse_top_eigenvalue(kernel_before), max_steps, stop_loss=target_loss_ratio * loss_init)
        kernel_change = (tangent_kernel(net, x) - kernel_before).flatten(1).norm(dim=1) / kernel_before.flatten(1).norm(dim=1)
        changes = relative_change(net, before).cpu().numpy()
        for e, seed in enumerate(seeds):
            common = {"hidden_layers": hidden_layers, "width": width, "seed": seed, "steps": int(run["stopped_at"][e])}
            rows += [{**common, "layer": str(l), "relative_change": float(changes[l, e])} for l in range(hidden_layers + 1)]
            rows.append({**common, "layer": "kernel", "relative_change": float(kernel_change[e])})
    return pd.DataFrame(rows)


def kernel_spectrum(widths, x: torch.Tensor, seeds, device: str):
    """Liu, Zhu & Belkin (PL*): the extreme eigenvalues of Θ₀ on the n inputs x for one hidden
    layer of each width, float64. Rows: width, seed, parameters, points (n), lambda_min, lambda_max."""
    import pandas as pd

    rows = []
    for width in widths:
        net = init_network([x.shape[1], width, 1], seeds).to(device)
        eigenvalues = spectrum(tangent_kernel(net, x.to(device))).cpu()
        rows += [
            {
                "width": width,
                "seed": seed,
                "parameters": net.parameter_count(),
                "points": len(x),
                "lambda_min": float(ev[0]),
                "lambda_max": float(ev[-1]),
            }
            for seed, ev in zip(seeds, eigenvalues)
        ]
    return pd.DataFrame(rows)


def pl_curves(width: int, x: torch.Tensor, y: torch.Tensor, seeds, steps: int, device: str):
    """Gradient descent (step η = 1/λ_max(Θ₀/n)) of one hidden layer of ``width`` on (x, y), with
    the PL* bound L₀ (1 − η λ_min(Θ₀/n))^t: rows step, seed, loss, bound."""
    import pandas as pd

    net = init_network([x.shape[1], width, 1], seeds).to(device)
    eigenvalues = spectrum(tangent_kernel(net, x.to(device)) / len(x)).cpu()
    lr = 1.0 / eigenvalues[:, -1]
    losses = train(net, x, y, lr, steps)["losses"].numpy()  # [steps + 1, E]
    t = np.arange(len(losses))[:, None]
    bound = losses[:1] * (1 - (lr * eigenvalues[:, 0]).numpy()[None]) ** t
    return pd.DataFrame(
        {
            "step": np.repeat(t[:, 0], len(seeds)),
            "seed": np.tile(seeds, len(t)),
            "loss": losses.ravel(),
            "bound": bound.ravel(),
            "width": width,
        }
    )


def alpha_sweep(alphas, width: int, x: torch.Tensor, y: torch.Tensor, seeds, steps: int, device: str):
    """Chizat, Oyallon & Bach 2019: gradient descent on the centred, scaled model
    α(f(θ) − f(θ₀)) with the loss divided by α², for ``steps`` steps of η = 1/λ_max(Θ₀/n): the
    function follows the same path for every large α while ‖θ_T − θ₀‖ ∝ 1/α. Rows: alpha, seed,
    displacement, loss (final)."""
    import pandas as pd

    rows = []
    for alpha in alphas:
        net = init_network([x.shape[1], width, 1], seeds).to(device)
        before = net.clone()
        run = train(net, x, y, inverse_top_eigenvalue(tangent_kernel(net, x.to(device))), steps, center=float(alpha))
        moved = displacement(net, before).cpu()
        rows += [
            {"alpha": alpha, "seed": seed, "displacement": float(m), "loss": float(loss)}
            for seed, m, loss in zip(seeds, moved, run["losses"][-1])
        ]
    return pd.DataFrame(rows)
