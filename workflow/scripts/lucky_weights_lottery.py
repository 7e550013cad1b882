"""Lottery tickets of lucky_weights (our protocol): the top fan-out sub-networks, retrained from the
original initialization and from a re-initialization, all in one batched ensemble."""

import shutil
from pathlib import Path

import torch

from dltheory.core.artifacts import Timer, log_to, provenance, read_arrays, write_table
from dltheory.core.device import resolve_device
from dltheory.science.teacher_student import (
    REINIT_STREAM,
    Setup,
    observation_steps,
    recovery,
    student_init,
    ticket,
    top_fan_out,
    train_students,
    unstack_params,
)

p = snakemake.params
cfg = snakemake.config["lucky_weights"]
with log_to(snakemake.log[0]) as log:
    torch.set_num_threads(snakemake.threads)
    device = resolve_device(p.device)
    setup = Setup.from_config(p.setup, steps=p.lottery["steps"])
    students = read_arrays(snakemake.input.students)
    seeds = students["seeds"].tolist()
    counts = [p.lottery["keep"] * t for t in setup.teacher_widths]
    keep = [top_fan_out(final, counts) for final in unstack_params(students, "final_")]
    original = [ticket(init, k) for init, k in zip(unstack_params(students, "init_"), keep)]
    reinit = [ticket(student_init(setup, s, REINIT_STREAM), k) for s, k in zip(seeds, keep)]
    log(f"tickets of {counts} hidden nodes (top fan-out), {len(seeds)} seeds x (original init, re-init), {setup.steps} steps")
    with Timer() as t:
        run = train_students(
            setup,
            original + reinit,
            seeds + seeds,  # a ticket and its control see the same minibatches
            observation_steps(setup.steps, p.setup["observations"]),
            device=device,
            checkpoint=Path(p.checkpoints) / "tickets.pt",
            checkpoint_every=cfg["run"]["checkpoint_every"],
            log=log,
        )
    table = recovery(run.steps, run.corr, run.eval_loss, seeds + seeds, ["original"] * len(seeds) + ["reinit"] * len(seeds))
    final = table[table.step == table.step.max()]
    log(
        "final fraction of teacher nodes recovered (rows: init, columns: layer):\n"
        + final.pivot_table("recovered", "init", "layer").round(3).to_string()
    )
    meta = provenance(
        {**dict(p.items()), "kept_nodes": counts}, seeds=seeds, device=device, threads=snakemake.threads, wall_time_s=t.seconds
    )
    write_table(table, snakemake.output.lottery, meta)
    shutil.rmtree(p.checkpoints, ignore_errors=True)
