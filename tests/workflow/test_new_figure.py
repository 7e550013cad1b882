"""`python -m dltheory new NAME` end to end, as the guide (docs/adding-a-figure.md) tells a user to
start: in a fresh copy under git, the skeleton touches exactly six entries of `git status`, lints,
passes the registry's check of every piece and its own test, and builds with a passing claim."""

import json
import os
import shutil
import subprocess
import sys

import pytest
from helpers import ROOT, copy_repo, snakemake

pytestmark = pytest.mark.workflow


def run(repo, *args):
    env = {**os.environ, "PYTHONPATH": str(repo / "src")}
    done = subprocess.run(args, cwd=repo, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_a_new_figure_from_the_skeleton_builds_and_passes(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    shutil.copytree(ROOT / "docs", repo / "docs")
    shutil.copytree(ROOT / "tests/unit", repo / "tests/unit", ignore=shutil.ignore_patterns("__pycache__"))
    run(repo, "git", "init", "-q", ".")
    run(repo, "git", "add", "-A")
    run(repo, "git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "before")

    run(repo, sys.executable, "-m", "dltheory", "new", "toy")
    status = sorted(line[3:] for line in run(repo, "git", "status", "--porcelain").splitlines())
    assert status == [
        "config/config.yaml",
        "config/paper.yaml",
        "config/smoke.yaml",
        "docs/toy.md",
        "src/dltheory/figures/toy/",
        "tests/unit/figures/test_toy.py",
    ]
    new = ["src/dltheory/figures/toy", "tests/unit/figures/test_toy.py"]
    run(repo, sys.executable, "-m", "ruff", "check", *new)
    run(repo, sys.executable, "-m", "ruff", "format", "--check", *new)
    # the registry's checks (every piece of every figure, toy included) and the skeleton's own test;
    # not the registry's tests that write a toy of their own, as toy exists here now
    run(
        repo,
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-k",
        "not skeleton and not left_out",
        "tests/unit/core/test_registry.py",
        "tests/unit/figures/test_toy.py",
    )

    built = snakemake(repo, "figures/toy.pdf", "--configfile", "config/smoke.yaml", "--cores", "2")  # the figure and its claims
    assert built.returncode == 0, built.stdout + built.stderr
    claims = json.loads((repo / "results/toy/claims.json").read_text())
    assert [(c["figure"], c["kind"], c["verdict"]) for c in claims] == [("toy", "claim", "pass")]
    assert (repo / "figures/toy.png").stat().st_size > 0


def test_an_existing_or_bad_name_is_refused(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    env = {**os.environ, "PYTHONPATH": str(repo / "src")}
    for name in ("pixel_mi", "Bad-Name"):
        done = subprocess.run([sys.executable, "-m", "dltheory", "new", name], cwd=repo, capture_output=True, text=True, env=env)
        assert done.returncode == 2 and done.stderr.startswith("error: ") and "Traceback" not in done.stderr
