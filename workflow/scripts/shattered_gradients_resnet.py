"""Measure shattered_gradients' resnets: lag-1 correlation of dy/dx vs depth for batch-normalized
resnets with each branch scale beta, and the paper's Fig. 1 panel of the deep resnet."""

import numpy as np
import pandas as pd
import torch

from dltheory.core.artifacts import Timer, log_to, provenance, write_arrays, write_table
from dltheory.core.device import DTYPES
from dltheory.science.shattering import Net, covariance, depth_sweep

spec = snakemake.params.spec
with log_to(snakemake.log[0]) as log:
    torch.set_num_threads(snakemake.threads)
    grid = spec["grid"]
    x = torch.linspace(grid["min"], grid["max"], grid["points"], dtype=torch.float64)
    seeds = list(range(spec["seed"], spec["seed"] + spec["seeds"]))
    figure1 = spec["figure1"]
    rows, panels = [], {}
    with Timer() as t:
        for beta in spec["betas"]:
            net = Net("resnet", spec["resnet_depth"], spec["width"], "batch_norm", beta=beta)
            net_rows, grads = depth_sweep(net, seeds, x, DTYPES[spec["dtype"]])
            rows += net_rows
            log(
                f"{net_rows[0]['net']}: lag-1 by depth "
                + " ".join(f"{r['depth']}:{r['lag1']:.3f}" for r in net_rows if r["depth"] in (1, 4, 16, 50, 100, 200))
            )
            if beta == figure1["resnet_beta"]:
                d = figure1["resnet_depth"]
                panels = {"resnet_curve": grads[d - 1, 0].double().numpy(), "resnet_covariance": covariance(grads[d - 1].double().numpy())}
    log(f"measured in {t.seconds:.1f} s")
    meta = provenance(dict(spec), seeds=seeds, wall_time_s=t.seconds)
    write_table(pd.DataFrame(rows), snakemake.output.lag1, meta)
    panels |= {"resnet_depth": np.array(figure1["resnet_depth"]), "resnet_beta": np.array(figure1["resnet_beta"])}
    write_arrays(panels, snakemake.output.panels, meta)
