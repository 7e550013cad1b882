"""``python -m dltheory bench NAME``: speed of the vectorized code against the straightforward one.

Each benchmark times the vectorized implementation and the per-point reference on the same
points, prints the ratio and the largest difference, and names the device. Timings are wall
clock, best of a few repeats for the fast side.
"""

from __future__ import annotations

import platform
import time

import numpy as np

from . import meanfield, reference


def _best_of(fn, repeats: int = 3) -> tuple[float, object]:
    best, out = np.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def _machine() -> str:
    import os

    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def bench_meanfield(n_line: int = 16, sigma_w2=(1.2, 1.5, 2.0, 2.5, 3.0, 4.0), sigma_b2=(0.05, 0.2)) -> dict:
    """Critical line at ``n_line`` σ_b² values and ξ_c on a σ_w² × σ_b² grid: vectorized vs quad loop."""
    sb_line = np.linspace(0.01, 0.3, n_line)
    sw, sb = (a.ravel() for a in np.meshgrid(sigma_w2, sigma_b2, indexing="ij"))

    def vectorized():
        return meanfield.critical_line(sb_line)[0], meanfield.depth_scales(sw, sb).xi_c

    def loop():  # one point at a time, each integral an adaptive quad: the form of public notebooks
        line = np.array([reference.critical_sigma_w2(b) for b in sb_line])
        xi = np.array([reference.xi_c(w, b) for w, b in zip(sw, sb)])
        return line, xi

    t_vec, (line_v, xi_v) = _best_of(vectorized)
    t_ref, (line_r, xi_r) = _best_of(loop, repeats=1)
    diff = max(np.max(np.abs(line_v - line_r)), np.max(np.abs(xi_v - xi_r) / np.abs(xi_r)))
    grid_w, grid_b = np.meshgrid(np.linspace(0.5, 4.0, 176), np.linspace(0.0, 0.3, 31), indexing="ij")
    t_grid, _ = _best_of(lambda: meanfield.depth_scales(grid_w, grid_b), repeats=1)
    return {
        "points": f"{n_line} critical-line points + {sw.size} xi_c points",
        "reference_s": t_ref,
        "vectorized_s": t_vec,
        "speedup": t_ref / t_vec,
        "max_difference": diff,
        "default_grid_s": t_grid,
        "default_grid_points": grid_w.size,
    }


BENCHMARKS = {"meanfield": bench_meanfield}


def run(name: str) -> str:
    result = BENCHMARKS[name]()
    lines = [f"bench {name} on {_machine()}, device cpu"]
    if name == "meanfield":
        r = result
        lines += [
            f"  points                     {r['points']}",
            f"  quad loop (reference)      {r['reference_s']:.2f} s",
            f"  vectorized                 {r['vectorized_s'] * 1e3:.1f} ms",
            f"  speed ratio                {r['speedup']:.0f}x   (aim >= 100x)",
            f"  largest difference         {r['max_difference']:.1e}   (critical sigma_w2 absolute, xi_c relative; aim <= 1e-8)",
            f"  default grid ({r['default_grid_points']} points, q*, c*, chi, xi)   {r['default_grid_s']:.2f} s",
        ]
    return "\n".join(lines)
