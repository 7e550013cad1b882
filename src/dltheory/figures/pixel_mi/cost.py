"""Cost of pixel_mi's compute job, for ``python -m dltheory plan`` (no job imports this module)."""

from __future__ import annotations

import functools

import numpy as np

from dltheory.core.cost import F_TRANSCENDENTAL as F_T
from dltheory.core.cost import reduced, sliced
from dltheory.core.images import natural_image, representation
from dltheory.figures.pixel_mi import NAME
from dltheory.science.mutual_information import distance_grid, mi_vs_distance, shuffled

SOBEL_FLOPS = 18  # a 3 × 3 filter: 9 multiply-adds per pixel


@functools.cache
def _pixels(name: str) -> int:
    return natural_image(name).size


def _measure_flops(spec: dict) -> float:
    """FLOPs (operations) of ``pixel_mi_measure``, per image of n pixels and representation: the
    Sobel filter (18 n), the shuffled copy (n); then per direction, for the values and the floor:
    the quantile bins (a sort, n log₂ n, and the digitization, n log₂ B), and per distance the
    pair histogram (4 n) and its MI, B² (F_T + 4)."""
    bins, distances = spec["n_bins"], spec["distances"]["num"]
    total = 0.0
    for name in spec["images"]:
        n = _pixels(name)
        per_map = n * (np.log2(n) + np.log2(bins)) + distances * (4 * n + bins * bins * (F_T + 4))
        total += sum(SOBEL_FLOPS * n * (rep != "pixels") + n + 2 * 2 * per_map for rep in spec["representations"])
    return total


def _measure_memory(spec: dict) -> float:
    """Bytes: for the largest image, about 8 arrays of its size at once (values, floor, their bins,
    the sort's and the pairs' temporaries), float64 or int64."""
    return 8 * 8 * max(_pixels(name) for name in spec["images"])


def _measure_run(spec: dict) -> None:
    distances = distance_grid(spec["distances"])
    for name in spec["images"]:
        image = natural_image(name)
        for rep in spec["representations"]:
            values = representation(rep, image)
            floor_values = shuffled(values, np.random.default_rng(spec["shuffle_seed"]))
            for direction in ("horizontal", "vertical"):
                for v in (values, floor_values):
                    mi_vs_distance(v, distances, direction, spec["n_bins"])


def jobs(config: dict) -> list:
    """``pixel_mi_measure``, probed on the first image's raw pixels (both directions, with the floor)."""
    spec = config[NAME]["compute"]
    probe = reduced(spec, images=spec["images"][:1], representations=spec["representations"][:1])
    return [sliced(f"{NAME}_measure", "", spec, probe, _measure_flops, _measure_memory, _measure_run)]
