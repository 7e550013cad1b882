"""Figure ``shattered_gradients``: the gradients of deep feedforward networks look like white
noise, a resnet's keep their structure (Balduzzi et al. 2017, Fig. 1 and Theorems 1–2).

Top rows: the paper's Fig. 1, dy/dx over the input grid (one initialization) and its covariance
over initializations, for a 1-layer net, a deep mean-centred feedforward net, a batch-normalized
resnet with β = 0.1, brown noise and white noise. Bottom row: (f) the lag-1 correlation of dy/dx
against depth for every architecture, with the noise references; (g) the one-layer factor on the
backpropagated correlation against the agreement of the two inputs' activation patterns, with
Theorem 1's 1/2 and Theorem 2's 3/4 where the patterns are independent; (h) the looks-linear
initialization keeps dy/dx constant, its unmirrored twin shatters.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dltheory.core.claims import Claim, claim, observation
from dltheory.core.contract import Artifacts, Figure, require

NAME = "shattered_gradients"
SOURCE = "Balduzzi et al. 2017, Fig. 1 (ICML; arXiv 1702.08591)"
SOURCE_T1 = "Balduzzi et al. 2017, Theorem 1"
SOURCE_T2 = "Balduzzi et al. 2017, Theorem 2"
SOURCE_LL = "Balduzzi et al. 2017, §5 (looks-linear initialization)"
NAMES = {
    "feedforward_centre": "feedforward, mean-centred",
    "feedforward_batch_norm": "feedforward, batch norm",
    "feedforward_none": "feedforward, no normalization",
    "crelu_looks_linear": "CReLU, looks-linear",
    "crelu_random": "CReLU, random (unmirrored)",
    "white_noise": "white noise",
    "brown_noise": "brown noise",
}


def describe(net: str) -> str:
    """A readable name of a ``net`` label (resnet labels carry their β)."""
    if net.startswith("resnet_batch_norm_beta"):
        return f"resnet, batch norm, β = {net.removeprefix('resnet_batch_norm_beta')}"
    return NAMES.get(net, net)


def lag_at(lag1: pd.DataFrame, net: str, depth: int) -> float:
    return float(lag1[(lag1.net == net) & (lag1.depth == depth)].lag1.iloc[0])


def noise_lag(lag1: pd.DataFrame, noise: str) -> float:
    """The lag-1 correlation of ``white_noise`` or ``brown_noise`` (rows without a depth)."""
    return float(lag1[lag1.net == noise].lag1.iloc[0])


def halving_depth(curve: pd.DataFrame) -> float:
    """The first depth at which the lag-1 correlation is at most half its depth-1 value (inf if never)."""
    curve = curve.sort_values("depth")
    below = curve[curve.lag1 <= curve.lag1.iloc[0] / 2]
    return float(below.depth.iloc[0]) if len(below) else float("inf")


def independent(transfer: pd.DataFrame, net: str, tolerance: float) -> pd.DataFrame:
    """The (layer, offset) rows of ``net`` where the two inputs' patterns agree on 1/2 ± tolerance of the units."""
    rows = transfer[transfer.net == net]
    return rows[(rows.agreement - 0.5).abs() <= tolerance]


def claims(artifacts: Artifacts, bars: dict) -> list[Claim]:
    """Fig. 1: the 1-layer net's lag-1 > ``min_shallow_lag1``; the deep normalized feedforward nets'
    |lag-1| < ``max_deep_lag1``; the deep β = 0.1 resnet's > ``min_resnet_lag1``; the feedforward
    correlation falls monotonically with depth until it reaches the noise floor, and halves at a
    smaller depth than every resnet's. Theorems: with independent patterns (agreement 1/2 ±
    ``independence_tolerance``) each feedforward layer multiplies the correlation by
    ``theorem1_factor`` ± tol, each β = 1 resnet block by ``theorem2_factor`` ± tol, and its
    gradient variance grows ``theorem2_bits`` ± tol bits per block. Looks-linear: relative spread
    of dy/dx < ``max_linear_spread``, while the unmirrored CReLU net's |lag-1| < ``max_deep_lag1``."""
    lag1, transfer, panels = artifacts["lag1"], artifacts["transfer"], artifacts["panels_feedforward"]
    resnet_panels = artifacts["panels_resnet"]
    deep, resnet_depth, resnet_beta = int(panels["deep_depth"]), int(resnet_panels["resnet_depth"]), float(resnet_panels["resnet_beta"])
    floor = noise_lag(lag1, "white_noise")
    out = [
        claim(
            "a 1-layer net's gradient is smooth: lag-1 correlation of dy/dx over initializations",
            source=SOURCE,
            expected=f"> {bars['min_shallow_lag1']}",
            measured=f"{lag_at(lag1, 'feedforward_centre', 1):.4f} (brown noise {noise_lag(lag1, 'brown_noise'):.3f})",
            passed=lag_at(lag1, "feedforward_centre", 1) > bars["min_shallow_lag1"],
            value=lag_at(lag1, "feedforward_centre", 1),
        )
    ]
    for net in ("feedforward_centre", "feedforward_batch_norm"):
        value = lag_at(lag1, net, deep)
        out.append(
            claim(
                f"a {deep}-layer {describe(net).removeprefix('feedforward, ')} feedforward net's gradient is white-noise-like: |lag-1|",
                source=SOURCE,
                expected=f"< {bars['max_deep_lag1']}",
                measured=f"{value:+.4f} (white noise {floor:+.4f})",
                passed=abs(value) < bars["max_deep_lag1"],
                value=value,
            )
        )
    resnet_net = f"resnet_batch_norm_beta{resnet_beta:g}"
    value = lag_at(lag1, resnet_net, resnet_depth)
    out.append(
        claim(
            f"a {resnet_depth}-block {describe(resnet_net)} keeps its gradient's structure: lag-1",
            source=SOURCE,
            expected=f"> {bars['min_resnet_lag1']}",
            measured=f"{value:.4f}",
            passed=value > bars["min_resnet_lag1"],
            value=value,
        )
    )
    out.append(_monotone_claim(lag1, bars))
    out += _theorem_claims(transfer, bars)
    out += _looks_linear_claims(lag1, bars)
    out.append(_pitfall_row(lag1))
    return out


def _monotone_claim(lag1: pd.DataFrame, bars: dict) -> Claim:
    ff = lag1[lag1.net == "feedforward_centre"].sort_values("depth")
    in_band = ff.lag1.abs().to_numpy() < bars["max_deep_lag1"]
    reach = int(np.argmax(in_band)) if in_band.any() else len(ff) - 1  # first depth in the noise band
    above = ff.iloc[: reach + 1]  # depth 1 .. the first depth at the noise floor
    monotone = bool((np.diff(above.lag1) < 0).all())
    halves = {net: halving_depth(g) for net, g in lag1[lag1.architecture.isin(["feedforward", "resnet"])].groupby("net")}
    resnets = {net: d for net, d in halves.items() if net.startswith("resnet")}
    ff_half = halves["feedforward_centre"]
    return claim(
        "the feedforward (mean-centred) correlation falls monotonically with depth, far faster than a resnet's: depth at which lag-1 halves",
        source=SOURCE,
        expected=f"falls at every layer until |lag-1| < {bars['max_deep_lag1']}; halves at a smaller depth than every resnet",
        measured=f"falls at every layer from depth 1 to {int(above.depth.max())}, where it reaches the noise band: {'yes' if monotone else 'no'}; halves at depth {ff_half:g}; "
        + ", ".join(f"{describe(n)}: {d:g}" for n, d in resnets.items()),
        passed=monotone and all(ff_half < d for d in resnets.values()),
        value=ff_half,
    )


def _theorem_claims(transfer: pd.DataFrame, bars: dict) -> list[Claim]:
    tol = bars["independence_tolerance"]
    gain = transfer[transfer.net == "resnet_centre"].drop_duplicates("layer").log2_variance_gain
    where = f"(layer, offset) pairs whose patterns agree on 1/2 ± {tol} of the units"

    def factor_claim(net: str, statement: str, source: str, theorem: str) -> Claim:
        rows, target, bar = independent(transfer, net, tol), bars[f"{theorem}_factor"], bars[f"{theorem}_tolerance"]
        return claim(
            f"{statement} {len(rows)} {where})",
            source=source,
            expected=f"{target} ± {bar}",
            measured=f"{rows.factor.mean():.4f} (s.d. {rows.factor.std():.4f})",
            passed=len(rows) > 0 and abs(rows.factor.mean() - target) <= bar,
            value=float(rows.factor.mean()),
        )

    return [
        factor_claim(
            "feedforward_centre",
            "each feedforward layer multiplies the gradients' correlation by 1/2 where patterns are independent (mean-centred, He init;",
            SOURCE_T1,
            "theorem1",
        ),
        factor_claim(
            "resnet_centre",
            "each β = 1 resnet block multiplies the gradients' correlation by 3/4 where patterns are independent (mean-centred branch;",
            SOURCE_T2,
            "theorem2",
        ),
        claim(
            f"each β = 1 resnet block doubles the gradient variance: bits per block (mean over {len(gain)} blocks)",
            source=SOURCE_T2,
            expected=f"{bars['theorem2_bits']} ± {bars['theorem2_bits_tolerance']}",
            measured=f"{gain.mean():.4f} (s.d. {gain.std():.4f})",
            passed=abs(gain.mean() - bars["theorem2_bits"]) <= bars["theorem2_bits_tolerance"],
            value=float(gain.mean()),
        ),
    ]


def _looks_linear_claims(lag1: pd.DataFrame, bars: dict) -> list[Claim]:
    ll = lag1[lag1.net == "crelu_looks_linear"]
    random = lag1[lag1.net == "crelu_random"]
    depth = int(ll.depth.max())
    value = lag_at(lag1, "crelu_random", depth)
    return [
        claim(
            f"looks-linear initialization: dy/dx is constant at every depth up to {depth} (CReLU, mirrored weights): relative spread over the grid",
            source=SOURCE_LL,
            expected=f"< {bars['max_linear_spread']:g}",
            measured=f"{ll.spread.max():.1e} (largest over depths and initializations)",
            passed=ll.spread.max() < bars["max_linear_spread"],
            value=float(ll.spread.max()),
        ),
        claim(
            f"the same CReLU net with unmirrored weights shatters: |lag-1| at depth {depth}",
            source=SOURCE_LL,
            expected=f"< {bars['max_deep_lag1']}",
            measured=f"{value:+.4f} (relative spread {random.spread.max():.2f})",
            passed=abs(value) < bars["max_deep_lag1"],
            value=value,
        ),
    ]


def _pitfall_row(lag1: pd.DataFrame) -> Claim:
    """The unnormalized feedforward net, an observation: the reason a scalar-input net needs the
    normalization to shatter."""
    curve = lag1[lag1.net == "feedforward_none"].set_index("depth").lag1
    return observation(
        f"{describe('feedforward_none')} (pitfall: without normalization most deep units stay always on or always off over the grid, so the gradient barely shatters): lag-1 by depth",
        source=SOURCE,
        expected="no claim",
        measured=", ".join(f"{d}: {curve[d]:.3f}" for d in (1, 8, 24, int(curve.index.max())) if d in curve.index),
        value=float(curve.iloc[-1]),
    )


def plot(artifacts: Artifacts, bars: dict):
    """The paper's Fig. 1 rows, then (f) lag-1 vs depth, (g) the one-layer factors, (h) looks-linear."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    from dltheory.core.plotting import setup_style

    setup_style()
    ff, rs, lag1, transfer = artifacts["panels_feedforward"], artifacts["panels_resnet"], artifacts["lag1"], artifacts["transfer"]
    x = ff["x"]
    columns = [
        ("shallow", "(a) 1-layer feedforward", ff),
        ("deep", f"(b) {int(ff['deep_depth'])}-layer feedforward, mean-centred", ff),
        ("resnet", f"(c) {int(rs['resnet_depth'])}-block resnet, BN, β = {float(rs['resnet_beta']):g}", rs),
        ("brown", "(d) brown noise", ff),
        ("white", "(e) white noise", ff),
    ]
    fig = plt.figure(figsize=(20, 12), constrained_layout=True)
    grid = fig.add_gridspec(3, 5, height_ratios=[1, 1.15, 1.3])
    for i, (key, title, source) in enumerate(columns):
        ax = fig.add_subplot(grid[0, i])
        curve = source[f"{key}_curve"]
        ax.plot(x, curve / np.abs(curve).max(), lw=0.8)
        ax.set(title=title, xlabel="input x", ylabel="dy/dx (one init, scaled)" if i == 0 else None)
        ax = fig.add_subplot(grid[1, i])
        ax.imshow(source[f"{key}_covariance"], cmap="RdBu_r", vmin=-1, vmax=1, extent=(x[0], x[-1], x[-1], x[0]))
        ax.set(xlabel="x", ylabel="x'" if i == 0 else None, title="covariance over inits" if i == 0 else None)
    ax = fig.add_subplot(grid[2, :2])
    nets = [n for n in lag1.net.unique() if not n.endswith("_noise")]
    colors = dict(zip(nets, sns.color_palette("colorblind", len(nets))))
    for net in nets:
        curve = lag1[lag1.net == net].sort_values("depth")
        ax.plot(curve.depth, curve.lag1, color=colors[net], lw=1.6, label=describe(net))
    for noise, style in (("white_noise", ":"), ("brown_noise", "--")):
        ax.axhline(noise_lag(lag1, noise), color="0.4", ls=style, lw=1, label=describe(noise))
    ax.axhspan(-bars["max_deep_lag1"], bars["max_deep_lag1"], color="0.92", label=f"|lag-1| < {bars['max_deep_lag1']}")
    ax.set(
        xscale="log", xlabel="depth (layers or blocks)", ylabel="lag-1 correlation of dy/dx over inits", title="(f) shattering with depth"
    )
    ax.legend(fontsize="x-small", ncol=2)
    ax = fig.add_subplot(grid[2, 2:4])
    for net, theory, color in (
        ("feedforward_centre", bars["theorem1_factor"], "tab:blue"),
        ("resnet_centre", bars["theorem2_factor"], "tab:orange"),
    ):
        rows = transfer[transfer.net == net]
        ax.scatter(
            rows.agreement,
            rows.factor,
            s=8,
            alpha=0.5,
            color=color,
            label=f"{'feedforward layer' if net.startswith('feed') else 'β = 1 resnet block'}, mean-centred",
        )
        ax.plot([0.5], [theory], "k*", ms=14)
        ax.annotate(
            f"Theorem {'1' if net.startswith('feed') else '2'}: {theory}",
            (0.5, theory),
            xytext=(8, -4),
            textcoords="offset points",
            fontsize="small",
        )
    a = np.linspace(0, 1, 11)
    ax.plot(a, a, color="tab:blue", lw=0.8, ls="--", label="P(both on)/P(on) = agreement a")
    ax.plot(a, (1 + a) / 2, color="tab:orange", lw=0.8, ls="--", label="(1 + 2 P(both on))/(1 + 2 P(on)) = (1 + a)/2")
    ax.axvspan(0.5 - bars["independence_tolerance"], 0.5 + bars["independence_tolerance"], color="0.9", label="independent patterns")
    ax.set(
        xlabel="agreement of the two inputs' activation patterns",
        ylabel="one-layer factor on the gradients' correlation",
        title="(g) the theorems, layer by layer",
    )
    ax.legend(fontsize="x-small")
    ax = fig.add_subplot(grid[2, 4])
    for net in ("crelu_looks_linear", "crelu_random"):
        curve = lag1[lag1.net == net].sort_values("depth")
        ax.plot(curve.depth, curve.lag1, lw=1.6, label=describe(net))
    ax.set(xscale="log", xlabel="depth", ylabel="lag-1", title="(h) looks-linear initialization")
    ax.legend(fontsize="x-small")
    fig.suptitle(
        "One scalar input, width-200 ReLU networks, He init; dy/dx on a grid of one batch with its batch statistics held fixed; correlations over initializations",
        fontsize="small",
    )
    return fig


def check(config: dict) -> None:
    """The Fig. 1 depths within the swept depths, its β among the swept ones, offsets within the grid."""
    sg, errors = config[NAME]["compute"], []
    f1 = sg["figure1"]
    if sg["grid"]["min"] >= sg["grid"]["max"]:
        errors.append(f"{NAME}.compute.grid: min ({sg['grid']['min']}) must be < max ({sg['grid']['max']})")
    for key, limit in (("feedforward_depth", "feedforward_depth"), ("resnet_depth", "resnet_depth")):
        if f1[key] > sg[limit]:
            errors.append(f"{NAME}.compute.figure1.{key}: {f1[key]} > {NAME}.compute.{limit} ({sg[limit]}); allowed: 1 .. {sg[limit]}")
    if f1["resnet_beta"] not in sg["betas"]:
        errors.append(
            f"{NAME}.compute.figure1.resnet_beta: {f1['resnet_beta']} is not in {NAME}.compute.betas {sg['betas']}; allowed: one of them"
        )
    too_far = [k for k in sg["theorem"]["offsets"] if k >= sg["grid"]["points"]]
    if too_far:
        errors.append(
            f"{NAME}.compute.theorem.offsets: {too_far} reach past the {sg['grid']['points']} grid points; allowed: 1 .. {sg['grid']['points'] - 1}"
        )
    require(errors)


# ------------------------------------------------------------------------------------------
# Cost of the compute jobs (python -m dltheory plan). Imports inside the functions: the claims and
# plot jobs import this module, and their code digest follows module-level imports only.


def _sweep_flops(width: int, units: int, depth: int, seeds: int, points: int) -> float:
    """FLOPs of :func:`dltheory.science.shattering.depth_sweep` on E = ``seeds`` nets of ``depth`` layers,
    n = ``width`` inputs and k = ``units`` pre-activations per layer, P grid points: per layer the
    weights (E n k F_NORMAL), the activations and their tangents (2 × 2 E P n k), the
    normalization (10 E P k) and the two readouts (4 E P n)."""
    from dltheory.core.cost import F_NORMAL

    return depth * seeds * (width * units * F_NORMAL + 4 * points * width * units + 10 * points * units + 4 * points * width)


def _feedforward_flops(spec: dict) -> float:
    """FLOPs of ``shattered_gradients_feedforward``: the depth sweeps of its five nets
    (:func:`_sweep_flops`; CReLU has width/2 units), and for the theorems, two nets of the
    theorem's depth run forward, then at every layer the weights drawn again and one
    backpropagation step (E n² F_NORMAL + 2 E P n²) and the pair statistics (4 E P n per offset)."""
    from dltheory.core.cost import F_NORMAL
    from dltheory.science.shattering import feedforward_nets

    n, P, E = spec["width"], spec["grid"]["points"], spec["seeds"]
    nets = feedforward_nets(spec["feedforward_depth"], n)
    sweeps = sum(_sweep_flops(n, n // 2 if net.architecture == "crelu" else n, net.depth, E, P) for net in nets)
    depth, offsets = spec["theorem"]["depth"], len(spec["theorem"]["offsets"])
    theorem = 2 * (_sweep_flops(n, n, depth, E, P) + depth * E * (n * n * F_NORMAL + 2 * P * n * n + 4 * P * n * offsets))
    return sweeps + theorem


def _sweep_memory(spec: dict, depth: int, itemsize: int) -> float:
    """Bytes of a depth sweep of ``depth`` layers: the gradients and outputs of every depth
    [2, L, E, P], one layer's weights (drawn per seed, then stacked: 2 E n²) and activations with
    tangents (4 E P n), ``itemsize`` bytes each."""
    n, P, E = spec["width"], spec["grid"]["points"], spec["seeds"]
    return itemsize * (2 * depth * E * P + 2 * E * n * n + 4 * E * P * n)


def _feedforward_memory(spec: dict) -> float:
    """Bytes: the depth sweep's (:func:`_sweep_memory`) in float64 (the looks-linear net always
    is), and the theorem's per-layer masks [L_t, E, P, n] (1 byte each)."""
    masks = spec["theorem"]["depth"] * spec["seeds"] * spec["grid"]["points"] * spec["width"]
    return _sweep_memory(spec, spec["feedforward_depth"], 8) + masks


def _feedforward_run(spec: dict) -> None:
    import torch

    from dltheory.core.cost import seeds_of
    from dltheory.core.device import DTYPES
    from dltheory.science.shattering import Net, Weights, depth_sweep, feedforward_nets, layer_transfer

    grid, seeds, dtype = spec["grid"], seeds_of(spec), DTYPES[spec["dtype"]]
    x = torch.linspace(grid["min"], grid["max"], grid["points"], dtype=torch.float64)
    for net in feedforward_nets(spec["feedforward_depth"], spec["width"]):
        depth_sweep(net, seeds, x, torch.float64 if net.looks_linear else dtype)
    for architecture, beta in (("feedforward", 1.0), ("resnet", 1.0)):
        net = Net(architecture, spec["theorem"]["depth"], spec["width"], "centre", beta=beta)
        layer_transfer(Weights(net, seeds), x, spec["theorem"]["offsets"], seed=spec["seed"])


def _resnet_flops(spec: dict) -> float:
    """FLOPs of ``shattered_gradients_resnet``: one depth sweep (:func:`_sweep_flops`) per β."""
    return len(spec["betas"]) * _sweep_flops(spec["width"], spec["width"], spec["resnet_depth"], spec["seeds"], spec["grid"]["points"])


def _resnet_memory(spec: dict) -> float:
    """Bytes: the depth sweep's (:func:`_sweep_memory`) in the config's dtype, one β at a time."""
    from dltheory.core.cost import BYTES

    return _sweep_memory(spec, spec["resnet_depth"], BYTES[spec["dtype"]])


def _resnet_run(spec: dict) -> None:
    import torch

    from dltheory.core.cost import seeds_of
    from dltheory.core.device import DTYPES
    from dltheory.science.shattering import Net, depth_sweep

    grid = spec["grid"]
    x = torch.linspace(grid["min"], grid["max"], grid["points"], dtype=torch.float64)
    for beta in spec["betas"]:
        depth_sweep(Net("resnet", spec["resnet_depth"], spec["width"], "batch_norm", beta=beta), seeds_of(spec), x, DTYPES[spec["dtype"]])


def jobs(config: dict) -> list:
    """``shattered_gradients_feedforward`` probed on at most 4 seeds, 6 layers and a theorem depth
    of 4, less its run at 2 and 2 (the marginal time of the layers); ``shattered_gradients_resnet`` on at most 4 seeds and 10 blocks less
    3 (the width and the grid as configured)."""
    from dltheory.core.cost import reduced, sliced

    spec = config[NAME]["compute"]
    seeds = min(spec["seeds"], 4)
    feedforward = reduced(
        spec, seeds=seeds, feedforward_depth=min(spec["feedforward_depth"], 6), theorem__depth=min(spec["theorem"]["depth"], 4)
    )
    resnet = reduced(spec, seeds=seeds, resnet_depth=min(spec["resnet_depth"], 10))
    return [
        sliced(
            f"{NAME}_feedforward", "", spec, feedforward, _feedforward_flops, _feedforward_memory, _feedforward_run,
            baseline_spec=reduced(feedforward, feedforward_depth=min(spec["feedforward_depth"], 2), theorem__depth=min(spec["theorem"]["depth"], 2)),
        ),
        sliced(
            f"{NAME}_resnet", "", spec, resnet, _resnet_flops, _resnet_memory, _resnet_run,
            baseline_spec=reduced(resnet, resnet_depth=min(spec["resnet_depth"], 3)),
        ),
    ]  # fmt: skip


FIGURE = Figure(
    name=NAME,
    title="Shattered gradients: deep feedforward gradients look like white noise, resnets keep their structure",
    sources=(SOURCE,),
    artifacts=lambda config: {
        "lag1": [FIGURE.result("lag1_feedforward.csv"), FIGURE.result("lag1_resnet.csv")],
        "transfer": FIGURE.result("transfer.csv"),
        "panels_feedforward": FIGURE.result("panels_feedforward.npz"),
        "panels_resnet": FIGURE.result("panels_resnet.npz"),
    },
    claims=claims,
    plot=plot,
    check=check,
    jobs=jobs,
)
