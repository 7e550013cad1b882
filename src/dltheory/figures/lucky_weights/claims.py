"""lucky_weights' analysis and claims: the node, winner and two-layer tables from the saved
correlations and weights, and the rows judged against the bars and the reference implementation.

Every claim here is measured over the students' seeds: a seed draws a student's initialization
and its minibatch order, while the teacher, the training data and the evaluation inputs are shared
(the lottery's re-initialization is a second draw of the same seed). The seed is the replicate
unit: nodes and students of one seed share a training run, so they are not independent. Each
claim's statistic carries a 95% interval over the seeds (:mod:`dltheory.core.uncertainty`) and is
judged on it, pass, fail or inconclusive:

* a mean over seeds of a per-seed value (recovery, the winners' luck, the lottery's paired
  differences): Student's t (:func:`seed_mean`);
* a statistic pooled over the seeds' students (a Spearman ρ, the fan-out ratio, the fall of the
  pooled fan-out): the percentile bootstrap over seeds, a resample pooling the students of the
  seeds drawn (:func:`seed_bootstrap`); each seed's own value is kept as its replicate.

With a single seed there is no interval: the value is judged against the bar as it stands, and the
row says so. An undefined statistic (NaN: nothing matched, nothing left unmatched) fails, as before.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from dltheory.core.claims import Claim, claim, comparison, observation
from dltheory.core.contract import Artifacts
from dltheory.core.uncertainty import Bar, Estimate, above, below, bootstrap_interval, mean_interval, verdict
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
    """One row per teacher node and seed: its winner, the winner's initial rank and correlations,
    ``steps_to_match``: the first step at which any student reached 0.95 with the teacher node, and
    ``fires``: whether the teacher node fires on the evaluation inputs (:func:`firing`)."""
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
                    "fires": np.tile(firing(c), e),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def firing_winners(winners: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`winner_table` whose teacher node fires, the ones the luck rows average
    over (as the recovery rows do, by :func:`firing`): a silent node correlates 0 with every
    student, so its "winner" is the first student of an all-way tie, ranked 1, which is no luck."""
    return winners[winners.fires]


def spearman(initial_corr, steps_to_match) -> float:
    """Spearman ρ between initial correlation and steps to match; never-matched students rank last (∞).
    NaN when every student has the same steps to match (e.g. none matched), so the ranks are all tied."""
    steps = np.nan_to_num(np.asarray(steps_to_match, dtype=float), nan=np.inf)
    if len(np.unique(steps)) < 2:
        return float("nan")
    return float(stats.spearmanr(np.asarray(initial_corr, dtype=float), steps).statistic)


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
        fires = firing(corr)
        out["mean_best_corr"][layer] = float(best.mean())
        out["mean_best_corr_firing"][layer] = float(best[:, fires].mean())
        out["firing"][layer] = (int(fires.sum()), len(fires))
    lucky = firing_winners(winners)
    rank_fraction = lucky.initial_rank / lucky.students
    matched = nodes[nodes.matched].groupby("layer").fan_out_norm.mean()
    unmatched = nodes[~nodes.matched].groupby("layer").fan_out_norm.mean()
    return out | {
        "rank_fraction": rank_fraction.groupby(lucky.layer).mean().to_dict(),
        "mean_rank": lucky.groupby("layer").initial_rank.mean().to_dict(),
        "spearman": spearman_by_layer(nodes),
        "fan_out_ratio": (unmatched / matched).to_dict(),
    }


def firing(corr: np.ndarray) -> np.ndarray:
    """[T]: the teacher nodes that fire on the evaluation inputs (a silent one correlates exactly 0
    with every student at every observation of every seed). ``corr`` [K, E, S, T]."""
    return ~np.all(corr == 0, axis=(0, 1, 2))


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


def running_mean(values: np.ndarray, window: int) -> np.ndarray:
    """The mean of each ``window`` consecutive values, dated at the window's last one: [len − window + 1]."""
    return pd.Series(values, dtype=float).rolling(window).mean().to_numpy()[window - 1 :]


def rise_after_peak(running: np.ndarray) -> float:
    """The largest rise of ``running`` between consecutive observations after its peak, as a
    fraction of the peak: ≤ 0 exactly when it never rises from its peak to its end. A peak at the
    last observation (still rising) counts the last rise, > 0. NaN when undefined (fewer than two
    values, or a non-finite one: no unmatched student)."""
    running = np.asarray(running, dtype=float)
    if len(running) < 2 or not np.isfinite(running).all():
        return float("nan")
    peak = int(np.argmax(running))
    return float(np.diff(running[min(peak, len(running) - 2) :]).max() / running[peak])


def falls_from_peak(series: pd.DataFrame, window: int) -> dict:
    """The running mean (over ``window`` observations) of the unmatched students' mean fan-out
    norm: its peak, its end, its largest rise after the peak (:func:`rise_after_peak`), and
    whether it never rises between them (``falls``: that rise ≤ 0)."""
    running = running_mean(series.unmatched.to_numpy(), window)  # ends at observation window - 1 ...
    steps = series.step.to_numpy()[window - 1 :]
    rise = rise_after_peak(running)
    if not np.isfinite(rise):
        return {
            "falls": False,
            "rise": rise,
            "peak_step": np.nan,
            "peak": np.nan,
            "final": np.nan,
            "initial": float(series.unmatched.iloc[0]),
        }
    peak = int(np.argmax(running))
    return {
        "falls": rise <= 0,
        "rise": rise,
        "peak_step": int(steps[peak]),
        "peak": float(running[peak]),
        "final": float(running[-1]),
        "initial": float(series.unmatched.iloc[0]),
    }


def two_layer_summary(nodes: pd.DataFrame, winners: pd.DataFrame, series: pd.DataFrame, window: int) -> dict:
    """Per student multiplier: the fan-out ratio, matched students, covered teacher nodes, the
    winners' luck (over the teacher nodes that fire), the fall of the unmatched fan-out, and the
    ICML 2020 ordering (teacher nodes of larger fan-out specialized first: Spearman of teacher
    fan-out norm vs steps until a student reaches 0.95, never-specialized nodes last)."""
    out = {}
    for m, group in nodes.groupby("multiplier"):
        won = winners[winners.multiplier == m]
        lucky = firing_winners(won)
        covered = (won.final_corr >= MATCH).groupby(won.seed).sum()  # teacher nodes some student matches at the end
        out[m] = {
            "fan_out_matched": float(group[group.matched].fan_out_norm.mean()),
            "fan_out_unmatched": float(group[~group.matched].fan_out_norm.mean()),
            "matched": (int(group.matched.sum()), len(group)),
            "covered": float(covered.mean()),
            "teacher_nodes": int(won.teacher.nunique()),
            "firing": (int(lucky.teacher.nunique()), int(won.teacher.nunique())),
            "rank_fraction": float((lucky.initial_rank / lucky.students).mean()),
            "fall": falls_from_peak(series[series.multiplier == m].reset_index(drop=True), window),
            "fan_out_first": spearman(won.teacher_fan_out, won.steps_to_match),
        }
    return out


def lottery_by_seed(lottery: pd.DataFrame) -> pd.DataFrame:
    """Per ticket (index ``init``, ``seed``): the fraction of teacher nodes recovered at the end
    (``recovered``, the mean over layers), its average over the log-spaced observations
    (``recovered_area``: an average over log(step), which weighs early and late training alike)
    and the final MSE (``loss``)."""
    final = lottery[lottery.step == lottery.step.max()]
    per_seed = final.groupby(["init", "seed"]).agg(recovered=("recovered", "mean"), loss=("eval_loss", "first"))
    area = lottery.groupby(["init", "seed", "step"]).recovered.mean().groupby(["init", "seed"]).mean()
    return per_seed.assign(recovered_area=area)


def lottery_summary(lottery: pd.DataFrame) -> dict:
    """The tickets' fraction of teacher nodes recovered (final, and averaged over log-spaced
    observations) and MSE, per arm: the means over seeds of :func:`lottery_by_seed`."""
    per_arm = lottery_by_seed(lottery).groupby("init").mean()
    return {
        "recovered": per_arm.recovered.to_dict(),
        "final_loss": per_arm.loss.to_dict(),
        "recovered_area": per_arm.recovered_area.to_dict(),
    }


def lottery_differences(lottery: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per seed, original − re-init (paired: a ticket and its control share the seed's mask and
    minibatches), of the final fraction recovered (``final``) and of its log-time average (``area``)."""
    by_seed = lottery_by_seed(lottery)
    diff = lambda column: (by_seed.loc["original", column] - by_seed.loc["reinit", column]).to_numpy()
    return {"final": diff("recovered"), "area": diff("recovered_area")}


def setup_label(kind: str, params: dict, corr: list[np.ndarray]) -> str:
    """``deep (teacher 20-10-15-20-25-100, students x10)``: the architecture, from the saved final
    weights (``final_w<l>`` [E, fan_in, fan_out]) and the correlations (T teacher nodes per layer)."""
    teacher = [c.shape[-1] for c in corr]
    n_in, n_out = params["final_w0"].shape[1], params[f"final_w{len(teacher)}"].shape[2]
    return f"{kind} (teacher {'-'.join(map(str, [n_in, *teacher, n_out]))}, students x{corr[0].shape[-2] // teacher[0]})"


def summary(artifacts: Artifacts, bars: dict, intervals: bool = False) -> dict:
    """The numbers the claims and the plot titles quote: ``deep``, ``two_layer`` {multiplier: ...},
    ``lottery``; with ``intervals``, each also holds the ``estimates`` its claims are judged on."""
    correlations = artifacts["correlations"]
    nodes, winners = artifacts["nodes"], artifacts["winners"]
    deep = deep_summary(correlations, nodes, winners)
    deep["setup"] = setup_label("deep", artifacts["students"], [correlations[k] for k in layer_keys(correlations)])
    tables = ("two_layer_nodes", "two_layer_winners", "two_layer_fan_out")
    two_layer = two_layer_summary(*(artifacts[k] for k in tables), bars["fan_out_window"])
    for m, t in two_layer.items():
        t["setup"] = setup_label("two-layer", artifacts[f"two_layer_x{m}"], [artifacts[f"two_layer_x{m}"]["corr"]])
    lottery = lottery_summary(artifacts["lottery"])
    if intervals:
        deep["estimates"] = deep_estimates(correlations, nodes, winners)
        two_layer_winners = artifacts["two_layer_winners"]
        for m, t in two_layer.items():
            won = two_layer_winners[two_layer_winners.multiplier == m]
            t["estimates"] = two_layer_estimates(artifacts[f"two_layer_x{m}"], won, bars["fan_out_window"])
        lottery["estimates"] = lottery_estimates(artifacts["lottery"])
    return {"deep": deep, "two_layer": two_layer, "lottery": lottery}


def claims(artifacts: Artifacts, bars: dict) -> list[Claim]:
    return judge(summary(artifacts, bars, intervals=True), bars)


# Intervals over seeds: the statistics' per-seed values, and the estimates the claims are judged on.


def seed_mean(per_seed) -> Estimate | None:
    """The mean over seeds of a per-seed value ([E], one per seed), with its Student-t interval;
    None with a single seed (no interval)."""
    per_seed = np.asarray(per_seed, dtype=float)
    return mean_interval(per_seed) if len(per_seed) >= 2 else None


def seed_bootstrap(statistic, per_seed) -> Estimate | None:
    """A statistic pooled over the seeds' students, with its percentile bootstrap interval over
    seeds: ``statistic(rows)`` pools the seeds ``rows`` (indices into ``per_seed``, repeats
    allowed); ``per_seed``, each seed's own value, is kept as the replicates. None with one seed."""
    return bootstrap_interval(statistic, len(per_seed), replicates=per_seed) if len(per_seed) >= 2 else None


def recovered_by_seed(corr: np.ndarray) -> np.ndarray:
    """[E]: per seed, the mean over the teacher nodes that fire of the best student's final
    correlation with each. ``corr`` [K, E, S, T]."""
    return corr[-1].max(axis=1)[:, firing(corr)].mean(axis=1)


def rank_fraction_by_seed(winners: pd.DataFrame) -> np.ndarray:
    """[E]: per seed, the mean over the teacher nodes that fire (:func:`firing_winners`) of the
    winner's initial rank / student width."""
    lucky = firing_winners(winners)
    return (lucky.initial_rank / lucky.students).groupby(lucky.seed).mean().to_numpy()


def spearman_over_seeds(table: pd.DataFrame, x: str, steps: str) -> Estimate | None:
    """:func:`spearman` of column ``x`` vs column ``steps`` over all rows of ``table``, bootstrapped
    over its seeds (a resample pools the rows of the seeds drawn); replicates: each seed's own ρ."""
    by_seed = [(g[x].to_numpy(dtype=float), g[steps].to_numpy(dtype=float)) for _, g in table.groupby("seed")]
    pooled = lambda rows: spearman(np.concatenate([by_seed[r][0] for r in rows]), np.concatenate([by_seed[r][1] for r in rows]))
    return seed_bootstrap(pooled, [spearman(a, b) for a, b in by_seed])


def fan_out_ratio_over_seeds(fan_out: np.ndarray, matched: np.ndarray) -> Estimate | None:
    """The mean final fan-out norm of the unmatched students over that of the matched ones, both
    pooled over the seeds drawn (Σ norms / Σ students per group), bootstrapped over seeds;
    replicates: each seed's own ratio (NaN for a seed with no unmatched student).
    ``fan_out`` [E, S] final norms, ``matched`` [E, S]."""
    sums = np.stack([np.where(~matched, fan_out, 0).sum(axis=1), np.where(matched, fan_out, 0).sum(axis=1)])  # [2, E]
    counts = np.stack([(~matched).sum(axis=1), matched.sum(axis=1)])

    def ratio(rows):
        with np.errstate(invalid="ignore", divide="ignore"):
            unmatched, matched_ = sums[:, rows].sum(axis=1) / counts[:, rows].sum(axis=1)
            return float(unmatched / matched_)

    return seed_bootstrap(ratio, [ratio(np.array([e])) for e in range(len(fan_out))])


def rise_over_seeds(fan_out: np.ndarray, matched: np.ndarray, window: int) -> Estimate | None:
    """:func:`rise_after_peak` of the running mean (``window`` observations) of the unmatched
    students' mean fan-out norm, pooled over the seeds drawn, bootstrapped over seeds; replicates:
    each seed's own (NaN for a seed with no unmatched student). ``fan_out`` [K, E, S] over
    training, ``matched`` [E, S] at the end."""
    sums = (fan_out * ~matched).sum(axis=2).T  # [E, K]
    counts = (~matched).sum(axis=1)  # [E]

    def rise(rows):
        with np.errstate(invalid="ignore", divide="ignore"):
            series = sums[rows].sum(axis=0) / counts[rows].sum()
        return rise_after_peak(running_mean(series, window))

    return seed_bootstrap(rise, [rise(np.array([e])) for e in range(len(counts))])


def deep_estimates(correlations: dict, nodes: pd.DataFrame, winners: pd.DataFrame) -> dict:
    """The deep claims' estimates over seeds: recovery per layer and, in layer 1, the winners'
    luck (t) and the Spearman ρ of initial correlation vs steps to match (bootstrap)."""
    return {
        "recovered": {layer: seed_mean(recovered_by_seed(correlations[k])) for layer, k in enumerate(layer_keys(correlations), 1)},
        "rank_fraction": seed_mean(rank_fraction_by_seed(winners[winners.layer == 1])),
        "spearman": spearman_over_seeds(nodes[nodes.layer == 1], "initial_corr", "steps_to_match"),
    }


def two_layer_estimates(run: dict, winners: pd.DataFrame, window: int) -> dict:
    """One multiplier's estimates over seeds, from its run (``two_layer_x<m>.npz``) and winners:
    the fan-out ratio and the fall of the unmatched fan-out (bootstrap), the winners' luck (t),
    and the ordering observation's Spearman ρ (bootstrap). A student is matched when its final
    best correlation is ≥ 0.95, as in :func:`node_table`."""
    fan_out, matched = run["fan_out"], run["corr"][-1].max(axis=2) >= MATCH  # [K, E, S], [E, S]
    return {
        "fan_out_ratio": fan_out_ratio_over_seeds(fan_out[-1], matched),
        "rank_fraction": seed_mean(rank_fraction_by_seed(winners)),
        "fall_rise": rise_over_seeds(fan_out, matched, window),
        "fan_out_first": spearman_over_seeds(winners, "teacher_fan_out", "steps_to_match"),
    }


def lottery_estimates(lottery: pd.DataFrame) -> dict:
    """The lottery's paired differences original − re-init (:func:`lottery_differences`): their
    means over seeds with t intervals, ``final`` and ``area``."""
    return {name: seed_mean(d) for name, d in lottery_differences(lottery).items()}


def firing_note(counts: tuple[int, int]) -> str:
    """'; over the 9 of 10 teacher nodes that fire' from ``counts`` (firing, all) when some are silent, else ''."""
    fires, total = counts
    return f"; over the {fires} of {total} teacher nodes that fire" if fires < total else ""


def seeds_note(estimate: Estimate | None) -> str:
    """'4 seeds', or '1 seed: no interval'."""
    return f"{estimate.n} seeds" if estimate else "1 seed: no interval"


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
    est = d["estimates"]

    def recovered(layer: int, bar: float, readme: str) -> Claim:
        firing, total = d["firing"][layer]
        value = d["mean_best_corr_firing"][layer]
        silent = f"; {d['mean_best_corr'][layer]:.3f} counting the {total - firing} that never fire as 0" if firing < total else ""
        return claim(
            f"{setup}, layer {layer}: the teacher nodes are recovered (mean best student correlation at the end)",
            source="luckmatters README",
            expected=f"≥ {bar} (README: {readme}; {quote('mean_best_corr', layer, '.3f')})",
            measured=f"{value:.3f} over the {firing} of {total} teacher nodes that fire{silent} ({seeds_note(est['recovered'][layer])})",
            value=value,
            estimate=est["recovered"][layer],
            bar=above(bar),
        )

    rank, rho = d["rank_fraction"][1], d["spearman"][1]
    out = [
        recovered(1, bars["min_layer1_corr"], "0.999"),
        recovered(2, bars["min_layer2_corr"], "~0.95"),
        claim(
            f"{setup}, layer 1: final winners were lucky at init (mean initial rank / student width)",
            source=f"{SOURCE}; {ICML}",
            expected=f"< {bars['max_rank_fraction']:.0%} (chance ≈ 50%; {quote('rank_fraction', 1, '.1%')})",
            measured=f"{rank:.1%} (mean rank {d['mean_rank'][1]:.1f}{firing_note(d['firing'][1])}; {seeds_note(est['rank_fraction'])})",
            value=rank,
            estimate=est["rank_fraction"],
            bar=below(bars["max_rank_fraction"]),
        ),
        claim(
            f"{setup}, layer 1: higher initial correlation, faster convergence (Spearman, all students)",
            source=SOURCE,
            expected=f"ρ ≤ {bars['max_spearman']} ({quote('spearman', 1, '.2f')})",
            measured=f"ρ = {rho:.2f} ({seeds_note(est['spearman'])})"
            if np.isfinite(rho)
            else "undefined: every student has the same steps to 0.95 (e.g. none reached it)",
            value=rho,
            estimate=est["spearman"],
            bar=below(bars["max_spearman"]),
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
    setup, est = t["setup"], t["estimates"]
    ref = REFERENCE_TWO_LAYER.get(m)
    ratio = t["fan_out_unmatched"] / t["fan_out_matched"] if t["matched"][0] else float("nan")
    matched, total = t["matched"]
    fall, window = t["fall"], bars["fan_out_window"]
    ratio_text = (
        f"{ratio:.3f} ({t['fan_out_unmatched']:.4f} / {t['fan_out_matched']:.3f}; {total - matched} of {total} students unmatched; "
        f"{seeds_note(est['fan_out_ratio'])})"
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
            value=ratio,
            estimate=est["fan_out_ratio"],
            bar=below(bars["max_fan_out_ratio"]),
        ),
        claim(
            f"{setup}: final winners were lucky at init (mean initial rank / student width)",
            source=f"{SOURCE}; {ICML}",
            expected=f"< {bars['max_two_layer_rank_fraction']:.0%} (chance ≈ 50%"
            + (f"; reference code: {pooled(ref['rank_fraction'], '.1%')})" if ref else ")"),
            measured=f"{t['rank_fraction']:.1%} ({seeds_note(est['rank_fraction'])}{firing_note(t['firing'])})",
            value=t["rank_fraction"],
            estimate=est["rank_fraction"],
            bar=below(bars["max_two_layer_rank_fraction"]),
        ),
        claim(
            f"{setup}: the unmatched students' fan-out falls (running mean over {window} observations never rises after its peak)",
            source=SOURCE,
            expected="falls from its peak to the end of training: its largest rise after the peak, / the peak, ≤ 0",
            measured=f"{fall['initial']:.3f} at init, peak {fall['peak']:.3f} at step {fall['peak_step']}, {fall['final']:.3f} at the end; "
            f"largest rise after the peak {fall['rise']:+.2g} of it ({seeds_note(est['fall_rise'])})"
            if np.isfinite(fall["peak"])
            else "undefined: no unmatched student, or fewer observations than the window",
            value=fall["rise"],
            estimate=est["fall_rise"],
            bar=below(0.0),
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
            measured=f"ρ = {rho:.2f} ({seeds_note(est['fan_out_first'])})"
            if np.isfinite(rho)
            else "undefined: every teacher node specialized at the same observation",
            value=rho,
            estimate=est["fan_out_first"],
        ),
    ]
    return out


POSITIVE = above(0.0, strict=True)  # "> 0": a tie is not "more often"


def deciding(parts: dict[str, tuple[float, Estimate | None]], bar: Bar) -> str:
    """Of statistics that must all clear ``bar`` ({name: (value, estimate or None)}), the one that
    decides their joint verdict: a failing one, else an inconclusive one, else the passing one
    nearest the bar (by its interval's edge; by its value without an interval). Judged on it, the
    claim passes only when every interval clears the bar, and fails when any lies wholly outside."""
    order = {"fail": 0, "inconclusive": 1, "pass": 2}

    def weakness(name):
        value, estimate = parts[name]
        if estimate is None:
            return order["pass" if bar.holds(value) else "fail"], bar.margin(value)
        return order[verdict(estimate, bar)], min(estimate.low - bar.low, bar.high - estimate.high)

    return min(parts, key=weakness)


def judge_lottery(s: dict) -> Claim:
    """Original − re-init, per seed (paired), in the final fraction recovered and in its log-time
    average: both means must be > 0, so the row is judged on the one that decides (:func:`deciding`)."""
    rec, area, loss, est = s["recovered"], s["recovered_area"], s["final_loss"], s["estimates"]
    parts = {
        "final": (rec["original"] - rec["reinit"], est["final"]),
        "log-time average": (area["original"] - area["reinit"], est["area"]),
    }
    name = deciding(parts, POSITIVE)
    return claim(
        "lottery ticket (our protocol): the original init recovers the teacher more often and faster than a re-init",
        source="our protocol, after Frankle & Carbin 2019",
        expected="original − re-init > 0 (paired by seed) in the fraction of teacher nodes recovered, final and averaged over "
        "log-spaced observations",
        measured=f"final {rec['original']:.1%} vs {rec['reinit']:.1%}; log-time average {area['original']:.1%} vs {area['reinit']:.1%}; "
        f"final MSE {loss['original']:.4f} vs {loss['reinit']:.4f}; judged on the {name} difference ({seeds_note(parts[name][1])})",
        value=parts[name][0],
        estimate=parts[name][1],
        bar=POSITIVE,
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
