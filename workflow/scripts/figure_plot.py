"""Plot a figure from its one table (no computation): ``dltheory.figures.<figure>.plot(table)``."""

import importlib

from dltheory.artifacts import log_to, read_table
from dltheory.plotting import save_figure

fig = importlib.import_module(f"dltheory.figures.{snakemake.params.figure}")
with log_to(snakemake.log[0]):
    save_figure(fig.plot(read_table(snakemake.input.table)), snakemake.output.pdf, snakemake.output.png)
