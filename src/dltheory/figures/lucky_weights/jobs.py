"""lucky_weights' compute jobs: the deep students (one batched ensemble over seeds), the lottery
tickets retrained from their sub-networks, and the two-layer over-parameterized students (one job
per student multiplier)."""

from __future__ import annotations

import numpy as np

from dltheory.core.artifacts import read_arrays
from dltheory.core.runner import JobRun
from dltheory.science.teacher_student import (
    REINIT_STREAM,
    Setup,
    TwoLayerSetup,
    fan_out_norms,
    observation_steps,
    recovery,
    stack_params,
    student_init,
    ticket,
    top_fan_out,
    train_students,
    train_two_layer,
    unstack_params,
)


def train(job: JobRun) -> dict:
    """Train the students against the teacher (one batched ensemble over seeds); save correlations and weights."""
    spec, log, device = job.params["setup"], job.log, job.device
    setup = Setup.from_config(spec)
    seeds = job.seeds(spec)
    log(
        f"{len(seeds)} students {setup.n_in}-{'-'.join(map(str, setup.student_widths))}-{setup.n_out} "
        f"against a teacher {setup.n_in}-{'-'.join(map(str, setup.teacher_widths))}-{setup.n_out}, device {device}"
    )
    init = [student_init(setup, s) for s in seeds]
    run = train_students(
        setup,
        init,
        seeds,
        observation_steps(setup.steps, spec["observations"]),
        device=device,
        checkpoint=job.checkpoints / "students.pt",
        checkpoint_every=job.run_settings["checkpoint_every"],
        log=log,
    )
    for layer, corr in enumerate(run.corr, 1):
        log(
            f"layer {layer}: mean over teacher nodes of the best student's correlation: "
            f"{corr[0].max(axis=1).mean():.3f} at init -> {corr[-1].max(axis=1).mean():.3f} at step {run.steps[-1]}"
        )
    log(f"diverged: {int(run.diverged.sum())} of {len(seeds)}")
    corr = {f"corr_layer{layer}": c for layer, c in enumerate(run.corr, 1)}
    return {
        "correlations": {"steps": run.steps, "seeds": np.array(seeds), "eval_loss": run.eval_loss, "diverged": run.diverged, **corr},
        "students": {"seeds": np.array(seeds), **stack_params(init, "init_"), **stack_params(run.final, "final_")},
    }


def lottery(job: JobRun) -> dict:
    """Lottery tickets (our protocol): the top fan-out sub-networks, retrained from the original
    initialization and from a re-initialization, all in one batched ensemble."""
    spec, keep_spec, log = job.params["setup"], job.params["lottery"], job.log
    setup = Setup.from_config(spec, steps=keep_spec["steps"])
    students = read_arrays(job.inputs["students"])
    seeds = students["seeds"].tolist()
    counts = [keep_spec["keep"] * t for t in setup.teacher_widths]
    keep = [top_fan_out(final, counts) for final in unstack_params(students, "final_")]
    original = [ticket(init, k) for init, k in zip(unstack_params(students, "init_"), keep)]
    reinit = [ticket(student_init(setup, s, REINIT_STREAM), k) for s, k in zip(seeds, keep)]
    log(f"tickets of {counts} hidden nodes (top fan-out), {len(seeds)} seeds x (original init, re-init), {setup.steps} steps")
    run = train_students(
        setup,
        original + reinit,
        seeds + seeds,  # a ticket and its control see the same minibatches
        observation_steps(setup.steps, spec["observations"]),
        device=job.device,
        checkpoint=job.checkpoints / "tickets.pt",
        checkpoint_every=job.run_settings["checkpoint_every"],
        log=log,
    )
    table = recovery(run.steps, run.corr, run.eval_loss, seeds + seeds, ["original"] * len(seeds) + ["reinit"] * len(seeds))
    final = table[table.step == table.step.max()]
    log(
        "final fraction of teacher nodes recovered (rows: init, columns: layer):\n"
        + final.pivot_table("recovered", "init", "layer").round(3).to_string()
    )
    job.meta |= {"seeds": seeds, "kept_nodes": counts}
    return {"lottery": table}


def two_layer(job: JobRun) -> dict:
    """Train the two-layer over-parameterized students (Tian 2020's setup; one batched ensemble over
    seeds, for this job's student multiplier); save correlations and fan-out norms over training."""
    spec, log, device = job.params["setup"], job.log, job.device
    setup = TwoLayerSetup.from_config(spec, multiplier=int(job.wildcards["multiplier"]), teacher_widths=(spec["teacher_width"],))
    seeds = job.seeds(spec)
    log(
        f"{len(seeds)} students {setup.n_in}-{setup.student_widths[0]}-{setup.n_out} (x{setup.multiplier}) against a teacher "
        f"{setup.n_in}-{setup.teacher_widths[0]}-{setup.n_out}, {setup.steps} SGD steps, device {device}"
    )
    run = train_two_layer(setup, seeds, observation_steps(setup.steps, spec["observations"]), device=device, log=log)
    best = run.corr[0][-1].max(axis=2)  # [E, S]
    log(
        f"students at correlation >= 0.95 with a teacher node: "
        f"{int((best >= 0.95).sum())} of {best.size}; diverged: {int(run.diverged.sum())} of {len(seeds)}"
    )
    job.meta["multiplier"] = setup.multiplier
    return {
        "two_layer": {
            "steps": run.steps,
            "seeds": np.array(seeds),
            "corr": run.corr[0],
            "fan_out": run.fan_out[0],
            "eval_loss": run.eval_loss,
            "diverged": run.diverged,
            "teacher_fan_out": fan_out_norms(setup.teacher())[0],
            **stack_params(run.final, "final_"),
        }
    }
