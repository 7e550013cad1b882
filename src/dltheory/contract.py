"""The figure contract: what every figure module exposes to the workflow.

A figure is one module in :mod:`dltheory.figures` holding one :class:`Figure`. Its compute rules
(training, measurement) live in ``workflow/rules/<name>.smk`` and write the artifacts that
:attr:`Figure.artifacts` names; everything after that is generic and generated from the registry:

* the **claims** job loads those artifacts, writes the figure's analysis tables
  (:attr:`Figure.analysis`, e.g. fitted depth scales) and ``results/<name>/claims.json``, judged
  against the bars of the config section's ``claims:`` part;
* the **plot** job loads the same artifacts and the analysis tables and draws the figure; it never
  trains or measures.

So a figure's config section has two parts: ``compute:`` (what the compute jobs use; a change
reruns them) and ``claims:`` (the bars; a change reruns the claims and the plot, which draws
them, in seconds). Cross-key relations that a JSON schema cannot state are checked by
:attr:`Figure.check` before any job runs. :attr:`Figure.jobs` describes the figure's compute jobs
by their cost (:class:`Job`), for ``python -m dltheory plan``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .artifacts import read_arrays, read_table
from .claims import Claim


class ConfigError(ValueError):
    """A config value that breaks a rule; each message names the key, the value and what is allowed."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = list(messages)


def increasing(key: str, spec: dict) -> list[str]:
    """The message for a range ``{min, max, ...}`` at ``key`` whose min is not below its max; [] if it is."""
    return [] if spec["min"] < spec["max"] else [f"{key}: min ({spec['min']}) must be < max ({spec['max']})"]


def require(errors: list[str]) -> None:
    """Raise :class:`ConfigError` with ``errors`` when there are any; the checks' last line."""
    if errors:
        raise ConfigError(errors)


def non_finite(value: Any, key: str = "") -> list[str]:
    """Messages for every NaN or infinite number anywhere in ``value`` (a config tree).

    A JSON-schema bound cannot catch NaN (every comparison with NaN is false), so YAML's ``.nan``
    would pass ``minimum``/``maximum`` and reach a job."""
    if isinstance(value, Mapping):
        return [m for k, v in value.items() for m in non_finite(v, f"{key}.{k}" if key else str(k))]
    if isinstance(value, (list, tuple)):
        return [m for i, v in enumerate(value) for m in non_finite(v, f"{key}[{i}]")]
    if isinstance(value, float) and not math.isfinite(value):
        return [f"{key}: {value} is not a finite number; allowed: finite numbers only"]
    return []


def no_check(config: dict) -> None:
    """For a figure whose config has no cross-key relations."""


def no_analysis(artifacts: Artifacts) -> dict[str, pd.DataFrame]:
    return {}


@dataclass(frozen=True)
class Job:
    """The cost of one compute job, for ``python -m dltheory plan`` (:mod:`dltheory.plan`).

    Estimated run time on the device the probe ran on::

        seconds = overhead_s + scale × probe()

    Attributes:
      rule: the Snakemake rule, e.g. ``depth_accuracy_train``.
      wildcards: the job's wildcard values joined by "/" in the rule's order (``mnist_5k/sgd``);
        "" for a rule without wildcards.
      flops: floating-point operations of the whole job, from an analytic count (the formula is in
        the figure module's docstrings; transcendental functions and random draws are counted at
        the fixed rates of :mod:`dltheory.plan`).
      memory_bytes: the largest arrays the job holds at once (analytic); the plan adds the fixed
        interpreter and library baseline, :data:`dltheory.plan.BASELINE_BYTES`.
      probe: runs a small representative slice of the job's computation (a few steps, members,
        rows) with the science modules' own functions and returns the seconds it took (after an
        untimed warm-up call); never allocates the whole job's arrays.
      scale: the whole job's work / the probe's work (the ratio of their analytic counts).
      overhead_s: fixed seconds the probe does not cover, e.g. reading a dataset's files.
    """

    rule: str
    wildcards: str
    flops: float
    memory_bytes: float
    probe: Callable[[], float]
    scale: float
    overhead_s: float = 0.0


def no_jobs(config: dict) -> list[Job]:
    """For a figure that declares no compute jobs."""
    return []


@dataclass(frozen=True)
class Figure:
    """One figure of the canon.

    Attributes:
      name: the figure's name: its config section, ``results/<name>/``, ``figures/<name>.pdf``,
        ``docs/<name>.md``, ``workflow/rules/<name>.smk``, ``workflow/schemas/<name>.schema.yaml``.
      title: one line for the report and the docs.
      sources: the papers (section, figure) whose results the figure reproduces.
      artifacts: config -> {key: path or list of paths}, the compute outputs the claims and the
        plot read (possibly another figure's, e.g. ``phase_diagram``'s depth scales).
      claims: (artifacts, bars) -> claims; ``bars`` is the config section's ``claims:`` part.
      plot: (artifacts, bars) -> a matplotlib Figure, from artifacts only.
      check: config -> None; raises :class:`ConfigError` on a bad cross-key relation.
      analysis: {key: file name} of tables the claims job derives and writes to ``results/<name>/``
        (the plot reads them too); ``analyze`` computes them from the artifacts.
      jobs: the full merged config -> the figure's compute jobs (:class:`Job`: rule, wildcards,
        FLOPs, memory, a timed probe), one per job Snakemake plans for that config; read by
        ``python -m dltheory plan``, never by a job.
    """

    name: str
    title: str
    sources: tuple[str, ...]
    artifacts: Callable[[dict], dict[str, str | list[str]]]
    claims: Callable[[Artifacts, dict], list[Claim]]
    plot: Callable[[Artifacts, dict], Any]
    check: Callable[[dict], None] = no_check
    analysis: dict[str, str] = field(default_factory=dict)
    analyze: Callable[[Artifacts], dict[str, pd.DataFrame]] = no_analysis
    jobs: Callable[[dict], list[Job]] = no_jobs

    def result(self, file_name: str) -> str:
        """Path of one of this figure's artifacts: ``results/<name>/<file_name>``."""
        return f"results/{self.name}/{file_name}"


class Artifacts(Mapping):
    """Named artifacts, loaded on first use: ``.csv`` -> DataFrame, ``.npz`` -> {name: array}; a
    list of CSV paths -> one DataFrame (their rows concatenated in order). Keys are those of
    :attr:`Figure.artifacts` and :attr:`Figure.analysis`."""

    def __init__(self, paths: Mapping[str, Any], loaded: Mapping[str, Any] | None = None):
        self._paths = {k: v if isinstance(v, str) else list(v) for k, v in paths.items()}
        self._loaded = dict(loaded or {})

    def __getitem__(self, key: str):
        if key not in self._loaded:
            self._loaded[key] = _load(self._paths[key])
        return self._loaded[key]

    def __iter__(self):
        return iter(dict.fromkeys([*self._paths, *self._loaded]))

    def __len__(self) -> int:
        return len(set(self._paths) | set(self._loaded))

    def with_tables(self, tables: Mapping[str, pd.DataFrame]) -> Artifacts:
        """These artifacts and ``tables`` (already computed, e.g. the analysis)."""
        return Artifacts(self._paths, {**self._loaded, **tables})


def _load(path: str | list[str]):
    if isinstance(path, list):
        return pd.concat([read_table(p) for p in path], ignore_index=True)
    suffix = Path(path).suffix
    if suffix == ".csv":
        return read_table(path)
    if suffix == ".npz":
        return read_arrays(path)
    raise ValueError(f"{path}: no loader for {suffix!r} artifacts (known: .csv, .npz)")
