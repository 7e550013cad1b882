"""figures/all (sha256sum manifest of every figure file) and figures/claims.md (the scorecard)."""

from dltheory.core.artifacts import atomic_write, log_to, sha256_manifest
from dltheory.core.claims import read_claims, scorecard

with log_to(snakemake.log[0]) as log:
    claims = [c for path in snakemake.input.claims for c in read_claims(path)]
    table = scorecard(claims)
    atomic_write(snakemake.output.scorecard, lambda tmp: tmp.write_text("# Claims scorecard\n\n" + table))
    log(table)
    files = [*snakemake.input.figures, snakemake.output.scorecard]
    atomic_write(snakemake.output.manifest, lambda tmp: tmp.write_text(sha256_manifest(files)))
    log(f"manifest of {len(files)} files")
