"""Figure ``entropy_accuracy``: random features of larger entropy give better classification accuracy
(Yuan et al. 2021, "Learning Structures for Deep Neural Networks", abstract and Fig. 2).

(a) Test accuracy of a logistic regression on the outputs of random-weight networks against the
entropy of those outputs (the primary estimator, the Gaussian log-det), one point per network
(architecture × seed), colored by family (conv, MLP), with Spearman's ρ and its interval over
architectures. (b) The same with the k-NN estimator. (c) Entropy against the output dimension: the
control for "it is just the width".

Our protocol (the paper's networks and estimator are not available): a sweep of conv and MLP
architectures with random weights on shipped MNIST digits; entropy by ``entropy_gain``'s view and
estimators; rank correlation over architectures, resampled with their seeds.

Science: :mod:`dltheory.science.random_architectures` (the architectures, the features, the
classifier, the rank statistics), reusing :mod:`dltheory.science.feature_entropy` and
:mod:`dltheory.science.differential_entropy` (the view and the estimators).
"""

from __future__ import annotations

import math

from dltheory.core.contract import Figure, Step, require
from dltheory.core.data import missing_data_errors

NAME = "entropy_accuracy"
SOURCE = "Yuan et al. 2021, abstract and Fig. 2 (arXiv 2105.13905)"
SIDES = {"mnist_5k": 28, "digits": 8, "mnist": 28}  # image side of each grayscale dataset


def check(config: dict) -> None:
    """The conv output grid must not exceed the last map (each pooled layer halves its side, rounding
    up); the projection must not exceed the smallest output dimension; the k-NN estimator needs
    more training images than neighbours."""
    c = config[NAME]["compute"]
    errors = []
    conv, grid = c["conv"], c["grid"]
    if conv["count"] and True in conv["pooling"]:
        side = SIDES[c["dataset"]]
        for _ in range(max(conv["layers"])):
            side = math.ceil(side / 2)
        if grid > side:
            errors.append(
                f"{NAME}.compute.grid: {grid} exceeds the {side}x{side} map left by {max(conv['layers'])} pooled layers on "
                f"{c['dataset']}; allowed: grid <= {side}"
            )
    smallest = min([w * grid * grid for w in conv["channels"]] * bool(conv["count"]) + list(c["mlp"]["widths"]) * bool(c["mlp"]["count"]))
    if c["projection_dim"] > smallest:
        errors.append(
            f"{NAME}.compute.projection_dim: {c['projection_dim']} exceeds the smallest output dimension {smallest}; "
            f"allowed: projection_dim <= {smallest}"
        )
    if c["conv"]["count"] + c["mlp"]["count"] < 4:
        errors.append(f"{NAME}.compute: conv.count + mlp.count = {c['conv']['count'] + c['mlp']['count']}; allowed: >= 4 architectures")
    require(errors + missing_data_errors(config["data"], [c["dataset"]]))


FIGURE = Figure(
    name=NAME,
    order=140,
    title="Random features of larger entropy give better classification accuracy",
    sources=(SOURCE,),
    outputs={"table": "sweep.csv"},
    steps=(Step("measure", outputs=("table",), data=True, threads=2, mem_mb=2000),),
    check=check,
)
