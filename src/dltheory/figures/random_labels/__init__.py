"""Figure ``random_labels``: the same network fits true labels and random ones (Zhang, Bengio,
Hardt, Recht & Vinyals 2017, Fig. 1, Table 1 and Theorem 1).

Each architecture (by default the paper's MLP 1x512 and a small conv net) trained by SGD on copies
of one data set whose labels are corrupted with probability p = 0 ... 1, or whose inputs are
randomized (shuffled pixels, random pixels, Gaussian), and on true and random labels with weight
decay: every variant and seed one member of a batched ensemble, one job per architecture. (a) training loss against steps per variant;
(b) epochs to fit (training accuracy on the whole training set >= a threshold) against p and (c)
test error against p, with chance (90%), per architecture; (d) a Table 1 analogue, train and test accuracy with and
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


def model_key(entry: dict) -> str:
    """The file-name key of a ``models`` entry: ``mlp_512``, ``mlp_512-512-512``, ``conv_8-16_128``
    (channels, then dense widths)."""
    dense = "-".join(map(str, entry["hidden"]))
    return f"conv_{'-'.join(map(str, entry['conv']))}_{dense}" if "conv" in entry else f"mlp_{dense}"


def check(config: dict) -> None:
    """Corruption levels must include 0 and 1 (the ratio of times to fit and the chance level need
    both ends); the fewer-units networks must have fewer units than points; no architecture twice."""
    c = config[NAME]["compute"]
    levels, errors = c["corruption"], []
    keys = [model_key(m) for m in c["models"]]
    if len(set(keys)) < len(keys):
        errors.append(f"{NAME}.compute.models: {c['models']}; allowed: each architecture once")
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


def artifacts(config: dict) -> dict[str, str | list[str]]:
    """Every architecture's tables (one training job each), read as one table, and Theorem 1's."""
    keys = [model_key(m) for m in config[NAME]["compute"]["models"]]
    return {
        "members": [FIGURE.output("members", model=k) for k in keys],
        "curves": [FIGURE.output("curves", model=k) for k in keys],
        "construction": FIGURE.output("construction"),
    }


def _train_params(compute: dict, wildcards) -> dict:
    """The variants and training settings every architecture shares, and this job's architecture
    (its wildcard): adding an architecture to the config trains only that one."""
    model = next(m for m in compute["models"] if model_key(m) == wildcards["model"])
    return {**{k: v for k, v in compute.items() if k not in ("construction", "models")}, "model": model}


FIGURE = Figure(
    name=NAME,
    order=150,
    title="The same network fits true labels and random ones",
    sources=(SOURCE,),
    outputs={"members": "members_{model}.csv", "curves": "curves_{model}.csv", "construction": "construction.csv"},
    steps=(
        Step(
            "train",
            outputs=("members", "curves"),
            params=_train_params,
            wildcards={"model": lambda c: "|".join(model_key(m) for m in c["models"])},
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
    artifacts=artifacts,
    check=check,
)
