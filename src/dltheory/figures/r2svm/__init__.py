"""Figure ``r2svm``: the Random Recursive SVM (Vinyals, Jia, Deng & Darrell, NIPS 2012).

(a) Test accuracy after each of 60 layers on the real datasets (mean ± s.d. over draws of the
random projections), with the linear and RBF SVMs as horizontal references, and the
cross-validation that picks C for the R2SVM. (b) Decision regions in input space after
successive layers on two moons and two spirals like the paper's Fig. 3, in two rows each: the
method as written (β = 0.1 on the 2-D inputs) and with the inputs copied (not in the paper:
:class:`~dltheory.science.recursive_svm.R2SVM`'s ``copies``). (c) The ablations: the random projection against a
fixed (deterministic) projection and against stacking the scores without projection.

Science: :mod:`dltheory.science.recursive_svm` (the R2SVM, its cross-validation and decision regions) and
:mod:`dltheory.science.coates` (the Coates & Ng features of the real datasets).
"""

from __future__ import annotations

from dltheory.core.contract import Figure, Step, require
from dltheory.core.data import missing_data_errors

NAME = "r2svm"
SOURCE = "Vinyals et al. 2012, §3.1 and §4"


def check(config: dict) -> None:
    rs = config[NAME]["compute"]
    errors = []
    too_deep = [l for l in rs["synthetic"]["layers_shown"] if l > rs["synthetic"]["layers"]]
    if too_deep:
        errors.append(
            f"{NAME}.compute.synthetic.layers_shown: {too_deep} exceed {NAME}.compute.synthetic.layers ({rs['synthetic']['layers']}); "
            f"allowed: 1 .. {rs['synthetic']['layers']}"
        )
    if not rs["datasets"] and not rs["synthetic"]["datasets"]:
        errors.append(f"{NAME}.compute.datasets and {NAME}.compute.synthetic.datasets are both empty; allowed: at least one dataset")
    require(errors + missing_data_errors(config["data"], rs["datasets"]))


FIGURE = Figure(
    name=NAME,
    order=60,
    title="Random recursive SVMs: accuracy gained by stacking layers",
    sources=("Vinyals, Jia, Deng & Darrell 2012, Learning with Recursive Perceptual Representations, §3.1 and §4",),
    outputs={"table": "layers.csv", "cv": "cv.csv", "boundaries": "boundaries.npz"},
    steps=(Step("fit", outputs=("table", "cv", "boundaries"), threads=2, data=True, mem_mb=2000),),
    check=check,
)
