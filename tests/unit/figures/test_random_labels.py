"""random_labels's claims at their bars, on member tables with known outcomes."""

import numpy as np
import pandas as pd
from shipped import bars

from dltheory.figures.random_labels import claims as fig

BARS = bars("random_labels")
LEVELS = [0.0, 0.5, 1.0]


def members(random_epochs=(20, 22, 21), test_at_random=(0.10, 0.11, 0.09), decayed_train=1.0, train=1.0) -> pd.DataFrame:
    """Three seeds; true labels fit in 5 epochs, p = 0.5 in 12, random labels in ``random_epochs``;
    test accuracy falls from 0.95 to ``test_at_random``."""
    rows = []
    for s in range(3):
        for p, epochs, test in zip(LEVELS, (5, 12, random_epochs[s]), (0.95, 0.6, test_at_random[s])):
            name = {0.0: "true labels", 1.0: "random labels"}.get(p, f"corrupted p={p:g}")
            rows.append((name, p, "original", 0.0, s, epochs, train, test))
        rows.append(("gaussian", 0.0, "gaussian", 0.0, s, 15, 1.0, 0.1))
        rows.append(("true labels + weight decay", 0.0, "original", 5e-4, s, 6, 1.0, 0.95))
        rows.append(("random labels + weight decay", 1.0, "original", 5e-4, s, 30, decayed_train, 0.1))
    table = pd.DataFrame(
        rows, columns=["variant", "p", "inputs", "weight_decay", "seed", "epochs_to_fit", "train_accuracy", "test_accuracy"]
    )
    return table.assign(model="MLP 1x512")


def construction(residual=1e-10) -> pd.DataFrame:
    rows = [{"seed": s, "units": 100, "weights": 264, "points": 100, "relative_residual": residual, "exact": True} for s in range(2)]
    rows += [{"seed": s, "units": 50, "weights": 164, "points": 100, "relative_residual": 0.6, "exact": False} for s in range(2)]
    return pd.DataFrame(rows)


def verdicts(**options) -> dict:
    residual = options.pop("residual", 1e-10)
    rows = fig.claims({"members": members(**options), "construction": construction(residual)}, BARS)
    # keyed by the first two words after the model's name ("fitting random", "with weight", "Theorem 1:")
    return {" ".join(c.claim.removeprefix("MLP 1x512: ").split()[:2]): c.verdict for c in rows if c.kind == "claim"}


def test_a_clean_replication_passes_every_claim():
    assert set(verdicts().values()) == {"pass"}


def test_an_unfitted_variant_fails_the_fit_claims():
    v = verdicts(train=0.5, decayed_train=0.5)
    assert v["every variant"] == "fail"
    assert v["with weight"] == "fail"


def test_the_time_ratio_is_judged_against_the_small_factor_bar():
    slow = BARS["max_time_ratio"] * 5 * 2
    assert verdicts(random_epochs=(slow, slow + 1, slow - 1))["fitting random"] == "fail"
    # random labels never fitted: the ratio is undefined, and nothing was shown
    assert verdicts(random_epochs=(np.nan, 20, 21))["fitting random"] == "fail"


def test_test_error_far_from_chance_fails():
    assert verdicts(test_at_random=(0.5, 0.52, 0.48))["with random"] == "fail"


def test_theorem_1_residual_at_its_bar():
    assert verdicts(residual=10 * BARS["exact_residual"])["Theorem 1:"] == "fail"
