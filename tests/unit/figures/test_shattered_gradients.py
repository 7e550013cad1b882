"""shattered_gradients' claims at their bars (config shattered_gradients.claims), on made-up
lag-1 curves, one-layer transfers, spreads, autocorrelations and pair sweeps; and the three
verdicts of the theorems' claims, judged on an interval over layers, of the lag-1 claims, judged
on a bootstrap over initializations of made-up dy/dx with a known lag-1 correlation, and of
Theorem 1 end to end, judged on a bootstrap over initializations of made-up covariances."""

import numpy as np
import pandas as pd
import pytest
from shipped import bars

from dltheory.figures.shattered_gradients import claims as fig
from dltheory.science.shattering import lag1

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


# A fixed pattern over layers, mean 0 and s.d. 1: a layer's value is off by jitter × its entry.
SPREAD = np.array([-1.5, 0.3, 1.1, -0.4, 0.8, -1.2, 0.6, 0.2, -0.9, 1.0])
SPREAD = (SPREAD - SPREAD.mean()) / SPREAD.std(ddof=1)


def transfer(ff_factor=0.5, res_factor=0.75, bits=1.0, jitter=0.0) -> pd.DataFrame:
    """One row per layer at offset 64 with independent patterns (9 feedforward layers, 10 resnet
    blocks), each layer's factor and gain off by ``jitter`` × SPREAD; offset 1 rows that are not
    independent (to be ignored)."""
    ff = ff_factor + jitter * SPREAD[1:] - jitter * SPREAD[1:].mean()  # mean over the 9 layers: ff_factor
    rows = [
        {"net": "feedforward_centre", "layer": l, "offset": 64, "factor": ff[l - 1], "agreement": 0.5, "log2_variance_gain": 0.0}
        for l in range(1, 10)
    ]
    rows += [
        {
            "net": "resnet_centre",
            "layer": l,
            "offset": 64,
            "factor": res_factor + jitter * SPREAD[l],
            "agreement": 0.5,
            "log2_variance_gain": bits + jitter * SPREAD[l],
        }
        for l in range(10)
    ]
    rows += [
        {"net": "feedforward_centre", "layer": l, "offset": 1, "factor": 0.9, "agreement": 0.9, "log2_variance_gain": 0.0}
        for l in range(1, 10)
    ]  # not independent: ignored
    return pd.DataFrame(rows)


def correlated(rho: float, inits: int = 256, points: int = 128, seed: int = 0) -> np.ndarray:
    """dy/dx [inits, points] of a stationary AR(1) over the grid: lag-1 correlation ``rho`` across
    initializations at every neighbour pair (up to sampling noise ~ 1/√(inits · points))."""
    z = np.random.default_rng(seed).normal(size=(inits, points))
    g = np.empty_like(z)
    g[:, 0] = z[:, 0]
    for i in range(1, points):
        g[:, i] = rho * g[:, i - 1] + np.sqrt(1 - rho**2) * z[:, i]
    return g


def panels(shallow=0.997, deep_centre=0.0, deep_bn=0.0, resnet=0.99, random_deep=0.0, inits=256) -> tuple[dict, dict]:
    """The two panels' files, with the per-initialization dy/dx of each lag-1 claim's (net, depth)."""
    key = fig.gradients_key
    ff = {
        "deep_depth": np.array(24),
        key("feedforward_centre", 1): correlated(shallow, inits, seed=1),
        key("feedforward_centre", 24): correlated(deep_centre, inits, seed=2),
        key("feedforward_batch_norm", 24): correlated(deep_bn, inits, seed=3),
        key("crelu_random", 50): correlated(random_deep, inits, seed=4),
    }
    rs = {
        "resnet_depth": np.array(50),
        "resnet_beta": np.array(0.1),
        key("resnet_batch_norm_beta0.1", 50): correlated(resnet, inits, seed=5),
    }
    return ff, rs


PANELS = panels()


def pair_table(factor=0.5, noise=0.02, agreement=0.5, inits=32, depth=10, seed=0) -> pd.DataFrame:
    """A pair sweep: the mean-centred feedforward net at depths 1 … ``depth`` whose correlation is
    ``factor``^L, each initialization's covariance off by a relative ``noise`` (so the ratio of
    sums over initializations is ``factor``^L up to ~noise/√inits); and the two resnets with the
    correlation 1/√(1 + β²L) at depths 1, 5, 20."""
    rng = np.random.default_rng(seed)
    rows = []
    for e in range(inits):
        for L in range(1, depth + 1):
            variance = 1 + rng.random()
            covariance = variance * factor**L * (1 + noise * rng.normal())
            rows.append(
                {"net": "feedforward_centre", "depth": L, "seed": e, "covariance": covariance, "variance": variance, "agreement": agreement}
            )
        for beta in (1.0, 0.1):
            for L in (1, 5, 20):
                variance = (1 + beta**2 * (L - 1)) * (1 + 0.1 * rng.random())
                rows.append(
                    {
                        "net": f"resnet_batch_norm_beta{beta:g}",
                        "depth": L,
                        "seed": e,
                        "covariance": variance / np.sqrt(1 + beta**2 * L),
                        "variance": variance,
                        "agreement": 0.5,
                    }
                )
    return pd.DataFrame(rows)


def autocorrelation_table(max_lag=64) -> pd.DataFrame:
    """Fig. 2 curves: ρ^k with ρ falling with depth (feedforward faster than the resnets), the noise references."""
    curves = {("feedforward_centre", 1): 0.99, ("feedforward_centre", 24): 0.0, ("resnet_batch_norm_beta1", 50): 0.9}
    curves |= {("resnet_batch_norm_beta0.1", 50): 0.99, ("white_noise", np.nan): 0.0, ("brown_noise", np.nan): 0.999}
    lags = np.arange(1, max_lag + 1)
    return pd.DataFrame(
        [{"net": net, "depth": depth, "lag": k, "autocorrelation": rho**k} for (net, depth), rho in curves.items() for k in lags]
    )


PAIRS, ACF = pair_table(), autocorrelation_table()


def judged(lag1=None, moves=None, panels=PANELS, pairs=PAIRS) -> list:
    artifacts = {
        "lag1": lag1_table() if lag1 is None else lag1,
        "transfer": transfer() if moves is None else moves,
        "panels_feedforward": panels[0],
        "panels_resnet": panels[1],
        "autocorrelation": ACF,
        "pairs": pairs,
    }
    return fig.claims(artifacts, BARS)


def verdicts(**kwargs) -> dict[str, bool | None]:
    return {c.claim: c.passed for c in judged(**kwargs)}


def failing(**kwargs) -> list[str]:
    return [c for c, p in verdicts(**kwargs).items() if p is False]


def row(fragment: str, **kwargs):
    """The one row whose statement holds ``fragment``."""
    (c,) = [c for c in judged(**kwargs) if fragment in c.claim]
    return c


def test_the_papers_picture_passes_every_claim():
    """11 claims pass; 7 observations: the pitfall, 3 autocorrelations, Theorem 1 by depth, 2 × Theorem 3."""
    v = verdicts()
    assert sum(p is True for p in v.values()) == 11 and not failing() and list(v.values()).count(None) == 7


def test_lag1_bars():
    """dy/dx with lag-1 far on the wrong side of each bar: the interval lies wholly there."""
    assert failing(panels=panels(shallow=0.9)) == [next(c for c in verdicts() if c.startswith("a 1-layer"))]
    assert len(failing(panels=panels(deep_centre=0.2, deep_bn=-0.2))) == 2
    assert failing(panels=panels(resnet=0.8)) == [next(c for c in verdicts() if "50-block" in c)]


def test_a_lag1_claim_is_the_tables_statistic_with_a_bootstrap_over_initializations():
    c = row("mean-centred feedforward")
    g = PANELS[0][fig.gradients_key("feedforward_centre", 24)]
    assert c.value == pytest.approx(lag1(g)) and c.estimate.method == "bootstrap" and c.estimate.n == 256
    assert c.estimate.low < c.value < c.estimate.high


@pytest.mark.parametrize(
    "rho, inits, verdict",
    [
        (0.0, 256, "pass"),  # white noise: the interval (about ±0.01) well inside ±0.05
        (0.15, 256, "fail"),  # wholly above 0.05
        (0.05, 256, "inconclusive"),  # on the edge
        (0.02, 16, "inconclusive"),  # inside the bar, but 16 initializations cannot tell
    ],
)
def test_deep_lag1_verdicts_on_the_interval_over_initializations(rho, inits, verdict):
    assert BARS["max_deep_lag1"] == 0.05  # the cases are placed against this bar
    assert row("batch norm feedforward", panels=panels(deep_bn=rho, inits=inits)).verdict == verdict


def test_a_lag1_near_the_bar_never_flips_between_pass_and_fail():
    """Nudging one initialization's dy/dx by a little keeps a lag-1 on the edge undecided."""
    for nudge in (-0.05, 0.05):
        ff, rs = panels(deep_bn=0.05)
        g = ff[fig.gradients_key("feedforward_batch_norm", 24)].copy()
        g[0] += nudge * np.arange(g.shape[1]) / g.shape[1]
        ff = ff | {fig.gradients_key("feedforward_batch_norm", 24): g}
        c = row("batch norm feedforward", panels=(ff, rs))
        assert c.verdict == "inconclusive" and c.to_decide > 256


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
    assert failing(panels=panels(random_deep=0.2)) == [next(c for c in verdicts() if "unmirrored" in c)]
    c = row("looks-linear", lag1=lag1_table(ll_spread=1e-12))  # numerics: a number against its tolerance, its margin shown
    assert c.estimate is None and c.margin == pytest.approx(BARS["max_linear_spread"] - 1e-12)


@pytest.mark.parametrize(
    "factor, jitter, verdict",
    [
        (0.5, 0.01, "pass"),  # layers 0.5 ± 0.01: the interval well inside 0.5 ± 0.03
        (0.6, 0.01, "fail"),  # wholly above 0.53
        (0.53, 0.02, "inconclusive"),  # the mean on the edge 0.53
    ],
)
def test_theorem1_factor_is_judged_on_a_bootstrap_over_layers(factor, jitter, verdict):
    assert (BARS["theorem1_factor"], BARS["theorem1_tolerance"]) == (0.5, 0.03)  # the cases are placed against these bars
    c = row("feedforward layer multiplies", moves=transfer(ff_factor=factor, jitter=jitter))
    assert c.verdict == verdict and c.value == pytest.approx(factor)
    assert c.estimate.method == "bootstrap" and c.estimate.n == 9 and len(c.estimate.replicates) == 9


@pytest.mark.parametrize("factor, verdict", [(0.75, "pass"), (0.65, "fail"), (0.70, "inconclusive")])
def test_theorem2_factor_verdicts(factor, verdict):
    assert (BARS["theorem2_factor"], BARS["theorem2_tolerance"]) == (0.75, 0.05)
    assert row("resnet block multiplies", moves=transfer(res_factor=factor, jitter=0.02)).verdict == verdict


def test_a_factor_on_the_bars_edge_never_flips_between_pass_and_fail():
    for nudge in (-0.002, 0.002):
        moves = transfer(ff_factor=0.53, jitter=0.02)
        moves.loc[(moves.net == "feedforward_centre") & (moves.layer == 3) & (moves.offset == 64), "factor"] += nudge
        c = row("feedforward layer multiplies", moves=moves)
        assert c.verdict == "inconclusive" and c.to_decide > 9


def test_the_offsets_of_one_layer_are_one_replicate():
    """A layer's offsets share its weights: a second independent offset adds rows, not replicates."""
    moves = transfer(jitter=0.01)
    second = moves[(moves.net == "feedforward_centre") & (moves.offset == 64)].assign(offset=128, factor=lambda t: t.factor + 0.002)
    c = row("feedforward layer multiplies", moves=pd.concat([moves, second], ignore_index=True))
    assert c.estimate.n == 9 and c.value == pytest.approx(0.501) and "18 (layer, offset) pairs" in c.claim


def test_independent_patterns_in_fewer_than_two_layers_fail():
    moves = transfer()
    moves.loc[(moves.net == "feedforward_centre") & (moves.layer > 1), "agreement"] = 0.9
    assert row("feedforward layer multiplies", moves=moves).verdict == "fail"


@pytest.mark.parametrize("bits, verdict", [(1.0, "pass"), (1.2, "fail"), (1.05, "inconclusive")])
def test_variance_gain_is_judged_on_a_t_interval_over_blocks(bits, verdict):
    """Blocks' gains ± 0.02 around ``bits``: t interval ±0.014 over 10 blocks, against 1 ± 0.05."""
    assert (BARS["theorem2_bits"], BARS["theorem2_bits_tolerance"]) == (1.0, 0.05)
    c = row("doubles", moves=transfer(bits=bits, jitter=0.02))
    assert c.verdict == verdict and c.estimate.method == "t" and c.estimate.n == 10
    assert c.estimate.replicates == pytest.approx(tuple(bits + 0.02 * SPREAD))


@pytest.mark.parametrize(
    "factor, noise, verdict",
    [
        (0.5, 0.02, "pass"),  # slope −1, its interval (about ±0.01) well inside −1 ± 0.08
        (0.6, 0.02, "fail"),  # slope log2(0.6) = −0.74, wholly above −0.92
        (2 ** (-1 + 0.08), 0.2, "inconclusive"),  # on the edge −0.92
    ],
)
def test_theorem1_end_to_end_slope_is_judged_on_a_bootstrap_over_initializations(factor, noise, verdict):
    assert (BARS["theorem1_factor"], BARS["end_to_end_slope_tolerance"], BARS["end_to_end_fit_depth"]) == (0.5, 0.08, 6)
    c = row("Theorem 1 end to end", pairs=pair_table(factor=factor, noise=noise))
    assert c.verdict == verdict and c.value == pytest.approx(np.log2(factor), abs=0.03)
    assert c.estimate.method == "bootstrap" and c.estimate.n == 32 and len(c.estimate.replicates) == 32


def test_theorem1_end_to_end_fits_only_the_depths_up_to_the_fit_depth():
    """Past the fit depth the correlation may sit on the noise floor (here 0, even negative): the
    slope is unchanged and still passes."""
    pairs = pair_table()
    deep = (pairs.net == "feedforward_centre") & (pairs.depth > BARS["end_to_end_fit_depth"])
    pairs.loc[deep, "covariance"] = -1e-4 * pairs.loc[deep, "variance"]
    assert row("Theorem 1 end to end", pairs=pairs).verdict == "pass"


def test_theorem1_end_to_end_without_independent_patterns_fails():
    c = row("Theorem 1 end to end", pairs=pair_table(agreement=0.6))
    assert c.verdict == "fail" and "not independent" in c.measured


def test_observations_quote_their_tables():
    rows = judged()
    (t1,) = [c for c in rows if c.claim.startswith("Theorem 1 depth by depth")]
    assert t1.kind == "observation" and t1.value == pytest.approx(2.0**-10, rel=0.05)  # the deepest depth's correlation
    t3 = [c for c in rows if c.claim.startswith("Theorem 3")]
    assert [c.kind for c in t3] == ["observation"] * 2 and t3[0].value == pytest.approx(1 / np.sqrt(1 + 20), rel=0.05)  # β = 1, 20 blocks
    acf = [c for c in rows if c.claim.startswith("autocorrelation")]
    assert len(acf) == 3 and "depth 24: 0.00/0.00/0.00/0.00" in acf[0].measured
