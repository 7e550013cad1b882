"""Batched ensembles of fully connected networks: many MLPs trained as one set of stacked tensors.

A grid of networks (σ_w² × σ_b² × seed at one depth) is held as stacked weights ``[E, in, out]``
and run with ``torch.baddbmm``, so one forward/backward pass and one optimizer step serve all E
members: a few large kernels instead of E Python loops. Members never mix: every op is either
elementwise or block-diagonal over the member axis, so each member's gradient is the gradient of
its own loss, exactly as if it were trained alone (:func:`dltheory.reference.train_sequential`
checks that).

The network (Schoenholz et al. 2017, §5): ``depth`` hidden tanh layers of ``width`` units and a
linear softmax readout,

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


class MLPEnsemble(nn.Module):
    """E tanh MLPs of one depth as stacked parameters; ``forward`` maps [E, B, n_in] -> [E, B, n_out].

    Parameters (E members, L = depth, N = width): ``w_in`` [E, n_in, N], ``b_in`` [E, 1, N],
    ``w_hidden`` [L-1, E, N, N], ``b_hidden`` [L-1, E, 1, N], ``w_out`` [E, N, n_out],
    ``b_out`` [E, 1, n_out]. The hidden stacks are layer-major so that ``unbind(0)`` yields
    contiguous [E, N, N] blocks and their gradients are stacked once per step; slicing
    ``w[:, l]`` of a member-major stack instead makes autograd scatter every layer's gradient
    into a zero tensor of the whole stack (O(L²) memory traffic: 60x slower at L = 100).
    :data:`MEMBER_AXIS` gives the member axis of each parameter.
    """

    MEMBER_AXIS = {"w_in": 0, "b_in": 0, "w_hidden": 1, "b_hidden": 1, "w_out": 0, "b_out": 0}

    def __init__(self, members: list[Member], n_in: int, width: int, n_out: int, dtype=torch.float32, device="cpu"):
        super().__init__()
        depths = {m.depth for m in members}
        if len(depths) != 1:
            raise ValueError(f"an ensemble holds members of one depth, got depths {sorted(depths)}")
        self.members = list(members)
        self.depth = depths.pop()
        per_member = [init_member(m, n_in, width, n_out) for m in members]
        e, hidden = len(members), self.depth - 1

        def stacked(arrays, shape) -> nn.Parameter:
            return nn.Parameter(torch.as_tensor(np.array(arrays).reshape(shape), dtype=dtype, device=device))

        self.w_in = stacked([p[0][0] for p in per_member], (e, n_in, width))
        self.b_in = stacked([p[0][1] for p in per_member], (e, 1, width))
        self.w_hidden = stacked([[p[l][0] for p in per_member] for l in range(1, self.depth)], (hidden, e, width, width))
        self.b_hidden = stacked([[p[l][1] for p in per_member] for l in range(1, self.depth)], (hidden, e, 1, width))
        self.w_out = stacked([p[-1][0] for p in per_member], (e, width, n_out))
        self.b_out = stacked([p[-1][1] for p in per_member], (e, 1, n_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.tanh(torch.baddbmm(self.b_in, x, self.w_in))  # [E, B, N]
        for w, b in zip(self.w_hidden.unbind(0), self.b_hidden.unbind(0)):
            h = torch.tanh(torch.baddbmm(b, h, w))
        return torch.baddbmm(self.b_out, h, self.w_out)  # [E, B, n_out]

    def flops_per_sample(self) -> int:
        """Multiply-adds x 2 of one forward pass of one member on one sample."""
        n_in, width = self.w_in.shape[1:]
        return 2 * (n_in * width + (self.depth - 1) * width * width + width * self.w_out.shape[2])
