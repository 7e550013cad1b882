"""Figure ``sparse_coding_locality``: sparse coding of natural-patch mosaics discovers local,
convolution-like atoms (Yuan et al. 2021, "Learning Structures for Deep Neural Networks").

(a) Atoms learned on mosaics (3 × 3 cells, each an 8 × 8 patch cut at a random place from a
random photograph) by L1 sparse coding, PCA and FastICA, as images. (b) The share of each atom's
energy in its strongest cell, per method. (c) Sparse-coding atoms of whole natural patches of the
same size and the share of their energy within a radius of their centroid. (d) Group (L1/L2)
sparse coding on natural patches: the atoms of a group side by side.

Our protocol (the paper's body is not available): :mod:`dltheory.science.sparse_coding`.
"""

from __future__ import annotations

from dltheory.core.contract import Figure, Step, require

NAME = "sparse_coding_locality"
SOURCE = "Yuan et al. 2021, abstract (arXiv 2105.13905)"


def check(config: dict) -> None:
    """Atoms split into groups and are at most the whitened dimensions; the whitening keeps at most the mosaic's pixels."""
    spec = config[NAME]["compute"]
    side = spec["grid"] * spec["cell"]
    errors = []
    if spec["atoms"] % spec["group_size"]:
        errors.append(
            f"{NAME}.compute.group_size: {spec['group_size']} does not divide atoms = {spec['atoms']}; allowed: a divisor of atoms"
        )
    for key in ("mosaic_components", "natural_components"):
        if spec[key] > side * side:
            errors.append(f"{NAME}.compute.{key}: {spec[key]} > {side * side} pixels of a mosaic; allowed: at most {side * side}")
    if spec["atoms"] > min(spec["mosaic_components"], spec["natural_components"]):
        errors.append(
            f"{NAME}.compute.atoms: {spec['atoms']} atoms > the whitened dimensions kept; allowed: at most "
            f"min(mosaic_components, natural_components) = {min(spec['mosaic_components'], spec['natural_components'])} (PCA and ICA give that many)"
        )
    require(errors)


FIGURE = Figure(
    name=NAME,
    order=130,
    title="Sparse coding of natural-patch mosaics discovers local, convolution-like atoms",
    sources=(SOURCE,),
    outputs={"atoms": "atoms.npz", "locality": "locality.csv"},
    steps=(Step("learn", outputs=("atoms", "locality")),),
    check=check,
)
