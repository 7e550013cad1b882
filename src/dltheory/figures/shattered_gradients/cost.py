"""Cost of shattered_gradients' compute jobs, for ``python -m dltheory plan`` (no job imports this module)."""

from __future__ import annotations

import torch

from dltheory.core.cost import BYTES, F_NORMAL, reduced, seeds_of, sliced
from dltheory.core.device import DTYPES
from dltheory.figures.shattered_gradients import NAME
from dltheory.science.shattering import Net, Weights, autocorrelation, depth_sweep, feedforward_nets, layer_transfer, pair_sweep


def _sweep_flops(width: int, units: int, depth: int, seeds: int, points: int) -> float:
    """FLOPs of :func:`dltheory.science.shattering.depth_sweep` on E = ``seeds`` nets of ``depth`` layers,
    n = ``width`` inputs and k = ``units`` pre-activations per layer, P grid points: per layer the
    weights (E n k F_NORMAL), the activations and their tangents (2 × 2 E P n k), the
    normalization (10 E P k) and the two readouts (4 E P n)."""
    return depth * seeds * (width * units * F_NORMAL + 4 * points * width * units + 10 * points * units + 4 * points * width)


def _pairs_flops(width: int, depths, seeds: int, pairs: dict) -> float:
    """FLOPs of :func:`dltheory.science.shattering.pair_sweep` at ``depths`` on P = ``pairs["points"]``
    inputs in R^d (d = ``pairs["dimension"]``): the forward pass to the deepest (:func:`_sweep_flops`,
    and the input layer 4 E P d n), then the backward passes together: every layer's weights drawn
    again (E n² F_NORMAL), 2 E P n² per layer of each depth, the input layer 2 E P d n per depth,
    and the moments (4 E P d per depth)."""
    n, P, d, E = width, pairs["points"], pairs["dimension"], seeds
    forward = _sweep_flops(n, n, max(depths), E, P) + 4 * E * P * d * n
    backward = max(depths) * E * n * n * F_NORMAL + sum(depths) * 2 * E * P * n * n + len(depths) * (2 * E * P * d * n + 4 * E * P * d)
    return forward + backward


def _autocorrelation_flops(spec: dict, curves: int) -> float:
    """FLOPs of the autocorrelations: 8 E P per lag of each of ``curves`` curves [E, P]."""
    return curves * spec["figure2"]["max_lag"] * 8 * spec["seeds"] * spec["grid"]["points"]


def _feedforward_flops(spec: dict) -> float:
    """FLOPs of ``shattered_gradients_feedforward``: the depth sweeps of its five nets
    (:func:`_sweep_flops`; CReLU has width/2 units), for the theorems two nets of the theorem's
    depth run forward, then at every layer the weights drawn again and one backpropagation step
    (E n² F_NORMAL + 2 E P n²) and the pair statistics (4 E P n per offset), the autocorrelations
    of the Fig. 2 depths and the two noise references, and Theorem 1's pair sweep (:func:`_pairs_flops`)."""
    n, P, E = spec["width"], spec["grid"]["points"], spec["seeds"]
    nets = feedforward_nets(spec["feedforward_depth"], n)
    sweeps = sum(_sweep_flops(n, n // 2 if net.architecture == "crelu" else n, net.depth, E, P) for net in nets)
    depth, offsets = spec["theorem"]["depth"], len(spec["theorem"]["offsets"])
    theorem = 2 * (_sweep_flops(n, n, depth, E, P) + depth * E * (n * n * F_NORMAL + 2 * P * n * n + 4 * P * n * offsets))
    pairs = _pairs_flops(n, range(1, spec["theorem1_pairs"]["depth"] + 1), E, spec["theorem1_pairs"])
    return sweeps + theorem + _autocorrelation_flops(spec, len(spec["figure2"]["feedforward_depths"]) + 2) + pairs


def _sweep_memory(spec: dict, depth: int, itemsize: int) -> float:
    """Bytes of a depth sweep of ``depth`` layers: the gradients and outputs of every depth
    [2, L, E, P], one layer's weights (drawn per seed, then stacked: 2 E n²) and activations with
    tangents (4 E P n), ``itemsize`` bytes each."""
    n, P, E = spec["width"], spec["grid"]["points"], spec["seeds"]
    return itemsize * (2 * depth * E * P + 2 * E * n * n + 4 * E * P * n)


def _pairs_memory(spec: dict, depths, pairs: dict, itemsize: int) -> float:
    """Bytes of a pair sweep: the per-layer masks [L, E, P, n] (1 byte each), one layer's weights
    (2 E n²), the backward passes of all depths together [E, K P, n] with their repeated mask, and
    the gradients [K, E, P, d] (K depths), ``itemsize`` bytes each but the masks."""
    n, E, P, K = spec["width"], spec["seeds"], pairs["points"], len(depths)
    return max(depths) * E * P * n + itemsize * (2 * E * n * n + 2 * E * K * P * n + K * E * P * pairs["dimension"]) + E * K * P * n


def _feedforward_memory(spec: dict) -> float:
    """Bytes: the depth sweep's (:func:`_sweep_memory`) in float64 (the looks-linear net always
    is), and the theorem's per-layer masks [L_t, E, P, n] (1 byte each); then Theorem 1's pair
    sweep (:func:`_pairs_memory`), whichever is larger."""
    masks = spec["theorem"]["depth"] * spec["seeds"] * spec["grid"]["points"] * spec["width"]
    pairs = spec["theorem1_pairs"]
    return max(_sweep_memory(spec, spec["feedforward_depth"], 8) + masks, _pairs_memory(spec, range(1, pairs["depth"] + 1), pairs, 8))


def _feedforward_run(spec: dict) -> None:
    grid, seeds, dtype = spec["grid"], seeds_of(spec), DTYPES[spec["dtype"]]
    x = torch.linspace(grid["min"], grid["max"], grid["points"], dtype=torch.float64)
    for net in feedforward_nets(spec["feedforward_depth"], spec["width"]):
        _, grads = depth_sweep(net, seeds, x, torch.float64 if net.looks_linear else dtype)
        if net.architecture == "feedforward" and net.normalization == "centre":
            for d in spec["figure2"]["feedforward_depths"]:
                autocorrelation(grads[min(d, net.depth) - 1].numpy(), range(1, spec["figure2"]["max_lag"] + 1))
    for architecture, beta in (("feedforward", 1.0), ("resnet", 1.0)):
        net = Net(architecture, spec["theorem"]["depth"], spec["width"], "centre", beta=beta)
        layer_transfer(Weights(net, seeds), x, spec["theorem"]["offsets"], seed=spec["seed"])
    pairs = spec["theorem1_pairs"]
    net = Net("feedforward", pairs["depth"], spec["width"], "centre", inputs=pairs["dimension"])
    pair_sweep(net, seeds, pairs["points"], range(1, pairs["depth"] + 1), spec["seed"], dtype)


def _resnet_flops(spec: dict) -> float:
    """FLOPs of ``shattered_gradients_resnet``: per β one depth sweep (:func:`_sweep_flops`), the
    autocorrelations of the Fig. 2 depths and Theorem 3's pair sweep (:func:`_pairs_flops`)."""
    sweep = _sweep_flops(spec["width"], spec["width"], spec["resnet_depth"], spec["seeds"], spec["grid"]["points"])
    pairs = _pairs_flops(spec["width"], spec["theorem3_pairs"]["depths"], spec["seeds"], spec["theorem3_pairs"])
    return len(spec["betas"]) * (sweep + _autocorrelation_flops(spec, len(spec["figure2"]["resnet_depths"])) + pairs)


def _resnet_memory(spec: dict) -> float:
    """Bytes: the depth sweep's (:func:`_sweep_memory`) or Theorem 3's pair sweep's
    (:func:`_pairs_memory`), whichever is larger, in the config's dtype, one β at a time."""
    itemsize, pairs = BYTES[spec["dtype"]], spec["theorem3_pairs"]
    return max(_sweep_memory(spec, spec["resnet_depth"], itemsize), _pairs_memory(spec, pairs["depths"], pairs, itemsize))


def _resnet_run(spec: dict) -> None:
    grid, pairs, dtype = spec["grid"], spec["theorem3_pairs"], DTYPES[spec["dtype"]]
    x = torch.linspace(grid["min"], grid["max"], grid["points"], dtype=torch.float64)
    for beta in spec["betas"]:
        _, grads = depth_sweep(Net("resnet", spec["resnet_depth"], spec["width"], "batch_norm", beta=beta), seeds_of(spec), x, dtype)
        for d in spec["figure2"]["resnet_depths"]:
            autocorrelation(grads[min(d, spec["resnet_depth"]) - 1].numpy(), range(1, spec["figure2"]["max_lag"] + 1))
        net = Net("resnet", max(pairs["depths"]), spec["width"], "batch_norm", beta=beta, inputs=pairs["dimension"])
        pair_sweep(net, seeds_of(spec), pairs["points"], sorted(pairs["depths"]), spec["seed"], dtype)


def _shallower(spec: dict, depth: int, **changes) -> dict:
    """``spec`` (a resnet job's) with ``depth`` blocks and Theorem 3's depths cut to it (the run clamps the Fig. 2 depths)."""
    cut = sorted({min(d, depth) for d in spec["theorem3_pairs"]["depths"]})
    return reduced(spec, resnet_depth=depth, theorem3_pairs__depths=cut, **changes)


def jobs(config: dict) -> list:
    """``shattered_gradients_feedforward`` probed on at most 4 seeds, 6 layers, a theorem depth
    of 4 and Theorem 1's pairs to depth 4, less its run at 2, 2 and 2 (the marginal time of the
    layers); ``shattered_gradients_resnet`` on at most 4 seeds and 10 blocks (Theorem 3's depths
    cut to 10) less 3 (the width, the grid and the pairs' inputs as configured)."""
    spec = config[NAME]["compute"]
    seeds = min(spec["seeds"], 4)
    ff_depth, t_depth, p_depth = spec["feedforward_depth"], spec["theorem"]["depth"], spec["theorem1_pairs"]["depth"]
    feedforward = reduced(
        spec, seeds=seeds, feedforward_depth=min(ff_depth, 6), theorem__depth=min(t_depth, 4), theorem1_pairs__depth=min(p_depth, 4)
    )
    resnet = _shallower(spec, min(spec["resnet_depth"], 10), seeds=seeds)
    return [
        sliced(
            f"{NAME}_feedforward", "", spec, feedforward, _feedforward_flops, _feedforward_memory, _feedforward_run,
            baseline_spec=reduced(feedforward, feedforward_depth=min(ff_depth, 2), theorem__depth=min(t_depth, 2), theorem1_pairs__depth=2),
        ),
        sliced(
            f"{NAME}_resnet", "", spec, resnet, _resnet_flops, _resnet_memory, _resnet_run,
            baseline_spec=_shallower(resnet, min(spec["resnet_depth"], 3)),
        ),
    ]  # fmt: skip
