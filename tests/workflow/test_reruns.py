"""What a rerun plans: nothing for a built project copied into a fresh clone, exactly one figure's
jobs for one figure's parameter, and the figures that import the code for a code edit."""

import shutil

import pytest
import yaml
from helpers import RULES, copy_repo, edited, planned_jobs, snakemake

pytestmark = pytest.mark.workflow


def plan(repo, *configs):
    configfiles = ["config/smoke.yaml", *map(str, configs)]
    return planned_jobs(snakemake(repo, "figures/all", "-n", "--configfile", *configfiles))


def test_built_project_copied_into_a_fresh_clone_plans_nothing(smoke_build, tmp_path):
    # A fresh clone's sources are newer than the copied results (copied as `cp -a` does, keeping
    # their modification times), and it has no .snakemake records: nothing may rerun.
    clone = copy_repo(tmp_path / "clone")
    shutil.rmtree(clone / "figures", ignore_errors=True)
    for folder in ("results", "figures"):
        shutil.copytree(smoke_build / folder, clone / folder)
    assert not (clone / ".snakemake").exists()
    assert plan(clone) == []


# One parameter of one figure -> the jobs it changes: a compute parameter reruns the figure's
# computing jobs, its claims, its plot and the manifest, and no other figure's job unless it reads
# that figure's artifacts; a bar (claims:) reruns the claims and the plot that draws it, never the
# compute; a run setting (run:) reruns nothing.
PARAMETER_CHANGES = [
    (
        "phase_diagram",
        {"compute": {"propagation": {"seeds": 2}}},
        ["phase_diagram_propagation", "phase_diagram_claims", "phase_diagram_plot"],
    ),
    # The depth scales are an input of depth_accuracy too: its claims and plot overlay 6 xi_c.
    (
        "phase_diagram",
        {"compute": {"quadrature_points": 61}},
        ["phase_diagram_theory", "phase_diagram_claims", "phase_diagram_plot", "depth_accuracy_claims", "depth_accuracy_plot"],
    ),
    ("phase_diagram", {"claims": {"xi_tolerance": 0.2}}, ["phase_diagram_claims", "phase_diagram_plot"]),
    # one job per optimizer x depth (2 x 2 at smoke scale); a new depth trains that depth only
    ("depth_accuracy", {"compute": {"steps": 10}}, ["depth_accuracy_train"] * 4 + ["depth_accuracy_claims", "depth_accuracy_plot"]),
    ("depth_accuracy", {"compute": {"depths": [2, 6, 4]}}, ["depth_accuracy_train"] * 2 + ["depth_accuracy_claims", "depth_accuracy_plot"]),
    ("depth_accuracy", {"run": {"checkpoint_every": 7}}, []),
    (
        "lucky_weights",
        {"compute": {"lr": 0.03}},
        ["lucky_weights_train", "lucky_weights_lottery", "lucky_weights_claims", "lucky_weights_plot"],
    ),
    ("lucky_weights", {"compute": {"lottery": {"keep": 1}}}, ["lucky_weights_lottery", "lucky_weights_claims", "lucky_weights_plot"]),
    ("lucky_weights", {"compute": {"two_layer": {"lr": 0.02}}}, ["lucky_weights_two_layer", "lucky_weights_claims", "lucky_weights_plot"]),
    # a second multiplier is one more job; the first one's result stays
    (
        "lucky_weights",
        {"compute": {"two_layer": {"multipliers": [3, 4]}}},
        ["lucky_weights_two_layer", "lucky_weights_claims", "lucky_weights_plot"],
    ),
    ("lucky_weights", {"claims": {"fan_out_window": 2}}, ["lucky_weights_claims", "lucky_weights_plot"]),
    ("pixel_mi", {"compute": {"n_bins": 8}}, ["pixel_mi_measure", "pixel_mi_claims", "pixel_mi_plot"]),
    ("pixel_mi", {"claims": {"floor_margin_bits": 0.2}}, ["pixel_mi_claims", "pixel_mi_plot"]),
    ("entropy_gain", {"compute": {"seeds": 3}}, ["entropy_gain_measure", "entropy_gain_claims", "entropy_gain_plot"]),
    ("r2svm", {"compute": {"beta": 0.2}}, ["r2svm_fit", "r2svm_claims", "r2svm_plot"]),
]


@pytest.mark.parametrize("figure, change, expected", PARAMETER_CHANGES, ids=[f"{f}-{c}" for f, c, _ in PARAMETER_CHANGES])
def test_a_figure_parameter_reruns_exactly_that_figures_jobs(smoke_build, tmp_path, figure, change, expected):
    override = tmp_path / "change.yaml"
    smoke = yaml.safe_load((smoke_build / "config/smoke.yaml").read_text())
    section = smoke.get(figure, {})
    override.write_text(yaml.safe_dump({figure: merge(section, change)}))
    planned = plan(smoke_build, override)
    assert planned == (sorted(expected + ["all_figures"]) if expected else [])


def merge(base: dict, change: dict) -> dict:
    out = dict(base)
    for key, value in change.items():
        out[key] = merge(base.get(key, {}), value) if isinstance(value, dict) else value
    return out


# An edit of a module -> every job that imports it, what depends on those, the manifest. A figure's
# code follows its concerns: jobs.py reruns its compute (and all after it), claims.py its claims
# and plot (the plot draws the bars), plot.py its plot alone, and cost.py (the plan's cost model,
# which no job imports) nothing.
CODE_EDITS = [
    ("src/dltheory/science/recursive_svm.py", list(RULES["r2svm"])),
    ("src/dltheory/science/teacher_student.py", list(RULES["lucky_weights"])),
    # Each figure's estimators in their own module: an edit reruns the figures that use them alone
    # (entropy_accuracy reuses entropy_gain's entropy estimators).
    ("src/dltheory/science/mutual_information.py", list(RULES["pixel_mi"])),
    ("src/dltheory/science/differential_entropy.py", [*RULES["entropy_gain"], *RULES["entropy_accuracy"]]),
    # depth_accuracy's claims and plot overlay xi_c from phase_diagram's depth scales.
    ("src/dltheory/science/meanfield.py", [*RULES["phase_diagram"], "depth_accuracy_claims", "depth_accuracy_plot"]),
    ("src/dltheory/figures/pixel_mi/jobs.py", list(RULES["pixel_mi"])),
    ("src/dltheory/figures/entropy_gain/claims.py", ["entropy_gain_claims", "entropy_gain_plot"]),
    ("src/dltheory/figures/entropy_gain/plot.py", ["entropy_gain_plot"]),
    ("src/dltheory/figures/lucky_weights/cost.py", []),
    ("src/dltheory/core/cost.py", []),
    ("src/dltheory/core/plotting.py", [f"{figure}_plot" for figure in RULES]),
    # the verdicts' statistics: every figure's claims (and the plots that draw them), never a compute job
    ("src/dltheory/core/uncertainty.py", [rule for figure in RULES for rule in (f"{figure}_claims", f"{figure}_plot")]),
    ("src/dltheory/core/runner.py", None),  # every job runs through it: all of them, as from nothing
]


@pytest.mark.parametrize("path, expected", CODE_EDITS, ids=[path for path, _ in CODE_EDITS])
def test_a_code_edit_rebuilds_the_figures_that_import_it(smoke_build, path, expected):
    # The build starts up to date: each test of the smoke build ends with nothing to do.
    if expected is None:
        every_job = snakemake(smoke_build, "figures/all", "-n", "--forceall", "--configfile", "config/smoke.yaml")
        expected = [job for job in planned_jobs(every_job) if job != "all_figures"]
    with edited(smoke_build / path):
        assert plan(smoke_build) == (sorted(expected + ["all_figures"]) if expected else [])
    assert plan(smoke_build) == []  # the edit undone: nothing to do again


def test_an_entry_points_edit_reruns_its_own_step(smoke_build):
    # The compute steps of a figure share jobs.py, but each job's digest covers its own entry point
    # (and what it reaches): editing the two-layer students retrains neither the deep students nor
    # the lottery tickets.
    jobs = smoke_build / "src/dltheory/figures/lucky_weights/jobs.py"
    original = jobs.read_text()
    entry = "def two_layer(job: JobRun) -> dict:\n"
    assert original.count(entry) == 1
    try:
        jobs.write_text(original.replace(entry, entry + "    assert job is not None\n"))
        assert plan(smoke_build) == sorted(["lucky_weights_two_layer", "lucky_weights_claims", "lucky_weights_plot", "all_figures"])
    finally:
        jobs.write_text(original)


# An edit that changes no meaning -> nothing: comments and docstrings are not part of a code digest,
# so fixing a docstring in the trainer never retrains at paper scale.
def test_a_comment_or_docstring_edit_reruns_nothing(smoke_build):
    training = smoke_build / "src/dltheory/engine/training.py"
    original = training.read_text()
    assert original.count('"""') >= 2
    try:
        training.write_text(original.replace('"""', '"""An edited docstring. ', 1) + "\n# a comment\n")
        assert plan(smoke_build) == []
        with edited(training, "\nEDITED = True\n"):  # but a statement does
            assert "lucky_weights_train" in plan(smoke_build)
    finally:
        training.write_text(original)


def test_a_figures_caption_is_its_own_file_and_reruns_nothing(smoke_build):
    # The report reads the caption when it is made: editing it rebuilds nothing.
    with edited(smoke_build / "src/dltheory/figures/pixel_mi/caption.rst", "\nAn added sentence.\n"):
        assert plan(smoke_build) == []
