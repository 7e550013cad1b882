# Helpers shared by the rule files -- paths of artifacts, the code a figure depends on, config
# checks the schema cannot express.
import os


# Rules run the package from this checkout, whether or not it is pip-installed (conda envs
# from envs/*.yaml do not install it): children of this process inherit PYTHONPATH.
os.environ.update(
    PYTHONPATH=os.pathsep.join(p for p in (os.path.join(workflow.basedir, "src"), os.environ.get("PYTHONPATH")) if p)
)

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


def code(*modules):
    """The dltheory source files behind a job, declared as inputs so that editing them reruns it."""
    return [f"src/dltheory/{m}" for m in ("artifacts.py", *modules)]


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
    if errors:
        raise WorkflowError("invalid config:\n  " + "\n  ".join(errors))


check_config(config)
