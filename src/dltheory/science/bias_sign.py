"""Most BatchNorm biases of trained Conv-BN-ReLU networks are negative: Tian, Jiang, Gong, Morcos,
"Luck Matters: Understanding Training Dynamics of Deep ReLU Networks" (arXiv 1905.13405), and its
``check_models.py``.

The paper's analysis assumes that two teacher nodes of a layer are rarely active together. With
BatchNorm before ReLU, a node's output is ReLU(γ x̂ + β) with x̂ zero-mean and unit-variance over
the batch: the node is on for a share of inputs set by β/γ (half of them at β = 0), so sparse,
rarely co-active nodes need β < 0. The paper checks this on torchvision's ImageNet VGG-BN models:
the majority of their BatchNorm biases are negative.

Here: :func:`bn_biases`, the BatchNorm biases of a state dict, layer by layer (torchvision's
published weights or a trained net's); :func:`conv_bn_relu_net`, a small VGG-style network;
:func:`train_classifier`; and :func:`activation_statistics`, each BN-ReLU layer's sparsity and
co-activation, the assumption itself measured.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch


def bn_biases(state_dict: dict) -> list[tuple[str, np.ndarray]]:
    """The BatchNorm biases β of a state dict, in its order: (layer name, β [C]) for each module
    with a ``running_mean`` (what tells BatchNorm from a convolution or linear layer, which have a
    ``bias`` too)."""
    layers = [key.removesuffix(".running_mean") for key in state_dict if key.endswith(".running_mean")]
    return [(name, state_dict[f"{name}.bias"].detach().cpu().numpy().astype(np.float64)) for name in layers]


def conv_bn_relu_net(channels: list[int], pool_after: list[int], in_channels: int, classes: int) -> torch.nn.Sequential:
    """VGG-style: for each width c, Conv3×3(c, padding 1, no bias) → BN → ReLU, a 2×2 max-pool after
    the blocks numbered in ``pool_after`` (1-based), then global average pooling and a Linear
    classifier. The convolutions have no bias: BN's β is the only bias before each ReLU, as in
    torchvision's VGG-BN (whose conv bias BN cancels)."""
    layers, previous = [], in_channels
    for block, width in enumerate(channels, start=1):
        layers += [torch.nn.Conv2d(previous, width, 3, padding=1, bias=False), torch.nn.BatchNorm2d(width), torch.nn.ReLU()]
        if block in pool_after:
            layers.append(torch.nn.MaxPool2d(2))
        previous = width
    return torch.nn.Sequential(*layers, torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(previous, classes))


def train_classifier(
    net: torch.nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    epochs: int,
    batch_size: int,
    lr: float,
    momentum: float,
    weight_decay: float,
    seed: int,
) -> None:
    """SGD with momentum and weight decay on the cross-entropy, shuffled minibatches (generator
    seeded with ``seed``); x [n, C, H, W] float32, y [n] int64. The usual recipe of the VGG-BN
    models: weight decay reaches BN's γ and β too."""
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
    net.train()
    for _ in range(epochs):
        for batch in torch.randperm(len(y), generator=generator).split(batch_size):
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(net(x[batch]), y[batch]).backward()
            optimizer.step()


def accuracy(net: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Share of correct predictions, in evaluation mode (BN's running statistics)."""
    net.eval()
    with torch.no_grad():
        return float((net(x).argmax(1) == y).float().mean())


@dataclass(frozen=True)
class LayerActivity:
    """One BN-ReLU layer's activity on a set of inputs, a unit being one channel at one position.

    active [C]: P(unit on) per channel; both: mean over channel pairs i < j of P(i and j on);
    independent: mean over the same pairs of P(i on) P(j on); conditional: mean over ordered pairs
    of P(j on | i on)."""

    active: np.ndarray
    both: float
    independent: float
    conditional: float


def activation_statistics(net: torch.nn.Sequential, x: torch.Tensor) -> list[LayerActivity]:
    """Run ``x`` through ``net`` in evaluation mode and measure each ReLU's output: which units are
    on (> 0), per channel and in pairs of channels at the same position and input."""
    net.eval()
    out, h = [], x
    with torch.no_grad():
        for module in net:
            h = module(h)
            if isinstance(module, torch.nn.ReLU):
                on = (h > 0).transpose(0, 1).reshape(h.shape[1], -1).double()  # [C, inputs × positions]
                p = on.mean(1)
                joint = on @ on.T / on.shape[1]  # [C, C]: P(i and j on)
                upper = torch.triu_indices(len(p), len(p), 1)
                conditional = (joint / p[:, None]).numpy()  # P(j on | i on), row i; rows of never-on channels are left out below
                off_diagonal = ~np.eye(len(p), dtype=bool) & (p.numpy() > 0)[:, None]
                out.append(
                    LayerActivity(
                        active=p.numpy(),
                        both=float(joint[upper[0], upper[1]].mean()),
                        independent=float((p[upper[0]] * p[upper[1]]).mean()),
                        conditional=float(conditional[off_diagonal].mean()),
                    )
                )
    return out
