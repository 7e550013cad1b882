"""lazy_training's analysis and claims: the log-log slopes of the width sweep, the kernel on the
circle, the kernel's smallest eigenvalue against the parameter count, and the lazy scaling in α."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from dltheory.core.claims import Claim, claim, observation
from dltheory.core.contract import Artifacts
from dltheory.figures.lazy_training import SOURCE_CHIZAT, SOURCE_JACOT, SOURCE_LEE, SOURCE_PL


def layer_name(layer: str, hidden_layers: int) -> str:
    """'0' -> 'first layer', the last -> 'readout', others -> 'hidden-to-hidden l', 'kernel' as is."""
    if layer == "kernel":
        return "kernel"
    l = int(layer)
    return "first layer" if l == 0 else "readout" if l == hidden_layers else f"hidden-to-hidden {l}"


def slopes(widths: pd.DataFrame) -> pd.DataFrame:
    """Per number of hidden layers and layer: the log-log slope of the relative change against
    width, fitted for each seed, and their mean with a 95% t-interval over seeds."""
    rows = []
    for (hidden, layer), group in widths.groupby(["hidden_layers", "layer"]):
        per_seed = [np.polyfit(np.log(g.width), np.log(g.relative_change), 1)[0] for _, g in group.groupby("seed")]
        mean, sem = np.mean(per_seed), stats.sem(per_seed)
        half = stats.t.ppf(0.975, len(per_seed) - 1) * sem
        rows.append(
            {
                "hidden_layers": hidden,
                "layer": layer,
                "name": layer_name(layer, hidden),
                "slope": mean,
                "ci_low": mean - half,
                "ci_high": mean + half,
                "seeds": len(per_seed),
                "widths": f"{group.width.min()}-{group.width.max()}",
            }
        )
    return pd.DataFrame(rows)


def analyze(artifacts: Artifacts) -> dict[str, pd.DataFrame]:
    """``slopes``: the fitted slopes of panel (b) (:func:`slopes`)."""
    return {"slopes": slopes(artifacts["widths"])}


def claims(artifacts: Artifacts, bars: dict) -> list[Claim]:
    """(b) The first layer's and the readout's relative change fall with width with a log-log
    slope in ``weight_slope``, the kernel's at least as fast (slope ≤ ``max_kernel_slope``); the
    hidden-to-hidden matrices are observed. (a) The spread of Θ at initialization across seeds,
    and its movement in training, shrink with width. (c) λ_min/λ_max < ``zero_eigenvalue`` for
    every initialization with fewer parameters than training points, and above it with more.
    (d) ‖θ_T − θ₀‖ against α has slope ``alpha_slope`` ± ``alpha_slope_tolerance``."""
    return (
        _sweep_claims(artifacts["slopes"], bars)
        + _circle_claims(artifacts["circle"])
        + _spectrum_claims(artifacts, bars)
        + [_alpha_claim(artifacts["alpha"], bars)]
    )


def _sweep_claims(table: pd.DataFrame, bars: dict) -> list[Claim]:
    low, high = bars["weight_slope"]
    out = []
    for row in table.itertuples():
        setup = f"{row.hidden_layers} hidden layer{'s' if row.hidden_layers > 1 else ''}, widths {row.widths}, {row.seeds} seeds"
        measured = f"{row.slope:.3f} (95% CI {row.ci_low:.3f} … {row.ci_high:.3f})"
        if row.name in ("first layer", "readout"):
            out.append(
                claim(
                    f"the {row.name}'s relative change ‖W_T − W₀‖/‖W₀‖ falls like 1/√width: log-log slope ({setup})",
                    source=SOURCE_LEE,
                    expected=f"in [{low}, {high}]",
                    measured=measured,
                    passed=low <= row.slope <= high,
                    value=row.slope,
                )
            )
        elif row.name == "kernel":
            out.append(
                claim(
                    f"the tangent kernel's relative change ‖Θ_T − Θ₀‖_F/‖Θ₀‖_F falls at least as fast: log-log slope ({setup})",
                    source=SOURCE_LEE,
                    expected=f"≤ {bars['max_kernel_slope']}",
                    measured=measured,
                    passed=row.slope <= bars["max_kernel_slope"],
                    value=row.slope,
                )
            )
        else:
            out.append(
                observation(
                    f"the square {row.name} matrix's relative change: log-log slope ({setup})",
                    source=SOURCE_LEE,
                    expected="steeper than −0.5 (~1/width), not a failure",
                    measured=measured,
                    value=row.slope,
                )
            )
    return out


def _circle_claims(circle: dict) -> list[Claim]:
    widths, init, trained = circle["widths"], circle["theta_init"], circle["theta_trained"]
    spread = init.std(axis=1, ddof=1).mean(axis=1)  # [W]: s.d. over inits, mean over angles
    moved = (np.linalg.norm(trained - init, axis=2) / np.linalg.norm(init, axis=2)).mean(axis=1)  # [W]
    error = np.abs(init.mean(axis=1) - circle["analytic"]).max(axis=1) / np.abs(circle["analytic"]).max()
    seeds, narrow, wide = init.shape[1], 0, int(np.argmax(widths))
    setup = f"depth {int(circle['hidden_layers']) + 1}, widths {widths[narrow]} and {widths[wide]}, {seeds} inits"
    return [
        claim(
            f"Θ at initialization varies less between initializations when wider: s.d. over inits, mean over the circle ({setup})",
            source=SOURCE_JACOT,
            expected="wider < narrower",
            measured=f"{spread[wide]:.4f} vs {spread[narrow]:.4f} (ratio {spread[wide] / spread[narrow]:.2f}; 1/√(width ratio) = {np.sqrt(widths[narrow] / widths[wide]):.2f})",
            passed=spread[wide] < spread[narrow],
            value=float(spread[wide] / spread[narrow]),
        ),
        claim(
            f"Θ moves less in training when wider: ‖Θ_T − Θ₀‖/‖Θ₀‖ on the circle after {int(circle['steps'])} steps, mean over inits ({setup})",
            source=SOURCE_JACOT,
            expected="wider < narrower",
            measured=f"{moved[wide]:.4f} vs {moved[narrow]:.4f}",
            passed=moved[wide] < moved[narrow],
            value=float(moved[wide] / moved[narrow]),
        ),
        observation(
            f"Θ at initialization, mean over inits, against the infinite-width limit (arc-cosine recursion) ({setup})",
            source=SOURCE_JACOT,
            expected="Theorem 1: → the limit as width → ∞",
            measured="largest error / largest Θ: " + ", ".join(f"width {w}: {e:.1%}" for w, e in zip(widths, error)),
            value=float(error[wide]),
        ),
    ]


def _spectrum_claims(artifacts: Artifacts, bars: dict) -> list[Claim]:
    eigen, curves = artifacts["spectrum"], artifacts["pl_curves"]
    n = int(eigen.points.iloc[0])
    ratio = eigen.lambda_min / eigen.lambda_max
    zero, under = ratio < bars["zero_eigenvalue"], eigen.parameters < n
    by_width = (
        eigen.assign(positive=~zero)
        .groupby("width")
        .agg(parameters=("parameters", "first"), positive=("positive", "sum"), inits=("seed", "size"))
    )
    over = by_width[by_width.parameters > n]
    failing = over[over.positive < over.inits]
    setup = f"one hidden layer, n = {n} inputs, {int(by_width.inits.iloc[0])} inits per width"
    below_last = by_width[by_width.parameters < n]
    bound_held = (curves.loss <= curves.bound * (1 + 1e-9)).mean()
    return [
        claim(
            f"λ_min(Θ₀) = 0 while the parameters are fewer than the training points ({setup})",
            source=SOURCE_PL,
            expected=f"λ_min/λ_max < {bars['zero_eigenvalue']:g} for every init with parameters < n",
            measured=f"{int(zero[under].sum())} of {int(under.sum())} inits (widths {below_last.index.min()}–{below_last.index.max()}, up to {below_last.parameters.max()} parameters); largest ratio {ratio[under].max():.1e}",
            passed=bool(zero[under].all()),
            value=float(ratio[under].max()),
        ),
        claim(
            f"λ_min(Θ₀) > 0 once the parameters outnumber the training points ({setup})",
            source=SOURCE_PL,
            expected=f"λ_min/λ_max ≥ {bars['zero_eigenvalue']:g} for every init with parameters > n",
            measured="every init at every width"
            if failing.empty
            else "zero in "
            + ", ".join(
                f"{r.inits - r.positive} of {r.inits} inits at width {w} ({r.parameters / n:.2f} n parameters)"
                for w, r in failing.iterrows()
            )
            + f"; positive for every init from width {over[over.positive == over.inits].index.min()} on",
            passed=failing.empty,
            value=float(ratio[~under].min()),
        ),
        observation(
            f"gradient descent stays under the PL* bound L₀(1 − ηλ_min)^t, width {int(curves.width.iloc[0])} ({setup})",
            source=SOURCE_PL,
            expected="the bound holds while λ_min stays near its initial value",
            measured=f"loss ≤ bound at {bound_held:.1%} of {len(curves)} (step, init) pairs; final loss {curves[curves.step == curves.step.max()].loss.mean():.1e} (mean)",
            value=float(bound_held),
        ),
    ]


def _alpha_claim(alpha: pd.DataFrame, bars: dict) -> Claim:
    per_seed = [np.polyfit(np.log(g.alpha), np.log(g.displacement), 1)[0] for _, g in alpha.groupby("seed")]
    slope, half = np.mean(per_seed), stats.t.ppf(0.975, len(per_seed) - 1) * stats.sem(per_seed)
    target, tol = bars["alpha_slope"], bars["alpha_slope_tolerance"]
    return claim(
        f"lazy scaling: ‖θ_T − θ₀‖ ∝ 1/α for the model α(f(θ) − f(θ₀)) on the loss /α²: log-log slope (α = {alpha.alpha.min():g} … {alpha.alpha.max():g}, {len(per_seed)} seeds)",
        source=SOURCE_CHIZAT,
        expected=f"{target:g} ± {tol:g}",
        measured=f"{slope:.4f} (95% CI {slope - half:.4f} … {slope + half:.4f})",
        passed=abs(slope - target) <= tol,
        value=slope,
    )
