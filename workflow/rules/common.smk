# Helpers shared by the .smk files: the registry of figures, the code a job runs, the params and
# resources of a compute step, and the checks that run before any job.
import json
import os
import shlex
import sys
from pathlib import Path


# Rules run the package from this checkout, whether or not it is pip-installed (conda envs
# from envs/*.yaml do not install it): children of this process inherit PYTHONPATH, and the
# checks below import it too.
os.environ.update(
    PYTHONPATH=os.pathsep.join(p for p in (os.path.join(workflow.basedir, "src"), os.environ.get("PYTHONPATH")) if p)
)
sys.path.insert(0, os.path.join(workflow.basedir, "src"))
import dltheory.core.checks
import dltheory.core.code_digest
import dltheory.core.runs
from dltheory.core.artifacts import InputError, damaged_artifacts, sidecar_path
from dltheory.core.registry import registry

ENV = "../../envs/dltheory.yaml"
RUN = "../scripts/run.py"  # the one job runner (dltheory.core.runner): every rule's script
FIGURES = registry()  # every registered figure, in order


def selected_figures():
    """The registered figures that config["figures"] asks for ("all", or a list), in registry order."""
    return dltheory.core.checks.selected(config)


def meta(path):
    """The JSON sidecar of an artifact: results/x/table.csv -> results/x/table.meta.json."""
    return str(sidecar_path(path))


def with_meta(**outputs):
    """Named outputs and their sidecars: table=... -> table=..., table_meta=...meta.json."""
    return outputs | {f"{key}_meta": meta(path) for key, path in outputs.items()}


def logs(figure, step):
    return f"logs/{figure}/{step}.log"


def benchmarks(figure, step):
    return f"benchmarks/{figure}/{step}.tsv"


def compute(figure):
    """The compute part of a figure's config section: what its compute jobs use (params)."""
    return config[figure]["compute"]


def code(*modules):
    """The Python a job runs: the runner script, the figure modules it runs by name
    ("figures/pixel_mi/claims.py", or one entry point: "figures/pixel_mi/jobs.py::measure"), their
    packages and every dltheory module they import. Inputs
    marked ancient(): their modification time never reruns anything (a fresh clone's checkout is
    newer than results copied into it); their meaning does, through the job's ``code`` param,
    code_digest() of the same modules."""
    files = dltheory.core.code_digest.code_files(workflow.basedir, "run.py", *modules)
    return [ancient(path) for path in dict.fromkeys(map(dltheory.core.code_digest.file_of, files))]


def code_digest(*modules):
    """Digest of the meaning (syntax tree without docstrings) of the files of code(*modules).
    As a param, Snakemake compares it with the one recorded at the job's last run (rerun trigger
    `params`), so changing what that code does reruns the job and what depends on it, and
    nothing else; a comment or docstring reruns nothing."""
    root = workflow.basedir
    return dltheory.core.code_digest.digest(root, dltheory.core.code_digest.code_files(root, "run.py", *modules))


def step_label(step):
    """A compute job's name in logs/ and benchmarks/: the step and its wildcards (train_{dataset})."""
    return "_".join([step.name, *(f"{{{w}}}" for w in step.wildcards)])


def step_params(fig, step):
    """A compute job's params: its code digest, its spec (the step's part of the compute section,
    for its wildcards), and what the step asks for: the device, the data options that change
    numbers, its checkpoint folder (not an output: a killed job keeps it, and its rerun resumes)."""
    section = compute(fig.name)

    def spec(wildcards):
        return step.params(section, wildcards)

    params = {"code": code_digest(f"figures/{fig.name}/jobs.py::{step.name}"), "spec": spec}
    if step.device:
        params["device"] = lambda wildcards: step.job_device(device(wildcards))  # "cpu" for a step pinned to the CPU
    if step.data:
        # the folder and the download switch change no number (files are checksummed): not params
        params["data"] = {k: config["data"][k] for k in ("test_fraction", "split_seed")}
    if step.checkpoints:
        params["checkpoints"] = f"results/.checkpoints/{fig.name}/{step_label(step)}"
    return params


def device(wildcards):
    """A torch job's device param: where the job will run, not how the config names it, so that
    `auto` and `cpu` on a machine without a GPU are one device and switching between them reruns
    nothing. Resolved once per process, when the jobs are planned (the executor is known by then):
    on this machine for a local run; on a cluster the compute node decides, so the param is the
    config's word. A `cuda` that this machine does not have stays `cuda` here and is refused by
    device_problem() before any job starts."""
    if "device" not in _RESOLVED:
        name = config["device"]
        if workflow.local_exec and name != "cpu":  # a run on the CPU does not pay for importing torch
            from dltheory.core.device import resolve_device

            try:
                name = resolve_device(name)
            except InputError:
                pass  # no GPU here for `cuda`: device_problem() refuses the run before any job
        _RESOLVED["device"] = name
    return _RESOLVED["device"]


_RESOLVED = {}


def step_resources(step):
    """A GPU for a torch step unless `device: cpu` (on a SLURM cluster this is sbatch --gpus, so
    `--config device=cpu` is the one switch for a cluster without GPUs; on one machine the default
    profile's single `gpu` token makes GPU jobs run one at a time) or the step is pinned to the
    CPU (Step.gpu False: Step.job_device), and its memory."""
    resources = {"gpu": 0 if config["device"] == "cpu" else 1} if step.device and step.gpu else {}
    return resources | ({"mem_mb": step.mem_mb} if step.mem_mb else {})


def step_threads(step):
    """The threads the step asks for, at most the config's `max_threads` (null: no cap)."""
    return min(step.threads, config["max_threads"] or step.threads)


def step_wildcards(fig, step):
    """The step's wildcard constraints, those given as functions of the compute section evaluated."""
    return {w: (c(compute(fig.name)) if callable(c) else c) for w, c in step.wildcards.items()}


def figure_files(figure):
    """The files of a figure, by format: {"pdf": figures/<figure>.pdf, "png": figures/<figure>.png}."""
    return {ext: f"figures/{figure}.{ext}" for ext in ("pdf", "png")}


def analysis_tables(fig):
    """The tables a figure's claims job derives (Figure.analysis), as paths under results/<figure>/."""
    return {key: fig.result(file) for key, file in fig.analysis.items()}


def check_config(cfg):
    """Before any job: the schemas and every selected figure's cross-key checks (dltheory.core.checks)."""
    errors = dltheory.core.checks.config_errors(cfg, workflow.basedir)
    if errors:
        raise WorkflowError(dltheory.core.checks.invalid_config(errors))


def user_options():
    """This run's own --configfile and --config, as a command line: a command that a message
    suggests repeats them, so that following it rebuilds at the scale the user built."""
    settings = workflow.config_settings
    files = [os.path.relpath(f) if Path(f).is_relative_to(Path.cwd()) else str(f) for f in settings.configfiles]
    values = [f"{key}={value if isinstance(value, str) else json.dumps(value)}" for key, value in settings.config.items()]
    return shlex.join([*(["--configfile", *files] if files else []), *(["--config", *values] if values else [])])


def check_results():
    """Every artifact under results/ (claims.json included) must match the SHA-256 in its sidecar.
    A damaged one stops the workflow before any job, so that no job reads it and Snakemake deletes
    nothing that depends on it; each message says how to rebuild it, with this run's options. Only
    the main process checks: on a cluster each job re-reads this file while others write."""
    problems = damaged_artifacts("results", user_options())
    if problems:
        raise WorkflowError("damaged artifacts (nothing was run or deleted):\n  " + "\n  ".join(problems))


def check_other_runs():
    """Before anything, in the main process: refuse --unlock while another run of this directory
    is alive (its lock is not stale), and say when the last run was killed (its lock is)."""
    live = dltheory.core.runs.live_run()
    if live and "--unlock" in sys.argv:
        raise WorkflowError(f"--unlock refused: {dltheory.core.runs.live_run_message(live)}")
    note = None if live else dltheory.core.runs.stale_run_note()
    if note:
        print(f"Note: {note}", file=sys.stderr)


def device_problem():
    """Why a local run cannot use the device asked for, or None: a run on a device this machine
    does not have would start its torch jobs, which would die after Snakemake removed their old
    outputs."""
    if workflow.local_exec and config["device"] == "cuda":
        from dltheory.core.device import resolve_device

        try:
            resolve_device("cuda")
        except InputError as error:
            return f"{error} (nothing was run or deleted); e.g. --config device=auto"
    return None


def start_problem():
    """When the jobs are about to start (onstart; a dry run never gets here): why this run must not
    start (a device this machine lacks; another live run of this directory, whatever Snakemake's
    lock says, since --unlock removes it), or None, and then this run is recorded until it ends."""
    problem = device_problem()
    live = dltheory.core.runs.live_run()
    if problem or live:
        return problem or f"{dltheory.core.runs.live_run_message(live)} (nothing was run or deleted)"
    dltheory.core.runs.record_run()
    return None
