"""Train lucky_weights' two-layer over-parameterized students (Tian 2020's setup; one batched ensemble
over seeds, for one student multiplier); save correlations and fan-out norms over training."""

import numpy as np
import torch

from dltheory.core.artifacts import Timer, log_to, provenance, write_arrays
from dltheory.core.device import resolve_device
from dltheory.science.teacher_student import TwoLayerSetup, fan_out_norms, observation_steps, stack_params, train_two_layer

p = snakemake.params
with log_to(snakemake.log[0]) as log:
    torch.set_num_threads(snakemake.threads)
    device = resolve_device(p.device)
    setup = TwoLayerSetup.from_config(p.setup, multiplier=int(snakemake.wildcards.multiplier), teacher_widths=(p.setup["teacher_width"],))
    seeds = list(range(p.setup["seed"], p.setup["seed"] + p.setup["seeds"]))
    log(
        f"{len(seeds)} students {setup.n_in}-{setup.student_widths[0]}-{setup.n_out} (x{setup.multiplier}) against a teacher "
        f"{setup.n_in}-{setup.teacher_widths[0]}-{setup.n_out}, {setup.steps} SGD steps, device {device}"
    )
    with Timer() as t:
        run = train_two_layer(setup, seeds, observation_steps(setup.steps, p.setup["observations"]), device=device, log=log)
    best = run.corr[0][-1].max(axis=2)  # [E, S]
    log(
        f"trained in {t.seconds:.0f} s; students at correlation >= 0.95 with a teacher node: "
        f"{int((best >= 0.95).sum())} of {best.size}; diverged: {int(run.diverged.sum())} of {len(seeds)}"
    )
    write_arrays(
        {
            "steps": run.steps,
            "seeds": np.array(seeds),
            "corr": run.corr[0],
            "fan_out": run.fan_out[0],
            "eval_loss": run.eval_loss,
            "diverged": run.diverged,
            "teacher_fan_out": fan_out_norms(setup.teacher())[0],
            **stack_params(run.final, "final_"),
        },
        snakemake.output.two_layer,
        provenance(
            dict(p.items()), seeds=seeds, multiplier=setup.multiplier, device=device, threads=snakemake.threads, wall_time_s=t.seconds
        ),
    )
