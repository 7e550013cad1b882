"""entropy_gain's compute job: per random network (seed), layer and estimator, entropy, gain and total correlation."""

from __future__ import annotations

import pandas as pd

from dltheory.core.images import NATURAL_IMAGES, contrast_normalized_patches
from dltheory.core.runner import JobRun
from dltheory.science.feature_entropy import entropy_by_layer


def measure(job: JobRun) -> dict:
    spec, log = job.params, job.log
    patches = contrast_normalized_patches(spec["images"], spec["patch_size"], spec["n_patches"], spec["min_contrast"], spec["patch_seed"])
    log(f"{len(patches)} patches of {spec['patch_size']} px from {len(spec['images'])} images")
    tables = []
    for seed in job.seeds(spec):
        tables.append(
            entropy_by_layer(
                patches,
                spec["channels"],
                spec["layers"],
                spec["kernel_size"],
                spec["projection_dim"],
                spec["projections"],
                spec["knn_k"],
                seed,
            )
        )
        knn = tables[-1][tables[-1].estimator == "knn"]
        log(f"seed {seed}: k-NN entropy by layer (bits) " + " ".join(f"{h:.2f}" for h in knn.entropy))
    table = pd.concat(tables, ignore_index=True)
    log("means over seeds:\n" + table.groupby(["estimator", "layer"])[["entropy", "gain", "total_correlation"]].mean().round(3).to_string())
    job.meta["images"] = {name: NATURAL_IMAGES[name] for name in spec["images"]}
    return {"table": table}
