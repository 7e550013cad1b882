"""Batched ensembles: many MLPs (or small conv nets) trained as one parameter buffer.

E networks of the same layer widths (a grid of σ_w² × σ_b² × seed at one depth, or the seeds of
a teacher-student run) are held in one [E, P] buffer whose layers are views ``[E, in, out]``,
run with ``torch.baddbmm``, so one forward/backward pass and one optimizer step serve all E members: a few
large kernels instead of E Python loops. Members never mix: every op is either elementwise or
block-diagonal over the member axis, so each member's gradient is the gradient of its own loss,
exactly as if it were trained alone (:func:`dltheory.science.reference.train_sequential` checks that).
:class:`ConvEnsemble` does the same for small conv nets, with grouped convolutions (groups = E).

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


def flat_leaves(shapes, n_members: int, dtype=torch.float32, device="cpu") -> tuple[nn.Parameter, list[torch.Tensor]]:
    """One member-major parameter buffer ``flat`` [E, P] (P = Σ prod(shape)), zero, with a zero
    ``flat.grad``, and per entry of ``shapes`` a leaf [E, *shape] viewing the next prod(shape)
    columns, its ``.grad`` the matching view of ``flat.grad`` (see :class:`MLPEnsemble` for why)."""
    size = sum(int(np.prod(shape)) for shape in shapes)
    flat = nn.Parameter(torch.zeros(n_members, size, dtype=dtype, device=device))
    flat.grad = torch.zeros_like(flat)
    leaves, offset = [], 0
    for shape in shapes:
        columns = slice(offset, offset + int(np.prod(shape)))
        leaf = flat.detach()[:, columns].view(n_members, *shape).requires_grad_()
        leaf.grad = flat.grad[:, columns].view(n_members, *shape)
        leaves.append(leaf)
        offset = columns.stop
    return flat, leaves


def _copy_rows(source: nn.Module, target: nn.Module, rows: torch.Tensor) -> nn.Module:
    """``target`` (an empty ensemble of ``source``'s shapes with len(rows) members) holding the members ``rows`` of ``source``."""
    with torch.no_grad():
        target.flat.copy_(source.flat[rows])
    return target


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
        self.flat, leaves = flat_leaves(
            [s for fan_in, fan_out in shapes for s in ((fan_in, fan_out), (1, fan_out))], n_members, dtype, device
        )
        self.weights, self.biases = leaves[0::2], leaves[1::2]

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

    def subset(self, rows: torch.Tensor) -> MLPEnsemble:
        """A new ensemble of the members ``rows`` (same shapes, activation, dtype and device)."""
        shapes = [tuple(w.shape[1:]) for w in self.weights]
        return _copy_rows(self, MLPEnsemble(shapes, len(rows), self.activation, self.flat.dtype, self.flat.device), rows)

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


def conv_shapes(image: tuple[int, int, int], channels, kernel: int) -> list[tuple[int, int, int, int]]:
    """(c_in, c_out, height, width) of each conv block's output on images (C, H, W): a
    ``kernel`` x ``kernel`` convolution with stride 2 and padding kernel // 2 maps H to ceil(H / 2)."""
    (c_in, height, width), blocks = image, []
    for c_out in channels:
        height, width = (height + 1) // 2, (width + 1) // 2
        blocks.append((c_in, c_out, height, width))
        c_in = c_out
    return blocks


class ConvEnsemble(nn.Module):
    """E small conv nets of one architecture in one parameter buffer; ``forward`` maps flattened
    images [E, B, C·H·W] (channel-major, as the data sets store them) to logits [E, B, n_out].

    Per member: blocks of a k x k convolution with stride 2 (padding k // 2; each block halves the
    height and width, as a 2 x 2 pool would, at a quarter of the cost of a stride-1 convolution)
    and ReLU; the last block's output flattened channel-major (as ``nn.Flatten``); then dense ReLU
    layers of ``hidden`` units and a linear readout. ``kernels[j]`` is [E, c_out, c_in, k, k],
    ``biases[j]`` [E, c_out], the dense layers ``weights[l]`` [E, fan_in, fan_out] and ``dense_biases[l]``
    [E, 1, fan_out], readout last: leaves viewing one buffer :attr:`flat` [E, P] in that order, with
    their ``.grad`` views of ``flat.grad``, as in :class:`MLPEnsemble` (same :meth:`zero_grad`,
    same cautions).

    All members run at once: member e's channels are e·c .. (e + 1)·c - 1 of one batch [B, E·c, H, W]
    and every convolution is grouped (groups = E), so members never mix. The batch is stored
    channels last, where CPU grouped convolutions are several times faster.
    """

    def __init__(self, image, channels, hidden, n_out: int, n_members: int, kernel: int = 5, dtype=torch.float32, device="cpu"):
        super().__init__()
        if kernel % 2 == 0:
            raise ValueError(f"conv kernel {kernel}; allowed: odd sizes")
        self.image, self.channels, self.hidden, self.kernel = tuple(image), tuple(channels), tuple(hidden), kernel
        self.n_out, self.n_members = n_out, n_members
        blocks = conv_shapes(self.image, self.channels, kernel)
        shapes = [s for c_in, c_out, _, _ in blocks for s in ((c_out, c_in, kernel, kernel), (c_out,))]
        _, c, h, w = blocks[-1]
        dense = list(zip([c * h * w, *self.hidden], [*self.hidden, n_out]))
        self.flat, leaves = flat_leaves(
            shapes + [s for fan_in, fan_out in dense for s in ((fan_in, fan_out), (1, fan_out))], n_members, dtype, device
        )
        conv = 2 * len(blocks)
        self.kernels, self.biases = leaves[0:conv:2], leaves[1:conv:2]
        self.weights, self.dense_biases = leaves[conv::2], leaves[conv + 1 :: 2]

    def zero_grad(self, set_to_none: bool = False) -> None:
        """Zero every gradient in place (the views stay attached)."""
        self.flat.grad.zero_()

    def subset(self, rows: torch.Tensor) -> ConvEnsemble:
        """A new ensemble of the members ``rows`` (same architecture, dtype and device)."""
        empty = ConvEnsemble(self.image, self.channels, self.hidden, self.n_out, len(rows), self.kernel, self.flat.dtype, self.flat.device)
        return _copy_rows(self, empty, rows)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits [E, B, n_out] of images x [E, B, C·H·W]."""
        e, b = x.shape[:2]
        h = x.transpose(0, 1).reshape(b, e * self.image[0], *self.image[1:]).contiguous(memory_format=torch.channels_last)
        for kernel, bias in zip(self.kernels, self.biases):
            weight = kernel.reshape(-1, *kernel.shape[2:])  # [E·c_out, c_in, k, k]: groups = E
            h = torch.relu(nn.functional.conv2d(h, weight, bias.reshape(-1), stride=2, padding=self.kernel // 2, groups=e))
        h = h.reshape(b, e, -1).transpose(0, 1)  # [E, B, c·h·w], each member's channel-major
        for l, (w, bias) in enumerate(zip(self.weights, self.dense_biases)):
            h = torch.baddbmm(bias, h, w)
            h = torch.relu(h) if l < len(self.hidden) else h
        return h


def conv_ensemble(
    members: list[Member], image, channels, hidden, n_out: int, kernel: int = 5, dtype=torch.float32, device="cpu"
) -> ConvEnsemble:
    """A :class:`ConvEnsemble`, member e's layers initialized by :func:`layer_init` from
    ``members[e]``: weights N(0, σ_w²/fan_in), with fan_in = c_in k² for a kernel (its normals drawn
    as [c_in k², c_out] and laid out [c_out, c_in, k, k]), biases N(0, σ_b²); the readout from the
    readout stream. Equal seeds, equal weights."""
    model = ConvEnsemble(image, channels, hidden, n_out, len(members), kernel, dtype, device)
    with torch.no_grad():
        for l, ((c_in, c_out, _, _), w, b) in enumerate(zip(conv_shapes(model.image, model.channels, kernel), model.kernels, model.biases)):
            w_init, b_init = layer_init(members, l, c_in * kernel * kernel, c_out, dtype, device)
            w.copy_(w_init.transpose(1, 2).reshape(w.shape))
            b.copy_(b_init[:, 0])
        for l, (w, b) in enumerate(zip(model.weights, model.dense_biases)):
            readout = l == len(model.weights) - 1
            w_init, b_init = layer_init(members, len(channels) + l, *w.shape[1:], dtype, device, readout=readout)
            w.copy_(w_init)
            b.copy_(b_init)
    return model
