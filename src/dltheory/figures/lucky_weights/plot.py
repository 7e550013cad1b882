"""lucky_weights' figure: the deep run per layer, luck, convergence, fan-out, the lottery tickets, the two-layer students."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from dltheory.core.contract import Artifacts
from dltheory.core.plotting import setup_style
from dltheory.figures.lucky_weights.claims import firing_winners, layer_keys, summary
from dltheory.science.teacher_student import MATCH


def plot(artifacts: Artifacts, bars: dict):
    """Row 1 (a), the deep run per layer: every teacher node's best student correlation over
    training. Row 2, deep: (b) the winners' initial ranks, (b) steps to match vs initial
    correlation, fan-out vs match (no paper claim), (d) the lottery tickets. Row 3, two-layer (c):
    the L shape, fan-out norms over training, the winners' initial ranks, teacher fan-out vs the
    steps until it is specialized."""

    setup_style()
    s = summary(artifacts, bars)
    correlations = artifacts["correlations"]
    layers = layer_keys(correlations)
    colors = sns.color_palette("colorblind", max(len(layers), 4))
    columns = max(4, len(layers))
    fig, axes = plt.subplots(3, columns, figsize=(4.3 * columns, 12.6), constrained_layout=True)
    deep_progress(axes[0], correlations, colors)
    for ax in axes[0, len(layers) :]:
        ax.set_visible(False)
    luck_panel(
        axes[1, 0],
        artifacts["winners"],
        "layer",
        colors,
        bars["max_rank_fraction"],
        "(b) deep, luck: each teacher node's final winner,\nranked at init among all students",
    )
    convergence_panel(axes[1, 1], artifacts["nodes"], s["deep"]["spearman"], colors)
    l_shape_panel(axes[1, 2], artifacts["nodes"], "layer", colors)
    axes[1, 2].set_title("deep: fan-out against match (comparison only:\nthe papers' fan-out claim is two-layer)")
    lottery_panel(axes[1, 3], artifacts["lottery"], s["lottery"])
    two_layer = artifacts["two_layer_nodes"]
    l_shape_panel(axes[2, 0], two_layer, "multiplier", colors)
    ratios = ", ".join(f"x{m}: {t['fan_out_unmatched'] / t['fan_out_matched']:.3f}" for m, t in s["two_layer"].items())
    axes[2, 0].set_title(f"(c) two-layer: fan-out against match, the L shape\n(mean norm, unmatched / matched: {ratios})")
    fan_out_panel(axes[2, 1], artifacts, colors)
    luck_panel(
        axes[2, 2],
        artifacts["two_layer_winners"],
        "multiplier",
        colors,
        bars["max_two_layer_rank_fraction"],
        "(c) two-layer, luck: each teacher node's final\nwinner, ranked at init among all students",
    )
    specialization_panel(axes[2, 3], artifacts["two_layer_winners"], s["two_layer"], colors)
    return fig


def deep_progress(axes, correlations: dict, colors) -> None:
    """(a): per layer, each teacher node's best student correlation over training."""
    x = correlations["steps"] + 1  # log axis: step 0 (the initialization) sits at 1
    for l, key in enumerate(layer_keys(correlations)):
        ax, corr = axes[l], correlations[key]  # [K, E, S, T]
        best = corr.max(axis=2)  # [K, E, T]
        ax.plot(x, best[:, 0], color=colors[l], lw=0.7, alpha=0.6)
        ax.plot(x, best.mean(axis=(1, 2)), color="k", lw=2, label=f"mean of {best.shape[1]} seeds × {best.shape[2]} nodes")
        ax.axhline(MATCH, color="0.4", ls=":", lw=1)
        _, _, n_s, n_t = corr.shape
        ax.set(xscale="log", ylim=(min(0.0, best.min()), 1.02), xlabel="SGD step + 1", ylabel="best student correlation")
        ax.set_title(
            f"(a) deep, layer {l + 1}: {n_t} teacher nodes, {n_s} students\n(thin: each teacher node of seed {int(correlations['seeds'][0])})"
        )
        ax.legend(loc="lower right", fontsize="x-small")


def luck_panel(ax, winners: pd.DataFrame, by: str, colors, bar: float, title: str) -> None:
    """Each teacher node's winner's initial rank / student width, per ``by`` (layer or multiplier),
    over the teacher nodes that fire (as the luck rows)."""
    winners = firing_winners(winners)
    fraction = winners.initial_rank / winners.students
    jitter = np.random.default_rng(0).uniform(-0.25, 0.25, len(winners))  # seeded: a rebuild draws the same figure
    groups = list(fraction.groupby(winners[by]))
    for i, (_, group) in enumerate(groups):
        ax.scatter(i + jitter[: len(group)], group, s=10, color=colors[i % len(colors)])
    ax.plot(range(len(groups)), [g.mean() for _, g in groups], "k_", ms=22, mew=2.5, label="mean")
    ax.axhline(0.5, color="0.4", ls="--", lw=1, label="chance (random rank)")
    ax.axhline(bar, color="C3", ls=":", lw=1.2, label=f"{bar:.0%} of the width (the claim's bar)")
    labels = [f"x{k}" if by == "multiplier" else str(k) for k, _ in groups]
    ax.set(ylim=(0, 1), xticks=range(len(groups)), xticklabels=labels, xlabel=by, ylabel="initial rank of the final winner / student width")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize="x-small")


def convergence_panel(ax, nodes: pd.DataFrame, rho: dict, colors) -> None:
    """(b): steps until each student reaches 0.95 with its final best teacher node, against its initial correlation."""
    never = 1.6 * np.nanmax(nodes.steps_to_match) if nodes.steps_to_match.notna().any() else 1.0
    for l, (layer, group) in enumerate(nodes.groupby("layer")):
        y = group.steps_to_match.fillna(never)
        ax.scatter(group.initial_corr, y, s=5, alpha=0.5, color=colors[l], label=f"layer {layer}: ρ = {rho[layer]:.2f}")
    ax.axhline(never, color="0.6", lw=0.5)
    ax.text(ax.get_xlim()[0], never, " never reached 0.95", va="bottom", fontsize="x-small", color="0.3")
    ax.set(yscale="log", xlabel="initial correlation with its final best teacher node", ylabel="steps until correlation ≥ 0.95")
    ax.set_title("(b) deep: lucky students converge first\n(Spearman ρ per layer)")
    ax.legend(loc="lower left", fontsize="x-small", markerscale=2)


def l_shape_panel(ax, nodes: pd.DataFrame, by: str, colors) -> None:
    """Each student's final best correlation against its final fan-out norm, per ``by``."""
    for i, (key, group) in enumerate(nodes.groupby(by)):
        label = f"x{key}" if by == "multiplier" else f"layer {key}"
        ax.scatter(group.final_corr, group.fan_out_norm, s=6, alpha=0.6, color=colors[i % len(colors)], label=label)
    ax.axvline(MATCH, color="0.4", ls=":", lw=1)
    ax.set(xlabel="final best correlation with a teacher node", ylabel="fan-out weight norm (end of training)")
    ax.legend(loc="upper left", fontsize="x-small", markerscale=2)


def fan_out_panel(ax, artifacts: Artifacts, colors) -> None:
    """(c): fan-out norms over training, two-layer: each unmatched student (thin) and the group means."""
    series = artifacts["two_layer_fan_out"]
    nodes = artifacts["two_layer_nodes"]
    for i, (m, group) in enumerate(series.groupby("multiplier")):
        run = artifacts[f"two_layer_x{m}"]
        unmatched = ~nodes[nodes.multiplier == m].matched.to_numpy().reshape(run["fan_out"].shape[1:])  # [E, S]
        x = group.step + 1
        ax.plot(run["steps"] + 1, run["fan_out"][:, unmatched], color=colors[i], lw=0.5, alpha=0.4)
        ax.plot(x, group.matched, color=colors[i], lw=2.2, label=f"x{m}: matched ({group.matched_students.iloc[0]}), mean")
        ax.plot(
            x,
            group.unmatched,
            color=colors[i],
            lw=2.2,
            ls="--",
            label=f"x{m}: unmatched ({group.unmatched_students.iloc[0]}), mean; thin: each",
        )
    ax.set(xscale="log", xlabel="SGD step + 1", ylabel="fan-out weight norm")
    ax.set_title("(c) two-layer: fan-out norms over training\n(students grouped by their match at the end)")
    ax.legend(loc="upper left", fontsize="x-small")


def specialization_panel(ax, winners: pd.DataFrame, s: dict, colors) -> None:
    """Observation (ICML 2020): teacher fan-out norm against the first step some student reaches 0.95."""
    never = 1.6 * np.nanmax(winners.steps_to_match) if winners.steps_to_match.notna().any() else 1.0
    for i, (m, group) in enumerate(winners.groupby("multiplier")):
        ax.scatter(
            group.teacher_fan_out,
            group.steps_to_match.fillna(never),
            s=12,
            alpha=0.7,
            color=colors[i],
            label=f"x{m}: ρ = {s[m]['fan_out_first']:.2f}",
        )
    if winners.steps_to_match.isna().any():
        ax.axhline(never, color="0.6", lw=0.5)
        ax.text(ax.get_xlim()[0], never, " never reached 0.95", va="bottom", fontsize="x-small", color="0.3")
    ax.set(yscale="log", xlabel="teacher node's fan-out norm", ylabel="steps until a student reaches 0.95")
    ax.set_title("two-layer: strong teacher nodes specialized first?\n(observation; every seed's teacher nodes)")
    ax.legend(loc="upper right", fontsize="x-small")


def lottery_panel(ax, lottery: pd.DataFrame, s: dict) -> None:
    """(d): the tickets' fraction of teacher nodes recovered over training, original init vs re-init."""
    recovered = lottery.groupby(["init", "seed", "step"]).recovered.mean()  # over layers, weighted equally
    for arm, color in (("original", "C0"), ("reinit", "C3")):
        per_seed = recovered.loc[arm].unstack("seed")
        ax.plot(per_seed.index + 1, per_seed.to_numpy(), color=color, lw=0.6, alpha=0.5)
        ax.plot(per_seed.index + 1, per_seed.mean(axis=1), color=color, lw=2, label=f"{arm}: final {s['recovered'][arm]:.0%}")
    ax.set(xscale="log", ylim=(0, 1), xlabel="SGD step + 1", ylabel="teacher nodes recovered (corr ≥ 0.95)")
    ax.set_title("(d) lottery ticket (our protocol): top fan-out\nnodes, original init vs re-init")
    ax.legend(loc="upper left", fontsize="x-small")
