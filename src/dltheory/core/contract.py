"""The figure contract: what a figure states, and what the workflow builds from it.

A figure is a package ``dltheory.figures.<name>``, found by discovery (:mod:`dltheory.core.registry`).
Its ``__init__.py`` holds one :class:`Figure`, a declaration: names, sources, the files its
compute jobs write (:attr:`Figure.outputs`), its compute :class:`Step` s (one Snakemake rule each)
and its config checks. The code lives in modules of the package, one concern each, so that a code
digest follows the concern:

* ``jobs.py``: one entry point per step, ``def <step>(job: JobRun) -> {output key: table or arrays}``
  (:mod:`dltheory.core.runner` runs it: threads, device, logging, timing, provenance, atomic writes);
* ``claims.py``: ``claims(artifacts, bars) -> [claim(...), ...]`` and, optionally,
  ``analyze(artifacts) -> {key: DataFrame}`` (the tables of :attr:`Figure.analysis`);
* ``plot.py``: ``plot(artifacts, bars) -> matplotlib Figure``, from artifacts only;
* ``cost.py``: ``jobs(config) -> [Job, ...]``, the cost model ``python -m dltheory plan`` prints;
  no job imports it, so editing a cost formula reruns nothing.

So a figure's config section has two parts: ``compute:`` (what the compute jobs use; a change
reruns them) and ``claims:`` (the bars; a change reruns the claims and the plot, which draws
them, in seconds). Cross-key relations that a JSON schema cannot state are checked by
:attr:`Figure.check` before any job runs.
"""

from __future__ import annotations

import importlib
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from dltheory.core.artifacts import read_arrays, read_table

if TYPE_CHECKING:  # for annotations only: a training job's code digest leaves the scorecard out
    from dltheory.core.claims import Claim


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


def seeds_of(spec: dict) -> list[int]:
    """The seeds ``seed .. seed + seeds - 1`` of a config part."""
    return list(range(spec["seed"], spec["seed"] + spec["seeds"]))


@dataclass(frozen=True)
class Job:
    """The cost of one compute job, for ``python -m dltheory plan`` (:mod:`dltheory.tools.plan`).

    Estimated run time on the device the probe ran on::

        seconds = overhead_s + scale × probe()

    Attributes:
      rule: the Snakemake rule, e.g. ``depth_accuracy_train``.
      wildcards: the job's wildcard values joined by "/" in the rule's order (``mnist_5k/sgd``);
        "" for a rule without wildcards.
      flops: floating-point operations of the whole job, from an analytic count (the formula is in
        the figure's ``cost.py``; transcendental functions and random draws are counted at the
        fixed rates of :mod:`dltheory.core.cost`).
      memory_bytes: the largest arrays the job holds at once (analytic); the plan adds the fixed
        interpreter and library baseline, :data:`dltheory.core.cost.BASELINE_BYTES`.
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


def whole_section(compute: dict, wildcards: Mapping[str, str]) -> dict:
    """The default :attr:`Step.params`: the figure's whole ``compute:`` section."""
    return dict(compute)


@dataclass(frozen=True)
class Step:
    """One kind of compute job of a figure: the Snakemake rule ``<figure>_<name>``, generated by
    ``workflow/rules/compute.smk``, which runs the entry point ``jobs.<name>`` of the figure's package.

    Attributes:
      name: the step, e.g. ``train``; the rule is ``<figure>_<name>``, its log
        ``logs/<figure>/<name>[_<wildcards>].log``.
      outputs: keys of :attr:`Figure.outputs` this step writes (each with its JSON sidecar).
      inputs: keys of :attr:`Figure.outputs` (written by another step) this step reads.
      params: (the figure's ``compute:`` section, the job's wildcards) -> the params the job
        receives (``job.params``); a change of any of them reruns it, so give only what the job
        uses (a job per wildcard value takes only its own value's settings).
      wildcards: wildcard -> its allowed values, a regex or a function of the ``compute:`` section
        returning one (``lambda c: "|".join(c["datasets"])``).
      threads: threads the job asks for (Snakemake gives at most ``--cores``, and sets
        ``OMP_NUM_THREADS`` and the BLAS libraries' thread counts to them; the runner sets torch's).
      device: the job runs torch on the configured device: it receives ``job.device`` and asks a
        GPU (the ``gpu`` resource) unless ``device: cpu``.
      gpu: with ``device``: False pins a job too small to gain from a GPU to the CPU: it receives
        ``job.device == "cpu"`` whatever the configured device (``auto`` included) and asks no GPU
        (:meth:`job_device`).
      data: the job loads a dataset: it receives the config's ``data`` options that change numbers.
      checkpoints: the job can resume: it receives ``job.checkpoints``, a folder that is not an
        output (a killed job keeps it, its rerun resumes), deleted once its outputs are written.
      mem_mb: memory the job asks for, where it is more than the profile's default.
    """

    name: str
    outputs: tuple[str, ...]
    params: Callable[[dict, Mapping[str, str]], dict] = whole_section
    inputs: tuple[str, ...] = ()
    wildcards: Mapping[str, str | Callable[[dict], str]] = field(default_factory=dict)
    threads: int = 1
    device: bool = False
    gpu: bool = True
    data: bool = False
    checkpoints: bool = False
    mem_mb: int | None = None

    def job_device(self, configured: str) -> str | None:
        """The device param of this step's jobs for the ``configured`` device (``auto``, ``cpu``,
        ``cuda``, or what it resolves to): None for a step that runs no torch, ``cpu`` for one
        pinned to the CPU (``gpu=False``), else ``configured``."""
        if not self.device:
            return None
        return configured if self.gpu else "cpu"


@dataclass(frozen=True)
class Figure:
    """One figure of the canon: its declaration, in its package's ``__init__.py`` as ``FIGURE``.

    Attributes:
      name: the figure's name: its package ``dltheory.figures.<name>``, its config section,
        ``results/<name>/``, ``figures/<name>.pdf``, ``docs/<name>.md``.
      order: its place in the scorecard, the report and ``figures/all`` (ascending).
      title: one line for the report and the docs.
      sources: the papers (section, figure) whose results the figure reproduces.
      outputs: {key: file name} of every file its compute steps write under ``results/<name>/``;
        a name may hold wildcards (``"{dataset}_{optimizer}.csv"``).
      steps: its compute steps (:class:`Step`), one Snakemake rule each.
      artifacts: config -> {key: path or list of paths}, the compute outputs the claims and the
        plot read (possibly another figure's, e.g. ``phase_diagram``'s depth scales); default:
        every output without wildcards.
      analysis: {key: file name} of tables the claims job derives and writes to ``results/<name>/``
        (``analyze`` in ``claims.py``; the plot reads them too).
      check: config -> None; raises :class:`ConfigError` on a bad cross-key relation.
      package: the Python package holding the figure's modules; default ``dltheory.figures.<name>``.
    """

    name: str
    order: int
    title: str
    sources: tuple[str, ...]
    outputs: Mapping[str, str]
    steps: tuple[Step, ...]
    artifacts: Callable[[dict], dict[str, str | list[str]]] | None = None
    analysis: Mapping[str, str] = field(default_factory=dict)
    check: Callable[[dict], None] = no_check
    package: str = ""

    def output(self, key: str, **wildcards: Any) -> str:
        """Path of one output, ``results/<name>/<file>``, its wildcards filled from ``wildcards``
        (those not given stay as patterns, for the rules)."""
        file = self.outputs[key]
        filled = re.sub(r"\{(\w+)\}", lambda m: str(wildcards.get(m.group(1), m.group(0))), file)
        return self.result(filled)

    def result(self, file_name: str) -> str:
        """Path of a file under this figure's results: ``results/<name>/<file_name>``."""
        return f"results/{self.name}/{file_name}"

    def artifact_paths(self, config: dict) -> dict[str, str | list[str]]:
        """What the claims and the plot read, for ``config``."""
        if self.artifacts is not None:
            return self.artifacts(config)
        return {key: self.output(key) for key, file in self.outputs.items() if "{" not in file}

    def module(self, concern: str):
        """The package's module of one concern: ``jobs``, ``claims``, ``plot`` or ``cost``."""
        return importlib.import_module(f"{self.package or 'dltheory.figures.' + self.name}.{concern}")

    @property
    def folder(self) -> Path:
        """The folder of the figure's package (its modules, ``schema.yaml``, ``caption.rst``)."""
        return Path(importlib.import_module(self.package or f"dltheory.figures.{self.name}").__file__).parent

    def analyze(self, artifacts: Artifacts) -> dict[str, pd.DataFrame]:
        """The analysis tables (``claims.analyze``), or none."""
        analyze = getattr(self.module("claims"), "analyze", None)
        return analyze(artifacts) if analyze else {}

    def claims(self, artifacts: Artifacts, bars: dict) -> list[Claim]:
        """The scorecard rows (``claims.claims``), judged against ``bars`` (the config's ``claims:``)."""
        return self.module("claims").claims(artifacts, bars)

    def plot(self, artifacts: Artifacts, bars: dict):
        """The matplotlib figure (``plot.plot``), from the artifacts and analysis tables only."""
        return self.module("plot").plot(artifacts, bars)

    def jobs(self, config: dict) -> list[Job]:
        """The cost of every compute job Snakemake plans for ``config`` (``cost.jobs``)."""
        return self.module("cost").jobs(config)

    def step(self, name: str) -> Step:
        """The compute step called ``name``."""
        return next(step for step in self.steps if step.name == name)


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
