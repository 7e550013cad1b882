"""The plot job of any figure: draw it from its artifacts and analysis tables (no computation)."""

from dltheory.core.artifacts import log_to
from dltheory.core.contract import Artifacts
from dltheory.figures import figure
from dltheory.core.plotting import save_figure

fig = figure(snakemake.params.figure)
with log_to(snakemake.log[0]):
    keys = [*fig.artifacts(snakemake.config), *fig.analysis]
    artifacts = Artifacts({key: snakemake.input[key] for key in keys})
    save_figure(fig.plot(artifacts, snakemake.params.bars), snakemake.output.pdf, snakemake.output.png)
