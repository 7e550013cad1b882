"""Figure ``lazy_training``: wide networks barely move, their tangent kernel stays fixed and well
conditioned (Jacot, Gabriel & Hongler 2018, Fig. 1; Lee et al. 2019, Thm 2.1; Chizat, Oyallon &
Bach 2019; Liu, Zhu & Belkin 2022).

(a) Jacot's Fig. 1: Θ(x₀, x) on the unit circle for two widths, each initialization a thin line,
at initialization (solid) and after training (dashed), with the infinite-width limit. (b) The
relative change of each layer's weights and of the kernel after training to a fixed loss, against
width, one and two hidden layers, with the 1/√width line. (c) λ_min/λ_max of the kernel at
initialization against the parameter count over n, and gradient descent against the PL* bound.
(d) ‖θ_T − θ₀‖ of the lazily scaled model α(f − f₀) against α, with the 1/α line.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..claims import Claim
from ..contract import Artifacts, Figure, require

NAME = "lazy_training"
SOURCE_JACOT = "Jacot, Gabriel & Hongler 2018, §6 and Fig. 1 (NeurIPS; arXiv 1806.07572)"
SOURCE_LEE = "Lee et al. 2019, Theorem 2.1 (NeurIPS; arXiv 1902.06720)"
SOURCE_PL = "Liu, Zhu & Belkin 2022, PL* (ACHA 59; arXiv 2003.00307)"
SOURCE_CHIZAT = "Chizat, Oyallon & Bach 2019, §2 (NeurIPS; arXiv 1812.07956)"


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
                Claim(
                    NAME,
                    f"the {row.name}'s relative change ‖W_T − W₀‖/‖W₀‖ falls like 1/√width: log-log slope ({setup})",
                    SOURCE_LEE,
                    f"in [{low}, {high}]",
                    measured,
                    low <= row.slope <= high,
                    row.slope,
                )
            )
        elif row.name == "kernel":
            out.append(
                Claim(
                    NAME,
                    f"the tangent kernel's relative change ‖Θ_T − Θ₀‖_F/‖Θ₀‖_F falls at least as fast: log-log slope ({setup})",
                    SOURCE_LEE,
                    f"≤ {bars['max_kernel_slope']}",
                    measured,
                    row.slope <= bars["max_kernel_slope"],
                    row.slope,
                )
            )
        else:
            out.append(
                Claim(
                    NAME,
                    f"the square {row.name} matrix's relative change: log-log slope ({setup})",
                    SOURCE_LEE,
                    "steeper than −0.5 (~1/width), not a failure",
                    measured,
                    None,
                    row.slope,
                    kind="observation",
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
        Claim(
            NAME,
            f"Θ at initialization varies less between initializations when wider: s.d. over inits, mean over the circle ({setup})",
            SOURCE_JACOT,
            "wider < narrower",
            f"{spread[wide]:.4f} vs {spread[narrow]:.4f} (ratio {spread[wide] / spread[narrow]:.2f}; 1/√(width ratio) = {np.sqrt(widths[narrow] / widths[wide]):.2f})",
            spread[wide] < spread[narrow],
            float(spread[wide] / spread[narrow]),
        ),
        Claim(
            NAME,
            f"Θ moves less in training when wider: ‖Θ_T − Θ₀‖/‖Θ₀‖ on the circle after {int(circle['steps'])} steps, mean over inits ({setup})",
            SOURCE_JACOT,
            "wider < narrower",
            f"{moved[wide]:.4f} vs {moved[narrow]:.4f}",
            moved[wide] < moved[narrow],
            float(moved[wide] / moved[narrow]),
        ),
        Claim(
            NAME,
            f"Θ at initialization, mean over inits, against the infinite-width limit (arc-cosine recursion) ({setup})",
            SOURCE_JACOT,
            "Theorem 1: → the limit as width → ∞",
            "largest error / largest Θ: " + ", ".join(f"width {w}: {e:.1%}" for w, e in zip(widths, error)),
            None,
            float(error[wide]),
            kind="observation",
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
        Claim(
            NAME,
            f"λ_min(Θ₀) = 0 while the parameters are fewer than the training points ({setup})",
            SOURCE_PL,
            f"λ_min/λ_max < {bars['zero_eigenvalue']:g} for every init with parameters < n",
            f"{int(zero[under].sum())} of {int(under.sum())} inits (widths {below_last.index.min()}–{below_last.index.max()}, up to {below_last.parameters.max()} parameters); largest ratio {ratio[under].max():.1e}",
            bool(zero[under].all()),
            float(ratio[under].max()),
        ),
        Claim(
            NAME,
            f"λ_min(Θ₀) > 0 once the parameters outnumber the training points ({setup})",
            SOURCE_PL,
            f"λ_min/λ_max ≥ {bars['zero_eigenvalue']:g} for every init with parameters > n",
            "every init at every width"
            if failing.empty
            else "zero in "
            + ", ".join(
                f"{r.inits - r.positive} of {r.inits} inits at width {w} ({r.parameters / n:.2f} n parameters)"
                for w, r in failing.iterrows()
            )
            + f"; positive for every init from width {over[over.positive == over.inits].index.min()} on",
            failing.empty,
            float(ratio[~under].min()),
        ),
        Claim(
            NAME,
            f"gradient descent stays under the PL* bound L₀(1 − ηλ_min)^t, width {int(curves.width.iloc[0])} ({setup})",
            SOURCE_PL,
            "the bound holds while λ_min stays near its initial value",
            f"loss ≤ bound at {bound_held:.1%} of {len(curves)} (step, init) pairs; final loss {curves[curves.step == curves.step.max()].loss.mean():.1e} (mean)",
            None,
            float(bound_held),
            kind="observation",
        ),
    ]


def _alpha_claim(alpha: pd.DataFrame, bars: dict) -> Claim:
    per_seed = [np.polyfit(np.log(g.alpha), np.log(g.displacement), 1)[0] for _, g in alpha.groupby("seed")]
    slope, half = np.mean(per_seed), stats.t.ppf(0.975, len(per_seed) - 1) * stats.sem(per_seed)
    target, tol = bars["alpha_slope"], bars["alpha_slope_tolerance"]
    return Claim(
        NAME,
        f"lazy scaling: ‖θ_T − θ₀‖ ∝ 1/α for the model α(f(θ) − f(θ₀)) on the loss /α²: log-log slope (α = {alpha.alpha.min():g} … {alpha.alpha.max():g}, {len(per_seed)} seeds)",
        SOURCE_CHIZAT,
        f"{target:g} ± {tol:g}",
        f"{slope:.4f} (95% CI {slope - half:.4f} … {slope + half:.4f})",
        abs(slope - target) <= tol,
        slope,
    )


def plot(artifacts: Artifacts, bars: dict):
    """Panels (a)–(d); see the module docstring."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    from ..plotting import setup_style

    setup_style()
    fig, axes = plt.subplots(2, 3, figsize=(17, 10), constrained_layout=True)
    _plot_circle(axes[0, 0], artifacts["circle"])
    widths = artifacts["widths"]
    for ax, (hidden, group) in zip(axes[0, 1:], widths.groupby("hidden_layers")):
        layers = sorted(set(group.layer), key=lambda l: (l == "kernel", l))
        colors = dict(zip(layers, sns.color_palette("colorblind", len(layers))))
        for layer in layers:
            g = group[group.layer == layer]
            mean = g.groupby("width").relative_change
            ax.errorbar(
                mean.mean().index,
                mean.mean(),
                yerr=mean.std(),
                marker="o",
                ms=4,
                capsize=2,
                color=colors[layer],
                label=layer_name(layer, hidden),
            )
        w = np.array(sorted(set(group.width)))
        first = group[group.layer == "0"].groupby("width").relative_change.mean()
        ax.plot(w, first.iloc[0] * np.sqrt(w[0] / w), "k:", lw=1, label="∝ 1/√width")
        ax.plot(w, first.iloc[0] * (w[0] / w), "k--", lw=0.8, label="∝ 1/width")
        ax.set(
            xscale="log",
            yscale="log",
            xlabel="width",
            ylabel="relative change after training",
            title=f"(b) {hidden} hidden layer{'s' if hidden > 1 else ''}: how far it moves",
        )
        ax.legend(fontsize="x-small")
    _plot_spectrum(axes[1, 0], artifacts, bars)
    _plot_pl(axes[1, 1], artifacts["pl_curves"])
    alpha = artifacts["alpha"]
    mean = alpha.groupby("alpha").displacement
    ax = axes[1, 2]
    ax.errorbar(mean.mean().index, mean.mean(), yerr=mean.std(), marker="o", ms=4, capsize=2, label="‖θ_T − θ₀‖, mean ± s.d.")
    a = mean.mean().index.to_numpy(float)
    ax.plot(a, mean.mean().iloc[-1] * a[-1] / a, "k:", lw=1, label="∝ 1/α")
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="scale α of the model α(f(θ) − f(θ₀))",
        ylabel="‖θ_T − θ₀‖",
        title="(d) lazy scaling (Chizat et al.)",
    )
    ax.legend(fontsize="x-small")
    fig.suptitle(
        "ReLU networks in the NTK parameterization (weights N(0, 1), 1/√fan-in in the forward pass, bias factor 0.1), full-batch gradient descent on the squared loss",
        fontsize="small",
    )
    return fig


def _plot_circle(ax, circle: dict) -> None:
    import seaborn as sns

    gamma, widths = circle["gamma"], circle["widths"]
    colors = sns.color_palette("colorblind", len(widths))
    for color, width, init, trained in zip(colors, widths, circle["theta_init"], circle["theta_trained"]):
        ax.plot(gamma, init.T, color=color, lw=0.7, alpha=0.7)
        ax.plot(gamma, trained.T, color=color, lw=0.7, alpha=0.7, ls="--")
        ax.plot([], [], color=color, label=f"width {width}: t = 0 (solid), t = {int(circle['steps'])} (dashed)")
    ax.plot(gamma, circle["analytic"], "k", lw=1.5, label="infinite width, t = 0")
    ax.set(
        xlabel="γ, x = (cos γ, sin γ)",
        ylabel="Θ(x₀, x), x₀ = (1, 0)",
        title=f"(a) the tangent kernel, {circle['theta_init'].shape[1]} inits per width (Jacot Fig. 1)",
    )
    ax.legend(fontsize="x-small")


def _plot_spectrum(ax, artifacts: Artifacts, bars: dict) -> None:
    eigen = artifacts["spectrum"]
    n = int(eigen.points.iloc[0])
    ratio = (eigen.lambda_min / eigen.lambda_max).clip(lower=1e-18)
    ax.scatter(eigen.parameters / n, ratio, s=12, alpha=0.6, label="one init")
    ax.axvline(1, color="tab:red", ls="--", lw=1, label="parameters = n")
    ax.axhline(bars["zero_eigenvalue"], color="0.5", ls=":", lw=1, label=f"numerically zero below {bars['zero_eigenvalue']:g}")
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="parameters / training points n",
        ylabel="λ_min / λ_max of Θ₀ (≤ 1e-18 shown at 1e-18)",
        title=f"(c) the kernel's smallest eigenvalue (PL*), n = {n}",
    )
    ax.legend(fontsize="x-small")


def _plot_pl(ax, curves: pd.DataFrame) -> None:
    for seed, g in curves.groupby("seed"):
        ax.plot(g.step, g.loss, color="tab:blue", lw=0.8, alpha=0.7, label="loss (one init)" if seed == curves.seed.min() else None)
        ax.plot(
            g.step, g.bound, color="tab:red", lw=0.8, ls="--", alpha=0.7, label="L₀ (1 − ηλ_min)^t" if seed == curves.seed.min() else None
        )
    ax.set(
        yscale="log",
        xlabel="gradient step t",
        ylabel="training loss",
        title=f"(c) gradient descent under the PL* bound, width {int(curves.width.iloc[0])}",
    )
    ax.legend(fontsize="x-small")


def check(config: dict) -> None:
    """(c) must straddle parameters = n; (b) and (d) train on at most the inputs there are."""
    lt, errors = config[NAME]["compute"], []
    n, d = lt["data"]["points"], lt["data"]["d"]
    parameters = [(d + 2) * w + 1 for w in lt["spectrum"]["widths"]]  # one hidden layer with biases
    if not (min(parameters) < n < max(parameters)):
        errors.append(
            f"{NAME}.compute.spectrum.widths: {lt['spectrum']['widths']} give {min(parameters)}..{max(parameters)} parameters, not on both "
            f"sides of the {n} training points (data.points); allowed: widths from below {(n - 1) // (d + 2)} to above it"
        )
    for key in ("sweep", "alpha"):
        if lt[key]["train_points"] > n:
            errors.append(f"{NAME}.compute.{key}.train_points: {lt[key]['train_points']} > data.points ({n}); allowed: 1 .. {n}")
    require(errors)


FIGURE = Figure(
    name=NAME,
    title="Lazy training: wide networks barely move, their tangent kernel stays fixed",
    sources=(SOURCE_JACOT, SOURCE_LEE, SOURCE_CHIZAT, SOURCE_PL),
    artifacts=lambda config: {
        "circle": FIGURE.result("circle.npz"),
        "widths": FIGURE.result("widths.csv"),
        "spectrum": FIGURE.result("spectrum.csv"),
        "pl_curves": FIGURE.result("pl_curves.csv"),
        "alpha": FIGURE.result("alpha.csv"),
    },
    claims=claims,
    plot=plot,
    check=check,
    analysis={"slopes": "slopes.csv"},
    analyze=analyze,
)
