"""Figure ``lucky_weights``: lucky student nodes converge first (Tian et al. 2019, "Luck Matters").

From one batched teacher-student training (:mod:`dltheory.teacher_student`), per hidden layer:

(a) for each teacher node, its best student's correlation over training;
(b) luck: the *initial* correlation rank of each teacher node's *final* best student (its winner),
    and, for every student node, the steps until its correlation with its final best teacher
    reaches 0.95 against its initial correlation;
(c) winner-take-all: a student's final best correlation against its fan-out norm (an L shape:
    only matched students keep large fan-out weights);
(d) lottery ticket, our protocol: keep the top-k students of each layer by fan-out norm, cut that
    sub-network out and train it from the original initial weights and from a fresh draw of the
    same distribution; the original initialization should recover the teacher faster and more often.

Definitions (ours where the paper gives none):

* A student node is *matched* when its final correlation with its best teacher node is ≥ 0.95
  (:data:`MATCH`); ``steps_to_match`` is the first observation step at which it reached 0.95 with
  that teacher node (NaN: never).
* A teacher node's *winner* is the student of largest final correlation with it; its initial rank
  is its place (1 = best) among all students of the layer by initial correlation with that
  teacher node. Chance is (S + 1)/2 for S students.
* Fan-out norm: the norm of a node's outgoing weights (its row in the next layer's W), at the end.
* A teacher node is *recovered* by a ticket when some student reaches correlation ≥ 0.95 with it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..claims import Claim
from ..contract import Artifacts, Figure, require
from ..teacher_student import MATCH, fan_out_norms, unstack_params

NAME = "lucky_weights"
SOURCE = "Tian et al. 2019 (arXiv 1905.13405)"


def layer_keys(correlations: dict) -> list[str]:
    """``corr_layer1``, ``corr_layer2``, ... of ``correlations.npz`` in layer order (not string order)."""
    return sorted((k for k in correlations if k.startswith("corr_layer")), key=lambda k: int(k.removeprefix("corr_layer")))


def steps_to_reach(steps: np.ndarray, series: np.ndarray, level: float) -> np.ndarray:
    """First step at which ``series`` [K, ...] reaches ``level``, per trailing index; NaN where never."""
    reached = series >= level
    first = np.argmax(reached, axis=0)
    return np.where(reached.any(axis=0), steps[first].astype(float), np.nan)


def initial_ranks(initial: np.ndarray) -> np.ndarray:
    """[E, S, T]: each student's rank (1 = highest) by initial correlation with each teacher node."""
    return stats.rankdata(-initial, axis=1, method="min").astype(int)


def node_table(steps: np.ndarray, corr: list[np.ndarray], fan_out: list[np.ndarray], seeds) -> pd.DataFrame:
    """One row per student node (``nodes.csv``).

    Args:
      steps: [K] observation steps, ``steps[0] == 0``.
      corr: per hidden layer, correlations [K, E, S, T].
      fan_out: per hidden layer, final fan-out norms [E, S].
      seeds: the E seeds.
    """
    rows = []
    for layer, (c, norms) in enumerate(zip(corr, fan_out), 1):
        _, e, s, _ = c.shape
        best = c[-1].argmax(axis=2)  # [E, S]: final best teacher node of each student
        pick = lambda a: np.take_along_axis(a, best[..., None], axis=-1)[..., 0]
        along = np.take_along_axis(c, best[None, ..., None], axis=-1)[..., 0]  # [K, E, S]: corr with that teacher
        rows.append(
            pd.DataFrame(
                {
                    "layer": layer,
                    "seed": np.repeat(np.asarray(seeds), s),
                    "student": np.tile(np.arange(s), e),
                    "best_teacher": best.ravel(),
                    "initial_corr": along[0].ravel(),
                    "initial_rank": pick(initial_ranks(c[0])).ravel(),
                    "final_corr": along[-1].ravel(),
                    "steps_to_match": steps_to_reach(steps, along, MATCH).ravel(),
                    "fan_out_norm": norms.ravel(),
                    "matched": along[-1].ravel() >= MATCH,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def winner_table(steps: np.ndarray, corr: list[np.ndarray], seeds) -> pd.DataFrame:
    """One row per teacher node and seed: its winner, the winner's initial rank and correlations, and
    ``steps_to_match``: the first step at which any student reached 0.95 with the teacher node."""
    rows = []
    for layer, c in enumerate(corr, 1):
        _, e, s, t = c.shape
        winner = c[-1].argmax(axis=1)  # [E, T]
        pick = lambda a: np.take_along_axis(a, winner[:, None, :], axis=1)[:, 0, :]
        best = c.max(axis=2)  # [K, E, T]: best correlation of any student, over training
        rows.append(
            pd.DataFrame(
                {
                    "layer": layer,
                    "seed": np.repeat(np.asarray(seeds), t),
                    "teacher": np.tile(np.arange(t), e),
                    "students": s,
                    "winner": winner.ravel(),
                    "initial_rank": pick(initial_ranks(c[0])).ravel(),
                    "initial_corr": pick(c[0]).ravel(),
                    "final_corr": pick(c[-1]).ravel(),
                    "steps_to_match": steps_to_reach(steps, best, MATCH).ravel(),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def spearman(initial_corr: pd.Series, steps_to_match: pd.Series) -> float:
    """Spearman ρ between initial correlation and steps to match; never-matched students rank last (∞).
    NaN when every student has the same steps to match (e.g. none matched), so the ranks are all tied."""
    steps = steps_to_match.fillna(np.inf)
    if steps.nunique() < 2:
        return float("nan")
    return float(stats.spearmanr(initial_corr, steps).statistic)


def spearman_by_layer(nodes: pd.DataFrame) -> dict[int, float]:
    return {layer: spearman(g.initial_corr, g.steps_to_match) for layer, g in nodes.groupby("layer")}


def summary(nodes: pd.DataFrame, winners: pd.DataFrame, lottery: pd.DataFrame) -> dict:
    """The numbers the claims and the plot titles quote."""
    rank_fraction = winners.initial_rank / winners.students
    matched = nodes[nodes.matched].groupby("layer").fan_out_norm.mean()
    unmatched = nodes[~nodes.matched].groupby("layer").fan_out_norm.mean()
    final = lottery[lottery.step == lottery.step.max()]
    per_arm = final.groupby(["init", "seed"]).agg(recovered=("recovered", "mean"), loss=("eval_loss", "first")).groupby("init").mean()
    # mean over the log-spaced observations: an average over log(step), which weighs early and late training alike
    area = lottery.groupby(["init", "seed", "step"]).recovered.mean().groupby(["init", "seed"]).mean().groupby("init").mean()
    return {
        "rank_fraction": float(rank_fraction.mean()),
        "rank_fraction_by_layer": rank_fraction.groupby(winners.layer).mean().to_dict(),
        "mean_rank_by_layer": winners.groupby("layer").initial_rank.mean().to_dict(),
        "spearman_by_layer": spearman_by_layer(nodes),
        "matched_fraction_by_layer": nodes.groupby("layer").matched.mean().to_dict(),
        "fan_out_matched": float(nodes[nodes.matched].fan_out_norm.mean()),
        "fan_out_unmatched": float(nodes[~nodes.matched].fan_out_norm.mean()),
        "fan_out_ratio_by_layer": (unmatched / matched).to_dict(),
        "recovered": per_arm.recovered.to_dict(),
        "final_loss": per_arm.loss.to_dict(),
        "recovered_area": area.to_dict(),
    }


def claims(artifacts: Artifacts, bars: dict) -> list[Claim]:
    return judge(summary(artifacts["nodes"], artifacts["winners"], artifacts["lottery"]), bars)


def judge(s: dict, bars: dict) -> list[Claim]:
    """The claims, from :func:`summary`: per hidden layer the winners' initial rank and the
    luck-vs-convergence-time correlation, then the fan-out shrinkage and the lottery ticket.

    Bars (config ``lucky_weights.claims``): ``max_rank_fraction`` (winners' mean initial rank /
    student width), ``max_spearman`` (initial correlation vs steps to converge),
    ``max_fan_out_ratio`` (unmatched students' mean fan-out norm / matched ones')."""
    max_rank, max_rho, max_ratio = bars["max_rank_fraction"], bars["max_spearman"], bars["max_fan_out_ratio"]
    out = []
    for layer, fraction in s["rank_fraction_by_layer"].items():
        out.append(
            Claim(
                NAME,
                f"layer {layer}: final winners were lucky at init (mean initial rank / student width)",
                SOURCE,
                f"< {max_rank:.0%} (chance ≈ 50%)",
                f"{fraction:.1%} (mean rank {s['mean_rank_by_layer'][layer]:.1f})",
                fraction < max_rank,
                fraction,
            )
        )
    for layer, rho in s["spearman_by_layer"].items():
        out.append(
            Claim(
                NAME,
                f"layer {layer}: higher initial correlation, faster convergence (Spearman, all students)",
                SOURCE,
                f"ρ ≤ {max_rho}",
                f"ρ = {rho:.2f}" if np.isfinite(rho) else "undefined: every student has the same steps to 0.95 (e.g. none reached it)",
                rho <= max_rho,
                rho,
            )
        )
    ratio = s["fan_out_unmatched"] / s["fan_out_matched"]
    by_layer = ", ".join(f"{r:.2f}" for r in s["fan_out_ratio_by_layer"].values())
    out.append(
        Claim(
            NAME,
            "unmatched students' fan-out weights shrink (mean norm, unmatched / matched)",
            SOURCE,
            f"< {max_ratio:.0%}",
            f"{ratio:.2f} ({s['fan_out_unmatched']:.3f} / {s['fan_out_matched']:.3f}; by layer {by_layer})"
            if np.isfinite(ratio)
            else "undefined: no student matched (or none unmatched)",
            ratio < max_ratio,
            ratio,
        )
    )
    rec, area, loss = s["recovered"], s["recovered_area"], s["final_loss"]
    out.append(
        Claim(
            NAME,
            "lottery ticket (our protocol): the original init recovers the teacher more often and faster than a re-init",
            "our protocol, after Frankle & Carbin 2019",
            "original > re-init in the fraction of teacher nodes recovered, final and averaged over log-spaced observations",
            f"final {rec['original']:.1%} vs {rec['reinit']:.1%}; log-time average {area['original']:.1%} vs {area['reinit']:.1%}; "
            f"final MSE {loss['original']:.4f} vs {loss['reinit']:.4f}",
            rec["original"] > rec["reinit"] and area["original"] > area["reinit"],
            rec["original"] - rec["reinit"],
        )
    )
    return out


def plot(artifacts: Artifacts, bars: dict):
    """Top row (a): per layer, every teacher node's best student correlation over training. Bottom
    row: (b) the winners' initial ranks, (b) steps to match vs initial correlation, (c) final
    correlation vs fan-out norm, (d) the lottery tickets' recovery over training."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    from ..plotting import setup_style

    setup_style()
    correlations, nodes, winners, lottery = (artifacts[k] for k in ("correlations", "nodes", "winners", "lottery"))
    max_rank = bars["max_rank_fraction"]
    s = summary(nodes, winners, lottery)
    steps = correlations["steps"]
    layers = layer_keys(correlations)
    colors = sns.color_palette("colorblind", len(layers))
    fig, axes = plt.subplots(2, max(4, len(layers)), figsize=(4.3 * max(4, len(layers)), 8.4), constrained_layout=True)
    x = steps + 1  # log axis: step 0 (the initialization) sits at 1
    for l, key in enumerate(layers):
        ax, corr = axes[0, l], correlations[key]  # [K, E, S, T]
        best = corr.max(axis=2)  # [K, E, T]
        ax.plot(x, best[:, 0], color=colors[l], lw=0.7, alpha=0.6)
        ax.plot(x, best.mean(axis=(1, 2)), color="k", lw=2, label=f"mean of {best.shape[1]} seeds × {best.shape[2]} nodes")
        ax.axhline(MATCH, color="0.4", ls=":", lw=1)
        _, e, n_s, n_t = corr.shape
        ax.set(xscale="log", ylim=(min(0.0, best.min()), 1.02), xlabel="SGD step + 1", ylabel="best student correlation")
        ax.set_title(
            f"(a) layer {l + 1}: {n_t} teacher nodes, {n_s} students\n(thin: each teacher node of seed {int(correlations['seeds'][0])})"
        )
        ax.legend(loc="lower right", fontsize="x-small")

    ax = axes[1, 0]
    fraction = winners.assign(rank_fraction=winners.initial_rank / winners.students)
    jitter = np.random.default_rng(0).uniform(-0.25, 0.25, len(fraction))  # seeded: a rebuild draws the same figure
    for l, (layer, group) in enumerate(fraction.groupby("layer")):
        ax.scatter(l + jitter[: len(group)], group.rank_fraction, s=10, color=colors[l])
    means = fraction.groupby("layer").rank_fraction.mean()
    ax.plot(range(len(means)), means.to_numpy(), "k_", ms=22, mew=2.5, label="mean")
    ax.axhline(0.5, color="0.4", ls="--", lw=1, label="chance (random rank)")
    ax.axhline(max_rank, color="C3", ls=":", lw=1.2, label=f"{max_rank:.0%} of the width")
    ax.set(
        ylim=(0, 1),
        xticks=range(len(means)),
        xticklabels=means.index,
        xlabel="layer",
        ylabel="initial rank of the final winner / student width",
    )
    ax.set_title("(b) luck: each teacher node's final winner,\nranked at init among all students")
    ax.legend(loc="upper left", fontsize="x-small")

    ax = axes[1, 1]
    never = 1.6 * np.nanmax(nodes.steps_to_match) if nodes.steps_to_match.notna().any() else 1.0
    for l, (layer, group) in enumerate(nodes.groupby("layer")):
        y = group.steps_to_match.fillna(never)
        ax.scatter(group.initial_corr, y, s=5, alpha=0.5, color=colors[l], label=f"layer {layer}: ρ = {s['spearman_by_layer'][layer]:.2f}")
    ax.axhline(never, color="0.6", lw=0.5)
    ax.text(ax.get_xlim()[0], never, " never reached 0.95", va="bottom", fontsize="x-small", color="0.3")
    ax.set(yscale="log", xlabel="initial correlation with its final best teacher node", ylabel="steps until correlation ≥ 0.95")
    ax.set_title("(b) lucky students converge first\n(Spearman ρ per layer)")
    ax.legend(loc="lower left", fontsize="x-small", markerscale=2)

    ax = axes[1, 2]
    for l, (layer, group) in enumerate(nodes.groupby("layer")):
        ax.scatter(group.final_corr, group.fan_out_norm, s=5, alpha=0.5, color=colors[l], label=f"layer {layer}")
    ax.axvline(MATCH, color="0.4", ls=":", lw=1)
    ratio = s["fan_out_unmatched"] / s["fan_out_matched"]
    ax.set(xlabel="final best correlation with a teacher node", ylabel="fan-out weight norm (end of training)")
    ax.set_title(f"(c) winner-take-all: fan-out against match\n(mean norm, unmatched / matched = {ratio:.2f})")
    ax.legend(loc="upper left", fontsize="x-small", markerscale=2)

    ax = axes[1, 3]
    recovered = lottery.groupby(["init", "seed", "step"]).recovered.mean()  # over layers, weighted equally
    for arm, color in (("original", "C0"), ("reinit", "C3")):
        per_seed = recovered.loc[arm].unstack("seed")
        ax.plot(per_seed.index + 1, per_seed.to_numpy(), color=color, lw=0.6, alpha=0.5)
        ax.plot(per_seed.index + 1, per_seed.mean(axis=1), color=color, lw=2, label=f"{arm}: final {s['recovered'][arm]:.0%}")
    ax.set(xscale="log", ylim=(0, 1), xlabel="SGD step + 1", ylabel="teacher nodes recovered (corr ≥ 0.95)")
    ax.set_title("(d) lottery ticket (our protocol): top fan-out\nnodes, original init vs re-init")
    ax.legend(loc="upper left", fontsize="x-small")
    for ax in axes[0, len(layers) :]:
        ax.set_visible(False)
    return fig


def analyze(artifacts: Artifacts) -> dict[str, pd.DataFrame]:
    """The node and winner tables, from the saved correlations and the students' final weights."""
    corr, students = artifacts["correlations"], artifacts["students"]
    layers = layer_keys(corr)
    final = unstack_params(students, "final_")
    fan_out = [np.stack([fan_out_norms(p)[l] for p in final]) for l in range(len(layers))]  # per layer [E, S]
    return {
        "nodes": node_table(corr["steps"], [corr[k] for k in layers], fan_out, corr["seeds"]),
        "winners": winner_table(corr["steps"], [corr[k] for k in layers], corr["seeds"]),
    }


def check(config: dict) -> None:
    """The teacher must exist (distinct nonzero weight rows), and the ticket fit inside the student."""
    lw = config[NAME]["compute"]
    errors = []
    values, has_zero = len(lw["weight_choices"]), 0 in lw["weight_choices"]
    widths = [lw["n_in"], *lw["teacher_widths"], lw["n_out"]]
    for fan_in, fan_out in zip(widths[:-1], widths[1:]):
        rows = values**fan_in - has_zero  # distinct rows, the all-zero one excluded
        if rows < fan_out:
            errors.append(
                f"{NAME}.compute.weight_choices: {values} values give {rows} distinct nonzero rows of "
                f"{fan_in} weights, fewer than the {fan_out} nodes of a teacher layer; allowed: more values or wider layers"
            )
    if lw["lottery"]["keep"] > lw["multiplier"]:
        errors.append(
            f"{NAME}.compute.lottery.keep: {lw['lottery']['keep']} teacher widths exceed the student "
            f"(multiplier {lw['multiplier']}); allowed: 1 .. {lw['multiplier']}"
        )
    if lw["batch_size"] > lw["n_train"]:
        errors.append(f"{NAME}.compute.batch_size: {lw['batch_size']} exceeds n_train ({lw['n_train']}); allowed: <= n_train")
    require(errors)


def artifacts(config: dict) -> dict[str, str]:
    return {
        "correlations": FIGURE.result("correlations.npz"),
        "students": FIGURE.result("students.npz"),
        "lottery": FIGURE.result("lottery.csv"),
    }


FIGURE = Figure(
    name=NAME,
    title="Lucky student nodes: teacher-student ReLU networks",
    sources=("Tian et al. 2019, Luck Matters (arXiv 1905.13405)", "Frankle & Carbin 2019, the lottery ticket (our protocol)"),
    artifacts=artifacts,
    claims=claims,
    plot=plot,
    check=check,
    analysis={"nodes": "nodes.csv", "winners": "winners.csv"},
    analyze=analyze,
)
