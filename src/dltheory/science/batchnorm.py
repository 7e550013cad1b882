"""The backward pass of BatchNorm is a projection: Tian, "A theoretical framework for deep locally
connected ReLU network" (arXiv 1809.10829), the BatchNorm theorem and its consequences.

Train-mode BatchNorm of one node over a batch of N values f ∈ R^N (PyTorch's convention: the
biased batch variance σ² = mean((f − μ)²) plus ``eps``):

    s = √(σ² + eps),   x̂ = (f − μ1)/s,   y = γ x̂ + β.

Its exact backward, for any eps, with g = ∂L/∂y:

    g_f = (γ/s) P g,   P = I − (1/N) 1 1ᵀ − (1/N) x̂ x̂ᵀ                                    (1)

At eps = 0, ‖x̂‖² = N and 1 ⊥ x̂, so P is the orthogonal projection onto the complement of
span{1, x̂}: symmetric, idempotent, of rank N − 2, and the gradient that reaches the node is
zero-mean (1ᵀg_f = 0) and orthogonal to its own normalized activation (x̂ᵀg_f = 0). With eps > 0,
‖x̂‖² = N r, r = σ²/(σ² + eps) < 1: 1ᵀg_f = 0 still (Σ x̂ = 0 exactly), but

    x̂ᵀ g_f = (γ/s)(1 − r) x̂ᵀg,     P² − P = (r − 1) v vᵀ with v = x̂/√N,  ‖P² − P‖_F = r(1 − r),   (2)

and P has rank N − 1 (eigenvalues 1, …, 1, 1 − r, 0).

Consequences in a network (Tian's appendix). A Linear layer f_j = Xw_j + b_j feeding BN gets
∂L/∂b_j = 1ᵀg_f = 0, and w_j·∂L/∂w_j = (f_j − b_j 1)ᵀg_f = s x̂ᵀg_f = 0 at eps = 0: BN's output
does not change when w_j is scaled, so the gradient is orthogonal to w_j. Under gradient flow
‖w_j‖ is then conserved; under SGD, w ← w − η∇w gives exactly

    ‖w_j(t+1)‖² − ‖w_j(t)‖² = η² ‖∇w_j‖²                                                      (3)

(the norm can only grow). For Linear → ReLU → BN the same holds for the augmented row (w_j, b_j),
since ReLU is positively homogeneous: scaling (w_j, b_j) by c > 0 scales the node by c.

Here: :func:`batchnorm_backward` (1), :func:`projection` and :func:`projection_defect` (P and its
distance from a projection), :func:`autograd_backward` (PyTorch's, the reference), and
:func:`train_recording_rows`, SGD on a small Linear→(ReLU→)BN network recording each first-layer
row's norm increment against η²‖∇‖² and its bias gradient. Arrays are float64; a batch of C
nodes is [N, C].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch


def normalize(f: np.ndarray, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """x̂ = (f − μ)/s and s = √(σ² + eps) per column; f [N, C] -> x̂ [N, C], s [C] (σ² biased)."""
    centred = f - f.mean(0)
    s = np.sqrt((centred**2).mean(0) + eps)
    return centred / s, s


def batchnorm_backward(g: np.ndarray, xhat: np.ndarray, s: np.ndarray, gamma: np.ndarray) -> np.ndarray:
    """(1): g_f = (γ/s)(g − mean(g) − x̂ mean(g x̂)) = (γ/s) P g, per column; g, x̂ [N, C], s, γ [C]."""
    return (gamma / s) * (g - g.mean(0) - xhat * (g * xhat).mean(0))


class BatchNorm(torch.nn.Module):
    """Train-mode BatchNorm over the batch (dim 0) with PyTorch's convention (biased variance plus
    eps, affine γ, β) for any eps ≥ 0: PyTorch's own refuses eps = 0 in training. A node that is
    constant over the batch (a ReLU unit off on every sample) has s = 0 at eps = 0: its x̂ is
    taken as 0, PyTorch's value for eps > 0, and no gradient reaches it through ReLU. It keeps no
    running statistics: the identities are about the batch. x [N, C] -> [N, C]."""

    def __init__(self, channels: int, eps: float, dtype=torch.float64):
        super().__init__()
        self.eps = eps
        self.weight = torch.nn.Parameter(torch.ones(channels, dtype=dtype))
        self.bias = torch.nn.Parameter(torch.zeros(channels, dtype=dtype))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        centred = x - x.mean(0)
        variance = centred.square().mean(0) + self.eps
        # where before the square root: sqrt's derivative at 0 is infinite, and 0 × inf is NaN
        s = torch.sqrt(torch.where(variance > 0, variance, 1.0))
        return self.weight * centred / s + self.bias


def autograd_backward(f: np.ndarray, g: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    """The gradient of Σ g·BN(f) at f by autograd, float64: the reference for (1). PyTorch's own
    kernel (``torch.nn.functional.batch_norm``, train mode) where eps > 0; at eps = 0, which it
    refuses, autograd through :class:`BatchNorm`'s forward."""
    x = torch.tensor(f, dtype=torch.float64, requires_grad=True)
    gamma_t, beta_t = torch.tensor(gamma, dtype=torch.float64), torch.tensor(beta, dtype=torch.float64)
    if eps > 0:
        y = torch.nn.functional.batch_norm(x, None, None, gamma_t, beta_t, training=True, eps=eps)
    else:
        bn = BatchNorm(f.shape[1], 0.0)
        with torch.no_grad():
            bn.weight.copy_(gamma_t)
            bn.bias.copy_(beta_t)
        y = bn(x)
    (y * torch.tensor(g, dtype=torch.float64)).sum().backward()
    return x.grad.numpy()


def projection(xhat: np.ndarray) -> np.ndarray:
    """P = I − 11ᵀ/N − x̂x̂ᵀ/N for one column x̂ [N] -> [N, N]."""
    n = len(xhat)
    return np.eye(n) - 1.0 / n - np.outer(xhat, xhat) / n


def projection_defect(xhat: np.ndarray, tolerance: float = 1e-12) -> tuple[float, int]:
    """‖P² − P‖_F and the rank of P for one column x̂ [N]: its eigenvalues (P is symmetric) above
    ``tolerance``. P's spectrum is 1 (N − 2 times), 1 − r and 0, so the tolerance only has to sit
    between float64's rounding of a zero (~1e-15) and 1 − r = eps/(σ² + eps) (≥ 1e-10 for
    eps ≥ 1e-8, σ² ≤ 100); NumPy's matrix_rank tolerance (~N × 2e-16 × λ_max) sits inside the
    rounding itself, and counts a rounded zero as rank in some small batches."""
    P = projection(xhat)
    return float(np.linalg.norm(P @ P - P)), int((np.linalg.eigvalsh(P) > tolerance).sum())


def idempotence_defect(variance: np.ndarray | float, eps: float) -> np.ndarray | float:
    """(2): ‖P² − P‖_F = r(1 − r), r = σ²/(σ² + eps)."""
    r = variance / (variance + eps)
    return r * (1 - r)


@dataclass(frozen=True)
class RowRecord:
    """What :func:`train_recording_rows` measured, per SGD step t and first-layer row j.

    increment [T, H]: ‖θ_j(t+1)‖² − ‖θ_j(t)‖², θ_j the row (w_j, b_j) (augmented: the bias is
    part of the row, the form that holds for Linear → ReLU → BN too), computed as
    (θ' − θ)·(θ' + θ), which does not cancel the way a difference of two squared norms does; predicted [T, H]: η²‖∇θ_j‖²;
    weight_norm [T+1, H]: ‖θ_j‖ before each step and after the last; bias_gradient [T, H] and
    weight_gradient [T, H]: |∂L/∂b_j| and ‖∂L/∂w_j‖; train_accuracy, test_accuracy: at the end."""

    increment: np.ndarray
    predicted: np.ndarray
    weight_norm: np.ndarray
    bias_gradient: np.ndarray
    weight_gradient: np.ndarray
    train_accuracy: float
    test_accuracy: float


def network(inputs: int, hidden: int, classes: int, order: str, eps: float | None) -> torch.nn.Sequential:
    """Linear → BN → ReLU → Linear (``order="bn_relu"``), Linear → ReLU → BN → Linear
    (``"relu_bn"``), or without BN (``eps=None``), float64, with :class:`BatchNorm` (γ, β
    trained; batch statistics always, at evaluation too)."""
    norm = [] if eps is None else [BatchNorm(hidden, eps)]
    first, relu = torch.nn.Linear(inputs, hidden, dtype=torch.float64), torch.nn.ReLU()
    middle = norm + [relu] if order == "bn_relu" else [relu] + norm
    return torch.nn.Sequential(first, *middle, torch.nn.Linear(hidden, classes, dtype=torch.float64))


def train_recording_rows(
    net: torch.nn.Sequential,
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    lr: float,
    batch_size: int,
    steps: int,
    seed: int,
) -> RowRecord:
    """Plain SGD (no momentum, no weight decay: (3) is about w ← w − η∇w) on the cross-entropy of
    minibatches drawn with ``numpy.random.default_rng(seed)``, recording the first layer's rows.
    x [n, d] float, y [n] int."""
    rng = np.random.default_rng(seed)
    x, y = torch.tensor(x_train, dtype=torch.float64), torch.tensor(y_train)
    first = net[0]
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)

    def rows() -> torch.Tensor:  # θ_j = (w_j, b_j) [H, d + 1]
        return torch.cat([first.weight.detach(), first.bias.detach()[:, None]], 1)

    increment, predicted, norms, bias_grad, weight_grad = [], [], [rows().norm(dim=1)], [], []
    for _ in range(steps):
        batch = torch.as_tensor(rng.choice(len(y), batch_size, replace=False))
        before = rows()
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(net(x[batch]), y[batch]).backward()
        grad = torch.cat([first.weight.grad, first.bias.grad[:, None]], 1)
        optimizer.step()
        after = rows()
        increment.append(((after - before) * (after + before)).sum(1).numpy())
        predicted.append((lr**2 * grad.square().sum(1)).numpy())
        norms.append(after.norm(dim=1))
        bias_grad.append(first.bias.grad.abs().numpy().copy())
        weight_grad.append(first.weight.grad.norm(dim=1).numpy())

    def accuracy(inputs: np.ndarray, labels: np.ndarray) -> float:
        with torch.no_grad():
            return float((net(torch.tensor(inputs, dtype=torch.float64)).argmax(1).numpy() == labels).mean())

    return RowRecord(
        increment=np.array(increment),
        predicted=np.array(predicted),
        weight_norm=torch.stack(norms).numpy(),
        bias_gradient=np.array(bias_grad),
        weight_gradient=np.array(weight_grad),
        train_accuracy=accuracy(x_train, y_train),
        test_accuracy=accuracy(x_test, y_test),
    )
