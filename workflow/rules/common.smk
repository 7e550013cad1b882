# Helpers shared by the .smk files: the registry of figures, paths of artifacts, the code a job
# runs, and the checks that run before any job.
import os
import sys


# Rules run the package from this checkout, whether or not it is pip-installed (conda envs
# from envs/*.yaml do not install it): children of this process inherit PYTHONPATH, and the
# checks below import it too.
os.environ.update(
    PYTHONPATH=os.pathsep.join(p for p in (os.path.join(workflow.basedir, "src"), os.environ.get("PYTHONPATH")) if p)
)
sys.path.insert(0, os.path.join(workflow.basedir, "src"))
import dltheory.checks
import dltheory.code_digest
from dltheory.artifacts import damaged_artifacts, sidecar_path
from dltheory.figures import registry

ENV = "../../envs/dltheory.yaml"
FIGURES = registry()  # every registered figure, in order


def selected_figures():
    """The registered figures that config["figures"] asks for ("all", or a list), in registry order."""
    return dltheory.checks.selected(config)


def results(figure, name):
    """Path of an intermediate artifact: results/<figure>/<name>."""
    return f"results/{figure}/{name}"


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


def checkpoints(figure, name):
    """Scratch folder of a training job's checkpoints: not a declared output, so a failed or
    killed job keeps it and its rerun resumes; the job deletes it once its table is written."""
    return f"results/.checkpoints/{figure}/{name}"


def gpus():
    """GPUs a training job asks for: 1, or 0 with `device: cpu`. On a SLURM cluster this is
    sbatch --gpus, so `--config device=cpu` is the one switch for a cluster without GPUs; on one
    machine the default profile's single `gpu` token makes GPU jobs run one at a time."""
    return 0 if config["device"] == "cpu" else 1


def compute(figure):
    """The compute part of a figure's config section: what its compute jobs use (params)."""
    return config[figure]["compute"]


def code(script, *dynamic):
    """The Python a job runs: its script and every dltheory module it imports, plus ``dynamic``
    modules it imports by name ("figures/pixel_mi.py"). Inputs marked ancient(): their
    modification time never reruns anything (a fresh clone's checkout is newer than results
    copied into it); their meaning does, through the job's ``code`` param, code_digest() of the
    same arguments."""
    return [ancient(path) for path in dltheory.code_digest.code_files(workflow.basedir, script, *dynamic)]


def code_digest(script, *dynamic):
    """Digest of the meaning (syntax tree without docstrings) of the files of code(script, *dynamic).
    As a param, Snakemake compares it with the one recorded at the job's last run (rerun trigger
    `params`), so changing what that code does reruns the job and what depends on it, and
    nothing else; a comment or docstring reruns nothing."""
    return dltheory.code_digest.digest(workflow.basedir, dltheory.code_digest.code_files(workflow.basedir, script, *dynamic))


def data_params():
    """Data options that change the numbers. The folder and the download switch do not (files are
    checksummed), so scripts read them from the config and changing them reruns nothing."""
    return {k: config["data"][k] for k in ("test_fraction", "split_seed")}


def figure_files(figure):
    """The files of a figure, by format: {"pdf": figures/<figure>.pdf, "png": figures/<figure>.png}."""
    return {ext: f"figures/{figure}.{ext}" for ext in ("pdf", "png")}


def analysis_tables(fig):
    """The tables a figure's claims job derives (Figure.analysis), as paths under results/<figure>/."""
    return {key: results(fig.name, file) for key, file in fig.analysis.items()}


def check_config(cfg):
    """Before any job: the schemas and every selected figure's cross-key checks (dltheory.checks)."""
    errors = dltheory.checks.config_errors(cfg, workflow.basedir)
    if errors:
        raise WorkflowError("invalid config (nothing was run or deleted):\n  " + "\n  ".join(e.replace("\n", "\n  ") for e in errors))


def check_results():
    """Every artifact under results/ must match the SHA-256 in its sidecar. A damaged one stops the
    workflow before any job, so that no job reads it and Snakemake deletes nothing that depends on
    it. Only the main process checks: on a cluster each job re-reads this file while others write."""
    problems = damaged_artifacts("results")
    if problems:
        raise WorkflowError("damaged artifacts (nothing was run or deleted):\n  " + "\n  ".join(problems))
