"""Figure ``implicit_bias``: gradient descent on separable data converges to the max-margin
direction, but only logarithmically (Soudry et al. 2018, Theorem 3 and Figure 1).

One row per dataset (the paper's mirror-symmetric support vectors; an asymmetric pair; the paper's
data with x₂ × 20, its ADAM experiment), six panels: (A) the data, the hard-margin separator (from a QP) and each optimizer's separator at the
last step; (B) ‖w(t)‖ against ln t, whose slope tends to ‖ŵ‖; (C) the summed loss, ∝ 1/t;
(D) the angle gap 1 − cos∠(w, ŵ); (E) the margin gap; (F) the distance to ŵ's direction times
ln t, which levels off at ‖P⊥w̃‖/‖ŵ‖ predicted from the QP's dual (the O(1/ln t) rate).
GD, three forms of momentum (the paper gives no formula) and Adam, all from w = 0 with one step η
per dataset (the paper's η = 1/σ_max(X) on the data of Fig. 1).

Science: :mod:`dltheory.science.max_margin` (the datasets, the QP, the three optimizers, the gaps).
"""

from __future__ import annotations

import numpy as np

from dltheory.core.contract import Figure, Step, require

NAME = "implicit_bias"
SOURCE = "Soudry et al. 2018, Theorem 3 and Fig. 1 (JMLR 19; arXiv 1710.10345)"


def dataset(ds: dict):
    """X [n, 2], y [n] of one dataset's config entry."""
    from dltheory.science.max_margin import mirrored_dataset

    return mirrored_dataset(ds["support_vectors"], ds["extra_per_class"], ds["margin"], ds["spread"], ds["seed"], ds["scale"])


def separable_through_origin(points) -> bool:
    """Whether some w has w·x > 0 for every 2-D point x: the points and their mirror images −x are
    then separable by a line through the origin. True exactly when the points' directions fit in
    an open half-plane, i.e. when the largest gap between their sorted angles (around the circle)
    exceeds π. Closed-form, so the config check needs no linear program (SciPy's optimizer would
    add half a second to every Snakemake start); the QP's own :func:`feasible_point
    <dltheory.science.max_margin.feasible_point>` answers the same question in any dimension."""
    points = np.asarray(points, dtype=float)
    if not np.all(np.any(points != 0, axis=1)):
        return False  # w·0 = 0: no w puts the origin on the positive side
    angles = np.sort(np.arctan2(points[:, 1], points[:, 0]))
    gaps = np.diff(np.append(angles, angles[0] + 2 * np.pi))
    return bool(gaps.max() > np.pi)


def check(config: dict) -> None:
    """Each dataset must be separable through the origin, its margin range increasing."""
    errors = []
    for name, ds in config[NAME]["compute"]["datasets"].items():
        key = f"{NAME}.compute.datasets.{name}"
        low, high = ds["margin"]
        if low > high:
            errors.append(f"{key}.margin: {ds['margin']} is not a range; allowed: [low, high] with 1 < low <= high")
        elif not separable_through_origin(ds["support_vectors"]):
            errors.append(
                f"{key}.support_vectors: {ds['support_vectors']} (label +1) and their mirror images (label -1) are not linearly "
                "separable by a line through the origin, so the loss has no separating direction to converge to; allowed: "
                "points that some w separates, w·x > 0 for every support vector"
            )
    require(errors)


FIGURE = Figure(
    name=NAME,
    order=70,
    title="Gradient descent on separable data converges to the max-margin direction, logarithmically",
    sources=(SOURCE,),
    outputs={"trajectories": "trajectories.npz"},
    steps=(Step("train", outputs=("trajectories",)),),
    analysis={"curves": "curves.csv", "rates": "rates.csv"},
    check=check,
)
