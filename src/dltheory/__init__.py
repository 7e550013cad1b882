"""dltheory: measured reproductions of deep-learning-theory results.

Science modules (importable and testable without Snakemake):

- :mod:`dltheory.science.meanfield`    mean-field signal propagation: q*, c*, χ_1, χ_c, ξ_c, ξ_q, critical line
- :mod:`dltheory.science.propagation`  measured q^l, c^l in real random networks (torch, batched)
- :mod:`dltheory.science.reference`    straightforward per-point ``scipy.integrate.quad`` versions (tests, bench)
- :mod:`dltheory.core.data`         datasets: MNIST subset and digits shipped in packages; MNIST, CIFAR-10 files

Plumbing: :mod:`dltheory.core.artifacts` (atomic writes, JSON sidecars, logs), :mod:`dltheory.core.claims`
(claims as data, the scorecard), :mod:`dltheory.core.plotting`, :mod:`dltheory.core.device`, and one module
per figure in :mod:`dltheory.figures` (its tables, claims and plot). ``python -m dltheory`` is the
command line: ``inspect PATH`` and ``bench NAME``.
"""

__version__ = "0.1.0"
