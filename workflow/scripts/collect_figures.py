"""figures/all (sha256sum manifest of every figure file) and figures/claims.md (the scorecard)."""

from dltheory.artifacts import atomic_write, log_to, sha256_manifest
from dltheory.claims import read_claims, scorecard

with log_to(snakemake.log[0]) as log:  # noqa: F821 (injected by Snakemake)
    claims = [c for path in snakemake.input.claims for c in read_claims(path)]  # noqa: F821
    table = scorecard(claims)
    atomic_write(snakemake.output.scorecard, lambda tmp: tmp.write_text("# Claims scorecard\n\n" + table))  # noqa: F821
    log(table)
    files = [*snakemake.input.figures, snakemake.output.scorecard]  # noqa: F821
    atomic_write(snakemake.output.manifest, lambda tmp: tmp.write_text(sha256_manifest(files)))  # noqa: F821
    log(f"manifest of {len(files)} files")
