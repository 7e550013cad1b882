"""Cost of phase_diagram's compute jobs, for ``python -m dltheory plan`` (no job imports this module)."""

from __future__ import annotations

from dltheory.core.cost import BYTES, F_NORMAL, reduced, seeds_of, sliced
from dltheory.core.cost import F_TRANSCENDENTAL as F_T
from dltheory.core.device import DTYPES, resolve_device
from dltheory.figures.phase_diagram import NAME
from dltheory.science.meanfield import CHUNK, critical_line_table, depth_scales_table
from dltheory.science.propagation import measure_propagation

BISECTION_STEPS = 64  # q*: bisection on [0, hi] to float64 resolution, plus the doubling of hi
NEWTON_STEPS = 8  # c*: Newton steps from c = 0 (quadratic convergence), at the chaotic points


def _theory_flops(spec: dict) -> float:
    """FLOPs of ``phase_diagram_theory``. With n quadrature nodes, a 1-D Gaussian moment costs
    n (F_T + 4); per grid point: q* (BISECTION_STEPS moments), χ_1 and ξ_q (3 moments), and at
    about half the points (the chaotic phase) NEWTON_STEPS pair moments on the n × n grid,
    n² (2 F_T + 12) each; the critical line: 200 bisection steps of 2 moments per point."""
    n, grid = spec["quadrature_points"], spec["grid"]
    moment = n * (F_T + 4)
    pair_moment = n * n * (2 * F_T + 12)
    points = grid["sigma_w2"]["num"] * grid["sigma_b2"]["num"]
    per_point = (BISECTION_STEPS + 3) * moment + 0.5 * NEWTON_STEPS * pair_moment
    return points * per_point + (spec["critical_line"]["num"] + 1) * 200 * 2 * moment


def _theory_memory(spec: dict) -> float:
    """Bytes: the pair moments' chunk of 256 grid points on the n × n node grid, float64, four arrays at once."""
    return 4 * CHUNK * spec["quadrature_points"] ** 2 * 8


def _theory_run(spec: dict) -> None:
    line = spec["critical_line"]
    critical_line_table(spec["activation"], line["sigma_b2_max"], line["num"], [spec["propagation"]["sigma_b2"]])
    depth_scales_table(spec["activation"], spec["grid"], spec["quadrature_points"])


def _propagation_flops(spec: dict) -> float:
    """FLOPs of ``phase_diagram_propagation``: per seed and layer, the N × N standard normals
    (F_NORMAL each) and the bmm of [N, N] by [N, K·M] (2 N² K M), plus φ and the statistics on
    [N, K, M] (N K M (F_T + 10)); S seeds, K values of σ_w², M = n_probes + 4 n_pairs, L layers."""
    p = spec["propagation"]
    N, K, M = p["width"], len(p["sigma_w2"]), p["n_probes"] + 4 * p["n_pairs"]
    per_layer = N * N * F_NORMAL + N * F_NORMAL + 2 * N * N * K * M + N * K * M * (F_T + 10)
    return p["seeds"] * p["depth"] * per_layer


def _propagation_memory(spec: dict) -> float:
    """Bytes: the normals [S, N, N] of one layer and four arrays [S, N, K, M] (z, φ(z), the bmm, products)."""
    p = spec["propagation"]
    N, K, M, S = p["width"], len(p["sigma_w2"]), p["n_probes"] + 4 * p["n_pairs"], p["seeds"]
    return BYTES[p["dtype"]] * S * N * (N + 4 * K * M)


def _propagation_run(spec: dict, device: str) -> None:
    p = spec["propagation"]
    measure_propagation(
        p["sigma_w2"], p["sigma_b2"], width=p["width"], depth=p["depth"], seeds=seeds_of(p), n_probes=p["n_probes"],
        n_pairs=p["n_pairs"], q0=p["q0"], c0=p["c0"], delta=p["delta"], activation=spec["activation"], device=device,
        dtype=DTYPES[p["dtype"]], log=lambda message: None,
    )  # fmt: skip


def jobs(config: dict) -> list:
    """``phase_diagram_theory`` probed on a sub-grid of at most 24 × 6 points and 20 critical-line
    points (the same ranges, so the same share of chaotic points); ``phase_diagram_propagation``
    on at most 4 seeds, 3 layers less 1 (the marginal time of 2 layers) at the full width."""
    spec, device = config[NAME]["compute"], resolve_device(config["device"])
    grid, p = spec["grid"], spec["propagation"]
    theory_probe = reduced(
        spec,
        grid__sigma_w2__num=min(grid["sigma_w2"]["num"], 24),
        grid__sigma_b2__num=min(grid["sigma_b2"]["num"], 6),
        critical_line__num=min(spec["critical_line"]["num"], 20),
    )
    propagation_probe = reduced(spec, propagation__seeds=min(p["seeds"], 4), propagation__depth=min(p["depth"], 3))
    return [
        sliced(f"{NAME}_theory", "", spec, theory_probe, _theory_flops, _theory_memory, _theory_run),
        sliced(
            f"{NAME}_propagation", "", spec, propagation_probe, _propagation_flops, _propagation_memory,
            lambda s: _propagation_run(s, device), baseline_spec=reduced(propagation_probe, propagation__depth=1),
        ),
    ]  # fmt: skip
