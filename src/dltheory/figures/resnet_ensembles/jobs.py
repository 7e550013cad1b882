"""resnet_ensembles's compute jobs, two per seed: (lesion) a residual network trained from
scratch, its lesions at test time and its gradient per path length; (plain) its plain twin
trained the same way and its single deletions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from dltheory.core.runner import JobRun
from dltheory.science import residual_paths as rp


def _images(x: np.ndarray, channels: int, device) -> torch.Tensor:
    side = int(np.sqrt(x.shape[1] // channels))
    return torch.tensor(x).reshape(-1, channels, side, side).to(device)


def _trained(job: JobRun, architecture: str) -> tuple[rp.ResNet, list[dict], tuple[torch.Tensor, ...]]:
    """The ``architecture`` ("resnet" or "plain") of this job's seed trained from scratch, one row
    per block with the test error once that block is deleted, and the data (x, y, x_test, y_test).
    Each network starts from ``torch.manual_seed(seed)``: the two train alike in one job or two."""
    spec, seed = job.params, job.params["seed"]
    data = job.dataset(spec["dataset"], n_train=spec["n_train"], n_test=spec["n_test"])
    channels = 3 if spec["dataset"] == "cifar10" else 1
    x, y = _images(data.x_train, channels, job.device), torch.tensor(data.y_train).to(job.device)
    x_test, y_test = _images(data.x_test, channels, job.device), torch.tensor(data.y_test).to(job.device)
    options = {k: spec[k] for k in ("epochs", "batch_size", "lr", "momentum", "weight_decay", "milestones")}
    torch.manual_seed(seed)
    net = rp.ResNet(channels, spec["blocks"], spec["channels"], data.n_classes, architecture == "resnet").to(job.device)
    losses = rp.train(net, x, y, augmented=spec["augment"], seed=seed, **options)
    baseline, errors = rp.error(net, x_test, y_test), rp.single_deletions(net, x_test, y_test)
    job.log(
        f"{architecture}: final training loss {losses[-1]:.3f}, test error {baseline:.3f}, single deletions {np.round(errors, 3).tolist()}"
    )
    single = [
        {
            "seed": seed,
            "architecture": architecture,
            "block": i,
            "downsampling": b.downsampling,
            "baseline": baseline,
            "error": e,
            "train_loss": losses[-1],
        }
        for i, (b, e) in enumerate(zip(net.blocks, errors))
    ]
    return net, single, (x, y, x_test, y_test)


def plain(job: JobRun) -> dict:
    """``plain``: the plain network's single deletions, one row per block (as ``single``)."""
    _, single, _ = _trained(job, "plain")
    return {"plain": pd.DataFrame(single)}


def lesion(job: JobRun) -> dict:
    """``single``: one row per block of the residual network, the test error with that block
    deleted (and without, ``baseline``); ``curves``: its test error with k random blocks deleted
    (``deleted``) or k random pairs of blocks swapped (``swapped``), one row per sample;
    ``paths``: one row per path length k, sampled subset and training image, the norm of the
    gradient that reaches the image through that single path."""
    spec, seed = job.params, job.params["seed"]
    net, single, (x, y, x_test, y_test) = _trained(job, "resnet")
    n, rng = len(net.blocks), np.random.default_rng(seed)
    lesions, curves = spec["lesions"], []
    for k in lesions["deleted"]:
        for sample, subset in enumerate(rp.sample_subsets(n, k, lesions["samples"], rng)):
            curves.append(
                {
                    "seed": seed,
                    "lesion": "deleted",
                    "k": k,
                    "sample": sample,
                    "error": rp.error(net, x_test, y_test, deleted=set(np.flatnonzero(subset))),
                }
            )
    pairs = rp.swappable_pairs(net)
    for k in lesions["swaps"]:
        for sample in range(lesions["samples"]):
            curves.append(
                {
                    "seed": seed,
                    "lesion": "swapped",
                    "k": k,
                    "sample": sample,
                    "error": rp.error(net, x_test, y_test, order=rp.swapped_order(n, pairs, k, rng)),
                }
            )
    job.log("mean error by lesion and k:\n" + pd.DataFrame(curves).groupby(["lesion", "k"]).error.mean().to_string())
    return {"single": pd.DataFrame(single), "curves": pd.DataFrame(curves), "paths": _paths(net, x, y, spec["paths"], rng, seed)}


def _paths(net: rp.ResNet, x: torch.Tensor, y: torch.Tensor, spec: dict, rng: np.random.Generator, seed: int) -> pd.DataFrame:
    """For every path length k = 0..n: ``samples`` subsets of k blocks, each on one batch of
    ``images`` training images drawn at random, the norm of each image's gradient."""
    n, rows = len(net.blocks), []
    for k in range(n + 1):
        batch = torch.as_tensor(rng.choice(len(y), spec["images"], replace=False), device=y.device)
        norms = rp.path_gradients(net, x[batch], y[batch], rp.sample_subsets(n, k, spec["samples"], rng)).flatten(2).norm(dim=2)
        rows += [{"seed": seed, "k": k, "sample": s, "image": i, "norm": float(v)} for (s, i), v in np.ndenumerate(norms.cpu().numpy())]
    return pd.DataFrame(rows)
