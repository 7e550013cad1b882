"""lucky_weights' analysis and claims: the node, winner and two-layer tables from the saved
correlations and weights, and the rows judged against the bars and the reference implementation."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from dltheory.core.claims import Claim, claim, comparison, observation
from dltheory.core.contract import Artifacts
from dltheory.figures.lucky_weights import SOURCE
from dltheory.science.teacher_student import MATCH, fan_out_norms, unstack_params


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


# The reference implementation (facebookresearch/luckmatters), run as a peer with its own scripts
# (CPU; only `.cuda()` and PyTorch-API fixes). Deep: the 2019 code with its README settings, 26
# epochs, correlations over 1,024 evaluation inputs, seeds 124 and 125, per hidden layer 1..4.
REFERENCE_DEEP = {
    "mean_best_corr": {1: (1.000, 1.000), 2: (0.982, 0.920), 3: (0.918, 0.809), 4: (0.747, 0.845)},
    "rank_fraction": {1: (0.017, 0.024), 2: (0.128, 0.112), 3: (0.134, 0.209), 4: (0.238, 0.193)},
    "spearman": {1: (-0.64, -0.62), 2: (-0.22, -0.26), 3: (-0.19, -0.12), 4: (-0.01, -0.19)},
    "fan_out_ratio": {1: (0.55, 0.65), 2: (0.82, 0.85), 3: (0.89, 0.85), 4: (0.69, 0.83)},
}
REFERENCE_DEEP_SEEDS = "seeds 124, 125"
# Two-layer: the ICML 2020 code (recon_two_layer.py, its README's settings, 100k SGD steps, teacher
# fan-outs not decayed), seeds 1-4 (x5) and 1-2 (x10), measured with this figure's definitions
# (correlations over 1,024 evaluation inputs, matched at >= 0.95): pooled over the seeds, the
# fan-out ratio and the winners' mean initial rank / width, with the per-seed range; matched students.
REFERENCE_TWO_LAYER = {
    5: {"fan_out_ratio": (0.044, 0.039, 0.068), "rank_fraction": (0.183, 0.102, 0.318), "matched": (192, 200)},
    10: {"fan_out_ratio": (0.116, 0.104, 0.132), "rank_fraction": (0.137, 0.129, 0.145), "matched": (186, 200)},
}


def deep_summary(correlations: dict, nodes: pd.DataFrame, winners: pd.DataFrame) -> dict:
    """Per hidden layer of the deep run: recovery (mean best final correlation over all teacher
    nodes, and over those that fire), the winners' luck, Spearman, and the fan-out ratio.

    A teacher node that never fires on the evaluation inputs has no correlation with anything; by
    :func:`~dltheory.science.teacher_student.node_correlations` it scores exactly 0 with every student at
    every observation, which is how it is recognized here."""
    out = {"mean_best_corr": {}, "mean_best_corr_firing": {}, "firing": {}}
    for layer, key in enumerate(layer_keys(correlations), 1):
        corr = correlations[key]  # [K, E, S, T]
        best = corr[-1].max(axis=1)  # [E, T]
        fires = ~np.all(corr == 0, axis=(0, 1, 2))  # [T]
        out["mean_best_corr"][layer] = float(best.mean())
        out["mean_best_corr_firing"][layer] = float(best[:, fires].mean())
        out["firing"][layer] = (int(fires.sum()), len(fires))
    rank_fraction = winners.initial_rank / winners.students
    matched = nodes[nodes.matched].groupby("layer").fan_out_norm.mean()
    unmatched = nodes[~nodes.matched].groupby("layer").fan_out_norm.mean()
    return out | {
        "rank_fraction": rank_fraction.groupby(winners.layer).mean().to_dict(),
        "mean_rank": winners.groupby("layer").initial_rank.mean().to_dict(),
        "spearman": spearman_by_layer(nodes),
        "fan_out_ratio": (unmatched / matched).to_dict(),
    }


def fan_out_series(fan_out: np.ndarray, steps: np.ndarray, matched: np.ndarray) -> pd.DataFrame:
    """Per observation step: the mean fan-out norm of the students matched at the end and of the
    others, pooled over seeds. ``fan_out`` [K, E, S], ``matched`` [E, S]."""
    mean = lambda mask: fan_out[:, mask].mean(axis=1) if mask.any() else np.full(len(steps), np.nan)
    return pd.DataFrame(
        {
            "step": steps,
            "matched": mean(matched),
            "unmatched": mean(~matched),
            "matched_students": int(matched.sum()),
            "unmatched_students": int((~matched).sum()),
        }
    )


def two_layer_tables(runs: dict[int, dict]) -> dict[str, pd.DataFrame]:
    """The two-layer analysis tables, from ``runs`` {multiplier: the arrays of ``two_layer_x<m>.npz``}."""
    nodes, winners, series = [], [], []
    for m, run in runs.items():
        steps, corr, seeds = run["steps"], run["corr"], run["seeds"]
        table = node_table(steps, [corr], [run["fan_out"][-1]], seeds).drop(columns="layer")
        nodes.append(table.assign(multiplier=m))
        won = winner_table(steps, [corr], seeds).drop(columns="layer")
        winners.append(won.assign(multiplier=m, teacher_fan_out=run["teacher_fan_out"][won.teacher]))
        matched = table.matched.to_numpy().reshape(len(seeds), -1)
        series.append(fan_out_series(run["fan_out"], steps, matched).assign(multiplier=m))
    first = lambda frames: pd.concat(frames, ignore_index=True).pipe(lambda t: t[["multiplier", *t.columns.drop("multiplier")]])
    return {"two_layer_nodes": first(nodes), "two_layer_winners": first(winners), "two_layer_fan_out": first(series)}


def falls_from_peak(series: pd.DataFrame, window: int) -> dict:
    """The running mean (over ``window`` observations) of the unmatched students' mean fan-out
    norm: its peak, its end, and whether it never rises between them."""
    running = series.unmatched.rolling(window).mean().to_numpy()[window - 1 :]  # ends at observation window - 1 ...
    steps = series.step.to_numpy()[window - 1 :]
    if len(running) == 0 or not np.isfinite(running).all():
        return {"falls": False, "peak_step": np.nan, "peak": np.nan, "final": np.nan, "initial": float(series.unmatched.iloc[0])}
    peak = int(np.argmax(running))
    return {
        "falls": bool(np.all(np.diff(running[peak:]) <= 0)) and peak < len(running) - 1,
        "peak_step": int(steps[peak]),
        "peak": float(running[peak]),
        "final": float(running[-1]),
        "initial": float(series.unmatched.iloc[0]),
    }


def two_layer_summary(nodes: pd.DataFrame, winners: pd.DataFrame, series: pd.DataFrame, window: int) -> dict:
    """Per student multiplier: the fan-out ratio, matched students, covered teacher nodes, the
    winners' luck, the fall of the unmatched fan-out, and the ICML 2020 ordering (teacher nodes of
    larger fan-out specialized first: Spearman of teacher fan-out norm vs steps until a student
    reaches 0.95, never-specialized nodes last)."""
    out = {}
    for m, group in nodes.groupby("multiplier"):
        won = winners[winners.multiplier == m]
        covered = (won.final_corr >= MATCH).groupby(won.seed).sum()  # teacher nodes some student matches at the end
        out[m] = {
            "fan_out_matched": float(group[group.matched].fan_out_norm.mean()),
            "fan_out_unmatched": float(group[~group.matched].fan_out_norm.mean()),
            "matched": (int(group.matched.sum()), len(group)),
            "covered": float(covered.mean()),
            "teacher_nodes": int(won.teacher.nunique()),
            "rank_fraction": float((won.initial_rank / won.students).mean()),
            "fall": falls_from_peak(series[series.multiplier == m].reset_index(drop=True), window),
            "fan_out_first": spearman(won.teacher_fan_out, won.steps_to_match),
        }
    return out


def lottery_summary(lottery: pd.DataFrame) -> dict:
    """The tickets' fraction of teacher nodes recovered (final, and averaged over log-spaced
    observations: an average over log(step), which weighs early and late training alike) and MSE."""
    final = lottery[lottery.step == lottery.step.max()]
    per_arm = final.groupby(["init", "seed"]).agg(recovered=("recovered", "mean"), loss=("eval_loss", "first")).groupby("init").mean()
    area = lottery.groupby(["init", "seed", "step"]).recovered.mean().groupby(["init", "seed"]).mean().groupby("init").mean()
    return {"recovered": per_arm.recovered.to_dict(), "final_loss": per_arm.loss.to_dict(), "recovered_area": area.to_dict()}


def setup_label(kind: str, params: dict, corr: list[np.ndarray]) -> str:
    """``deep (teacher 20-10-15-20-25-100, students x10)``: the architecture, from the saved final
    weights (``final_w<l>`` [E, fan_in, fan_out]) and the correlations (T teacher nodes per layer)."""
    teacher = [c.shape[-1] for c in corr]
    n_in, n_out = params["final_w0"].shape[1], params[f"final_w{len(teacher)}"].shape[2]
    return f"{kind} (teacher {'-'.join(map(str, [n_in, *teacher, n_out]))}, students x{corr[0].shape[-2] // teacher[0]})"


def summary(artifacts: Artifacts, bars: dict) -> dict:
    """The numbers the claims and the plot titles quote: ``deep``, ``two_layer`` {multiplier: ...}, ``lottery``."""
    correlations = artifacts["correlations"]
    deep = deep_summary(correlations, artifacts["nodes"], artifacts["winners"])
    deep["setup"] = setup_label("deep", artifacts["students"], [correlations[k] for k in layer_keys(correlations)])
    tables = ("two_layer_nodes", "two_layer_winners", "two_layer_fan_out")
    two_layer = two_layer_summary(*(artifacts[k] for k in tables), bars["fan_out_window"])
    for m, t in two_layer.items():
        t["setup"] = setup_label("two-layer", artifacts[f"two_layer_x{m}"], [artifacts[f"two_layer_x{m}"]["corr"]])
    return {"deep": deep, "two_layer": two_layer, "lottery": lottery_summary(artifacts["lottery"])}


def claims(artifacts: Artifacts, bars: dict) -> list[Claim]:
    return judge(summary(artifacts, bars), bars)


def beside_reference(ours: float, reference: tuple[float, float], fmt: str) -> str:
    """``ours`` and where it falls against the reference implementation's seeds."""
    low, high = min(reference), max(reference)
    where = "within" if low <= ours <= high else ("above" if ours > high else "below")
    return f"{ours:{fmt}} ({where} the reference's seeds)"


def judge(s: dict, bars: dict) -> list[Claim]:
    """The rows, from :func:`summary`, each naming its setup: the deep network's claims (layers 1
    and 2) and comparisons with the reference implementation (the upper layers, where the papers
    claim nothing); the two-layer claims per student multiplier; the lottery ticket (ours)."""
    return [
        *judge_deep(s["deep"], bars),
        *(r for m, t in s["two_layer"].items() for r in judge_two_layer(m, t, bars)),
        judge_lottery(s["lottery"]),
    ]


def judge_deep(d: dict, bars: dict) -> list[Claim]:
    ref, setup = REFERENCE_DEEP, d["setup"]
    quote = lambda key, layer, fmt: f"reference code ({REFERENCE_DEEP_SEEDS}): {' / '.join(f'{v:{fmt}}' for v in ref[key][layer])}"

    def recovered(layer: int, bar: float, readme: str) -> Claim:
        firing, total = d["firing"][layer]
        value = d["mean_best_corr_firing"][layer]
        silent = f"; {d['mean_best_corr'][layer]:.3f} counting the {total - firing} that never fire as 0" if firing < total else ""
        return claim(
            f"{setup}, layer {layer}: the teacher nodes are recovered (mean best student correlation at the end)",
            source="luckmatters README",
            expected=f"≥ {bar} (README: {readme}; {quote('mean_best_corr', layer, '.3f')})",
            measured=f"{value:.3f} over the {firing} of {total} teacher nodes that fire{silent}",
            passed=value >= bar,
            value=value,
        )

    rank, rho = d["rank_fraction"][1], d["spearman"][1]
    out = [
        recovered(1, bars["min_layer1_corr"], "0.999"),
        recovered(2, bars["min_layer2_corr"], "~0.95"),
        claim(
            f"{setup}, layer 1: final winners were lucky at init (mean initial rank / student width)",
            source=f"{SOURCE}; {ICML}",
            expected=f"< {bars['max_rank_fraction']:.0%} (chance ≈ 50%; {quote('rank_fraction', 1, '.1%')})",
            measured=f"{rank:.1%} (mean rank {d['mean_rank'][1]:.1f})",
            passed=rank < bars["max_rank_fraction"],
            value=rank,
        ),
        claim(
            f"{setup}, layer 1: higher initial correlation, faster convergence (Spearman, all students)",
            source=SOURCE,
            expected=f"ρ ≤ {bars['max_spearman']} ({quote('spearman', 1, '.2f')})",
            measured=f"ρ = {rho:.2f}" if np.isfinite(rho) else "undefined: every student has the same steps to 0.95 (e.g. none reached it)",
            passed=rho <= bars["max_spearman"],
            value=rho,
        ),
    ]
    comparisons = [("mean_best_corr", layer, "mean best student correlation at the end", ".3f") for layer in (3, 4)]
    comparisons += [("rank_fraction", layer, "winners' mean initial rank / student width", ".1%") for layer in (2, 3, 4)]
    comparisons += [("spearman", layer, "Spearman of initial correlation vs steps to 0.95", ".2f") for layer in (2, 3, 4)]
    for key, layer, what, fmt in comparisons:
        if layer in d[key]:
            out.append(
                comparison(
                    f"{setup}, layer {layer}: {what}",
                    source="no claim in the papers",
                    expected=quote(key, layer, fmt),
                    measured=beside_reference(d[key][layer], ref[key][layer], fmt),
                    value=d[key][layer],
                )
            )
    ratios = d["fan_out_ratio"]
    out.append(
        comparison(
            f"{setup}: fan-out norm, unmatched / matched students, layers {', '.join(map(str, ratios))}",
            source="no claim in the papers (theirs is two-layer)",
            expected="reference code: " + "; ".join(f"{a:.2f}-{b:.2f}" for a, b in (sorted(ref["fan_out_ratio"][l]) for l in ratios)),
            measured=", ".join(f"{r:.2f}" for r in ratios.values()),
            value=float(np.mean(list(ratios.values()))),
        )
    )
    return out


ICML = "Tian 2020 (arXiv 1909.13458)"


def pooled(values: tuple[float, float, float], fmt: str) -> str:
    """A reference value (pooled, lowest seed, highest seed) as text."""
    return f"{values[0]:{fmt}} pooled, seeds {values[1]:{fmt}}-{values[2]:{fmt}}"


def judge_two_layer(m: int, t: dict, bars: dict) -> list[Claim]:
    setup = t["setup"]
    ref = REFERENCE_TWO_LAYER.get(m)
    ratio = t["fan_out_unmatched"] / t["fan_out_matched"] if t["matched"][0] else float("nan")
    matched, total = t["matched"]
    fall, window = t["fall"], bars["fan_out_window"]
    ratio_text = (
        f"{ratio:.3f} ({t['fan_out_unmatched']:.4f} / {t['fan_out_matched']:.3f}; {total - matched} of {total} students unmatched)"
        if np.isfinite(ratio)
        else f"undefined: {'no student matched' if matched == 0 else 'every student matched'}"
    )
    rho = t["fan_out_first"]
    out = [
        claim(
            f"{setup}: the unmatched students' fan-out weights converge to zero (mean final norm, unmatched / matched)",
            source=SOURCE,
            expected=f"< {bars['max_fan_out_ratio']:.0%}" + (f" (reference code: {pooled(ref['fan_out_ratio'], '.3f')})" if ref else ""),
            measured=ratio_text,
            passed=ratio < bars["max_fan_out_ratio"],
            value=ratio,
        ),
        claim(
            f"{setup}: final winners were lucky at init (mean initial rank / student width)",
            source=f"{SOURCE}; {ICML}",
            expected=f"< {bars['max_two_layer_rank_fraction']:.0%} (chance ≈ 50%"
            + (f"; reference code: {pooled(ref['rank_fraction'], '.1%')})" if ref else ")"),
            measured=f"{t['rank_fraction']:.1%}",
            passed=t["rank_fraction"] < bars["max_two_layer_rank_fraction"],
            value=t["rank_fraction"],
        ),
        claim(
            f"{setup}: the unmatched students' fan-out falls (running mean over {window} observations never rises after its peak)",
            source=SOURCE,
            expected="falls from its peak to the end of training",
            measured=f"{fall['initial']:.3f} at init, peak {fall['peak']:.3f} at step {fall['peak_step']}, {fall['final']:.3f} at the end"
            if np.isfinite(fall["peak"])
            else "undefined: no unmatched student, or fewer observations than the window",
            passed=fall["falls"],
            value=fall["final"] / fall["peak"] if np.isfinite(fall["peak"]) else None,
        ),
        comparison(
            f"{setup}: students matched (≥ 0.95) and teacher nodes covered",
            source=ICML,
            expected=f"reference code: {ref['matched'][0]} of {ref['matched'][1]} students matched"
            if ref
            else "no reference run at this multiplier",
            measured=f"{matched} of {total} students over the seeds; {t['covered']:.1f} of {t['teacher_nodes']} teacher nodes covered per seed",
            value=matched / total,
        ),
        observation(
            f"{setup}: teacher nodes of larger fan-out are specialized first (Spearman, teacher fan-out norm vs steps to 0.95)",
            source=ICML,
            expected="ρ < 0 if the ordering holds (the paper sets no bar)",
            measured=f"ρ = {rho:.2f}" if np.isfinite(rho) else "undefined: every teacher node specialized at the same observation",
            value=rho,
        ),
    ]
    return out


def judge_lottery(s: dict) -> Claim:
    rec, area, loss = s["recovered"], s["recovered_area"], s["final_loss"]
    return claim(
        "lottery ticket (our protocol): the original init recovers the teacher more often and faster than a re-init",
        source="our protocol, after Frankle & Carbin 2019",
        expected="original > re-init in the fraction of teacher nodes recovered, final and averaged over log-spaced observations",
        measured=f"final {rec['original']:.1%} vs {rec['reinit']:.1%}; log-time average {area['original']:.1%} vs {area['reinit']:.1%}; "
        f"final MSE {loss['original']:.4f} vs {loss['reinit']:.4f}",
        passed=rec["original"] > rec["reinit"] and area["original"] > area["reinit"],
        value=rec["original"] - rec["reinit"],
    )


def analyze(artifacts: Artifacts) -> dict[str, pd.DataFrame]:
    """The deep run's node and winner tables, from the saved correlations and the students' final
    weights; the two-layer tables (:func:`two_layer_tables`)."""
    corr, students = artifacts["correlations"], artifacts["students"]
    layers = layer_keys(corr)
    final = unstack_params(students, "final_")
    fan_out = [np.stack([fan_out_norms(p)[l] for p in final]) for l in range(len(layers))]  # per layer [E, S]
    runs = {int(k.removeprefix("two_layer_x")): artifacts[k] for k in artifacts if k.startswith("two_layer_x")}
    return {
        "nodes": node_table(corr["steps"], [corr[k] for k in layers], fan_out, corr["seeds"]),
        "winners": winner_table(corr["steps"], [corr[k] for k in layers], corr["seeds"]),
        **two_layer_tables(runs),
    }
