"""Claims of phase_diagram: critical point, and measured depth scales against theory."""

from dltheory.artifacts import log_to, provenance, read_table, write_table
from dltheory.claims import write_claims
from dltheory.figures import phase_diagram as fig

with log_to(snakemake.log[0]) as log:
    critical_line = read_table(snakemake.input.critical_line)
    fits = fig.depth_scale_fits(read_table(snakemake.input.propagation), critical_line)
    log("depth-scale fits:\n" + fits.to_string(index=False))
    write_table(fits, snakemake.output.fits, provenance({"inputs": list(snakemake.input)}))
    claims = fig.claims(critical_line, fits)
    write_claims(claims, snakemake.output.claims, log)
