"""Measure pixel_mi: MI at each distance, per image, representation and direction, with the shuffled floor."""

import zlib

import numpy as np
import pandas as pd

from dltheory.core.artifacts import Timer, log_to, provenance, write_table
from dltheory.core.images import NATURAL_IMAGES, natural_image, representation
from dltheory.science.mutual_information import distance_grid, mi_vs_distance, shuffled

spec = snakemake.params.spec
with log_to(snakemake.log[0]) as log:
    distances = distance_grid(spec["distances"])
    rows = []
    with Timer() as t:
        for name in spec["images"]:
            image = natural_image(name)
            for rep in spec["representations"]:
                values = representation(rep, image)
                # seeded by the image's name, so adding or reordering images leaves the other floors as they are
                floor_values = shuffled(values, np.random.default_rng([spec["shuffle_seed"], zlib.crc32(name.encode())]))
                for direction in ("horizontal", "vertical"):
                    mi = mi_vs_distance(values, distances, direction, spec["n_bins"])
                    floor = mi_vs_distance(floor_values, distances, direction, spec["n_bins"])
                    rows.append(
                        pd.DataFrame(
                            {
                                "image": name,
                                "representation": rep,
                                "direction": direction,
                                "distance": distances,
                                "mi_bits": mi,
                                "mi_shuffled_bits": floor,
                                "n_bins": spec["n_bins"],
                            }
                        )
                    )
            near = [r.mi_bits.iloc[0] for r in rows[-2 * len(spec["representations"]) :] if r.representation.iloc[0] == "pixels"]
            log(f"{name} {image.shape}: raw-pixel MI at d = {distances[0]}: {np.mean(near):.3f} bits (horizontal and vertical)")
    table = pd.concat(rows, ignore_index=True)
    log(
        f"measured in {t.seconds:.1f} s; mean MI (bits) by representation and distance:\n"
        + table.pivot_table("mi_bits", "representation", "distance").round(3).to_string()
    )
    sources = {name: NATURAL_IMAGES[name] for name in spec["images"]}
    write_table(table, snakemake.output.table, provenance(dict(spec), images=sources, distances=distances.tolist(), wall_time_s=t.seconds))
