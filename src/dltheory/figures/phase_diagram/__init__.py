"""Figure ``phase_diagram``: the order-to-chaos phase diagram and measured depth convergence.

Poole et al. 2016 (Fig. 2) and Schoenholz et al. 2017 (Fig. 1). Panel (a): χ_1 over
(σ_w², σ_b²) with the critical line χ_1 = 1; (b) |q^l − q*| and (c) |c^l − c*| against depth,
theory lines over points measured in real random networks; (d) ξ_c against σ_w² at the guide
σ_b², with the depth scales fitted to the measured networks. See docs/phase_diagram.md.

Bars (config ``phase_diagram.claims``): ``critical_tolerance`` on the critical σ_w² of tanh at
σ_b² = 0.05; ``xi_tolerance``, the relative error allowed between measured and predicted ξ_c
"away from criticality", which ``away_from_critical`` makes concrete as |σ_w² − σ_w²,crit| ≥ 0.3
(there ξ_c ≈ 4.69/|σ_w² − 1.761| ≤ 16 layers, well inside the measured depth).

Science: :mod:`dltheory.science.meanfield`, :mod:`dltheory.science.propagation`.
"""

from __future__ import annotations

from dltheory.core.contract import Figure, Step, increasing, require

NAME = "phase_diagram"


def check(config: dict) -> None:
    """The grid's ranges run upwards; ReLU has a finite q* (at σ_b² > 0) only for σ_w² < 2."""
    compute = config[NAME]["compute"]
    errors = [e for axis in ("sigma_w2", "sigma_b2") for e in increasing(f"{NAME}.compute.grid.{axis}", compute["grid"][axis])]
    if compute["activation"] == "relu":
        bad = [s for s in compute["propagation"]["sigma_w2"] if s >= 2]
        if bad:
            errors.append(f"{NAME}.compute.propagation.sigma_w2: {bad} has no finite q* for relu at sigma_b2 > 0; allowed: values < 2")
    require(errors)


def _theory_params(compute: dict, wildcards) -> dict:
    """The mean-field tables' settings: the grid, the critical line and the guide σ_b² it must include."""
    return {
        "activation": compute["activation"],
        "quadrature_points": compute["quadrature_points"],
        "grid": compute["grid"],
        "critical_line": compute["critical_line"],
        "guide_sigma_b2": compute["propagation"]["sigma_b2"],
    }


FIGURE = Figure(
    name=NAME,
    order=10,
    title="Order to chaos: the mean-field phase diagram and measured depth scales",
    sources=("Poole et al. 2016, Fig. 2 (arXiv 1606.05340)", "Schoenholz et al. 2017, Fig. 1 and Eq. 9 (arXiv 1611.01232)"),
    outputs={"critical_line": "critical_line.csv", "depth_scales": "depth_scales.csv", "propagation": "propagation.csv"},
    steps=(
        Step("theory", outputs=("critical_line", "depth_scales"), params=_theory_params),
        Step(
            "propagation",
            outputs=("propagation",),
            params=lambda c, w: {"activation": c["activation"], "propagation": c["propagation"]},
            threads=4,
            device=True,
        ),
    ),
    analysis={"fits": "depth_scale_fits.csv"},
    check=check,
)
