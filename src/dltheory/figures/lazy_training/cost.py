"""Cost of lazy_training's compute jobs, for ``python -m dltheory plan`` (no job imports this module)."""

from __future__ import annotations

import numpy as np

from dltheory.core.cost import BYTES, F_NORMAL, reduced, seeds_of, sliced
from dltheory.core.device import DTYPES, resolve_device
from dltheory.figures.lazy_training import NAME
from dltheory.science.tangent_kernel import (
    alpha_sweep,
    circle_kernels,
    kernel_spectrum,
    pl_sweep,
    relu_ntk,
    sphere_points,
    two_dead_probability,
    two_dead_share,
    width_sweep,
)

PROBE_BYTES = 256e6  # parameters of a probe's nets: beyond the caches, as the job's are


def _weights(n_in: int, width: int, hidden_layers: int) -> int:
    """Weights and biases of an NTK net [n_in, width × hidden_layers, 1]."""
    return n_in * width + (hidden_layers - 1) * width * width + width + hidden_layers * width + 1


def _net_flops(weights: int, members: int, points: int, steps: float, kernel_points: int, kernels: int) -> float:
    """FLOPs of drawing E = ``members`` nets of P = ``weights`` parameters (E P F_NORMAL), of
    ``kernels`` tangent kernels on ``kernel_points`` inputs (forward and backward, 4 E n P each),
    and of gradient descent on ``points`` inputs, E P (6 p + 2) per step."""
    return members * weights * (F_NORMAL + kernels * 4 * kernel_points + steps * (6 * points + 2))


def _circle_flops(spec: dict) -> float:
    """FLOPs of ``lazy_training_circle``: per width, the seeds' nets (:func:`_net_flops`), two
    kernels on the 1 + G circle points, ``steps`` of gradient descent on the training points."""
    return sum(
        _net_flops(_weights(2, w, spec["hidden_layers"]), spec["seeds"], spec["train_points"], spec["steps"], 1 + spec["angles"], 2)
        for w in spec["widths"]
    )


def _circle_memory(spec: dict) -> float:
    """Bytes: for the widest nets, parameters and gradients, or the per-seed draws beside their
    stack (2 E P each), in the config's dtype."""
    return 2 * spec["seeds"] * _weights(2, max(spec["widths"]), spec["hidden_layers"]) * BYTES[spec["dtype"]]


def _circle_run(spec: dict, device: str) -> None:
    circle_kernels(
        spec["widths"], spec["hidden_layers"], seeds_of(spec), spec["train_points"], spec["steps"], spec["lr"], spec["angles"],
        spec["data_seed"], DTYPES[spec["dtype"]], device,
    )  # fmt: skip


def _steps_to_target(spec: dict, hidden_layers: int) -> float:
    """Steps of gradient descent until the loss is ``target_loss_ratio`` × its start, predicted by
    the infinite-width kernel Θ on the training inputs (:func:`dltheory.science.tangent_kernel.relu_ntk`): with the
    step 1/λ_max(Θ/n) the residual's part along eigenvector i shrinks by (1 − λ_i/λ_max) per step,
    taking the residual at the start to be the targets' (the nets' initial outputs ignored). In
    the lazy regime this count does not depend on the width; at most ``max_steps``."""
    data, sweep = spec["data"], spec["sweep"]
    x, y = (a[: sweep["train_points"]].numpy() for a in sphere_points(data["points"], data["d"], data["seed"]))
    eigenvalues, vectors = np.linalg.eigh(relu_ntk(x, x, hidden_layers))
    weights = (vectors.T @ y) ** 2
    decay = np.clip(1 - eigenvalues / eigenvalues[-1], 0.0, 1.0) ** 2
    for step in range(sweep["max_steps"] + 1):
        if weights @ decay**step <= sweep["target_loss_ratio"] * weights.sum():
            return step
    return sweep["max_steps"]


def _sweeps_flops(spec: dict) -> float:
    """FLOPs of ``lazy_training_sweeps`` (:func:`_net_flops` for each part): (b) per depth and
    width, the seeds' nets, three kernels on the p training inputs and one between them and the
    r test inputs, :func:`_steps_to_target` steps, each with a forward pass over the test inputs
    (2 E P r); (c) one hidden layer of each width and both activations, a kernel on all n inputs
    (and its eigenvalues, 10 n³ per seed), the dead-input Monte Carlo (2 n n₀ w per draw, where it
    runs), then at each training width ``steps`` with a kernel and its eigenvalues every
    ``kernel_every``; (d) per α, a kernel and ``steps``, each with a forward pass over the p
    training inputs again."""
    data, sweep, pl, lazy = spec["data"], spec["sweep"], spec["spectrum"], spec["alpha"]
    d, n = data["d"], data["points"]
    total = 0.0
    p, r = sweep["train_points"], sweep["test_points"]
    for depth in sweep["depths"]:
        steps = spec["steps_to_target"][depth["hidden_layers"]]
        for w in depth["widths"]:
            weights = _weights(d, w, depth["hidden_layers"])
            total += _net_flops(weights, sweep["seeds"], p, steps, p + r, 4) + 2 * sweep["seeds"] * weights * steps * r
            total += 10 * sweep["seeds"] * p**3
    total += 2 * sum(_net_flops(_weights(d, w, 1), pl["seeds"], n, 0, n, 1) + 10 * pl["seeds"] * n**3 for w in pl["widths"])
    total += sum(2 * pl["dead_draws"] * n * d * w for w in pl["widths"] if two_dead_probability(n, w) >= 1 / pl["dead_draws"])
    kernels = pl["steps"] // pl["kernel_every"] + 2
    total += sum(
        _net_flops(_weights(d, w, 1), pl["seeds"], n, pl["steps"], n, kernels) + 10 * pl["seeds"] * n**3 * kernels
        for w in pl["train_widths"]
    )
    q = lazy["train_points"]
    total += len(lazy["alphas"]) * (
        _net_flops(_weights(d, lazy["width"], 1), lazy["seeds"], q, lazy["steps"], q, 1)
        + 2 * lazy["seeds"] * _weights(d, lazy["width"], 1) * lazy["steps"] * q
    )
    return total


def _sweeps_memory(spec: dict) -> float:
    """Bytes: the widest nets of the width sweep, float64: parameters, their copy before training,
    gradients, and the draws beside their stack (4 E P × 8)."""
    d, sweep = spec["data"]["d"], spec["sweep"]
    largest = max(_weights(d, max(depth["widths"]), depth["hidden_layers"]) for depth in sweep["depths"])
    return 4 * sweep["seeds"] * largest * 8


def _sweeps_run(spec: dict, device: str) -> None:
    data, sweep, pl, lazy = spec["data"], spec["sweep"], spec["spectrum"], spec["alpha"]
    x, y = sphere_points(data["points"], data["d"], data["seed"])
    p = sweep["train_points"]
    for depth in sweep["depths"]:
        steps = spec["steps_to_target"][depth["hidden_layers"]]
        width_sweep(
            depth["hidden_layers"], depth["widths"], x[:p], y[:p], x[p : p + sweep["test_points"]], seeds_of(sweep),
            sweep["target_loss_ratio"], steps, device,
        )  # fmt: skip
    for activation in ("relu", "softplus"):
        kernel_spectrum(pl["widths"], x, seeds_of(pl), device, activation)
    for w in pl["widths"]:
        two_dead_share(x, w, pl["dead_draws"], pl["seed"])
    pl_sweep(pl["train_widths"], x, y, seeds_of(pl), pl["steps"], pl["kernel_every"], pl["train_activation"], device)
    q = lazy["train_points"]
    alpha_sweep(lazy["alphas"], lazy["width"], x[:q], y[:q], seeds_of(lazy), lazy["steps"], device, lazy["activation"])


def _probe_nets(n_in: int, widths: list[int], hidden_layers: int, seeds: int, itemsize: int) -> tuple[int, int]:
    """(width, seeds) of a probe: the widest width and as many seeds as fit :data:`PROBE_BYTES` of
    parameters (at least one seed; narrower when one net alone does not fit). A step on these
    few inputs streams every weight from memory, so a probe must not shrink into the caches."""
    width = max(widths)
    while width > 64 and _weights(n_in, width, hidden_layers) * itemsize > PROBE_BYTES:
        width = int(width * 0.9)
    return width, max(1, min(seeds, int(PROBE_BYTES // (_weights(n_in, width, hidden_layers) * itemsize))))


def jobs(config: dict) -> list:
    """``lazy_training_circle``, probed on its widest nets (:func:`_probe_nets`) for 5 steps less
    1 (the marginal time of 4 steps); ``lazy_training_sweeps`` likewise: the widest nets of each
    depth, the spectrum, the widest PL* training width and the α sweep (one α), 3 steps less 1 of
    every training. The width
    sweep's step counts come from :func:`_steps_to_target` (its FLOPs are an estimate where
    members stop early)."""
    c, device = config[NAME]["compute"], resolve_device(config["device"])
    circle = c["circle"]
    width, seeds = _probe_nets(2, circle["widths"], circle["hidden_layers"], circle["seeds"], BYTES[circle["dtype"]])
    circle_probe = reduced(circle, widths=[width], seeds=seeds, steps=min(circle["steps"], 5))
    sweeps = {k: v for k, v in c.items() if k != "circle"}
    sweeps["steps_to_target"] = {
        depth["hidden_layers"]: _steps_to_target(sweeps, depth["hidden_layers"]) for depth in sweeps["sweep"]["depths"]
    }
    d, sweep = c["data"]["d"], c["sweep"]
    probe_depths = [_probe_nets(d, depth["widths"], depth["hidden_layers"], sweep["seeds"], 8) for depth in sweep["depths"]]
    sweeps_probe = reduced(
        sweeps,
        sweep__seeds=min(seeds for _, seeds in probe_depths),
        sweep__depths=[{**depth, "widths": [width]} for depth, (width, _) in zip(sweep["depths"], probe_depths)],
        steps_to_target={k: min(v, 3) for k, v in sweeps["steps_to_target"].items()},
        spectrum__widths=[max(c["spectrum"]["widths"])],
        spectrum__train_widths=[max(c["spectrum"]["train_widths"])],
        spectrum__steps=3,
        alpha__alphas=c["alpha"]["alphas"][:1],
        alpha__steps=3,
    )
    return [
        sliced(
            f"{NAME}_circle", "", circle, circle_probe, _circle_flops, _circle_memory, lambda s: _circle_run(s, device),
            baseline_spec=reduced(circle_probe, steps=1),
        ),
        sliced(
            f"{NAME}_sweeps", "", sweeps, sweeps_probe, _sweeps_flops, _sweeps_memory, lambda s: _sweeps_run(s, device),
            baseline_spec=reduced(
                sweeps_probe, steps_to_target={k: min(v, 1) for k, v in sweeps["steps_to_target"].items()}, spectrum__steps=1, alpha__steps=1
            ),
        ),
    ]  # fmt: skip
