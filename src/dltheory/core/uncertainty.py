"""How sure a measured number is, and the verdict it supports against a paper's bar.

A claim measured over replicates (seeds, draws, initializations, images, networks) is judged on an
interval, never on its point estimate alone: the same code on another CPU (another BLAS kernel,
another rounding) trains chaotic networks to other ends, and a verdict that such a change flips
was a coin toss. Every interval is at the project's one level, :data:`CONFIDENCE`.

Two intervals, both over replicates:

* :func:`mean_interval`: a mean, x̄ ± t_{n−1, (1+level)/2} · s/√n (Student's t: exact for normal
  replicates, and honest at the 3–10 replicates of a laptop build, where a bootstrap of the mean
  is too narrow by a factor √(n/(n−1)) and more).
* :func:`bootstrap_interval`: any other statistic (a ratio, a fitted slope, the argmax of a curve,
  an agreement score), by the percentile bootstrap: the replicates are drawn with replacement,
  within each stratum where there are several (independent groups, or the seeds of one grid
  cell), the statistic recomputed, and its (1 − level)/2 and (1 + level)/2 quantiles taken.

A :class:`Bar` is the region of values the paper's statement allows (``above(x)``,
``below(x)``, ``within(a, b)``, ``near(c, tol)``). :func:`verdict`: *pass* when the interval lies
in the region, *fail* when it lies wholly outside, *inconclusive* when it straddles an edge —
then :func:`replicates_to_decide` says how many replicates would shrink the interval off the edge,
if the estimate held (an interval's half-width falls like 1/√n).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import stdtrit  # the t quantile stats.t.ppf calls; scipy.stats costs 0.7 s to import

CONFIDENCE = 0.95  # the level of every interval in the scorecard
RESAMPLES = 2000  # bootstrap resamples: the quantiles' Monte Carlo error is ~0.1 of the interval's width
VERDICTS = ("pass", "fail", "inconclusive")


@dataclass(frozen=True)
class Estimate:
    """A statistic measured over ``n`` replicates, with its interval at ``level``.

    ``replicates`` keeps the per-replicate values the figure reports (the statistic of each seed,
    draw or image alone where it has one), so that a reader can recompute the interval."""

    value: float
    low: float
    high: float
    n: int
    method: str  # "t" (Student's t on the mean) or "bootstrap" (percentile, with its resamples)
    level: float = CONFIDENCE
    replicates: tuple[float, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "replicates", tuple(float(v) for v in self.replicates))
        for name in ("value", "low", "high"):
            object.__setattr__(self, name, float(getattr(self, name)))

    @property
    def text(self) -> str:
        """'[0.12, 0.19]': the interval, at the digits its width needs."""
        digits = _digits(self.high - self.low)
        return f"[{self.low:.{digits}f}, {self.high:.{digits}f}]"


def _digits(width: float) -> int:
    """Decimal places that show an interval of this width with two significant digits."""
    if not np.isfinite(width) or width <= 0:
        return 4
    return int(min(8, max(0, 1 - math.floor(math.log10(width)))))


def mean_interval(values: Sequence[float], level: float = CONFIDENCE) -> Estimate:
    """The mean of ``values`` (one per replicate, shape [n]) with its Student-t interval."""
    x = np.asarray(values, dtype=float)
    if x.ndim != 1 or len(x) < 2:
        raise ValueError(f"an interval needs at least 2 replicates, got shape {x.shape}")
    mean, sem = x.mean(), x.std(ddof=1) / math.sqrt(len(x))
    half = stdtrit(len(x) - 1, 0.5 + level / 2) * sem  # the Student-t quantile of df = n - 1
    return Estimate(mean, mean - half, mean + half, len(x), "t", level, tuple(x))


def bootstrap_interval(
    statistic: Callable[[np.ndarray], float],
    n: int,
    *,
    strata: Sequence | None = None,
    replicates: Sequence[float] = (),
    level: float = CONFIDENCE,
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> Estimate:
    """The percentile bootstrap interval of ``statistic`` over ``n`` replicates.

    ``statistic(rows)`` computes the number from the replicates ``rows`` (an int array of indices
    into the figure's own replicate table, repeats allowed); ``statistic(np.arange(n))`` is the
    estimate. With ``strata`` (a label per replicate), rows are drawn within each stratum, keeping
    its size: two independent groups compared, or the seeds of each grid cell. The rows come
    stratum by stratum, in the sorted order of the labels, so a statistic over a grid may reshape
    them to [cells, replicates per cell]. The generator is seeded, so an interval is as
    reproducible as the numbers it comes from."""
    labels = np.zeros(n, dtype=int) if strata is None else np.unique(np.asarray(strata), return_inverse=True)[1].ravel()
    if len(labels) != n:
        raise ValueError(f"{len(labels)} strata labels for {n} replicates")
    order = np.argsort(labels, kind="stable")  # the rows, stratum by stratum
    sizes = np.bincount(labels)
    if sizes.min() < 2:
        raise ValueError("a bootstrap needs at least 2 replicates in every stratum")
    # Row i of a resample is drawn from its own stratum: offset of the stratum + a uniform position in it.
    size_of_row = np.repeat(sizes, sizes)
    offset_of_row = np.repeat(np.cumsum(sizes) - sizes, sizes)
    positions = offset_of_row + (np.random.default_rng(seed).random((resamples, n)) * size_of_row).astype(int)
    draws = np.array([statistic(order[p]) for p in positions])
    quantiles = [0.5 - level / 2, 0.5 + level / 2]
    # A statistic may be ±inf (a ratio whose denominator vanished in a resample) or NaN (undefined
    # in a resample: left out). Between two infinite draws of one sign the linear interpolation
    # is inf − inf: that quantile is the infinity itself, as the nearest draw says.
    with np.errstate(invalid="ignore"):
        low, high = np.nanquantile(draws, quantiles)
        nearest = np.nanquantile(draws, quantiles, method="nearest")
    low, high = (q if not np.isnan(q) else n for q, n in zip((low, high), nearest))
    return Estimate(statistic(order), low, high, n, "bootstrap", level, tuple(replicates))  # the rows, stratum by stratum


def bootstrap_rows(statistic: Callable[[np.ndarray], float], values, **options) -> Estimate:
    """``statistic(values)`` of an array with one row per replicate (``values`` [n, ...]: an
    image's curves, a draw's curve, a seed's gains), with its percentile bootstrap over the rows
    (:func:`bootstrap_interval`, ``options`` passed on); the replicates kept are the statistic of
    each row alone."""
    values = np.asarray(values)
    each = [statistic(values[[i]]) for i in range(len(values))]
    return bootstrap_interval(lambda rows: statistic(values[rows]), len(values), replicates=each, **options)


def bootstrap_of_mean(statistic: Callable[[np.ndarray], float], values, *, strata=None, replicates=None) -> Estimate | None:
    """``statistic`` of the mean over replicates, bootstrapped over the replicates.

    ``values`` [n, ...] holds one row per replicate (a draw's curve over a grid, a seed's gains);
    with ``strata`` (a label per row: the cells of a grid, each with its seeds) the statistic gets
    the mean of each stratum, [strata, ...] in the sorted order of the labels, else the mean
    [...]. A resampled mean m* spreads around the mean m with the plug-in variance, (R − 1)/R of
    the unbiased one for R replicates (half at R = 2); the statistic is given m + √(R/(R−1))·(m* − m),
    whose spread is the unbiased one (the adjusted bootstrap, Davison & Hinkley 1997, §3.2), so
    that a few replicates do not make a narrow interval. The replicates kept are the statistic of
    each row alone (without strata) or ``replicates``. None where a stratum has fewer than 2 rows."""
    values = np.asarray(values, dtype=float)
    labels = np.zeros(len(values), dtype=int) if strata is None else np.unique(np.asarray(strata), return_inverse=True)[1].ravel()
    sizes = np.bincount(labels)
    if sizes.min() < 2:
        return None
    shape = (-1,) + (1,) * (values.ndim - 1)  # sizes broadcast over the trailing axes of a row
    offsets = np.cumsum(sizes) - sizes
    mean = np.add.reduceat(values[np.argsort(labels, kind="stable")], offsets, axis=0) / sizes.reshape(shape)
    stretch = np.sqrt(sizes / (sizes - 1)).reshape(shape)

    def of(rows: np.ndarray) -> float:  # rows come stratum by stratum, each keeping its size
        resampled = np.add.reduceat(values[rows], offsets, axis=0) / sizes.reshape(shape)
        adjusted = mean + stretch * (resampled - mean)
        return statistic(adjusted if strata is not None else adjusted[0])

    if replicates is None:
        replicates = [statistic(row) for row in values] if strata is None else ()
    return bootstrap_interval(of, len(values), strata=strata, replicates=replicates)


@dataclass(frozen=True)
class Bar:
    """The values a paper's statement allows: low ≤ value ≤ high, or low < value < high when
    ``strict`` ("beats", "lower than": a tie does not pass). An open side is ±inf."""

    low: float = -math.inf
    high: float = math.inf
    strict: bool = False

    def margin(self, value: float) -> float:
        """Distance of ``value`` to the nearest edge: positive inside the region, negative outside."""
        return float(min(value - self.low, self.high - value))

    def holds(self, value: float) -> bool:
        return self.low < value < self.high if self.strict else self.low <= value <= self.high

    def excludes(self, low: float, high: float) -> bool:
        """Whether the whole interval [low, high] lies outside the region."""
        if self.strict:
            return high <= self.low or low >= self.high
        return high < self.low or low > self.high


def above(x: float, strict: bool = False) -> Bar:
    return Bar(low=x, strict=strict)


def below(x: float, strict: bool = False) -> Bar:
    return Bar(high=x, strict=strict)


def within(low: float, high: float, strict: bool = False) -> Bar:
    return Bar(low, high, strict)


def near(center: float, tolerance: float) -> Bar:
    return Bar(center - tolerance, center + tolerance)


def verdict(estimate: Estimate, bar: Bar) -> str:
    """*pass* when the interval lies in the bar's region, *fail* when wholly outside it,
    *inconclusive* when it straddles an edge."""
    if bar.holds(estimate.low) and bar.holds(estimate.high):
        return "pass"
    if bar.excludes(estimate.low, estimate.high):
        return "fail"
    return "inconclusive"


def replicates_to_decide(estimate: Estimate, bar: Bar) -> int | None:
    """For an inconclusive estimate, ≈ n·(h/m)² replicates: the half-width h on the side of the
    nearest edge would shrink to the estimate's distance m from it, if the estimate held. None
    when the estimate sits on the edge (no number of replicates decides it), and for an interval
    that does not shrink like 1/√n (one widened to a grid's step, one of a standard deviation):
    only ``t`` and ``bootstrap`` intervals get a count."""
    if estimate.method not in ("t", "bootstrap"):
        return None
    edge = bar.low if abs(estimate.value - bar.low) <= abs(bar.high - estimate.value) else bar.high
    distance = abs(estimate.value - edge)
    half = estimate.value - estimate.low if edge <= estimate.value else estimate.high - estimate.value
    if distance == 0 or not np.isfinite(half):
        return None
    return max(estimate.n + 1, math.ceil(round(estimate.n * (half / distance) ** 2, 9)))  # round: 0.3 - 0.2 is not 0.1
