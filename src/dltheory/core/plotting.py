"""Shared figure style and deterministic saving (PDF and PNG of every figure)."""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

from dltheory.core.artifacts import atomic_write  # noqa: E402


def setup_style() -> None:
    sns.set_theme(context="paper", style="ticks", font_scale=1.1)
    plt.rcParams.update({"figure.dpi": 110, "savefig.dpi": 150, "axes.titleweight": "bold", "axes.titlesize": "medium"})


def save_figure(fig, pdf: str | os.PathLike, png: str | os.PathLike) -> None:
    """Write PDF and PNG atomically, without timestamps, so a rebuild gives the same bytes."""
    atomic_write(pdf, lambda tmp: fig.savefig(tmp, format="pdf", bbox_inches="tight", metadata={"CreationDate": None}))
    atomic_write(png, lambda tmp: fig.savefig(tmp, format="png", bbox_inches="tight", metadata={"Software": None}))
    plt.close(fig)
