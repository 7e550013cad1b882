"""shattered_gradients' claims at their bars (config shattered_gradients.claims), on made-up
lag-1 curves, one-layer transfers and spreads."""

import numpy as np
import pandas as pd
import pytest
from shipped import bars

from dltheory.figures.shattered_gradients import claims as fig

BARS = bars("shattered_gradients")


def curve(net, values, architecture=None, spread=0.5):
    arch = architecture or net.split("_")[0]
    return [{"net": net, "architecture": arch, "depth": d, "lag1": v, "spread": spread} for d, v in enumerate(values, 1)]


def lag1_table(shallow=0.997, deep_centre=0.0, deep_bn=0.0, resnet=0.99, ff_curve=None, ll_spread=1e-13, random_deep=0.0) -> pd.DataFrame:
    ff = ff_curve if ff_curve is not None else list(np.r_[np.linspace(shallow, 0.3, 16), np.linspace(0.2, 0.01, 4), np.zeros(30)])
    ff = list(ff)
    ff[0], ff[23] = shallow, deep_centre
    bn = [shallow] + [0.5] * 22 + [deep_bn] + [0.0] * 26
    rows = curve("feedforward_centre", ff) + curve("feedforward_batch_norm", bn) + curve("feedforward_none", [0.99] * 50)
    rows += curve("resnet_batch_norm_beta1", np.linspace(1, 0.6, 200)) + curve(
        "resnet_batch_norm_beta0.1", [1.0] * 49 + [resnet] + [0.95] * 150
    )
    rows += curve("crelu_looks_linear", [1.0] * 50, spread=ll_spread) + curve("crelu_random", [0.9] * 49 + [random_deep])
    rows += [
        {"net": "white_noise", "architecture": "noise", "depth": np.nan, "lag1": 0.0, "spread": np.nan},
        {"net": "brown_noise", "architecture": "noise", "depth": np.nan, "lag1": 0.99, "spread": np.nan},
    ]
    return pd.DataFrame(rows)


def transfer(ff_factor=0.5, res_factor=0.75, bits=1.0) -> pd.DataFrame:
    rows = [
        {"net": "feedforward_centre", "layer": l, "offset": 64, "factor": ff_factor, "agreement": 0.5, "log2_variance_gain": 0.0}
        for l in range(1, 10)
    ]
    rows += [
        {"net": "resnet_centre", "layer": l, "offset": 64, "factor": res_factor, "agreement": 0.5, "log2_variance_gain": bits}
        for l in range(10)
    ]
    rows += [
        {"net": "feedforward_centre", "layer": l, "offset": 1, "factor": 0.9, "agreement": 0.9, "log2_variance_gain": 0.0}
        for l in range(1, 10)
    ]  # not independent: ignored
    return pd.DataFrame(rows)


PANELS = ({"deep_depth": np.array(24)}, {"resnet_depth": np.array(50), "resnet_beta": np.array(0.1)})


def verdicts(lag1=None, moves=None) -> dict[str, bool | None]:
    artifacts = {
        "lag1": lag1_table() if lag1 is None else lag1,
        "transfer": transfer() if moves is None else moves,
        "panels_feedforward": PANELS[0],
        "panels_resnet": PANELS[1],
    }
    return {c.claim: c.passed for c in fig.claims(artifacts, BARS)}


def failing(**kwargs) -> list[str]:
    return [c for c, p in verdicts(**kwargs).items() if p is False]


def test_the_papers_picture_passes_every_claim():
    v = verdicts()
    assert sum(p is True for p in v.values()) == 10 and not failing() and list(v.values()).count(None) == 1


def test_lag1_bars():
    assert failing(lag1=lag1_table(shallow=0.979)) == [next(c for c in verdicts() if c.startswith("a 1-layer"))]
    deep = BARS["max_deep_lag1"]
    assert not failing(lag1=lag1_table(deep_centre=0.99 * deep, deep_bn=-0.99 * deep))
    assert len(failing(lag1=lag1_table(deep_centre=1.01 * deep, deep_bn=-1.01 * deep))) == 2
    assert failing(lag1=lag1_table(resnet=0.949)) == [next(c for c in verdicts() if "50-block" in c)]


def test_monotone_fall_and_halving():
    bumpy = list(np.r_[np.linspace(0.997, 0.3, 16), np.linspace(0.2, 0.01, 4), np.zeros(30)])
    bumpy[5] = bumpy[3]  # a rise before the noise floor
    assert any("monotonically" in c for c in failing(lag1=lag1_table(ff_curve=bumpy)))
    noisy = list(np.r_[np.linspace(0.997, 0.3, 16), np.linspace(0.2, 0.01, 4), np.zeros(30)])
    noisy[30] = 0.04  # fluctuations inside the noise band after reaching it are not a rise
    assert not failing(lag1=lag1_table(ff_curve=noisy))


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"ff_factor": 0.5 + 1.01 * 0.03}, "feedforward layer"),
        ({"res_factor": 0.75 - 1.01 * 0.05}, "resnet block multiplies"),
        ({"bits": 1.06}, "doubles"),
    ],
)
def test_theorem_bars(kwargs, fragment):
    (claim,) = failing(moves=transfer(**kwargs))
    assert fragment in claim
    inside = {k: (0.5 + 0.99 * 0.03 if k == "ff_factor" else 0.75 - 0.99 * 0.05 if k == "res_factor" else 1.04) for k in kwargs}
    assert not failing(moves=transfer(**inside))


def test_looks_linear_bars():
    assert failing(lag1=lag1_table(ll_spread=2e-10)) == [next(c for c in verdicts() if c.startswith("looks-linear"))]
    assert failing(lag1=lag1_table(random_deep=0.2)) == [next(c for c in verdicts() if "unmirrored" in c)]
