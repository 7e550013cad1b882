"""The figures of the canon: one sub-package per figure, found by discovery
(:mod:`dltheory.core.registry`). A figure's package holds its declaration (``FIGURE`` in
``__init__.py``), its compute entry points (``jobs.py``), its analysis and claims (``claims.py``),
its plot (``plot.py``), its cost model (``cost.py``), its config schema (``schema.yaml``) and its
report caption (``caption.rst``); docs/adding-a-figure.md shows how to add one.
"""
