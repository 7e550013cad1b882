"""Residual networks behave like ensembles of relatively shallow networks: Veit, Wilber & Belongie,
"Residual Networks Behave Like Ensembles of Relatively Shallow Networks" (NIPS 2016, arXiv
1605.06431), §3–§5 and Figures 3, 5 and 6.

**The unraveled view** (§3). A residual block computes y_i = y_{i−1} + f_i(y_{i−1}) (eq. 1). Unrolled
over n blocks, the output is a sum over the 2ⁿ subsets of blocks: each path enters the residual
branch f_i of the blocks of its subset and the skip of the others. Its length is the size k of the
subset, so path lengths follow the binomial distribution B(n, 1/2): C(n, k) paths of length k
(Fig. 6a; for n = 54, 95% of the paths go through 19 to 35 blocks). The same holds for the backward
pass: the Jacobian of block i is S_i + F_i (skip + residual branch), and the product of the n
Jacobians expands into the sum over subsets of the products that take F_i in the subset's blocks
and S_i in the others — :func:`path_gradients` computes one such term per sampled subset.

**The network** (:class:`ResNet`): a 3×3 convolution (the stem), then ``stages`` of ``blocks`` blocks
each with ``channels[s]`` channels, the first block of every stage after the first downsampling
with stride 2, then BN-ReLU, global average pooling and a linear classifier. A block is the
pre-activation residual unit of He et al. (2016, "Identity Mappings"): f = conv3×3 ∘ ReLU ∘ BN ∘
conv3×3 ∘ ReLU ∘ BN, the form of eq. (1) with nothing after the sum. The skip is the identity, or
in a downsampling block the parameter-free shortcut of He et al. (2015, CIFAR option A): every
second pixel, the new channels zero. ``residual=False`` gives the **plain** network of the same
layout (y_i = f_i(y_{i−1})), the paper's comparison with a VGG-style network.

**Lesions at test time** (§4, Figs. 3 and 5): deleting block i replaces it by its skip (the network
built without it; a plain network then feeds the previous block's output, subsampled and
zero-padded at a downsampling block, to the next); reordering swaps blocks of equal shape.
Every lesion uses the trained BN statistics (evaluation mode).

**Gradient per path length** (§5, Figs. 6b–c): after a normal forward pass of a batch (evaluation
mode), the backward pass follows the residual branch in k sampled blocks and the skip in the other
n − k, and the norm of the gradient that arrives at the input image is recorded. The total gradient
of length k is that magnitude times C(n, k), the number of such paths.
"""

from __future__ import annotations

from math import comb

import numpy as np
import torch
from torch import nn


def block_layout(blocks: int, channels: list[int]) -> list[tuple[int, int, int]]:
    """(in channels, out channels, stride) of every block: ``blocks`` per stage, ``channels[s]``
    channels in stage s, stride 2 at the first block of every stage after the first."""
    layout, previous = [], channels[0]
    for stage, width in enumerate(channels):
        for b in range(blocks):
            layout.append((previous, width, 2 if stage > 0 and b == 0 else 1))
            previous = width
    return layout


class Block(nn.Module):
    """One block: y = skip(x) + f(x) (``residual``) or y = f(x) (plain), with f =
    conv3×3(stride) ∘ ReLU ∘ BN ∘ ... in pre-activation order (module docstring)."""

    def __init__(self, c_in: int, c_out: int, stride: int, residual: bool):
        super().__init__()
        self.c_in, self.c_out, self.stride, self.residual = c_in, c_out, stride, residual
        self.branch = nn.Sequential(
            nn.BatchNorm2d(c_in),
            nn.ReLU(),
            nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False),
            nn.BatchNorm2d(c_out),
            nn.ReLU(),
            nn.Conv2d(c_out, c_out, 3, padding=1, bias=False),
        )

    @property
    def downsampling(self) -> bool:
        return self.stride != 1 or self.c_in != self.c_out

    def skip(self, x: torch.Tensor) -> torch.Tensor:
        """The identity, or every ``stride``-th pixel with the added channels zero (option A)."""
        if not self.downsampling:
            return x
        x = x[:, :, :: self.stride, :: self.stride]
        return nn.functional.pad(x, (0, 0, 0, 0, 0, self.c_out - self.c_in))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.skip(x) + self.branch(x) if self.residual else self.branch(x)


class ResNet(nn.Module):
    """Stem conv3×3 → blocks (:func:`block_layout`) → BN-ReLU → global average pool → linear.
    ``forward(x, order)`` runs the blocks in ``order`` (block indices); a block left out of it, or
    an index listed in ``deleted``, is replaced by its skip. x [B, C, H, W] → logits [B, classes]."""

    def __init__(self, in_channels: int, blocks: int, channels: list[int], classes: int, residual: bool = True):
        super().__init__()
        self.stem = nn.Conv2d(in_channels, channels[0], 3, padding=1, bias=False)
        self.blocks = nn.ModuleList(Block(*shape, residual) for shape in block_layout(blocks, channels))
        self.head = nn.Sequential(
            nn.BatchNorm2d(channels[-1]), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels[-1], classes)
        )
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x: torch.Tensor, order=None, deleted=()) -> torch.Tensor:
        h = self.stem(x)
        for i in range(len(self.blocks)) if order is None else order:
            block = self.blocks[i]
            h = block.skip(h) if i in deleted else block(h)
        return self.head(h)


def augment(x: torch.Tensor, generator: torch.Generator, pad: int = 4) -> torch.Tensor:
    """He et al.'s CIFAR augmentation: a random crop of the image zero-padded by ``pad`` pixels on
    each side, and a horizontal flip with probability 1/2, per image. x [B, C, H, W]."""
    b, _, h, w = x.shape
    padded = nn.functional.pad(x, (pad, pad, pad, pad))
    dy, dx = (torch.randint(0, 2 * pad + 1, (b,), generator=generator) for _ in range(2))
    rows = (dy[:, None] + torch.arange(h))[:, :, None]  # [B, H, 1]
    cols = dx[:, None] + torch.arange(w)
    flip = torch.rand(b, generator=generator) < 0.5
    cols = torch.where(flip[:, None], cols.flip(1), cols)[:, None, :]  # [B, 1, W]
    return padded[torch.arange(b)[:, None, None], :, rows, cols].permute(0, 3, 1, 2)


def train(
    net: ResNet,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    epochs: int,
    batch_size: int,
    lr: float,
    momentum: float,
    weight_decay: float,
    milestones: list[int],
    augmented: bool,
    seed: int,
) -> list[float]:
    """SGD with momentum and weight decay on the cross-entropy, the learning rate divided by 10 at
    each epoch of ``milestones`` (He et al. 2016's schedule), shuffled minibatches drawn with
    ``seed``; x [n, C, H, W], y [n]. Returns the mean training loss of every epoch."""
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
    schedule = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=milestones, gamma=0.1)
    losses = []
    net.train()
    for _ in range(epochs):
        total = 0.0
        for batch in torch.randperm(len(y), generator=generator).split(batch_size):
            inputs = augment(x[batch], generator) if augmented else x[batch]
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(net(inputs), y[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        schedule.step()
        losses.append(total / len(y))
    return losses


@torch.no_grad()
def error(net: ResNet, x: torch.Tensor, y: torch.Tensor, order=None, deleted=(), chunk: int = 1000) -> float:
    """Share of misclassified images, in evaluation mode, with the blocks in ``order`` and the
    ``deleted`` ones replaced by their skip."""
    net.eval()
    wrong = sum(int((net(x[i : i + chunk], order, deleted).argmax(1) != y[i : i + chunk]).sum()) for i in range(0, len(y), chunk))
    return wrong / len(y)


def single_deletions(net: ResNet, x: torch.Tensor, y: torch.Tensor) -> np.ndarray:
    """[n]: the error with block i deleted, for every block i (Fig. 3)."""
    return np.array([error(net, x, y, deleted={i}) for i in range(len(net.blocks))])


def swappable_pairs(net: ResNet) -> list[tuple[int, int]]:
    """Pairs of blocks that can trade places: neither downsamples, and both have the same
    channels (so the same stage, the same resolution)."""
    blocks = [(i, b.c_in) for i, b in enumerate(net.blocks) if not b.downsampling]
    return [(i, j) for a, (i, ci) in enumerate(blocks) for j, cj in blocks[a + 1 :] if ci == cj]


def swapped_order(n: int, pairs: list[tuple[int, int]], k: int, rng: np.random.Generator) -> list[int]:
    """The block order after k swaps, each of a pair drawn uniformly from ``pairs`` (Fig. 5b)."""
    order = list(range(n))
    for p in rng.integers(0, len(pairs), k):
        i, j = pairs[p]
        a, b = order.index(i), order.index(j)
        order[a], order[b] = order[b], order[a]
    return order


def sample_subsets(n: int, k: int, samples: int, rng: np.random.Generator) -> np.ndarray:
    """[samples, n] bool: ``samples`` subsets of k of the n blocks, each uniform."""
    mask = np.zeros((samples, n), dtype=bool)
    for row in mask:
        row[rng.choice(n, k, replace=False)] = True
    return mask


def _vjp(fn, x: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """g · ∂fn(x)/∂x, the vector-Jacobian product at x."""
    x = x.detach().requires_grad_(True)
    (out,) = torch.autograd.grad(fn(x), x, g)
    return out


def path_gradients(net: ResNet, x: torch.Tensor, y: torch.Tensor, subsets: np.ndarray) -> torch.Tensor:
    """[S, B, C, H, W]: for each subset (``subsets`` [S, n] bool), the gradient of each image's
    cross-entropy at that image, through the single path that follows the residual branch in the
    subset's blocks and the skip in the others (§5).

    One normal forward pass of x [B, ...] in evaluation mode stores every block's input; the
    backward pass then runs on S × B rows at once: at block i a row takes the residual branch's
    VJP at the stored input if block i is in its subset, else the skip's. The sum over all 2ⁿ
    subsets is the full gradient (the product of the Jacobians S_i + F_i expanded)."""
    net.eval()
    s, b = subsets.shape[0], len(y)
    inputs, h = [], net.stem(x)
    with torch.no_grad():
        for block in net.blocks:
            inputs.append(h)
            h = block(h)
    g = _vjp(lambda z: nn.functional.cross_entropy(net.head(z), y, reduction="sum"), h, torch.ones((), dtype=h.dtype))
    g = g.repeat(s, *[1] * (g.dim() - 1))  # rows: subset-major, image-minor
    follow = torch.as_tensor(subsets).repeat_interleave(b, dim=0)  # [S × B, n]
    for i in reversed(range(len(net.blocks))):
        block, stored = net.blocks[i], inputs[i].repeat(s, *[1] * (g.dim() - 1))
        chosen = follow[:, i].reshape(-1, *[1] * (g.dim() - 1))
        g = torch.where(chosen, _vjp(block.branch, stored, g), _vjp(block.skip, stored, g))
    g = _vjp(net.stem, x.repeat(s, *[1] * (x.dim() - 1)), g)
    return g.reshape(s, b, *x.shape[1:])


def path_length_pmf(n: int) -> np.ndarray:
    """[n + 1]: the share C(n, k) / 2ⁿ of the 2ⁿ paths through n blocks that have length k."""
    return np.array([comb(n, k) for k in range(n + 1)], dtype=float) / 2.0**n


def shortest_interval(weights: np.ndarray, share: float) -> tuple[int, int]:
    """(first, last) index of the shortest run of consecutive entries of ``weights`` (≥ 0) that
    holds at least ``share`` of their sum; among runs of equal length, the one holding most."""
    total, n = weights.sum(), len(weights)
    cumulative = np.concatenate([[0.0], np.cumsum(weights)])
    for length in range(1, n + 1):
        held = cumulative[length:] - cumulative[:-length]  # [n − length + 1]: run starting at a
        if held.max() >= share * total * (1 - 1e-12):
            first = int(held.argmax())
            return first, first + length - 1
    return 0, n - 1
