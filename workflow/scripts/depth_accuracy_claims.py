"""Claims of depth_accuracy: the trainable region against L < k xi_c, and the accuracy ridge."""

import pandas as pd

from dltheory.artifacts import log_to, provenance, read_table, write_table
from dltheory.claims import write_claims
from dltheory.figures import depth_accuracy as fig

with log_to(snakemake.log[0]) as log:
    depth_scales = read_table(snakemake.input.depth_scales)
    table = pd.concat([read_table(path) for path in snakemake.input.tables], ignore_index=True)
    scores = fig.trainability_table(table, depth_scales)
    log("trainability per panel:\n" + scores.T.to_string())
    write_table(scores, snakemake.output.scores, provenance({"inputs": list(snakemake.input)}))
    claims = fig.claims(scores, depth_scales)
    write_claims(claims, snakemake.output.claims, log)
