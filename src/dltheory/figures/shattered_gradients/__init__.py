"""Figure ``shattered_gradients``: the gradients of deep feedforward networks look like white
noise, a resnet's keep their structure (Balduzzi et al. 2017, Figs. 1–2 and Theorems 1–3).

Top rows: the paper's Fig. 1, dy/dx over the input grid (one initialization) and its covariance
over initializations, for a 1-layer net, a deep mean-centred feedforward net, a batch-normalized
resnet with β = 0.1, brown noise and white noise. Third row: (f) the lag-1 correlation of dy/dx
against depth for every architecture, with the noise references; (g) the one-layer factor on the
backpropagated correlation against the agreement of the two inputs' activation patterns, with
Theorem 1's 1/2 and Theorem 2's 3/4 where the patterns are independent; (h) the looks-linear
initialization keeps dy/dx constant, its unmirrored twin shatters. Bottom row: the paper's Fig. 2,
the autocorrelation of dy/dx against lag at several depths, (i) feedforward and (j) resnets;
(k) Theorem 1 end to end, the correlation of the gradients at pairs of random inputs against
depth with 2^{−L}; (l) Theorem 3, the same for batch-normalized resnets with 1/(β√L).

Science: :mod:`dltheory.science.shattering`.
"""

from __future__ import annotations

from dltheory.core.contract import Figure, Step, require

NAME = "shattered_gradients"
SOURCE = "Balduzzi et al. 2017, Fig. 1 (ICML; arXiv 1702.08591)"


def gradients_key(net: str, depth: int) -> str:
    """The panels' key of dy/dx of ``net`` at ``depth`` for every initialization, [inits, grid
    points]: kept for each (net, depth) of a lag-1 claim, whose interval is a bootstrap over them."""
    return f"gradients_{net}_{depth}"


def check(config: dict) -> None:
    """The Fig. 1 and Fig. 2 depths within the swept depths, the Fig. 1 β among the swept ones,
    offsets and lags within the grid, the end-to-end fit within the depths measured."""
    sg, errors = config[NAME]["compute"], []
    f1 = sg["figure1"]
    if sg["grid"]["min"] >= sg["grid"]["max"]:
        errors.append(f"{NAME}.compute.grid: min ({sg['grid']['min']}) must be < max ({sg['grid']['max']})")
    for key, limit in (("feedforward_depth", "feedforward_depth"), ("resnet_depth", "resnet_depth")):
        if f1[key] > sg[limit]:
            errors.append(f"{NAME}.compute.figure1.{key}: {f1[key]} > {NAME}.compute.{limit} ({sg[limit]}); allowed: 1 .. {sg[limit]}")
    if f1["resnet_beta"] not in sg["betas"]:
        errors.append(
            f"{NAME}.compute.figure1.resnet_beta: {f1['resnet_beta']} is not in {NAME}.compute.betas {sg['betas']}; allowed: one of them"
        )
    too_far = [k for k in sg["theorem"]["offsets"] if k >= sg["grid"]["points"]]
    if too_far:
        errors.append(
            f"{NAME}.compute.theorem.offsets: {too_far} reach past the {sg['grid']['points']} grid points; allowed: 1 .. {sg['grid']['points'] - 1}"
        )
    if sg["figure2"]["max_lag"] >= sg["grid"]["points"]:
        errors.append(
            f"{NAME}.compute.figure2.max_lag: {sg['figure2']['max_lag']} reaches past the {sg['grid']['points']} grid points; allowed: 1 .. {sg['grid']['points'] - 1}"
        )
    for key, limit in (("feedforward_depths", "feedforward_depth"), ("resnet_depths", "resnet_depth")):
        deeper = [d for d in sg["figure2"][key] if d > sg[limit]]
        if deeper:
            errors.append(f"{NAME}.compute.figure2.{key}: {deeper} > {NAME}.compute.{limit} ({sg[limit]}); allowed: 1 .. {sg[limit]}")
    fit = config[NAME]["claims"]["end_to_end_fit_depth"]
    if fit > sg["theorem1_pairs"]["depth"]:
        errors.append(
            f"{NAME}.claims.end_to_end_fit_depth: {fit} > {NAME}.compute.theorem1_pairs.depth ({sg['theorem1_pairs']['depth']}); allowed: 2 .. {sg['theorem1_pairs']['depth']}"
        )
    require(errors)


# Each job's settings, so that a resnet depth never reruns the feedforward job and back.
def _feedforward_params(compute: dict, wildcards) -> dict:
    params = {k: v for k, v in compute.items() if k not in ("resnet_depth", "betas", "theorem3_pairs")}
    return params | {"figure2": {k: v for k, v in compute["figure2"].items() if k != "resnet_depths"}}


def _resnet_params(compute: dict, wildcards) -> dict:
    params = {k: v for k, v in compute.items() if k not in ("feedforward_depth", "theorem", "theorem1_pairs", "noise_seed")}
    return params | {"figure2": {k: v for k, v in compute["figure2"].items() if k != "feedforward_depths"}}


FIGURE = Figure(
    name=NAME,
    order=100,
    title="Shattered gradients: deep feedforward gradients look like white noise, resnets keep their structure",
    sources=(SOURCE,),
    outputs={
        "lag1_feedforward": "lag1_feedforward.csv",
        "transfer": "transfer.csv",
        "panels_feedforward": "panels_feedforward.npz",
        "autocorrelation_feedforward": "autocorrelation_feedforward.csv",
        "pairs_feedforward": "pairs_feedforward.csv",
        "lag1_resnet": "lag1_resnet.csv",
        "panels_resnet": "panels_resnet.npz",
        "autocorrelation_resnet": "autocorrelation_resnet.csv",
        "pairs_resnet": "pairs_resnet.csv",
    },
    steps=(
        Step(
            "feedforward",
            outputs=("lag1_feedforward", "transfer", "panels_feedforward", "autocorrelation_feedforward", "pairs_feedforward"),
            params=_feedforward_params,
        ),
        Step("resnet", outputs=("lag1_resnet", "panels_resnet", "autocorrelation_resnet", "pairs_resnet"), params=_resnet_params),
    ),
    artifacts=lambda config: {
        "lag1": [FIGURE.output("lag1_feedforward"), FIGURE.output("lag1_resnet")],
        "transfer": FIGURE.output("transfer"),
        "panels_feedforward": FIGURE.output("panels_feedforward"),
        "panels_resnet": FIGURE.output("panels_resnet"),
        "autocorrelation": [FIGURE.output("autocorrelation_feedforward"), FIGURE.output("autocorrelation_resnet")],
        "pairs": [FIGURE.output("pairs_feedforward"), FIGURE.output("pairs_resnet")],
    },
    check=check,
)
