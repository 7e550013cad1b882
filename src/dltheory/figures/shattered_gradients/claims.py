"""shattered_gradients' claims: the Fig. 1 lag-1 correlations, the theorems' one-layer factors,
Theorem 1 end to end, the looks-linear initialization; as observations the unnormalized net, the
Fig. 2 autocorrelations, Theorem 1 depth by depth and Theorem 3.

Intervals (95%, the project's level): a lag-1 correlation is a correlation *across*
initializations, so its interval is a bootstrap over them (:func:`lag1_estimate`), from the
per-initialization dy/dx the job keeps at each claimed depth. The theorems' factors and the
variance gain are means over the layers of one stack of initializations, each layer with weights
of its own: the factor by a bootstrap over layers (:func:`factor_estimate`), the gain by
Student's t over blocks (:func:`gain_estimate`). Theorem 1 end to end: the correlation of the
gradients at pairs of random inputs is a ratio of sums over initializations (covariance over
variance), the slope of its log₂ against depth a fit of those ratios: both bootstrapped over
initializations (:func:`correlation_estimates`, :func:`slope_estimate`). The looks-linear spread
is numerics (a float64 identity) against its tolerance."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from dltheory.core.claims import Claim, claim, observation
from dltheory.core.contract import Artifacts
from dltheory.core.uncertainty import Estimate, above, below, bootstrap_interval, mean_interval, near
from dltheory.figures.shattered_gradients import SOURCE, gradients_key

SOURCE_T1 = "Balduzzi et al. 2017, Theorem 1"
SOURCE_T2 = "Balduzzi et al. 2017, Theorem 2"
SOURCE_T3 = "Balduzzi et al. 2017, Theorem 3"
SOURCE_FIG2 = "Balduzzi et al. 2017, Fig. 2"
SOURCE_LL = "Balduzzi et al. 2017, §5 (looks-linear initialization)"
ACF_LAGS = (1, 4, 16, 64)  # the lags an autocorrelation row quotes
NAMES = {
    "feedforward_centre": "feedforward, mean-centred",
    "feedforward_batch_norm": "feedforward, batch norm",
    "feedforward_none": "feedforward, no normalization",
    "crelu_looks_linear": "CReLU, looks-linear",
    "crelu_random": "CReLU, random (unmirrored)",
    "white_noise": "white noise",
    "brown_noise": "brown noise",
}


def describe(net: str) -> str:
    """A readable name of a ``net`` label (resnet labels carry their β)."""
    if net.startswith("resnet_batch_norm_beta"):
        return f"resnet, batch norm, β = {net.removeprefix('resnet_batch_norm_beta')}"
    return NAMES.get(net, net)


def lag1_estimate(panels: dict, net: str, depth: int) -> Estimate:
    """The lag-1 correlation of dy/dx of ``net`` at ``depth``, r̄ = mean over neighbour pairs
    (i, i + 1) of the Pearson correlation across initializations of g[:, i] and g[:, i + 1]
    (:func:`~dltheory.science.shattering.lag1`), with its percentile-bootstrap interval over
    initializations (replicate: one initialization's dy/dx over the grid, kept in the panels).
    A resample's r̄ comes from each initialization's moments (g, g², g_i g_{i+1}) weighted by how
    often it is drawn: the same number as ``lag1`` of the drawn rows, at a matrix-vector product
    per resample."""
    g = panels[gradients_key(net, depth)]  # [inits, grid points]
    g = g - g.mean(axis=0)  # a correlation is shift-invariant; centred, the moments lose no digits
    points, moments = g.shape[1], np.hstack([g, g**2, g[:, :-1] * g[:, 1:]])  # [inits, 3 points − 1]

    def mean_lag1(rows: np.ndarray) -> float:
        m = np.bincount(rows, minlength=len(g)) @ moments / len(rows)
        mean, square, cross = m[:points], m[points : 2 * points], m[2 * points :]
        variance = square - mean**2
        with np.errstate(invalid="ignore", divide="ignore"):
            return float(np.nanmean((cross - mean[:-1] * mean[1:]) / np.sqrt(variance[:-1] * variance[1:])))

    return bootstrap_interval(mean_lag1, len(g))


def noise_lag(lag1: pd.DataFrame, noise: str) -> float:
    """The lag-1 correlation of ``white_noise`` or ``brown_noise`` (rows without a depth)."""
    return float(lag1[lag1.net == noise].lag1.iloc[0])


def halving_depth(curve: pd.DataFrame) -> float:
    """The first depth at which the lag-1 correlation is at most half its depth-1 value (inf if never)."""
    curve = curve.sort_values("depth")
    below = curve[curve.lag1 <= curve.lag1.iloc[0] / 2]
    return float(below.depth.iloc[0]) if len(below) else float("inf")


def independent(transfer: pd.DataFrame, net: str, tolerance: float) -> pd.DataFrame:
    """The (layer, offset) rows of ``net`` where the two inputs' patterns agree on 1/2 ± tolerance of the units."""
    rows = transfer[transfer.net == net]
    return rows[(rows.agreement - 0.5).abs() <= tolerance]


def factor_estimate(rows: pd.DataFrame) -> Estimate:
    """The theorems' one-layer factor: the mean of ``factor`` over the (layer, offset) rows of
    independent patterns, with its percentile-bootstrap interval over layers (each layer's
    weights are its own draw; the offsets of one layer share them, so a layer is drawn with all
    its rows). Replicates kept: each layer's mean factor. Needs rows from at least 2 layers."""
    layers = rows.groupby("layer").factor.agg(["sum", "size", "mean"])
    sums, sizes = layers["sum"].to_numpy(), layers["size"].to_numpy()

    def mean_factor(drawn: np.ndarray) -> float:
        return float(sums[drawn].sum() / sizes[drawn].sum())

    return bootstrap_interval(mean_factor, len(layers), replicates=layers["mean"])


def gain_estimate(transfer: pd.DataFrame, net: str) -> Estimate:
    """The gradient variance gain per block, log₂(E‖δ^{l−1}‖²/E‖u‖²): the mean over the blocks
    of ``net``, with its Student-t interval; replicate: a block (one value per layer)."""
    return mean_interval(transfer[transfer.net == net].drop_duplicates("layer").log2_variance_gain.to_numpy())


def pair_table(pairs: pd.DataFrame, net: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``net``'s rows of the pair sweep (:func:`~dltheory.science.shattering.pair_sweep`): its
    depths [D], covariance and variance [initializations, D], and the mean pattern agreement [D]."""
    rows = pairs[pairs.net == net]
    covariance = rows.pivot(index="seed", columns="depth", values="covariance")
    variance = rows.pivot(index="seed", columns="depth", values="variance")
    agreement = rows.groupby("depth").agreement.mean()
    return covariance.columns.to_numpy(), covariance.to_numpy(), variance.to_numpy(), agreement.to_numpy()


def correlation_by_depth(covariance: np.ndarray, variance: np.ndarray) -> np.ndarray:
    """The correlation of the gradients at two inputs, per depth: the covariance over
    initializations divided by the variance, Σ_e covariance / Σ_e variance ([inits, D] -> [D])."""
    return covariance.sum(axis=0) / variance.sum(axis=0)


def log2_fit(depths: np.ndarray, correlation: np.ndarray) -> tuple[float, float]:
    """Least-squares (slope, intercept) of log₂(correlation) against depth; NaN where a correlation
    is not positive (its logarithm is undefined). Theorem 1: (−1, 0)."""
    if not np.all(correlation > 0):
        return math.nan, math.nan
    slope, intercept = np.polyfit(depths, np.log2(correlation), 1)
    return float(slope), float(intercept)


def correlation_estimates(pairs: pd.DataFrame, net: str) -> list[Estimate]:
    """:func:`correlation_by_depth` of ``net`` at each depth, with its percentile-bootstrap interval
    over initializations (replicate: an initialization's covariance/variance)."""
    _, covariance, variance, _ = pair_table(pairs, net)
    return [
        bootstrap_interval(
            lambda rows, k=k: float(covariance[rows, k].sum() / variance[rows, k].sum()),
            len(covariance),
            replicates=covariance[:, k] / variance[:, k],
        )
        for k in range(covariance.shape[1])
    ]


def slope_estimate(pairs: pd.DataFrame, net: str, fit_depth: int) -> Estimate:
    """The slope of log₂ :func:`correlation_by_depth` against depth 1 … ``fit_depth`` of ``net``,
    with its percentile-bootstrap interval over initializations (a resample refits the ratios of
    its sums; one with a correlation ≤ 0 has no slope and is left out). Replicates kept: each
    initialization's own slope (NaN where one of its ratios is ≤ 0)."""
    depths, covariance, variance, _ = pair_table(pairs, net)
    fitted = depths <= fit_depth

    def slope(rows: np.ndarray) -> float:
        return log2_fit(depths[fitted], correlation_by_depth(covariance[rows][:, fitted], variance[rows][:, fitted]))[0]

    each = [slope(np.array([i])) for i in range(len(covariance))]
    return bootstrap_interval(slope, len(covariance), replicates=each)


def claims(artifacts: Artifacts, bars: dict) -> list[Claim]:
    """Fig. 1: the 1-layer net's lag-1 > ``min_shallow_lag1``; the deep normalized feedforward nets'
    |lag-1| < ``max_deep_lag1``; the deep β = 0.1 resnet's > ``min_resnet_lag1``; the feedforward
    correlation falls monotonically with depth until it reaches the noise floor, and halves at a
    smaller depth than every resnet's. Theorems: with independent patterns (agreement 1/2 ±
    ``independence_tolerance``) each feedforward layer multiplies the correlation by
    ``theorem1_factor`` ± tol, each β = 1 resnet block by ``theorem2_factor`` ± tol, and its
    gradient variance grows ``theorem2_bits`` ± tol bits per block. Theorem 1 end to end, on
    pairs of random inputs: the slope of log₂(correlation) against depth 1 … ``end_to_end_fit_depth``
    is log₂(``theorem1_factor``) ± ``end_to_end_slope_tolerance``. Looks-linear: relative spread
    of dy/dx < ``max_linear_spread``, while the unmirrored CReLU net's |lag-1| < ``max_deep_lag1``.
    Observations: the unnormalized net, the Fig. 2 autocorrelations, Theorem 1 depth by depth and
    Theorem 3."""
    lag1, transfer, panels = artifacts["lag1"], artifacts["transfer"], artifacts["panels_feedforward"]
    resnet_panels = artifacts["panels_resnet"]
    deep, resnet_depth, resnet_beta = int(panels["deep_depth"]), int(resnet_panels["resnet_depth"]), float(resnet_panels["resnet_beta"])
    floor = noise_lag(lag1, "white_noise")
    panels = artifacts["panels_feedforward"] | artifacts["panels_resnet"]
    white = near(0.0, bars["max_deep_lag1"])  # |lag-1| < max_deep_lag1
    shallow = lag1_estimate(panels, "feedforward_centre", 1)
    out = [
        claim(
            "a 1-layer net's gradient is smooth: lag-1 correlation of dy/dx over initializations",
            source=SOURCE,
            expected=f"> {bars['min_shallow_lag1']}",
            measured=f"{shallow.value:.4f} (brown noise {noise_lag(lag1, 'brown_noise'):.3f})",
            estimate=shallow,
            bar=above(bars["min_shallow_lag1"]),
        )
    ]
    for net in ("feedforward_centre", "feedforward_batch_norm"):
        e = lag1_estimate(panels, net, deep)
        out.append(
            claim(
                f"a {deep}-layer {describe(net).removeprefix('feedforward, ')} feedforward net's gradient is white-noise-like: |lag-1|",
                source=SOURCE,
                expected=f"< {bars['max_deep_lag1']}",
                measured=f"{e.value:+.4f} (white noise {floor:+.4f})",
                estimate=e,
                bar=white,
            )
        )
    resnet_net = f"resnet_batch_norm_beta{resnet_beta:g}"
    e = lag1_estimate(panels, resnet_net, resnet_depth)
    out.append(
        claim(
            f"a {resnet_depth}-block {describe(resnet_net)} keeps its gradient's structure: lag-1",
            source=SOURCE,
            expected=f"> {bars['min_resnet_lag1']}",
            measured=f"{e.value:.4f}",
            estimate=e,
            bar=above(bars["min_resnet_lag1"]),
        )
    )
    out.append(_monotone_claim(lag1, bars))
    out += _theorem_claims(transfer, bars)
    out.append(_end_to_end_claim(artifacts["pairs"], bars))
    out += _looks_linear_claims(lag1, panels, bars)
    out.append(_pitfall_row(lag1))
    out += _autocorrelation_rows(artifacts["autocorrelation"])
    out.append(_end_to_end_row(artifacts["pairs"]))
    out += _theorem3_rows(artifacts["pairs"], lag1)
    return out


def _monotone_claim(lag1: pd.DataFrame, bars: dict) -> Claim:
    """A statement about the whole lag-1 curve (it falls at every layer; it halves sooner than
    every resnet's), not one number against a region: judged with ``passed``, on the lag-1 curve
    pooled over the initializations (the curve of every depth is not kept per initialization)."""
    ff = lag1[lag1.net == "feedforward_centre"].sort_values("depth")
    in_band = ff.lag1.abs().to_numpy() < bars["max_deep_lag1"]
    reach = int(np.argmax(in_band)) if in_band.any() else len(ff) - 1  # first depth in the noise band
    above = ff.iloc[: reach + 1]  # depth 1 .. the first depth at the noise floor
    monotone = bool((np.diff(above.lag1) < 0).all())
    halves = {net: halving_depth(g) for net, g in lag1[lag1.architecture.isin(["feedforward", "resnet"])].groupby("net")}
    resnets = {net: d for net, d in halves.items() if net.startswith("resnet")}
    ff_half = halves["feedforward_centre"]
    return claim(
        "the feedforward (mean-centred) correlation falls monotonically with depth, far faster than a resnet's: depth at which lag-1 halves",
        source=SOURCE,
        expected=f"falls at every layer until |lag-1| < {bars['max_deep_lag1']}; halves at a smaller depth than every resnet",
        measured=f"falls at every layer from depth 1 to {int(above.depth.max())}, where it reaches the noise band: {'yes' if monotone else 'no'}; halves at depth {ff_half:g}; "
        + ", ".join(f"{describe(n)}: {d:g}" for n, d in resnets.items()),
        passed=monotone and all(ff_half < d for d in resnets.values()),
        value=ff_half,
    )


def _theorem_claims(transfer: pd.DataFrame, bars: dict) -> list[Claim]:
    tol = bars["independence_tolerance"]
    where = f"(layer, offset) pairs whose patterns agree on 1/2 ± {tol} of the units"

    def factor_claim(net: str, statement: str, source: str, theorem: str) -> Claim:
        rows, target, bar = independent(transfer, net, tol), bars[f"{theorem}_factor"], bars[f"{theorem}_tolerance"]
        layers = rows.layer.nunique()
        text = f"{statement} {len(rows)} {where})"
        if layers < 2:  # nothing, or one layer, to judge the theorem on: untested is not passed
            return claim(
                text, source=source, expected=f"{target} ± {bar}", measured=f"independent patterns in {layers} layers", passed=False
            )
        e = factor_estimate(rows)
        return claim(
            text,
            source=source,
            expected=f"{target} ± {bar}",
            measured=f"{e.value:.4f} (s.d. {rows.factor.std():.4f} over the pairs)",
            estimate=e,
            bar=near(target, bar),
        )

    gain = gain_estimate(transfer, "resnet_centre")
    return [
        factor_claim(
            "feedforward_centre",
            "each feedforward layer multiplies the gradients' correlation by 1/2 where patterns are independent (mean-centred, He init;",
            SOURCE_T1,
            "theorem1",
        ),
        factor_claim(
            "resnet_centre",
            "each β = 1 resnet block multiplies the gradients' correlation by 3/4 where patterns are independent (mean-centred branch;",
            SOURCE_T2,
            "theorem2",
        ),
        claim(
            f"each β = 1 resnet block doubles the gradient variance: bits per block (mean over {gain.n} blocks)",
            source=SOURCE_T2,
            expected=f"{bars['theorem2_bits']} ± {bars['theorem2_bits_tolerance']}",
            measured=f"{gain.value:.4f} (s.d. {np.std(gain.replicates, ddof=1):.4f})",
            estimate=gain,
            bar=near(bars["theorem2_bits"], bars["theorem2_bits_tolerance"]),
        ),
    ]


def _looks_linear_claims(lag1: pd.DataFrame, panels: dict, bars: dict) -> list[Claim]:
    ll = lag1[lag1.net == "crelu_looks_linear"]
    random = lag1[lag1.net == "crelu_random"]
    depth = int(ll.depth.max())
    e = lag1_estimate(panels, "crelu_random", depth)
    return [
        claim(  # numerics: a mirrored net is linear in exact arithmetic, so the spread is float64 rounding
            f"looks-linear initialization: dy/dx is constant at every depth up to {depth} (CReLU, mirrored weights): relative spread over the grid",
            source=SOURCE_LL,
            expected=f"< {bars['max_linear_spread']:g}",
            measured=f"{ll.spread.max():.1e} (largest over depths and initializations)",
            value=float(ll.spread.max()),
            bar=below(bars["max_linear_spread"]),
        ),
        claim(
            f"the same CReLU net with unmirrored weights shatters: |lag-1| at depth {depth}",
            source=SOURCE_LL,
            expected=f"< {bars['max_deep_lag1']}",
            measured=f"{e.value:+.4f} (relative spread {random.spread.max():.2f})",
            estimate=e,
            bar=near(0.0, bars["max_deep_lag1"]),
        ),
    ]


def _pitfall_row(lag1: pd.DataFrame) -> Claim:
    """The unnormalized feedforward net, an observation: the reason a scalar-input net needs the
    normalization to shatter."""
    curve = lag1[lag1.net == "feedforward_none"].set_index("depth").lag1
    return observation(
        f"{describe('feedforward_none')} (pitfall: without normalization most deep units stay always on or always off over the grid, so the gradient barely shatters): lag-1 by depth",
        source=SOURCE,
        expected="no claim",
        measured=", ".join(f"{d}: {curve[d]:.3f}" for d in (1, 8, 24, int(curve.index.max())) if d in curve.index),
        value=float(curve.iloc[-1]),
    )


def _end_to_end_claim(pairs: pd.DataFrame, bars: dict) -> Claim:
    """Theorem 1 end to end: on pairs of random inputs (patterns independent in every layer, as the
    theorem assumes: checked, agreement 1/2 ± ``independence_tolerance`` at every fitted depth,
    else untested, which is not passed), the slope of log₂(correlation) against depth."""
    depths, covariance, variance, agreement = pair_table(pairs, "feedforward_centre")
    fit, target, tol = bars["end_to_end_fit_depth"], math.log2(bars["theorem1_factor"]), bars["end_to_end_slope_tolerance"]
    fitted = depths <= fit
    statement = (
        "Theorem 1 end to end: the correlation of ∂y/∂x at two inputs with independent activation patterns halves at every layer "
        f"(feedforward, mean-centred, He init, all pairs of random inputs): slope of log2(correlation) against depth 1–{fit}"
    )
    expected = f"{target:g} ± {tol} (our bar: a per-layer factor 2^slope in [{2 ** (target - tol):.3f}, {2 ** (target + tol):.3f}])"
    off = np.abs(agreement[fitted] - 0.5) > bars["independence_tolerance"]
    if off.any():
        shown = ", ".join(f"{d}: {a:.3f}" for d, a in zip(depths[fitted][off], agreement[fitted][off]))
        return claim(
            statement, source=SOURCE_T1, expected=expected, measured=f"patterns not independent, agreement at depth {shown}", passed=False
        )
    e = slope_estimate(pairs, "feedforward_centre", fit)
    _, intercept = log2_fit(depths[fitted], correlation_by_depth(covariance, variance)[fitted])
    return claim(
        statement,
        source=SOURCE_T1,
        expected=expected,
        measured=f"{e.value:.3f} (per-layer factor {2**e.value:.3f}, intercept {intercept:+.3f}; "
        f"pattern agreement {agreement[fitted].min():.3f}–{agreement[fitted].max():.3f} per layer)",
        estimate=e,
        bar=near(target, tol),
    )


def _end_to_end_row(pairs: pd.DataFrame) -> Claim:
    """Theorem 1 depth by depth, an observation: the correlation at every depth beside 2^{−L}, and
    the half-width of the deepest one's interval (the noise floor the fit stays above)."""
    depths = pair_table(pairs, "feedforward_centre")[0]
    estimates = correlation_estimates(pairs, "feedforward_centre")
    deepest = estimates[-1]
    return observation(
        "Theorem 1 depth by depth: correlation of ∂y/∂x over all pairs of random inputs (feedforward, mean-centred), by depth",
        source=SOURCE_T1,
        expected="2^-L: " + ", ".join(f"{d}: {2.0**-d:.4f}" for d in depths),
        measured=", ".join(f"{d}: {e.value:.4f}" for d, e in zip(depths, estimates))
        + f"; 95% half-width at depth {depths[-1]}: {(deepest.high - deepest.low) / 2:.4f}",
        value=deepest.value,
    )


def _autocorrelation_rows(acf: pd.DataFrame) -> list[Claim]:
    """The paper's Fig. 2 statistic, observations: per network, the autocorrelation of dy/dx at the
    lags :data:`ACF_LAGS` (those measured) at each depth, beside white and brown noise."""
    lags = [k for k in ACF_LAGS if k <= acf.lag.max()]

    def values(rows: pd.DataFrame) -> str:
        return "/".join(f"{rows.set_index('lag').autocorrelation[k]:.2f}" for k in lags)

    noise = "; ".join(f"{describe(n)} {values(acf[acf.net == n])}" for n in ("white_noise", "brown_noise"))
    out = []
    for net in [n for n in acf.net.unique() if not n.endswith("_noise")]:
        rows = acf[acf.net == net]
        out.append(
            observation(
                f"autocorrelation of dy/dx against lag, {describe(net)}: at lags {'/'.join(map(str, lags))}, by depth",
                source=SOURCE_FIG2,
                expected=f"no number in the paper (its Fig. 2 shows the curves); {noise}",
                measured="; ".join(f"depth {int(d)}: {values(g)}" for d, g in rows.groupby("depth")),
                value=float(rows[rows.lag == lags[0]].sort_values("depth").autocorrelation.iloc[-1]),  # the deepest
            )
        )
    return out


def _theorem3_rows(pairs: pd.DataFrame, lag1: pd.DataFrame) -> list[Claim]:
    """Theorem 3, observations: per β, the correlation of the gradients at pairs of random inputs
    and their variance (relative to the shallowest depth) against depth, beside the theorem's
    1/(β√L) and β²(L − 1) + 1, and the grid's lag-1 at the same depths. No verdict: the theorem
    states the correlation's order in β²L, not its constant."""
    out = []
    for net in sorted((n for n in pairs.net.unique() if n.startswith("resnet")), reverse=True):
        beta = float(net.removeprefix("resnet_batch_norm_beta"))
        depths, covariance, variance, agreement = pair_table(pairs, net)
        correlation, spread = correlation_by_depth(covariance, variance), variance.sum(axis=0) / variance[:, 0].sum()
        grid = lag1[lag1.net == net].set_index("depth").lag1
        out.append(
            observation(
                f"Theorem 3, {describe(net)}: correlation of ∂y/∂x over all pairs of random inputs, and its variance, by depth",
                source=SOURCE_T3,
                expected="correlation ~ 1/(β√L), an order for large β²L with no constant (variance β²(L − 1) + 1, relative to depth "
                f"{depths[0]}), by depth: "
                + ", ".join(
                    f"{d}: {1 / (beta * math.sqrt(d)):.3g} (×{(beta**2 * (d - 1) + 1) / (beta**2 * (depths[0] - 1) + 1):.3g})"
                    for d in depths
                ),
                measured=", ".join(f"{d}: {c:.3f} (×{v:.3g})" for d, c, v in zip(depths, correlation, spread))
                + f"; pattern agreement {agreement.min():.3f}–{agreement.max():.3f}; grid lag-1 "
                + ", ".join(f"{d}: {grid[d]:.3f}" for d in depths if d in grid.index),
                value=float(correlation[-1]),
            )
        )
    return out
