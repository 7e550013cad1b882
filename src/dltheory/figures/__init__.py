"""The registry: every figure of the canon, in the order the scorecard, the report and
``figures/all`` list them. Adding a figure is one line here (see docs/adding-a-figure.md).

Each name is a module of this package holding a :class:`dltheory.contract.Figure` as ``FIGURE``.
The modules are imported on demand, not here, so that a job's code digest (the modules its
script imports) covers one figure's module, and editing it reruns that figure's claims and plot
alone.
"""

from __future__ import annotations

import importlib

NAMES = (
    "phase_diagram",
    "depth_accuracy",
    "lucky_weights",
    "pixel_mi",
    "entropy_gain",
    "r2svm",
    "implicit_bias",
    "double_descent",
    "lazy_training",
    "shattered_gradients",
)


def figure(name: str):
    """The :class:`~dltheory.contract.Figure` of one registered figure."""
    if name not in NAMES:
        raise KeyError(f"no figure {name!r}; registered: {', '.join(NAMES)}")
    return importlib.import_module(f"{__name__}.{name}").FIGURE


def registry() -> list:
    """Every registered :class:`~dltheory.contract.Figure`, in order."""
    return [figure(name) for name in NAMES]
