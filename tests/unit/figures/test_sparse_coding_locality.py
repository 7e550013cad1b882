"""sparse_coding_locality's claims at their bars (config sparse_coding_locality.claims), on planted
atoms whose locality and shape sharing are known."""

import numpy as np
import pandas as pd
import pytest
from shipped import bars

from dltheory.figures.sparse_coding_locality import claims as fig
from dltheory.science.sparse_coding import shift_correlation

BARS = bars("sparse_coding_locality")
GROUP = 4


def shifted_groups(groups: int) -> np.ndarray:
    """``groups`` groups of GROUP atoms [24, 24]: a group is one random 5 × 5 shape at GROUP positions."""
    rng = np.random.default_rng(0)
    atoms = np.zeros((groups * GROUP, 24, 24))
    for g in range(groups):
        shape = rng.standard_normal((5, 5))
        for j in range(GROUP):
            atoms[g * GROUP + j, 4 * j : 4 * j + 5, 3 : 3 + 5] = shape
    return atoms


def artifacts(mosaic_sc, natural_sc, grouped: np.ndarray) -> dict:
    """Locality tables with the given values; PCA and ICA fixed."""

    def rows(data, method, values):
        return pd.DataFrame({"data": data, "method": method, "atom": np.arange(len(values)), "locality": values})

    table = pd.concat(
        [
            rows("mosaic", "sparse coding", mosaic_sc),
            rows("mosaic", "PCA", [0.2] * 8),
            rows("mosaic", "ICA", [0.8] * 8),
            rows("natural", "sparse coding", natural_sc),
        ],
        ignore_index=True,
    )
    return {"locality": table, "atoms": {"natural_group_sparse_coding": grouped, "group_size": np.array(GROUP)}}


def verdicts(mosaic_sc, natural_sc, grouped) -> list:
    return [c.verdict for c in fig.claims(artifacts(mosaic_sc, natural_sc, grouped), BARS)]


def test_bars_are_the_shipped_ones():
    assert BARS == {"local_energy": 0.9, "natural_energy": 0.5, "most": 0.5}


@pytest.mark.parametrize(
    "share_local, verdict",
    [(1.0, "pass"), (0.9, "pass"), (0.5, "inconclusive"), (0.1, "fail"), (0.0, "fail")],
)
def test_most_mosaic_atoms_in_one_cell(share_local, verdict):
    n = 40
    values = np.where(np.arange(n) < share_local * n, 0.95, 0.3)
    claim = fig.claims(artifacts(values, [0.9] * 8, shifted_groups(4)), BARS)[0]
    assert claim.value == pytest.approx(share_local) and claim.verdict == verdict


def test_natural_atoms_within_the_radius():
    assert verdicts([0.95] * 8, [0.8] * 20, shifted_groups(4))[2] == "pass"
    assert verdicts([0.95] * 8, [0.2] * 20, shifted_groups(4))[2] == "fail"


def test_shifted_copies_share_their_shape_and_random_atoms_do_not():
    grouped = fig.claims(artifacts([0.95] * 8, [0.8] * 8, shifted_groups(6)), BARS)[3]
    assert grouped.verdict == "pass" and grouped.value > 0.3
    rng = np.random.default_rng(1)
    unrelated = shifted_groups(6)[rng.permutation(24)]  # groups of atoms with different shapes
    assert fig.claims(artifacts([0.95] * 8, [0.8] * 8, unrelated), BARS)[3].value < grouped.value


def test_shape_sharing_known_answer():
    """Groups of exact shifted copies: within-group correlation 1, so the score is 1 − across."""
    atoms = shifted_groups(3)
    across = shift_correlation(atoms)[np.arange(12)[:, None] // GROUP != np.arange(12)[None] // GROUP].mean()
    assert fig.shape_sharing(atoms, GROUP).mean() == pytest.approx(1 - across)
