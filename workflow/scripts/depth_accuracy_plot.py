"""Plot depth_accuracy from its artifacts (no training)."""

import pandas as pd

from dltheory.artifacts import log_to, read_table
from dltheory.figures import depth_accuracy as fig
from dltheory.plotting import save_figure

with log_to(snakemake.log[0]):
    i = snakemake.input
    table = pd.concat([read_table(path) for path in i.tables], ignore_index=True)
    figure = fig.plot(table, read_table(i.depth_scales), read_table(i.scores))
    save_figure(figure, snakemake.output.pdf, snakemake.output.png)
