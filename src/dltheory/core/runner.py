"""The one job runner: every job of the workflow runs through :func:`run`.

``workflow/scripts/run.py`` hands it the ``snakemake`` object; the rule's name says what to run:

* ``<figure>_<step>`` (a compute :class:`~dltheory.core.contract.Step`): the entry point
  ``dltheory.figures.<figure>.jobs.<step>(job)`` with a :class:`JobRun`. The runner sets the
  threads, resolves the device, logs (stdout, stderr and tracebacks go to the rule's log), times
  the job, and writes what the entry point returns -- ``{output key: DataFrame or {name: array}}``
  -- atomically, each with its provenance sidecar (params, seeds, device, threads, wall time,
  versions, commit); then it deletes the job's checkpoints.
* ``<figure>_claims``: the analysis tables and ``claims.json`` (``claims.py`` of the figure).
* ``<figure>_plot``: the figure's PDF and PNG (``plot.py``), from artifacts only.
* ``all_figures``: the scorecard ``figures/claims.md``, the gallery ``figures/gallery.md`` and the
  manifest ``figures/all``.

Every job stops, without writing, if the Snakemake run that started it is gone
(:func:`dltheory.core.runs.stop_with_snakemake`).

Imports of the concerns happen inside the functions: a job's code digest follows the module-level
imports of the code it runs, so plotting code is in no compute job's digest.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dltheory.core.artifacts import Timer, log_to, provenance, write_arrays, write_table
from dltheory.core.contract import Artifacts, Figure, seeds_of
from dltheory.core.cpu_share import share_cpus
from dltheory.core.registry import figure, registry
from dltheory.core.runs import stop_with_snakemake


@dataclass
class JobRun:
    """What a compute entry point receives.

    Attributes:
      figure, step: whose job this is (the rule is ``<figure>_<step>``).
      params: the step's params (:attr:`~dltheory.core.contract.Step.params`) for this job.
      wildcards: the job's wildcard values, e.g. ``{"dataset": "mnist_5k", "optimizer": "sgd"}``.
      inputs: {key: path} of the outputs of other steps it reads.
      threads: the threads Snakemake gave it (torch's are set to it already).
      device: ``cpu`` or ``cuda`` for a step with ``device=True``, else None.
      checkpoints: the folder to resume from, for a step with ``checkpoints=True``, else None.
      data_split: the config's ``data`` options that change numbers, for a step with ``data=True``.
      config: the whole config (``run:`` settings and the data folder, which change no number).
      log: a timestamped logger into the job's log.
      meta: extra provenance the entry point records (``job.meta["seeds"] = ...``).
    """

    figure: str
    step: str
    params: dict[str, Any]
    wildcards: dict[str, str]
    inputs: dict[str, str]
    threads: int
    device: str | None
    checkpoints: Path | None
    data_split: dict | None
    config: dict
    log: Callable[[str], None]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def run_settings(self) -> dict:
        """The figure's ``run:`` settings (checkpoint intervals...), which change no number."""
        return self.config[self.figure].get("run", {})

    def seeds(self, spec: dict) -> list[int]:
        """The seeds ``seed .. seed + seeds - 1`` of a part of the params, recorded in the provenance."""
        seeds = seeds_of(spec)
        self.meta.setdefault("seeds", seeds)
        return seeds

    def dataset(self, name: str, n_train: int | None = None, n_test: int | None = None):
        """The dataset ``name`` (:func:`dltheory.core.data.load_for_job`): the folder and download
        switch from the config, the split from the params; its source is recorded."""
        from dltheory.core.data import load_for_job

        data = load_for_job(name, self.config["data"], self.data_split, n_train, n_test)
        self.meta.setdefault("data_source", data.source)
        return data


def run(snakemake) -> None:
    """Run the job of ``snakemake.rule`` (see the module docstring)."""
    rule = snakemake.rule
    with log_to(snakemake.log[0]) as log:
        stop_with_snakemake(log)  # a job never outlives its run (kill -9 of Snakemake)
        if rule == "all_figures":
            collect(snakemake.input, snakemake.output, log)
            return
        fig, kind = owner(rule)
        if kind == "claims":
            run_claims(fig, snakemake, log)
        elif kind == "plot":
            run_plot(fig, snakemake)
        else:
            run_compute(fig, kind, snakemake, log)


def owner(rule: str) -> tuple[Figure, str]:
    """(figure, step) of a rule ``<figure>_<step>``: the longest registered name that prefixes it."""
    fig = max((f for f in registry() if rule.startswith(f"{f.name}_")), key=lambda f: len(f.name))
    return fig, rule.removeprefix(f"{fig.name}_")


def run_compute(fig: Figure, step_name: str, snakemake, log) -> None:
    step = fig.step(step_name)
    params = snakemake.params
    omp_wait = share_cpus(snakemake.threads)  # before torch is imported (dltheory.core.cpu_share)
    device = None
    if step.device:
        from dltheory.core.device import resolve_device

        device = resolve_device(params.device)
    job = JobRun(
        figure=fig.name,
        step=step.name,
        params=params.spec,
        wildcards=dict(snakemake.wildcards.items()),
        inputs={key: snakemake.input[key] for key in step.inputs},
        threads=snakemake.threads,
        device=device,
        checkpoints=Path(params.checkpoints) if step.checkpoints else None,
        data_split=params.data if step.data else None,
        config=snakemake.config,
        log=log,
    )
    entry = getattr(fig.module("jobs"), step.name)
    if "torch" in sys.modules:  # the job computes with torch: it uses the threads it was given
        sys.modules["torch"].set_num_threads(job.threads)
    with Timer() as timer:
        outputs = entry(job)
    if set(outputs) != set(step.outputs):
        raise RuntimeError(f"{fig.name}.jobs.{step.name} returned {sorted(outputs)}; the step declares {sorted(step.outputs)}")
    meta = provenance(
        dict(snakemake.params.items()),
        **job.meta,
        device=device,
        threads=job.threads,
        omp_wait=omp_wait,
        wall_time_s=timer.seconds,
    )
    for key, value in outputs.items():
        write_output(value, snakemake.output[key], meta)
    log(f"{fig.name} {step.name}: done in {timer.seconds:.1f} s")
    if job.checkpoints is not None:
        shutil.rmtree(job.checkpoints, ignore_errors=True)  # the outputs are in place: the checkpoints are spent


def write_output(value: pd.DataFrame | dict[str, np.ndarray], path: str, meta: dict) -> None:
    """A table as tidy CSV, a dict of arrays as NPZ; each with its sidecar."""
    if isinstance(value, pd.DataFrame):
        write_table(value, path, meta)
    elif path.endswith(".npz"):
        write_arrays(value, path, meta)
    else:
        raise TypeError(f"{path}: a .csv output takes a DataFrame, a .npz output a dict of arrays; got {type(value).__name__}")


def artifacts_of(fig: Figure, snakemake, *groups) -> Artifacts:
    """The job's named inputs of the given key groups, loaded on first use."""
    keys = [key for group in groups for key in group]
    return Artifacts({key: snakemake.input[key] for key in keys})


def run_claims(fig: Figure, snakemake, log) -> None:
    """The analysis tables and ``claims.json``, each claim stamped with the figure's name."""
    from dltheory.core.claims import write_claims

    artifacts = artifacts_of(fig, snakemake, fig.artifact_paths(snakemake.config))
    meta = provenance({"inputs": list(snakemake.input)})
    tables = fig.analyze(artifacts)
    for key, table in tables.items():
        log(f"{key}:\n{table.to_string(max_rows=40)}")
        write_table(table, snakemake.output[key], meta)
    claims = [replace(c, figure=fig.name) for c in fig.claims(artifacts.with_tables(tables), snakemake.params.bars)]
    write_claims(claims, snakemake.output.claims, meta, log)


def run_plot(fig: Figure, snakemake) -> None:
    from dltheory.core.plotting import save_figure

    artifacts = artifacts_of(fig, snakemake, fig.artifact_paths(snakemake.config), fig.analysis)
    save_figure(fig.plot(artifacts, snakemake.params.bars), snakemake.output.pdf, snakemake.output.png)


def collect(inputs, outputs, log) -> None:
    """``figures/claims.md`` (the scorecard), ``figures/gallery.md`` (each figure with its status
    line from this build) and ``figures/all`` (a ``sha256sum`` manifest of all of them)."""
    from dltheory.core.artifacts import atomic_write, sha256_manifest
    from dltheory.core.claims import read_claims, scorecard
    from dltheory.core.gallery import gallery

    claims = {Path(path).parent.name: read_claims(path) for path in inputs.claims}  # results/<figure>/claims.json
    table = scorecard([c for rows in claims.values() for c in rows])
    atomic_write(outputs.scorecard, lambda tmp: tmp.write_text("# Claims scorecard\n\n" + table))
    log(table)
    text = gallery([(figure(name), rows) for name, rows in claims.items()])
    atomic_write(outputs.gallery, lambda tmp: tmp.write_text(text))
    files = [*inputs.figures, outputs.scorecard, outputs.gallery]
    atomic_write(outputs.manifest, lambda tmp: tmp.write_text(sha256_manifest(files)))
    log(f"manifest of {len(files)} files")
