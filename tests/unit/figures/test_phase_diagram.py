"""phase_diagram's claims at their bars (config phase_diagram.claims): the critical point of tanh
at σ_b² = 0.05 against the known 1.7610, and measured ξ_c against theory, away from criticality."""

import pandas as pd
import pytest
from shipped import bars

from dltheory.figures.phase_diagram import claims as fig

BARS = bars("phase_diagram")


def artifacts(critical: float, errors: list[float], distances: list[float]) -> dict:
    line = pd.DataFrame({"activation": "tanh", "sigma_b2": [0.0, 0.05], "sigma_w2": [1.0, critical], "q_star": [0.0, 0.1]})
    fits = pd.DataFrame(
        {
            "sigma_w2": [critical + d for d in distances],
            "sigma_b2": 0.05,
            "xi_c_theory": 10.0,
            "xi_c_measured": [10.0 * (1 + e) for e in errors],
            "relative_error": errors,
            "n_layers": 10,
            "first_layer": 1,
            "last_layer": 10,
            "critical_sigma_w2": critical,
            "distance_to_critical": [abs(d) for d in distances],
        }
    )
    return {"critical_line": line, "fits": fits}


@pytest.mark.parametrize("critical, passed", [(1.7610, True), (1.7619, True), (1.7601, True), (1.7622, False), (1.7597, False)])
def test_critical_point_within_its_tolerance(critical, passed):
    claim = fig.claims(artifacts(critical, [], []), BARS)[0]
    assert BARS["critical_tolerance"] == 0.001 and claim.passed is passed


@pytest.mark.parametrize("error, passed", [(0.0, True), (0.149, True), (-0.149, True), (0.151, False), (-0.151, False)])
def test_measured_depth_scale_within_its_tolerance(error, passed):
    claims = fig.claims(artifacts(1.761, [error], [0.5]), BARS)
    assert BARS["xi_tolerance"] == 0.15 and len(claims) == 2 and claims[1].passed is passed


def test_no_claim_near_criticality():
    # |σ_w² − σ_w²,crit| < 0.3: ξ_c diverges there and no finite network can measure it.
    claims = fig.claims(artifacts(1.761, [0.5, 0.5, 0.0], [0.29, -0.29, 0.3]), BARS)
    assert [c.value for c in claims[1:]] == [10.0]


def test_a_stricter_bar_fails_what_the_default_passes():
    assert fig.claims(artifacts(1.761, [0.1], [0.5]), BARS)[1].passed
    assert not fig.claims(artifacts(1.761, [0.1], [0.5]), {**BARS, "xi_tolerance": 0.05})[1].passed
