"""pixel_mi's claims at their bars (config pixel_mi.claims): monotone decay, the far/near ratio,
and the margin over the shuffled floor."""

import numpy as np
import pandas as pd
import pytest
from shipped import bars

from dltheory.figures.pixel_mi import claims as fig

BARS = bars("pixel_mi")
DISTANCES = [1, 4, 16, 64]


def table(mi: list[float], floor: float = 0.0) -> dict:
    """Two images, both directions, identical curves: the mean over images is ``mi``."""
    rows = [
        {"image": image, "representation": "pixels", "direction": d, "distance": r, "mi_bits": m, "mi_shuffled_bits": floor, "n_bins": 16}
        for image in ("a", "b")
        for d in ("horizontal", "vertical")
        for r, m in zip(DISTANCES, mi)
    ]
    return {"table": pd.DataFrame(rows)}


def test_monotone_decay():
    assert fig.claims(table([2.0, 1.0, 0.5, 0.25]), BARS)[0].passed
    rise = fig.claims(table([2.0, 1.0, 1.01, 0.25]), BARS)[0]
    assert not rise.passed and "4→16" in rise.measured


@pytest.mark.parametrize("far, passed", [(0.48, True), (0.499, True), (0.501, False), (0.52, False)])
def test_far_over_near_below_a_quarter(far, passed):
    claim = fig.claims(table([2.0, 1.5, 1.0, far]), BARS)[1]
    assert BARS["max_far_fraction"] == 0.25 and claim.passed is passed and np.isclose(claim.value, far / 2.0)


@pytest.mark.parametrize("excess, passed", [(0.0105, True), (0.02, True), (0.0095, False), (0.0, False)])
def test_every_mean_estimate_clears_its_floor_by_the_margin(excess, passed):
    claim = fig.claims(table([1.0, 0.5, 0.3, 0.1 + excess], floor=0.1), BARS)[2]
    assert BARS["floor_margin_bits"] == 0.01 and claim.passed is passed
