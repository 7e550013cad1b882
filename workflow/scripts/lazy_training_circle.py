"""Train lazy_training (a): Jacot et al.'s Fig. 1, the tangent kernel on the unit circle at
initialization and after gradient descent, for two widths and several initializations."""

import numpy as np
import torch

from dltheory.core.artifacts import Timer, log_to, provenance, write_arrays
from dltheory.core.device import DTYPES, resolve_device
from dltheory.science.tangent_kernel import circle_kernels

p = snakemake.params
a = p.spec
with log_to(snakemake.log[0]) as log:
    torch.set_num_threads(snakemake.threads)
    device = resolve_device(p.device)
    seeds = list(range(a["seed"], a["seed"] + a["seeds"]))
    with Timer() as t:
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
            device,
        )
    for width, init, trained, loss in zip(a["widths"], arrays["theta_init"], arrays["theta_trained"], arrays["loss_trained"]):
        log(
            f"width {width}: s.d. over {len(seeds)} inits of Theta(x0, x) {init.std(0).mean():.4f} (mean over angles); "
            f"moved {abs(trained - init).mean():.4f} in {a['steps']} steps; final loss {loss.mean():.2e}"
        )
    log(f"{len(a['widths'])} widths x {len(seeds)} inits in {t.seconds:.1f} s on {device}")
    arrays |= {"widths": np.array(a["widths"]), "seeds": np.array(seeds)}
    write_arrays(arrays, snakemake.output.circle, provenance(dict(a), device=device, threads=snakemake.threads, wall_time_s=t.seconds))
