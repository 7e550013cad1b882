"""entropy_accuracy's compute job: per random architecture and seed, output entropy and logistic accuracy."""

from __future__ import annotations

from dltheory.core.runner import JobRun
from dltheory.figures.entropy_accuracy import SIDES
from dltheory.science.random_architectures import sample_architectures, sweep


def images_and_labels(data, split: str) -> tuple:
    """(images [n, side, side], labels [n]) of one split of a grayscale dataset."""
    x, y = getattr(data, f"x_{split}"), getattr(data, f"y_{split}")
    side = SIDES[data.name]
    return x.reshape(len(x), side, side), y


def measure(job: JobRun) -> dict:
    spec, log = job.params, job.log
    # The shipped digits are stored sorted by class: the split is stratified and shuffled, and the
    # n_train / n_test subsets are drawn from a permutation (dltheory.core.data).
    data = job.dataset(spec["dataset"], n_train=spec["n_train"], n_test=spec["n_test"])
    architectures = sample_architectures(spec["conv"], spec["mlp"], spec["architecture_seed"])
    seeds = job.seeds(spec)
    log(f"{len(architectures)} architectures x {len(seeds)} seeds on {len(data.y_train)} train / {len(data.y_test)} test images")
    table = sweep(architectures, images_and_labels(data, "train"), images_and_labels(data, "test"), seeds, spec, log)
    return {"table": table.assign(dataset=spec["dataset"], projection_dim=spec["projection_dim"])}
