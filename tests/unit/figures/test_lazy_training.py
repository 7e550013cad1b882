"""lazy_training's claims at their bars (config lazy_training.claims), on made-up measurements:
power laws of known slope, kernels of known spread, spectra with known zeros."""

import numpy as np
import pandas as pd
import pytest
from shipped import bars

from dltheory.figures.lazy_training import claims as fig

BARS = bars("lazy_training")
WIDTHS = [64, 256, 1024, 4096]


def widths_table(first=-0.5, readout=-0.5, kernel=-0.9, hidden=-1.0, two_hidden=True) -> pd.DataFrame:
    """Relative changes c · width^slope per layer, 3 seeds that differ by a constant factor (so
    every seed has the same slope)."""
    rows = []
    for hidden_layers in (1, 2) if two_hidden else (1,):
        slopes = {"0": first, str(hidden_layers): readout, "kernel": kernel} | ({"1": hidden} if hidden_layers == 2 else {})
        for seed in range(3):
            for width in WIDTHS:
                for layer, slope in slopes.items():
                    change = (1 + 0.1 * seed) * (width / 64.0) ** slope
                    rows.append(
                        {
                            "hidden_layers": hidden_layers,
                            "width": width,
                            "seed": seed,
                            "layer": layer,
                            "relative_change": change,
                            "steps": 30,
                        }
                    )
    return pd.DataFrame(rows)


def circle(spreads=(0.03, 0.01), moves=(0.1, 0.02)) -> dict:
    """Θ(x₀, ·) = limit + seed noise of s.d. spreads[w], and moved by moves[w] (relative) in training."""
    gamma = np.linspace(-np.pi, np.pi, 21)
    limit = 0.1 + 0.2 * np.exp(-(gamma**2))
    rng = np.random.default_rng(0)
    noise = rng.normal(size=(10, 21))
    noise = (noise - noise.mean(0)) / noise.std(0, ddof=1)  # exactly s.d. 1 over seeds at each angle
    init = np.stack([limit + s * noise for s in spreads])
    trained = init * (1 + np.array(moves)[:, None, None])
    return {
        "widths": np.array([128, 1024]),
        "gamma": gamma,
        "analytic": limit,
        "theta_init": init,
        "theta_trained": trained,
        "steps": np.array(200),
        "hidden_layers": np.array(3),
    }


def spectrum(zero_above=0) -> pd.DataFrame:
    """n = 100 points; widths 2, 4 under (parameters 45, 89), 5, 8, 64 over; ``zero_above`` inits of width 5 singular."""
    rows = []
    for width in (2, 4, 5, 8, 64):
        for seed in range(10):
            singular = 22 * width + 1 < 100 or (width == 5 and seed < zero_above)
            rows.append(
                {
                    "width": width,
                    "seed": seed,
                    "parameters": 22 * width + 1,
                    "points": 100,
                    "lambda_min": 1e-17 if singular else 1e-4,
                    "lambda_max": 10.0,
                }
            )
    return pd.DataFrame(rows)


def pl_curves() -> pd.DataFrame:
    t = np.arange(11)
    return pd.DataFrame({"step": t, "seed": 0, "loss": 0.5**t, "bound": 0.9**t, "width": 64})


def alpha_table(slope=-1.0) -> pd.DataFrame:
    alphas = [1, 10, 100, 1000]
    return pd.DataFrame([{"alpha": a, "seed": s, "displacement": (1 + 0.1 * s) * a**slope, "loss": 1e-9} for s in range(3) for a in alphas])


def verdicts(**parts) -> dict[str, bool | None]:
    artifacts = {
        "widths": widths_table(),
        "circle": circle(),
        "spectrum": spectrum(),
        "pl_curves": pl_curves(),
        "alpha": alpha_table(),
    } | parts
    artifacts["slopes"] = fig.slopes(artifacts["widths"])
    return {c.claim: c.passed for c in fig.claims(artifacts, BARS)}


def failing(**parts) -> list[str]:
    return [claim for claim, passed in verdicts(**parts).items() if passed is False]


def test_the_theorys_measurements_pass_every_claim():
    v = verdicts()
    assert sum(p is True for p in v.values()) == 11 and not failing()
    assert list(v.values()).count(None) == 3  # hidden-to-hidden slope, the infinite-width limit, the PL* bound


def test_slopes_are_fitted_per_seed_with_a_confidence_interval():
    table = fig.slopes(widths_table(first=-0.47))
    row = table[(table.hidden_layers == 1) & (table.layer == "0")].iloc[0]
    assert row.slope == pytest.approx(-0.47) and row.ci_low == pytest.approx(-0.47) and row.ci_high == pytest.approx(-0.47)


@pytest.mark.parametrize("layer", ["first", "readout"])
def test_weight_slope_bar(layer):
    low, high = BARS["weight_slope"]
    assert not failing(widths=widths_table(**{layer: high - 0.01})) and not failing(widths=widths_table(**{layer: low + 0.01}))
    assert len(failing(widths=widths_table(**{layer: high + 0.01}))) == 2  # one and two hidden layers
    assert len(failing(widths=widths_table(**{layer: low - 0.01}))) == 2


def test_kernel_slope_bar_and_hidden_to_hidden_is_never_judged():
    bar = BARS["max_kernel_slope"]
    assert not failing(widths=widths_table(kernel=bar - 0.01))
    assert all("kernel" in c for c in failing(widths=widths_table(kernel=bar + 0.01)))
    assert not failing(widths=widths_table(hidden=-0.2)) and not failing(widths=widths_table(hidden=-3.0))


def test_circle_claims():
    assert failing(circle=circle(spreads=(0.01, 0.011))) == [next(c for c in verdicts() if "varies less" in c)]
    assert failing(circle=circle(moves=(0.02, 0.021))) == [next(c for c in verdicts() if "moves less" in c)]


def test_zero_eigenvalue_claims():
    (claim,) = failing(spectrum=spectrum(zero_above=3))
    assert "outnumber" in claim
    broken = spectrum()
    broken.loc[broken.width == 2, "lambda_min"] = 1e-3  # a rank above the parameter count: impossible, so caught
    (claim,) = failing(spectrum=broken)
    assert "fewer than" in claim


def test_alpha_slope_bar():
    tol = BARS["alpha_slope_tolerance"]
    assert not failing(alpha=alpha_table(-1 + 0.99 * tol)) and not failing(alpha=alpha_table(-1 - 0.99 * tol))
    (claim,) = failing(alpha=alpha_table(-1 + 1.01 * tol))
    assert "1/α" in claim
