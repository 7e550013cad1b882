"""dltheory.core.cpu_share: how a job's OpenMP threads wait, given the machine's other load."""

import os
import subprocess
import sys
import time

import pytest

from dltheory.core import cpu_share

PASSIVE = ("OMP_WAIT_POLICY", "PASSIVE")
SPIN = ("GOMP_SPINCOUNT", str(cpu_share.SPIN_COUNT))


@pytest.mark.parametrize(
    "threads, busy, n_cores, expected",
    [
        (1, 5.0, 2, SPIN),  # one thread never waits at a barrier
        (2, 0.0, 2, SPIN),  # alone on its cores: spinning is fastest, but bounded
        (2, 0.3, 2, SPIN),  # a little background load
        (2, 1.0, 2, PASSIVE),  # 3 busy threads on 2 cores
        (2, 1.0, 4, SPIN),
        (4, 1.0, 4, PASSIVE),
    ],
)
def test_passive_exactly_when_the_cores_are_oversubscribed(threads, busy, n_cores, expected):
    assert cpu_share.wait_setting(threads, busy, n_cores) == expected


@pytest.fixture
def clean_env(monkeypatch):
    for name in (cpu_share.WAIT_POLICY, cpu_share.SPIN):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(cpu_share, "cores", lambda: 2)


def test_share_cpus_sets_what_it_chose(clean_env):
    assert cpu_share.share_cpus(2, busy=1.0) == "OMP_WAIT_POLICY=PASSIVE"
    assert os.environ[cpu_share.WAIT_POLICY] == "PASSIVE" and cpu_share.SPIN not in os.environ


def test_a_user_setting_is_kept(clean_env, monkeypatch):
    monkeypatch.setenv(cpu_share.WAIT_POLICY, "ACTIVE")
    assert cpu_share.share_cpus(2, busy=1.0) == "OMP_WAIT_POLICY=ACTIVE"
    monkeypatch.delenv(cpu_share.WAIT_POLICY)
    monkeypatch.setenv(cpu_share.SPIN, "1000")
    assert cpu_share.share_cpus(2, busy=1.0) == "GOMP_SPINCOUNT=1000"
    assert cpu_share.WAIT_POLICY not in os.environ


def test_a_busy_process_keeps_about_one_core_busy():
    competitor = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)
        assert cpu_share.busy_cores() >= 0.8
    finally:
        competitor.kill()
        competitor.wait()


def test_only_the_cores_of_the_job_count(monkeypatch):
    """A CPU outside the job's affinity (a cluster node's other cores, other jobs' competitors) is
    not counted; a burst seen in one reading only is not a competitor."""
    import psutil

    readings = iter([[0.0, 100.0, 100.0], [25.0, 100.0, 100.0], [100.0, 100.0, 100.0]])
    monkeypatch.setattr(psutil, "cpu_percent", lambda interval, percpu: next(readings))
    monkeypatch.setattr(cpu_share, "cpus", lambda: {0, 1})
    assert cpu_share.busy_cores() == pytest.approx(1.0)


def test_without_an_affinity_call_a_job_counts_every_cpu(monkeypatch):
    """macOS has no ``os.sched_getaffinity``: every CPU is the job's, and an idle machine gives the
    bounded spin."""
    import psutil

    monkeypatch.delattr(os, "sched_getaffinity")
    monkeypatch.setattr(psutil, "cpu_percent", lambda interval, percpu: [0.0] * (os.cpu_count() or 1))
    assert cpu_share.cores() == os.cpu_count()
    assert cpu_share.busy_cores() == 0.0
    assert cpu_share.wait_setting(2, n_cores=2) == SPIN
