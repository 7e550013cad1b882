"""phase_diagram's analysis and claims: ξ_c fitted to the measured networks next to theory, and
the critical point at σ_b² = 0.05 against a known answer."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dltheory.core.claims import Claim, claim
from dltheory.core.contract import Artifacts
from dltheory.science import meanfield
from dltheory.science.propagation import fit_correlation_depth_scale

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


def analyze(artifacts: Artifacts) -> dict[str, pd.DataFrame]:
    return {"fits": depth_scale_fits(artifacts["propagation"], artifacts["critical_line"])}


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
