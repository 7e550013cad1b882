"""Measure entropy_gain: per random network (seed), layer and estimator, entropy, gain and total correlation."""

import pandas as pd

from dltheory.core.artifacts import Timer, log_to, provenance, write_table
from dltheory.science.feature_entropy import entropy_by_layer
from dltheory.core.images import NATURAL_IMAGES, contrast_normalized_patches

spec = snakemake.params.spec
with log_to(snakemake.log[0]) as log:
    with Timer() as t:
        patches = contrast_normalized_patches(
            spec["images"], spec["patch_size"], spec["n_patches"], spec["min_contrast"], spec["patch_seed"]
        )
        log(f"{len(patches)} patches of {spec['patch_size']} px from {len(spec['images'])} images")
        tables = []
        for seed in range(spec["seed"], spec["seed"] + spec["seeds"]):
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
    log(
        f"measured in {t.seconds:.1f} s; means over seeds:\n"
        + table.groupby(["estimator", "layer"])[["entropy", "gain", "total_correlation"]].mean().round(3).to_string()
    )
    sources = {name: NATURAL_IMAGES[name] for name in spec["images"]}
    write_table(table, snakemake.output.table, provenance(dict(spec), images=sources, wall_time_s=t.seconds))
