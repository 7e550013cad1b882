"""resnet_ensembles's claims: the lesion study (Veit et al. §4, Figs. 3 and 5) and the gradient per
path length (§5, Fig. 6), each judged on an interval over blocks, sampled lesions or sampled paths
of every seed."""

from __future__ import annotations

from math import comb

import numpy as np
import pandas as pd

from dltheory.core.claims import Claim, claim, observation
from dltheory.core.contract import Artifacts
from dltheory.core.uncertainty import above, below, bootstrap_interval, mean_interval
from dltheory.figures.resnet_ensembles import PAPER_BLOCKS, SOURCE
from dltheory.science.residual_paths import path_length_pmf, shortest_interval

FIG3 = f"{SOURCE}, §4.1 and Fig. 3"
FIG5 = f"{SOURCE}, §4.3 and Fig. 5"
FIG6 = f"{SOURCE}, §5 and Fig. 6"


def claims(artifacts: Artifacts, bars: dict) -> list[Claim]:
    """Single deletions (increase over the baseline per seed and block, t interval over them),
    smoothness of the lesion curves (largest rise per block of the mean curve, bootstrap over the
    sampled lesions within each seed and k), and the path view (slope and fit of log gradient
    against k, contribution-weighted mean path length; bootstrap over sampled subsets and images
    within each seed and k)."""
    single, curves, paths = artifacts["single"], artifacts["curves"], artifacts["paths"]
    return _single_rows(single, bars) + _curve_rows(curves, single, bars) + _path_rows(paths, bars)


def _single_rows(single: pd.DataFrame, bars: dict) -> list[Claim]:
    rise = single.error - single.baseline
    resnet, plain = single.architecture == "resnet", single.architecture == "plain"
    inner = ~single.downsampling
    seeds = single.seed.nunique()
    baselines = single.groupby("architecture").baseline.mean()
    by_block = single[resnet].groupby("block").apply(lambda b: (b.error - b.baseline).mean(), include_groups=False)
    return [
        claim(
            "removing single layers from residual networks at test time does not noticeably affect their performance "
            f"(mean rise of the test error over the non-downsampling blocks, {seeds} seeds)",
            source=FIG3,
            expected=f"< {bars['single_rise']:g} (bar ours: the paper shows no threshold)",
            measured=f"{rise[resnet & inner].mean():.3f} over a baseline {baselines['resnet']:.3f}; per block "
            + ", ".join(f"{v:.2f}" for v in by_block),
            estimate=mean_interval(rise[resnet & inner]),
            bar=below(bars["single_rise"]),
        ),
        observation(
            "removing a downsampling block of the residual network (mean rise of the test error)",
            source=FIG3,
            expected="the paper: a modest impact, larger than the other blocks'",
            measured=f"{rise[resnet & ~inner].mean():.3f} against {rise[resnet & inner].mean():.3f} for the others",
            estimate=mean_interval(rise[resnet & ~inner]),
        ),
        claim(
            "deleting a single layer of a plain (VGG-like) network drops it to chance: test error after deleting one "
            "non-downsampling block",
            source=FIG3,
            expected=f"> {bars['chance_error']:g} (bar ours; chance is 0.9 on 10 classes)",
            measured=f"{single.error[plain & inner].mean():.3f} over a baseline {baselines['plain']:.3f}",
            estimate=mean_interval(single.error[plain & inner]),
            bar=above(bars["chance_error"]),
        ),
    ]


def largest_rise(k: np.ndarray, error: np.ndarray) -> float:
    """The largest rise per block of the mean error curve: max over consecutive k of Δerror / Δk
    (k, error: one entry per sampled lesion)."""
    ks, index = np.unique(k, return_inverse=True)
    mean = np.bincount(index, weights=error) / np.bincount(index)
    return float((np.diff(mean) / np.diff(ks)).max())


def _curve_rows(curves: pd.DataFrame, single: pd.DataFrame, bars: dict) -> list[Claim]:
    plain = single[(single.architecture == "plain") & ~single.downsampling]
    plain_jump = float((plain.error - plain.baseline).mean())
    out = []
    for lesion, what in (("deleted", "blocks deleted"), ("swapped", "random pairs of blocks swapped")):
        table = curves[curves.lesion == lesion].reset_index(drop=True)
        mean = table.groupby("k").error.mean()
        k, error = table.k.to_numpy(), table.error.to_numpy()
        estimate = bootstrap_interval(
            lambda rows, k=k, e=error: largest_rise(k[rows], e[rows]), len(table), strata=table.seed * 10_000 + table.k
        )
        out.append(
            claim(
                f"the test error of a residual network increases smoothly with the number of {what} "
                "(largest rise of the mean error per block)",
                source=FIG5,
                expected=f"< {bars['smooth_rise']:g} per block (bar ours); the plain net jumps {plain_jump:.2f} at one deletion",
                measured=f"{estimate.value:.3f}; error by k: " + ", ".join(f"{k}: {e:.3f}" for k, e in mean.items()),
                estimate=estimate,
                bar=below(bars["smooth_rise"]),
            )
        )
    return out


def path_profile(paths: pd.DataFrame) -> pd.DataFrame:
    """Per path length k: the mean gradient norm of one path, the number of paths C(n, k), their
    product (the total gradient of length k) and its share of the sum over k."""
    magnitude = _magnitudes(paths.k.to_numpy(), paths.norm.to_numpy())
    n = len(magnitude) - 1
    profile = pd.DataFrame({"magnitude": magnitude, "paths": [comb(n, k) for k in range(n + 1)]}, index=pd.RangeIndex(n + 1, name="k"))
    profile["total"] = profile.magnitude * profile.paths
    profile["share"] = profile.total / profile.total.sum()
    return profile


def _magnitudes(k: np.ndarray, norm: np.ndarray) -> np.ndarray:
    """[n + 1]: the mean norm per path length k = 0..n (one entry per sampled path and image)."""
    return np.bincount(k, weights=norm) / np.bincount(k)


def decay_fit(k: np.ndarray, norm: np.ndarray) -> tuple[float, float]:
    """(slope, R²) of the least-squares line through log10 of the mean magnitude against k."""
    log_m = np.log10(_magnitudes(k, norm))
    lengths = np.arange(len(log_m))
    slope, intercept = np.polyfit(lengths, log_m, 1)
    residual = log_m - (slope * lengths + intercept)
    return float(slope), float(1 - residual.var() / log_m.var())


def mean_path_length(k: np.ndarray, norm: np.ndarray) -> float:
    """The mean path length weighted by the total gradient of each length (mean magnitude ×
    C(n, k)), over the n blocks."""
    magnitude = _magnitudes(k, norm)
    n = len(magnitude) - 1
    total = magnitude * np.array([comb(n, j) for j in range(n + 1)], dtype=float)
    return float((np.arange(n + 1) * total).sum() / total.sum() / n)


def _path_rows(paths: pd.DataFrame, bars: dict) -> list[Claim]:
    paths = paths.reset_index(drop=True)
    strata = paths.seed * 10_000 + paths.k
    n = int(paths.k.max())
    profile = path_profile(paths)
    first, last = shortest_interval(profile.total.to_numpy(), bars["share"])
    k, norm = paths.k.to_numpy(), paths.norm.to_numpy()
    slope, r2 = decay_fit(k, norm)
    length = mean_path_length(k, norm)
    paper_range = shortest_interval(path_length_pmf(PAPER_BLOCKS), 0.95)
    ours_range = shortest_interval(path_length_pmf(n), 0.95)
    paper_share = float(path_length_pmf(PAPER_BLOCKS)[19:36].sum())

    def boot(statistic):
        return bootstrap_interval(lambda rows: statistic(k[rows], norm[rows]), len(paths), strata=strata)

    return [
        claim(
            f"the distribution of path lengths is binomial: for a network with {PAPER_BLOCKS} blocks, more than 95% of "
            "paths go through 19 to 35 blocks (share of B(54, 1/2) in 19..35)",
            source=FIG6,
            expected="> 0.95",
            measured=f"{paper_share:.4f}; shortest range holding 95%: {paper_range[0]} to {paper_range[1]}; "
            f"ours, n = {n}: {ours_range[0]} to {ours_range[1]}",
            value=paper_share,
            bar=above(0.95, strict=True),
        ),
        claim(
            "the gradient magnitude of a path decreases exponentially with the number of blocks it goes through "
            "(slope of log10 mean gradient norm against k)",
            source=FIG6,
            expected="< 0",
            measured=f"{slope:.3f} per block, a factor {10**slope:.2f}; R² {r2:.3f}",
            estimate=boot(lambda k, norm: decay_fit(k, norm)[0]),
            bar=below(0.0, strict=True),
        ),
        claim(
            "the decrease is exponential: R² of the straight line through log10 gradient norm against k",
            source=FIG6,
            expected=f"> {bars['exponential_r2']:g} (bar ours)",
            measured=f"{r2:.3f}",
            estimate=boot(lambda k, norm: decay_fit(k, norm)[1]),
            bar=above(bars["exponential_r2"]),
        ),
        claim(
            "most of the gradient comes from paths far shorter than the network: mean path length weighted by the total "
            "gradient of each length, over n (the paper: 5-17 of 54 blocks, against 19-35 for most paths)",
            source=FIG6,
            expected="< 0.5, the binomial mean (bar ours)",
            measured=f"{length:.3f} (x n = {length * n:.1f} blocks)",
            estimate=boot(mean_path_length),
            bar=below(0.5, strict=True),
        ),
        observation(
            f"effective paths: the shortest range of path lengths holding {bars['share']:.0%} of the total gradient "
            "(share ours: the paper gives no share)",
            source=FIG6,
            expected=f"the paper, {PAPER_BLOCKS} blocks: 5 to 17 blocks (10 to 34 layers)",
            measured=f"{first} to {last} of {n} blocks ({2 * first} to {2 * last} layers); most paths: {ours_range[0]} to {ours_range[1]}",
            value=float(last),
        ),
    ]
