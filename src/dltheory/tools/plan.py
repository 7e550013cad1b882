"""``python -m dltheory plan``: the cost of every compute job of a config, before running it.

For each compute job of the configured figures (:attr:`dltheory.core.contract.Figure.jobs`) the plan
prints its FLOPs (an analytic count), its peak memory (the largest arrays it holds at once, an
analytic count, plus :data:`BASELINE_BYTES`) and its estimated run time on this device, from a
short timed probe: a small slice of the job's own computation run in this process
(``overhead_s + scale × probe seconds``, see :class:`~dltheory.core.contract.Job`). Beside them, the
requests of a SLURM profile (``set-resources`` of the rule, else ``default-resources``), flagged
where the memory request is below :data:`MEMORY_MARGIN` × the peak or the runtime request below
:data:`TIME_MARGIN` × the estimated time.

Below the table, what a cluster changes: the critical path (the longest chain of jobs that wait for
one another, through the steps' ``inputs``), which no number of nodes shortens, and the wall time
on N nodes (:func:`wall_time`), each node running one job at a time.

The cost model each figure states (FLOPs, memory, probes) is :mod:`dltheory.core.cost`.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Sequence
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


def dependencies(rows: list[Row]) -> list[list[int]]:
    """For each row, the rows it waits for: the jobs of the steps that write the outputs its step
    reads (:attr:`~dltheory.core.contract.Step.inputs`) whose wildcards shared with it agree. (The
    claims and plots, seconds each, are left out; no compute step reads another figure's outputs.)"""
    from dltheory.core.registry import registry

    steps = {f"{fig.name}_{step.name}": step for fig in registry() for step in fig.steps}

    def wildcards(row: Row) -> dict[str, str]:
        return dict(zip(steps[row.job.rule].wildcards, row.job.wildcards.split("/"))) if row.job.wildcards else {}

    def feeds(upstream: Row, downstream: Row) -> bool:
        up, down = steps[upstream.job.rule], steps[downstream.job.rule]
        if upstream.job.rule.rsplit("_", 1)[0] != downstream.job.rule.rsplit("_", 1)[0] or not set(up.outputs) & set(down.inputs):
            return False
        a, b = wildcards(upstream), wildcards(downstream)
        return all(a[k] == b[k] for k in a.keys() & b.keys())

    return [[i for i, up in enumerate(rows) if up is not row and feeds(up, row)] for row in rows]


def _waiting(waits_for: list[list[int]]) -> list[list[int]]:
    """The reverse of ``waits_for``: for each job, the jobs that wait for it."""
    waiting = [[] for _ in waits_for]
    for job, ups in enumerate(waits_for):
        for up in ups:
            waiting[up].append(job)
    return waiting


def remaining_chains(seconds: Sequence[float], waits_for: list[list[int]]) -> list[float]:
    """For each job, the seconds of the longest chain that starts with it: its own time plus the
    longest remaining chain among the jobs waiting for it (0 where none does)."""
    waiting = _waiting(waits_for)
    chain: dict[int, float] = {}

    def longest(job: int) -> float:
        if job not in chain:
            chain[job] = seconds[job] + max((longest(w) for w in waiting[job]), default=0.0)
        return chain[job]

    return [longest(job) for job in range(len(seconds))]


def wall_time(seconds: Sequence[float], waits_for: list[list[int]], nodes: int) -> float:
    """Seconds to run every job on ``nodes`` nodes, one job per node at a time, each started as soon
    as a node is free and the jobs it waits for are done, the job with the longest remaining chain
    first (list scheduling by critical path, what a cluster's scheduler fed by Snakemake comes close
    to). Bounded below by the critical path and by the total / ``nodes``."""
    priority = remaining_chains(seconds, waits_for)
    pending = [len(ups) for ups in waits_for]
    waiting = _waiting(waits_for)
    ready = [(-priority[j], j) for j in range(len(seconds)) if not pending[j]]
    heapq.heapify(ready)
    running: list[tuple[float, int]] = []  # (finish time, job)
    now = 0.0
    while ready or running:
        while ready and len(running) < nodes:
            _, job = heapq.heappop(ready)
            heapq.heappush(running, (now + seconds[job], job))
        now, done = heapq.heappop(running)
        for job in waiting[done]:
            pending[job] -= 1
            if not pending[job]:
                heapq.heappush(ready, (-priority[job], job))
    return now


def cluster_lines(rows: list[Row], nodes: Sequence[int]) -> list[str]:
    """The critical path (its length and its longest job) and the wall time on each of ``nodes``."""
    if not rows:
        return []
    seconds = [r.seconds for r in rows]
    waits_for = dependencies(rows)
    chains = remaining_chains(seconds, waits_for)
    first = max(range(len(rows)), key=chains.__getitem__)
    longest = max(range(len(rows)), key=seconds.__getitem__)
    lines = [
        f"critical path: {duration(chains[first])} (from {rows[first].job.rule} {rows[first].job.wildcards}; "
        f"{100 * chains[first] / sum(seconds):.1f}% of the total); longest job: {rows[longest].job.rule} "
        f"{rows[longest].job.wildcards}, {duration(seconds[longest])}"
    ]
    walls = ", ".join(f"{n} node{'s' * (n > 1)}: {duration(wall_time(seconds, waits_for, n))}" for n in nodes)
    lines.append(f"wall time, one job per node at a time: {walls}")
    return lines


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


def main(configfiles: list[str], profile: str, root: str | Path = ".", out=print, nodes: Sequence[int] = (1, 8, 64)) -> int:
    """Validate the merged config, probe every compute job, print the table, the critical path and
    the wall time on each number of ``nodes``; 0. Bad input (a
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
    for line in cluster_lines(rows, nodes):
        out(line)
    out(f"peak = arrays + {BASELINE_BYTES / 1e6:.0f} MB baseline; planned in {time.perf_counter() - start:.1f} s")
    return 0
