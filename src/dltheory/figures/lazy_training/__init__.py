"""Figure ``lazy_training``: wide networks barely move, their tangent kernel stays fixed and well
conditioned (Jacot, Gabriel & Hongler 2018, Fig. 1; Lee et al. 2019, Thm 2.1; Chizat, Oyallon &
Bach 2019; Liu, Zhu & Belkin 2022).

(a) Jacot's Fig. 1: Θ(x₀, x) on the unit circle for two widths, each initialization a thin line,
at initialization (solid) and after training (dashed), with the infinite-width limit. (b) The
relative change of each layer's weights and of the kernel after training to a fixed loss, against
width, one and two hidden layers, with the 1/√width line. (c) The spectrum of the kernel at
initialization (PL*): λ_min/λ_max against the parameter count over n, ReLU (dead inputs) and
softplus; the condition number against width; along gradient descent, λ_min(Θ_t)/λ_min(Θ₀) and
the loss against the PL* bound, for narrow to wide nets. (e) sup_t |f_t − f^lin_t| on test inputs
against width (Lee et al.'s linearization). (d) ‖θ_T − θ₀‖ of the lazily scaled model
α(f − f₀), and its distance to its linearization, against α, with the 1/α line.

Science: :mod:`dltheory.science.tangent_kernel` (the NTK-parameterized networks, their empirical
tangent kernels, the infinite-width kernel, dead inputs, the linearized network and the sweeps).
"""

from __future__ import annotations

from dltheory.core.contract import Figure, Step, require

NAME = "lazy_training"
SOURCE_JACOT = "Jacot, Gabriel & Hongler 2018, §6 and Fig. 1 (NeurIPS; arXiv 1806.07572)"
SOURCE_LEE = "Lee et al. 2019, Theorem 2.1 (NeurIPS; arXiv 1902.06720)"
SOURCE_PL = "Liu, Zhu & Belkin 2022, PL* (ACHA 59; arXiv 2003.00307)"
SOURCE_CHIZAT = "Chizat, Oyallon & Bach 2019, §2 (NeurIPS; arXiv 1812.07956)"


def check(config: dict) -> None:
    """(c) must straddle parameters = n; (b) and (d) train on at most the inputs there are, and (b)
    tests on inputs it does not train on."""
    lt, errors = config[NAME]["compute"], []
    n, d = lt["data"]["points"], lt["data"]["d"]
    parameters = [(d + 2) * w + 1 for w in lt["spectrum"]["widths"]]  # one hidden layer with biases
    if not (min(parameters) < n < max(parameters)):
        errors.append(
            f"{NAME}.compute.spectrum.widths: {lt['spectrum']['widths']} give {min(parameters)}..{max(parameters)} parameters, not on both "
            f"sides of the {n} training points (data.points); allowed: widths from below {(n - 1) // (d + 2)} to above it"
        )
    for key in ("sweep", "alpha"):
        if lt[key]["train_points"] > n:
            errors.append(f"{NAME}.compute.{key}.train_points: {lt[key]['train_points']} > data.points ({n}); allowed: 1 .. {n}")
    sweep = lt["sweep"]
    if sweep["train_points"] <= n and sweep["train_points"] + sweep["test_points"] > n:
        errors.append(
            f"{NAME}.compute.sweep.test_points: {sweep['test_points']} + train_points ({sweep['train_points']}) > data.points ({n}); "
            f"allowed: 1 .. {n - sweep['train_points']}"
        )
    require(errors)


FIGURE = Figure(
    name=NAME,
    order=90,
    title="Lazy training: wide networks barely move, their tangent kernel stays fixed",
    sources=(SOURCE_JACOT, SOURCE_LEE, SOURCE_CHIZAT, SOURCE_PL),
    outputs={
        "circle": "circle.npz",
        "widths": "widths.csv",
        "linearization": "linearization.csv",
        "spectrum": "spectrum.csv",
        "pl_curves": "pl_curves.csv",
        "alpha": "alpha.csv",
    },
    steps=(
        Step("circle", outputs=("circle",), params=lambda c, w: dict(c["circle"]), device=True, mem_mb=2000),
        Step(
            "sweeps",
            outputs=("widths", "linearization", "spectrum", "pl_curves", "alpha"),
            params=lambda c, w: {k: v for k, v in c.items() if k != "circle"},
            device=True,
            mem_mb=2000,
        ),
    ),
    analysis={"slopes": "slopes.csv"},
    check=check,
)
