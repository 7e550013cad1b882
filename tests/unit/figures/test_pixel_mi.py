"""pixel_mi's claims at their bars (config pixel_mi.claims): monotone decay, the far/near ratio,
and the margin over the shuffled floor, each judged on a bootstrap over images."""

import numpy as np
import pandas as pd
import pytest
from shipped import bars

from dltheory.figures.pixel_mi import claims as fig

BARS = bars("pixel_mi")
DISTANCES = [1, 4, 16, 64]


def table(mi: list[float], floor: float = 0.0) -> dict:
    """Two images, both directions, identical curves: the mean over images is ``mi``, every
    interval has zero width (the images agree), so the verdict is the point value's."""
    return images([mi, mi], floor)


def images(curves: list[list[float]], floor: float = 0.0) -> dict:
    """One raw-pixel MI curve per image over DISTANCES (both directions alike), floor ``floor``."""
    rows = [
        {
            "image": f"im{i}",
            "representation": "pixels",
            "direction": d,
            "distance": r,
            "mi_bits": m,
            "mi_shuffled_bits": floor,
            "n_bins": 16,
        }
        for i, mi in enumerate(curves)
        for d in ("horizontal", "vertical")
        for r, m in zip(DISTANCES, mi)
    ]
    return {"table": pd.DataFrame(rows)}


def verdicts(curves: list[list[float]], floor: float = 0.0) -> list[str]:
    return [c.verdict for c in fig.claims(images(curves, floor), BARS)]


def test_monotone_decay():
    assert fig.claims(table([2.0, 1.0, 0.5, 0.25]), BARS)[0].verdict == "pass"
    rise = fig.claims(table([2.0, 1.0, 1.01, 0.25]), BARS)[0]
    assert rise.verdict == "fail" and "4→16" in rise.measured and rise.value == pytest.approx(0.01)
    flat = fig.claims(table([2.0, 1.0, 1.0, 0.25]), BARS)[0]
    assert flat.verdict == "fail" and flat.value == 0.0  # a tie is not a strict decrease


@pytest.mark.parametrize("far, verdict", [(0.48, "pass"), (0.499, "pass"), (0.501, "fail"), (0.52, "fail")])
def test_far_over_near_below_a_quarter(far, verdict):
    claim = fig.claims(table([2.0, 1.5, 1.0, far]), BARS)[1]
    assert BARS["max_far_fraction"] == 0.25 and claim.verdict == verdict and np.isclose(claim.value, far / 2.0)


@pytest.mark.parametrize("excess, verdict", [(0.0105, "pass"), (0.02, "pass"), (0.0095, "fail"), (0.0, "fail")])
def test_every_mean_estimate_clears_its_floor_by_the_margin(excess, verdict):
    claim = fig.claims(table([1.0, 0.5, 0.3, 0.1 + excess], floor=0.1), BARS)[2]
    assert BARS["floor_margin_bits"] == 0.01 and claim.verdict == verdict


def test_the_statistics_are_those_of_the_mean_curve_and_each_image_is_a_replicate():
    curves = [[2.0, 1.2, 0.6, 0.30], [2.4, 1.4, 0.8, 0.50], [1.6, 1.0, 0.7, 0.20]]
    rise, fraction, excess = fig.claims(images(curves), BARS)
    mean = np.mean(curves, axis=0)  # 2.0, 1.2, 0.7, 0.333…
    assert rise.value == pytest.approx(np.max(np.diff(mean))) and fraction.value == pytest.approx(mean[-1] / mean[0])
    assert excess.value == pytest.approx(mean.min())
    assert fraction.estimate.replicates == pytest.approx([c[-1] / c[0] for c in curves])
    assert rise.estimate.replicates == pytest.approx([max(np.diff(c)) for c in curves])
    assert {c.estimate.method for c in (rise, fraction, excess)} == {"bootstrap"} and rise.estimate.n == 3


# Six images each; curves as [MI at d = 1, 4, 16, 64] in bits.
PASSING = [[2.0 + s, 1.2 + s, 0.6 + s / 2, 0.20] for s in (-0.1, -0.05, 0.0, 0.0, 0.05, 0.1)]
FAILING = [[2.0 + s, 2.2 + s, 0.1, 0.005] for s in (-0.1, -0.05, 0.0, 0.0, 0.05, 0.1)]  # a rise 1→4; a far MI at the floor
# half the images rise from 4 to 16 px or keep 40% of their near MI far out; the other half fall fast
STRADDLING = [
    [2.0, 1.0, 1.3, 0.8],
    [2.0, 1.0, 0.7, 0.1],
    [2.0, 1.0, 1.25, 0.75],
    [2.0, 1.0, 0.75, 0.1],
    [2.0, 1.0, 1.2, 0.8],
    [2.0, 1.0, 0.7, 0.05],
]


@pytest.mark.parametrize(
    "curves, expected",
    [(PASSING, ["pass", "pass", "pass"]), (FAILING, ["fail", "pass", "fail"]), (STRADDLING, ["inconclusive", "inconclusive", "pass"])],
)
def test_the_three_verdicts(curves, expected):
    assert verdicts(curves) == expected


@pytest.mark.parametrize("nudge", [-0.02, 0.02])
def test_a_nudged_image_leaves_a_straddling_claim_undecided(nudge):
    """The image nearest each bar moved by 0.02 bits: the intervals still straddle the bars."""
    nudged = [list(c) for c in STRADDLING]
    nudged[4][2] += nudge  # its step 4 → 16 px
    nudged[0][3] += nudge  # its far MI
    assert verdicts(nudged) == ["inconclusive", "inconclusive", "pass"]


def test_an_image_at_the_floor_widens_the_floor_interval():
    """One of four images has no MI above its floor at the far distance (−0.002 bits): the mean excess
    of 0.0295 bits clears 0.01 bits, its interval does not (that image drawn 3 times of 4: 0.0085)."""
    curves = [[1.0, 0.5, 0.2, 0.04]] * 3 + [[1.0, 0.5, 0.1, -0.002]]
    floor = fig.claims(images(curves), BARS)[2]
    assert floor.value == pytest.approx(0.0295) and floor.estimate.low < 0.01 < floor.estimate.high and floor.verdict == "inconclusive"
