"""lazy_training's compute jobs: (a) Jacot et al.'s Fig. 1, the tangent kernel on the unit circle at
initialization and after gradient descent, for two widths and several initializations; (b)-(d) how
far the weights and the tangent kernel move vs width, the kernel's smallest eigenvalue vs width
with gradient descent against the PL* bound, and the displacement of the lazily scaled model vs
its scale alpha."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dltheory.core.contract import seeds_of
from dltheory.core.device import DTYPES
from dltheory.core.runner import JobRun
from dltheory.science.tangent_kernel import alpha_sweep, circle_kernels, kernel_spectrum, pl_curves, sphere_points, width_sweep


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
    tables = []
    for depth in sweep["depths"]:
        tables.append(
            width_sweep(
                depth["hidden_layers"], depth["widths"], x[:n], y[:n], seeds, sweep["target_loss_ratio"], sweep["max_steps"], device
            )
        )
        log(
            f"{depth['hidden_layers']} hidden: relative change by width and layer\n"
            + tables[-1].pivot_table("relative_change", "width", "layer").to_string()
        )
    widths = pd.concat(tables, ignore_index=True)

    pl = spec["spectrum"]
    seeds = seeds_of(pl)
    eigen = kernel_spectrum(pl["widths"], x, seeds, device)
    curves = pl_curves(pl["train_width"], x, y, seeds, pl["steps"], device)
    log(
        "lambda_min / lambda_max of the kernel by width (min over inits):\n"
        + (eigen.lambda_min / eigen.lambda_max).groupby(eigen.width).min().to_string()
    )

    lazy = spec["alpha"]
    seeds = seeds_of(lazy)
    n = lazy["train_points"]
    alphas = alpha_sweep(lazy["alphas"], lazy["width"], x[:n], y[:n], seeds, lazy["steps"], device)
    log("alpha sweep: displacement by alpha\n" + alphas.groupby("alpha").displacement.mean().to_string())
    job.meta["seeds"] = {part: seeds_of(spec[part]) for part in ("sweep", "spectrum", "alpha")}
    return {"widths": widths, "spectrum": eigen, "pl_curves": curves, "alpha": alphas}
