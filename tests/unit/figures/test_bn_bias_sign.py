"""bn_bias_sign's claims at their bar (config bn_bias_sign.claims): the paper's majority claim on
published VGG11/16-BN layers just above and below one half; every proxy row an observation."""

import pandas as pd
import pytest
from shipped import bars

from dltheory.figures.bn_bias_sign import claims as fig

BARS = bars("bn_bias_sign")


def pretrained(shares: dict[str, list[tuple[int, int]]]) -> pd.DataFrame:
    """{model: [(negative, channels) per layer]}."""
    rows = [
        {"model": m, "layer": k + 1, "name": f"features.{k}", "channels": c, "negative_share": n / c, "negative": n}
        for m, layers in shares.items()
        for k, (n, c) in enumerate(layers)
    ]
    return pd.DataFrame(rows, columns=["model", "layer", "name", "channels", "negative_share", "negative"])


def proxy(seeds=(0, 1, 2)):
    channels = pd.DataFrame(
        [
            {"seed": s, "layer": layer, "channel": c, "beta": (-1.0) ** c * (c + 1), "gamma": 1.0, "active": 0.5 - 0.1 * (-1.0) ** c}
            for s in seeds
            for layer in (1, 2)
            for c in range(4)
        ]
    )
    activity = pd.DataFrame(
        [
            {
                "seed": s,
                "layer": layer,
                "channels": 4,
                "negative_share": 0.5 + 0.1 * s,
                "active": 0.5,
                "both": 0.2,
                "independent": 0.25,
                "conditional": 0.4,
                "test_accuracy": 0.9,
            }
            for s in seeds
            for layer in (1, 2)
        ]
    )
    return channels, activity


def judged(shares):
    channels, activity = proxy()
    return fig.claims({"pretrained": pretrained(shares), "proxy": channels, "activity": activity}, BARS)


def test_offline_build_has_only_observations():
    rows = judged({})
    assert rows and all(c.kind == "observation" for c in rows)
    assert all(c.estimate is not None for c in rows if "share of negative" in c.claim or "Spearman" in c.claim)


@pytest.mark.parametrize("model", ["vgg11_bn", "vgg16_bn"])
def test_majority_claim_for_the_papers_models(model):
    (c,) = [c for c in judged({model: [(30, 64), (70, 128)]}) if c.kind == "claim"]  # 100 of 192
    assert c.verdict == "pass" and c.value == pytest.approx(100 / 192)
    (c,) = [c for c in judged({model: [(32, 64), (64, 128)]}) if c.kind == "claim"]  # exactly half: not a majority
    assert c.verdict == "fail"


def test_other_published_models_are_observations():
    rows = judged({"resnet18": [(10, 64)], "vgg13_bn": [(60, 64)]})
    assert not [c for c in rows if c.kind == "claim"]
    assert sum("torchvision" in c.claim for c in rows) == 2
