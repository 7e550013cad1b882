"""How many threads a job uses, and how they wait, given what else the machine is running.

torch's CPU build runs its parallel regions on OpenMP (libgomp) threads that, between regions,
spin before they sleep: 300,000 rounds of a pause instruction by default (``GOMP_SPINCOUNT``;
``OMP_WAIT_POLICY=ACTIVE`` spins without end, ``PASSIVE`` not at all). Alone on its cores that is
the fastest. Beside another busy process it collapses: with 2 threads on 2 cores and one
competitor, one of the job's threads is always descheduled, and at every region's barrier the
other spins on its core, burning the time slice the late thread needs. Measured on a 2-core
machine (``python -m dltheory bench load``, a batched tanh-MLP probe, 2 threads): 31x slower
beside one busy process with OpenMP's default waiting, 2.1x with passive waiting, 1.9x on one
thread (fair sharing of 2 cores among 3 busy threads would give 1.5x).

So the runner decides once per job, before torch loads (libgomp reads its settings once):

* **Its share of the cores** (:func:`job_threads`): the threads it asks for, but no more than the
  cores that other tasks leave idle (:func:`busy_cores`), and at least one. Alone, a 2-thread job keeps
  its 2 threads; beside one busy process on 2 cores it runs on one, and no thread of it waits for
  another. The thread count does not change the results: every compute job of the default build
  gave byte-identical tables on one and on two threads (docs/trust.md), and the count used is in
  the job's sidecar (``threads``).
* **A bounded spin** (:data:`SPIN_COUNT`): a competitor that starts after the job is not seen by
  the count above, and with OpenMP's default spin it would cost the 31x; with 10,000 rounds it
  costs about 3x, and alone the job runs as fast as with the default. A ``GOMP_SPINCOUNT`` or
  ``OMP_WAIT_POLICY`` of the user's is kept.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass

WAIT_POLICY = "OMP_WAIT_POLICY"
SPIN = "GOMP_SPINCOUNT"
SPIN_COUNT = 10_000
# What Snakemake sets to a job's threads for the libraries that read it when they load
# (snakemake.shell); the runner lowers them with the job's share.
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "GOTO_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


@dataclass(frozen=True)
class CpuShare:
    """What a job runs with: ``threads`` (its share of the cores) and ``wait`` (how its OpenMP
    threads wait between regions: the setting in effect, e.g. ``GOMP_SPINCOUNT=10000``)."""

    threads: int
    wait: str


def cores() -> int:
    """CPUs this process may run on (its affinity mask: what a container or ``taskset`` allows)."""
    return len(os.sched_getaffinity(0))


def busy_cores(windows: int = 3, interval_s: float = 0.1) -> float:
    """How many of the CPUs this process may run on other tasks keep busy: the share of time each
    was not idle while this process sleeps (:func:`busy_share`), summed over them; the least of
    ``windows`` consecutive readings of ``interval_s``, so that a burst (Snakemake's bookkeeping
    between two jobs) is not taken for a competitor, which is busy in all of them. 0 where
    /proc/stat is absent (not Linux). Only this job's CPUs count: on a cluster node, the jobs on
    the other cores are not its competitors."""
    allowed = os.sched_getaffinity(0)
    try:
        readings = [cpu_counters(allowed)]
        for _ in range(windows):
            time.sleep(interval_s)
            readings.append(cpu_counters(allowed))
    except OSError:
        return 0.0
    return min(busy_share(before, after) for before, after in zip(readings, readings[1:]))


def cpu_counters(allowed: set[int], stat: str = "/proc/stat") -> dict[int, list[int]]:
    """{cpu: its time counters since boot} for the CPUs in ``allowed``, from the ``cpuN`` lines of
    ``stat``: user, nice, system, idle, iowait, irq, softirq, steal (guest time is part of user)."""
    with open(stat) as f:
        rows = [line.split() for line in f if line.startswith("cpu")]
    return {int(r[0][3:]): [int(v) for v in r[1:9]] for r in rows if r[0][3:].isdigit() and int(r[0][3:]) in allowed}


def busy_share(before: dict[int, list[int]], after: dict[int, list[int]]) -> float:
    """The CPUs kept busy between two readings of :func:`cpu_counters`: for each CPU, the time not
    idle (neither idle nor iowait) over all its time, summed over the CPUs."""
    busy = 0.0
    for cpu, now in after.items():
        delta = [n - b for n, b in zip(now, before.get(cpu, now))]
        total = sum(delta)
        busy += (total - delta[3] - delta[4]) / total if total else 0.0
    return busy


def job_threads(threads: int, busy: float | None = None, n_cores: int | None = None) -> int:
    """The threads a job that asks for ``threads`` uses when other tasks keep ``busy`` of its
    ``n_cores`` cores busy (defaults: measured now): the cores they leave, rounded, at most
    ``threads`` and at least 1 (a job of one thread measures nothing)."""
    if threads <= 1:
        return 1
    busy = busy_cores() if busy is None else busy
    n_cores = cores() if n_cores is None else n_cores
    return max(1, min(threads, math.floor(n_cores - busy + 0.5)))


def share_cpus(threads: int, busy: float | None = None) -> CpuShare:
    """Set the environment of a job that asks for ``threads`` threads, before torch is imported:
    the thread variables to its share of the cores (:func:`job_threads`; ``busy``: the cores
    other tasks keep busy, measured now by default) and, unless the user chose how OpenMP waits, the
    bounded spin. Returns what it runs with, for its provenance."""
    used = job_threads(threads, busy)
    for variable in THREAD_VARIABLES:
        os.environ[variable] = str(used)
    if WAIT_POLICY not in os.environ and SPIN not in os.environ:
        os.environ[SPIN] = str(SPIN_COUNT)
    wait = ", ".join(f"{name}={os.environ[name]}" for name in (WAIT_POLICY, SPIN) if name in os.environ)
    return CpuShare(used, wait)


def limit_loaded_libraries(threads: int) -> None:
    """Hold the thread pools of the libraries already loaded (torch's OpenMP, NumPy's and SciPy's
    BLAS) to ``threads``; those loaded later read the thread variables :func:`share_cpus` set."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(threads)
