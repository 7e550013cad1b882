"""Cost of shattered_gradients' compute jobs, for ``python -m dltheory plan`` (no job imports this module)."""

from __future__ import annotations

import torch

from dltheory.core.cost import BYTES, F_NORMAL, reduced, seeds_of, sliced
from dltheory.core.device import DTYPES
from dltheory.figures.shattered_gradients import NAME
from dltheory.science.shattering import Net, Weights, depth_sweep, feedforward_nets, layer_transfer


def _sweep_flops(width: int, units: int, depth: int, seeds: int, points: int) -> float:
    """FLOPs of :func:`dltheory.science.shattering.depth_sweep` on E = ``seeds`` nets of ``depth`` layers,
    n = ``width`` inputs and k = ``units`` pre-activations per layer, P grid points: per layer the
    weights (E n k F_NORMAL), the activations and their tangents (2 × 2 E P n k), the
    normalization (10 E P k) and the two readouts (4 E P n)."""
    return depth * seeds * (width * units * F_NORMAL + 4 * points * width * units + 10 * points * units + 4 * points * width)


def _feedforward_flops(spec: dict) -> float:
    """FLOPs of ``shattered_gradients_feedforward``: the depth sweeps of its five nets
    (:func:`_sweep_flops`; CReLU has width/2 units), and for the theorems, two nets of the
    theorem's depth run forward, then at every layer the weights drawn again and one
    backpropagation step (E n² F_NORMAL + 2 E P n²) and the pair statistics (4 E P n per offset)."""
    n, P, E = spec["width"], spec["grid"]["points"], spec["seeds"]
    nets = feedforward_nets(spec["feedforward_depth"], n)
    sweeps = sum(_sweep_flops(n, n // 2 if net.architecture == "crelu" else n, net.depth, E, P) for net in nets)
    depth, offsets = spec["theorem"]["depth"], len(spec["theorem"]["offsets"])
    theorem = 2 * (_sweep_flops(n, n, depth, E, P) + depth * E * (n * n * F_NORMAL + 2 * P * n * n + 4 * P * n * offsets))
    return sweeps + theorem


def _sweep_memory(spec: dict, depth: int, itemsize: int) -> float:
    """Bytes of a depth sweep of ``depth`` layers: the gradients and outputs of every depth
    [2, L, E, P], one layer's weights (drawn per seed, then stacked: 2 E n²) and activations with
    tangents (4 E P n), ``itemsize`` bytes each."""
    n, P, E = spec["width"], spec["grid"]["points"], spec["seeds"]
    return itemsize * (2 * depth * E * P + 2 * E * n * n + 4 * E * P * n)


def _feedforward_memory(spec: dict) -> float:
    """Bytes: the depth sweep's (:func:`_sweep_memory`) in float64 (the looks-linear net always
    is), and the theorem's per-layer masks [L_t, E, P, n] (1 byte each)."""
    masks = spec["theorem"]["depth"] * spec["seeds"] * spec["grid"]["points"] * spec["width"]
    return _sweep_memory(spec, spec["feedforward_depth"], 8) + masks


def _feedforward_run(spec: dict) -> None:
    grid, seeds, dtype = spec["grid"], seeds_of(spec), DTYPES[spec["dtype"]]
    x = torch.linspace(grid["min"], grid["max"], grid["points"], dtype=torch.float64)
    for net in feedforward_nets(spec["feedforward_depth"], spec["width"]):
        depth_sweep(net, seeds, x, torch.float64 if net.looks_linear else dtype)
    for architecture, beta in (("feedforward", 1.0), ("resnet", 1.0)):
        net = Net(architecture, spec["theorem"]["depth"], spec["width"], "centre", beta=beta)
        layer_transfer(Weights(net, seeds), x, spec["theorem"]["offsets"], seed=spec["seed"])


def _resnet_flops(spec: dict) -> float:
    """FLOPs of ``shattered_gradients_resnet``: one depth sweep (:func:`_sweep_flops`) per β."""
    return len(spec["betas"]) * _sweep_flops(spec["width"], spec["width"], spec["resnet_depth"], spec["seeds"], spec["grid"]["points"])


def _resnet_memory(spec: dict) -> float:
    """Bytes: the depth sweep's (:func:`_sweep_memory`) in the config's dtype, one β at a time."""
    return _sweep_memory(spec, spec["resnet_depth"], BYTES[spec["dtype"]])


def _resnet_run(spec: dict) -> None:
    grid = spec["grid"]
    x = torch.linspace(grid["min"], grid["max"], grid["points"], dtype=torch.float64)
    for beta in spec["betas"]:
        depth_sweep(Net("resnet", spec["resnet_depth"], spec["width"], "batch_norm", beta=beta), seeds_of(spec), x, DTYPES[spec["dtype"]])


def jobs(config: dict) -> list:
    """``shattered_gradients_feedforward`` probed on at most 4 seeds, 6 layers and a theorem depth
    of 4, less its run at 2 and 2 (the marginal time of the layers); ``shattered_gradients_resnet`` on at most 4 seeds and 10 blocks less
    3 (the width and the grid as configured)."""
    spec = config[NAME]["compute"]
    seeds = min(spec["seeds"], 4)
    feedforward = reduced(
        spec, seeds=seeds, feedforward_depth=min(spec["feedforward_depth"], 6), theorem__depth=min(spec["theorem"]["depth"], 4)
    )
    resnet = reduced(spec, seeds=seeds, resnet_depth=min(spec["resnet_depth"], 10))
    return [
        sliced(
            f"{NAME}_feedforward", "", spec, feedforward, _feedforward_flops, _feedforward_memory, _feedforward_run,
            baseline_spec=reduced(feedforward, feedforward_depth=min(spec["feedforward_depth"], 2), theorem__depth=min(spec["theorem"]["depth"], 2)),
        ),
        sliced(
            f"{NAME}_resnet", "", spec, resnet, _resnet_flops, _resnet_memory, _resnet_run,
            baseline_spec=reduced(resnet, resnet_depth=min(spec["resnet_depth"], 3)),
        ),
    ]  # fmt: skip
