"""dltheory.core.runs: a run is live only while its own process runs (a reused pid is not it), the
record is this run's alone, and a job stops by itself when the Snakemake that started it is gone."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import psutil
import pytest

from dltheory.core import runs


@pytest.fixture
def sleeper():
    process = subprocess.Popen(["sleep", "60"])
    yield process
    process.kill()
    process.wait()


def write_record(root, pid, create_time):
    (root / runs.RECORD).parent.mkdir(parents=True, exist_ok=True)
    (root / runs.RECORD).write_text(f'{{"pid": {pid}, "create_time": {create_time}, "command": "snakemake figures/all"}}')


def test_a_record_is_live_while_its_process_runs_and_stale_after(tmp_path, sleeper):
    write_record(tmp_path, sleeper.pid, psutil.Process(sleeper.pid).create_time())
    assert runs.live_run(tmp_path)["pid"] == sleeper.pid and runs.stale_run_note(tmp_path) is None
    assert f"kill {sleeper.pid}" in runs.live_run_message(runs.live_run(tmp_path))
    sleeper.kill()
    sleeper.wait()
    assert runs.live_run(tmp_path) is None
    assert "ended without finishing" in runs.stale_run_note(tmp_path) and "snakemake --unlock" in runs.stale_run_note(tmp_path)


def test_a_reused_pid_is_not_the_recorded_run(tmp_path, sleeper):
    write_record(tmp_path, sleeper.pid, psutil.Process(sleeper.pid).create_time() - 3600)  # same pid, another process
    assert runs.live_run(tmp_path) is None


def test_no_record_or_a_broken_one_is_no_run(tmp_path):
    assert runs.live_run(tmp_path) is None and runs.stale_run_note(tmp_path) is None
    (tmp_path / runs.RECORD).parent.mkdir(parents=True)
    (tmp_path / runs.RECORD).write_text('{"pid": 1')
    assert runs.live_run(tmp_path) is None


def test_a_run_records_itself_and_removes_only_its_own_record(tmp_path):
    runs.record_run(tmp_path)
    record = runs.read_record(tmp_path)
    assert record["pid"] == os.getpid() and runs.live_run(tmp_path) is None  # one's own run is not "another"
    runs.clear_run(tmp_path)
    assert not (tmp_path / runs.RECORD).exists()
    write_record(tmp_path, 1, 0.0)
    runs.clear_run(tmp_path)
    assert (tmp_path / runs.RECORD).exists()


JOB = """
import sys, time
from pathlib import Path
from dltheory.core.runs import stop_with_snakemake
log = Path(sys.argv[1])
assert stop_with_snakemake(lambda line: log.write_text(line), poll=0.05) is not None
Path(sys.argv[2]).write_text("watching")
time.sleep(30)
Path(sys.argv[3]).write_text("an output written after its Snakemake died")
"""


def test_a_job_stops_without_writing_when_its_snakemake_is_killed(tmp_path):
    job = tmp_path / "job.py"
    job.write_text(textwrap.dedent(JOB))
    log, started, output = tmp_path / "job.log", tmp_path / "started", tmp_path / "output"
    # a stand-in for Snakemake: a process whose command line names it, running the job as a child
    parent = subprocess.Popen(
        [sys.executable, "-c", "import subprocess, sys; subprocess.run(sys.argv[2:])", "snakemake", sys.executable, str(job)]
        + [str(log), str(started), str(output)],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    deadline = time.monotonic() + 60
    while not started.exists():
        assert time.monotonic() < deadline and parent.poll() is None, "the job did not start"
        time.sleep(0.05)
    children = psutil.Process(parent.pid).children()
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    _, alive = psutil.wait_procs(children, timeout=10)
    for process in alive:
        process.kill()
    assert not alive and not output.exists()
    assert log.read_text() == f"ERROR: Snakemake (pid {parent.pid}) is gone: this job stops without writing its outputs"
