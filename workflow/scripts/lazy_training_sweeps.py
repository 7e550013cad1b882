"""Train lazy_training (b)-(d): how far the weights and the tangent kernel move vs width, the
kernel's smallest eigenvalue vs width with gradient descent against the PL* bound, and the
displacement of the lazily scaled model vs its scale alpha."""

import pandas as pd
import torch

from dltheory.core.artifacts import Timer, log_to, provenance, write_table
from dltheory.core.device import resolve_device
from dltheory.science.tangent_kernel import alpha_sweep, kernel_spectrum, pl_curves, sphere_points, width_sweep

p = snakemake.params
spec = p.spec
with log_to(snakemake.log[0]) as log:
    torch.set_num_threads(snakemake.threads)
    device = resolve_device(p.device)
    data = spec["data"]
    x, y = sphere_points(data["points"], data["d"], data["seed"])
    meta = lambda t: provenance(dict(spec), device=device, threads=snakemake.threads, wall_time_s=t.seconds)

    sweep = spec["sweep"]
    seeds = list(range(sweep["seed"], sweep["seed"] + sweep["seeds"]))
    n = sweep["train_points"]
    with Timer() as t:
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
    log(f"width sweep in {t.seconds:.1f} s")
    write_table(widths, snakemake.output.widths, meta(t))

    pl = spec["spectrum"]
    seeds = list(range(pl["seed"], pl["seed"] + pl["seeds"]))
    with Timer() as t:
        eigen = kernel_spectrum(pl["widths"], x, seeds, device)
        curves = pl_curves(pl["train_width"], x, y, seeds, pl["steps"], device)
    log(
        "lambda_min / lambda_max of the kernel by width (min over inits):\n"
        + (eigen.lambda_min / eigen.lambda_max).groupby(eigen.width).min().to_string()
    )
    write_table(eigen, snakemake.output.spectrum, meta(t))
    write_table(curves, snakemake.output.pl_curves, meta(t))

    lazy = spec["alpha"]
    seeds = list(range(lazy["seed"], lazy["seed"] + lazy["seeds"]))
    n = lazy["train_points"]
    with Timer() as t:
        alphas = alpha_sweep(lazy["alphas"], lazy["width"], x[:n], y[:n], seeds, lazy["steps"], device)
    log(f"alpha sweep in {t.seconds:.1f} s: displacement by alpha\n" + alphas.groupby("alpha").displacement.mean().to_string())
    write_table(alphas, snakemake.output.alpha, meta(t))
