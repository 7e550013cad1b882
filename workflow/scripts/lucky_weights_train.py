"""Train lucky_weights' students against the teacher (one batched ensemble over seeds); save correlations and weights."""

import shutil
from pathlib import Path

import numpy as np
import torch

from dltheory.core.artifacts import Timer, log_to, provenance, write_arrays
from dltheory.core.device import resolve_device
from dltheory.science.teacher_student import Setup, observation_steps, stack_params, student_init, train_students

p = snakemake.params
cfg = snakemake.config["lucky_weights"]
with log_to(snakemake.log[0]) as log:
    torch.set_num_threads(snakemake.threads)
    device = resolve_device(p.device)
    setup = Setup.from_config(p.setup)
    seeds = list(range(p.setup["seed"], p.setup["seed"] + p.setup["seeds"]))
    log(
        f"{len(seeds)} students {setup.n_in}-{'-'.join(map(str, setup.student_widths))}-{setup.n_out} "
        f"against a teacher {setup.n_in}-{'-'.join(map(str, setup.teacher_widths))}-{setup.n_out}, device {device}"
    )
    init = [student_init(setup, s) for s in seeds]
    with Timer() as t:
        run = train_students(
            setup,
            init,
            seeds,
            observation_steps(setup.steps, p.setup["observations"]),
            device=device,
            checkpoint=Path(p.checkpoints) / "students.pt",
            checkpoint_every=cfg["run"]["checkpoint_every"],
            log=log,
        )
    for layer, corr in enumerate(run.corr, 1):
        log(
            f"layer {layer}: mean over teacher nodes of the best student's correlation: "
            f"{corr[0].max(axis=1).mean():.3f} at init -> {corr[-1].max(axis=1).mean():.3f} at step {run.steps[-1]}"
        )
    log(f"trained in {t.seconds:.0f} s; diverged: {int(run.diverged.sum())} of {len(seeds)}")
    meta = provenance(dict(p.items()), seeds=seeds, device=device, threads=snakemake.threads, wall_time_s=t.seconds)
    corr = {f"corr_layer{layer}": c for layer, c in enumerate(run.corr, 1)}
    write_arrays(
        {"steps": run.steps, "seeds": np.array(seeds), "eval_loss": run.eval_loss, "diverged": run.diverged, **corr},
        snakemake.output.correlations,
        meta,
    )
    write_arrays(
        {"seeds": np.array(seeds), **stack_params(init, "init_"), **stack_params(run.final, "final_")}, snakemake.output.students, meta
    )
    shutil.rmtree(p.checkpoints, ignore_errors=True)  # the artifacts are in place: the checkpoints are spent
