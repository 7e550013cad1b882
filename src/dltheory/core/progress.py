"""Progress lines for long loops: what is done, the throughput, and the ETA of the whole job.

One helper for every long loop of the project. :class:`dltheory.engine.training.EnsembleTrainer` (which
trains ``depth_accuracy``'s grid and ``lucky_weights``' students) counts work in layer-steps
(members × weight layers × steps), which is what training time scales with, so the ETA stays
honest across depth groups; :func:`dltheory.science.propagation.measure_propagation` counts layers.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class Progress:
    """Work done out of ``total`` (in ``unit``), the measured rate and the ETA, logged by :meth:`report`.

    Work restored from a checkpoint (:meth:`skip`) counts as done but not in the measured rate.
    ``total`` 0: unknown, so no % done and no ETA. :meth:`due` says whether ``every_s`` seconds
    have passed since the last line.
    """

    def __init__(self, total: int, log: Callable[[str], None], every_s: float = 10.0, unit: str = "layer-steps"):
        self.total, self.unit = total, unit
        self.done = 0
        self.timed_work, self.timed_s = 0, 0.0
        self.log, self.every_s = log, every_s
        self.last = time.perf_counter()

    def skip(self, work: int) -> None:
        """Work restored from a checkpoint: counts as done, not in the measured rate."""
        self.done += work

    def step(self, work: int, elapsed_s: float) -> None:
        """``work`` units done in ``elapsed_s`` seconds."""
        self.done += work
        self.timed_work += work
        self.timed_s += elapsed_s

    def due(self) -> bool:
        return time.perf_counter() - self.last >= self.every_s

    def rate(self) -> float:
        """Units per second over the timed work (nan before any)."""
        return self.timed_work / self.timed_s if self.timed_s else float("nan")

    def status(self) -> str:
        """``"<rate> <unit>/s  done <p>%  ETA <s> s"`` (without the last two when ``total`` is 0)."""
        rate = self.rate()
        line = f"{rate:,.0f} {self.unit}/s" if rate >= 100 else f"{rate:.2f} {self.unit}/s"
        if self.total:
            eta = (self.total - self.done) / rate if rate == rate and rate > 0 else float("nan")
            line += f"  done {100 * self.done / self.total:.1f}%  ETA {eta:.0f} s"
        return line

    def report(self, prefix: str) -> None:
        """Log ``prefix`` and :meth:`status` on one line."""
        self.last = time.perf_counter()
        self.log(f"{prefix}  {self.status()}")
