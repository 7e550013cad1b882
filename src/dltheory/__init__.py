"""dltheory: measured reproductions of deep-learning-theory results.

The package has five layers; imports only point down:

- :mod:`dltheory.core`     the figure contract (``Figure``, ``Step``, ``claim``), the registry, the
  job runner, artifacts, config checks, code digests, data sets, the cost model's conventions
- :mod:`dltheory.engine`   batched ensembles of MLPs and their trainer, shared by several figures
- :mod:`dltheory.science`  one module per result or method: mean-field theory, mutual
  information, tangent kernels, random features, max-margin, R2SVM, ...
- :mod:`dltheory.figures`  one package per figure: its declaration, jobs, claims, plot and cost
- :mod:`dltheory.tools`    the command line: ``python -m dltheory inspect | plan | bench | new``

The names below are the public face, for use outside the workflow (``from dltheory import
critical_line``); they are imported on first use, so ``import dltheory`` stays light and a
job's code digest does not depend on them.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# name -> the module that defines it
PUBLIC = {
    # the contract and the registry
    "Figure": "dltheory.core.contract",
    "Step": "dltheory.core.contract",
    "Artifacts": "dltheory.core.contract",
    "Claim": "dltheory.core.claims",
    "claim": "dltheory.core.claims",
    "comparison": "dltheory.core.claims",
    "observation": "dltheory.core.claims",
    "registry": "dltheory.core.registry",
    "figure": "dltheory.core.registry",
    "load_dataset": "dltheory.core.data",
    # estimators and models a user may reuse
    "q_star": "dltheory.science.meanfield",
    "c_star": "dltheory.science.meanfield",
    "depth_scales": "dltheory.science.meanfield",
    "critical_line": "dltheory.science.meanfield",
    "measure_propagation": "dltheory.science.propagation",
    "mutual_information_bits": "dltheory.science.mutual_information",
    "mi_vs_distance": "dltheory.science.mutual_information",
    "knn_entropy_bits": "dltheory.science.differential_entropy",
    "total_correlation_bits": "dltheory.science.differential_entropy",
    "tangent_kernel": "dltheory.science.tangent_kernel",
    "relu_ntk": "dltheory.science.tangent_kernel",
    "min_norm_path": "dltheory.science.random_features",
    "max_margin": "dltheory.science.max_margin",
    "R2SVM": "dltheory.science.recursive_svm",
    "MLPEnsemble": "dltheory.engine.ensembles",
    "EnsembleTrainer": "dltheory.engine.training",
}

__all__ = sorted(PUBLIC)


def __getattr__(name: str):
    if name in PUBLIC:
        return getattr(importlib.import_module(PUBLIC[name]), name)
    raise AttributeError(f"module 'dltheory' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *PUBLIC])
