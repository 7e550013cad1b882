"""A small training job for ``python -m dltheory bench load``, run in its own process:
``python -m dltheory.tools.load_probe THREADS STEPS {runner,unseen,default}``.

31 tanh MLPs of width 64 and 20 layers as one batched ensemble (``bmm``), forward and backward
on a batch of 128, for STEPS steps after 10 warm-up steps: many short parallel regions, the shape
of the depth_accuracy jobs and the most sensitive to how OpenMP threads wait. ``runner`` takes
the wait setting the job runner would (:func:`dltheory.core.cpu_share.share_cpus`), ``unseen``
the one it takes on an idle machine (a competitor that starts after the job is not seen),
``default`` OpenMP's default. Prints the seconds of the timed steps and the wait setting.
"""

from __future__ import annotations

import sys
import time

from dltheory.core.cpu_share import share_cpus


def main(threads: int, steps: int, settings: str) -> None:
    wait = "OpenMP's default" if settings == "default" else share_cpus(threads, busy=0 if settings == "unseen" else None)
    import torch  # after the setting: libgomp reads it when torch loads

    torch.set_num_threads(threads)
    generator = torch.Generator().manual_seed(0)
    members, width, layers, batch = 31, 64, 20, 128
    weights = [(torch.randn(members, width, width, generator=generator) / width**0.5).requires_grad_() for _ in range(layers)]
    x = torch.randn(members, batch, width, generator=generator)

    def step():
        h = x
        for w in weights:
            h = torch.tanh(torch.bmm(h, w))  # [E, B, width]
        h.square().sum().backward()

    for _ in range(10):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    print(f"{time.perf_counter() - start:.3f} {wait}")


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])
