"""Parameter grids from the config: ``{min, max, num}`` specs as arrays.

A module of its own so that the training jobs that build their σ_w² grid from it do not import
(and rerun on edits of) the mean-field code.
"""

import numpy as np


def grid_axis(spec: dict[str, float]) -> np.ndarray:
    """``{min, max, num}`` -> evenly spaced values, rounded so that e.g. 0.05 is exactly 0.05."""
    return np.round(np.linspace(spec["min"], spec["max"], int(spec["num"])), 10)
