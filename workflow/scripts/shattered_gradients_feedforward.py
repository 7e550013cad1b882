"""Measure shattered_gradients' feedforward nets: lag-1 correlation of dy/dx vs depth (mean-centred,
batch-normalized, unnormalized, and CReLU looks-linear / random), the paper's Fig. 1 panels of
the 1-layer and deep feedforward nets with the noise references, and the one-layer transfer of the
backpropagated correlation (Theorems 1 and 2)."""

import numpy as np
import pandas as pd
import torch

from dltheory.core.artifacts import Timer, log_to, provenance, write_arrays, write_table
from dltheory.core.device import DTYPES
from dltheory.science.shattering import Net, Weights, covariance, depth_sweep, feedforward_nets, lag1, layer_transfer, noise_references

spec = snakemake.params.spec
with log_to(snakemake.log[0]) as log:
    torch.set_num_threads(snakemake.threads)
    grid = spec["grid"]
    x = torch.linspace(grid["min"], grid["max"], grid["points"], dtype=torch.float64)
    seeds = list(range(spec["seed"], spec["seed"] + spec["seeds"]))
    width, depth, dtype = spec["width"], spec["feedforward_depth"], DTYPES[spec["dtype"]]
    rows, panels = [], {}
    with Timer() as t:
        for net in feedforward_nets(depth, width):
            # the looks-linear net is checked for exact linearity: float64 whatever the config
            net_rows, grads = depth_sweep(net, seeds, x, torch.float64 if net.looks_linear else dtype)
            rows += net_rows
            log(
                f"{net_rows[0]['net']}: lag-1 by depth "
                + " ".join(f"{r['depth']}:{r['lag1']:.3f}" for r in net_rows if r["depth"] in (1, 2, 4, 8, 16, 24, 50))
            )
            if net.architecture == "feedforward" and net.normalization == "centre":
                for name, d in (("shallow", 1), ("deep", spec["figure1"]["feedforward_depth"])):
                    panels[f"{name}_curve"], panels[f"{name}_covariance"] = (
                        grads[d - 1, 0].double().numpy(),
                        covariance(grads[d - 1].double().numpy()),
                    )
        noise = noise_references(len(seeds), len(x), spec["noise_seed"])
        for name, g in noise.items():
            panels[f"{name}_curve"], panels[f"{name}_covariance"] = g[0], covariance(g)
            rows.append(
                {
                    "net": f"{name}_noise",
                    "architecture": "noise",
                    "normalization": "",
                    "beta": np.nan,
                    "looks_linear": False,
                    "depth": np.nan,
                    "lag1": lag1(g),
                    "spread": np.nan,
                }
            )
        transfer = []
        for net in (
            Net("feedforward", spec["theorem"]["depth"], width, "centre"),
            Net("resnet", spec["theorem"]["depth"], width, "centre", beta=1.0),
        ):
            table = pd.DataFrame(layer_transfer(Weights(net, seeds), x, spec["theorem"]["offsets"], seed=spec["seed"]))
            transfer.append(table.assign(net=f"{net.architecture}_centre"))
    table = pd.DataFrame(rows)
    log(f"measured in {t.seconds:.1f} s")
    meta = provenance(dict(spec), seeds=seeds, wall_time_s=t.seconds)
    write_table(table, snakemake.output.lag1, meta)
    write_table(pd.concat(transfer, ignore_index=True), snakemake.output.transfer, meta)
    panels |= {"x": x.numpy(), "deep_depth": np.array(spec["figure1"]["feedforward_depth"])}
    write_arrays(panels, snakemake.output.panels, meta)
