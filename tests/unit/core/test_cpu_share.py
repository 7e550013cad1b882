"""dltheory.core.cpu_share: the wait policy of a job given its threads and the machine's other load."""

import os
import subprocess
import sys
import time

import pytest

from dltheory.core import cpu_share


@pytest.mark.parametrize(
    "threads, busy, n_cores, expected",
    [
        (1, 5.0, 2, None),  # one thread never waits at a barrier
        (2, 0.0, 2, None),  # alone on its cores: spinning is fastest
        (2, 1.0, 2, "PASSIVE"),  # 3 runnable threads on 2 cores
        (2, 1.0, 4, None),
        (4, 1.0, 4, "PASSIVE"),
    ],
)
def test_wait_policy_is_passive_exactly_when_the_cores_are_oversubscribed(threads, busy, n_cores, expected):
    assert cpu_share.wait_policy(threads, busy, n_cores) == expected


def test_a_user_setting_is_kept(monkeypatch):
    monkeypatch.setenv(cpu_share.ENV, "ACTIVE")
    monkeypatch.setattr(cpu_share, "wait_policy", lambda threads: "PASSIVE")
    assert cpu_share.share_cpus(2) == "ACTIVE"


def test_share_cpus_sets_the_policy_it_chose(monkeypatch):
    monkeypatch.delenv(cpu_share.ENV, raising=False)
    monkeypatch.setattr(cpu_share, "wait_policy", lambda threads: "PASSIVE")
    assert cpu_share.share_cpus(2) == "PASSIVE"
    assert os.environ[cpu_share.ENV] == "PASSIVE"


def test_a_busy_process_is_counted_as_runnable():
    competitor = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)
        assert cpu_share.other_runnable() >= 1
    finally:
        competitor.kill()
        competitor.wait()
