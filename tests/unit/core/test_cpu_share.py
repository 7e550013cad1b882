"""dltheory.core.cpu_share: a job's threads and wait setting given the machine's other load."""

import os
import subprocess
import sys
import time

import pytest

from dltheory.core import cpu_share


@pytest.mark.parametrize(
    "threads, busy, n_cores, expected",
    [
        (2, 0.0, 2, 2),  # alone on its cores: all it asks for
        (2, 1.0, 2, 1),  # one busy competitor on 2 cores: the core it leaves
        (2, 0.3, 2, 2),  # a little background load: rounded away
        (2, 0.6, 2, 1),
        (1, 5.0, 2, 1),  # never less than one thread
        (2, 1.0, 4, 2),
        (4, 1.0, 4, 3),
        (4, 0.0, 2, 2),  # never more threads than cores
    ],
)
def test_a_job_takes_the_cores_the_others_leave(threads, busy, n_cores, expected):
    assert cpu_share.job_threads(threads, busy, n_cores) == expected


@pytest.fixture
def clean_env(monkeypatch):
    for name in (cpu_share.WAIT_POLICY, cpu_share.SPIN, *cpu_share.THREAD_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(cpu_share, "cores", lambda: 2)


def test_share_cpus_sets_the_thread_variables_to_the_share(clean_env):
    share = cpu_share.share_cpus(2, busy=1.0)
    assert share.threads == 1
    assert all(os.environ[name] == "1" for name in cpu_share.THREAD_VARIABLES)


def test_the_spin_is_bounded_unless_the_user_chose_how_threads_wait(clean_env, monkeypatch):
    assert cpu_share.share_cpus(2, busy=0.0).wait == f"GOMP_SPINCOUNT={cpu_share.SPIN_COUNT}"
    monkeypatch.delenv(cpu_share.SPIN)
    monkeypatch.setenv(cpu_share.WAIT_POLICY, "ACTIVE")
    assert cpu_share.share_cpus(2, busy=0.0).wait == "OMP_WAIT_POLICY=ACTIVE"
    assert cpu_share.SPIN not in os.environ


def test_the_loaded_blas_follows_the_share():
    import numpy  # noqa: F401  (its BLAS is loaded)
    import threadpoolctl

    with threadpoolctl.threadpool_limits():  # restored afterwards
        cpu_share.limit_loaded_libraries(1)
        assert {pool["num_threads"] for pool in threadpoolctl.threadpool_info() if pool["user_api"] == "blas"} == {1}


def test_a_busy_process_keeps_about_one_core_busy():
    competitor = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)
        assert cpu_share.busy_cores() >= 0.8
    finally:
        competitor.kill()
        competitor.wait()


def test_only_the_cores_of_the_job_count(tmp_path):
    """The counters of the CPUs a job may run on, and their busy share: a CPU outside its affinity
    (a cluster node's other cores, other jobs' competitors) is not read."""
    stat = tmp_path / "stat"
    stat.write_text(
        "cpu  300 0 100 700 0 0 0 0 0 0\n"
        "cpu0 100 0 0 400 0 0 0 0 0 0\n"
        "cpu1 200 0 100 300 0 0 0 0 0 0\n"
        "cpu2 0 0 0 0 0 0 0 0 0 0\n"
        "intr 12345\n"
    )
    assert cpu_share.cpu_counters({0, 1}, str(stat)) == {0: [100, 0, 0, 400, 0, 0, 0, 0], 1: [200, 0, 100, 300, 0, 0, 0, 0]}
    before = {0: [100, 0, 0, 400, 0, 0, 0, 0], 1: [200, 0, 100, 300, 0, 0, 0, 0]}
    after = {
        0: [100, 0, 0, 500, 0, 0, 0, 0],  # idle throughout
        1: [260, 10, 120, 300, 0, 5, 5, 0],  # busy throughout (user, nice, system, irq, softirq)
    }
    assert cpu_share.busy_share(before, after) == pytest.approx(1.0)
    after[0] = [125, 0, 0, 450, 25, 0, 0, 0]  # busy a quarter of the time (iowait is idle)
    assert cpu_share.busy_share(before, after) == pytest.approx(1.25)
