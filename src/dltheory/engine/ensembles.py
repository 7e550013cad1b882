"""Batched ensembles of fully connected networks: many MLPs trained as one parameter buffer.

E networks of the same layer widths (a grid of σ_w² × σ_b² × seed at one depth, or the seeds of
a teacher-student run) are held in one [E, P] buffer whose layers are views ``[E, in, out]``,
run with ``torch.baddbmm``, so one forward/backward pass and one optimizer step serve all E members: a few
large kernels instead of E Python loops. Members never mix: every op is either elementwise or
block-diagonal over the member axis, so each member's gradient is the gradient of its own loss,
exactly as if it were trained alone (:func:`dltheory.science.reference.train_sequential` checks that).

:class:`MLPEnsemble` takes any initial parameters and a tanh or ReLU nonlinearity. The
mean-field grid (Schoenholz et al. 2017, §5; :func:`mean_field_ensemble`) has ``depth`` hidden
tanh layers of ``width`` units and a linear softmax readout,

    h¹ = φ(x W⁰ + b⁰),   h^{l+1} = φ(h^l W^l + b^l),   logits = h^L W^L + b^L,

with the mean-field initialization ``W^l_ij ~ N(0, σ_w²/fan_in)`` and ``b^l_i ~ N(0, σ_b²)`` for
every layer, readout included.

Random numbers: a member's standard normals come from its ``seed`` alone, so members that differ
only in σ_w² or σ_b² share them (common random numbers, which make the accuracy smooth along the
σ_w² axis of a heat map), and so do the hidden layers a deep and a shallow network of one seed have
in common, and their readouts. Each layer's normals are drawn from their own stream, keyed by
(seed, layer), straight in the training dtype, once per seed and layer for a whole depth group,
then scaled per member (:func:`layer_init`): a paper-scale group (31 networks of 300 layers of
300 x 300) is drawn in seconds, one layer at a time, instead of one float64 network at a time. The
draws are made on the CPU by torch's generator and then moved, so CPU and GPU runs start from the
same weights.
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


def init_member(member: Member, n_in: int, width: int, n_out: int, dtype=torch.float32) -> list[tuple[np.ndarray, np.ndarray]]:
    """The member's initial (W [fan_in, fan_out], b [fan_out]) per layer, as arrays of ``dtype``:
    exactly the values :func:`mean_field_ensemble` gives it in a group (:func:`layer_init`)."""
    shapes = layer_shapes(member.depth, n_in, width, n_out)
    layers = [layer_init([member], l, fan_in, fan_out, dtype, readout=l == len(shapes) - 1) for l, (fan_in, fan_out) in enumerate(shapes)]
    return [(w[0].numpy(), b[0, 0].numpy()) for w, b in layers]


def layer_init(members: list[Member], layer: int, fan_in: int, fan_out: int, dtype=torch.float32, device="cpu", *, readout: bool = False):
    """Layer ``layer``'s initial weights [E, fan_in, fan_out] and biases [E, 1, fan_out] of ``members``, on ``device``.

    ``W ~ N(0, σ_w²/fan_in)``, ``b ~ N(0, σ_b²)``: standard normals from the stream of (seed, layer)
    -- the readout's from (seed, readout), whatever the depth -- drawn on the CPU in ``dtype`` once
    per distinct seed, moved to ``device``, then gathered and scaled per member there (the scale is
    computed in float64 and multiplied in ``dtype``), so the values do not depend on the device."""
    seeds = sorted({m.seed for m in members})
    draws = [_normals(s, layer, fan_in, fan_out, dtype, readout) for s in seeds]
    index = torch.tensor([seeds.index(m.seed) for m in members], device=device)
    w_scale = torch.tensor([np.sqrt(m.sigma_w2 / fan_in) for m in members], dtype=torch.float64).to(device, dtype)
    b_scale = torch.tensor([np.sqrt(m.sigma_b2) for m in members], dtype=torch.float64).to(device, dtype)
    w = torch.stack([d[0] for d in draws]).to(device)[index]  # [E, fan_in, fan_out]
    b = torch.stack([d[1] for d in draws]).to(device)[index]  # [E, 1, fan_out]
    return w.mul_(w_scale[:, None, None]), b.mul_(b_scale[:, None, None])


def _normals(seed: int, layer: int, fan_in: int, fan_out: int, dtype, readout: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """Standard normals [fan_in, fan_out] and [1, fan_out] of one (seed, layer) stream."""
    key = [seed, 1] if readout else [seed, 0, layer]
    generator = torch.Generator().manual_seed(int(np.random.SeedSequence(key).generate_state(1, np.uint64)[0]))
    w = torch.randn(fan_in, fan_out, generator=generator, dtype=dtype)
    return w, torch.randn(1, fan_out, generator=generator, dtype=dtype)


Params = list[tuple[np.ndarray, np.ndarray]]  # one network: (W [fan_in, fan_out], b [fan_out]) per layer, readout last

ACTIVATIONS = {"tanh": torch.tanh, "relu": torch.relu}


class MLPEnsemble(nn.Module):
    """E MLPs of the same layer widths in one parameter buffer; ``forward`` maps [E, B, n_in] -> [E, B, n_out].

    ``weights[l]`` is [E, fan_in, fan_out] and ``biases[l]`` [E, 1, fan_out], member axis first.
    All of them are views of one member-major buffer, :attr:`flat` [E, P] (P = Σ_l (fan_in + 1)
    fan_out; member e's parameters are row e, layer by layer, each W then its b), and each view is
    an autograd leaf of its own whose ``.grad`` is the matching view of ``flat.grad``: backward
    writes every layer's gradient straight into one [E, P] buffer (autograd accumulates into an
    existing ``.grad`` in place), so the trainer checks, masks and steps every parameter of every
    member with a few whole-buffer operations instead of several per layer (at width 64 and depth
    100 those per-layer operations took as long as the products themselves). The views must be
    leaves: as differentiable slices of ``flat``, autograd would add a zero-filled gradient of the
    whole buffer per layer, O(L²) memory traffic (60x slower at L = 100).

    Gradients are zeroed in place by :meth:`zero_grad` (an optimizer's ``zero_grad`` would set
    ``flat.grad`` to None and cut the views off from it; so would ``.to()`` or ``.double()``, which
    make new tensors: build the ensemble with the dtype and device it trains in).

    Args:
      shapes: (fan_in, fan_out) of each layer, readout last (:func:`layer_shapes`).
      n_members: E. Parameters start at 0; :meth:`from_params` or :func:`mean_field_ensemble` fill them.
      activation: ``"tanh"`` or ``"relu"``, after every layer but the (linear) readout.
    """

    def __init__(self, shapes, n_members: int, activation: str = "tanh", dtype=torch.float32, device="cpu"):
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation {activation!r}: allowed {', '.join(ACTIVATIONS)}")
        self.activation, self.n_members = activation, n_members
        size = sum((fan_in + 1) * fan_out for fan_in, fan_out in shapes)
        self.flat = nn.Parameter(torch.zeros(n_members, size, dtype=dtype, device=device))
        self.flat.grad = torch.zeros_like(self.flat)
        self.weights, self.biases, offset = [], [], 0
        for fan_in, fan_out in shapes:
            self.weights.append(self._leaf(offset, fan_in, fan_out))
            self.biases.append(self._leaf(offset + fan_in * fan_out, 1, fan_out))
            offset += (fan_in + 1) * fan_out

    def _leaf(self, offset: int, rows: int, columns: int) -> torch.Tensor:
        """Columns offset .. offset + rows·columns of every member as a leaf [E, rows, columns], its grad a view of flat.grad."""
        leaf = self.flat.detach()[:, offset : offset + rows * columns].view(self.n_members, rows, columns).requires_grad_()
        leaf.grad = self.flat.grad[:, offset : offset + rows * columns].view(self.n_members, rows, columns)
        return leaf

    @classmethod
    def from_params(cls, params: list[Params], activation: str = "tanh", dtype=torch.float32, device="cpu") -> MLPEnsemble:
        """An ensemble of the networks ``params`` (one :data:`Params` per member, all of the same shapes)."""
        shapes = {tuple(w.shape for w, _ in p) for p in params}
        if len(shapes) != 1:
            raise ValueError(f"an ensemble holds networks of one shape, got {len(shapes)} shapes")
        model = cls([w.shape for w, _ in params[0]], len(params), activation, dtype, device)
        with torch.no_grad():
            for l, (w, b) in enumerate(zip(model.weights, model.biases)):
                w.copy_(torch.as_tensor(np.stack([p[l][0] for p in params])))
                b.copy_(torch.as_tensor(np.stack([p[l][1][None, :] for p in params])))
        return model

    def zero_grad(self, set_to_none: bool = False) -> None:
        """Zero every gradient in place (the views stay attached; ``set_to_none`` is not offered)."""
        self.flat.grad.zero_()

    @property
    def widths(self) -> list[int]:
        """[n_in, n_1, ..., n_out]."""
        return [self.weights[0].shape[1]] + [w.shape[2] for w in self.weights]

    def layers(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Every layer's output for x [E, B, n_in]: the post-activation hidden layers [E, B, n_l], then the readout."""
        return list(self._outputs(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The readout [E, B, n_out]; without autograd only one layer's output is held at a time
        (a list of every layer's output of a 1,024-row evaluation chunk is ~23 GB for the paper
        grid's deepest group)."""
        for h in self._outputs(x):
            pass
        return h

    def _outputs(self, x: torch.Tensor):
        phi, readout, h = ACTIVATIONS[self.activation], len(self.weights) - 1, x
        for l, (w, b) in enumerate(zip(self.weights, self.biases)):
            h = torch.baddbmm(b, h, w)  # [E, B, n_l]
            h = phi(h) if l < readout else h
            yield h

    def member_params(self, e: int) -> Params:
        """Member ``e``'s current parameters as float64 arrays, in the layout of :data:`Params`."""
        return [(w[e].detach().double().cpu().numpy(), b[e, 0].detach().double().cpu().numpy()) for w, b in zip(self.weights, self.biases)]

    def flops_per_sample(self) -> int:
        """Multiply-adds x 2 of one forward pass of one member on one sample."""
        return 2 * sum(w.shape[1] * w.shape[2] for w in self.weights)


def mean_field_ensemble(members: list[Member], n_in: int, width: int, n_out: int, dtype=torch.float32, device="cpu") -> MLPEnsemble:
    """The tanh networks of one depth group, initialized layer by layer by :func:`layer_init`."""
    depths = {m.depth for m in members}
    if len(depths) != 1:
        raise ValueError(f"an ensemble holds members of one depth, got depths {sorted(depths)}")
    return initialized_ensemble(members, layer_shapes(depths.pop(), n_in, width, n_out), "tanh", dtype, device)


def initialized_ensemble(members: list[Member], shapes, activation: str, dtype=torch.float32, device="cpu") -> MLPEnsemble:
    """An :class:`MLPEnsemble` of the layer ``shapes`` ((fan_in, fan_out), readout last), member e
    initialized by :func:`layer_init` from ``members[e]`` (its σ_w², σ_b² and seed)."""
    model = MLPEnsemble(shapes, len(members), activation, dtype, device)
    with torch.no_grad():
        for l, ((fan_in, fan_out), w, b) in enumerate(zip(shapes, model.weights, model.biases)):
            w_init, b_init = layer_init(members, l, fan_in, fan_out, dtype, device, readout=l == len(shapes) - 1)
            w.copy_(w_init)
            b.copy_(b_init)
    return model
