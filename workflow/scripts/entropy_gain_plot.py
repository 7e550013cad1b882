"""Plot entropy_gain from its table (no measurement)."""

from dltheory.artifacts import log_to, read_table
from dltheory.figures import entropy_gain as fig
from dltheory.plotting import save_figure

with log_to(snakemake.log[0]):  # noqa: F821 (injected by Snakemake)
    save_figure(fig.plot(read_table(snakemake.input.table)), snakemake.output.pdf, snakemake.output.png)  # noqa: F821
