"""Figure ``entropy_gain``: the entropy of feature maps rises with depth, then the gain vanishes
(Yuan et al. 2021, "Learning Structures for Deep Neural Networks", §3).

(a) Entropy of the normalized feature map after each random conv layer (layer 0: the
contrast-normalized patches), per seed (thin) and mean ± s.d. over seeds, for both estimators,
with the ceiling (D/2) log₂(2πe) of D independent unit-variance Gaussians. (b) The gain
H_l − H_{l−1} per layer. (c) The total correlation (redundancy) Σ_j H(z_j) − H(z).

Our protocol (the paper's networks and estimator are not available): random He-initialized 3×3
conv + ReLU layers, each channel standardized, measured through D random projections of the whole
map (:mod:`dltheory.science.feature_entropy` explains why not single units).

Science: :mod:`dltheory.science.feature_entropy` (the random conv layers and their views),
:mod:`dltheory.science.differential_entropy` (the estimators).
"""

from __future__ import annotations

from dltheory.core.contract import Figure, Step, require

NAME = "entropy_gain"
SOURCE = "Yuan et al. 2021, §3 (arXiv 2105.13905)"


def check(config: dict) -> None:
    """Every layer must leave a map: each shrinks it by kernel_size - 1 ('valid' convolution)."""
    eg = config[NAME]["compute"]
    left = eg["patch_size"] - eg["layers"] * (eg["kernel_size"] - 1)
    if left < 1:
        require(
            [
                f"{NAME}.compute.layers: {eg['layers']} layers of {eg['kernel_size']}x{eg['kernel_size']} kernels shrink "
                f"{eg['patch_size']} px patches to nothing; allowed: layers <= {(eg['patch_size'] - 1) // (eg['kernel_size'] - 1)} or larger patch_size"
            ]
        )


FIGURE = Figure(
    name=NAME,
    order=50,
    title="Entropy gain per layer of random conv networks on natural-image patches",
    sources=(SOURCE,),
    outputs={"table": "entropy.csv"},
    steps=(Step("measure", outputs=("table",)),),
    check=check,
)
