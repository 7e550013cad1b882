"""Figure ``implicit_bias``: gradient descent on separable data converges to the max-margin
direction, but only logarithmically (Soudry et al. 2018, Theorem 3 and Figure 1).

One row per dataset (the paper's mirror-symmetric support vectors; an asymmetric pair), six
panels: (A) the data, the hard-margin separator (from a QP) and each optimizer's separator at the
last step; (B) ‖w(t)‖ against ln t, whose slope tends to ‖ŵ‖; (C) the summed loss, ∝ 1/t;
(D) the angle gap 1 − cos∠(w, ŵ); (E) the margin gap; (F) the distance to ŵ's direction times
ln t, which levels off at ‖P⊥w̃‖/‖ŵ‖ predicted from the QP's dual (the O(1/ln t) rate).
GD, heavy-ball momentum and Adam, all from w = 0 with the paper's step η = 1/σ_max(X).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dltheory.core.claims import Claim, claim, observation
from dltheory.core.contract import Artifacts, Figure, require

NAME = "implicit_bias"
SOURCE = "Soudry et al. 2018, Theorem 3 and Fig. 1 (JMLR 19; arXiv 1710.10345)"
SOURCE_MOMENTUM = "Soudry et al. 2018, Fig. 1 (GD with momentum, γ = 0.9)"
LABELS = {"gd": "GD", "momentum": "GD + momentum", "adam": "Adam"}
COLORS = {"gd": "tab:blue", "momentum": "tab:orange", "adam": "tab:green"}


def _decade_before(t: np.ndarray) -> int:
    """Index of the recorded step nearest t[-1] / 10."""
    return int(np.argmin(np.abs(np.log(t) - np.log(t[-1] / 10))))


def analyze(artifacts: Artifacts) -> dict[str, pd.DataFrame]:
    """``curves``: per dataset, optimizer and recorded step, ‖w‖, log L, the angle gap, the margin
    gap, the distance to ŵ's direction and distance × ln t. ``rates``: per dataset and optimizer,
    the end-of-run rates the claims test — the log-log slope of L over the last two decades, the
    growth of ‖w‖ per unit of ln t over the last decade (and over ‖ŵ‖), the gaps at the end and a
    decade before, the relative change of distance × ln t over the last decade and the local
    exponent p of distance ∝ (ln t)^−p there, and the theory's limit ‖P⊥w̃‖/‖ŵ‖."""
    from dltheory.science.max_margin import across, angle_gap, direction_distance, margin_gap

    run = artifacts["trajectories"]
    t = run["t"]
    ln_t = np.log(t)
    b = _decade_before(t)
    last_two_decades = t >= t[-1] / 100
    curves, rates = [], []
    for name in run["datasets"]:
        Xy = run[f"{name}_y"][:, None] * run[f"{name}_X"]
        w_hat, limit = run[f"{name}_w_hat"], run[f"{name}_residual_limit"]
        for j, optimizer in enumerate(run["optimizers"]):
            w, log_loss = run[f"{name}_w"][j], run[f"{name}_log_loss"][j]
            norm, distance = np.linalg.norm(w, axis=-1), direction_distance(w, w_hat)
            angle, margin = angle_gap(w, w_hat), margin_gap(w, Xy, w_hat)
            with np.errstate(divide="ignore"):  # ln 1 = 0 at t = 1
                exponent = -np.diff(np.log(distance[[b, -1]])) / np.diff(np.log(ln_t[[b, -1]]))
            curves.append(
                pd.DataFrame(
                    {
                        "dataset": name,
                        "optimizer": optimizer,
                        "t": t,
                        "norm": norm,
                        "log_loss": log_loss,
                        "angle_gap": angle,
                        "margin_gap": margin,
                        "distance": distance,
                        "distance_ln_t": distance * ln_t,
                    }
                )
            )
            rates.append(
                {
                    "dataset": name,
                    "optimizer": optimizer,
                    "steps": int(t[-1]),
                    "step_size": float(run[f"{name}_step_size"]),
                    "step_bound": float(run[f"{name}_step_bound"]),
                    "loss_slope": float(np.polyfit(ln_t[last_two_decades], log_loss[last_two_decades], 1)[0]),
                    "norm_growth": float((norm[-1] - norm[b]) / (ln_t[-1] - ln_t[b])),
                    "w_hat_norm": float(np.linalg.norm(w_hat)),
                    "angle_gap": float(angle[-1]),
                    "angle_gap_decade_before": float(angle[b]),
                    "margin_gap": float(margin[-1]),
                    "distance_ln_t": float(distance[-1] * ln_t[-1]),
                    "distance_ln_t_change": float(distance[-1] * ln_t[-1] / (distance[b] * ln_t[b]) - 1),
                    "rate_exponent": float(exponent[0]),
                    "predicted_distance_ln_t": float(across(limit, w_hat) / np.linalg.norm(w_hat)),
                }
            )
    rates = pd.DataFrame(rates)
    rates["norm_growth_ratio"] = rates.norm_growth / rates.w_hat_norm
    return {"curves": pd.concat(curves, ignore_index=True), "rates": rates}


def claims(artifacts: Artifacts, bars: dict) -> list[Claim]:
    """GD on each dataset: the loss's log-log slope over the last two decades is
    ``loss_slope`` ± ``loss_slope_tolerance``, and ‖w‖ grows per unit of ln t within
    ``norm_growth_tolerance`` of ‖ŵ‖. Symmetric data: GD's angle gap falls over the last decade and
    ends below ``max_angle_gap``, and so does momentum's. Asymmetric data: distance × ln t levels
    off, i.e. the local exponent p of distance ∝ (ln t)^−p over the last decade is within
    ``rate_exponent_tolerance`` of 1 (nearer the theorem's 1/ln t than no decay, p = 0, or
    1/ln² t, p = 2). Observations: momentum's and Adam's rates, and distance × ln t against the
    theory's limit."""
    rates = artifacts["rates"].set_index(["dataset", "optimizer"])
    steps = int(rates.steps.iloc[0])
    slope, slope_tol = bars["loss_slope"], bars["loss_slope_tolerance"]
    growth_tol, max_angle, p_tol = bars["norm_growth_tolerance"], bars["max_angle_gap"], bars["rate_exponent_tolerance"]
    out = []
    for dataset in rates.index.unique("dataset"):
        gd = rates.loc[(dataset, "gd")]
        setup = f"GD, {dataset} data, t ≤ {steps:,}"
        out += [
            claim(
                f"the loss falls like 1/t: log-log slope over the last two decades ({setup})",
                source=SOURCE,
                expected=f"{slope:g} ± {slope_tol:g}",
                measured=f"{gd.loss_slope:.4f}",
                passed=abs(gd.loss_slope - slope) <= slope_tol,
                value=gd.loss_slope,
            ),
            claim(
                f"‖w(t)‖ grows like ‖ŵ‖ ln t: growth per unit of ln t over the last decade / ‖ŵ‖ ({setup})",
                source=SOURCE,
                expected=f"1 ± {growth_tol:g}",
                measured=f"{gd.norm_growth_ratio:.4f} ({gd.norm_growth:.4f} / {gd.w_hat_norm:.4f})",
                passed=abs(gd.norm_growth_ratio - 1) <= growth_tol,
                value=gd.norm_growth_ratio,
            ),
        ]
    if "symmetric" in rates.index.unique("dataset"):
        gd, momentum = rates.loc[("symmetric", "gd")], rates.loc[("symmetric", "momentum")]
        out += [
            claim(
                f"the direction converges to ŵ: angle gap 1 − cos∠(w, ŵ) falls over the last decade and ends small (GD, symmetric data, t = {steps:,})",
                source=SOURCE,
                expected=f"falls, ends < {max_angle:g}",
                measured=f"{gd.angle_gap_decade_before:.2e} → {gd.angle_gap:.2e}",
                passed=gd.angle_gap < gd.angle_gap_decade_before and gd.angle_gap < max_angle,
                value=gd.angle_gap,
            ),
            claim(
                f"momentum ends in the same direction: angle gap (GD + momentum γ = 0.9, symmetric data, t = {steps:,})",
                source=SOURCE_MOMENTUM,
                expected=f"< {max_angle:g}",
                measured=f"{momentum.angle_gap:.2e}; ‖w‖ grew {momentum.norm_growth:.2g} per unit of ln t over the last decade "
                f"(GD: {gd.norm_growth:.3f}), loss slope {momentum.loss_slope:.3f}",
                passed=momentum.angle_gap < max_angle,
                value=momentum.angle_gap,
            ),
        ]
    if "asymmetric" in rates.index.unique("dataset"):
        gd = rates.loc[("asymmetric", "gd")]
        out += [
            claim(
                "distance ‖w/‖w‖ − ŵ/‖ŵ‖‖ × ln t levels off (the O(1/ln t) rate): exponent p of distance ∝ (ln t)^−p "
                f"over the last decade (GD, asymmetric data, t = {steps:,})",
                source=SOURCE,
                expected=f"|p − 1| < {p_tol:g}",
                measured=f"p = {gd.rate_exponent:.2f}; distance × ln t changed {gd.distance_ln_t_change:+.1%} over the last decade, "
                f"to {gd.distance_ln_t:.4f}",
                passed=abs(gd.rate_exponent - 1) < p_tol,
                value=gd.rate_exponent,
            ),
            observation(
                f"distance × ln t against its limit ‖P⊥w̃‖/‖ŵ‖, w̃ from the QP's dual (GD, asymmetric data, t = {steps:,})",
                source=SOURCE,
                expected="Theorem 3: w(t) − ŵ ln t → w̃",
                measured=f"{gd.distance_ln_t:.4f} vs {gd.predicted_distance_ln_t:.4f} ({gd.distance_ln_t / gd.predicted_distance_ln_t:.1%})",
                value=gd.distance_ln_t / gd.predicted_distance_ln_t,
            ),
        ]
    adam = rates.xs("adam", level="optimizer")
    out.append(
        observation(
            f"Adam (a contrast; the paper's appendix: adaptive methods need not find ŵ): angle gap and loss slope at t = {steps:,}",
            source=SOURCE,
            expected="no claim",
            measured="; ".join(f"{d}: {r.angle_gap:.1e}, slope {r.loss_slope:.2f}" for d, r in adam.iterrows()),
            value=float(adam.angle_gap.max()),
        )
    )
    return out


def plot(artifacts: Artifacts, bars: dict):
    """Rows: datasets; columns (A)–(F), see the module docstring."""
    import matplotlib.pyplot as plt

    from dltheory.core.plotting import setup_style

    setup_style()
    run, curves, rates = artifacts["trajectories"], artifacts["curves"], artifacts["rates"]
    names = list(run["datasets"])
    fig, axes = plt.subplots(len(names), 6, figsize=(24, 4.2 * len(names)), constrained_layout=True, squeeze=False)
    for row, name in zip(axes, names):
        X, y, w_hat = run[f"{name}_X"], run[f"{name}_y"], run[f"{name}_w_hat"]
        data = curves[curves.dataset == name]
        _data_panel(row[0], X, y, w_hat, {o: run[f"{name}_w"][j, -1] for j, o in enumerate(run["optimizers"])}, name)
        for optimizer, c in data.groupby("optimizer", sort=False):
            style = dict(color=COLORS[optimizer], label=LABELS[optimizer], lw=1.6)
            row[1].plot(c.t, c.norm, **style)
            row[2].loglog(c.t, np.exp(c.log_loss), **style)
            row[3].loglog(c.t, c.angle_gap.where(c.angle_gap > 0), **style)
            row[4].loglog(c.t, c.margin_gap.where(c.margin_gap > 0), **style)
            row[5].semilogx(c.t, c.distance_ln_t, **style)
        gd = data[data.optimizer == "gd"]
        t_end, norm_end, w_norm = gd.t.iloc[-1], gd.norm.iloc[-1], np.linalg.norm(w_hat)
        row[1].semilogx(gd.t, norm_end + w_norm * np.log(gd.t / t_end), "k:", lw=1, label="slope ‖ŵ‖ per unit of ln t")
        loss_end = np.exp(gd.log_loss.iloc[-1])
        row[2].loglog(gd.t, loss_end * t_end / gd.t, "k:", lw=1, label="∝ 1/t")
        predicted = rates[(rates.dataset == name) & (rates.optimizer == "gd")].predicted_distance_ln_t.iloc[0]
        if predicted > 1e-9 * w_norm:
            row[5].axhline(predicted, color="k", ls=":", lw=1, label=f"limit ‖P⊥w̃‖/‖ŵ‖ = {predicted:.3f}")
        else:
            row[5].plot([], [], " ", label="limit 0: w̃ ∥ ŵ (faster than 1/ln t)")
        row[5].set_yscale("log")
        row[3].axhline(bars["max_angle_gap"], color="0.5", ls="--", lw=0.8, label=f"claim bar {bars['max_angle_gap']:g}")
        titles = [
            "(B) ‖w(t)‖, slope → ‖ŵ‖ per ln t",
            "(C) loss L(w(t)) ∝ 1/t",
            "(D) angle gap 1 − cos∠(w, ŵ)",
            "(E) margin gap 1 − ‖ŵ‖·margin(w)",
            "(F) ‖w/‖w‖ − ŵ/‖ŵ‖‖ · ln t",
        ]
        for ax, title in zip(row[1:], titles):
            ax.set(title=title, xlabel="step t")
            ax.legend(fontsize="x-small")
        row[1].set_xscale("log")
        eta, bound = rates[rates.dataset == name].step_size.iloc[0], rates[rates.dataset == name].step_bound.iloc[0]
        row[1].set_ylabel(f"{name}: η = {eta:.3f}, bound 8/σ_max² = {bound:.3f}", fontsize="small")
    fig.suptitle(
        "Logistic loss summed over the samples, no bias, from w = 0; GD, heavy-ball momentum (γ = 0.9) and Adam; ŵ: hard-margin SVM (QP)",
        fontsize="small",
    )
    return fig


def _data_panel(ax, X, y, w_hat, finals: dict, name: str) -> None:
    """(A): the points (support vectors ringed), the max-margin separator and its margins, and the
    separator of each optimizer's last w."""
    support = np.abs((y[:, None] * X) @ w_hat - 1) < 1e-6
    for label, marker in ((1, "+"), (-1, "o")):
        points = X[y == label]
        ax.scatter(
            points[:, 0], points[:, 1], marker=marker, s=60, c="k" if label == 1 else "none", edgecolors="k", label=f"y = {label:+d}"
        )
    ax.scatter(X[support, 0], X[support, 1], s=220, facecolors="none", edgecolors="tab:red", lw=1, label="support vectors")
    extent = np.abs(X).max() * 1.15
    direction = np.array([-w_hat[1], w_hat[0]]) / np.linalg.norm(w_hat)
    line = np.linspace(-extent, extent, 2)[:, None] * direction
    ax.plot(*line.T, "k", lw=1.5, label="max-margin separator (QP)")
    for side in (1, -1):
        offset = side * w_hat / np.linalg.norm(w_hat) ** 2
        ax.plot(*(line + offset).T, "k:", lw=0.8)
    for optimizer, w in finals.items():
        d = np.array([-w[1], w[0]]) / np.linalg.norm(w)
        ax.plot(
            *(np.linspace(-extent, extent, 2)[:, None] * d).T,
            ls="--",
            color=COLORS[optimizer],
            lw=1,
            label=f"{LABELS[optimizer]}, last step",
        )
    ax.set(xlim=(-extent, extent), ylim=(-extent, extent), aspect="equal", title=f"(A) {name} data")
    ax.legend(fontsize="xx-small", loc="upper left")


def check(config: dict) -> None:
    """Each dataset must be separable through the origin, its margin range increasing."""
    from dltheory.science.max_margin import NotSeparable, mirrored_dataset

    errors = []
    for name, ds in config[NAME]["compute"]["datasets"].items():
        key = f"{NAME}.compute.datasets.{name}"
        low, high = ds["margin"]
        if low > high:
            errors.append(f"{key}.margin: {ds['margin']} is not a range; allowed: [low, high] with 1 < low <= high")
            continue
        try:
            mirrored_dataset(ds["support_vectors"], ds["extra_per_class"], ds["margin"], ds["spread"], ds["seed"])
        except NotSeparable:
            errors.append(
                f"{key}.support_vectors: {ds['support_vectors']} (label +1) and their mirror images (label -1) are not linearly "
                "separable by a line through the origin, so the loss has no separating direction to converge to; allowed: "
                "points that some w separates, w·x > 0 for every support vector"
            )
    require(errors)


# ------------------------------------------------------------------------------------------
# Cost of the compute jobs (python -m dltheory plan). Imports inside the functions: the claims and
# plot jobs import this module, and their code digest follows module-level imports only.


def _train_flops(spec: dict) -> float:
    """FLOPs of ``implicit_bias_train``: per step, for D datasets of at most n points in d = 2
    dimensions and the 3 optimizers, the margins and the gradient (2 × 2 D 3 n d), the sigmoid
    (D 3 n F_T) and the updates (D d (30 + 2 F_T), Adam's square roots included). A NumPy step on
    these few numbers costs its Python loop (~15 µs) more than its FLOPs: the probe measures that."""
    from dltheory.core.cost import F_TRANSCENDENTAL as F_T

    datasets = spec["datasets"].values()
    D, d = len(spec["datasets"]), 2
    n = max(len(ds["support_vectors"]) * 2 + 2 * ds["extra_per_class"] for ds in datasets)
    return spec["steps"] * (4 * D * 3 * n * d + D * 3 * n * F_T + D * d * (30 + 2 * F_T))


def _train_memory(spec: dict) -> float:
    """Bytes: the recorded iterates [D, 3, R, 2] float64 (R records), and the padded data."""
    from dltheory.science.max_margin import step_grid

    records = len(step_grid(spec["steps"], spec["records_per_decade"]))
    return len(spec["datasets"]) * 3 * records * 2 * 8 * 2


def _train_inputs(spec: dict):
    """The arguments of :func:`dltheory.science.max_margin.train` but the record: y x per dataset, η."""
    from dltheory.science.max_margin import mirrored_dataset, step_size

    data = [
        mirrored_dataset(ds["support_vectors"], ds["extra_per_class"], ds["margin"], ds["spread"], ds["seed"])
        for ds in spec["datasets"].values()
    ]
    return [y[:, None] * X for X, y in data], [step_size(spec["step_size"], X) for X, _ in data]


def jobs(config: dict) -> list:
    """``implicit_bias_train``, probed on at most 20,000 steps of the three optimizers on every
    dataset (the data and step sizes are set up outside the timer; the max-margin QPs take milliseconds)."""
    from dltheory.core.contract import Job
    from dltheory.core.cost import reduced, timed
    from dltheory.science.max_margin import step_grid, train

    spec = config[NAME]["compute"]
    probe_spec = reduced(spec, steps=min(spec["steps"], 20000))

    def probe() -> float:
        Xys, etas = _train_inputs(probe_spec)
        record = step_grid(probe_spec["steps"], probe_spec["records_per_decade"])
        adam = spec["adam"]
        return timed(lambda: train(Xys, etas, record, spec["momentum"], (adam["beta1"], adam["beta2"]), adam["eps"]))

    flops = _train_flops(spec)
    return [Job(f"{NAME}_train", "", flops, _train_memory(spec), probe, flops / _train_flops(probe_spec))]


FIGURE = Figure(
    name=NAME,
    title="Gradient descent on separable data converges to the max-margin direction, logarithmically",
    sources=(SOURCE,),
    artifacts=lambda config: {"trajectories": FIGURE.result("trajectories.npz")},
    claims=claims,
    plot=plot,
    check=check,
    analysis={"curves": "curves.csv", "rates": "rates.csv"},
    analyze=analyze,
    jobs=jobs,
)
