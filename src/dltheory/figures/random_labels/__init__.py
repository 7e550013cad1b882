"""Figure ``random_labels``: the same network fits true labels and random ones (Zhang, Bengio,
Hardt, Recht & Vinyals 2017, Fig. 1, Table 1 and Theorem 1).

One ReLU MLP architecture (the paper's MLP 1x512 by default) trained by SGD on copies of one data
set whose labels are corrupted with probability p = 0 ... 1, or whose inputs are randomized
(shuffled pixels, random pixels, Gaussian), and on true and random labels with weight decay: every
variant and seed one member of a batched ensemble. (a) training loss against steps per variant;
(b) epochs to fit (training accuracy on the whole training set >= a threshold) against p; (c) test
error against p, with chance (90%); (d) a Table 1 analogue, train and test accuracy with and
without weight decay; (e) Theorem 1's depth-2 ReLU network with 2n + d weights fits n random
labels to float64 rounding, while the same form with fewer hidden units leaves a residual.

Science: :mod:`dltheory.science.randomization` (label corruption, input randomizations, the
batched training with its time to fit, Theorem 1's construction).
"""

from __future__ import annotations

from dltheory.core.contract import Figure, Step, require
from dltheory.core.data import missing_data_errors

NAME = "random_labels"
SOURCE = "Zhang, Bengio, Hardt, Recht & Vinyals 2017 (ICLR; arXiv 1611.03530)"


def check(config: dict) -> None:
    """Corruption levels must include 0 and 1 (the ratio of times to fit and the chance level need
    both ends); the fewer-units networks must have fewer units than points."""
    c = config[NAME]["compute"]
    levels, errors = c["corruption"], []
    if not (0.0 in levels and 1.0 in levels and levels == sorted(set(levels))):
        errors.append(f"{NAME}.compute.corruption: {levels}; allowed: increasing, distinct, including 0 and 1")
    points = c["construction"]["points"]
    if max(c["construction"]["fewer_units"]) >= points:
        errors.append(f"{NAME}.compute.construction.fewer_units: {c['construction']['fewer_units']}; allowed: each < points ({points})")
    if c["n_train"] < c["batch_size"]:
        errors.append(f"{NAME}.compute.n_train: {c['n_train']} < batch_size {c['batch_size']}; allowed: n_train >= batch_size")
    if points > c["n_train"]:
        errors.append(f"{NAME}.compute.construction.points: {points} > n_train {c['n_train']}; allowed: points <= n_train")
    require(errors + missing_data_errors(config["data"], [c["dataset"]]))


FIGURE = Figure(
    name=NAME,
    order=150,
    title="The same network fits true labels and random ones",
    sources=(SOURCE,),
    outputs={"members": "members.csv", "curves": "curves.csv", "construction": "construction.csv"},
    steps=(
        Step(
            "train",
            outputs=("members", "curves"),
            params=lambda c, w: {k: v for k, v in c.items() if k != "construction"},
            threads=2,
            device=True,
            data=True,
            mem_mb=2000,
        ),
        Step(
            "construction",
            outputs=("construction",),
            params=lambda c, w: {"dataset": c["dataset"], "n_train": c["n_train"], "n_test": c["n_test"], **c["construction"]},
            data=True,
        ),
    ),
    check=check,
)
