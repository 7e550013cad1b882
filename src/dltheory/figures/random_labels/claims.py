"""random_labels's claims: every variant fits; random labels take a small factor longer, and the time
to fit grows with p; the test error rises with p to chance (90%); weight decay does not stop the
fit; Theorem 1's network fits n random labels exactly. Intervals are over seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from dltheory.core.claims import Claim, claim, observation
from dltheory.core.contract import Artifacts
from dltheory.core.uncertainty import above, below, bootstrap_rows, mean_interval, near, within
from dltheory.figures.random_labels import SOURCE

CHANCE_ERROR = 0.9  # ten classes


def per_seed(members: pd.DataFrame, column: str) -> pd.DataFrame:
    """``column`` as a [seed, variant] table."""
    return members.pivot_table(index="seed", columns="variant", values=column, dropna=False)


def _spearman_by_seed(members: pd.DataFrame, column: str) -> np.ndarray:
    """Per seed, Spearman's rank correlation of ``column`` with p over the label-corruption variants
    (no weight decay, original inputs). NaN (never fitted) ranks last: the slowest."""
    rows = members[(members.inputs == "original") & (members.weight_decay == 0)]
    return np.array([stats.spearmanr(g.p, g[column].fillna(np.inf)).statistic for _, g in rows.groupby("seed")])


def claims(artifacts: Artifacts, bars: dict) -> list[Claim]:
    out = []
    for model, members in artifacts["members"].groupby("model", sort=False):
        out += _model_claims(model, members, bars)
    return out + _construction_claims(artifacts["construction"], bars)


def _model_claims(model: str, members: pd.DataFrame, bars: dict) -> list[Claim]:
    plain = members[members.weight_decay == 0]
    train, fit, test = per_seed(plain, "train_accuracy"), per_seed(members, "epochs_to_fit"), per_seed(members, "test_accuracy")
    n_seeds = len(train)
    worst = train.min(axis=1)  # per seed: the lowest final training accuracy over the variants
    rows = [
        claim(
            f"{model}: every variant (corrupted labels at every p, shuffled pixels, random pixels, Gaussian) fits its training set",
            source=f"{SOURCE}, §2 and Fig. 1a ('Deep neural networks easily fit random labels')",
            expected=f"lowest final training accuracy over the {train.shape[1]} variants >= {bars['fit_accuracy']:.0%} (bar ours: the paper's ~100%)",
            measured=f"{worst.mean():.2%} (mean over {n_seeds} seeds of the lowest variant)",
            estimate=mean_interval(worst),
            bar=above(bars["fit_accuracy"]),
        )
    ]
    pair = fit[["true labels", "random labels"]].to_numpy()
    ratio = lambda v: np.nanmean(v[:, 1]) / np.nanmean(v[:, 0]) if np.isfinite(v).all() else np.nan  # noqa: E731
    rows.append(
        claim(
            f"{model}: fitting random labels takes longer than true labels, by a small constant factor",
            source=f"{SOURCE}, §2 ('training time increases only by a small constant factor compared with training on the true labels')",
            expected=f"1 < epochs to fit (random) / (true) < {bars['max_time_ratio']:g} (bar ours: 'small')",
            measured=f"{ratio(pair):.2f} ({np.nanmean(pair[:, 1]):.1f} / {np.nanmean(pair[:, 0]):.1f} epochs, {n_seeds} seeds)",
            estimate=bootstrap_rows(ratio, pair),
            bar=within(1.0, bars["max_time_ratio"], strict=True),
        )
    )
    # Monotone in p: Spearman's rho per seed, above 0 (bar ours), for the time to fit and the test error.
    for column, label, statement, source in (
        (
            "epochs_to_fit",
            "epochs to fit",
            "the time to fit grows",
            "Fig. 1b ('the slowdown of the convergence time with increasing level of label noises')",
        ),
        ("test_error", "test error", "the test error rises", "Fig. 1c"),
    ):
        rho = _spearman_by_seed(members.assign(test_error=1 - members.test_accuracy), column)
        rows.append(
            claim(
                f"{model}: {statement} with the label corruption p",
                source=f"{SOURCE}, {source}",
                expected=f"Spearman correlation of {label} with p > 0 (per seed; bar ours)",
                measured=f"{rho.mean():.2f} (mean over {n_seeds} seeds)",
                estimate=mean_interval(rho),
                bar=above(0.0, strict=True),
            )
        )
    chance = 1 - test["random labels"]
    rows.append(
        claim(
            f"{model}: with random labels (p = 1) the test error is chance, 90%",
            source=f"{SOURCE}, Fig. 1c ('As the noise level approaches 1, the generalization errors converge to 90%')",
            expected=f"test error at p = 1 within {CHANCE_ERROR:.0%} +- {bars['chance_tolerance']:.0%}",
            measured=f"{chance.mean():.1%} (mean over {n_seeds} seeds)",
            estimate=mean_interval(chance),
            bar=near(CHANCE_ERROR, bars["chance_tolerance"]),
        )
    )
    decayed = per_seed(members, "train_accuracy")["random labels + weight decay"]
    rows.append(
        claim(
            f"{model}: with weight decay the network still fits random labels",
            source=f"{SOURCE}, abstract and Table 1 ('qualitatively unaffected by explicit regularization')",
            expected=f"final training accuracy on random labels with weight decay >= {bars['fit_accuracy']:.0%} (bar ours)",
            measured=f"{decayed.mean():.2%} (mean over {n_seeds} seeds)",
            estimate=mean_interval(decayed),
            bar=above(bars["fit_accuracy"]),
        )
    )
    if "gaussian" in fit:
        faster = (fit["random labels"] - fit["gaussian"]).to_numpy()
        rows.append(
            observation(
                f"{model}: Gaussian inputs are fitted faster than random labels (the paper's Fig. 1a shows it; it is not a stated claim)",
                source=f"{SOURCE}, Fig. 1a and §2.2",
                expected="epochs to fit random labels - Gaussian inputs > 0",
                measured=f"{np.nanmean(faster):.1f} epochs (mean over {n_seeds} seeds)",
                estimate=mean_interval(faster) if np.isfinite(faster).all() else None,
            )
        )
    table = ", ".join(
        f"{v}: train {per_seed(members, 'train_accuracy')[v].mean():.1%} / test {test[v].mean():.1%}"
        for v in ("true labels", "true labels + weight decay", "random labels", "random labels + weight decay")
    )
    rows.append(
        observation(
            f"{model}: Table 1 analogue, train / test accuracy with and without weight decay",
            source=f"{SOURCE}, Table 1 (CIFAR-10, MLP 1x512: train ~100%, test ~50% on true labels; ~10% test on random labels)",
            expected="train ~100% everywhere; test well above 10% on true labels, ~10% on random labels",
            measured=table,
        )
    )
    return rows


def _construction_claims(table: pd.DataFrame, bars: dict) -> list[Claim]:
    exact, fewer = table[table.exact], table[~table.exact]
    n, weights = int(exact.points.iloc[0]), int(exact.weights.iloc[0])
    worst = float(exact.relative_residual.max())
    largest = fewer[fewer.units == fewer.units.max()]
    return [
        claim(
            "Theorem 1: a depth-2 ReLU network with 2n + d weights represents any labelling of n points in d dimensions",
            source=f"{SOURCE}, §4, Theorem 1 (the construction of its proof, in float64)",
            expected=f"relative residual |c(x) - y| / |y| < {bars['exact_residual']:g} on n = {n} images with labels N(0, 1) (bar ours: rounding)",
            measured=f"{worst:.2e} (largest of {len(exact)} draws; {weights} weights)",
            value=worst,
            bar=below(bars["exact_residual"]),
        ),
        observation(
            "the same form with fewer hidden units (2k + d weights, k < n) leaves a residual on random labels",
            source=f"{SOURCE}, §4 (ours: least squares on the output weights)",
            expected="relative residual clearly above Theorem 1's",
            measured=", ".join(f"k = {k}: {g.relative_residual.mean():.3f}" for k, g in fewer.groupby("units"))
            + f" (mean over {largest.seed.nunique()} draws)",
            value=float(largest.relative_residual.min()),
        ),
    ]
