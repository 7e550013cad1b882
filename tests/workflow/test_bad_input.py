"""Bad input: each bad config, target, data folder or artifact fails with a message naming the
cause, without a traceback, and leaves every existing result and figure as it was.

docs/trust.md ("Bad input") lists the same cases.
"""

import json
import shutil

import pytest
import yaml
from helpers import snakemake, tree_digest

pytestmark = pytest.mark.workflow


def fails_cleanly(repo, run, expected):
    """The run failed, its output names every fragment of ``expected``, and shows no traceback."""
    output = run.stdout + run.stderr
    assert run.returncode != 0, output
    for fragment in expected:
        assert fragment in output, output
    assert "Traceback" not in output and output.count('File "') <= 2, output  # at most Snakemake's two-line origin
    return output


def untouched(repo):
    return tree_digest(repo / "results", repo / "figures")


# End to end through Snakemake, one of each kind of check; every other bad value is a unit test
# of the schemas and of the figures' checks (tests/unit/core/test_checks.py), in milliseconds.
BAD_CONFIGS = [
    # the schema of a figure's section
    ({"phase_diagram": {"compute": {"propagation": {"sigma_b2": -0.05}}}}, ["phase_diagram", "sigma_b2", "-0.05"]),
    ({"phase_diagram": {"compute": {"propagation": {"widht": 100}}}}, ["widht"]),
    # the global schema and the registry
    ({"device": "tpu"}, ["device", "tpu"]),
    ({"figures": ["phase_diagram", "no_such_figure"]}, ["figures", "no_such_figure", "allowed"]),
    ({"phase_diagramm": {"compute": {}}}, ["phase_diagramm", "unknown"]),
    # a figure's cross-key check
    (
        {"depth_accuracy": {"compute": {"sigma_b2": 0.07}}},
        ["depth_accuracy.compute.sigma_b2", "0.07", "phase_diagram.compute.grid.sigma_b2"],
    ),
]


@pytest.mark.parametrize("override, expected", BAD_CONFIGS, ids=[str(c[0]) for c in BAD_CONFIGS])
def test_bad_config_fails_before_any_job_and_keeps_results(smoke_build, tmp_path, override, expected):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(override))
    before = untouched(smoke_build)
    run = snakemake(smoke_build, "figures/all", "--configfile", "config/smoke.yaml", str(bad), "--cores", "1")
    output = fails_cleanly(smoke_build, run, expected)
    assert "Building DAG" not in output  # failed while loading the workflow, before planning jobs
    assert untouched(smoke_build) == before


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_non_finite_number_fails_before_any_job_and_keeps_the_built_table(smoke_build, tmp_path, value):
    # Every schema bound is a comparison, and every comparison with NaN is false: YAML's .nan passed
    # the schema, the job started, and Snakemake deleted the built propagation.csv before it died.
    bad = tmp_path / "nan.yaml"
    bad.write_text(f"phase_diagram:\n  compute:\n    propagation:\n      sigma_w2: [{value}, 2.0]\n")
    before = untouched(smoke_build)
    run = snakemake(smoke_build, "figures/all", "--configfile", "config/smoke.yaml", str(bad), "--cores", "1")
    fails_cleanly(smoke_build, run, ["phase_diagram.compute.propagation.sigma_w2[0]", "not a finite number"])
    assert untouched(smoke_build) == before
    assert (smoke_build / "results/phase_diagram/propagation.csv").exists()


def test_unknown_figure_target(smoke_build):
    before = untouched(smoke_build)
    run = snakemake(smoke_build, "figures/no_such_figure.pdf", "--configfile", "config/smoke.yaml", "--cores", "1")
    fails_cleanly(smoke_build, run, ["No rule to produce figures/no_such_figure.pdf"])
    assert untouched(smoke_build) == before


def test_missing_published_data_fails_before_any_job_with_what_to_download(smoke_build, tmp_path):
    """The real-data option, offline: the run stops before any job, naming the files, their URLs and the folder."""
    override = tmp_path / "mnist.yaml"
    override.write_text(yaml.safe_dump({"depth_accuracy": {"compute": {"datasets": ["mnist"]}}, "data": {"dir": str(tmp_path / "data")}}))
    before = untouched(smoke_build)
    run = snakemake(smoke_build, "figures/all", "--configfile", "config/smoke.yaml", str(override), "--cores", "1")
    output = fails_cleanly(
        smoke_build, run, ["data.dir", "train-images-idx3-ubyte.gz", "https://", str(tmp_path / "data"), "data.download"]
    )
    assert "Building DAG" not in output
    assert untouched(smoke_build) == before


@pytest.fixture
def built_copy(smoke_build, tmp_path):
    """A private copy of the smoke build (with Snakemake's records), to damage."""
    repo = tmp_path / "repo"
    shutil.copytree(smoke_build, repo, symlinks=True)
    return repo


DAMAGES = {
    "truncated table": (
        "results/pixel_mi/mi.csv",
        lambda b: b[: len(b) // 2],
        ["results/pixel_mi/mi.csv", "SHA-256", "rm results/pixel_mi/mi.csv"],
    ),
    "edited table": ("results/r2svm/layers.csv", lambda b: b.replace(b"0.", b"1.", 1), ["results/r2svm/layers.csv", "changed or damaged"]),
    "empty arrays": ("results/lucky_weights/students.npz", lambda b: b"", ["results/lucky_weights/students.npz", "SHA-256"]),
    "broken sidecar": (
        "results/entropy_gain/entropy.meta.json",
        lambda b: b[:-5],
        ["results/entropy_gain/entropy.meta.json", "cannot be read"],
    ),
}


@pytest.mark.parametrize("damage", DAMAGES, ids=list(DAMAGES))
def test_damaged_artifact_stops_the_build_and_deletes_nothing(built_copy, damage):
    path, corrupt, expected = DAMAGES[damage]
    target = built_copy / path
    original = target.read_bytes()
    target.write_bytes(corrupt(original))
    before = untouched(built_copy)
    run = snakemake(built_copy, "figures/all", "--configfile", "config/smoke.yaml", "--cores", "2")
    output = fails_cleanly(built_copy, run, ["damaged artifacts", *expected])
    assert "Building DAG" not in output
    assert untouched(built_copy) == before


def test_deleting_a_damaged_artifact_as_told_rebuilds_it_identically(built_copy):
    table, sidecar = built_copy / "results/pixel_mi/mi.csv", built_copy / "results/pixel_mi/mi.meta.json"
    original = table.read_bytes()
    table.write_bytes(original[:100])
    run = snakemake(built_copy, "figures/all", "--configfile", "config/smoke.yaml", "--cores", "2")
    assert run.returncode != 0
    assert "&& snakemake results/pixel_mi/mi.csv" in run.stderr
    table.unlink()
    sidecar.unlink()
    for target in ("results/pixel_mi/mi.csv", "figures/all"):
        run = snakemake(built_copy, target, "--configfile", "config/smoke.yaml", "--cores", "2")
        assert run.returncode == 0, run.stdout + run.stderr
    assert table.read_bytes() == original and json.loads(sidecar.read_text())["file"] == "mi.csv"
