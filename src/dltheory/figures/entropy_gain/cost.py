"""Cost of entropy_gain's compute job, for ``python -m dltheory plan`` (no job imports this module)."""

from __future__ import annotations

import numpy as np

from dltheory.core.cost import reduced, seeds_of, sliced
from dltheory.core.images import contrast_normalized_patches
from dltheory.figures.entropy_gain import NAME
from dltheory.science.feature_entropy import entropy_by_layer


def _measure_flops(spec: dict) -> float:
    """FLOPs of ``entropy_gain_measure`` for n patches of s × s px, C channels, L layers of k × k
    convolutions (side s_l = s − l(k − 1)), D-dimensional views, V views per layer, seeds S:
    cutting and normalizing the patches (10 n s²); per seed and layer l ≥ 1 the convolution
    2 n C C_{l−1} k² s_l² and the standardization 5 n C s_l²; per seed, layer l ≥ 0 and view the
    projection 2 n U_l D of the U_l = C_l s_l² units, the whitening and the Gaussian log-det
    (4 n D²), and the k-NN entropies of the view and of its D coordinates (a k-d tree: build and
    query, (k + 2) n log₂ n D each)."""
    n, s, C, k, D = spec["n_patches"], spec["patch_size"], spec["channels"], spec["kernel_size"], spec["projection_dim"]
    log_n = np.log2(n)
    total = 0.0
    for layer in range(spec["layers"] + 1):
        side, channels = s - layer * (k - 1), (C if layer else 1)
        conv = 2 * n * channels * (C if layer > 1 else 1) * k * k * side * side + 5 * n * channels * side * side if layer else 0
        view = 2 * n * channels * side * side * D + 4 * n * D * D + 2 * (spec["knn_k"] + 2) * n * log_n * D
        total += conv + spec["projections"] * view
    return 10 * n * s * s + spec["seeds"] * total


def _measure_memory(spec: dict) -> float:
    """Bytes: the patches and, at the first layer (the largest map, float64), the map, the
    previous one and the standardization's temporaries: 3 × n C (s − k + 1)² × 8."""
    n, s, k = spec["n_patches"], spec["patch_size"], spec["kernel_size"]
    return 2 * n * s * s * 8 + 3 * n * spec["channels"] * (s - k + 1) ** 2 * 8


def _measure_run(spec: dict) -> None:

    patches = contrast_normalized_patches(spec["images"], spec["patch_size"], spec["n_patches"], spec["min_contrast"], spec["patch_seed"])
    for seed in seeds_of(spec):
        entropy_by_layer(
            patches, spec["channels"], spec["layers"], spec["kernel_size"], spec["projection_dim"], spec["projections"], spec["knn_k"], seed
        )


def jobs(config: dict) -> list:
    """``entropy_gain_measure``, probed on one network (seed) and at most 1,000 patches of the
    first two images."""

    spec = config[NAME]["compute"]
    probe = reduced(spec, images=spec["images"][:2], n_patches=min(spec["n_patches"], 1000), seeds=1)
    return [sliced(f"{NAME}_measure", "", spec, probe, _measure_flops, _measure_memory, _measure_run)]
