"""Figure ``pixel_mi``: mutual information between pixels decays with distance (Yuan et al., Fig. 3).

(a) Raw pixels: MI between two pixels at distance d, horizontal and vertical pairs, per image
then averaged (pooling pairs across images would add the MI of "which image" to every distance,
a fake floor). (b) The same for the responses of edge filters (Sobel, horizontal and vertical
gradients): the MI between one filter's responses at distance d. Dashed: the same estimate on
the image with its pixels shuffled, the estimator's floor.

Our protocol (the paper's estimator and images are not available): plug-in MI from quantile
bins of each image, Miller–Madow corrected (:mod:`dltheory.science.mutual_information`).
"""

from __future__ import annotations

from dltheory.core.contract import Figure, Step, increasing, require

NAME = "pixel_mi"
SOURCE = "Yuan et al. 2021, Fig. 3 (arXiv 2105.13905)"


def check(config: dict) -> None:
    pm = config[NAME]["compute"]
    errors = increasing(f"{NAME}.compute.distances", pm["distances"])
    if "pixels" not in pm["representations"]:
        errors.append(
            f"{NAME}.compute.representations: {pm['representations']} lacks 'pixels', which the claims are about; allowed: a list with pixels"
        )
    require(errors)


FIGURE = Figure(
    name=NAME,
    order=40,
    title="Mutual information between pixels falls with their distance",
    sources=(SOURCE,),
    outputs={"table": "mi.csv"},
    steps=(Step("measure", outputs=("table",)),),
    check=check,
)
