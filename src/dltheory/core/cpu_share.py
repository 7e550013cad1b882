"""How a multi-threaded job's OpenMP threads wait, given what else the machine is running.

torch's CPU build runs its parallel regions on OpenMP (libgomp) threads that, between regions,
spin before they sleep: 300,000 rounds of a pause instruction by default (``GOMP_SPINCOUNT``;
``OMP_WAIT_POLICY=ACTIVE`` spins without end, ``PASSIVE`` not at all), longer than a time slice.
Alone on its cores spinning is the fastest. Beside another busy process it collapses: with 2
threads on 2 cores and one competitor, one of the job's threads is always descheduled, and at
every region's barrier the other spins on its core, burning the time slice the late thread needs.
Measured on a 2-core machine (``python -m dltheory bench load``, a batched tanh-MLP probe on 2
threads): 7-31x slower beside one busy process with OpenMP's defaults.

The runner decides once per job, before torch loads (libgomp reads its settings once):

* **Passive waiting when the cores are oversubscribed** (:func:`wait_setting`): when the cores of
  the job that other tasks keep busy (:func:`busy_cores`) and its threads exceed its cores, its
  threads sleep at once (2.1-2.3x on the machine above; 1.7x on a slower one). Passive waiting
  costs 25-75% on an idle machine, so it is not the default.
* **Otherwise a bounded spin**, ``GOMP_SPINCOUNT=10000``: a competitor that starts after the job
  is not seen at its start, and costs it about 3x instead of 7-31x; alone the job runs as fast.

A ``GOMP_SPINCOUNT`` or ``OMP_WAIT_POLICY`` of the user's is kept. The thread count is never
changed: it changes the order of float sums, and results are bitwise reproducible only at a given
thread count (one and two threads differ in 27 of the 93 result files of the default build, and
in one verdict); the wait setting changes only timing.
"""

from __future__ import annotations

import os

WAIT_POLICY = "OMP_WAIT_POLICY"
SPIN = "GOMP_SPINCOUNT"
SPIN_COUNT = 10_000


def cpus() -> set[int]:
    """The CPUs this process may run on: its affinity mask (what a container, ``taskset`` or a
    cluster job allows), or all of them where the system has no affinity call (macOS)."""
    if hasattr(os, "sched_getaffinity"):
        return os.sched_getaffinity(0)
    return set(range(os.cpu_count() or 1))


def cores() -> int:
    """How many CPUs this process may run on (:func:`cpus`)."""
    return len(cpus())


def busy_cores(windows: int = 3, interval_s: float = 0.1) -> float:
    """How many of the CPUs this process may run on other tasks keep busy: the share of time each
    was neither idle nor waiting for I/O while this process sleeps (``psutil.cpu_percent`` per
    CPU), summed over them; the least of ``windows`` consecutive readings of ``interval_s``, so
    that a burst (Snakemake's bookkeeping between two jobs) is not taken for a competitor, which is
    busy in all of them. Only this job's CPUs count: on a cluster node, the jobs on the other cores
    are not its competitors."""
    import psutil

    allowed = cpus()
    readings = (psutil.cpu_percent(interval_s, percpu=True) for _ in range(windows))
    return min(sum(percent for cpu, percent in enumerate(reading) if cpu in allowed) / 100 for reading in readings)


def wait_setting(threads: int, busy: float | None = None, n_cores: int | None = None) -> tuple[str, str]:
    """(variable, value) for a job of ``threads`` threads when other tasks keep ``busy`` of its
    ``n_cores`` cores busy (defaults: measured now): ``OMP_WAIT_POLICY=PASSIVE`` when they
    oversubscribe the cores by more than half a core, else the bounded spin. A job of one
    thread never waits at a barrier and measures nothing."""
    if threads > 1:
        busy = busy_cores() if busy is None else busy
        n_cores = cores() if n_cores is None else n_cores
        if threads + busy > n_cores + 0.5:
            return WAIT_POLICY, "PASSIVE"
    return SPIN, str(SPIN_COUNT)


def share_cpus(threads: int, busy: float | None = None) -> str:
    """Set how the OpenMP threads of a job of ``threads`` threads wait (:func:`wait_setting`),
    before torch is imported, unless the user chose it; returns the setting in effect, for the
    job's provenance (e.g. ``GOMP_SPINCOUNT=10000``)."""
    if WAIT_POLICY not in os.environ and SPIN not in os.environ:
        variable, value = wait_setting(threads, busy)
        os.environ[variable] = value
    return ", ".join(f"{name}={os.environ[name]}" for name in (WAIT_POLICY, SPIN) if name in os.environ)
