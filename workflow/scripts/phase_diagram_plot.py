"""Plot phase_diagram from its artifacts (no training, no measurement)."""

from dltheory.artifacts import log_to, read_table
from dltheory.figures import phase_diagram as fig
from dltheory.plotting import save_figure

with log_to(snakemake.log[0]):
    i = snakemake.input
    figure = fig.plot(read_table(i.critical_line), read_table(i.depth_scales), read_table(i.propagation), read_table(i.fits))
    save_figure(figure, snakemake.output.pdf, snakemake.output.png)
