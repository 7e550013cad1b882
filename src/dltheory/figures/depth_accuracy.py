"""Figure ``depth_accuracy``: trainable depth follows 6ξ_c (Schoenholz et al. 2017, Fig. 5).

Accuracy of tanh MLPs trained for a fixed step budget, over (σ_w², depth L) at one σ_b², one
panel per dataset × optimizer (training accuracy on top, test accuracy below), with the
mean-field depth scale ξ_c of ``phase_diagram`` overlaid as the curves L = ξ_c and L = 6ξ_c.
The paper's claim: a network is trainable roughly when L ≲ 6ξ_c, so the trainable region is a
ridge around the critical σ_w² that widens with depth. See docs/depth_accuracy.md.

How we score it (our protocol where the paper gives none):

* A cell (σ_w², L) is *trainable* when its training accuracy, averaged over seeds, exceeds the
  threshold halfway between chance (1/10) and the best cell of the panel.
* The prediction "trainable iff L < k·ξ_c(σ_w²)" is scored by its agreement, the fraction of
  cells where it matches. k is fitted by scanning k and taking the middle of the best-scoring
  range. The *baseline* is the agreement of the better constant guess (all or none trainable).
* The ridge is the σ_w² where the depth-averaged training accuracy peaks, refined by a parabola
  through the best grid point and its two neighbours.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dltheory.core.claims import Claim, claim
from dltheory.core.contract import Artifacts, Figure, increasing, require
from dltheory.core.data import N_CLASSES, missing_data_errors

NAME = "depth_accuracy"
SOURCE = "Schoenholz et al. 2017, §5 and Fig. 5"
CHANCE = 1.0 / N_CLASSES
K_SCAN = np.round(np.arange(0.5, 20.0 + 1e-9, 0.01), 2)
# A known answer, computed independently of this project: where 6ξ_c > 100 at σ_b² = 0.05.
REFERENCE_BAND = {"sigma_b2": 0.05, "depth": 100, "band": (1.51, 2.18)}


def xi_c_slice(depth_scales: pd.DataFrame, sigma_b2: float) -> pd.DataFrame:
    """Rows of ``phase_diagram``'s depth-scale table at this σ_b², sorted by σ_w²."""
    if set(depth_scales.activation) != {"tanh"}:
        raise ValueError(f"depth_accuracy trains tanh networks, but the depth scales are for {sorted(set(depth_scales.activation))}")
    rows = depth_scales.loc[np.isclose(depth_scales.sigma_b2, sigma_b2)].sort_values("sigma_w2")
    if rows.empty:
        raise ValueError(f"sigma_b2 = {sigma_b2} is not on the depth-scale grid (values {sorted(depth_scales.sigma_b2.unique())})")
    return rows.reset_index(drop=True)


def xi_c_at(slice_: pd.DataFrame, sigma_w2) -> np.ndarray:
    """ξ_c at any σ_w², interpolating 1/ξ_c = −log χ_c, which is smooth apart from a kink at criticality."""
    return 1.0 / np.interp(np.asarray(sigma_w2, dtype=float), slice_.sigma_w2, 1.0 / slice_.xi_c)


def _zero_crossings(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The x where y changes sign between neighbouring grid points (linear interpolation)."""
    i = np.flatnonzero(np.sign(y[:-1]) != np.sign(y[1:]))
    return x[i] - y[i] * (x[i + 1] - x[i]) / (y[i + 1] - y[i])


def critical_sigma_w2(slice_: pd.DataFrame) -> float:
    """Where χ_1 crosses 1 along the slice."""
    return float(_zero_crossings(slice_.sigma_w2.to_numpy(), slice_.chi_1.to_numpy() - 1.0)[0])


def band_where_deeper_than(slice_: pd.DataFrame, depth: float, multiple: float = 6.0) -> tuple[float, float]:
    """The σ_w² interval where multiple·ξ_c > depth."""
    edges = _zero_crossings(slice_.sigma_w2.to_numpy(), multiple * slice_.xi_c.to_numpy() - depth)
    return float(edges[0]), float(edges[-1])


def panels(table: pd.DataFrame) -> list[tuple[str, str]]:
    """(dataset, optimizer) of each panel, in the order they appear."""
    return list(dict.fromkeys(zip(table.dataset, table.optimizer)))


def accuracy_grid(table: pd.DataFrame, metric: str = "train_acc") -> pd.DataFrame:
    """Mean over seeds of ``metric``: depths as rows, σ_w² as columns."""
    return table.groupby(["depth", "sigma_w2"])[metric].mean().unstack("sigma_w2").sort_index()


def trainability(table: pd.DataFrame, slice_: pd.DataFrame) -> dict[str, float]:
    """Scores of one panel: threshold, fitted k and its agreement, agreement at k = 6, baseline, ridge."""
    grid = accuracy_grid(table)
    acc = grid.to_numpy()  # [depths, σ_w²]
    depth = grid.index.to_numpy(dtype=float)[:, None]
    sigma_w2 = grid.columns.to_numpy(dtype=float)
    xi = xi_c_at(slice_, sigma_w2)[None, :]
    threshold = 0.5 * (CHANCE + np.nanmax(acc))
    trainable = acc > threshold
    agreement = np.array([np.mean((depth < k * xi) == trainable) for k in K_SCAN])
    best = K_SCAN[agreement == agreement.max()]
    k_fit = float(np.median(best))
    return {
        "threshold": threshold,
        "k_fit": k_fit,
        "k_fit_low": float(best.min()),
        "k_fit_high": float(best.max()),
        "agreement": float(np.mean((depth < k_fit * xi) == trainable)),
        "agreement_k6": float(np.mean((depth < 6.0 * xi) == trainable)),
        "baseline": float(max(trainable.mean(), 1.0 - trainable.mean())),
        "trainable_fraction": float(trainable.mean()),
        "cells": int(trainable.size),
        "ridge_sigma_w2": ridge(sigma_w2, np.nanmean(acc, axis=0)),
        "diverged_fraction": float(table.diverged.mean()),
    }


def ridge(sigma_w2: np.ndarray, score: np.ndarray) -> float:
    """Peak of ``score`` over σ_w²: the best grid point, refined by a parabola through its neighbours."""
    i = int(np.nanargmax(score))
    if i == 0 or i == len(score) - 1:
        return float(sigma_w2[i])
    (x0, x1, x2), (y0, y1, y2) = sigma_w2[i - 1 : i + 2], score[i - 1 : i + 2]
    # Vertex of the parabola through three points (uneven spacing allowed).
    num = (x1 - x0) ** 2 * (y1 - y2) - (x1 - x2) ** 2 * (y1 - y0)
    den = (x1 - x0) * (y1 - y2) - (x1 - x2) * (y1 - y0)
    return float(x1 - 0.5 * num / den) if den != 0 else float(x1)


def trainability_table(table: pd.DataFrame, depth_scales: pd.DataFrame) -> pd.DataFrame:
    """One row of :func:`trainability` scores per panel, with the critical σ_w² of its σ_b²."""
    rows = []
    for dataset, optimizer in panels(table):
        panel = table[(table.dataset == dataset) & (table.optimizer == optimizer)]
        sigma_b2 = float(panel.sigma_b2.iloc[0])
        slice_ = xi_c_slice(depth_scales, sigma_b2)
        scores = {"critical_sigma_w2": critical_sigma_w2(slice_), **trainability(panel, slice_)}
        rows.append({"dataset": dataset, "optimizer": optimizer, "sigma_b2": sigma_b2, **scores})
    return pd.DataFrame(rows)


def claims(artifacts: Artifacts, bars: dict) -> list[Claim]:
    """The theory band at L = 100, then per panel the ridge, the fitted k and the agreement.

    Bars (config ``depth_accuracy.claims``): ``band_tolerance`` on the band's edges,
    ``ridge_tolerance`` on |ridge − critical σ_w²|, ``k_range`` around the paper's k = 6 and
    ``min_agreement`` of the prediction "trainable iff L < k·ξ_c" with the measured cells."""
    scores, depth_scales = artifacts["scores"], artifacts["depth_scales"]
    ref = REFERENCE_BAND
    lo, hi = band_where_deeper_than(xi_c_slice(depth_scales, ref["sigma_b2"]), ref["depth"])
    (ref_lo, ref_hi), tol = ref["band"], bars["band_tolerance"]
    k_low, k_high = bars["k_range"]
    out = [
        claim(
            f"predicted trainable band (6ξ_c > L) at L = {ref['depth']}, σ_b² = {ref['sigma_b2']}",
            source=SOURCE,
            expected=f"σ_w² ∈ ({ref_lo}, {ref_hi}) ± {tol}",
            measured=f"({lo:.3f}, {hi:.3f})",
            passed=abs(lo - ref_lo) <= tol and abs(hi - ref_hi) <= tol,
            value=max(abs(lo - ref_lo), abs(hi - ref_hi)),
        )
    ]
    for s in scores.itertuples():
        panel = f"{s.dataset}, {s.optimizer}"
        offset = s.ridge_sigma_w2 - s.critical_sigma_w2
        out += [
            claim(
                f"{panel}: the accuracy ridge peaks at the critical σ_w²",
                source=SOURCE,
                expected=f"|ridge − {s.critical_sigma_w2:.3f}| ≤ {bars['ridge_tolerance']}",
                measured=f"ridge at σ_w² = {s.ridge_sigma_w2:.3f} ({offset:+.3f})",
                passed=abs(offset) <= bars["ridge_tolerance"],
                value=s.ridge_sigma_w2,
            ),
            claim(
                f"{panel}: trainable iff L < k·ξ_c, fitted k",
                source=SOURCE,
                expected=f"k ∈ [{k_low:g}, {k_high:g}] (paper: 6)",
                measured=f"k = {s.k_fit:.2f} (best range {s.k_fit_low:.2f}–{s.k_fit_high:.2f})",
                passed=k_low <= s.k_fit <= k_high,
                value=s.k_fit,
            ),
            claim(
                f"{panel}: agreement of 'trainable' with L < k·ξ_c over {s.cells} cells",
                source=SOURCE,
                expected=f"≥ {bars['min_agreement']:.0%}",
                measured=f"{s.agreement:.1%} at fitted k, {s.agreement_k6:.1%} at k = 6 (constant guess: {s.baseline:.1%})",
                passed=s.agreement >= bars["min_agreement"],
                value=s.agreement,
            ),
        ]
    return out


def _edges(centres: np.ndarray) -> np.ndarray:
    """Cell edges around grid centres (midpoints inside, half a step outside)."""
    mid = 0.5 * (centres[1:] + centres[:-1])
    first, last = centres[0] - (mid[0] - centres[0]), centres[-1] + (centres[-1] - mid[-1])
    return np.concatenate([[first], mid, [last]])


def plot(artifacts: Artifacts, bars: dict):
    """Heat maps of training (top) and test (bottom) accuracy per panel with ξ_c, 6ξ_c and the fitted kξ_c."""
    import matplotlib.pyplot as plt

    from dltheory.core.plotting import setup_style

    setup_style()
    table, depth_scales, scores = artifacts["tables"], artifacts["depth_scales"], artifacts["scores"]
    panel_list = panels(table)
    fig, axes = plt.subplots(2, len(panel_list), figsize=(5.2 * len(panel_list) + 0.8, 8.4), squeeze=False, constrained_layout=True)
    for col, (dataset, optimizer) in enumerate(panel_list):
        panel = table[(table.dataset == dataset) & (table.optimizer == optimizer)]
        score = scores[(scores.dataset == dataset) & (scores.optimizer == optimizer)].iloc[0]
        slice_ = xi_c_slice(depth_scales, score.sigma_b2)
        first = panel.iloc[0]
        for row, (metric, name) in enumerate((("train_acc", "training"), ("test_acc", "test"))):
            ax = axes[row, col]
            grid = accuracy_grid(panel, metric)
            sigma_w2, depth = grid.columns.to_numpy(dtype=float), grid.index.to_numpy(dtype=float)
            xe, ye = _edges(sigma_w2), _edges(depth)
            mesh = ax.pcolormesh(xe, ye, grid.to_numpy(), cmap="viridis", vmin=0.0, vmax=1.0, rasterized=True)
            diverged = panel.groupby(["depth", "sigma_w2"]).diverged.any().unstack("sigma_w2").reindex_like(grid)
            dd, ww = np.nonzero(diverged.to_numpy())
            ax.plot(sigma_w2[ww], depth[dd], "x", color="C3", ms=5, label="diverged (NaN/inf)" if len(dd) else None)
            line = np.linspace(xe[0], xe[-1], 600)
            xi = xi_c_at(slice_, line)
            ax.plot(line, 6 * xi, "w-", lw=2, label=r"$6\xi_c$")
            ax.plot(line, xi, "w--", lw=1.5, label=r"$\xi_c$")
            if row == 0:
                ax.plot(line, score.k_fit * xi, color="C1", ls="-.", lw=1.5, label=rf"${score.k_fit:.1f}\,\xi_c$ (fitted $k$)")
                if np.nanmin(grid.to_numpy()) < score.threshold < np.nanmax(grid.to_numpy()):
                    ax.contour(sigma_w2, depth, grid.to_numpy(), levels=[score.threshold], colors="C3", linewidths=1.2)
                ax.plot([], [], color="C3", lw=1.2, label=f"trainable edge (acc = {score.threshold:.2f})")
            ax.axvline(score.critical_sigma_w2, color="w", ls=":", lw=1)
            ax.set(xlim=(xe[0], xe[-1]), ylim=(ye[0], ye[-1]), xlabel=r"$\sigma_w^2$", ylabel="depth $L$ (hidden layers)")
            ax.set_title(
                f"{dataset}, {optimizer} lr {first.lr:g}: {name} accuracy\n"
                f"width {first.width}, {panel.steps.max()} steps, "
                rf"$\sigma_b^2 = {score.sigma_b2:g}$, {panel.seed.nunique()} seed(s)"
            )
            if row == 0:
                ax.legend(loc="upper right", fontsize="x-small", framealpha=0.85)
            fig.colorbar(mesh, ax=ax, label=f"{name} accuracy")
    return fig


def analyze(artifacts: Artifacts) -> dict[str, pd.DataFrame]:
    return {"scores": trainability_table(artifacts["tables"], artifacts["depth_scales"])}


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
    """One training table per dataset × optimizer (one panel each), and phase_diagram's depth scales."""
    compute = config[NAME]["compute"]
    return {
        "tables": [FIGURE.result(f"{d}_{o}.csv") for d in compute["datasets"] for o in compute["optimizers"]],
        "depth_scales": "results/phase_diagram/depth_scales.csv",
    }


# ------------------------------------------------------------------------------------------
# Cost of the compute jobs (python -m dltheory plan). Imports inside the functions: the claims and
# plot jobs import this module, and their code digest follows module-level imports only.

PROBE_STEP_FLOPS = 5e9  # the most a probe step of the deepest group may cost


def _weights(spec: dict, depth: int) -> int:
    """Weights of one member: d W + (depth − 1) W² + 10 W (biases are negligible)."""
    width = spec["width"]
    return spec["features"] * width + (depth - 1) * width * width + width * N_CLASSES


def _train_flops(spec: dict) -> float:
    """FLOPs of one ``depth_accuracy_train`` job. Per member of depth L with P_L weights, per step
    on a batch of B: the matmuls of forward and backward, 6 B P_L less 2 B d W (no gradient of the
    inputs), and B W L tanh (F_T each); then the
    evaluation on all n_train + n_test rows, (n_train + n_test)(2 P_L + W L F_T). Summed over the
    depth groups, G = len(σ_w²) × seeds members each."""
    from dltheory.core.cost import F_TRANSCENDENTAL as F_T

    members = len(spec["sigma_w2"]) * len(spec["seeds"])
    rows, width, batch = spec["n_train"] + spec["n_test"], spec["width"], spec["batch_size"]
    return sum(
        members
        * (
            spec["steps"] * (6 * batch * _weights(spec, L) - 2 * batch * spec["features"] * width + batch * width * L * F_T)
            + rows * (2 * _weights(spec, L) + width * L * F_T)
        )
        for L in spec["depths"]
    )


def _train_memory(spec: dict) -> float:
    """Bytes: the data (float32; twice, for the copies that loading and standardizing make), plus,
    for the deepest group of E members with P weights each: parameters and gradients (E P each),
    RMSProp's running average (E P, and as much again for its temporary denominator), and the
    activations: the tanh outputs autograd keeps (also the next product's input), [E, B, W] per
    layer, and as much again for the backward pass's gradients. Groups are trained one at a time
    (the previous one is freed first); initialization (one layer at a time) and evaluation (one
    layer's output of a 1,024-row chunk at a time) stay below this."""
    from dltheory.core.cost import BYTES

    b = BYTES[spec["dtype"]]
    data = 2 * (spec["n_train"] + spec["n_test"]) * spec["features"] * 4
    members, depth, width = len(spec["sigma_w2"]) * len(spec["seeds"]), max(spec["depths"]), spec["width"]
    params = members * _weights(spec, depth) * b
    buffers = 4 if spec["optimizer"] == "rmsprop" else 2
    activations = 2 * spec["batch_size"] * members * width * (depth + 1) * b
    return data + buffers * params + activations


def _spread(values: list, count: int) -> list:
    """``count`` of ``values`` evenly spread inside the axis (all when it has no more): a probe of
    one member takes the middle σ_w², since at σ_w² near 1 deep tanh signals fade into subnormal
    floats, whose arithmetic is many times slower on a CPU, and one such member is no sample."""
    if count >= len(values):
        return list(values)
    return [values[int(i)] for i in np.round(np.linspace(0, len(values) - 1, count + 2)[1:-1])]


def _train_run(spec: dict, data_config: dict, device: str) -> None:
    from dltheory.core.cost import probe_dataset
    from dltheory.engine.depth_training import TrainSpec, train_ensemble
    from dltheory.engine.ensembles import member_grid

    data = probe_dataset(spec["dataset"], data_config, spec["n_train"], spec["n_test"])
    members = member_grid(spec["sigma_w2"], [spec["sigma_b2"]], spec["depths"], spec["seeds"])
    train_spec = TrainSpec(spec["optimizer"], spec["lr"], spec["steps"], spec["batch_size"], spec["width"], spec["dtype"], spec["compile"])
    train_ensemble(members, data, train_spec, device=device, log=lambda message: None, progress_every_s=float("inf"))


def jobs(config: dict) -> list:
    """One ``depth_accuracy_train`` job per dataset × optimizer. Probe: one seed's members of at
    most 3 depth groups (the shallowest, the middle and the deepest): all its σ_w² where a step of
    the deepest costs at most :data:`PROBE_STEP_FLOPS`, else that many FLOPs' worth inside the
    σ_w² axis (:func:`_spread`); 3 steps less 1 (the marginal time of 2 steps, without building and evaluating the
    networks) at the full width and batch, on 2 batches of training rows and 64 test rows; the
    data of mnist and cifar10 are synthetic arrays of their shape."""
    from dltheory.core.cost import LOAD_SECONDS, reduced, seeds_of, sliced, split_sizes
    from dltheory.core.device import resolve_device
    from dltheory.core.grids import grid_axis

    c, data_config, device = config[NAME]["compute"], config["data"], resolve_device(config["device"])
    out = []
    for dataset in c["datasets"]:
        n_train, n_test, features = split_sizes(dataset, data_config, c["n_train"], c["n_test"])
        for optimizer in c["optimizers"]:
            spec = {
                **{k: c[k] for k in ("sigma_b2", "width", "steps", "batch_size", "dtype", "depths", "compile")},
                "dataset": dataset, "optimizer": optimizer, "lr": c["lr"][optimizer], "sigma_w2": grid_axis(c["sigma_w2"]).tolist(),
                "seeds": seeds_of(c), "n_train": n_train, "n_test": n_test, "features": features,
            }  # fmt: skip
            depths = sorted(c["depths"])
            # Whole depth groups where a step of the deepest costs at most PROBE_STEP_FLOPS: at small
            # sizes a step's time hardly depends on the members (kernel launches), so fewer would mislead.
            per_member = 6 * c["batch_size"] * _weights(spec, depths[-1])
            members = max(1, min(len(spec["sigma_w2"]), int(PROBE_STEP_FLOPS // per_member)))
            probe = reduced(
                spec, sigma_w2=_spread(spec["sigma_w2"], members), seeds=spec["seeds"][:1],
                depths=sorted({depths[0], depths[len(depths) // 2], depths[-1]}), steps=min(spec["steps"], 3),
                n_train=min(n_train, 2 * c["batch_size"]), n_test=min(n_test, 64),
            )  # fmt: skip
            out.append(
                sliced(
                    f"{NAME}_train", f"{dataset}/{optimizer}", spec, probe, _train_flops, _train_memory,
                    lambda s: _train_run(s, data_config, device), overhead_s=LOAD_SECONDS[dataset],
                    baseline_spec=reduced(probe, steps=1),
                )
            )  # fmt: skip
    return out


FIGURE = Figure(
    name=NAME,
    title="Trainable depth follows 6ξ_c: accuracy of deep tanh networks over (σ_w², depth)",
    sources=("Schoenholz et al. 2017, §5 and Fig. 5 (arXiv 1611.01232)",),
    artifacts=artifacts,
    claims=claims,
    plot=plot,
    check=check,
    analysis={"scores": "trainability.csv"},
    analyze=analyze,
    jobs=jobs,
)
