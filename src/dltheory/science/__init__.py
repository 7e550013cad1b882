"""The science: one module per result or method (theory, estimators, models), importable and
testable without Snakemake. Imports only from :mod:`dltheory.core` and :mod:`dltheory.engine`;
each figure's ``__init__.py`` names the modules it uses."""
