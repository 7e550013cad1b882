"""Figure ``depth_accuracy``: trainable depth follows 6ξ_c (Schoenholz et al. 2017, Fig. 5).

Accuracy of tanh MLPs trained for a fixed step budget, over (σ_w², depth L) at one σ_b², one
panel per dataset × optimizer (training accuracy on top, test accuracy below), with the
mean-field depth scale ξ_c of ``phase_diagram`` overlaid as the curves L = ξ_c and L = 6ξ_c.
The paper's claim: a network is trainable roughly when L ≲ 6ξ_c, so the trainable region is a
ridge around the critical σ_w² that widens with depth. How the claims score it: ``claims.py``.

Each depth of a panel is one job (a shard): the depth groups are independent batched ensembles,
so a panel's jobs spread over a cluster's nodes, and adding a depth trains only that depth.
See docs/depth_accuracy.md.

Science: :mod:`dltheory.engine.depth_training` (the batched ensembles), and ``phase_diagram``'s
depth scales (:mod:`dltheory.science.meanfield`) for the overlay.
"""

from __future__ import annotations

from dltheory.core.contract import Figure, Step, increasing, require
from dltheory.core.data import missing_data_errors

NAME = "depth_accuracy"
SOURCE = "Schoenholz et al. 2017, §5 and Fig. 5"
# The depth scales of the ξ_c overlay: phase_diagram's output (a cross-figure artifact).
DEPTH_SCALES = "results/phase_diagram/depth_scales.csv"


def check(config: dict) -> None:
    """The 6ξ_c overlay comes from phase_diagram's tanh depth-scale grid: this figure's σ_b² must be
    a row of it and its σ_w² range must lie inside it; every optimizer needs a learning rate; the
    published datasets must be in data.dir unless data.download may fetch them."""
    da, pd_ = config[NAME]["compute"], config["phase_diagram"]["compute"]
    grid = pd_["grid"]
    errors = []
    sb = grid["sigma_b2"]
    step = (sb["max"] - sb["min"]) / (sb["num"] - 1)
    k = (da["sigma_b2"] - sb["min"]) / step
    if not (0 <= round(k) < sb["num"] and abs(k - round(k)) < 1e-6):
        errors.append(
            f"{NAME}.compute.sigma_b2: {da['sigma_b2']} is not on phase_diagram.compute.grid.sigma_b2 "
            f"({sb['num']} values from {sb['min']} to {sb['max']}); allowed: one of those values"
        )
    sw, sw_grid = da["sigma_w2"], grid["sigma_w2"]
    errors += increasing(f"{NAME}.compute.sigma_w2", sw)
    if sw["min"] < sw_grid["min"] or sw["max"] > sw_grid["max"]:
        errors.append(
            f"{NAME}.compute.sigma_w2: [{sw['min']}, {sw['max']}] must lie inside phase_diagram.compute.grid.sigma_w2 "
            f"[{sw_grid['min']}, {sw_grid['max']}] (xi_c is read from that grid)"
        )
    if pd_["activation"] != "tanh":
        errors.append(
            f"phase_diagram.compute.activation: {pd_['activation']!r}, but {NAME} trains tanh networks "
            "and overlays their xi_c; allowed: tanh (or leave depth_accuracy out of figures)"
        )
    missing = sorted(set(da["optimizers"]) - set(da["lr"]))
    if missing:
        errors.append(f"{NAME}.compute.lr: no learning rate for optimizer(s) {missing}; give one per entry of {NAME}.compute.optimizers")
    require(errors + missing_data_errors(config["data"], da["datasets"]))


def artifacts(config: dict) -> dict[str, str | list[str]]:
    """The training tables of every dataset × optimizer (a panel each) × depth (a shard each), read
    as one table, and phase_diagram's depth scales."""
    c = config[NAME]["compute"]
    return {
        "tables": [
            FIGURE.output("table", dataset=d, optimizer=o, depth=L) for d in c["datasets"] for o in c["optimizers"] for L in c["depths"]
        ],
        "depth_scales": DEPTH_SCALES,
    }


def _train_params(compute: dict, wildcards) -> dict:
    """The grid every shard shares, at this job's depth (its wildcard, like dataset and optimizer),
    and its optimizer's lr: adding a depth to the config trains only that depth."""
    grid = {k: v for k, v in compute.items() if k not in ("datasets", "optimizers", "lr", "depths")}
    return {"grid": {**grid, "depths": [int(wildcards["depth"])]}, "lr": compute["lr"][wildcards["optimizer"]]}


FIGURE = Figure(
    name=NAME,
    order=20,
    title="Trainable depth follows 6ξ_c: accuracy of deep tanh networks over (σ_w², depth)",
    sources=("Schoenholz et al. 2017, §5 and Fig. 5 (arXiv 1611.01232)",),
    outputs={"table": "{dataset}_{optimizer}_L{depth}.csv"},
    steps=(
        Step(
            "train",
            outputs=("table",),
            params=_train_params,
            wildcards={
                "dataset": lambda c: "|".join(c["datasets"]),
                "optimizer": lambda c: "|".join(c["optimizers"]),
                "depth": lambda c: "|".join(str(L) for L in c["depths"]),
            },
            threads=4,
            device=True,
            data=True,
            checkpoints=True,
            mem_mb=4000,
        ),
    ),
    artifacts=artifacts,
    analysis={"scores": "trainability.csv"},
    check=check,
)
