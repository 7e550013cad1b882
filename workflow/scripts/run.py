"""Every job of the workflow runs this script; dltheory.core.runner does the rest (by the rule's name)."""

from dltheory.core.runner import run

run(snakemake)  # noqa: F821  (Snakemake defines it)
