"""shattered_gradients' compute jobs: dy/dx of scalar-input networks over a grid.

``feedforward``: the lag-1 correlation of dy/dx against depth (mean-centred, batch-normalized,
unnormalized, and CReLU looks-linear / random), the paper's Fig. 1 panels of the 1-layer and deep
feedforward nets with the noise references, and the one-layer transfer of the backpropagated
correlation (Theorems 1 and 2). ``resnet``: the same lag-1 curve for batch-normalized resnets
with each branch scale β, and the Fig. 1 panel of the deep resnet."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from dltheory.core.device import DTYPES
from dltheory.core.runner import JobRun
from dltheory.figures.shattered_gradients import gradients_key
from dltheory.science.shattering import (
    Net,
    Weights,
    covariance,
    depth_sweep,
    feedforward_nets,
    label,
    lag1,
    layer_transfer,
    noise_references,
)


def feedforward(job: JobRun) -> dict:
    spec, log = job.params, job.log
    grid = spec["grid"]
    x = torch.linspace(grid["min"], grid["max"], grid["points"], dtype=torch.float64)
    seeds = job.seeds(spec)
    width, depth, dtype = spec["width"], spec["feedforward_depth"], DTYPES[spec["dtype"]]
    rows, panels = [], {}
    deep = spec["figure1"]["feedforward_depth"]
    claimed = {
        "feedforward_centre": (1, deep),
        "feedforward_batch_norm": (deep,),
        "crelu_random": (depth,),
    }  # (net, depth) of a lag-1 claim
    for net in feedforward_nets(depth, width):
        # the looks-linear net is checked for exact linearity: float64 whatever the config
        net_rows, grads = depth_sweep(net, seeds, x, torch.float64 if net.looks_linear else dtype)
        rows += net_rows
        panels |= {gradients_key(label(net), d): grads[d - 1].double().numpy() for d in claimed.get(label(net), ())}
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
    panels |= {"x": x.numpy(), "deep_depth": np.array(spec["figure1"]["feedforward_depth"])}
    return {
        "lag1_feedforward": pd.DataFrame(rows),
        "transfer": pd.concat(transfer, ignore_index=True),
        "panels_feedforward": panels,
    }


def resnet(job: JobRun) -> dict:
    spec, log = job.params, job.log
    grid = spec["grid"]
    x = torch.linspace(grid["min"], grid["max"], grid["points"], dtype=torch.float64)
    seeds = job.seeds(spec)
    figure1 = spec["figure1"]
    rows, panels = [], {}
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
            panels = {
                "resnet_curve": grads[d - 1, 0].double().numpy(),
                "resnet_covariance": covariance(grads[d - 1].double().numpy()),
                gradients_key(label(net), d): grads[d - 1].double().numpy(),
            }
    panels |= {"resnet_depth": np.array(figure1["resnet_depth"]), "resnet_beta": np.array(figure1["resnet_beta"])}
    return {"lag1_resnet": pd.DataFrame(rows), "panels_resnet": panels}
