"""Figure ``phase_diagram``: the order-to-chaos phase diagram and measured depth convergence.

Poole et al. 2016 (Fig. 2) and Schoenholz et al. 2017 (Fig. 1). Panel (a): χ_1 over
(σ_w², σ_b²) with the critical line χ_1 = 1; (b) |q^l − q*| and (c) |c^l − c*| against depth,
theory lines over points measured in real random networks; (d) ξ_c against σ_w² at the guide
σ_b², with the depth scales fitted to the measured networks. See docs/phase_diagram.md.

Bars (config ``phase_diagram.claims``): ``critical_tolerance`` on the critical σ_w² of tanh at
σ_b² = 0.05; ``xi_tolerance``, the relative error allowed between measured and predicted ξ_c
"away from criticality", which ``away_from_critical`` makes concrete as |σ_w² − σ_w²,crit| ≥ 0.3
(there ξ_c ≈ 4.69/|σ_w² − 1.761| ≤ 16 layers, well inside the measured depth).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dltheory.core.claims import Claim, claim
from dltheory.core.contract import Artifacts, Figure, increasing, require
from dltheory.science import meanfield
from dltheory.science.propagation import fit_correlation_depth_scale

NAME = "phase_diagram"
# The critical point of tanh at σ_b² = 0.05, computed independently of this project (a known answer).
REFERENCE_CRITICAL_SIGMA_W2 = {"tanh": (0.05, 1.7610)}


def critical_sigma_w2(critical_line: pd.DataFrame, sigma_b2: float) -> float:
    """The critical σ_w² that the critical-line table holds at this σ_b² (nan if it is not sampled)."""
    row = critical_line.loc[np.isclose(critical_line.sigma_b2, sigma_b2), "sigma_w2"]
    return float(row.iloc[0]) if len(row) else np.nan


def depth_scale_fits(propagation: pd.DataFrame, critical_line: pd.DataFrame) -> pd.DataFrame:
    """Measured ξ_c per σ_w² next to theory, with the distance to the critical line."""
    activation = propagation.activation.iloc[0]
    sigma_b2 = float(propagation.sigma_b2.iloc[0])
    fits = fit_correlation_depth_scale(propagation)
    fits["sigma_b2"] = sigma_b2
    fits["xi_c_theory"] = meanfield.depth_scales(fits.sigma_w2.to_numpy(), sigma_b2, activation).xi_c
    fits["relative_error"] = fits.xi_c_measured / fits.xi_c_theory - 1.0
    fits["critical_sigma_w2"] = critical_sigma_w2(critical_line, sigma_b2)
    fits["distance_to_critical"] = (fits.sigma_w2 - fits.critical_sigma_w2).abs()
    return fits


def claims(artifacts: Artifacts, bars: dict) -> list[Claim]:
    """The critical point at σ_b² = 0.05, and measured ξ_c against theory away from criticality."""
    critical_line, fits = artifacts["critical_line"], artifacts["fits"]
    activation = critical_line.activation.iloc[0]
    out = []
    if activation in REFERENCE_CRITICAL_SIGMA_W2:
        sigma_b2, expected = REFERENCE_CRITICAL_SIGMA_W2[activation]
        tol = bars["critical_tolerance"]
        value = critical_sigma_w2(critical_line, sigma_b2)
        out.append(
            claim(
                f"critical σ_w² of {activation} at σ_b² = {sigma_b2}",
                source="Schoenholz et al. 2017, Fig. 1 (independently computed reference)",
                expected=f"{expected:.4f} ± {tol:g}",
                measured=f"{value:.5f}",
                passed=bool(abs(value - expected) <= tol),
                value=value,
            )
        )
    elif activation == "relu":
        value = critical_sigma_w2(critical_line, 0.0)
        out.append(
            claim(
                "critical point of ReLU",
                source="Poole et al. 2016 (χ_1 = σ_w²/2)",
                expected="(2, 0)",
                measured=f"({value:g}, 0)",
                passed=bool(abs(value - 2) < 1e-12),
                value=value,
            )
        )
    for row in fits.itertuples():
        if not row.distance_to_critical >= bars["away_from_critical"]:
            continue
        measured = (
            "no fit window above noise"
            if row.n_layers == 0
            else f"ξ = {row.xi_c_measured:.2f} ({row.relative_error:+.1%}, layers {row.first_layer}–{row.last_layer})"
        )
        out.append(
            claim(
                f"measured c^l converges at depth scale ξ_c (σ_w² = {row.sigma_w2:g}, σ_b² = {row.sigma_b2:g})",
                source="Schoenholz et al. 2017, Eq. 9 and Fig. 1",
                expected=f"ξ_c = {row.xi_c_theory:.2f} ± {bars['xi_tolerance']:.0%}",
                measured=measured,
                passed=bool(abs(row.relative_error) <= bars["xi_tolerance"]),
                value=float(row.xi_c_measured),
            )
        )
    return out


def plot(artifacts: Artifacts, bars: dict):
    """The four-panel figure; returns the matplotlib Figure. Theory curves are recomputed here
    from :mod:`dltheory.science.meanfield` (milliseconds); nothing is trained or measured. Panel (d)
    shades the near-critical band where no ξ_c claim is made (``bars['away_from_critical']``)."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm

    from dltheory.core.plotting import setup_style

    setup_style()
    critical_line, depth_scales = artifacts["critical_line"], artifacts["depth_scales"]
    propagation, fits = artifacts["propagation"], artifacts["fits"]
    away = bars["away_from_critical"]
    activation = depth_scales.activation.iloc[0]
    sigma_b2 = float(propagation.sigma_b2.iloc[0])
    fig, axes = plt.subplots(2, 2, figsize=(11, 8.5), constrained_layout=True)
    ax_map, ax_q, ax_c, ax_xi = axes.ravel()

    # (a) χ_1 heat map with the critical line.
    grid = depth_scales.pivot(index="sigma_b2", columns="sigma_w2", values="chi_1")
    chi = grid.to_numpy()
    norm = TwoSlopeNorm(vcenter=1.0, vmin=min(np.nanmin(chi), 0.99), vmax=max(np.nanmax(chi), 1.01))
    mesh = ax_map.pcolormesh(grid.columns, grid.index, chi, cmap="RdBu_r", norm=norm, shading="gouraud", rasterized=True)
    fig.colorbar(mesh, ax=ax_map, label=r"$\chi_1$")
    ax_map.plot(critical_line.sigma_w2, critical_line.sigma_b2, "k-", lw=2, label=r"critical line $\chi_1 = 1$")
    ax_map.axhline(sigma_b2, color="k", ls="--", lw=1, label=rf"$\sigma_b^2 = {sigma_b2:g}$ (panels b–d)")
    sw_measured = np.sort(propagation.sigma_w2.unique())
    ax_map.plot(sw_measured, np.full_like(sw_measured, sigma_b2), "o", mfc="w", mec="k", label="measured networks")
    x0, x1 = grid.columns.min(), grid.columns.max()
    y1 = grid.index.max()
    ax_map.text(x0 + 0.03 * (x1 - x0), 0.9 * y1, "ordered:\nvanishing gradients", ha="left", va="center")
    ax_map.text(x1 - 0.03 * (x1 - x0), 0.9 * y1, "chaotic:\nexploding gradients", ha="right", va="center")
    ax_map.set(
        xlabel=r"$\sigma_w^2$", ylabel=r"$\sigma_b^2$", xlim=(x0, x1), ylim=(grid.index.min(), y1), title=f"(a) phase diagram, {activation}"
    )
    ax_map.legend(loc="center right", fontsize="small", framealpha=0.9)

    # (b), (c): theory lines, measured means ± standard error over seeds.
    colors = dict(zip(sw_measured, plt.cm.viridis(np.linspace(0.0, 0.9, len(sw_measured)))))
    depth = int(propagation.layer.max())
    layers = np.arange(depth + 1)
    for sw, group in propagation.groupby("sigma_w2"):
        first = group.iloc[0]
        q_theory, _ = meanfield.propagate(first.q0, 1.0, sw, sigma_b2, depth, activation)
        _, c_theory = meanfield.propagate(first.q_star, first.c0, sw, sigma_b2, depth, activation)
        stats = group.groupby("layer").agg(q=("q", "mean"), q_sem=("q", "sem"), c=("c", "mean"), c_sem=("c", "sem"))
        for ax, theory, mean, sem, star in (
            (ax_q, q_theory, stats.q, stats.q_sem, first.q_star),
            (ax_c, c_theory, stats.c, stats.c_sem, first.c_star),
        ):
            ax.semilogy(layers, np.abs(theory - star), color=colors[sw], lw=1.5)
            ax.errorbar(stats.index, np.abs(mean - star), yerr=sem, fmt="o", ms=3, color=colors[sw], label=rf"$\sigma_w^2 = {sw:g}$")
    width = int(propagation.width.iloc[0])
    n_seeds = propagation.seed.nunique()
    ax_q.set(xlabel="layer $l$", ylabel=r"$|q^l - q^*|$", title=f"(b) length converges (width {width}, {n_seeds} seeds)", ylim=(1e-4, None))
    ax_c.set(xlabel="layer $l$", ylabel=r"$|c^l - c^*|$", title=r"(c) correlation converges over $\xi_c$ layers", ylim=(1e-4, None))
    ax_q.legend(fontsize="small", title="lines: theory, points: measured", title_fontsize="small")

    # (d) ξ_c at the guide σ_b²: theory curve and fitted depth scales of the measured networks.
    sw_line = np.linspace(x0, x1, 600)
    ax_xi.semilogy(sw_line, meanfield.depth_scales(sw_line, sigma_b2, activation).xi_c, "k-", lw=1.5, label=r"theory $\xi_c$")
    ok = fits.n_layers > 0
    ax_xi.plot(fits.sigma_w2[ok], fits.xi_c_measured[ok], "o", ms=7, mfc="C3", mec="k", label="fitted to measured networks")
    crit = fits.critical_sigma_w2.iloc[0]
    ax_xi.axvspan(crit - away, crit + away, color="0.9", label="near-critical (no claim)")
    ax_xi.axvline(crit, color="k", ls=":", lw=1)
    ax_xi.set(
        xlabel=r"$\sigma_w^2$",
        ylabel=r"$\xi_c$ (layers)",
        title=rf"(d) correlation depth scale at $\sigma_b^2 = {sigma_b2:g}$",
        ylim=(1, 300),
        xlim=(x0, x1 + 0.1),
    )
    ax_xi.legend(fontsize="small")
    return fig


def analyze(artifacts: Artifacts) -> dict[str, pd.DataFrame]:
    return {"fits": depth_scale_fits(artifacts["propagation"], artifacts["critical_line"])}


def check(config: dict) -> None:
    """The grid's ranges run upwards; ReLU has a finite q* (at σ_b² > 0) only for σ_w² < 2."""
    compute = config[NAME]["compute"]
    errors = [e for axis in ("sigma_w2", "sigma_b2") for e in increasing(f"{NAME}.compute.grid.{axis}", compute["grid"][axis])]
    if compute["activation"] == "relu":
        bad = [s for s in compute["propagation"]["sigma_w2"] if s >= 2]
        if bad:
            errors.append(f"{NAME}.compute.propagation.sigma_w2: {bad} has no finite q* for relu at sigma_b2 > 0; allowed: values < 2")
    require(errors)


def artifacts(config: dict) -> dict[str, str]:
    return {name: FIGURE.result(f"{name}.csv") for name in ("critical_line", "depth_scales", "propagation")}


# ------------------------------------------------------------------------------------------
# Cost of the compute jobs (python -m dltheory plan). Imports inside the functions: the claims and
# plot jobs import this module, and their code digest follows module-level imports only.

BISECTION_STEPS = 64  # q*: bisection on [0, hi] to float64 resolution, plus the doubling of hi
NEWTON_STEPS = 8  # c*: Newton steps from c = 0 (quadratic convergence), at the chaotic points


def _theory_flops(spec: dict) -> float:
    """FLOPs of ``phase_diagram_theory``. With n quadrature nodes, a 1-D Gaussian moment costs
    n (F_T + 4); per grid point: q* (BISECTION_STEPS moments), χ_1 and ξ_q (3 moments), and at
    about half the points (the chaotic phase) NEWTON_STEPS pair moments on the n × n grid,
    n² (2 F_T + 12) each; the critical line: 200 bisection steps of 2 moments per point."""
    from dltheory.core.cost import F_TRANSCENDENTAL as F_T

    n, grid = spec["quadrature_points"], spec["grid"]
    moment = n * (F_T + 4)
    pair_moment = n * n * (2 * F_T + 12)
    points = grid["sigma_w2"]["num"] * grid["sigma_b2"]["num"]
    per_point = (BISECTION_STEPS + 3) * moment + 0.5 * NEWTON_STEPS * pair_moment
    return points * per_point + (spec["critical_line"]["num"] + 1) * 200 * 2 * moment


def _theory_memory(spec: dict) -> float:
    """Bytes: the pair moments' chunk of 256 grid points on the n × n node grid, float64, four arrays at once."""
    from dltheory.science.meanfield import CHUNK

    return 4 * CHUNK * spec["quadrature_points"] ** 2 * 8


def _theory_run(spec: dict) -> None:
    from dltheory.science.meanfield import critical_line_table, depth_scales_table

    line = spec["critical_line"]
    critical_line_table(spec["activation"], line["sigma_b2_max"], line["num"], [spec["propagation"]["sigma_b2"]])
    depth_scales_table(spec["activation"], spec["grid"], spec["quadrature_points"])


def _propagation_flops(spec: dict) -> float:
    """FLOPs of ``phase_diagram_propagation``: per seed and layer, the N × N standard normals
    (F_NORMAL each) and the bmm of [N, N] by [N, K·M] (2 N² K M), plus φ and the statistics on
    [N, K, M] (N K M (F_T + 10)); S seeds, K values of σ_w², M = n_probes + 4 n_pairs, L layers."""
    from dltheory.core.cost import F_NORMAL
    from dltheory.core.cost import F_TRANSCENDENTAL as F_T

    p = spec["propagation"]
    N, K, M = p["width"], len(p["sigma_w2"]), p["n_probes"] + 4 * p["n_pairs"]
    per_layer = N * N * F_NORMAL + N * F_NORMAL + 2 * N * N * K * M + N * K * M * (F_T + 10)
    return p["seeds"] * p["depth"] * per_layer


def _propagation_memory(spec: dict) -> float:
    """Bytes: the normals [S, N, N] of one layer and four arrays [S, N, K, M] (z, φ(z), the bmm, products)."""
    from dltheory.core.cost import BYTES

    p = spec["propagation"]
    N, K, M, S = p["width"], len(p["sigma_w2"]), p["n_probes"] + 4 * p["n_pairs"], p["seeds"]
    return BYTES[p["dtype"]] * S * N * (N + 4 * K * M)


def _propagation_run(spec: dict, device: str) -> None:
    from dltheory.core.cost import seeds_of
    from dltheory.core.device import DTYPES
    from dltheory.science.propagation import measure_propagation

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
    from dltheory.core.cost import reduced, sliced
    from dltheory.core.device import resolve_device

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


FIGURE = Figure(
    name=NAME,
    title="Order to chaos: the mean-field phase diagram and measured depth scales",
    sources=("Poole et al. 2016, Fig. 2 (arXiv 1606.05340)", "Schoenholz et al. 2017, Fig. 1 and Eq. 9 (arXiv 1611.01232)"),
    artifacts=artifacts,
    claims=claims,
    plot=plot,
    check=check,
    analysis={"fits": "depth_scale_fits.csv"},
    analyze=analyze,
    jobs=jobs,
)
