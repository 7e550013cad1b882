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

from dltheory.core.claims import Claim, claim, observation
from dltheory.core.contract import Artifacts, Figure, require

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


def plot(artifacts: Artifacts, bars: dict):
    """Panels (a)–(d); see the module docstring."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    from dltheory.core.plotting import setup_style

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


# ------------------------------------------------------------------------------------------
# Cost of the compute jobs (python -m dltheory plan). Imports inside the functions: the claims and
# plot jobs import this module, and their code digest follows module-level imports only.

PROBE_BYTES = 256e6  # parameters of a probe's nets: beyond the caches, as the job's are


def _weights(n_in: int, width: int, hidden_layers: int) -> int:
    """Weights and biases of an NTK net [n_in, width × hidden_layers, 1]."""
    return n_in * width + (hidden_layers - 1) * width * width + width + hidden_layers * width + 1


def _net_flops(weights: int, members: int, points: int, steps: float, kernel_points: int, kernels: int) -> float:
    """FLOPs of drawing E = ``members`` nets of P = ``weights`` parameters (E P F_NORMAL), of
    ``kernels`` tangent kernels on ``kernel_points`` inputs (forward and backward, 4 E n P each),
    and of gradient descent on ``points`` inputs, E P (6 p + 2) per step."""
    from dltheory.core.cost import F_NORMAL

    return members * weights * (F_NORMAL + kernels * 4 * kernel_points + steps * (6 * points + 2))


def _circle_flops(spec: dict) -> float:
    """FLOPs of ``lazy_training_circle``: per width, the seeds' nets (:func:`_net_flops`), two
    kernels on the 1 + G circle points, ``steps`` of gradient descent on the training points."""
    return sum(
        _net_flops(_weights(2, w, spec["hidden_layers"]), spec["seeds"], spec["train_points"], spec["steps"], 1 + spec["angles"], 2)
        for w in spec["widths"]
    )


def _circle_memory(spec: dict) -> float:
    """Bytes: for the widest nets, parameters and gradients, or the per-seed draws beside their
    stack (2 E P each), in the config's dtype."""
    from dltheory.core.cost import BYTES

    return 2 * spec["seeds"] * _weights(2, max(spec["widths"]), spec["hidden_layers"]) * BYTES[spec["dtype"]]


def _circle_run(spec: dict, device: str) -> None:
    from dltheory.core.cost import seeds_of
    from dltheory.core.device import DTYPES
    from dltheory.science.tangent_kernel import circle_kernels

    circle_kernels(
        spec["widths"], spec["hidden_layers"], seeds_of(spec), spec["train_points"], spec["steps"], spec["lr"], spec["angles"],
        spec["data_seed"], DTYPES[spec["dtype"]], device,
    )  # fmt: skip


def _steps_to_target(spec: dict, hidden_layers: int) -> float:
    """Steps of gradient descent until the loss is ``target_loss_ratio`` × its start, predicted by
    the infinite-width kernel Θ on the training inputs (:func:`dltheory.science.tangent_kernel.relu_ntk`): with the
    step 1/λ_max(Θ/n) the residual's part along eigenvector i shrinks by (1 − λ_i/λ_max) per step,
    taking the residual at the start to be the targets' (the nets' initial outputs ignored). In
    the lazy regime this count does not depend on the width; at most ``max_steps``."""
    from dltheory.science.tangent_kernel import relu_ntk, sphere_points

    data, sweep = spec["data"], spec["sweep"]
    x, y = (a[: sweep["train_points"]].numpy() for a in sphere_points(data["points"], data["d"], data["seed"]))
    eigenvalues, vectors = np.linalg.eigh(relu_ntk(x, x, hidden_layers))
    weights = (vectors.T @ y) ** 2
    decay = np.clip(1 - eigenvalues / eigenvalues[-1], 0.0, 1.0) ** 2
    for step in range(sweep["max_steps"] + 1):
        if weights @ decay**step <= sweep["target_loss_ratio"] * weights.sum():
            return step
    return sweep["max_steps"]


def _sweeps_flops(spec: dict) -> float:
    """FLOPs of ``lazy_training_sweeps`` (:func:`_net_flops` for each part): (b) per depth and
    width, the seeds' nets, two kernels on the p training inputs and :func:`_steps_to_target`
    steps; (c) one hidden layer of each width, a kernel on all n inputs (and its eigenvalues,
    10 n³ per seed), then ``steps`` at ``train_width``; (d) per α, a kernel and ``steps``."""
    data, sweep, pl, lazy = spec["data"], spec["sweep"], spec["spectrum"], spec["alpha"]
    d, n = data["d"], data["points"]
    total = 0.0
    for depth in sweep["depths"]:
        steps = spec["steps_to_target"][depth["hidden_layers"]]
        for w in depth["widths"]:
            p = sweep["train_points"]
            total += _net_flops(_weights(d, w, depth["hidden_layers"]), sweep["seeds"], p, steps, p, 3) + 10 * sweep["seeds"] * p**3
    total += sum(_net_flops(_weights(d, w, 1), pl["seeds"], n, 0, n, 1) + 10 * pl["seeds"] * n**3 for w in pl["widths"])
    total += _net_flops(_weights(d, pl["train_width"], 1), pl["seeds"], n, pl["steps"], n, 1)
    total += len(lazy["alphas"]) * _net_flops(
        _weights(d, lazy["width"], 1), lazy["seeds"], lazy["train_points"], lazy["steps"], lazy["train_points"], 1
    )
    return total


def _sweeps_memory(spec: dict) -> float:
    """Bytes: the widest nets of the width sweep, float64: parameters, their copy before training,
    gradients, and the draws beside their stack (4 E P × 8)."""
    d, sweep = spec["data"]["d"], spec["sweep"]
    largest = max(_weights(d, max(depth["widths"]), depth["hidden_layers"]) for depth in sweep["depths"])
    return 4 * sweep["seeds"] * largest * 8


def _sweeps_run(spec: dict, device: str) -> None:
    from dltheory.core.cost import seeds_of
    from dltheory.science.tangent_kernel import alpha_sweep, kernel_spectrum, pl_curves, sphere_points, width_sweep

    data, sweep, pl, lazy = spec["data"], spec["sweep"], spec["spectrum"], spec["alpha"]
    x, y = sphere_points(data["points"], data["d"], data["seed"])
    p = sweep["train_points"]
    for depth in sweep["depths"]:
        steps = spec["steps_to_target"][depth["hidden_layers"]]
        width_sweep(depth["hidden_layers"], depth["widths"], x[:p], y[:p], seeds_of(sweep), sweep["target_loss_ratio"], steps, device)
    kernel_spectrum(pl["widths"], x, seeds_of(pl), device)
    pl_curves(pl["train_width"], x, y, seeds_of(pl), pl["steps"], device)
    alpha_sweep(lazy["alphas"], lazy["width"], x[: lazy["train_points"]], y[: lazy["train_points"]], seeds_of(lazy), lazy["steps"], device)


def _probe_nets(n_in: int, widths: list[int], hidden_layers: int, seeds: int, itemsize: int) -> tuple[int, int]:
    """(width, seeds) of a probe: the widest width and as many seeds as fit :data:`PROBE_BYTES` of
    parameters (at least one seed; narrower when one net alone does not fit). A step on these
    few inputs streams every weight from memory, so a probe must not shrink into the caches."""
    width = max(widths)
    while width > 64 and _weights(n_in, width, hidden_layers) * itemsize > PROBE_BYTES:
        width = int(width * 0.9)
    return width, max(1, min(seeds, int(PROBE_BYTES // (_weights(n_in, width, hidden_layers) * itemsize))))


def jobs(config: dict) -> list:
    """``lazy_training_circle``, probed on its widest nets (:func:`_probe_nets`) for 5 steps less
    1 (the marginal time of 4 steps); ``lazy_training_sweeps`` likewise: the widest nets of each
    depth, the spectrum and the α sweep (one α), 3 steps less 1 of every training. The width
    sweep's step counts come from :func:`_steps_to_target` (its FLOPs are an estimate where
    members stop early)."""
    from dltheory.core.cost import BYTES, reduced, sliced
    from dltheory.core.device import resolve_device

    c, device = config[NAME]["compute"], resolve_device(config["device"])
    circle = c["circle"]
    width, seeds = _probe_nets(2, circle["widths"], circle["hidden_layers"], circle["seeds"], BYTES[circle["dtype"]])
    circle_probe = reduced(circle, widths=[width], seeds=seeds, steps=min(circle["steps"], 5))
    sweeps = {k: v for k, v in c.items() if k != "circle"}
    sweeps["steps_to_target"] = {
        depth["hidden_layers"]: _steps_to_target(sweeps, depth["hidden_layers"]) for depth in sweeps["sweep"]["depths"]
    }
    d, sweep = c["data"]["d"], c["sweep"]
    probe_depths = [_probe_nets(d, depth["widths"], depth["hidden_layers"], sweep["seeds"], 8) for depth in sweep["depths"]]
    sweeps_probe = reduced(
        sweeps,
        sweep__seeds=min(seeds for _, seeds in probe_depths),
        sweep__depths=[{**depth, "widths": [width]} for depth, (width, _) in zip(sweep["depths"], probe_depths)],
        steps_to_target={k: min(v, 3) for k, v in sweeps["steps_to_target"].items()},
        spectrum__widths=[max(c["spectrum"]["widths"])],
        spectrum__steps=3,
        alpha__alphas=c["alpha"]["alphas"][:1],
        alpha__steps=3,
    )
    return [
        sliced(
            f"{NAME}_circle", "", circle, circle_probe, _circle_flops, _circle_memory, lambda s: _circle_run(s, device),
            baseline_spec=reduced(circle_probe, steps=1),
        ),
        sliced(
            f"{NAME}_sweeps", "", sweeps, sweeps_probe, _sweeps_flops, _sweeps_memory, lambda s: _sweeps_run(s, device),
            baseline_spec=reduced(
                sweeps_probe, steps_to_target={k: min(v, 1) for k, v in sweeps["steps_to_target"].items()}, spectrum__steps=1, alpha__steps=1
            ),
        ),
    ]  # fmt: skip


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
    jobs=jobs,
)
