"""entropy_accuracy's claims: the rank correlation of output entropy and test accuracy over random architectures.

One row of the table is one network (architecture × seed). Every interval is a percentile
bootstrap over architectures: an architecture is drawn with all of its seeds, since the seeds of
one architecture share its structure and are not independent evidence about structures. The
replicates kept are the statistic over the architectures of each seed alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dltheory.core.claims import Claim, claim, observation
from dltheory.core.contract import Artifacts
from dltheory.core.uncertainty import Estimate, above, bootstrap_interval
from dltheory.figures.entropy_accuracy import SOURCE
from dltheory.science.random_architectures import grouped_rows, partial_spearman, spearman

LABELS = {"gaussian": "Gaussian log-det", "knn": "whitened k-NN"}
OURS = "ours: a control of the paper's statement (Yuan et al. 2021, arXiv 2105.13905)"


def correlation(table: pd.DataFrame, entropy: str, control: str | None = None) -> Estimate:
    """Spearman ρ(entropy, test accuracy) over the networks of ``table`` (partial, given
    ``control``, when named), with its bootstrap over architectures."""

    # The columns as arrays, once: a resample is an index array into them (2,000 resamples of
    # DataFrame rows cost seconds of pandas indexing for microseconds of arithmetic).
    x, y = table[entropy].to_numpy(), table.test_accuracy.to_numpy()
    z = table[control].to_numpy() if control is not None else None

    def statistic(rows: np.ndarray) -> float:
        return spearman(x[rows], y[rows]) if z is None else partial_spearman(x[rows], y[rows], z[rows])

    groups = grouped_rows(table.architecture.to_numpy())
    each_seed = [statistic(rows) for rows in grouped_rows(table.seed.to_numpy())] if table.architecture.nunique() > 2 else []
    return bootstrap_interval(lambda picked: statistic(np.concatenate([groups[g] for g in picked])), len(groups), replicates=each_seed)


def described(e: Estimate, table: pd.DataFrame) -> str:
    return f"ρ = {e.value:+.2f} {e.text} ({table.architecture.nunique()} architectures × {table.seed.nunique()} seeds)"


def claims(artifacts: Artifacts, bars: dict) -> list[Claim]:
    """The paper's direction with the primary estimator (``bars['primary_estimator']``, fixed before
    the run): ρ(entropy, test accuracy) > 0 over every network, the whole interval above 0. As
    observations: the same with the other estimator, within each family, and given the output
    dimension (partial rank correlation) — is it only the width?"""
    table = artifacts["table"]
    primary = bars["primary_estimator"]
    other = next(name for name in LABELS if name != primary)
    column = f"entropy_{primary}"
    overall = correlation(table, column)
    rows = [
        claim(
            f"random-weight networks whose outputs have larger entropy give a more accurate linear classifier "
            f"(entropy: {LABELS[primary]}, primary)",
            source=SOURCE,
            expected="Spearman ρ(entropy, test accuracy) > 0 over architectures and seeds",
            measured=f"{described(overall, table)}; test accuracy {table.test_accuracy.min():.2f}–{table.test_accuracy.max():.2f}",
            estimate=overall,
            bar=above(0.0, strict=True),
        )
    ]
    second = correlation(table, f"entropy_{other}")
    rows.append(
        observation(
            f"the same rank correlation with the {LABELS[other]} estimator",
            source=OURS,
            expected="positive, like the primary estimator's",
            measured=described(second, table),
            estimate=second,
        )
    )
    for family, part in table.groupby("family"):
        if part.architecture.nunique() > 2:
            within = correlation(part, column)
            rows.append(
                observation(
                    f"within the {family} family alone ({LABELS[primary]})",
                    source=OURS,
                    expected="positive if the relation is not only the difference between the families",
                    measured=described(within, part),
                    estimate=within,
                )
            )
    given_units = correlation(table, column, control="units")
    rows.append(
        observation(
            f"partial rank correlation of entropy ({LABELS[primary]}) and test accuracy given the output dimension",
            source=OURS,
            expected="positive if the relation is not only the width of the outputs",
            measured=described(given_units, table),
            estimate=given_units,
        )
    )
    return rows
