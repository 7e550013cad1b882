"""entropy_gain's claims: the first layer's gain, the vanishing late gain, the falling total correlation."""

from __future__ import annotations

import pandas as pd

from dltheory.core.claims import Claim, claim
from dltheory.core.contract import Artifacts
from dltheory.figures.entropy_gain import SOURCE

LABELS = {"knn": "Kozachenko–Leonenko k-NN, whitened", "gaussian": "Gaussian log-det (upper bound)"}


def late_layers(depth: int) -> list[int]:
    """The last third of the layers 1 .. depth (at least the last one)."""
    return list(range(min(depth, 2 * depth // 3 + 1), depth + 1))


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per estimator and layer: mean, s.d. and s.e.m. over seeds of entropy, gain and total correlation."""
    grouped = table.groupby(["estimator", "layer"])[["entropy", "gain", "total_correlation"]]
    out = grouped.mean()
    for stat in ("std", "sem"):
        out = out.join(grouped.agg(stat).add_suffix(f"_{stat}"))
    out["seeds"] = grouped.size()
    return out.reset_index()


def claims(artifacts: Artifacts, bars: dict) -> list[Claim]:
    """For each estimator: the first layer's gain is > 0 (by more than 2 s.e.m. over seeds); the
    mean gain over the last third of the layers is below ``bars['max_late_gain_fraction']`` of the
    first layer's; the total correlation at the last layer is below that of the patches."""
    table, max_late = artifacts["table"], bars["max_late_gain_fraction"]
    out = []
    depth = int(table.layer.max())
    late = late_layers(depth)
    for estimator in [e for e in LABELS if e in set(table.estimator)]:
        rows = table[table.estimator == estimator]
        s = summary(rows).set_index("layer")
        first, first_sem = s.gain[1], s.gain_sem[1]
        late_gain = rows[rows.layer.isin(late)].gain.mean()
        tc0, tc_last = s.total_correlation[0], s.total_correlation[depth]
        seeds_falling = int(
            (
                rows[rows.layer == depth].set_index("seed").total_correlation < rows[rows.layer == 0].set_index("seed").total_correlation
            ).sum()
        )
        name = f"{estimator} estimator"
        out += [
            claim(
                f"the first layer raises the entropy of the representation ({name})",
                source=SOURCE,
                expected="gain of layer 1 > 0 (by > 2 s.e.m. over seeds)",
                measured=f"{first:+.2f} ± {first_sem:.2f} bits (s.e.m., {int(s.seeds[1])} seeds); {s.entropy[0]:.2f} → {s.entropy[1]:.2f} bits",
                passed=bool(first - 2 * first_sem > 0),
                value=float(first),
            ),
            claim(
                f"the gain vanishes in the last layers: mean gain of layers {late[0]}–{late[-1]} / gain of layer 1 ({name})",
                source=SOURCE,
                expected=f"< {max_late:.0%}",
                measured=f"{late_gain / first:.0%} ({late_gain:+.3f} / {first:+.3f} bits)",
                passed=bool(first > 0 and late_gain / first < max_late),
                value=float(late_gain / first),
            ),
            claim(
                f"total correlation (redundancy) falls with depth ({name})",
                source=SOURCE,
                expected=f"TC at layer {depth} < TC of the patches",
                measured=f"{tc0:.2f} → {tc_last:.2f} bits (mean); lower in {seeds_falling} of {int(s.seeds[depth])} seeds",
                passed=bool(tc_last < tc0),
                value=float(tc_last - tc0),
            ),
        ]
    return out
