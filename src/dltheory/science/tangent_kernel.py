"""Lazy training: wide networks barely move, and their tangent kernel stays fixed.

Fully connected ReLU (or softplus) networks in the **NTK parameterization** of Jacot, Gabriel & Hongler
("Neural Tangent Kernel", NeurIPS 2018): layers l = 0 … L map x⁰ = x ∈ R^{n₀} by

    h^{l+1} = x^l W^l / √n_l + β b^l,   x^{l+1} = φ(h^{l+1}),   f(x) = h^{L+1} ∈ R,

with every W^l_ij and b^l_j ~ N(0, 1), β = 0.1 and φ = relu, or softplus φ(h) = log(1 + e^h)
(smooth, as Liu, Zhu & Belkin's PL* results assume). The 1/√n_l sits in the forward pass, not in
the initialization, so a gradient step moves each weight by O(1/√n): as the widths grow the
network moves less and less while its function still fits the data (Lee et al. 2019, Thm 2.1;
Chizat, Oyallon & Bach 2019), and its **tangent kernel**

    Θ(x, x') = Σ_θ ∂f(x)/∂θ · ∂f(x')/∂θ

converges to a deterministic limit that stays fixed during training (Jacot et al. 2018, Thm 1–2).

The empirical kernel is computed layer by layer from forward activations x^l and backpropagated
deltas δ^{l+1} = ∂f/∂h^{l+1} (δ^l = (δ^{l+1} W^{lᵀ}/√n_l) ⊙ φ'(h^l)): since ∂f/∂W^l = x^{l}ᵀ δ^{l+1}/√n_l and ∂f/∂b^l = β δ^{l+1},

    Θ(x, x') = Σ_l (x^l·x'^l / n_l + β²) (δ^{l+1}·δ'^{l+1}),

O(P² Σ_l n_l) for P inputs instead of the P × (number of parameters) Jacobian that ``jacrev``
would build (67 million parameters × P at width 8,192 with two hidden layers); it equals J Jᵀ
from plain autograd (a test checks). Networks of one shape are batched over seeds as stacked
tensors [E, …].

The infinite-width limit (:func:`relu_ntk`) is Jacot's recursion with the arc-cosine moments of
:class:`dltheory.science.meanfield.ReLU`:

    Σ¹ = x·x'/n₀ + β²,  Σ^{l+1} = E[relu(u) relu(v)] + β²,  Σ̇^{l+1} = E[relu'(u) relu'(v)],
    Θ¹ = Σ¹,            Θ^{l+1} = Θ^l Σ̇^{l+1} + Σ^{l+1},      (u, v) ~ N(0, Σ^l).

**Dead points** (one hidden ReLU layer). An input on which every hidden unit is off has the
Jacobian row of the output bias alone, (0, …, 0, β): all such inputs share one row, so k ≥ 1
dead inputs cost the kernel k − 1 of its rank, and λ_min(Θ₀) = 0 once two inputs are dead,
whatever the width. Each pre-activation h_j = x·W_j/√n₀ + β b_j is a centred Gaussian, so a unit
is off with probability 1/2, independently across units: an input is dead with probability
q = 2^{−w} exactly, the bias notwithstanding (:func:`two_dead_probability`).

**The linearized network** (Lee et al. 2019, eq. 4–9): f^lin_t(x) = f₀(x) + ∇_θf₀(x)·(θ_t − θ₀),
trained by the same gradient descent, moves in function space by the fixed kernel Θ₀ alone
(:func:`linearized_path`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

BETA = 0.1  # Jacot et al.'s bias factor
ACTIVATIONS = {  # φ and φ'
    "relu": (torch.relu, lambda h: (h > 0).to(h)),
    "softplus": (torch.nn.functional.softplus, torch.sigmoid),
}


@dataclass
class Network:
    """E networks of one shape, batched: ``weights[l]`` [E, n_l, n_{l+1}], ``biases[l]`` [E, n_{l+1}];
    ``activation`` a key of :data:`ACTIVATIONS`."""

    weights: list[torch.Tensor]
    biases: list[torch.Tensor]
    beta: float = BETA
    activation: str = "relu"

    def parameters(self) -> list[torch.Tensor]:
        return [*self.weights, *self.biases]

    def clone(self) -> Network:
        return Network([w.detach().clone() for w in self.weights], [b.detach().clone() for b in self.biases], self.beta, self.activation)

    def parameter_count(self) -> int:
        return sum(w[0].numel() for w in self.parameters())

    def to(self, device: str) -> Network:
        return Network([w.to(device) for w in self.weights], [b.to(device) for b in self.biases], self.beta, self.activation)


def init_network(widths: list[int], seeds, beta: float = BETA, dtype=torch.float64, activation: str = "relu") -> Network:
    """Networks of layer widths ``widths`` = [n₀, n₁, …, n_L, 1], one per seed; each member's
    N(0, 1) draws come from its seed alone, in layer order (weights, then bias)."""
    weights, biases = [[] for _ in widths[:-1]], [[] for _ in widths[:-1]]
    for seed in seeds:
        generator = torch.Generator().manual_seed(int(seed))
        for l, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:])):
            weights[l].append(torch.randn(n_in, n_out, generator=generator, dtype=dtype))
            biases[l].append(torch.randn(n_out, generator=generator, dtype=dtype))
    return Network([torch.stack(w) for w in weights], [torch.stack(b) for b in biases], beta, activation)


def forward(net: Network, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor], list[torch.Tensor]]:
    """f [E, P], the layer inputs x^0 … x^L [E, P, n_l] and the derivatives φ'(h^l) (l = 1 … L)
    [E, P, n_l] (for ReLU 1[h^l > 0]), for inputs x [P, n₀] (shared) or [E, P, n₀]."""
    phi, derivative = ACTIVATIONS[net.activation]
    E = net.weights[0].shape[0]
    h = x.to(net.weights[0]).expand(E, *x.shape[-2:])
    inputs, derivatives = [h], []
    for l, (W, b) in enumerate(zip(net.weights, net.biases)):
        h = torch.baddbmm(net.beta * b[:, None, :], h, W, alpha=1.0 / np.sqrt(W.shape[1]))
        if l < len(net.weights) - 1:
            derivatives.append(derivative(h))
            h = phi(h)
            inputs.append(h)
    return h[..., 0], inputs, derivatives


def _deltas(net: Network, derivatives: list[torch.Tensor], shape) -> list[torch.Tensor]:
    """δ^{l+1} = ∂f/∂h^{l+1} for l = 0 … L, [E, P, n_{l+1}] (the last is 1)."""
    delta = net.weights[0].new_ones(*shape, 1)
    out = [delta]
    for W, slope in zip(reversed(net.weights[1:]), reversed(derivatives)):
        delta = (delta @ W.transpose(1, 2)) / np.sqrt(W.shape[1]) * slope
        out.append(delta)
    return out[::-1]


@torch.no_grad()
def tangent_kernel(net: Network, xa: torch.Tensor, xb: torch.Tensor | None = None, per_layer: bool = False) -> torch.Tensor:
    """The empirical NTK Θ(xa, xb) [E, Pa, Pb], or its contribution from each layer's weights and
    bias [L+1, E, Pa, Pb] with ``per_layer``; see the module docstring."""
    _, inputs_a, derivatives_a = forward(net, xa)
    deltas_a = _deltas(net, derivatives_a, inputs_a[0].shape[:2])
    if xb is None:
        inputs_b, deltas_b = inputs_a, deltas_a
    else:
        _, inputs_b, derivatives_b = forward(net, xb)
        deltas_b = _deltas(net, derivatives_b, inputs_b[0].shape[:2])
    layers = [
        (xa_l @ xb_l.transpose(1, 2) / xa_l.shape[-1] + net.beta**2) * (da @ db.transpose(1, 2))
        for xa_l, xb_l, da, db in zip(inputs_a, inputs_b, deltas_a, deltas_b)
    ]
    return torch.stack(layers) if per_layer else sum(layers)


def train(net: Network, x: torch.Tensor, y: torch.Tensor, lr, steps: int, stop_loss=None, center: float | None = None, probe=None) -> dict:
    """Full-batch gradient descent on L = ‖f − y‖²/(2P) per member, in place.

    lr: a number or [E] (one step size per member); ``stop_loss`` [E]: a member stops moving
    once its loss is at or below it (the step it got there is recorded); ``center`` α: train the
    centred, scaled model α(f(θ) − f(θ₀)) on the loss /α² (Chizat et al.'s lazy scaling);
    ``probe`` [R, n₀]: inputs on which the model (centred and scaled where ``center``) is
    evaluated before each step and at the end, in the training inputs' forward pass. Runs until ``steps`` or until every member has
    stopped. Returns losses [steps run + 1, E] (before each step and at the end), ``stopped_at``
    [E] (−1: never reached ``stop_loss``) and, with ``probe``, ``probe_outputs`` [steps run + 1, E, R]."""
    E, like = net.weights[0].shape[0], net.weights[0]
    P = len(x)
    inputs = x if probe is None else torch.cat([x, probe.to(x)])  # one pass over the weights for both
    inputs, y = inputs.to(like), y.to(like)
    lr = torch.as_tensor(lr).to(like).expand(E)
    f0 = forward(net, inputs)[0].detach() if center else None
    moving = torch.ones(E, dtype=torch.bool, device=like.device)
    stopped_at = torch.full((E,), -1, device=like.device)
    losses, probed = [], []
    params = net.parameters()
    for step in range(steps + 1):
        for p in params:
            p.requires_grad_(True)
        f = forward(net, inputs)[0]
        if center:
            f = center * (f - f0)
        loss = ((f[:, :P] - y) ** 2).mean(1) / 2 / (center**2 if center else 1.0)  # [E]
        losses.append(loss.detach().clone())
        if probe is not None:
            probed.append(f[:, P:].detach().cpu())
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
    run = {"losses": torch.stack(losses).cpu(), "stopped_at": stopped_at.cpu()}
    return run | ({"probe_outputs": torch.stack(probed)} if probe is not None else {})


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


def numerical_rank(eigenvalues: torch.Tensor) -> torch.Tensor:
    """The number of eigenvalues above λ_max · P · ε (float64's ε; numpy's ``matrix_rank``
    tolerance) of each member's P × P kernel: eigenvalues [E, P] ascending -> [E]."""
    size = eigenvalues.shape[-1]
    return (eigenvalues > eigenvalues[:, -1:] * size * torch.finfo(eigenvalues.dtype).eps).sum(-1)


@torch.no_grad()
def dead_points(net: Network, x: torch.Tensor) -> torch.Tensor:
    """How many of the inputs x [P, n₀] have every unit of the first hidden layer at zero slope
    (φ'(h) = 0: a ReLU off; never for softplus), per member: [E]."""
    first_slopes = forward(net, x)[2][0]  # [E, P, n₁]
    return (first_slopes == 0).all(-1).sum(-1)


def two_dead_probability(points: int, width: int) -> float:
    """P(at least two of ``points`` inputs are dead) for one hidden ReLU layer of ``width`` units,
    the inputs taken as independent: 1 − (1 − q)^n − n q (1 − q)^{n−1}, q = 2^{−width} (see the
    module docstring). Exact where the inputs' pre-activations are independent (orthogonal
    inputs, β = 0); for inputs at angles other than 90° the dead events are correlated, the count
    keeps its mean n q but spreads more, and this is an approximation (:func:`two_dead_share`).
    Computed as the binomial survival function, accurate where the expression would cancel."""
    from scipy import stats

    return float(stats.binom.sf(1, points, 2.0**-width))


def two_dead_share(x: torch.Tensor, width: int, draws: int, seed: int, beta: float = BETA) -> float:
    """The share of ``draws`` first layers of ``width`` units with at least two dead inputs among
    x [P, n₀] (:func:`dead_point_counts`): P(λ_min(Θ₀) = 0) on these very inputs, correlations
    included. NaN where :func:`two_dead_probability` is below 1/draws (too rare to count)."""
    if two_dead_probability(len(x), width) < 1 / draws:
        return float("nan")
    return float((dead_point_counts(x, width, draws, seed, beta) >= 2).mean())


def dead_point_counts(x: torch.Tensor, width: int, draws: int, seed: int, beta: float = BETA, chunk: int = 2**24) -> np.ndarray:
    """Monte Carlo of the first layer alone: for ``draws`` fresh draws of W [n₀, width] and
    b [width], all N(0, 1), the number of inputs x [P, n₀] on which every h_j = x·W_j/√n₀ + β b_j
    is ≤ 0: [draws]. Draws go ``chunk`` pre-activations at a time."""
    generator = torch.Generator().manual_seed(int(seed))
    x = x.to(torch.float64)
    per_chunk = max(1, chunk // (len(x) * width))
    counts = []
    for start in range(0, draws, per_chunk):
        m = min(per_chunk, draws - start)
        W = torch.randn(m, x.shape[1], width, generator=generator, dtype=torch.float64)
        b = torch.randn(m, 1, width, generator=generator, dtype=torch.float64)
        h = x @ W / np.sqrt(x.shape[1]) + beta * b  # [m, P, width]
        counts.append((h <= 0).all(-1).sum(-1))
    return torch.cat(counts).numpy()


def linearized_path(
    kernel: torch.Tensor,
    cross: torch.Tensor,
    f0: torch.Tensor,
    f0_probe: torch.Tensor,
    y: torch.Tensor,
    lr: torch.Tensor,
    steps: int,
    stopped_at: torch.Tensor | None = None,
) -> torch.Tensor:
    """Gradient descent on the linearized network f^lin(θ) = f₀ + J₀(θ − θ₀) (Lee et al. 2019,
    eq. 4–9), in function space: the step θ ← θ − η J₀ᵀ r/P on L = ‖f − y‖²/(2P), r = f^lin(X) − y,
    moves the outputs by −η Θ₀(·, X) r/P, exactly, so

        f^lin_{t+1}(X) = f^lin_t(X) − η Θ₀(X, X) r_t/P,   f^lin_{t+1}(x) = f^lin_t(x) − η Θ₀(x, X) r_t/P.

    kernel Θ₀(X, X) [E, P, P], cross Θ₀(x, X) [E, R, P], f0 [E, P] and f0_probe [E, R] the outputs
    at θ₀ on the training inputs X and the probes x, y [P], lr [E]; member e takes
    ``stopped_at[e]`` steps (all ``steps`` where it is −1 or not given), as :func:`train` does.
    Returns f^lin_t(x) [steps + 1, E, R]."""
    P = kernel.shape[-1]
    lr = torch.as_tensor(lr).to(kernel).expand(kernel.shape[0])
    limit = torch.full_like(lr, steps) if stopped_at is None else torch.where(stopped_at < 0, steps, stopped_at).to(lr)
    f, g = f0.to(kernel).clone(), f0_probe.to(kernel).clone()
    path = [g.clone()]
    for t in range(steps):
        r = (f - y.to(kernel))[..., None]  # [E, P, 1]
        rate = (lr * (t < limit))[:, None] / P
        f = f - rate * (kernel @ r)[..., 0]
        g = g - rate * (cross @ r)[..., 0]
        path.append(g.clone())
    return torch.stack(path)


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


def width_sweep(
    hidden_layers: int,
    widths,
    x: torch.Tensor,
    y: torch.Tensor,
    x_test: torch.Tensor,
    seeds,
    target_loss_ratio: float,
    max_steps: int,
    device: str,
):
    """Lee et al. 2019: train each network by gradient descent (step :func:`inverse_top_eigenvalue`)
    until its loss is ``target_loss_ratio`` × its initial loss, then measure how far each layer's
    weights and the tangent kernel on the training inputs moved, and how far the network strayed
    from its linearization trained by the same steps (:func:`linearized_path`) on the test inputs
    ``x_test`` [R, n₀] (Thm 2.1: sup_t |f_t(x) − f^lin_t(x)| = O(width^{−1/2})).

    Returns (changes, gaps). changes: rows hidden_layers, width, seed, layer (0 = input weights,
    hidden_layers = readout, ``kernel`` for Θ), relative change (‖W_T − W₀‖_F/‖W₀‖_F, or
    ‖Θ_T − Θ₀‖_F/‖Θ₀‖_F), steps taken (−1: not reached). gaps: rows hidden_layers, width, seed,
    gap (sup over steps and test inputs of |f_t − f^lin_t|), scale (sup of |f^lin_t|), steps."""
    import pandas as pd

    rows, gaps = [], []
    x, y, x_test = x.to(device), y.to(device), x_test.to(device)
    for width in widths:
        net = init_network([x.shape[1], *[width] * hidden_layers, 1], seeds).to(device)
        before, kernel_before, cross = net.clone(), tangent_kernel(net, x), tangent_kernel(net, x_test, x)
        f0, f0_test = forward(net, x)[0], forward(net, x_test)[0]
        lr = inverse_top_eigenvalue(kernel_before)
        run = train(net, x, y, lr, max_steps, stop_loss=target_loss_ratio * ((f0 - y) ** 2).mean(1) / 2, probe=x_test)
        linear = linearized_path(kernel_before, cross, f0, f0_test, y, lr, len(run["losses"]) - 1, run["stopped_at"].to(device)).cpu()
        gap, scale = (run["probe_outputs"] - linear).abs().amax(dim=(0, 2)), linear.abs().amax(dim=(0, 2))
        kernel_change = (tangent_kernel(net, x) - kernel_before).flatten(1).norm(dim=1) / kernel_before.flatten(1).norm(dim=1)
        changes = relative_change(net, before).cpu().numpy()
        for e, seed in enumerate(seeds):
            common = {"hidden_layers": hidden_layers, "width": width, "seed": seed, "steps": int(run["stopped_at"][e])}
            rows += [{**common, "layer": str(l), "relative_change": float(changes[l, e])} for l in range(hidden_layers + 1)]
            rows.append({**common, "layer": "kernel", "relative_change": float(kernel_change[e])})
            gaps.append({**common, "gap": float(gap[e]), "scale": float(scale[e])})
    return pd.DataFrame(rows), pd.DataFrame(gaps)


def kernel_spectrum(widths, x: torch.Tensor, seeds, device: str, activation: str = "relu"):
    """Liu, Zhu & Belkin (PL*): the spectrum of Θ₀ on the n inputs x for one hidden layer of each
    width, float64. Rows: activation, width, seed, parameters, points (n), lambda_min, lambda_max,
    rank (:func:`numerical_rank`), dead_points (:func:`dead_points`)."""
    import pandas as pd

    rows = []
    x = x.to(device)
    for width in widths:
        net = init_network([x.shape[1], width, 1], seeds, activation=activation).to(device)
        eigenvalues = spectrum(tangent_kernel(net, x))
        ranks, dead = numerical_rank(eigenvalues).cpu(), dead_points(net, x).cpu()
        rows += [
            {
                "activation": activation,
                "width": width,
                "seed": seed,
                "parameters": net.parameter_count(),
                "points": len(x),
                "lambda_min": float(ev[0]),
                "lambda_max": float(ev[-1]),
                "rank": int(rank),
                "dead_points": int(k),
            }
            for seed, ev, rank, k in zip(seeds, eigenvalues.cpu(), ranks, dead)
        ]
    return pd.DataFrame(rows)


def pl_sweep(widths, x: torch.Tensor, y: torch.Tensor, seeds, steps: int, kernel_every: int, activation: str, device: str):
    """Liu, Zhu & Belkin's PL* along training, against width: gradient descent (step
    η = 1/λ_max(Θ₀/n)) of one hidden layer of each width on (x, y), the PL* bound
    L₀ (1 − η λ_min(Θ₀/n))^t, and the extreme eigenvalues of Θ_t every ``kernel_every`` steps
    (and at the end). Rows activation, width, parameters, seed, step, loss, bound, lambda_min and
    lambda_max (of Θ_t, not /n; NaN between kernel steps)."""
    import pandas as pd

    tables = []
    x, y = x.to(device), y.to(device)
    for width in widths:
        net = init_network([x.shape[1], width, 1], seeds, activation=activation).to(device)
        eigenvalues = [spectrum(tangent_kernel(net, x)).cpu()]
        lr = len(x) / eigenvalues[0][:, -1]
        losses = []
        for start in range(0, steps, kernel_every):
            run = train(net, x, y, lr, min(kernel_every, steps - start))
            losses.append(run["losses"][:-1])
            eigenvalues.append(spectrum(tangent_kernel(net, x)).cpu())
        losses = torch.cat([*losses, run["losses"][-1:]]).numpy()  # [steps + 1, E]
        t = np.arange(steps + 1)
        bound = losses[:1] * (1 - (lr * eigenvalues[0][:, 0]).numpy() / len(x))[None] ** t[:, None]
        extreme = np.full((2, steps + 1, len(seeds)), np.nan)
        kernel_steps = [*range(0, steps, kernel_every), steps]
        extreme[:, kernel_steps] = torch.stack(eigenvalues)[..., [0, -1]].numpy().transpose(2, 0, 1)
        tables.append(
            pd.DataFrame(
                {
                    "activation": activation,
                    "width": width,
                    "parameters": net.parameter_count(),
                    "seed": np.tile(seeds, len(t)),
                    "step": np.repeat(t, len(seeds)),
                    "loss": losses.ravel(),
                    "bound": bound.ravel(),
                    "lambda_min": extreme[0].ravel(),
                    "lambda_max": extreme[1].ravel(),
                }
            )
        )
    return pd.concat(tables, ignore_index=True)


def alpha_sweep(alphas, width: int, x: torch.Tensor, y: torch.Tensor, seeds, steps: int, device: str, activation: str = "relu"):
    """Chizat, Oyallon & Bach 2019: gradient descent on the centred, scaled model
    h_α = α(f(θ) − f(θ₀)) with the loss divided by α², for ``steps`` steps of η = 1/λ_max(Θ₀/n): the
    function follows the same path for every large α while ‖θ_T − θ₀‖ ∝ 1/α (their Thm 2.2), and
    h_α stays within O(1/α) of its linearization α J₀(θ − θ₀) trained alike, whose path on the
    training inputs, h̄_{t+1} = h̄_t − η Θ₀ (h̄_t − y)/n from h̄₀ = 0, does not depend on α
    (:func:`linearized_path`). Their Thm 2.2 assumes a model with a Lipschitz derivative:
    softplus, not ReLU, whose kinks add a distance that falls faster than 1/α. One hidden layer
    of ``activation``. Rows: activation, alpha, seed, displacement, loss (final), linearization_gap
    (sup over steps and training inputs of |h_α − h̄|)."""
    import pandas as pd

    rows = []
    x, y = x.to(device), y.to(device)
    for alpha in alphas:
        net = init_network([x.shape[1], width, 1], seeds, activation=activation).to(device)
        before, kernel = net.clone(), tangent_kernel(net, x)
        lr = inverse_top_eigenvalue(kernel)
        run = train(net, x, y, lr, steps, center=float(alpha), probe=x)
        zero = kernel.new_zeros(kernel.shape[:2])
        linear = linearized_path(kernel, kernel, zero, zero, y, lr, steps).cpu()
        gap = (run["probe_outputs"] - linear).abs().amax(dim=(0, 2))
        moved = displacement(net, before).cpu()
        rows += [
            {
                "activation": activation,
                "alpha": alpha,
                "seed": seed,
                "displacement": float(m),
                "loss": float(loss),
                "linearization_gap": float(g),
            }
            for seed, m, loss, g in zip(seeds, moved, run["losses"][-1], gap)
        ]
    return pd.DataFrame(rows)
