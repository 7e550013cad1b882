"""Node tables and claims of lucky_weights, from the saved correlations, weights and lottery table."""

import numpy as np

from dltheory.artifacts import log_to, provenance, read_arrays, read_table, write_table
from dltheory.claims import write_claims
from dltheory.figures import lucky_weights as fig
from dltheory.teacher_student import fan_out_norms, unstack_params

with log_to(snakemake.log[0]) as log:
    i, o = snakemake.input, snakemake.output
    corr = read_arrays(i.correlations)
    students = read_arrays(i.students)
    layers = fig.layer_keys(corr)
    final = unstack_params(students, "final_")
    fan_out = [np.stack([fan_out_norms(p)[l] for p in final]) for l in range(len(layers))]  # per layer [E, S]
    seeds = corr["seeds"]
    nodes = fig.node_table(corr["steps"], [corr[k] for k in layers], fan_out, seeds)
    winners = fig.winner_table(corr["steps"], [corr[k] for k in layers], seeds)
    meta = provenance({"inputs": list(i)})
    write_table(nodes, o.nodes, meta)
    write_table(winners, o.winners, meta)
    summary = fig.summary(nodes, winners, read_table(i.lottery))
    log("summary: " + repr(summary))
    claims = fig.claims(summary)
    write_claims(claims, o.claims, log)
