"""depth_accuracy's compute job: train the tanh networks of one dataset × optimizer × depth, every σ_w² and
seed of the grid as one batched ensemble (a shard of the panel; the claims read the shards as one table)."""

from __future__ import annotations

import numpy as np

from dltheory.core.grids import grid_axis
from dltheory.core.runner import JobRun
from dltheory.engine.depth_training import TrainSpec, train_ensemble
from dltheory.engine.ensembles import member_grid


def train(job: JobRun) -> dict:
    grid, log, w = job.params["grid"], job.log, job.wildcards
    data = job.dataset(w["dataset"], grid["n_train"], grid["n_test"])
    log(f"{data.name}: {len(data.y_train):,} train / {len(data.y_test):,} test samples, {data.n_features} features ({data.source})")
    members = member_grid(grid_axis(grid["sigma_w2"]), [grid["sigma_b2"]], grid["depths"], job.seeds(grid))
    spec = TrainSpec(w["optimizer"], job.params["lr"], grid["steps"], grid["batch_size"], grid["width"], grid["dtype"], grid["compile"])
    log(f"{len(members)} networks of depth {grid['depths'][0]}, {spec}, device {job.device}")
    table = train_ensemble(
        members,
        data,
        spec,
        device=job.device,
        checkpoint_dir=job.checkpoints,
        checkpoint_every=job.run_settings["checkpoint_every"],
        log=log,
    )
    log(f"diverged: {int(table.diverged.sum())} of {len(table)}")
    log(
        "mean training accuracy (rows: depth, columns: sigma_w2):\n"
        + table.pivot_table("train_acc", "depth", "sigma_w2", aggfunc=np.mean).round(2).to_string()
    )
    return {"table": table}
