"""implicit_bias's analysis and claims: the curves and end-of-run rates of each optimizer, judged against the bars.

Every claim is deterministic: gradient descent (and momentum) from w = 0 on fixed data, no
random initialization and no replicates, so each rate is one number judged against its
tolerance (``value`` and ``bar``: the scorecard shows its margin), never on an interval."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dltheory.core.claims import Claim, claim, observation
from dltheory.core.contract import Artifacts
from dltheory.core.uncertainty import below, near
from dltheory.figures.implicit_bias import SOURCE
from dltheory.science.max_margin import across, angle_gap, direction_distance, margin_gap

SOURCE_MOMENTUM = "Soudry et al. 2018, Fig. 1 (GD with momentum, γ = 0.9)"


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
                value=gd.loss_slope,
                bar=near(slope, slope_tol),
            ),
            claim(
                f"‖w(t)‖ grows like ‖ŵ‖ ln t: growth per unit of ln t over the last decade / ‖ŵ‖ ({setup})",
                source=SOURCE,
                expected=f"1 ± {growth_tol:g}",
                measured=f"{gd.norm_growth_ratio:.4f} ({gd.norm_growth:.4f} / {gd.w_hat_norm:.4f})",
                value=gd.norm_growth_ratio,
                bar=near(1.0, growth_tol),
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
                value=gd.angle_gap,
                # "falls and ends small" is one region: below the gap a decade before and below the bar
                bar=below(min(gd.angle_gap_decade_before, max_angle)),
            ),
            claim(
                f"momentum ends in the same direction: angle gap (GD + momentum γ = 0.9, symmetric data, t = {steps:,})",
                source=SOURCE_MOMENTUM,
                expected=f"< {max_angle:g}",
                measured=f"{momentum.angle_gap:.2e}; ‖w‖ grew {momentum.norm_growth:.2g} per unit of ln t over the last decade "
                f"(GD: {gd.norm_growth:.3f}), loss slope {momentum.loss_slope:.3f}",
                value=momentum.angle_gap,
                bar=below(max_angle),
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
                value=gd.rate_exponent,
                bar=near(1.0, p_tol),
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
