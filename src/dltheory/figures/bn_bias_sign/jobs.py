"""bn_bias_sign's compute jobs: the proxy network trained on shipped images, per seed; and the
BatchNorm biases of torchvision's published weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from dltheory.core.data import load_for_job, load_pretrained
from dltheory.core.runner import JobRun
from dltheory.science.bias_sign import accuracy, activation_statistics, bn_biases, conv_bn_relu_net, train_classifier


def proxy(job: JobRun) -> dict:
    """Per seed: the proxy trained from scratch; ``proxy``: one row per BN channel (seed, layer,
    channel, β, γ, the channel's share of units on over the test images); ``activity``: one row
    per seed and layer (negative share, mean share on, P(both on), P(i)P(j), P(j | i), accuracy)."""
    spec = job.params
    data = load_for_job(spec["dataset"], job.config["data"], job.data_split, n_train=spec["n_train"])
    side = int(np.sqrt(data.n_features))
    x, y = torch.tensor(data.x_train).reshape(-1, 1, side, side), torch.tensor(data.y_train)
    x_test, y_test = torch.tensor(data.x_test).reshape(-1, 1, side, side), torch.tensor(data.y_test)
    channels, layers = [], []
    for seed in job.seeds(spec):
        torch.manual_seed(seed)
        net = conv_bn_relu_net(spec["channels"], spec["pool_after"], 1, data.n_classes)
        train_classifier(
            net,
            x,
            y,
            epochs=spec["epochs"],
            batch_size=spec["batch_size"],
            lr=spec["lr"],
            momentum=spec["momentum"],
            weight_decay=spec["weight_decay"],
            seed=seed,
        )
        test_accuracy = accuracy(net, x_test, y_test)
        state = net.state_dict()
        for layer, ((name, beta), activity) in enumerate(zip(bn_biases(state), activation_statistics(net, x_test)), start=1):
            gamma = state[f"{name}.weight"].numpy()
            channels += [
                {"seed": seed, "layer": layer, "channel": c, "beta": beta[c], "gamma": float(gamma[c]), "active": activity.active[c]}
                for c in range(len(beta))
            ]
            layers.append(
                {
                    "seed": seed,
                    "layer": layer,
                    "channels": len(beta),
                    "negative_share": float((beta < 0).mean()),
                    "active": float(activity.active.mean()),
                    "both": activity.both,
                    "independent": activity.independent,
                    "conditional": activity.conditional,
                    "test_accuracy": test_accuracy,
                }
            )
        job.log(
            f"seed {seed}: test accuracy {test_accuracy:.3f}, negative shares per layer {[round(r['negative_share'], 2) for r in layers[-len(spec['channels']) :]]}"
        )
    return {"proxy": pd.DataFrame(channels), "activity": pd.DataFrame(layers)}


def pretrained(job: JobRun) -> dict:
    """One row per BN layer of each published model: its index, name, channels and share of
    negative β (none at default scale, where the list is empty)."""
    rows = []
    for model in job.params["models"]:
        state = load_pretrained(model, data_dir=job.config["data"]["dir"], download_missing=job.config["data"]["download"])
        for layer, (name, beta) in enumerate(bn_biases(state), start=1):
            rows.append(
                {
                    "model": model,
                    "layer": layer,
                    "name": name,
                    "channels": len(beta),
                    "negative_share": float((beta < 0).mean()),
                    "negative": int((beta < 0).sum()),
                }
            )
        total = [r for r in rows if r["model"] == model]
        job.log(
            f"{model}: {len(total)} BN layers, {sum(r['negative'] for r in total)} of {sum(r['channels'] for r in total)} biases negative"
        )
    return {"pretrained": pd.DataFrame(rows, columns=["model", "layer", "name", "channels", "negative_share", "negative"])}
