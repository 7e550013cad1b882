"""Figure ``double_descent``: the test risk peaks at the interpolation threshold, then falls below
the classical optimum (Belkin, Hsu, Ma & Mandal 2019, Fig. 2; Belkin, Hsu & Xu 2020, Theorem 1).

Top row, random Fourier features on digits, against the number of features N with the threshold
N = n marked (mean ± s.d. over draws of the features): (a) test zero-one error, (b) test squared
loss, (c) ‖a‖₂ of the minimum-norm solution (log), (d) train squared loss. Bottom: (e) the
weak-features model's risk against the number p of features used, the closed form (line) and a
Monte Carlo (points ± 2 s.e.).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dltheory.core.claims import Claim, claim, observation
from dltheory.core.contract import Artifacts, Figure, require
from dltheory.core.data import N_CLASSES, missing_data_errors

NAME = "double_descent"
SOURCE = "Belkin, Hsu, Ma & Mandal 2019, Fig. 2 (PNAS 116; arXiv 1812.11118)"
SOURCE_WEAK = "Belkin, Hsu & Xu 2020, Theorem 1 (SIAM J. Math. Data Sci. 2; arXiv 1903.07571)"
METRICS = ("test_error", "test_mse", "norm", "train_mse")


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per N: mean and s.d. over seeds of every metric, and N/n."""
    grouped = table.groupby("n_features")[list(METRICS)]
    out = grouped.mean().join(grouped.std().add_suffix("_std"))
    out["seeds"] = grouped.size()
    out["ratio"] = out.index / table.n_train.iloc[0]
    return out.reset_index()


def claims(artifacts: Artifacts, bars: dict) -> list[Claim]:
    """(a) The argmax over the grid of the mean test squared loss, and of the mean ‖a‖, lies within
    ``peak_tolerance`` of n; the train loss is below ``max_interpolation_train_mse`` at every N ≥ n
    and seed; the test squared loss and zero-one error at the largest N are below their best for
    N < n. (b) The Monte Carlo lies within z* standard errors of the closed form at every p at
    least ``monte_carlo_exclusion`` from n, z* the family-wise bound of :func:`monte_carlo_bar` at
    level ``monte_carlo_alpha``; its minimum over p is at p = d.
    The height of the peak is reported, never judged: at N = n it is numerically fragile."""
    table, weak = artifacts["rff"], artifacts["weak_features"]
    s = summary(table).set_index("n_features")
    n, seeds = int(table.n_train.iloc[0]), int(s.seeds.iloc[0])
    tol = bars["peak_tolerance"]
    setup = f"random Fourier features, n = {n}, {seeds} draws"
    out = []
    for column, what in (("test_mse", "test squared loss"), ("norm", "‖a‖₂ of the minimum-norm solution")):
        peak = int(s[column].idxmax())
        out.append(
            claim(
                f"the {what} peaks at the interpolation threshold N = n ({setup})",
                source=SOURCE,
                expected=f"argmax N within ±{tol:.0%} of n = {n}",
                measured=f"argmax N = {peak} ({peak / n - 1:+.1%}); there {s[column][peak]:.3g}, at N = {s.index[-1]} {s[column].iloc[-1]:.3g}",
                passed=abs(peak / n - 1) <= tol,
                value=peak / n,
            )
        )
    worst_fit = table[table.n_features >= n].train_mse.max()
    max_train = bars["max_interpolation_train_mse"]
    out.append(
        claim(
            f"the model interpolates for N ≥ n: largest train squared loss over N ≥ n and draws ({setup})",
            source=SOURCE,
            expected=f"≤ {max_train:g} (numerically 0)",
            measured=f"{worst_fit:.1e}",
            passed=worst_fit <= max_train,
            value=worst_fit,
        )
    )
    below = s[s.index < n]
    for column, what, fmt in (("test_mse", "test squared loss", ".4f"), ("test_error", "test zero-one error", ".2%")):
        last, best = s[column].iloc[-1], below[column].min()
        out.append(
            claim(
                f"the minimum is over-parameterized: {what} at the largest N against the best N < n ({setup})",
                source=SOURCE,
                expected="at the largest N < the best N < n",
                measured=f"{last:{fmt}} at N = {s.index[-1]} ({s.ratio.iloc[-1]:.0f}n) vs {best:{fmt}} at N = {int(below[column].idxmin())}",
                passed=last < best,
                value=last - best,
            )
        )
    out.append(
        observation(
            f"height of the peak: test squared loss at N = n over its value at the largest N ({setup})",
            source=SOURCE,
            expected="not claimed: fragile at N = n exactly",
            measured=f"{s.test_mse.get(n, np.nan) / s.test_mse.iloc[-1]:.1f}×",
            value=float(s.test_mse.get(n, np.nan) / s.test_mse.iloc[-1]),
        )
    )
    out += _weak_features_claims(weak, bars)
    return out


def _weak_features_claims(weak: pd.DataFrame, bars: dict) -> list[Claim]:
    n_wf, d = _weak_setup(weak)
    away = weak[(weak.p - n_wf).abs() >= bars["monte_carlo_exclusion"]]
    z = (away.monte_carlo - away.closed_form) / away.monte_carlo_se
    max_z, trials = monte_carlo_bar(len(away), bars["monte_carlo_alpha"]), int(weak.trials.iloc[0])
    setup = f"n = {n_wf}, d = {d}, {trials} trials per p"
    mc_argmin, cf_argmin = int(weak.p[weak.monte_carlo.idxmin()]), int(weak.p[weak.closed_form.idxmin()])
    return [
        claim(
            f"weak features: Monte Carlo against the closed form at every p with |p − n| ≥ {bars['monte_carlo_exclusion']} ({setup})",
            source=SOURCE_WEAK,
            expected=f"|MC − closed form| ≤ {max_z:.2f} s.e. at every such p (family-wise level {bars['monte_carlo_alpha']:g} over {len(away)} p)",
            measured=f"largest {np.abs(z).max():.2f} s.e. (p = {int(away.p[np.abs(z).idxmax()])}); within 1 s.e. at {(np.abs(z) <= 1).mean():.0%} of {len(z)} p (68% expected)",
            passed=np.abs(z).max() <= max_z,
            value=float(np.abs(z).max()),
        ),
        claim(
            f"weak features: the risk is least with all features, p = d ({setup})",
            source=SOURCE_WEAK,
            expected=f"argmin over p of the Monte Carlo = {d}",
            measured=f"argmin p = {mc_argmin} (closed form: {cf_argmin}); risk there {weak.monte_carlo.min():.4f} ± {weak.monte_carlo_se[weak.monte_carlo.idxmin()]:.4f}",
            passed=mc_argmin == d,
            value=mc_argmin,
        ),
    ]


def monte_carlo_bar(comparisons: int, alpha: float) -> float:
    """z* = Φ⁻¹(1 − α/(2m)): all m Monte-Carlo means lie within z* standard errors of the truth
    with probability ≥ 1 − α (Bonferroni; valid for the correlated estimates of common random
    numbers). "Within its standard error" at each of ~85 p would fail a third of them by chance."""
    from scipy.stats import norm

    return float(norm.isf(alpha / (2 * comparisons)))


def _weak_setup(weak: pd.DataFrame) -> tuple[int, int]:
    """(n, d) of the weak-features table: d is its largest p; n is where the closed form is infinite."""
    return int(weak.p[np.isinf(weak.closed_form)].mean().round()), int(weak.p.max())


def plot(artifacts: Artifacts, bars: dict):
    """(a)–(d) vs N, (e) the weak-features model; see the module docstring."""
    import matplotlib.pyplot as plt

    from dltheory.core.plotting import setup_style

    setup_style()
    table, weak = artifacts["rff"], artifacts["weak_features"]
    s = summary(table)
    n = int(table.n_train.iloc[0])
    fig = plt.figure(figsize=(18, 8.5), constrained_layout=True)
    grid = fig.add_gridspec(2, 4)
    panels = [
        ("test_error", "(a) test zero-one error", "zero-one error", False),
        ("test_mse", "(b) test squared loss", "squared loss Σ_k (ŷ_k − y_k)²", True),
        ("norm", "(c) ‖a‖₂ of the solution", "‖a‖₂", True),
        ("train_mse", "(d) train squared loss", "squared loss", True),
    ]
    for i, (column, title, ylabel, log_y) in enumerate(panels):
        ax = fig.add_subplot(grid[0, i])
        ax.plot(s.n_features, s[column], "o-", ms=3, color="tab:blue", label=f"mean of {int(s.seeds.iloc[0])} draws")
        ax.fill_between(
            s.n_features, s[column] - s[f"{column}_std"], s[column] + s[f"{column}_std"], color="tab:blue", alpha=0.25, lw=0, label="± s.d."
        )
        ax.axvline(n, color="tab:red", ls="--", lw=1, label=f"N = n = {n}")
        ax.set(xscale="log", title=title, xlabel="random Fourier features N", ylabel=ylabel)
        if log_y:
            ax.set_yscale("log")
        ax.legend(fontsize="x-small")
    ax = fig.add_subplot(grid[1, :2])
    n_wf, d = _weak_setup(weak)
    finite = np.isfinite(weak.closed_form)
    ax.plot(
        weak.p[finite & (weak.p < n_wf)], weak.closed_form[finite & (weak.p < n_wf)], color="k", lw=1.5, label="closed form (Theorem 1)"
    )
    ax.plot(weak.p[finite & (weak.p > n_wf)], weak.closed_form[finite & (weak.p > n_wf)], color="k", lw=1.5)
    ax.errorbar(
        weak.p,
        weak.monte_carlo,
        yerr=2 * weak.monte_carlo_se,
        fmt="o",
        ms=3,
        color="tab:orange",
        capsize=1.5,
        label=f"Monte Carlo ± 2 s.e. ({int(weak.trials.iloc[0])} trials)",
    )
    ax.axvline(n_wf, color="tab:red", ls="--", lw=1, label=f"p = n = {n_wf}")
    ax.set(
        yscale="log", ylim=(0.3, 30), xlabel="features used p", ylabel="risk E(y − xᵀŵ)²", title=f"(e) weak features: d = {d}, n = {n_wf}"
    )
    ax.legend(fontsize="x-small")
    ax = fig.add_subplot(grid[1, 2:])
    z = (weak.monte_carlo - weak.closed_form) / weak.monte_carlo_se
    bar = monte_carlo_bar(int(((weak.p - n_wf).abs() >= bars["monte_carlo_exclusion"]).sum()), bars["monte_carlo_alpha"])
    ax.axhspan(-bar, bar, color="0.9", label=f"claim bar ±{bar:.2f} s.e.")
    ax.axvspan(
        n_wf - bars["monte_carlo_exclusion"] + 0.5,
        n_wf + bars["monte_carlo_exclusion"] - 0.5,
        color="tab:red",
        alpha=0.1,
        label="excluded near p = n",
    )
    ax.plot(weak.p, z.where(np.isfinite(z)), "o", ms=3, color="tab:orange")
    ax.set(xlabel="features used p", ylabel="(Monte Carlo − closed form) / s.e.", title="(f) Monte Carlo against the closed form")
    ax.legend(fontsize="x-small")
    fig.suptitle(
        f"Random Fourier features on {n} digits: least squares for N < n, minimum-norm interpolant for N ≥ n "
        f"(bandwidth {table.bandwidth.iloc[0]:.1f}, the median distance)",
        fontsize="small",
    )
    return fig


def check(config: dict) -> None:
    """The N grid must have points on both sides of n; the weak-features p grid must reach past n."""
    dd = config[NAME]["compute"]
    ratios, errors = dd["feature_ratios"], []
    if not ratios["min"] < 1 < ratios["max"]:
        errors.append(
            f"{NAME}.compute.feature_ratios: min {ratios['min']}, max {ratios['max']} (N/n) leave no points on one side of the "
            "threshold N = n; allowed: min < 1 < max"
        )
    wf = dd["weak_features"]
    if not wf["n"] + 2 <= wf["d"]:
        errors.append(
            f"{NAME}.compute.weak_features.n: {wf['n']} with d = {wf['d']} leaves no over-parameterized p (p ≥ n + 2); allowed: n <= d - 2"
        )
    require(errors + missing_data_errors(config["data"], [dd["dataset"]]))


# ------------------------------------------------------------------------------------------
# Cost of the compute jobs (python -m dltheory plan). Imports inside the functions: the claims and
# plot jobs import this module, and their code digest follows module-level imports only.


def _rff_flops(spec: dict) -> float:
    """FLOPs of ``double_descent_rff`` for n training and m test rows of d features, the grid of N
    up to N_max and K = 10 outputs, per seed: the directions (N_max d F_NORMAL), the features of
    both splits ((n + m) N_max (2 d + F_T)), the QR of the largest N below n (2 n N_b²) and the
    triangular solves (N² K per N); above n, per N, the QR of the (n + ΔN) × n stack
    (2 (n + ΔN) n²) and two refined dual solves (8 n² K + 6 n N K); per N, the fit and the
    prediction (2 (n + m) N K). Once: the median bandwidth on ≤ 2,000 rows (3 r² d)."""
    from dltheory.core.cost import F_NORMAL
    from dltheory.core.cost import F_TRANSCENDENTAL as F_T
    from dltheory.science.random_features import feature_grid

    n, m, d, K = spec["n_train"], spec["n_test"], spec["features"], N_CLASSES
    grid = feature_grid(n, spec["feature_ratios"])
    below, above = grid[grid < n], grid[grid >= n]
    per_seed = grid[-1] * d * F_NORMAL + (n + m) * grid[-1] * (2 * d + F_T) + sum(2 * (n + m) * N * K for N in grid)
    if len(below):
        per_seed += 2 * n * below[-1] ** 2 + sum(N * N * K for N in below)
    steps = np.diff(np.r_[0, above])
    per_seed += sum(2 * (n + dN) * n * n + 8 * n * n * K + 6 * n * N * K for N, dN in zip(above, steps))
    return spec["seeds"] * per_seed + 3 * min(n, 2000) ** 2 * d


def _rff_memory(spec: dict) -> float:
    """Bytes: the cosine features of both splits [n + m, N_max] float64, the argument x Vᵀ of the
    larger split while its features are made, and the QR stack [(n + ΔN), n] with its factor."""
    from dltheory.science.random_features import feature_grid

    n, m = spec["n_train"], spec["n_test"]
    grid = feature_grid(n, spec["feature_ratios"])
    largest_step = int(np.diff(np.r_[min(n, grid[-1]), grid[grid >= n]]).max(initial=0))
    return 8 * ((n + m) * grid[-1] + max(n, m) * grid[-1] + 2 * (n + largest_step) * n)


def _rff_run(spec: dict, data_config: dict) -> None:
    from dltheory.core.cost import probe_dataset, seeds_of
    from dltheory.science.random_features import feature_grid, median_bandwidth, rff_curve

    d = probe_dataset(spec["dataset"], data_config, spec["n_train"], spec["n_test"])
    bandwidth = median_bandwidth(d.x_train) if spec["bandwidth"] == "median" else float(spec["bandwidth"])
    grid = feature_grid(len(d.y_train), spec["feature_ratios"])
    for seed in seeds_of(spec):
        rff_curve(d.x_train, d.y_train, d.x_test, d.y_test, grid, bandwidth, d.n_classes, seed)


def _weak_flops(spec: dict) -> float:
    """FLOPs of ``double_descent_weak_features`` for T trials of n samples in d dimensions: the
    draws (T n d F_NORMAL) and the trials' coordinate orders (T d log₂ d); per p = 1 … d, least
    squares below n (XᵀX: 2 T n p², Xᵀy: 2 T n p, the solve: T p³ 2/3) and the minimum-norm
    solution above (XXᵀ: 2 T n² p, the solve: T n³ 2/3, Xᵀ(·): 2 T n p), and the risk (3 T d)."""
    from dltheory.core.cost import F_NORMAL

    T, n, d = spec["trials"], spec["n"], spec["d"]
    per_p = [2 * T * n * p * p + T * p**3 * 2 / 3 if p < n else 2 * T * n * n * p + T * n**3 * 2 / 3 for p in range(1, d + 1)]
    return T * n * d * F_NORMAL + T * d * np.log2(d) + sum(per_p) + d * (2 * T * n + 3 * T * d)


def _weak_memory(spec: dict) -> float:
    """Bytes: the draws X [T, n, d] float64 and their reordered copy, and a [T, n, p] temporary."""
    return 3 * spec["trials"] * spec["n"] * spec["d"] * 8


def _weak_run(spec: dict) -> None:
    from dltheory.science.random_features import weak_features_monte_carlo

    ps = np.arange(1, spec["d"] + 1)
    weak_features_monte_carlo(ps, spec["n"], spec["d"], spec["w_norm2"], spec["noise_var"], spec["trials"], spec["seed"])


def jobs(config: dict) -> list:
    """``double_descent_rff``, probed on one seed with at most 500 training and 500 test rows (the
    grid of N/n the same, so every N shrinks with n; mnist as synthetic rows of its shape), and
    ``double_descent_weak_features`` on at most 200 trials."""
    from dltheory.core.cost import LOAD_SECONDS, reduced, sliced, split_sizes

    c, data_config = config[NAME]["compute"], config["data"]
    n_train, n_test, features = split_sizes(c["dataset"], data_config, c["n_train"], c["n_test"])
    rff = {**{k: v for k, v in c.items() if k != "weak_features"}, "n_train": n_train, "n_test": n_test, "features": features}
    probe = reduced(rff, seeds=1, n_train=min(n_train, 500), n_test=min(n_test, 500))
    weak = c["weak_features"]
    return [
        sliced(
            f"{NAME}_rff", "", rff, probe, _rff_flops, _rff_memory, lambda s: _rff_run(s, data_config),
            overhead_s=LOAD_SECONDS[c["dataset"]], warmup_spec=reduced(probe, n_train=100, n_test=100),
        ),
        sliced(f"{NAME}_weak_features", "", weak, reduced(weak, trials=min(weak["trials"], 200)), _weak_flops, _weak_memory, _weak_run),
    ]  # fmt: skip


FIGURE = Figure(
    name=NAME,
    title="Double descent: the test risk peaks at the interpolation threshold, then falls again",
    sources=(SOURCE, SOURCE_WEAK),
    artifacts=lambda config: {"rff": FIGURE.result("rff.csv"), "weak_features": FIGURE.result("weak_features.csv")},
    claims=claims,
    plot=plot,
    check=check,
    jobs=jobs,
)
