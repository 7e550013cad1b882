"""phase_diagram's compute jobs: the mean-field tables on the grid, and measured propagation
through random networks (torch, batched over seeds and σ_w²)."""

from __future__ import annotations

from dltheory.core.artifacts import Timer
from dltheory.core.device import DTYPES
from dltheory.core.runner import JobRun
from dltheory.science.meanfield import critical_line_table, depth_scales_table
from dltheory.science.propagation import measure_propagation


def theory(job: JobRun) -> dict:
    p, log = job.params, job.log
    with Timer() as t:
        line = critical_line_table(p["activation"], p["critical_line"]["sigma_b2_max"], p["critical_line"]["num"], [p["guide_sigma_b2"]])
    log(f"critical line: {len(line)} points in {t.seconds:.2f}s")
    with Timer() as t:
        scales = depth_scales_table(p["activation"], p["grid"], p["quadrature_points"])
    log(f"depth scales: {len(scales)} grid points in {t.seconds:.2f}s")
    return {"critical_line": line, "depth_scales": scales}


def propagation(job: JobRun) -> dict:
    p = job.params
    cfg = p["propagation"]
    table = measure_propagation(
        cfg["sigma_w2"],
        cfg["sigma_b2"],
        width=cfg["width"],
        depth=cfg["depth"],
        seeds=job.seeds(cfg),
        n_probes=cfg["n_probes"],
        n_pairs=cfg["n_pairs"],
        q0=cfg["q0"],
        c0=cfg["c0"],
        delta=cfg["delta"],
        activation=p["activation"],
        device=job.device,
        dtype=DTYPES[cfg["dtype"]],
        log=job.log,
    )
    return {"propagation": table}
