"""``python -m dltheory plan``: the cost of every compute job of a config, before running it.

For each compute job of the configured figures (:attr:`dltheory.core.contract.Figure.jobs`) the plan
prints its FLOPs (an analytic count), its peak memory (the largest arrays it holds at once, an
analytic count, plus :data:`BASELINE_BYTES`) and its estimated run time on this device, from a
short timed probe: a small slice of the job's own computation run in this process
(``overhead_s + scale × probe seconds``, see :class:`~dltheory.core.contract.Job`). Beside them, the
requests of a SLURM profile (``set-resources`` of the rule, else ``default-resources``), flagged
where the memory request is below :data:`MEMORY_MARGIN` × the peak or the runtime request below
:data:`TIME_MARGIN` × the estimated time.

The cost model each figure states (FLOPs, memory, probes) is :mod:`dltheory.core.cost`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dltheory.core.contract import Job
from dltheory.core.cost import BASELINE_BYTES

MEMORY_MARGIN = 1.25  # a SLURM memory request below 1.25 x the estimated peak is flagged
TIME_MARGIN = 1.5  # a SLURM runtime request below 1.5 x the estimated time is flagged


def slurm_requests(profile: str | Path) -> Callable[[str], tuple[float | None, float | None]]:
    """rule -> (mem_mb, runtime in minutes) that the profile's ``config.yaml`` requests for it:
    its ``set-resources`` entry, else ``default-resources`` (None where neither gives one)."""

    from dltheory.core.artifacts import InputError
    from dltheory.core.checks import read_config_file

    if not (Path(profile) / "config.yaml").is_file():
        raise InputError(f"--profile {profile}: no Snakemake profile there (a folder with a config.yaml, such as profiles/slurm)")
    settings = read_config_file(Path(profile) / "config.yaml")
    default = settings.get("default-resources") or {}
    per_rule = settings.get("set-resources") or {}

    def requests(rule: str) -> tuple[float | None, float | None]:
        resources = {**default, **(per_rule.get(rule) or {})}
        return resources.get("mem_mb"), resources.get("runtime")

    return requests


@dataclass(frozen=True)
class Row:
    """One planned job: its :class:`Job`, the estimate of its run time and peak, the SLURM requests."""

    job: Job
    seconds: float
    peak_bytes: float
    mem_mb: float | None
    runtime_min: float | None

    @property
    def flags(self) -> list[str]:
        """What looks too small: ``memory`` (request < MEMORY_MARGIN × peak), ``runtime`` (< TIME_MARGIN × time)."""
        flags = []
        if self.mem_mb is not None and self.mem_mb * 1e6 < MEMORY_MARGIN * self.peak_bytes:
            flags.append("memory")
        if self.runtime_min is not None and self.runtime_min * 60 < TIME_MARGIN * self.seconds:
            flags.append("runtime")
        return flags


def plan_rows(config: dict, requests: Callable[[str], tuple[float | None, float | None]]) -> list[Row]:
    """Every compute job of the configured figures, probed in order."""
    from dltheory.core.checks import selected

    rows = []
    for fig in selected(config):
        for job in fig.jobs(config):
            seconds = job.overhead_s + job.scale * job.probe()
            rows.append(Row(job, seconds, BASELINE_BYTES + job.memory_bytes, *requests(job.rule)))
    return rows


def duration(seconds: float) -> str:
    """'0.4 s', '42 s', '12.5 min', '3.2 h'."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def table(rows: list[Row]) -> str:
    """The plan as a Markdown table, one row per job and the total (FLOPs and time summed; memory
    the largest peak, since every job is its own process)."""
    lines = [
        "| rule | wildcards | FLOPs | peak memory (GB) | est. time (s) | | SLURM mem_mb | SLURM runtime (min) | request too small |",
        "|---|---|---:|---:|---:|---|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.job.rule} | {r.job.wildcards} | {r.job.flops:.2e} | {r.peak_bytes / 1e9:.2f} | {r.seconds:,.1f} | "
            f"{duration(r.seconds)} | {_request(r.mem_mb)} | {_request(r.runtime_min)} | {', '.join(r.flags)} |"
        )
    total_s = sum(r.seconds for r in rows)
    total_flops = sum(r.job.flops for r in rows)
    peak = max((r.peak_bytes for r in rows), default=0.0)
    lines.append(
        f"| **total** | {len(rows)} jobs | {total_flops:.2e} | {peak / 1e9:.2f} (largest) | {total_s:,.1f} | {duration(total_s)} | | | |"
    )
    return "\n".join(lines)


def _request(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def main(configfiles: list[str], profile: str, root: str | Path = ".", out=print) -> int:
    """Validate the merged config, probe every compute job, print the table; 0. Bad input (a
    config, a device this machine lacks, a missing profile) raises
    :class:`~dltheory.core.artifacts.InputError` before anything runs."""
    from dltheory.core.checks import valid_config
    from dltheory.core.device import resolve_device

    start = time.perf_counter()
    config = valid_config(configfiles, root)
    device = resolve_device(config["device"])
    requests = slurm_requests(Path(root) / profile)  # an absolute profile stays as it is
    rows = plan_rows(config, requests)
    out(f"config: config/config.yaml{''.join(' + ' + f for f in configfiles)}; probes ran on: {device}")
    out(f"SLURM requests from {profile}/config.yaml; flagged where mem_mb < {MEMORY_MARGIN} x peak or runtime < {TIME_MARGIN} x time")
    out(table(rows))
    out(f"peak = arrays + {BASELINE_BYTES / 1e6:.0f} MB baseline; planned in {time.perf_counter() - start:.1f} s")
    return 0
