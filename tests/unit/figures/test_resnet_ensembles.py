"""resnet_ensembles's claims at their bars (config resnet_ensembles.claims), on tables with known
lesion errors and path gradients."""

from math import comb

import numpy as np
import pandas as pd
from shipped import bars

from dltheory.figures.resnet_ensembles import claims as fig

BARS = bars("resnet_ensembles")
N = 6  # blocks: 2 per stage, blocks 2 and 4 downsampling


def single(resnet_rise: float, plain_error: float, seeds=(0, 1)) -> pd.DataFrame:
    rows = []
    for s in seeds:
        for i in range(N):
            jitter = 0.002 * ((i + s) % 3)
            rows.append(
                {
                    "seed": s,
                    "architecture": "resnet",
                    "block": i,
                    "downsampling": i in (2, 4),
                    "baseline": 0.03,
                    "error": 0.03 + resnet_rise + jitter,
                    "train_loss": 0.1,
                }
            )
            rows.append(
                {
                    "seed": s,
                    "architecture": "plain",
                    "block": i,
                    "downsampling": i in (2, 4),
                    "baseline": 0.05,
                    "error": plain_error - jitter,
                    "train_loss": 0.2,
                }
            )
    return pd.DataFrame(rows)


def curves(rise_per_block: float, seeds=(0, 1)) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"seed": s, "lesion": lesion, "k": k, "sample": j, "error": 0.03 + rise_per_block * k + 0.002 * j}
            for s in seeds
            for lesion in ("deleted", "swapped")
            for k in (0, 1, 2, 4)
            for j in range(3)
        ]
    )


def paths(factor: float, seeds=(0, 1)) -> pd.DataFrame:
    """Gradient norms factor^k (times a little noise per sample and image)."""
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        [
            {"seed": s, "k": k, "sample": j, "image": i, "norm": factor**k * np.exp(0.05 * rng.standard_normal())}
            for s in seeds
            for k in range(N + 1)
            for j in range(3)
            for i in range(2)
        ]
    )


def judged(resnet_rise=0.005, plain_error=0.9, rise_per_block=0.01, factor=0.3):
    rows = fig.claims({"single": single(resnet_rise, plain_error), "curves": curves(rise_per_block), "paths": paths(factor)}, BARS)
    return {r.claim.split(" (")[0].split(":")[0]: r for r in rows}  # "... a plain (VGG-like) ..." keys as "... a plain"


def verdicts(**kw):
    return [r.verdict for r in judged(**kw).values() if r.kind == "claim"]


def test_the_paper_case_passes_every_claim():
    assert verdicts() == ["pass"] * 8


def test_a_resnet_that_breaks_at_one_deletion_fails_and_a_plain_net_off_chance_fails():
    rows = judged(resnet_rise=2 * BARS["single_rise"], plain_error=BARS["chance_error"] - 0.2)
    assert rows["removing single layers from residual networks at test time does not noticeably affect their performance"].verdict == "fail"
    assert rows["deleting a single layer of a plain"].verdict == "fail"


def test_a_jump_in_the_lesion_curve_fails_smoothness():
    rows = judged(rise_per_block=2 * BARS["smooth_rise"])
    assert all(r.verdict == "fail" for name, r in rows.items() if "increases smoothly" in name)


def test_gradients_that_grow_with_path_length_fail_the_path_claims():
    rows = [r for r in judged(factor=3.0).values() if "gradient" in r.claim and r.kind == "claim"]
    assert [r.verdict for r in rows] == ["fail", "pass", "fail"]  # slope > 0; still a clean exponential; long paths dominate


def test_mean_path_length_of_a_known_profile():
    table = paths(1.0)  # every path equal: the total gradient is binomial, its mean n / 2
    assert abs(fig.mean_path_length(table.k.to_numpy(), table.norm.to_numpy()) - 0.5) < 0.02
    profile = fig.path_profile(table)
    assert list(profile.paths) == [comb(N, k) for k in range(N + 1)]
