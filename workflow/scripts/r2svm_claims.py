"""Claims of r2svm from its table."""

from dltheory.artifacts import log_to, read_table
from dltheory.claims import write_claims
from dltheory.figures import r2svm as fig

with log_to(snakemake.log[0]) as log:  # noqa: F821 (injected by Snakemake)
    claims = fig.claims(read_table(snakemake.input.table))  # noqa: F821
    for c in claims:
        log(f"{c.verdict}: {c.claim}: expected {c.expected}, measured {c.measured}")
    write_claims(claims, snakemake.output.claims)  # noqa: F821
