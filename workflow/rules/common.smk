# Helpers shared by the rule files -- paths of artifacts, the code a figure depends on, config
# checks the schema cannot express.
import ast
import functools
import hashlib
import os
import sys
from pathlib import Path


# Rules run the package from this checkout, whether or not it is pip-installed (conda envs
# from envs/*.yaml do not install it): children of this process inherit PYTHONPATH, and the
# checks below import it too.
os.environ.update(
    PYTHONPATH=os.pathsep.join(p for p in (os.path.join(workflow.basedir, "src"), os.environ.get("PYTHONPATH")) if p)
)
sys.path.insert(0, os.path.join(workflow.basedir, "src"))
from dltheory.artifacts import damaged_artifacts
from dltheory.data import STANDARD, missing_data_message

ENV = "../../envs/dltheory.yaml"


def results(figure, name):
    """Path of an intermediate artifact: results/<figure>/<name>."""
    return f"results/{figure}/{name}"


def meta(path):
    """The JSON sidecar of a table: results/x/table.csv -> results/x/table.meta.json."""
    return path.rsplit(".", 1)[0] + ".meta.json"


def logs(figure, step):
    return f"logs/{figure}/{step}.log"


def benchmarks(figure, step):
    return f"benchmarks/{figure}/{step}.tsv"


def code(script, *dynamic):
    """The Python a job runs: its script under workflow/scripts and every dltheory module that
    script imports, directly or through other modules (read from the import statements, so the
    list cannot go stale), plus ``dynamic`` modules it imports by name at run time
    ("figures/pixel_mi.py"). Inputs marked ancient(): their modification time never reruns anything
    (a fresh clone's checkout is newer than results copied into it); their content does, through
    the job's ``code`` param, code_digest() of the same arguments."""
    return [ancient(path) for path in _code_files(script, *dynamic)]


def code_digest(script, *dynamic):
    """SHA-256 of the files of code(script, *dynamic). As a param, Snakemake compares it with the
    one recorded at the job's last run (rerun trigger `params`), so editing that code reruns the
    job and what depends on it, and nothing else. It replaces Snakemake's `code` trigger, which
    judges scripts by modification time."""
    digest = hashlib.sha256()
    for path in _code_files(script, *dynamic):
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()


@functools.cache  # code() and code_digest() of every rule ask for the same lists
def _code_files(script, *dynamic):
    roots = [f"workflow/scripts/{script}", *(f"src/dltheory/{m}" for m in dynamic)]
    return tuple(sorted(set(roots) | imported_modules(*roots)))


def imported_modules(*paths):
    """The src/dltheory files that the Python files ``paths`` import, transitively."""
    found, todo = set(), list(paths)
    while todo:
        for module in _direct_imports(todo.pop()):
            if module not in found:
                found.add(module)
                todo.append(module)
    return found


@functools.cache  # many scripts import the same modules: parse each file once
def _direct_imports(path):
    """src/dltheory files named by one file's module-level ``import``/``from ... import``
    statements, with the packages' __init__.py. Imports inside functions are left out: they run
    only with that function (the figure modules import plotting inside plot(), so that editing the
    plotting code reruns the plots and never the training)."""
    package = Path(path).parent.relative_to("src").parts if path.startswith("src/") else ()
    names = []
    for node in _module_level(ast.parse(Path(path).read_text(), path).body):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from .x import y, from . import x
                base = ".".join([*package[: len(package) - node.level + 1], *([base] if base else [])])
            names += [base, *(f"{base}.{alias.name}" for alias in node.names)]
    parts = [name.split(".") for name in names if name.split(".")[0] == "dltheory"]
    files = (_module_file(p[:n]) for p in parts for n in range(1, len(p) + 1))
    return frozenset(f for f in files if f is not None)


def _module_level(statements):
    """The statements run on import: the body, and the branches of its if/try/with blocks."""
    for node in statements:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        yield node
        for field in ("body", "orelse", "finalbody", "handlers"):
            yield from _module_level(getattr(node, field, []))


def _module_file(parts):
    """src/dltheory/a/b.py or src/dltheory/a/b/__init__.py for the module dltheory.a.b (as parts)."""
    stem = Path("src", *parts)
    for candidate in (stem.with_suffix(".py"), stem / "__init__.py"):
        if candidate.is_file():
            return str(candidate)
    return None


def checkpoints(figure, name):
    """Scratch folder of a training job's checkpoints: not a declared output, so a failed or
    killed job keeps it and its rerun resumes; the job deletes it once its table is written."""
    return f"results/.checkpoints/{figure}/{name}"


def depth_accuracy_tables():
    """One training table per configured dataset x optimizer (one panel each)."""
    cfg = config["depth_accuracy"]
    return [results("depth_accuracy", f"{d}_{o}.csv") for d in cfg["datasets"] for o in cfg["optimizers"]]


def section_params(figure, *skip):
    """A figure's config section without the keys in ``skip``, as a job's params. Keys that change
    no number (checkpoint_every) or belong to another job (a claims margin, the lottery) are left
    out, so that changing them does not rerun this job; scripts read them from the config."""
    return {k: v for k, v in config[figure].items() if k not in skip}


def depth_accuracy_grid():
    """The grid and hyperparameters every depth_accuracy panel shares (the lr is per optimizer)."""
    return section_params("depth_accuracy", "datasets", "optimizers", "lr", "checkpoint_every")


def data_params():
    """Data options that change the numbers. The folder and the download switch do not (files are
    checksummed), so scripts read them from the config and changing them reruns nothing."""
    return {k: config["data"][k] for k in ("test_fraction", "split_seed")}


def figure_files(figure):
    return [f"figures/{figure}.pdf", f"figures/{figure}.png"]


def check_config(cfg):
    """Relations between keys that a JSON schema cannot state; fails before any job runs."""
    errors = []
    for axis in ("sigma_w2", "sigma_b2"):
        spec = cfg["phase_diagram"]["grid"][axis]
        if spec["min"] >= spec["max"]:
            errors.append(f"phase_diagram.grid.{axis}: min ({spec['min']}) must be < max ({spec['max']})")
    prop = cfg["phase_diagram"]["propagation"]
    if cfg["phase_diagram"]["activation"] == "relu":
        bad = [s for s in prop["sigma_w2"] if s >= 2]
        if bad:
            errors.append(
                f"phase_diagram.propagation.sigma_w2: {bad} has no finite q* for relu at sigma_b2 > 0; allowed: values < 2"
            )
    errors += check_depth_accuracy(cfg)
    errors += check_lucky_weights(cfg["lucky_weights"])
    errors += check_pixel_mi(cfg["pixel_mi"])
    errors += check_entropy_gain(cfg["entropy_gain"])
    errors += check_r2svm(cfg["r2svm"])
    errors += check_data(cfg)
    if errors:
        raise WorkflowError("invalid config:\n  " + "\n  ".join(errors))


def check_depth_accuracy(cfg):
    """The 6 xi_c overlay comes from phase_diagram's tanh depth-scale grid: depth_accuracy's
    sigma_b2 must be a row of it and its sigma_w2 range must lie inside it."""
    errors = []
    da, grid = cfg["depth_accuracy"], cfg["phase_diagram"]["grid"]
    sb = grid["sigma_b2"]
    step = (sb["max"] - sb["min"]) / (sb["num"] - 1)
    k = (da["sigma_b2"] - sb["min"]) / step
    if not (0 <= round(k) < sb["num"] and abs(k - round(k)) < 1e-6):
        errors.append(
            f"depth_accuracy.sigma_b2: {da['sigma_b2']} is not on phase_diagram.grid.sigma_b2 "
            f"({sb['num']} values from {sb['min']} to {sb['max']}); allowed: one of those values"
        )
    sw, sw_grid = da["sigma_w2"], grid["sigma_w2"]
    if sw["min"] >= sw["max"]:
        errors.append(f"depth_accuracy.sigma_w2: min ({sw['min']}) must be < max ({sw['max']})")
    if sw["min"] < sw_grid["min"] or sw["max"] > sw_grid["max"]:
        errors.append(
            f"depth_accuracy.sigma_w2: [{sw['min']}, {sw['max']}] must lie inside phase_diagram.grid.sigma_w2 "
            f"[{sw_grid['min']}, {sw_grid['max']}] (xi_c is read from that grid)"
        )
    if "depth_accuracy" in cfg["figures"] and cfg["phase_diagram"]["activation"] != "tanh":
        errors.append(
            f"phase_diagram.activation: {cfg['phase_diagram']['activation']!r}, but depth_accuracy trains tanh networks "
            "and overlays their xi_c; allowed: tanh"
        )
    missing = sorted(set(da["optimizers"]) - set(da["lr"]))
    if missing:
        errors.append(f"depth_accuracy.lr: no learning rate for optimizer(s) {missing}; give one per entry of depth_accuracy.optimizers")
    return errors


def check_lucky_weights(lw):
    """The teacher must exist (distinct nonzero weight rows), and the ticket fit inside the student."""
    errors = []
    values, has_zero = len(lw["weight_choices"]), 0 in lw["weight_choices"]
    widths = [lw["n_in"], *lw["teacher_widths"], lw["n_out"]]
    for fan_in, fan_out in zip(widths[:-1], widths[1:]):
        rows = values**fan_in - has_zero  # distinct rows, the all-zero one excluded
        if rows < fan_out:
            errors.append(
                f"lucky_weights.weight_choices: {values} values give {rows} distinct nonzero rows of "
                f"{fan_in} weights, fewer than the {fan_out} nodes of a teacher layer; allowed: more values or wider layers"
            )
    if lw["lottery"]["keep"] > lw["multiplier"]:
        errors.append(
            f"lucky_weights.lottery.keep: {lw['lottery']['keep']} teacher widths exceed the student "
            f"(multiplier {lw['multiplier']}); allowed: 1 .. {lw['multiplier']}"
        )
    if lw["batch_size"] > lw["n_train"]:
        errors.append(f"lucky_weights.batch_size: {lw['batch_size']} exceeds n_train ({lw['n_train']}); allowed: <= n_train")
    return errors


def check_pixel_mi(pm):
    errors = []
    if pm["distances"]["min"] >= pm["distances"]["max"]:
        errors.append(f"pixel_mi.distances: min ({pm['distances']['min']}) must be < max ({pm['distances']['max']})")
    if "pixels" not in pm["representations"]:
        errors.append(f"pixel_mi.representations: {pm['representations']} lacks 'pixels', which the claims are about; allowed: a list with pixels")
    return errors


def check_entropy_gain(eg):
    """Every layer must leave a map: each shrinks it by kernel_size - 1 ('valid' convolution)."""
    left = eg["patch_size"] - eg["layers"] * (eg["kernel_size"] - 1)
    if left < 1:
        return [
            f"entropy_gain.layers: {eg['layers']} layers of {eg['kernel_size']}x{eg['kernel_size']} kernels shrink "
            f"{eg['patch_size']} px patches to nothing; allowed: layers <= {(eg['patch_size'] - 1) // (eg['kernel_size'] - 1)} or larger patch_size"
        ]
    return []


def check_r2svm(rs):
    errors = []
    too_deep = [l for l in rs["synthetic"]["layers_shown"] if l > rs["layers"]]
    if too_deep:
        errors.append(f"r2svm.synthetic.layers_shown: {too_deep} exceed r2svm.layers ({rs['layers']}); allowed: 1 .. {rs['layers']}")
    if not rs["datasets"] and not rs["synthetic"]["datasets"]:
        errors.append("r2svm.datasets and r2svm.synthetic.datasets are both empty; allowed: at least one dataset")
    return errors


def check_data(cfg):
    """The published files of the real-data options (mnist, cifar10) must be in data.dir, unless
    data.download may fetch them; checked before any job, not when training starts."""
    used = set()
    if "depth_accuracy" in cfg["figures"]:
        used |= set(cfg["depth_accuracy"]["datasets"])
    if "r2svm" in cfg["figures"]:
        used |= set(cfg["r2svm"]["datasets"])
    if cfg["data"]["download"]:
        return []
    messages = (missing_data_message(name, Path(cfg["data"]["dir"]).resolve()) for name in sorted(used & set(STANDARD)))
    return [
        f"data.dir: {message}".replace("\n", "\n    ") + "\n    (or set data.download: true on a machine with network access)"
        for message in messages
        if message is not None
    ]


def check_results():
    """Every artifact under results/ must match the SHA-256 in its sidecar. A damaged one stops the
    workflow before any job, so that no job reads it and Snakemake deletes nothing that depends on
    it. Only the main process checks: on a cluster each job re-reads this file while others write."""
    problems = damaged_artifacts("results")
    if problems:
        raise WorkflowError("damaged artifacts (nothing was run or deleted):\n  " + "\n  ".join(problems))


check_config(config)
if workflow.is_main_process:
    check_results()
