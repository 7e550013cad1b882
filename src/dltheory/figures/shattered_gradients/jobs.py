"""shattered_gradients' compute jobs: dy/dx of scalar-input networks over a grid, and ∂y/∂x of
networks on pairs of random vector inputs.

``feedforward``: the lag-1 correlation of dy/dx against depth (mean-centred, batch-normalized,
unnormalized, and CReLU looks-linear / random), the paper's Fig. 1 panels of the 1-layer and deep
feedforward nets with the noise references, the autocorrelation against lag of the mean-centred
net at the Fig. 2 depths (and of the noise references), the one-layer transfer of the
backpropagated correlation (Theorems 1 and 2), and Theorem 1 end to end on random inputs.
``resnet``: the same lag-1 curve and autocorrelation for batch-normalized resnets with each branch
scale β, the Fig. 1 panel of the deep resnet, and Theorem 3 on random inputs."""

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
    autocorrelation,
    covariance,
    depth_sweep,
    feedforward_nets,
    label,
    lag1,
    layer_transfer,
    noise_references,
    pair_sweep,
)


def autocorrelation_rows(net: str, grads: dict, max_lag: int) -> list[dict]:
    """The paper's Fig. 2 statistic: rows (net, depth, lag, autocorrelation) of dy/dx [E, P] at
    each depth of ``grads`` ({depth: dy/dx}; depth NaN for a noise reference), lags 1 … max_lag."""
    lags = range(1, max_lag + 1)
    return [
        {"net": net, "depth": depth, "lag": k, "autocorrelation": r}
        for depth, g in grads.items()
        for k, r in zip(lags, autocorrelation(g, lags))
    ]


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
    figure2, acf = spec["figure2"], []
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
            at = {d: grads[d - 1].double().numpy() for d in figure2["feedforward_depths"]}
            acf += autocorrelation_rows(label(net), at, figure2["max_lag"])
            for name, d in (("shallow", 1), ("deep", spec["figure1"]["feedforward_depth"])):
                panels[f"{name}_curve"], panels[f"{name}_covariance"] = (
                    grads[d - 1, 0].double().numpy(),
                    covariance(grads[d - 1].double().numpy()),
                )
    noise = noise_references(len(seeds), len(x), spec["noise_seed"])
    for name, g in noise.items():
        panels[f"{name}_curve"], panels[f"{name}_covariance"] = g[0], covariance(g)
        acf += autocorrelation_rows(f"{name}_noise", {np.nan: g}, figure2["max_lag"])
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
    pairs = spec["theorem1_pairs"]
    net = Net("feedforward", pairs["depth"], width, "centre", inputs=pairs["dimension"])
    pair_rows = pair_sweep(net, seeds, pairs["points"], range(1, pairs["depth"] + 1), spec["seed"], dtype)
    log(f"{label(net)}, {pairs['points']} random inputs in R^{pairs['dimension']}: covariance/variance by depth " + _ratios(pair_rows))
    return {
        "lag1_feedforward": pd.DataFrame(rows),
        "transfer": pd.concat(transfer, ignore_index=True),
        "panels_feedforward": panels,
        "autocorrelation_feedforward": pd.DataFrame(acf),
        "pairs_feedforward": pd.DataFrame(pair_rows),
    }


def _ratios(rows: list[dict]) -> str:
    """'1:0.500 2:0.250 …': the pooled covariance/variance of pair_sweep rows by depth, for the log."""
    table = pd.DataFrame(rows).groupby("depth")[["covariance", "variance"]].sum()
    return " ".join(f"{d}:{c / v:.4f}" for d, (c, v) in table.iterrows())


def resnet(job: JobRun) -> dict:
    spec, log = job.params, job.log
    grid = spec["grid"]
    x = torch.linspace(grid["min"], grid["max"], grid["points"], dtype=torch.float64)
    seeds = job.seeds(spec)
    figure1, figure2, pairs, dtype = spec["figure1"], spec["figure2"], spec["theorem3_pairs"], DTYPES[spec["dtype"]]
    rows, panels, acf, pair_rows = [], {}, [], []
    for beta in spec["betas"]:
        net = Net("resnet", spec["resnet_depth"], spec["width"], "batch_norm", beta=beta)
        net_rows, grads = depth_sweep(net, seeds, x, dtype)
        rows += net_rows
        acf += autocorrelation_rows(label(net), {d: grads[d - 1].double().numpy() for d in figure2["resnet_depths"]}, figure2["max_lag"])
        vector = Net("resnet", max(pairs["depths"]), spec["width"], "batch_norm", beta=beta, inputs=pairs["dimension"])
        beta_pairs = pair_sweep(vector, seeds, pairs["points"], sorted(pairs["depths"]), spec["seed"], dtype)
        pair_rows += beta_pairs
        log(f"{label(vector)}, {pairs['points']} random inputs: covariance/variance by depth " + _ratios(beta_pairs))
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
    return {
        "lag1_resnet": pd.DataFrame(rows),
        "panels_resnet": panels,
        "autocorrelation_resnet": pd.DataFrame(acf),
        "pairs_resnet": pd.DataFrame(pair_rows),
    }
