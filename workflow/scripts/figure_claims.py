"""Claims of a figure computed from its one table: ``dltheory.figures.<figure>.claims(table, **options)``."""

import importlib

from dltheory.artifacts import log_to, read_table
from dltheory.claims import write_claims

params = snakemake.params
fig = importlib.import_module(f"dltheory.figures.{params.figure}")
with log_to(snakemake.log[0]) as log:
    claims = fig.claims(read_table(snakemake.input.table), **params.options)
    write_claims(claims, snakemake.output.claims, log)
