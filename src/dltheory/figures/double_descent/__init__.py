"""Figure ``double_descent``: the test risk peaks at the interpolation threshold, then falls below
the classical optimum (Belkin, Hsu, Ma & Mandal 2019, Fig. 2; Belkin, Hsu & Xu 2020, Theorem 1).

Top row, random Fourier features on digits, against the number of features N with the threshold
N = n marked (mean ± s.d. over draws of the features): (a) test zero-one error, (b) test squared
loss, (c) ‖a‖₂ of the minimum-norm solution (log), (d) train squared loss; (a)–(c) with the
Gaussian kernel's minimum-norm interpolant h_{n,∞} (the limit N → ∞) as a horizontal line. Bottom: (e) the
weak-features model's risk against the number p of features used, the closed form (line) and a
Monte Carlo (points ± 2 s.e.).

Science: :mod:`dltheory.science.random_features` (the random Fourier features, the minimum-norm
path, the kernel machine and the weak-features model).
"""

from __future__ import annotations

from dltheory.core.contract import Figure, Step, require
from dltheory.core.data import missing_data_errors

NAME = "double_descent"
SOURCE = "Belkin, Hsu, Ma & Mandal 2019, Fig. 2 (PNAS 116; arXiv 1812.11118)"
SOURCE_WEAK = "Belkin, Hsu & Xu 2020, Theorem 1 (SIAM J. Math. Data Sci. 2; arXiv 1903.07571)"


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


FIGURE = Figure(
    name=NAME,
    order=80,
    title="Double descent: the test risk peaks at the interpolation threshold, then falls again",
    sources=(SOURCE, SOURCE_WEAK),
    outputs={"rff": "rff.csv", "kernel": "kernel.csv", "weak_features": "weak_features.csv"},
    steps=(
        Step(
            "rff",
            outputs=("rff", "kernel"),
            params=lambda c, w: {k: v for k, v in c.items() if k != "weak_features"},
            threads=2,
            data=True,
            mem_mb=2000,
        ),
        Step("weak_features", outputs=("weak_features",), params=lambda c, w: dict(c["weak_features"])),
    ),
    check=check,
)
