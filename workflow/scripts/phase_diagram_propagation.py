"""Measured q^l, c^l in random networks for phase_diagram (torch, batched over seeds and sigma_w2)."""

import torch

from dltheory.core.artifacts import Timer, log_to, provenance, write_table
from dltheory.core.device import DTYPES, resolve_device
from dltheory.science.propagation import measure_propagation

p = snakemake.params
cfg = p.propagation
with log_to(snakemake.log[0]) as log:
    torch.set_num_threads(snakemake.threads)
    device = resolve_device(p.device)
    seeds = list(range(cfg["seed"], cfg["seed"] + cfg["seeds"]))
    with Timer() as t:
        table = measure_propagation(
            cfg["sigma_w2"],
            cfg["sigma_b2"],
            width=cfg["width"],
            depth=cfg["depth"],
            seeds=seeds,
            n_probes=cfg["n_probes"],
            n_pairs=cfg["n_pairs"],
            q0=cfg["q0"],
            c0=cfg["c0"],
            delta=cfg["delta"],
            activation=p.activation,
            device=device,
            dtype=DTYPES[cfg["dtype"]],
            log=log,
        )
    meta = provenance(dict(p.items()), seeds=seeds, device=device, threads=snakemake.threads, wall_time_s=t.seconds)
    write_table(table, snakemake.output.propagation, meta)
