"""Claims of phase_diagram: critical point, and measured depth scales against theory."""

from dltheory.artifacts import log_to, provenance, read_table, write_table
from dltheory.claims import write_claims
from dltheory.figures import phase_diagram as fig

with log_to(snakemake.log[0]) as log:  # noqa: F821 (injected by Snakemake)
    critical_line = read_table(snakemake.input.critical_line)  # noqa: F821
    fits = fig.depth_scale_fits(read_table(snakemake.input.propagation), critical_line)  # noqa: F821
    log("depth-scale fits:\n" + fits.to_string(index=False))
    write_table(fits, snakemake.output.fits, provenance({"inputs": list(snakemake.input)}))  # noqa: F821
    claims = fig.claims(critical_line, fits)
    write_claims(claims, snakemake.output.claims, log)  # noqa: F821
