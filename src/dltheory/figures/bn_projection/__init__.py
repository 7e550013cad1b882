"""Figure ``bn_projection``: the gradient through BatchNorm is a projection (Tian 2018).

(a) The closed-form backward of train-mode BatchNorm, g_f = (γ/s) P g with
P = I − 11ᵀ/N − x̂x̂ᵀ/N, against PyTorch's autograd in float64, over batch sizes and eps;
(b) how far P is from a projection as eps grows, against ‖P² − P‖_F = r(1 − r); (c) the
gradient's mean and its overlap with the normalized activation; in small Linear→(ReLU→)BN
networks trained by SGD on shipped digits: (d) each first-layer row's norm increment against
η²‖∇‖², with BN at eps = 0, at PyTorch's default eps and without BN; (e) the row norms along
training; (f) the bias gradient of the Linear layer before BN.

Science: :mod:`dltheory.science.batchnorm` (the formula, the projection, the recording SGD).
"""

from __future__ import annotations

from dltheory.core.contract import Figure, Step, require

NAME = "bn_projection"
SOURCE = "Tian 2018, A theoretical framework for deep locally connected ReLU network (arXiv 1809.10829), the BatchNorm theorem"
SOURCE_APPENDIX = "Tian 2018 (arXiv 1809.10829), the BatchNorm theorem's consequences for the weights (appendix)"

NETWORKS = {  # name: (order, BN's eps or None)
    "bn_relu_eps0": ("bn_relu", 0.0),
    "bn_relu_default_eps": ("bn_relu", "default_eps"),
    "relu_bn_eps0": ("relu_bn", 0.0),
    "relu_bn_default_eps": ("relu_bn", "default_eps"),
    "no_bn": ("bn_relu", None),  # without BN both orders are Linear → ReLU → Linear
}


def check(config: dict) -> None:
    """eps = 0 must be on the grid (the theorem's exact case), and a minibatch fits the data."""
    spec = config[NAME]["compute"]
    errors = []
    if 0 not in spec["identities"]["eps"]:
        errors.append(f"{NAME}.compute.identities.eps: {spec['identities']['eps']} has no 0; allowed: a list including 0, the exact case")
    require(errors)


FIGURE = Figure(
    name=NAME,
    order=110,
    title="The gradient through BatchNorm is a projection",
    sources=(SOURCE, SOURCE_APPENDIX),
    outputs={"identities": "identities.csv", "rows": "rows.npz"},
    steps=(
        Step("identities", outputs=("identities",), params=lambda c, w: dict(c["identities"])),
        Step("train", outputs=("rows",), params=lambda c, w: dict(c["training"]), data=True),
    ),
    analysis={"summary": "summary.csv"},
    check=check,
)
