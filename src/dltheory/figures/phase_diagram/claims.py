"""phase_diagram's analysis and claims: ξ_c fitted to the measured networks next to theory, and
the critical point at σ_b² = 0.05 against a known answer.

The critical point is a deterministic numeric (float64 quadrature and bisection, no random draw):
it keeps its tolerance. The measured ξ_c is fitted to random networks, one seed one network (its
own weights and biases, shared by every σ_w² of the seed), so it is judged on a percentile
bootstrap over the seeds of ``propagation.csv``, which keeps every seed's curves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dltheory.core.claims import Claim, claim
from dltheory.core.contract import Artifacts
from dltheory.core.uncertainty import RESAMPLES, Estimate, bootstrap_interval, near
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


def fitted_depth_scale(networks: pd.DataFrame) -> float:
    """ξ_c fitted to these networks' perturbation pairs (one σ_w²; a network drawn twice counts
    twice), by :func:`~dltheory.science.propagation.fit_correlation_depth_scale`: nan where no
    window of at least 5 layers stands above the noise."""
    return float(fit_correlation_depth_scale(networks).xi_c_measured.iloc[0])


def depth_scale_interval(propagation: pd.DataFrame, sigma_w2: float, resamples: int = RESAMPLES) -> Estimate:
    """The fitted ξ_c at ``sigma_w2`` with its percentile bootstrap over the seeds (networks): a
    resample draws whole networks, every layer of each, and refits (its fit window included, as
    the window depends on the standard error across seeds). No replicates are kept: a single
    network has no fit of its own (the window needs a standard error across networks). Each
    refit is a pandas group-by of a few milliseconds, so ``resamples`` refits take seconds."""
    networks = propagation.loc[np.isclose(propagation.sigma_w2, sigma_w2), ["sigma_w2", "seed", "layer", "c_upper", "c_lower"]]
    seeds = np.unique(networks.seed)
    rows_of = [np.flatnonzero(networks.seed.to_numpy() == seed) for seed in seeds]

    def refit(drawn: np.ndarray) -> float:
        if len(np.unique(drawn)) < 2:  # one network drawn n times: no spread across networks, no window, no fit
            return np.nan
        return fitted_depth_scale(networks.iloc[np.concatenate([rows_of[i] for i in drawn])])

    return bootstrap_interval(refit, len(seeds), resamples=resamples)


def analyze(artifacts: Artifacts) -> dict[str, pd.DataFrame]:
    return {"fits": depth_scale_fits(artifacts["propagation"], artifacts["critical_line"])}


def claims(artifacts: Artifacts, bars: dict) -> list[Claim]:
    """The critical point at σ_b² = 0.05, and measured ξ_c against theory away from criticality."""
    critical_line, fits = artifacts["critical_line"], artifacts["fits"]
    return [*critical_point_claims(critical_line, bars), *depth_scale_claims(artifacts["propagation"], fits, bars)]


def critical_point_claims(critical_line: pd.DataFrame, bars: dict) -> list[Claim]:
    """The critical point against its known answer: deterministic (float64 mean-field tables, no
    replicate noise), so a value against a tolerance, with no interval."""
    activation = critical_line.activation.iloc[0]
    if activation in REFERENCE_CRITICAL_SIGMA_W2:
        sigma_b2, expected = REFERENCE_CRITICAL_SIGMA_W2[activation]
        tol = bars["critical_tolerance"]
        value = critical_sigma_w2(critical_line, sigma_b2)
        return [
            claim(
                f"critical σ_w² of {activation} at σ_b² = {sigma_b2}",
                source="Schoenholz et al. 2017, Fig. 1 (independently computed reference)",
                expected=f"{expected:.4f} ± {tol:g}",
                measured=f"{value:.5f}",
                value=value,
                bar=near(expected, tol),
            )
        ]
    if activation == "relu":
        value = critical_sigma_w2(critical_line, 0.0)
        return [
            claim(
                "critical point of ReLU",
                source="Poole et al. 2016 (χ_1 = σ_w²/2)",
                expected="(2, 0)",
                measured=f"({value:g}, 0)",
                value=value,
                bar=near(2.0, 1e-12),
            )
        ]
    return []


def depth_scale_claims(propagation: pd.DataFrame, fits: pd.DataFrame, bars: dict) -> list[Claim]:
    """Per measured σ_w² at least ``bars['away_from_critical']`` from the critical line: the fitted
    ξ_c, on its bootstrap over seeds, within ``bars['xi_tolerance']`` (relative) of theory."""
    out = []
    tol = bars["xi_tolerance"]
    for row in fits.itertuples():
        if not row.distance_to_critical >= bars["away_from_critical"]:
            continue
        statement = f"measured c^l converges at depth scale ξ_c (σ_w² = {row.sigma_w2:g}, σ_b² = {row.sigma_b2:g})"
        source, expected = "Schoenholz et al. 2017, Eq. 9 and Fig. 1", f"ξ_c = {row.xi_c_theory:.2f} ± {tol:.0%}"
        if row.n_layers == 0:  # nothing was fitted, so nothing converges at a measured scale: a failure, as before intervals
            out.append(claim(statement, source=source, expected=expected, measured="no fit window above noise", passed=False))
            continue
        xi = depth_scale_interval(propagation, row.sigma_w2)
        out.append(
            claim(
                statement,
                source=source,
                expected=expected,
                measured=f"ξ = {xi.value:.2f} ({xi.value / row.xi_c_theory - 1:+.1%}, layers {row.first_layer}–{row.last_layer}, "
                f"{xi.n} seeds)",
                estimate=xi,
                bar=near(row.xi_c_theory, tol * row.xi_c_theory),  # |ξ / ξ_theory − 1| ≤ tol
            )
        )
    return out
