"""Kill and resume: Snakemake SIGKILLed mid-way takes its training job with it (the job stops by
itself, writing nothing); the next run says the lock is stale, and after --unlock the job resumes
from its checkpoint, not from step 0, and ends with exactly the artifacts of an uninterrupted run."""

import os
import re
import signal
import subprocess
import time

import numpy as np
import psutil
import pytest
import yaml
from helpers import SNAKEMAKE, copy_repo, snakemake

from dltheory.core.artifacts import read_arrays

pytestmark = pytest.mark.workflow

TARGET = "results/lucky_weights/students.npz"
STEPS, EVERY = 8000, 500  # smoke-sized students, trained long enough (~15 s) to be killed mid-way


ARGS = [TARGET, "--configfile", "config/smoke.yaml", "config/resume.yaml", "--cores", "2"]


def train(repo, *args):
    return snakemake(repo, *ARGS, *args)


def arrays(repo):
    return {
        f"{name}/{key}": a
        for name in ("students", "correlations")
        for key, a in read_arrays(repo / f"results/lucky_weights/{name}.npz").items()
    }


@pytest.fixture
def repos(tmp_path):
    pair = []
    for name in ("uninterrupted", "killed"):
        repo = copy_repo(tmp_path / name)
        override = {"lucky_weights": {"compute": {"steps": STEPS}, "run": {"checkpoint_every": EVERY}}}
        (repo / "config/resume.yaml").write_text(yaml.safe_dump(override))
        pair.append(repo)
    return pair


def test_sigkilled_training_resumes_from_its_checkpoint(repos):
    uninterrupted, killed = repos
    run = train(uninterrupted)
    assert run.returncode == 0, run.stdout + run.stderr

    # Start the same build, and SIGKILL Snakemake once the checkpoint has been written 4 times
    # (step 2000 of 8000 or later): no chance to clean up, as with a node failure. A checkpoint is moved into place whole, so each version seen is
    # a complete one.
    checkpoint = killed / "results/.checkpoints/lucky_weights/train/students.pt"
    proc = subprocess.Popen([*SNAKEMAKE, *ARGS], cwd=killed, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline, versions = time.monotonic() + 300, set()
    while len(versions) < 4:
        assert proc.poll() is None, "the training finished before it could be killed"
        assert time.monotonic() < deadline, "no checkpoint written"
        if checkpoint.exists():
            stat = checkpoint.stat()
            versions.add((stat.st_ino, stat.st_mtime_ns))
        time.sleep(0.02)
    jobs = psutil.Process(proc.pid).children(recursive=True)
    assert jobs, "no job running"
    os.kill(proc.pid, signal.SIGKILL)  # Snakemake alone, with no chance to stop its job
    proc.wait()
    _, alive = psutil.wait_procs(jobs, timeout=10)  # the job stops by itself once its Snakemake is gone
    outlived = [" ".join(p.cmdline()) for p in alive]
    for p in alive:
        p.kill()
    assert not outlived, f"jobs outlived their Snakemake: {outlived}"
    assert not (killed / TARGET).exists()  # artifacts are written atomically at the end

    log = killed / "logs/lucky_weights/train.log"
    assert f"Snakemake (pid {proc.pid}) is gone: this job stops without writing its outputs" in log.read_text()
    rerun = train(killed)  # Snakemake refuses: the killed run left its lock on the working directory
    assert rerun.returncode != 0 and "--unlock" in rerun.stderr, rerun.stderr
    assert "ended without finishing (killed?)" in rerun.stderr and "that lock is stale" in rerun.stderr  # so --unlock is safe
    assert snakemake(killed, "--unlock", "--configfile", "config/smoke.yaml").returncode == 0
    rerun = train(killed, "--rerun-incomplete")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr

    resumed = re.search(r"resumed from checkpoint \S+ at step (\d+)", log.read_text())
    assert resumed, log.read_text()
    start = int(resumed.group(1))
    assert 4 * EVERY <= start < STEPS and start % EVERY == 0
    assert f"step {STEPS}/{STEPS}" in log.read_text()
    assert not checkpoint.parent.exists()  # spent once the artifacts are written

    expected, got = arrays(uninterrupted), arrays(killed)
    assert expected.keys() == got.keys()
    for key in expected:
        np.testing.assert_array_equal(got[key], expected[key], err_msg=key)
