"""lazy_training's claims at their bars (config lazy_training.claims), on made-up measurements:
power laws of known slope, kernels of known spread and inflation, spectra with known zeros and
condition numbers, training curves with a known retained λ_min and distance to the PL* bound;
and the three verdicts of the claims judged on an interval over seeds or initializations."""

import numpy as np
import pandas as pd
import pytest
from shipped import bars

from dltheory.figures.lazy_training import claims as fig

BARS = bars("lazy_training")
WIDTHS = [64, 256, 1024, 4096]


def widths_table(first=-0.5, readout=-0.5, kernel=-0.9, hidden=-1.0, two_hidden=True, jitter=0.0, seeds=3) -> pd.DataFrame:
    """Relative changes c · width^slope per layer for each seed; seed s's slope is off by
    ``jitter`` · (s − mean seed), so the seeds' mean slope is the one given and their s.d. is
    ``jitter`` · s.d.(0 … seeds − 1) (0: every seed has the same slope)."""
    rows = []
    for hidden_layers in (1, 2) if two_hidden else (1,):
        slopes = {"0": first, str(hidden_layers): readout, "kernel": kernel} | ({"1": hidden} if hidden_layers == 2 else {})
        for seed in range(seeds):
            for width in WIDTHS:
                for layer, slope in slopes.items():
                    change = (1 + 0.1 * seed) * (width / 64.0) ** (slope + jitter * (seed - (seeds - 1) / 2))
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


def circle(spreads=(0.03, 0.01), moves=(0.1, 0.02), move_jitter=0.0) -> dict:
    """Θ(x₀, ·) = limit + seed noise of s.d. spreads[w] (the two widths' noise independent), and
    moved by moves[w] (relative) in training, each init's move off by ``move_jitter`` × N(0, 1)
    (relative; normalized to mean 0, so the mean move over inits is moves[w])."""
    gamma = np.linspace(-np.pi, np.pi, 21)
    limit = 0.1 + 0.2 * np.exp(-(gamma**2))
    rng = np.random.default_rng(0)
    noise = rng.normal(size=(2, 10, 21))
    noise = (noise - noise.mean(1, keepdims=True)) / noise.std(1, ddof=1, keepdims=True)  # exactly s.d. 1 over seeds at each angle
    init = np.stack([limit + s * z for s, z in zip(spreads, noise)])
    jitter = rng.normal(size=(2, 10))
    jitter -= jitter.mean(1, keepdims=True)
    trained = init * (1 + np.array(moves)[:, None, None] * (1 + move_jitter * jitter)[..., None])
    return {
        "widths": np.array([128, 1024]),
        "gamma": gamma,
        "analytic": limit,
        "theta_init": init,
        "theta_trained": trained,
        "steps": np.array(200),
        "hidden_layers": np.array(3),
    }


def linearization_table(slope=-0.75, jitter=0.0, seeds=3) -> pd.DataFrame:
    """sup_t |f_t − f^lin_t| = c · width^slope for each seed, seed s's slope off by ``jitter`` · (s − mean seed)."""
    return pd.DataFrame(
        {
            "hidden_layers": hidden_layers,
            "width": width,
            "seed": seed,
            "steps": 30,
            "gap": 0.3 * (1 + 0.1 * seed) * (width / 64.0) ** (slope + jitter * (seed - (seeds - 1) / 2)),
            "scale": 1.5,
        }
        for hidden_layers in (1, 2)
        for seed in range(seeds)
        for width in WIDTHS
    )


def spectrum(zero_above=0, full_below=0, condition_slope=-2.0) -> pd.DataFrame:
    """n = 100 points; widths 2, 4 under (parameters 45, 89), 5, 8, 64 over; both activations.
    Softplus: rank min(n, parameters), but ``zero_above`` inits of width 5 singular and
    ``full_below`` inits of width 4 of full rank; λ_max/λ_min = 10⁴ (1 + 0.1 seed) (width/5)^condition_slope.
    ReLU: seed s of width 5 has s dead inputs and rank 100 − max(s − 1, 0)."""
    rows = []
    for width in (2, 4, 5, 8, 64):
        for seed in range(10):
            parameters = 22 * width + 1
            singular = (parameters < 100 and not (width == 4 and seed < full_below)) or (width == 5 and seed < zero_above)
            condition = 1e4 * (1 + 0.1 * seed) * (width / 5) ** condition_slope
            common = {"width": width, "seed": seed, "parameters": parameters, "points": 100, "lambda_max": 10.0}
            rows.append(
                common
                | {
                    "activation": "softplus",
                    "lambda_min": 1e-17 if singular else 10.0 / condition,
                    "rank": min(parameters, 99) if singular else 100,
                    "dead_points": 0,
                    "two_dead_share": np.nan,
                }
            )
            dead = seed if width == 5 else 0
            rows.append(
                common
                | {
                    "activation": "relu",
                    "lambda_min": 1e-17 if parameters < 100 or dead >= 2 else 1e-4,
                    "rank": min(width * 21 + 1, 100 - max(dead - 1, 0)),
                    "dead_points": dead,
                    "two_dead_share": 0.7 if width == 5 else np.nan,
                }
            )
    return pd.DataFrame(rows)


def pl_curves(retention=0.9, excess=0.5, narrow_retention=0.2, narrow_excess=2.0, jitter=0.0) -> pd.DataFrame:
    """Widths 8 (narrow) and 256 (wide), 5 seeds, 20 steps, the kernel at steps 0, 10 and 20:
    λ_min(Θ_t)/λ_min(Θ₀) falls to ``retention`` (seed s off by ``jitter`` · (s − 2)) and
    L_t = ``excess`` · bound_t for t ≥ 1 (likewise), ``narrow_*`` for width 8."""
    rows = []
    for width, kept, over in ((8, narrow_retention, narrow_excess), (256, retention, excess)):
        for seed in range(5):
            for step in range(21):
                bound = 0.99**step
                kernel = step % 10 == 0
                rows.append(
                    {
                        "activation": "softplus",
                        "width": width,
                        "parameters": 22 * width + 1,
                        "seed": seed,
                        "step": step,
                        "loss": bound * (1 if step == 0 else over + jitter * (seed - 2)),
                        "bound": bound,
                        "lambda_min": (1e-3 if step == 0 else 1e-3 * (kept + jitter * (seed - 2))) if kernel else np.nan,
                        "lambda_max": 10.0 if kernel else np.nan,
                    }
                )
    return pd.DataFrame(rows)


def alpha_table(slope=-1.0, jitter=0.0, gap_slope=-1.0, gap_jitter=0.0) -> pd.DataFrame:
    """Displacements c · α^slope and distances to the linearization c' · α^gap_slope for 3 seeds,
    seed s's slopes off by ``jitter`` · (s − 1) and ``gap_jitter`` · (s − 1); α = 1 lies below the
    fitted range (``alpha_fit_from``) and is off the power laws."""
    return pd.DataFrame(
        [
            {
                "activation": "softplus",
                "alpha": a,
                "seed": s,
                "displacement": (1 + 0.1 * s) * a ** (slope + jitter * (s - 1)) * (5.0 if a < BARS["alpha_fit_from"] else 1.0),
                "linearization_gap": 0.1
                * (1 + 0.1 * s)
                * a ** (gap_slope + gap_jitter * (s - 1))
                * (5.0 if a < BARS["alpha_fit_from"] else 1.0),
                "loss": 1e-9,
            }
            for s in range(3)
            for a in (1, 10, 100, 1000)
        ]
    )


def judged(**parts) -> list:
    """The claims of made-up artifacts: the defaults (every claim passes), with ``parts`` replaced."""
    artifacts = {
        "widths": widths_table(),
        "linearization": linearization_table(),
        "circle": circle(),
        "spectrum": spectrum(),
        "pl_curves": pl_curves(),
        "alpha": alpha_table(),
    } | parts
    artifacts["slopes"] = fig.slopes(artifacts["widths"])
    return fig.claims(artifacts, BARS)


def verdicts(**parts) -> dict[str, str | None]:
    return {c.claim: c.verdict for c in judged(**parts)}


def failing(**parts) -> list[str]:
    return [claim for claim, verdict in verdicts(**parts).items() if verdict == "fail"]


def verdict_of(fragment: str, **parts) -> str:
    """The verdict of the one claim whose statement holds ``fragment``."""
    (verdict,) = [v for c, v in verdicts(**parts).items() if fragment in c]
    return verdict


def test_the_theorys_measurements_pass_every_claim():
    v = verdicts()
    assert sum(p == "pass" for p in v.values()) == 18 and not failing()
    # hidden-to-hidden slope, the wide width's inflation, the infinite-width limit, ReLU's dead inputs, two narrow PL* rows
    assert list(v.values()).count(None) == 6


def test_slopes_are_fitted_per_seed_with_a_confidence_interval():
    table = fig.slopes(widths_table(first=-0.47))
    row = table[(table.hidden_layers == 1) & (table.layer == "0")].iloc[0]
    assert row.slope == pytest.approx(-0.47) and row.ci_low == pytest.approx(-0.47) and row.ci_high == pytest.approx(-0.47)
    # seeds' slopes -0.49, -0.47, -0.45: mean -0.47 ± t(0.975, 2) · 0.02/√3
    table = fig.slopes(widths_table(first=-0.47, jitter=0.02))
    row = table[(table.hidden_layers == 1) & (table.layer == "0")].iloc[0]
    half = 4.302653 * 0.02 / np.sqrt(3)
    assert (row.ci_low, row.slope, row.ci_high) == pytest.approx((-0.47 - half, -0.47, -0.47 + half)) and row.seeds == 3


def test_a_slope_claim_keeps_each_seeds_slope_and_its_t_interval():
    (c,) = [c for c in judged(widths=widths_table(first=-0.47, jitter=0.02)) if "first layer" in c.claim and "1 hidden layer," in c.claim]
    assert c.estimate.method == "t" and c.estimate.n == 3
    assert c.estimate.replicates == pytest.approx((-0.49, -0.47, -0.45))
    low, high = BARS["weight_slope"]
    assert c.margin == pytest.approx(min(-0.47 - low, high + 0.47))


@pytest.mark.parametrize(
    "slope, jitter, verdict",
    [
        (-0.5, 0.01, "pass"),  # interval ±0.025 well inside [-0.6, -0.4]
        (-0.3, 0.01, "fail"),  # wholly above -0.4
        (-0.7, 0.01, "fail"),  # wholly below -0.6
        (-0.42, 0.02, "inconclusive"),  # -0.42 ± 0.05 straddles -0.4
    ],
)
def test_weight_slope_verdicts_on_the_interval_over_seeds(slope, jitter, verdict):
    assert BARS["weight_slope"] == [-0.6, -0.4]  # the cases are placed against these bars
    first_layer = [c.verdict for c in judged(widths=widths_table(first=slope, jitter=jitter)) if "first layer" in c.claim]
    assert first_layer == [verdict, verdict]  # one and two hidden layers


def test_a_slope_at_the_bars_edge_stays_undecided_when_one_seed_moves():
    """Seeds whose mean slope sits on the edge -0.4: nudging one seed's slope either way keeps the
    row inconclusive; it never flips between pass and fail."""
    for nudge in (-0.005, 0.005):
        widths = widths_table(first=-0.4, jitter=0.03, two_hidden=False)
        last = (widths.seed == 2) & (widths.layer == "0")
        widths.loc[last, "relative_change"] *= (widths.loc[last, "width"] / 64.0) ** nudge
        (c,) = [c for c in judged(widths=widths) if "first layer" in c.claim]
        assert c.verdict == "inconclusive" and c.to_decide is not None and c.to_decide > 3


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


@pytest.mark.parametrize(
    "spreads, verdict",
    [((0.03, 0.01), "pass"), ((0.01, 0.03), "fail"), ((0.01, 0.0105), "inconclusive")],
)
def test_spread_at_initialization_is_judged_on_a_bootstrap_over_inits(spreads, verdict):
    """The ratio wide / narrow of the s.d. over 10 inits: a third (pass), three times (fail), or
    within the bootstrap's reach of 1 (inconclusive)."""
    assert verdict_of("varies less", circle=circle(spreads=spreads)) == verdict
    (c,) = [c for c in judged(circle=circle(spreads=spreads)) if "varies less" in c.claim]
    assert c.estimate.method == "bootstrap" and c.estimate.n == 20 and c.value == pytest.approx(spreads[1] / spreads[0])


@pytest.mark.parametrize(
    "moves, verdict",
    [((0.1, 0.02), "pass"), ((0.02, 0.1), "fail"), ((0.1, 0.1), "inconclusive")],
)
def test_movement_in_training_is_judged_on_a_bootstrap_over_inits(moves, verdict):
    """Per-init moves spread by 30% around each width's mean: a ratio 0.2 passes, 5 fails, 1 is undecided."""
    (c,) = [c for c in judged(circle=circle(moves=moves, move_jitter=0.3)) if "moves less" in c.claim]
    assert c.verdict == verdict and c.value == pytest.approx(moves[1] / moves[0])
    assert len(c.estimate.replicates) == 20  # each init's relative move: the narrow width's, then the wide one's


def test_a_move_ratio_near_one_never_flips_between_pass_and_fail():
    for wide in (0.098, 0.102):
        assert verdict_of("moves less", circle=circle(moves=(0.1, wide), move_jitter=0.3)) == "inconclusive"


@pytest.mark.parametrize(
    "slope, jitter, verdict",
    [(-0.75, 0.02, "pass"), (-0.3, 0.02, "fail"), (-0.5, 0.05, "inconclusive")],
)
def test_linearization_slope_is_judged_on_a_bootstrap_over_inits(slope, jitter, verdict):
    """sup_t |f_t − f^lin_t| against width: steeper than −0.5 passes, flatter fails, on the edge undecided."""
    assert BARS["linearization_slope"] == -0.5
    rows = [c for c in judged(linearization=linearization_table(slope, jitter)) if "linearization f₀" in c.claim]
    assert [c.verdict for c in rows] == [verdict, verdict]  # one and two hidden layers
    assert rows[0].estimate.method == "bootstrap" and rows[0].value == pytest.approx(slope, abs=0.01)
    assert len(rows[0].estimate.replicates) == 3  # each seed's own slope


@pytest.mark.parametrize(
    "moves, jitter, verdict",
    [((0.1, 0.02), 0.3, "pass"), ((-0.1, -0.02), 0.3, "fail"), ((0.01, 0.002), 3.0, "inconclusive")],
)
def test_the_narrow_kernel_inflates(moves, jitter, verdict):
    """Jacot's “the NTK tends to inflate”: Θ_T = Θ₀ (1 + move) at the narrow width, judged against 0
    on the t-interval over its 10 inits; the wide width's inflation is only observed."""
    (c,) = [c for c in judged(circle=circle(moves=moves, move_jitter=jitter)) if "inflates" in c.claim]
    assert c.verdict == verdict and c.value == pytest.approx(moves[0]) and c.estimate.n == 10
    (wide,) = [c for c in judged(circle=circle(moves=moves, move_jitter=jitter)) if "inflation in training" in c.claim]
    assert wide.kind == "observation" and wide.value == pytest.approx(moves[1])


def test_softplus_rank_claims():
    (claim,) = failing(spectrum=spectrum(zero_above=3))
    assert "outnumber" in claim
    (claim,) = failing(spectrum=spectrum(full_below=1))  # a rank above the parameter count: impossible, so caught
    assert "fewer than" in claim


@pytest.mark.parametrize("slope, verdict", [(-2.0, "pass"), (0.5, "fail")])
def test_conditioning_must_improve_with_width(slope, verdict):
    (c,) = [c for c in judged(spectrum=spectrum(condition_slope=slope)) if "conditioning" in c.claim]
    assert c.verdict == verdict and c.value == pytest.approx(slope) and c.estimate.method == "t"


def test_relu_dead_inputs_are_observed_never_judged():
    """Width 5 has 2–9 dead inputs in 8 of 10 inits: singular, but the row is an observation; the
    rank deficit is dead − 1 in every over-parameterized init, and the formula is printed."""
    (c,) = [c for c in judged() if c.claim.startswith("ReLU")]
    assert c.kind == "observation" and c.value == pytest.approx(1.0)
    assert "width 5: 8/10 singular, formula 0.82, Monte Carlo 0.70" in c.measured
    assert not failing(spectrum=spectrum().assign(dead_points=0))


@pytest.mark.parametrize(
    "retention, jitter, verdict",
    [(0.9, 0.02, "pass"), (0.3, 0.02, "fail"), (0.52, 0.03, "inconclusive")],
)
def test_wide_nets_keep_a_fraction_of_lambda_min(retention, jitter, verdict):
    """min_t λ_min(Θ_t)/λ_min(Θ₀) at width 256 against our bar 1/2, on the t-interval over 5 inits;
    the narrow width's (0.2) never counts."""
    assert BARS["pl_fraction"] == 0.5 and BARS["pl_wide_width"] == 128
    (c,) = [c for c in judged(pl_curves=pl_curves(retention=retention, jitter=jitter)) if c.claim.startswith("PL* along training")]
    assert c.verdict == verdict and "width 256" in c.claim and c.value == pytest.approx(retention)
    (narrow,) = [c for c in judged() if c.claim.startswith("narrower nets, min over t")]
    assert narrow.kind == "observation" and "width 8: 0.200" in narrow.measured


@pytest.mark.parametrize("excess, verdict", [(0.5, "pass"), (1.5, "fail"), (0.99, "inconclusive")])
def test_wide_nets_stay_under_the_pl_bound(excess, verdict):
    (c,) = [c for c in judged(pl_curves=pl_curves(excess=excess, jitter=0.02)) if "under the PL* bound" in c.claim]
    assert c.verdict == verdict and c.value == pytest.approx(excess)


def test_alpha_slope_bar():
    tol = BARS["alpha_slope_tolerance"]
    assert not failing(alpha=alpha_table(-1 + 0.99 * tol)) and not failing(alpha=alpha_table(-1 - 0.99 * tol))
    (claim,) = failing(alpha=alpha_table(-1 + 1.01 * tol))
    assert "‖θ_T − θ₀‖ ∝ 1/α" in claim


def test_alpha_slopes_are_fitted_from_alpha_fit_from():
    """α = 1 sits 5× off the power law: fitted from α = 10 on, the slopes are exact."""
    rows = [c for c in judged() if "lazy scaling" in c.claim]
    assert [c.value for c in rows] == [pytest.approx(-1.0), pytest.approx(-1.0)] and all("α = 10 … 1000" in c.claim for c in rows)


@pytest.mark.parametrize("slope, verdict", [(-1.0, "pass"), (-1.3, "fail"), (-0.9, "inconclusive")])
def test_alpha_slope_verdicts_on_the_interval_over_seeds(slope, verdict):
    """Seeds' slopes ±0.02 around ``slope`` (t interval ±0.05): inside -1 ± 0.1, outside, on its edge."""
    assert (BARS["alpha_slope"], BARS["alpha_slope_tolerance"]) == (-1.0, 0.1)
    assert verdict_of("‖θ_T − θ₀‖ ∝ 1/α", alpha=alpha_table(slope, jitter=0.02)) == verdict


@pytest.mark.parametrize("slope, verdict", [(-1.0, "pass"), (-1.3, "fail"), (-0.9, "inconclusive")])
def test_distance_to_the_linearization_falls_like_one_over_alpha(slope, verdict):
    assert verdict_of("within O(1/α)", alpha=alpha_table(gap_slope=slope, gap_jitter=0.02)) == verdict
