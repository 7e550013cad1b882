"""sparse_coding_locality's figure: atoms as images, their locality per method, grouped atoms."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from dltheory.core.contract import Artifacts
from dltheory.core.plotting import setup_style

SHOWN = 24  # atoms shown per method


def _tile(atoms: np.ndarray, columns: int) -> np.ndarray:
    """Atoms [m, s, s] as one image, ``columns`` per row, each scaled to [-1, 1], 1 px gaps (NaN)."""
    m, s = len(atoms), atoms.shape[-1]
    rows = -(-m // columns)
    canvas = np.full((rows * (s + 1), columns * (s + 1)), np.nan)
    for i, atom in enumerate(atoms):
        r, c = divmod(i, columns)
        canvas[r * (s + 1) : r * (s + 1) + s, c * (s + 1) : c * (s + 1) + s] = atom / np.abs(atom).max()
    return canvas


def _show(ax, atoms: np.ndarray, columns: int, title: str) -> None:
    ax.imshow(_tile(atoms, columns), cmap="gray", vmin=-1, vmax=1, interpolation="nearest")
    ax.set_title(title, fontsize="small")
    ax.axis("off")


def plot(artifacts: Artifacts, bars: dict):
    """(a–c) mosaic atoms of sparse coding, PCA, ICA; (d) cell-locality histograms; (e) natural-patch
    atoms; (f) their radius locality; (g) groups of group sparse coding, one group a row."""
    setup_style()
    atoms, table = artifacts["atoms"], artifacts["locality"]
    group_size = int(atoms["group_size"])
    fig = plt.figure(figsize=(13, 8), constrained_layout=True)
    grid = fig.add_gridspec(2, 4)
    for k, (key, name) in enumerate([("mosaic_sparse_coding", "sparse coding"), ("mosaic_pca", "PCA"), ("mosaic_ica", "ICA")]):
        _show(fig.add_subplot(grid[0, k]), atoms[key][:SHOWN], 6, f"({'abc'[k]}) mosaics: {name} atoms")
    ax = fig.add_subplot(grid[0, 3])
    bins = np.linspace(0, 1, 26)
    for name in ("sparse coding", "ICA", "PCA"):
        ax.hist(table[(table.data == "mosaic") & (table.method == name)].locality, bins=bins, histtype="step", lw=2, label=name)
    ax.axvline(bars["local_energy"], ls="--", color="0.4")
    ax.axvline(1 / 9, ls=":", color="0.4", label="uniform atom (1/9)")
    ax.set(xlabel="share of energy in the strongest cell", ylabel="atoms", title="(d) mosaics: locality per method")
    ax.legend(fontsize="x-small")
    _show(fig.add_subplot(grid[1, 0]), atoms["natural_sparse_coding"][:SHOWN], 6, "(e) natural patches: sparse coding atoms")
    ax = fig.add_subplot(grid[1, 1])
    for name in ("sparse coding", "group sparse coding"):
        ax.hist(table[(table.data == "natural") & (table.method == name)].locality, bins=bins, histtype="step", lw=2, label=name)
    ax.axvline(bars["natural_energy"], ls="--", color="0.4")
    ax.set(xlabel="share of energy within the radius", ylabel="atoms", title="(f) natural patches: locality")
    ax.legend(fontsize="x-small")
    groups = atoms["natural_group_sparse_coding"][: 8 * group_size]
    _show(fig.add_subplot(grid[1, 2:]), groups, 2 * group_size, f"(g) group sparse coding: 16 groups of {group_size} (two per row)")
    return fig
