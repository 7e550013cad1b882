"""How a multi-threaded torch job waits, given what else the machine is running.

torch's CPU build runs its parallel regions on OpenMP (libgomp) threads that, between regions,
spin for a while before sleeping (``OMP_WAIT_POLICY`` unset: active waiting). Alone on its cores
that is the fastest. Beside another busy process it collapses: with 2 threads on 2 cores and one
competitor, the job's threads take turns with it, and every region's barrier waits for the thread
that is descheduled while the others spin on its core, burning the time slice it needed. Measured
on a 2-core machine (``python -m dltheory bench load``): a batched tanh-MLP probe 3.9x slower beside
one busy process with active waiting, 1.9x with passive waiting, which costs ~25-35% alone.

Threads are not reduced instead: the number of threads can change a float sum's order, and a job's
results are bitwise reproducible at a given thread count; the wait policy changes only timing.

So the runner decides once, before torch is imported: :func:`wait_policy` is ``PASSIVE`` when
the job's threads and the other runnable tasks exceed the cores, else the default, unless the user
set ``OMP_WAIT_POLICY``. A competitor that starts after the job is not seen (libgomp reads the
policy once, at start).
"""

from __future__ import annotations

import os
import statistics
import time

ENV = "OMP_WAIT_POLICY"


def cores() -> int:
    """CPUs this process may run on (its affinity mask: what a container or ``taskset`` allows)."""
    return len(os.sched_getaffinity(0))


def other_runnable(samples: int = 7, interval_s: float = 0.02) -> float:
    """Runnable tasks besides this one: the median over ``samples`` readings of ``procs_running``
    in /proc/stat (the instantaneous count of running or runnable threads, this one included);
    0 where /proc/stat is absent (not Linux)."""
    counts = []
    for _ in range(samples):
        try:
            with open("/proc/stat") as f:
                running = next(int(line.split()[1]) for line in f if line.startswith("procs_running"))
        except (OSError, StopIteration):
            return 0.0
        counts.append(running - 1)
        time.sleep(interval_s)
    return float(statistics.median(counts))


def wait_policy(threads: int, busy: float | None = None, n_cores: int | None = None) -> str | None:
    """``"PASSIVE"`` when ``threads`` (> 1) and ``busy`` other runnable tasks oversubscribe
    ``n_cores`` (defaults: measured now), else None (OpenMP's default, active waiting)."""
    if threads <= 1:
        return None
    busy = other_runnable() if busy is None else busy
    n_cores = cores() if n_cores is None else n_cores
    return "PASSIVE" if threads + busy > n_cores else None


def share_cpus(threads: int) -> str:
    """Set ``OMP_WAIT_POLICY`` for a job of ``threads`` threads (before torch is imported), unless
    the user set it; returns the policy in effect, for the job's provenance."""
    if ENV not in os.environ:
        policy = wait_policy(threads)
        if policy is not None:
            os.environ[ENV] = policy
    return os.environ.get(ENV, "default (active)")
