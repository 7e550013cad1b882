"""bn_projection's compute jobs: the BatchNorm identities on random batches, and SGD on small
Linear→(ReLU→)BN networks recording their first layer's rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from dltheory.core.data import load_for_job
from dltheory.core.runner import JobRun
from dltheory.figures.bn_projection import NETWORKS
from dltheory.science.batchnorm import (
    autograd_backward,
    batchnorm_backward,
    idempotence_defect,
    network,
    normalize,
    projection_defect,
    train_recording_rows,
)


def identities(job: JobRun) -> dict:
    """Per batch size N and eps: ``channels`` nodes with random means, scales and upstream
    gradients; the closed form (1) against autograd, and P's distance from a projection."""
    spec = job.params
    rng = np.random.default_rng(spec["seed"])
    C = spec["channels"]
    rows = []
    for n in spec["batch_sizes"]:
        for eps in spec["eps"]:
            f = rng.normal(rng.normal(0, 3, C), np.exp(rng.uniform(np.log(0.1), np.log(10), C)), (n, C))  # [N, C]
            g = rng.standard_normal((n, C))
            gamma, beta = rng.uniform(0.5, 2.0, C), rng.standard_normal(C)
            xhat, s = normalize(f, eps)
            closed, reference = batchnorm_backward(g, xhat, s, gamma), autograd_backward(f, g, gamma, beta, eps)
            variance = ((f - f.mean(0)) ** 2).mean(0)
            r = variance / (variance + eps)
            predicted_defects = idempotence_defect(variance, eps)  # r(1 − r) per node
            defects, ranks = zip(*(projection_defect(xhat[:, c]) for c in range(C)))
            norm_g, norm_x = np.linalg.norm(closed, axis=0), np.linalg.norm(xhat, axis=0)
            rows.append(
                {
                    "batch_size": n,
                    "eps": eps,
                    "relative_error": float(np.abs(closed - reference).max() / np.abs(reference).max()),
                    "mean_residual": float((np.abs(closed.sum(0)) / (np.sqrt(n) * norm_g)).max()),
                    "orthogonality_residual": float((np.abs((xhat * closed).sum(0)) / (norm_x * norm_g)).max()),
                    "orthogonality_predicted": float((np.abs(gamma / s * (1 - r) * (xhat * g).sum(0)) / (norm_x * norm_g)).max()),
                    "idempotence_defect": float(max(defects)),
                    "idempotence_predicted": float(predicted_defects.max()),
                    "idempotence_formula_error": float(np.abs(np.array(defects) - predicted_defects).max()),
                    "rank_min": min(ranks),
                    "rank_max": max(ranks),
                }
            )
    table = pd.DataFrame(rows)
    job.log(f"{len(table)} cells of {C} nodes:\n{table.to_string()}")
    return {"identities": table}


def train(job: JobRun) -> dict:
    """The same Linear(d, H)→(ReLU→)BN→Linear(H, 10) network, in both orders, with BN at eps = 0
    (the theorem's) and at PyTorch's default eps, and without BN, from the same initialization and
    minibatches, trained by plain SGD; per network the first layer's rows (``RowRecord``)."""
    spec = job.params
    data = load_for_job(spec["dataset"], job.config["data"], job.data_split)
    arrays = {}
    for name, (order, eps) in NETWORKS.items():
        torch.manual_seed(spec["seed"])
        net = network(data.n_features, spec["hidden"], data.n_classes, order, spec["default_eps"] if eps == "default_eps" else eps)
        record = train_recording_rows(
            net, data.x_train, data.y_train, data.x_test, data.y_test, spec["lr"], spec["batch_size"], spec["steps"], spec["seed"]
        )
        arrays |= {f"{name}_{key}": np.asarray(value) for key, value in vars(record).items()}
        job.log(
            f"{name}: train accuracy {record.train_accuracy:.3f}, test {record.test_accuracy:.3f}, "
            f"row norms {record.weight_norm[0].mean():.3f} -> {record.weight_norm[-1].mean():.3f}"
        )
    arrays |= {"networks": np.array(list(NETWORKS)), "lr": np.array(spec["lr"])}
    return {"rows": arrays}
