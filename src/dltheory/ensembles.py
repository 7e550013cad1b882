"""Batched ensembles of fully connected networks: many MLPs trained as one set of stacked tensors.

E networks of the same layer widths (a grid of σ_w² × σ_b² × seed at one depth, or the seeds of
a teacher-student run) are held as stacked weights ``[E, in, out]`` and run with
``torch.baddbmm``, so one forward/backward pass and one optimizer step serve all E members: a few
large kernels instead of E Python loops. Members never mix: every op is either elementwise or
block-diagonal over the member axis, so each member's gradient is the gradient of its own loss,
exactly as if it were trained alone (:func:`dltheory.reference.train_sequential` checks that).

:class:`MLPEnsemble` takes any initial parameters and a tanh or ReLU nonlinearity. The
mean-field grid (Schoenholz et al. 2017, §5; :func:`mean_field_ensemble`) has ``depth`` hidden
tanh layers of ``width`` units and a linear softmax readout,

    h¹ = φ(x W⁰ + b⁰),   h^{l+1} = φ(h^l W^l + b^l),   logits = h^L W^L + b^L,

with the mean-field initialization ``W^l_ij ~ N(0, σ_w²/fan_in)`` and ``b^l_i ~ N(0, σ_b²)`` for
every layer, readout included.

Random numbers: a member's standard normals come from its ``seed`` alone (drawn in layer order,
then scaled by σ_w, σ_b), so members that differ only in σ_w² or σ_b² share them -- common random
numbers, which make the accuracy smooth along the σ_w² axis of a heat map.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn


@dataclass(frozen=True, order=True)
class Member:
    """One network of a grid: depth (hidden layers), weight and bias variances, seed."""

    depth: int
    sigma_w2: float
    sigma_b2: float
    seed: int


def member_grid(sigma_w2, sigma_b2, depths, seeds) -> list[Member]:
    """Every combination, ordered by depth, then σ_w², σ_b², seed."""
    return sorted(Member(int(d), float(w), float(b), int(s)) for d in depths for w in sigma_w2 for b in sigma_b2 for s in seeds)


def group_by_depth(members: list[Member]) -> dict[int, list[Member]]:
    """Members of one depth share tensor shapes and are trained as one batched ensemble."""
    groups: dict[int, list[Member]] = defaultdict(list)
    for m in members:
        groups[m.depth].append(m)
    return dict(sorted(groups.items()))


def layer_shapes(depth: int, n_in: int, width: int, n_out: int) -> list[tuple[int, int]]:
    """(fan_in, fan_out) of each of the depth + 1 weight matrices, readout last."""
    return [(n_in, width)] + [(width, width)] * (depth - 1) + [(width, n_out)]


def init_member(member: Member, n_in: int, width: int, n_out: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The member's initial (W [fan_in, fan_out], b [fan_out]) per layer, float64.

    ``W ~ N(0, σ_w²/fan_in)``, ``b ~ N(0, σ_b²)``. Normals are drawn from the seed alone, so the
    same seed gives the same standard normals at every σ_w², σ_b² (and the same first layers at
    every depth).
    """
    rng = np.random.default_rng([member.seed, 0])
    params = []
    for fan_in, fan_out in layer_shapes(member.depth, n_in, width, n_out):
        w = rng.standard_normal((fan_in, fan_out)) * np.sqrt(member.sigma_w2 / fan_in)
        b = rng.standard_normal(fan_out) * np.sqrt(member.sigma_b2)
        params.append((w, b))
    return params


Params = list[tuple[np.ndarray, np.ndarray]]  # one network: (W [fan_in, fan_out], b [fan_out]) per layer, readout last

ACTIVATIONS = {"tanh": torch.tanh, "relu": torch.relu}


class MLPEnsemble(nn.Module):
    """E MLPs of the same layer widths as stacked parameters; ``forward`` maps [E, B, n_in] -> [E, B, n_out].

    ``weights[l]`` is [E, fan_in, fan_out] and ``biases[l]`` [E, 1, fan_out], member axis first,
    one leaf tensor per layer: its gradient is written in place, never scattered into a larger
    stack (slicing layer ``l`` out of one [E, L, N, N] tensor instead makes autograd add a
    zero-filled gradient of the whole stack per layer, O(L²) memory traffic: 60x slower at L = 100).

    Args:
      params: one :data:`Params` per member, all of the same shapes.
      activation: ``"tanh"`` or ``"relu"``, after every layer but the (linear) readout.
    """

    def __init__(self, params: list[Params], activation: str = "tanh", dtype=torch.float32, device="cpu"):
        super().__init__()
        shapes = {tuple(w.shape for w, _ in p) for p in params}
        if len(shapes) != 1:
            raise ValueError(f"an ensemble holds networks of one shape, got {len(shapes)} shapes")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation {activation!r}: allowed {', '.join(ACTIVATIONS)}")
        self.activation = activation
        self.n_members = len(params)

        def stacked(arrays) -> nn.Parameter:
            return nn.Parameter(torch.as_tensor(np.stack(arrays), dtype=dtype, device=device))

        layers = range(len(params[0]))
        self.weights = nn.ParameterList([stacked([p[l][0] for p in params]) for l in layers])
        self.biases = nn.ParameterList([stacked([p[l][1][None, :] for p in params]) for l in layers])

    @property
    def widths(self) -> list[int]:
        """[n_in, n_1, ..., n_out]."""
        return [self.weights[0].shape[1]] + [w.shape[2] for w in self.weights]

    def layers(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Every layer's output for x [E, B, n_in]: the post-activation hidden layers [E, B, n_l], then the readout."""
        phi, readout, outputs, h = ACTIVATIONS[self.activation], len(self.weights) - 1, [], x
        for l, (w, b) in enumerate(zip(self.weights, self.biases)):
            h = torch.baddbmm(b, h, w)  # [E, B, n_l]
            h = phi(h) if l < readout else h
            outputs.append(h)
        return outputs

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)[-1]

    def member_params(self, e: int) -> Params:
        """Member ``e``'s current parameters as float64 arrays, in the layout of :data:`Params`."""
        return [(w[e].detach().double().cpu().numpy(), b[e, 0].detach().double().cpu().numpy()) for w, b in zip(self.weights, self.biases)]

    def flops_per_sample(self) -> int:
        """Multiply-adds x 2 of one forward pass of one member on one sample."""
        return 2 * sum(w.shape[1] * w.shape[2] for w in self.weights)


def mean_field_ensemble(members: list[Member], n_in: int, width: int, n_out: int, dtype=torch.float32, device="cpu") -> MLPEnsemble:
    """The tanh networks of one depth group, initialized by :func:`init_member`."""
    depths = {m.depth for m in members}
    if len(depths) != 1:
        raise ValueError(f"an ensemble holds members of one depth, got depths {sorted(depths)}")
    return MLPEnsemble([init_member(m, n_in, width, n_out) for m in members], "tanh", dtype, device)
