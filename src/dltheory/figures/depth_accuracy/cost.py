"""Cost of depth_accuracy's compute jobs, for ``python -m dltheory plan`` (no job imports this module)."""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from dltheory.core.contract import Job
from dltheory.core.cost import BYTES, LOAD_SECONDS, probe_dataset, reduced, seeds_of, sliced, split_sizes
from dltheory.core.cost import F_TRANSCENDENTAL as F_T
from dltheory.core.data import N_CLASSES
from dltheory.core.device import resolve_device
from dltheory.core.grids import grid_axis
from dltheory.engine.depth_training import TrainSpec, train_ensemble
from dltheory.engine.ensembles import member_grid
from dltheory.figures.depth_accuracy import NAME

PROBE_STEP_FLOPS = 5e9  # the most a probe step of the deepest group may cost


def _weights(spec: dict, depth: int) -> int:
    """Weights of one member: d W + (depth − 1) W² + 10 W (biases are negligible)."""
    width = spec["width"]
    return spec["features"] * width + (depth - 1) * width * width + width * N_CLASSES


def _train_flops(spec: dict) -> float:
    """FLOPs of one ``depth_accuracy_train`` job. Per member of depth L with P_L weights, per step
    on a batch of B: the matmuls of forward and backward, 6 B P_L less 2 B d W (no gradient of the
    inputs), and B W L tanh (F_T each); then the
    evaluation on all n_train + n_test rows, (n_train + n_test)(2 P_L + W L F_T). Summed over the
    depth groups, G = len(σ_w²) × seeds members each."""
    members = len(spec["sigma_w2"]) * len(spec["seeds"])
    rows, width, batch = spec["n_train"] + spec["n_test"], spec["width"], spec["batch_size"]
    return sum(
        members
        * (
            spec["steps"] * (6 * batch * _weights(spec, L) - 2 * batch * spec["features"] * width + batch * width * L * F_T)
            + rows * (2 * _weights(spec, L) + width * L * F_T)
        )
        for L in spec["depths"]
    )


def _train_memory(spec: dict) -> float:
    """Bytes: the data (float32; twice, for the copies that loading and standardizing make), plus,
    for the deepest group of E members with P weights each: parameters and gradients (E P each),
    RMSProp's running average (E P, and as much again for its temporary denominator), and the
    activations: the tanh outputs autograd keeps (also the next product's input), [E, B, W] per
    layer, and as much again for the backward pass's gradients. Groups are trained one at a time
    (the previous one is freed first); initialization (one layer at a time) and evaluation (one
    layer's output of a 1,024-row chunk at a time) stay below this."""
    b = BYTES[spec["dtype"]]
    data = 2 * (spec["n_train"] + spec["n_test"]) * spec["features"] * 4
    members, depth, width = len(spec["sigma_w2"]) * len(spec["seeds"]), max(spec["depths"]), spec["width"]
    params = members * _weights(spec, depth) * b
    buffers = 4 if spec["optimizer"] == "rmsprop" else 2
    activations = 2 * spec["batch_size"] * members * width * (depth + 1) * b
    return data + buffers * params + activations


def _spread(values: list, count: int) -> list:
    """``count`` of ``values`` evenly spread inside the axis (all when it has no more): a probe of
    one member takes the middle σ_w², since at σ_w² near 1 deep tanh signals fade into subnormal
    floats, whose arithmetic is many times slower on a CPU, and one such member is no sample."""
    if count >= len(values):
        return list(values)
    return [values[int(i)] for i in np.round(np.linspace(0, len(values) - 1, count + 2)[1:-1])]


def _train_run(spec: dict, data_config: dict, device: str) -> None:
    data = probe_dataset(spec["dataset"], data_config, spec["n_train"], spec["n_test"])
    members = member_grid(spec["sigma_w2"], [spec["sigma_b2"]], spec["depths"], spec["seeds"])
    train_spec = TrainSpec(spec["optimizer"], spec["lr"], spec["steps"], spec["batch_size"], spec["width"], spec["dtype"], spec["compile"])
    train_ensemble(members, data, train_spec, device=device, log=lambda message: None, progress_every_s=float("inf"))


def _shards(panel: Job, spec: dict) -> list[Job]:
    """The jobs of one panel, one per depth (``panel`` is the whole panel's estimate): each its own
    FLOPs and memory, and the panel's seconds per FLOP, from one probe run once for the panel."""
    probe = functools.cache(panel.probe)
    out = []
    for depth in spec["depths"]:
        shard = reduced(spec, depths=[depth])
        flops = _train_flops(shard)
        wildcards = f"{panel.wildcards}/{depth}"
        scale = panel.scale * flops / panel.flops
        out.append(
            dataclasses.replace(panel, wildcards=wildcards, flops=flops, memory_bytes=_train_memory(shard), probe=probe, scale=scale)
        )
    return out


def jobs(config: dict) -> list:
    """One ``depth_accuracy_train`` job per dataset × optimizer × depth. Probe, once per panel: one seed's members of at
    most 3 depth groups (the shallowest, the middle and the deepest): all its σ_w² where a step of
    the deepest costs at most :data:`PROBE_STEP_FLOPS`, else that many FLOPs' worth inside the
    σ_w² axis (:func:`_spread`); 3 steps less 1 (the marginal time of 2 steps, without building and evaluating the
    networks) at the full width and batch, on 2 batches of training rows and 64 test rows; the
    data of mnist and cifar10 are synthetic arrays of their shape."""
    c, data_config, device = config[NAME]["compute"], config["data"], resolve_device(config["device"])
    out = []
    for dataset in c["datasets"]:
        n_train, n_test, features = split_sizes(dataset, data_config, c["n_train"], c["n_test"])
        for optimizer in c["optimizers"]:
            spec = {
                **{k: c[k] for k in ("sigma_b2", "width", "steps", "batch_size", "dtype", "depths", "compile")},
                "dataset": dataset, "optimizer": optimizer, "lr": c["lr"][optimizer], "sigma_w2": grid_axis(c["sigma_w2"]).tolist(),
                "seeds": seeds_of(c), "n_train": n_train, "n_test": n_test, "features": features,
            }  # fmt: skip
            depths = sorted(c["depths"])
            # Whole depth groups where a step of the deepest costs at most PROBE_STEP_FLOPS: at small
            # sizes a step's time hardly depends on the members (kernel launches), so fewer would mislead.
            per_member = 6 * c["batch_size"] * _weights(spec, depths[-1])
            members = max(1, min(len(spec["sigma_w2"]), int(PROBE_STEP_FLOPS // per_member)))
            probe = reduced(
                spec, sigma_w2=_spread(spec["sigma_w2"], members), seeds=spec["seeds"][:1],
                depths=sorted({depths[0], depths[len(depths) // 2], depths[-1]}), steps=min(spec["steps"], 3),
                n_train=min(n_train, 2 * c["batch_size"]), n_test=min(n_test, 64),
            )  # fmt: skip
            panel = sliced(
                f"{NAME}_train", f"{dataset}/{optimizer}", spec, probe, _train_flops, _train_memory,
                lambda s: _train_run(s, data_config, device), overhead_s=LOAD_SECONDS[dataset],
                baseline_spec=reduced(probe, steps=1),
            )  # fmt: skip
            out += _shards(panel, spec)
    return out
