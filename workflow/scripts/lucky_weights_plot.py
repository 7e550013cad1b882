"""Plot lucky_weights from its artifacts (no training)."""

from dltheory.artifacts import log_to, read_arrays, read_table
from dltheory.figures import lucky_weights as fig
from dltheory.plotting import save_figure

with log_to(snakemake.log[0]):
    i = snakemake.input
    figure = fig.plot(read_arrays(i.correlations), read_table(i.nodes), read_table(i.winners), read_table(i.lottery))
    save_figure(figure, snakemake.output.pdf, snakemake.output.png)
