"""lazy_training's compute jobs: (a) Jacot et al.'s Fig. 1, the tangent kernel on the unit circle at
initialization and after gradient descent, for two widths and several initializations; (b)-(d) how
far the weights and the tangent kernel move vs width and how far the network strays from its
linearization, the kernel's spectrum vs width (ReLU and softplus) with gradient descent against
the PL* bound, and the displacement of the lazily scaled model, and its distance to its
linearization, vs its scale alpha."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dltheory.core.contract import seeds_of
from dltheory.core.device import DTYPES
from dltheory.core.runner import JobRun
from dltheory.science.tangent_kernel import (
    alpha_sweep,
    circle_kernels,
    kernel_spectrum,
    pl_sweep,
    sphere_points,
    two_dead_share,
    width_sweep,
)


def circle(job: JobRun) -> dict:
    a, log = job.params, job.log
    seeds = job.seeds(a)
    arrays = circle_kernels(
        a["widths"],
        a["hidden_layers"],
        seeds,
        a["train_points"],
        a["steps"],
        a["lr"],
        a["angles"],
        a["data_seed"],
        DTYPES[a["dtype"]],
        job.device,
    )
    for width, init, trained, loss in zip(a["widths"], arrays["theta_init"], arrays["theta_trained"], arrays["loss_trained"]):
        log(
            f"width {width}: s.d. over {len(seeds)} inits of Theta(x0, x) {init.std(0).mean():.4f} (mean over angles); "
            f"moved {abs(trained - init).mean():.4f} in {a['steps']} steps; final loss {loss.mean():.2e}"
        )
    log(f"{len(a['widths'])} widths x {len(seeds)} inits on {job.device}")
    arrays |= {"widths": np.array(a["widths"]), "seeds": np.array(seeds)}
    return {"circle": arrays}


def sweeps(job: JobRun) -> dict:
    spec, log, device = job.params, job.log, job.device
    data = spec["data"]
    x, y = sphere_points(data["points"], data["d"], data["seed"])

    sweep = spec["sweep"]
    seeds = seeds_of(sweep)
    n = sweep["train_points"]
    x_test = x[n : n + sweep["test_points"]]
    changes, gaps = [], []
    for depth in sweep["depths"]:
        change, gap = width_sweep(
            depth["hidden_layers"], depth["widths"], x[:n], y[:n], x_test, seeds, sweep["target_loss_ratio"], sweep["max_steps"], device
        )
        changes.append(change)
        gaps.append(gap)
        log(
            f"{depth['hidden_layers']} hidden: relative change by width and layer\n"
            + change.pivot_table("relative_change", "width", "layer").to_string()
            + f"\nsup over steps and {len(x_test)} test inputs of |f_t - f_lin_t| (mean over seeds)\n"
            + gap.groupby("width").gap.mean().to_string()
        )

    pl = spec["spectrum"]
    seeds = seeds_of(pl)
    eigen = pd.concat(
        [kernel_spectrum(pl["widths"], x, seeds, device, activation) for activation in ("relu", "softplus")], ignore_index=True
    )
    shares = {w: two_dead_share(x, w, pl["dead_draws"], pl["seed"]) for w in pl["widths"]}
    eigen["two_dead_share"] = eigen.width.map(shares).where(eigen.activation == "relu")
    curves = pl_sweep(pl["train_widths"], x, y, seeds, pl["steps"], pl["kernel_every"], pl["train_activation"], device)
    log(
        "lambda_min / lambda_max of the kernel by width (min over inits):\n"
        + (eigen.lambda_min / eigen.lambda_max).groupby([eigen.width, eigen.activation]).min().unstack().to_string()
        + "\nrelu: inits with >= 2 dead inputs, by width:\n"
        + (eigen[eigen.activation == "relu"].dead_points >= 2).groupby(eigen.width).sum().to_string()
    )

    lazy = spec["alpha"]
    seeds = seeds_of(lazy)
    n = lazy["train_points"]
    alphas = alpha_sweep(lazy["alphas"], lazy["width"], x[:n], y[:n], seeds, lazy["steps"], device, lazy["activation"])
    log(
        "alpha sweep: displacement and distance to the linearization by alpha\n"
        + alphas.groupby("alpha")[["displacement", "linearization_gap"]].mean().to_string()
    )
    job.meta["seeds"] = {part: seeds_of(spec[part]) for part in ("sweep", "spectrum", "alpha")}
    return {
        "widths": pd.concat(changes, ignore_index=True),
        "linearization": pd.concat(gaps, ignore_index=True),
        "spectrum": eigen,
        "pl_curves": curves,
        "alpha": alphas,
    }
