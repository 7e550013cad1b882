"""sparse_coding_locality's compute job: dictionaries on mosaics and on natural patches, and the locality of their atoms."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from dltheory.core.images import natural_image
from dltheory.core.runner import JobRun
from dltheory.science.sparse_coding import (
    cell_locality,
    mosaics,
    radius_locality,
    random_patches,
    sparse_coding,
    zca_whitening,
)


def learn(job: JobRun) -> dict:
    """Mosaics: L1 sparse coding, PCA and FastICA on the same whitened data, each atom's cell
    locality. Natural patches of the same side: L1 and group sparse coding, each atom's radius locality."""
    from sklearn.decomposition import FastICA

    spec, log = job.params, job.log
    rng = np.random.default_rng(spec["seed"])
    images = [natural_image(name) for name in spec["images"]]
    grid, side = spec["grid"], spec["grid"] * spec["cell"]
    n, atoms, steps, iterations = spec["samples"], spec["atoms"], spec["fista_steps"], spec["iterations"]
    found, rows = {}, []

    def keep(key: str, in_pixels: np.ndarray, data: str, method: str) -> None:
        found[key] = in_pixels.reshape(-1, side, side)
        share = cell_locality(found[key], grid) if data == "mosaic" else radius_locality(found[key], spec["radius"])
        rows.append(pd.DataFrame({"data": data, "method": method, "atom": np.arange(len(share)), "locality": share}))
        log(f"{data} {method}: median locality {np.median(share):.3f}, share >= 0.9: {np.mean(share >= 0.9):.2f}")

    start = time.perf_counter()
    whitened, axes = zca_whitening(
        mosaics(random_patches(images, spec["cell"], n * grid * grid, rng), grid).reshape(n, -1), spec["mosaic_components"]
    )
    dictionary, _ = sparse_coding(whitened, atoms, spec["alpha"], 1, iterations, steps, rng)
    keep("mosaic_sparse_coding", dictionary @ axes.T, "mosaic", "sparse coding")
    keep("mosaic_pca", axes[:, :atoms].T, "mosaic", "PCA")
    ica = FastICA(whiten=False, max_iter=spec["ica_iterations"], tol=1e-3, random_state=spec["seed"]).fit(whitened)
    keep("mosaic_ica", ica.components_[:atoms] @ axes.T, "mosaic", "ICA")
    log(f"mosaics done in {time.perf_counter() - start:.1f} s")

    whitened, axes = zca_whitening(random_patches(images, side, n, rng).reshape(n, -1), spec["natural_components"])
    dictionary, _ = sparse_coding(whitened, atoms, spec["alpha"], 1, iterations, steps, rng)
    keep("natural_sparse_coding", dictionary @ axes.T, "natural", "sparse coding")
    # the group penalty scaled by sqrt(group size): a group of s equal codes costs what one code does in L1
    group_size = spec["group_size"]
    dictionary, _ = sparse_coding(whitened, atoms, spec["alpha"] * np.sqrt(group_size), group_size, iterations, steps, rng)
    keep("natural_group_sparse_coding", dictionary @ axes.T, "natural", "group sparse coding")
    log(f"all done in {time.perf_counter() - start:.1f} s")
    job.meta |= {"group_size": group_size}
    return {"atoms": {**found, "group_size": np.array(group_size)}, "locality": pd.concat(rows, ignore_index=True)}
