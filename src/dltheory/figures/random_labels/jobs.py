"""random_labels's compute jobs: (train) every variant of the randomization tests and every seed
of one architecture as one batched ensemble, until each member fits its training set; (construction)
Theorem 1's memorizing network on training images with random labels, beside networks of the same
form with fewer hidden units."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from dltheory.core.runner import JobRun
from dltheory.science.randomization import (
    Architecture,
    Training,
    corrupt_labels,
    fewer_units_residual,
    memorizing_network,
    randomize_inputs,
    train_variants,
    two_layer_relu,
)


def variants(spec: dict) -> pd.DataFrame:
    """One row per variant: its name, label corruption p, input kind and weight decay. Labels
    corrupted at each p of ``corruption`` (p = 0: true labels, p = 1: random labels) and each input
    randomization with true labels, without weight decay; true and random labels with it (Table 1)."""
    rows = [{"variant": _label_name(p), "p": p, "inputs": "original", "weight_decay": 0.0} for p in spec["corruption"]]
    rows += [{"variant": kind.replace("_", " "), "p": 0.0, "inputs": kind, "weight_decay": 0.0} for kind in spec["inputs"]]
    rows += [
        {"variant": f"{_label_name(p)} + weight decay", "p": p, "inputs": "original", "weight_decay": spec["weight_decay"]}
        for p in (0.0, 1.0)
    ]
    return pd.DataFrame(rows)


def _label_name(p: float) -> str:
    return {0.0: "true labels", 1.0: "random labels"}.get(float(p), f"corrupted p={p:g}")


def train(job: JobRun) -> dict:
    spec, log = job.params, job.log
    d = job.dataset(spec["dataset"], spec["n_train"], spec["n_test"])
    seeds, table = job.seeds(spec), variants(spec)
    mean, std = float(d.x_train.mean()), float(d.x_train.std())
    # Input sets: the original images, then each randomization per seed (train and test from one
    # seed's stream, so shuffled pixels use one permutation for both).
    sets = {("original", None): (d.x_train, d.x_test)}
    for kind in spec["inputs"]:
        for seed in seeds:
            # shuffled pixels: one stream for both splits, so one permutation; otherwise a stream per split
            streams = [[seed, 7]] * 2 if kind == "shuffled_pixels" else [[seed, 7, 0], [seed, 7, 1]]
            sets[(kind, seed)] = tuple(
                randomize_inputs(x, kind, np.random.default_rng(s), mean, std) for x, s in zip((d.x_train, d.x_test), streams)
            )
    keys = list(sets)
    members = pd.DataFrame([{**row, "seed": s} for s in seeds for row in table.to_dict("records")])
    input_set = np.array([keys.index(("original", None) if m.inputs == "original" else (m.inputs, m.seed)) for m in members.itertuples()])
    labels = np.stack(
        [corrupt_labels(d.y_train, m.p, d.n_classes, np.random.default_rng([m.seed, 3, i])) for i, m in enumerate(members.itertuples())]
    )
    device = job.device
    to = lambda a: torch.as_tensor(np.ascontiguousarray(a), device=device)  # noqa: E731
    inputs, test_inputs = to(np.stack([sets[k][0] for k in keys])), to(np.stack([sets[k][1] for k in keys]))
    test_labels = to(np.broadcast_to(d.y_test, (len(members), len(d.y_test))))
    log(f"{d.source}: {len(d.y_train)} train / {len(d.y_test)} test; {len(members)} members ({len(table)} variants x {len(seeds)} seeds)")
    architecture = Architecture.from_config(spec["model"], d.image_shape)
    setup = Training(
        architecture, spec["lr"], spec["momentum"], spec["lr_decay"], spec["batch_size"], spec["max_epochs"], spec["fit_accuracy"]
    )
    name = architecture.name
    log(f"{name}: training")
    out = train_variants(
        inputs,
        input_set,
        to(labels),
        test_inputs,
        test_labels,
        members.seed.tolist(),
        members.weight_decay.to_numpy(),
        setup,
        d.n_classes,
        log,
    )
    result = members.assign(
        model=name,
        epochs_to_fit=out["epochs_to_fit"],
        train_accuracy=out["train_accuracy_final"],
        test_accuracy=out["test_accuracy"],
        steps_per_epoch=out["steps_per_epoch"],
    )
    log(
        f"{name}: mean over seeds\n"
        + result.groupby("variant", sort=False)[["epochs_to_fit", "train_accuracy", "test_accuracy"]].mean().round(4).to_string()
    )
    epochs, curves = np.arange(spec["max_epochs"] + 1), []
    for i, m in enumerate(result.itertuples()):
        ran = np.isfinite(out["train_loss"][i])
        curves.append(
            pd.DataFrame(
                {
                    "model": name,
                    "variant": m.variant,
                    "seed": m.seed,
                    "epoch": epochs[ran],
                    "step": epochs[ran] * out["steps_per_epoch"],
                    "train_loss": out["train_loss"][i][ran],
                    "train_accuracy": out["train_accuracy"][i][ran],
                }
            )
        )
    return {"members": result, "curves": pd.concat(curves, ignore_index=True)}


def construction(job: JobRun) -> dict:
    """Per seed: random labels y ~ N(0, 1) on the first ``points`` training images; Theorem 1's network
    (2n + d weights) and the best fit of the same form with each count of ``fewer_units``."""
    spec = job.params
    d = job.dataset(spec["dataset"], spec["n_train"], spec["n_test"])
    x = d.x_train[: spec["points"]].astype(np.float64)
    n, dim = x.shape
    rows = []
    for seed in job.seeds(spec):
        rng = np.random.default_rng([seed, 11])
        y = rng.standard_normal(n)
        a, b, w = memorizing_network(x, y, rng, spec["directions"])
        residual = np.linalg.norm(two_layer_relu(x, a, b, w) - y) / np.linalg.norm(y)
        rows.append({"seed": seed, "units": n, "weights": 2 * n + dim, "points": n, "relative_residual": residual, "exact": True})
        for units in spec["fewer_units"]:
            rows.append(
                {
                    "seed": seed,
                    "units": units,
                    "weights": 2 * units + dim,
                    "points": n,
                    "relative_residual": fewer_units_residual(x, y, units, rng),
                    "exact": False,
                }
            )
    table = pd.DataFrame(rows)
    job.log(f"{n} points in {dim} dimensions\n" + table.groupby("units").relative_residual.agg(["min", "max"]).to_string())
    return {"construction": table}
