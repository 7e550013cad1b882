"""sparse_coding_locality's claims: sparse-coding atoms of mosaics live in one cell, PCA's do not,
natural-patch atoms are local, and grouped atoms share a shape.

The replicates are the atoms of one dictionary (one seed at the default scale): each claim is
judged on the percentile bootstrap over atoms (over groups for the group claim). The bars are
ours: the paper's body, and with it any number, is not available to us.
"""

from __future__ import annotations

import numpy as np

from dltheory.core.claims import Claim, claim, observation
from dltheory.core.contract import Artifacts
from dltheory.core.uncertainty import above, bootstrap_rows
from dltheory.figures.sparse_coding_locality import SOURCE
from dltheory.science.sparse_coding import shift_correlation

OURS = f"{SOURCE}; bar ours"


def shape_sharing(atoms: np.ndarray, group_size: int) -> np.ndarray:
    """Per group of consecutive atoms [m, side, side]: mean shift correlation between its own atoms
    minus mean shift correlation of its atoms with every atom of other groups, [m / group_size]."""
    corr = shift_correlation(atoms)
    group = np.arange(len(atoms)) // group_size
    same = group[:, None] == group[None, :]
    within = np.where(same & ~np.eye(len(atoms), dtype=bool), corr, 0).sum(axis=1) / (group_size - 1)
    across = np.where(~same, corr, 0).sum(axis=1) / (len(atoms) - group_size)
    return (within - across).reshape(-1, group_size).mean(axis=1)


def _share(values: np.ndarray, level: float) -> float:
    return float(np.mean(values >= level))


def claims(artifacts: Artifacts, bars: dict) -> list[Claim]:
    """(1) the share of mosaic sparse-coding atoms with ≥ ``local_energy`` of their energy in one cell
    exceeds ``most``; (2) PCA and ICA on the same data (observation); (3) the share of natural-patch
    atoms with ≥ ``natural_energy`` within the radius exceeds ``most``; (4) grouped atoms are more
    alike over shifts than atoms of different groups."""
    table, atoms = artifacts["locality"], artifacts["atoms"]
    local, most, natural = bars["local_energy"], bars["most"], bars["natural_energy"]

    def of(data: str, method: str) -> np.ndarray:
        return table[(table.data == data) & (table.method == method)].locality.to_numpy()

    sc, pca, ica, nat = of("mosaic", "sparse coding"), of("mosaic", "PCA"), of("mosaic", "ICA"), of("natural", "sparse coding")
    sc_share = bootstrap_rows(lambda v: _share(v, local), sc)
    nat_share = bootstrap_rows(lambda v: _share(v, natural), nat)
    group_size = int(atoms["group_size"])
    sharing = shape_sharing(atoms["natural_group_sparse_coding"], group_size)
    sharing_est = bootstrap_rows(np.mean, sharing)
    return [
        claim(
            "sparse coding of mosaics learns local atoms: most atoms put nearly all their energy in one cell",
            source=OURS,
            expected=f"share of atoms with >= {local:.0%} of their energy in one cell > {most:.0%}",
            measured=f"{sc_share.value:.0%} of {len(sc)} atoms; median cell share {np.median(sc):.2f}",
            estimate=sc_share,
            bar=above(most, strict=True),
        ),
        observation(
            "second-order and ICA baselines on the same whitened mosaics: share of atoms with one cell holding the energy",
            source="our baselines",
            expected="PCA spreads over cells (chance 1/9); ICA uses higher-order statistics, like sparse coding",
            measured=f"PCA: median cell share {np.median(pca):.2f}, {_share(pca, local):.0%} >= {local:.0%}; "
            f"ICA: median {np.median(ica):.2f}, {_share(ica, local):.0%} >= {local:.0%}",
            value=float(np.median(pca)),
        ),
        claim(
            "on whole natural patches too, sparse-coding atoms are local (distant pixels are nearly independent)",
            source=OURS,
            expected=f"share of atoms with >= {natural:.0%} of their energy within the radius > {most:.0%}",
            measured=f"{nat_share.value:.0%} of {len(nat)} atoms; median share within the radius {np.median(nat):.2f}",
            estimate=nat_share,
            bar=above(most, strict=True),
        ),
        claim(
            "group sparse coding learns one shape at different positions: atoms of a group are shifted copies of each other",
            source=f"{SOURCE}, on pooling; bar ours",
            expected="mean over groups of (within-group − across-group) max shift correlation > 0",
            measured=f"{sharing_est.value:+.3f} over {len(sharing)} groups of {group_size}",
            estimate=sharing_est,
            bar=above(0.0, strict=True),
        ),
    ]
