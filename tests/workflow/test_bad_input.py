"""Bad input: each bad config, target, data folder or artifact fails with a message naming the
cause, without a traceback, and leaves every existing result and figure as it was.

docs/trust.md ("Bad input") lists the same cases.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
import torch
import yaml
from helpers import planned_jobs, snakemake, tree_digest

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
    "truncated claims": (
        "results/phase_diagram/claims.json",
        lambda b: b[: len(b) // 2],
        ["results/phase_diagram/claims.json", "SHA-256", "rm results/phase_diagram/claims.json results/phase_diagram/claims.meta.json"],
    ),
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


@pytest.mark.parametrize("path", ["results/pixel_mi/mi.csv", "results/phase_diagram/claims.json"])
def test_following_the_repair_hint_rebuilds_the_artifact_identically(built_copy, path):
    """The hint repeats the run's own --configfile, and running it as printed rebuilds the file
    (asked for a figure instead, Snakemake would call it up to date with the file missing)."""
    artifact = built_copy / path
    original = artifact.read_bytes()
    artifact.write_bytes(original[:100])
    run = snakemake(built_copy, "figures/all", "--configfile", "config/smoke.yaml", "--cores", "2")
    assert run.returncode != 0
    hint = re.search(r"Delete and rebuild: (rm .*)$", run.stderr, flags=re.MULTILINE)
    assert hint and hint.group(1).endswith(f"&& snakemake {path} --configfile config/smoke.yaml"), run.stderr
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}  # this venv's snakemake
    followed = subprocess.run(hint.group(1), shell=True, cwd=built_copy, capture_output=True, text=True, env=env)
    assert followed.returncode == 0, followed.stdout + followed.stderr
    assert artifact.read_bytes() == original
    run = snakemake(built_copy, "figures/all", "--configfile", "config/smoke.yaml", "--cores", "2")
    assert run.returncode == 0, run.stdout + run.stderr


no_gpu = pytest.mark.skipif(torch.cuda.is_available(), reason="checks a machine without a CUDA device")


@no_gpu
def test_a_device_this_machine_lacks_fails_before_any_job_and_keeps_results(smoke_build):
    # It used to pass the checks: the torch jobs reran (their device param changed), Snakemake removed
    # their outputs, and the jobs died on the missing GPU -- propagation.csv and the rest were lost.
    before = untouched(smoke_build)
    run = snakemake(smoke_build, "figures/all", "--configfile", "config/smoke.yaml", "--config", "device=cuda", "--cores", "1")
    fails_cleanly(smoke_build, run, ["device: 'cuda'", "no CUDA device", "nothing was run or deleted", "device=auto"])
    assert untouched(smoke_build) == before


@no_gpu
def test_auto_and_cpu_are_one_device_here_and_switching_reruns_nothing(smoke_build):
    run = snakemake(smoke_build, "figures/all", "-n", "--configfile", "config/smoke.yaml", "--config", "device=auto")
    assert run.returncode == 0 and "Nothing to be done" in run.stdout + run.stderr, run.stdout + run.stderr


@no_gpu
def test_a_step_pinned_to_the_cpu_keeps_its_device_when_the_config_asks_a_gpu(smoke_build):
    # `device: cuda` changes the device param of every torch job, so a dry run plans them again,
    # but not the two-layer students': pinned to the CPU (Step.gpu False), theirs stays `cpu`.
    run = snakemake(smoke_build, "figures/lucky_weights.pdf", "-n", "--configfile", "config/smoke.yaml", "--config", "device=cuda")
    planned = planned_jobs(run)
    assert "lucky_weights_train" in planned and "lucky_weights_two_layer" not in planned


@pytest.fixture
def live_run(built_copy):
    """A live process recorded as a run of ``built_copy`` (as a Snakemake run in progress records itself)."""
    process = subprocess.Popen(["sleep", "300"])
    record = {"pid": process.pid, "create_time": psutil.Process(process.pid).create_time(), "command": "snakemake figures/all"}
    (built_copy / ".snakemake").mkdir(exist_ok=True)
    (built_copy / ".snakemake/dltheory-run.json").write_text(json.dumps(record))
    yield process
    process.kill()
    process.wait()


def test_no_run_and_no_unlock_beside_a_live_run(built_copy, live_run):
    before = untouched(built_copy)
    forced = ("figures/all", "--configfile", "config/smoke.yaml", "--forcerun", "phase_diagram_plot", "--cores", "1")
    run = snakemake(built_copy, *forced)
    fails_cleanly(built_copy, run, ["another Snakemake run is live", f"pid {live_run.pid}", f"kill {live_run.pid}", "Do not use --unlock"])
    unlock = snakemake(built_copy, "--unlock", "--configfile", "config/smoke.yaml")
    fails_cleanly(built_copy, unlock, ["--unlock refused", f"pid {live_run.pid}"])
    assert untouched(built_copy) == before
    live_run.kill()  # the run is gone (a hard kill): its record is stale and the next run goes ahead
    live_run.wait()
    run = snakemake(built_copy, *forced)
    assert run.returncode == 0 and "ended without finishing (killed?)" in run.stderr, run.stdout + run.stderr
    assert not (built_copy / ".snakemake/dltheory-run.json").exists()  # a run that ends removes its record
