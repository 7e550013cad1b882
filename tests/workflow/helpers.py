"""Helpers of the workflow tests: a repository copy, Snakemake as a subprocess, planned jobs.

Everything runs in temporary copies of the repository, never in the checkout.
"""

import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

COPY = ["Snakefile", "workflow", "config", "profiles", "envs", "src", "pyproject.toml"]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]

sys.path.insert(0, str(ROOT / "src"))
from dltheory.core.registry import names, registry  # noqa: E402  (the registry: every test takes the figures from it)

NAMES = names()
# Every registered figure's rules: its compute steps' first, then its claims and plot.
RULES = {fig.name: (*(f"{fig.name}_{step.name}" for step in fig.steps), f"{fig.name}_claims", f"{fig.name}_plot") for fig in registry()}


def copy_repo(dest: Path) -> Path:
    """What a fresh clone has: the tracked sources, every file's modification time now."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in COPY:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"), copy_function=shutil.copy)
        else:
            shutil.copy(src, dest / name)
    return dest


def snakemake(cwd: Path, *args: str, timeout: float = 900, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*SNAKEMAKE, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


def planned_jobs(run: subprocess.CompletedProcess) -> list[str]:
    """The rules of the jobs a dry run (-n) plans, one entry per job, sorted."""
    assert run.returncode == 0, run.stdout + run.stderr
    return sorted(re.findall(r"^(?:local)?rule (\w+):$", run.stdout, flags=re.MULTILINE))


def tree_digest(*dirs: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for d in dirs for p in sorted(d.rglob("*")) if p.is_file()}


def smoke(repo: Path, *args: str, targets: tuple[str, ...] = ("figures/all",)) -> subprocess.CompletedProcess:
    """Build ``targets`` from config/smoke.yaml in ``repo`` on 2 cores (CI's machine)."""
    shutil.rmtree(repo / "figures", ignore_errors=True)
    run = snakemake(repo, *targets, "--configfile", "config/smoke.yaml", "--cores", "2", *args)
    assert run.returncode == 0, run.stdout + run.stderr
    return run


def require_system(reason: str) -> None:
    """Skip a test that needs system packages (SLURM, Chromium) where they are missing; where
    DLTHEORY_REQUIRE_SYSTEM_TESTS=1 (CI, .ci/run) fail instead, so that in CI it runs, not skips."""
    if os.environ.get("DLTHEORY_REQUIRE_SYSTEM_TESTS") == "1":
        pytest.fail(f"required system test cannot run: {reason}")
    pytest.skip(reason)


@contextlib.contextmanager
def edited(path: Path, text: str = "\nEDITED = True\n"):
    """``path`` with ``text`` appended (a statement: comments and docstrings change no code digest),
    restored afterwards whatever happens, so that the shared smoke build is left as it was."""
    original = path.read_text()
    path.write_text(original + text)
    try:
        yield path
    finally:
        path.write_text(original)
