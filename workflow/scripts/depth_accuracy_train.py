"""Train depth_accuracy's grid of tanh networks for one dataset x optimizer (batched by depth)."""

import shutil

import numpy as np
import torch

from dltheory.core.artifacts import Timer, log_to, provenance, write_table
from dltheory.core.data import load_for_job
from dltheory.engine.depth_training import TrainSpec, train_ensemble
from dltheory.core.device import resolve_device
from dltheory.engine.ensembles import member_grid
from dltheory.core.grids import grid_axis

p = snakemake.params
w = snakemake.wildcards
grid = p.grid
with log_to(snakemake.log[0]) as log:
    torch.set_num_threads(snakemake.threads)
    device = resolve_device(p.device)
    data = load_for_job(w.dataset, snakemake.config["data"], p.data, grid["n_train"], grid["n_test"])
    log(f"{data.name}: {len(data.y_train):,} train / {len(data.y_test):,} test samples, {data.n_features} features ({data.source})")
    seeds = list(range(grid["seed"], grid["seed"] + grid["seeds"]))
    members = member_grid(grid_axis(grid["sigma_w2"]), [grid["sigma_b2"]], grid["depths"], seeds)
    spec = TrainSpec(w.optimizer, p.lr, grid["steps"], grid["batch_size"], grid["width"], grid["dtype"], grid["compile"])
    log(f"{len(members)} networks ({len(grid['depths'])} depth groups), {spec}, device {device}")
    with Timer() as t:
        table = train_ensemble(
            members,
            data,
            spec,
            device=device,
            checkpoint_dir=p.checkpoints,
            checkpoint_every=snakemake.config["depth_accuracy"]["run"]["checkpoint_every"],
            log=log,
        )
    log(f"trained in {t.seconds:.0f} s; diverged: {int(table.diverged.sum())} of {len(table)}")
    log(
        "mean training accuracy (rows: depth, columns: sigma_w2):\n"
        + table.pivot_table("train_acc", "depth", "sigma_w2", aggfunc=np.mean).round(2).to_string()
    )
    meta = provenance(
        dict(p.items()), data_source=data.source, seeds=seeds, device=device, threads=snakemake.threads, wall_time_s=t.seconds
    )
    write_table(table, snakemake.output.table, meta)
    shutil.rmtree(p.checkpoints, ignore_errors=True)  # the table is in place: the checkpoints are spent
