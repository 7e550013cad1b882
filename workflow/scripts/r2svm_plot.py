"""Plot r2svm from its table and decision regions (no fitting)."""

from dltheory.artifacts import log_to, read_arrays, read_table
from dltheory.figures import r2svm as fig
from dltheory.plotting import save_figure

with log_to(snakemake.log[0]):
    figure = fig.plot(read_table(snakemake.input.table), read_arrays(snakemake.input.boundaries))
    save_figure(figure, snakemake.output.pdf, snakemake.output.png)
