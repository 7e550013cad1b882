"""bn_bias_sign's claims: the paper's, on torchvision's published VGG-BN weights (paper scale);
observations on our proxy network (every scale), which the paper makes no statement about."""

from __future__ import annotations

import pandas as pd
from scipy.stats import spearmanr

from dltheory.core.claims import Claim, claim, observation
from dltheory.core.contract import Artifacts
from dltheory.core.uncertainty import above, mean_interval
from dltheory.figures.bn_bias_sign import PAPER_CLAIMED, SOURCE

PROXY = "our proxy: a Conv-BN-ReLU net trained on the shipped MNIST subset"


def claims(artifacts: Artifacts, bars: dict) -> list[Claim]:
    """Paper scale: for VGG11-BN and VGG16-BN, the share of negative BN biases over the whole
    network is above ``majority`` (the paper's "majority"); the other published models are
    observations. The proxy: per-layer shares of negative biases, the activity and co-activity of
    units, and how β orders the channels' activity — observations, with 95% intervals over seeds."""
    return _pretrained_rows(artifacts["pretrained"], bars) + _proxy_rows(artifacts["proxy"], artifacts["activity"])


def _pretrained_rows(table: pd.DataFrame, bars: dict) -> list[Claim]:
    out = []
    for model, layers in table.groupby("model", sort=False):
        share = layers.negative.sum() / layers.channels.sum()
        statement = (
            f"the majority of BatchNorm biases of torchvision's ImageNet {model} are negative: share over its {len(layers)} BN layers"
        )
        measured = f"{share:.3f} ({layers.negative.sum()} of {layers.channels.sum()}); per layer {', '.join(f'{s:.2f}' for s in layers.negative_share)}"
        if model in PAPER_CLAIMED:
            out.append(
                claim(
                    statement,
                    source=SOURCE,
                    expected=f"> {bars['majority']:g}",
                    measured=measured,
                    value=share,
                    bar=above(bars["majority"], strict=True),
                )
            )
        else:
            out.append(
                observation(
                    statement, source=SOURCE, expected="the paper checks VGG11/16-BN; no statement here", measured=measured, value=share
                )
            )
    return out


def _proxy_rows(channels: pd.DataFrame, activity: pd.DataFrame) -> list[Claim]:
    seeds = activity.seed.nunique()
    shares = activity.pivot(index="seed", columns="layer", values="negative_share")
    overall = channels.groupby("seed").beta.apply(lambda b: (b < 0).mean())
    per_layer = "; ".join(f"layer {layer}: {shares[layer].mean():.2f} {mean_interval(shares[layer]).text}" for layer in shares.columns)
    within = channels.groupby(["seed", "layer"]).apply(
        lambda c: spearmanr(c.beta / c.gamma.abs(), c.active).statistic, include_groups=False
    )
    rho = within.groupby("seed").mean()  # the layers differ in their activity: rank channels within each layer
    gap = activity.both - activity.independent
    return [
        observation(
            f"share of negative BatchNorm biases, per layer ({PROXY}; {seeds} seeds)",
            source=SOURCE,
            expected="the paper's prediction for trained Conv-BN-ReLU nets: mostly negative; no statement about this net",
            measured=f"{per_layer}; whole net {overall.mean():.2f}",
            estimate=mean_interval(overall),
        ),
        observation(
            f"units on (ReLU output > 0) per layer, on the test images ({PROXY})",
            source=SOURCE,
            expected="sparse activations follow from negative biases",
            measured="; ".join(f"layer {layer}: {rows.active.mean():.3f}" for layer, rows in activity.groupby("layer")),
            value=float(activity.active.mean()),
        ),
        observation(
            f"the assumption: two units of a layer on together, P(i and j), against P(i)P(j) and P(j | i) ({PROXY})",
            source=SOURCE,
            expected="the analysis assumes two teacher nodes are rarely on together",
            measured="; ".join(
                f"layer {layer}: {rows.both.mean():.3f} vs {rows.independent.mean():.3f}, P(j | i) {rows.conditional.mean():.3f}"
                for layer, rows in activity.groupby("layer")
            ),
            estimate=mean_interval(gap.groupby(activity.seed).mean()),
        ),
        observation(
            f"β/|γ| orders the channels' activity: Spearman correlation over a layer's channels of β/|γ| with the share of units on, "
            f"mean over layers ({PROXY})",
            source=SOURCE,
            expected="a more negative β/|γ| switches a channel off more often (ReLU(γx̂ + β))",
            measured=f"{rho.mean():.2f} (per layer {', '.join(f'{r:.2f}' for r in within.groupby('layer').mean())})",
            estimate=mean_interval(rho),
        ),
    ]
