"""phase_diagram's claims at their bars (config phase_diagram.claims): the critical point of tanh
at σ_b² = 0.05 against the known 1.7610 (deterministic, a tolerance), and measured ξ_c against
theory away from criticality (a bootstrap over the seeds of hand-built networks)."""

import functools

import numpy as np
import pandas as pd
import pytest
from shipped import bars

from dltheory.figures.phase_diagram import claims as fig
from dltheory.science import meanfield

BARS = bars("phase_diagram")
DELTA, LAYERS = 0.1, 25


@pytest.fixture(autouse=True)
def fewer_resamples(monkeypatch):
    """400 bootstrap refits, not the project's 2000: each refit is a pandas group-by of a few
    milliseconds. Every interval below is either a point (networks that agree to 1e-5) or far
    from the bar's edge compared with the Monte Carlo error of its quantiles."""
    monkeypatch.setattr(fig, "depth_scale_interval", functools.partial(fig.depth_scale_interval, resamples=400))


def networks(sigma_w2: float, xi: float, seeds: int = 8, noise: float = 1e-5, seed: int = 0) -> pd.DataFrame:
    """``propagation.csv`` rows of ``seeds`` networks at one σ_w² (σ_b² = 0.05, tanh) whose
    perturbation gap decays as δ·exp(−l/ξ), times exp(noise · N(0, 1)) per network and layer."""
    rng = np.random.default_rng(seed)
    layer, network = np.meshgrid(np.arange(LAYERS + 1), np.arange(seeds), indexing="ij")
    gap = DELTA * np.exp(-layer / xi + noise * rng.standard_normal(layer.shape) * (layer > 0))
    return pd.DataFrame(
        {
            "activation": "tanh",
            "sigma_w2": sigma_w2,
            "sigma_b2": 0.05,
            "seed": network.ravel(),
            "layer": layer.ravel(),
            "c_upper": 0.5 + gap.ravel() / 2,
            "c_lower": 0.5 - gap.ravel() / 2,
        }
    )


def theory_xi(sigma_w2: float) -> float:
    return float(meanfield.depth_scales(np.array([sigma_w2]), 0.05, "tanh").xi_c[0])


def artifacts(critical: float, errors: list[float], distances: list[float], **kw) -> dict:
    """Networks at σ_w² = critical + distance, each measuring ξ = theory · (1 + error); the fits
    are the figure's own analysis of them."""
    line = pd.DataFrame({"activation": "tanh", "sigma_b2": [0.0, 0.05], "sigma_w2": [1.0, critical], "q_star": [0.0, 0.1]})
    sigma_w2 = [critical + d for d in distances]
    if not errors:
        return {"critical_line": line, "propagation": networks(0.0, 1.0, seeds=0), "fits": pd.DataFrame(columns=["distance_to_critical"])}
    propagation = pd.concat([networks(s, theory_xi(s) * (1 + e), **kw) for s, e in zip(sigma_w2, errors)], ignore_index=True)
    return {"critical_line": line, "propagation": propagation, "fits": fig.depth_scale_fits(propagation, line)}


def depth_scale_claim(error: float, **kw):
    """The one ξ_c claim of networks at σ_w² = 2.661 (chaotic, 0.9 above the critical line)."""
    (claim,) = fig.claims(artifacts(1.761, [error], [0.9], **kw), BARS)[1:]
    return claim


@pytest.mark.parametrize("critical, verdict", [(1.7610, "pass"), (1.7619, "pass"), (1.7601, "pass"), (1.7622, "fail"), (1.7597, "fail")])
def test_critical_point_within_its_tolerance(critical, verdict):
    claim = fig.claims(artifacts(critical, [], []), BARS)[0]
    assert BARS["critical_tolerance"] == 0.001 and claim.verdict == verdict and claim.estimate is None  # deterministic: no interval


@pytest.mark.parametrize("error, verdict", [(0.0, "pass"), (0.149, "pass"), (-0.149, "pass"), (0.151, "fail"), (-0.151, "fail")])
def test_measured_depth_scale_within_its_tolerance(error, verdict):
    """Networks that agree to 1e-5: the interval is a point, the verdict the point value's."""
    claim = depth_scale_claim(error)
    assert BARS["xi_tolerance"] == 0.15 and claim.verdict == verdict
    assert claim.value == pytest.approx(theory_xi(1.761 + 0.9) * (1 + error), rel=1e-4)


def test_the_depth_scale_is_refitted_on_networks_drawn_with_replacement():
    claim = depth_scale_claim(0.05, noise=0.05)
    fits = fig.depth_scale_fits(artifacts(1.761, [0.05], [0.9], noise=0.05)["propagation"], artifacts(1.761, [], [])["critical_line"])
    assert claim.estimate.method == "bootstrap" and claim.estimate.n == 8 and claim.estimate.replicates == ()
    assert claim.value == pytest.approx(fits.xi_c_measured.iloc[0])  # all networks once: the analysis' own fit
    assert claim.estimate.low < claim.value < claim.estimate.high


@pytest.mark.parametrize(
    "error, noise, verdict",
    [
        (0.0, 0.05, "pass"),  # far on the passing side
        (0.4, 0.05, "fail"),  # wholly on the wrong side
        (-0.4, 0.05, "fail"),
        (0.15, 0.05, "inconclusive"),  # on the bar, the networks' spread straddling it
    ],
)
def test_the_three_verdicts(error, noise, verdict):
    assert depth_scale_claim(error, noise=noise).verdict == verdict


@pytest.mark.parametrize("nudge", [-0.005, 0.005])
def test_a_nudged_network_near_the_bar_leaves_the_claim_undecided(nudge):
    """Noisy networks measuring ξ on the bar (theory + 15%); one network's gap made to decay
    faster or slower by 0.005 per layer (its own ξ ±6%): the interval still straddles the bar."""
    a = artifacts(1.761, [0.15], [0.9], noise=0.05)
    p = a["propagation"]
    gap = (p.c_upper - p.c_lower) * np.exp(nudge * p.layer * (p.seed == 0))
    a["propagation"] = p.assign(c_upper=0.5 + gap / 2, c_lower=0.5 - gap / 2)
    a["fits"] = fig.depth_scale_fits(a["propagation"], a["critical_line"])
    (claim,) = fig.claims(a, BARS)[1:]
    assert claim.verdict == "inconclusive" and claim.to_decide > 8


def test_no_claim_near_criticality():
    # |σ_w² − σ_w²,crit| < 0.3: ξ_c diverges there and no finite network can measure it.
    claims = fig.claims(artifacts(1.761, [0.5, 0.5, 0.0], [0.29, -0.29, 0.3]), BARS)
    assert len(claims) == 2 and "σ_w² = 2.061" in claims[1].claim


def test_no_fit_window_fails():
    """Networks whose gap is noise (no window of 5 layers above 4 standard errors): nothing converges at a measured scale."""
    a = artifacts(1.761, [0.0], [0.9])
    a["propagation"] = a["propagation"].assign(
        c_upper=0.5 + 0.01 * np.random.default_rng(0).standard_normal(len(a["propagation"])), c_lower=0.5
    )
    a["fits"] = fig.depth_scale_fits(a["propagation"], a["critical_line"])
    (claim,) = fig.claims(a, BARS)[1:]
    assert claim.verdict == "fail" and claim.measured == "no fit window above noise"


def test_a_stricter_bar_fails_what_the_default_passes():
    assert depth_scale_claim(0.1).verdict == "pass"
    assert fig.claims(artifacts(1.761, [0.1], [0.9]), {**BARS, "xi_tolerance": 0.05})[1].verdict == "fail"
